// Private to the CKernels target: shared pieces of the built-in GEMM.
#ifndef KERAS_GEMM_INTERNAL_H
#define KERAS_GEMM_INTERNAL_H

#include <stddef.h>

#define KG_INLINE static inline __attribute__((always_inline))
#define KG_MIN(a, b) ((a) < (b) ? (a) : (b))

/// Micro-kernel: C[0:mr, 0:nr] = alpha * Ap·Bp + beta * C  (beta == 0: C not read).
/// Ap: kc steps of MR floats; Bp: kc steps of NR floats (zero padded beyond mr/nr).
typedef void (*kg_ukr_fn)(long kc, const float *ap, const float *bp, float *c, long ldc,
                          float alpha, float beta, int mr, int nr);
/// Packs rows [0, mc) x depth [0, kc) of op(A) (pointer already at the block origin) into
/// MR-row panels, each kc*MR floats, zero-padding the last panel.
typedef void (*kg_pack_a_fn)(int trans, long mc, long kc, const float *a, long lda, float *ap);
/// Packs depth [0, kc) x columns [0, nc) of op(B) into NR-column panels of kc*NR floats.
typedef void (*kg_pack_b_fn)(int trans, long kc, long nc, const float *b, long ldb, float *bp);
/// Direct (unpacked) path for tiny problems.
typedef void (*kg_direct_fn)(int transA, int transB, long m, long n, long k, float alpha,
                             const float *a, long lda, const float *b, long ldb, float beta,
                             float *c, long ldc);

typedef struct {
    int id;
    const char *name;
    int mr, nr;
    long kc, mc, nc;
    int direct_rows;   // rows of C per register block on the direct path (splitting unit)
    int direct_medium; // 1: the direct path beats the packed one on medium problems too
    kg_ukr_fn ukr;
    kg_pack_a_fn pack_a;
    kg_pack_b_fn pack_b;
    kg_direct_fn direct;
} kg_kernel;

extern const kg_kernel kg_kernel_portable;
#if defined(__x86_64__) || defined(__i386__)
extern const kg_kernel kg_kernel_avx2;
extern const kg_kernel kg_kernel_avx512;
#endif
#if defined(__aarch64__)
extern const kg_kernel kg_kernel_neon;
#endif

// ---------------------------------------------------------------------------------------------
// Generic bodies, inlined into target-specific wrappers (MR/NR are compile-time constants there).
// ---------------------------------------------------------------------------------------------

KG_INLINE void kg_pack_a_body(int trans, long mc, long kc, const float *a, long lda,
                              float *ap, const int MR) {
    for (long i = 0; i < mc; i += MR) {
        const long mr = KG_MIN((long)MR, mc - i);
        float *dst = ap + i * kc;
        if (!trans) {
            const float *src = a + i * lda;
            if (mr == MR) {
                long p = 0;
                for (; p + 4 <= kc; p += 4) {
                    for (int q = 0; q < 4; q++)
                        for (int r = 0; r < MR; r++) dst[(p + q) * MR + r] = src[r * lda + p + q];
                }
                for (; p < kc; p++)
                    for (int r = 0; r < MR; r++) dst[p * MR + r] = src[r * lda + p];
            } else {
                for (long p = 0; p < kc; p++) {
                    for (long r = 0; r < mr; r++) dst[p * MR + r] = src[r * lda + p];
                    for (long r = mr; r < MR; r++) dst[p * MR + r] = 0.0f;
                }
            }
        } else {
            const float *src = a + i;
            if (mr == MR) {
                for (long p = 0; p < kc; p++)
                    for (int r = 0; r < MR; r++) dst[p * MR + r] = src[p * lda + r];
            } else {
                for (long p = 0; p < kc; p++) {
                    for (long r = 0; r < mr; r++) dst[p * MR + r] = src[p * lda + r];
                    for (long r = mr; r < MR; r++) dst[p * MR + r] = 0.0f;
                }
            }
        }
    }
}

KG_INLINE void kg_pack_b_body(int trans, long kc, long nc, const float *b, long ldb,
                              float *bp, const int NR) {
    for (long j = 0; j < nc; j += NR) {
        const long nr = KG_MIN((long)NR, nc - j);
        float *dst = bp + j * kc;
        if (!trans) {
            const float *src = b + j;
            if (nr == NR) {
                for (long p = 0; p < kc; p++)
                    for (int q = 0; q < NR; q++) dst[p * NR + q] = src[p * ldb + q];
            } else {
                for (long p = 0; p < kc; p++) {
                    for (long q = 0; q < nr; q++) dst[p * NR + q] = src[p * ldb + q];
                    for (long q = nr; q < NR; q++) dst[p * NR + q] = 0.0f;
                }
            }
        } else {
            const float *src = b + j * ldb;
            if (nr == NR) {
                for (long p = 0; p < kc; p++)
                    for (int q = 0; q < NR; q++) dst[p * NR + q] = src[q * ldb + p];
            } else {
                for (long p = 0; p < kc; p++) {
                    for (long q = 0; q < nr; q++) dst[p * NR + q] = src[q * ldb + p];
                    for (long q = nr; q < NR; q++) dst[p * NR + q] = 0.0f;
                }
            }
        }
    }
}

/// Tiny problems: no packing. Row of C accumulated in a small stack buffer when B is not
/// transposed (vectorises over n); dot products otherwise.
#define KG_DIRECT_NBUF 256
#define KG_DIRECT_BT 4096 // floats of stack used to transpose B on the direct path

// The direct kernels' blocks of C over the columns: BLOCK(R, V) computes rows [i, i + R) and
// columns [j, j + V*LANES) (masked past n). KG_DIRECT_COLUMNS takes, at column j, a block
// of NV vectors, or of the fewest V (a power of two) that cover the columns left;
// KG_DIRECT_ROWS covers all columns of rows [i, i + R).
#define KG_DIRECT_COLUMNS(BLOCK, LANES, R, NV)                                                  \
    do {                                                                                       \
        const long w_ = n - j;                                                                 \
        if ((NV) >= 8 && w_ > 4 * (LANES)) BLOCK(R, (NV) >= 8 ? 8 : 1);                        \
        else if ((NV) >= 4 && w_ > 2 * (LANES)) BLOCK(R, (NV) >= 4 ? 4 : 1);                   \
        else if ((NV) >= 2 && w_ > (LANES)) BLOCK(R, (NV) >= 2 ? 2 : 1);                       \
        else BLOCK(R, 1);                                                                      \
    } while (0)
#define KG_DIRECT_ROWS(BLOCK, LANES, R, NV)                                                     \
    for (long j = 0; j < n; j += (LANES) * (NV)) KG_DIRECT_COLUMNS(BLOCK, LANES, R, NV)
/// All of C: full blocks of R rows x 2 vectors column by column (a panel of B stays in cache
/// for all rows), then the rows left over in blocks of 4 x 2, 2 x 4 and 1 x 8 vectors.
#define KG_DIRECT_ALL_ROWS(BLOCK, LANES, R)                                                     \
    do {                                                                                       \
        const long full = m / (R) * (R);                                                       \
        for (long j = 0; j < n; j += 2 * (LANES))                                              \
            for (long i = 0; i < full; i += (R)) KG_DIRECT_COLUMNS(BLOCK, LANES, R, 2);         \
        long i = full;                                                                         \
        if (m - i >= 4) { KG_DIRECT_ROWS(BLOCK, LANES, 4, 2); i += 4; }                        \
        if (m - i >= 2) { KG_DIRECT_ROWS(BLOCK, LANES, 2, 4); i += 2; }                        \
        if (m - i >= 1) { KG_DIRECT_ROWS(BLOCK, LANES, 1, 8); }                                \
    } while (0)
KG_INLINE void kg_direct_body(int transA, int transB, long m, long n, long k, float alpha,
                              const float *a, long lda, const float *b, long ldb, float beta,
                              float *c, long ldc) {
    if (!transB) {
        float t[KG_DIRECT_NBUF];
        for (long j0 = 0; j0 < n; j0 += KG_DIRECT_NBUF) {
            const long nb = KG_MIN((long)KG_DIRECT_NBUF, n - j0);
            for (long i = 0; i < m; i++) {
                for (long j = 0; j < nb; j++) t[j] = 0.0f;
                for (long p = 0; p < k; p++) {
                    const float av = transA ? a[p * lda + i] : a[i * lda + p];
                    const float *br = b + p * ldb + j0;
                    for (long j = 0; j < nb; j++) t[j] += av * br[j];
                }
                float *cr = c + i * ldc + j0;
                if (beta == 0.0f) {
                    for (long j = 0; j < nb; j++) cr[j] = alpha * t[j];
                } else if (beta == 1.0f) {
                    for (long j = 0; j < nb; j++) cr[j] += alpha * t[j];
                } else {
                    for (long j = 0; j < nb; j++) cr[j] = alpha * t[j] + beta * cr[j];
                }
            }
        }
    } else {
        for (long i = 0; i < m; i++) {
            float *cr = c + i * ldc;
            for (long j = 0; j < n; j++) {
                const float *br = b + j * ldb;
                float s = 0.0f;
                if (!transA) {
                    const float *ar = a + i * lda;
                    for (long p = 0; p < k; p++) s += ar[p] * br[p];
                } else {
                    for (long p = 0; p < k; p++) s += a[p * lda + i] * br[p];
                }
                cr[j] = beta == 0.0f ? alpha * s : alpha * s + beta * cr[j];
            }
        }
    }
}

/// The direct kernels read op(B) row by row: a transposed B is first transposed into `bt`
/// (KG_DIRECT_BT floats), and *b, *ldb point there. Returns 0 when B is too large for that,
/// after computing the product with kg_direct_body instead.
KG_INLINE int kg_direct_rows_of_b(int transA, int transB, long m, long n, long k, float alpha,
                                  const float *a, long lda, const float **b, long *ldb,
                                  float beta, float *c, long ldc, float *bt) {
    if (!transB) return 1;
    if (k * n > KG_DIRECT_BT) {
        kg_direct_body(transA, transB, m, n, k, alpha, a, lda, *b, *ldb, beta, c, ldc);
        return 0;
    }
    for (long j = 0; j < n; j++)
        for (long p = 0; p < k; p++) bt[p * n + j] = (*b)[j * *ldb + p];
    *b = bt;
    *ldb = n;
    return 1;
}

#endif
