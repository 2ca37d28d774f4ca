// AVX-512 and AVX2+FMA micro-kernels (x86-64 only). Compiled for the baseline target; each
// function opts into its instruction set with __attribute__((target)), and the dispatcher in
// keras_gemm.c only calls them after __builtin_cpu_supports says so.
#if defined(__x86_64__)

#include "keras_gemm_internal.h"
#include <immintrin.h>
#include <stdint.h>

#define KG_AVX512 __attribute__((target("avx512f,avx512vl,avx512dq,avx2,fma")))
#define KG_AVX2 __attribute__((target("avx2,fma")))

// ---------------------------------------------------------------------------------------------
// AVX-512: MR x (16*NV)
// ---------------------------------------------------------------------------------------------

#ifndef KG_AVX512_MR
#define KG_AVX512_MR 12
#endif
#ifndef KG_AVX512_NV
#define KG_AVX512_NV 2
#endif
#ifndef KG_AVX512_NR_NAME
#define KG_AVX512_NR_NAME 32
#endif
#define KG_AVX512_NR (16 * KG_AVX512_NV)
#ifndef KG_AVX512_MC
#define KG_AVX512_MC (11 * KG_AVX512_MR) // A block MC x KC: 132 x 256 floats = 132 KiB (L2)
#endif
#ifndef KG_AVX512_KC
#define KG_AVX512_KC 256 // B micro-panel KC x NR: 256 x 32 floats = 32 KiB (L1)
#endif

KG_AVX512 KG_INLINE __m512 kg512_out(__m512 acc, const float *cp, __m512 va, __m512 vb,
                                     int beta_mode, __mmask16 mask) {
    // beta_mode: 0 -> alpha*acc, 1 -> alpha*acc + C, 2 -> alpha*acc + beta*C
    if (beta_mode == 0) return _mm512_mul_ps(acc, va);
    __m512 cv = _mm512_maskz_loadu_ps(mask, cp);
    if (beta_mode == 1) return _mm512_fmadd_ps(acc, va, cv);
    return _mm512_fmadd_ps(cv, vb, _mm512_mul_ps(acc, va));
}

KG_AVX512 static void kg_ukr_avx512(long kc, const float *restrict ap, const float *restrict bp,
                                    float *restrict c, long ldc, float alpha, float beta, int mr,
                                    int nr) {
    enum { MR = KG_AVX512_MR, NV = KG_AVX512_NV };
    __m512 acc[MR][NV];
#pragma clang loop unroll(full)
    for (int r = 0; r < MR; r++)
#pragma clang loop unroll(full)
        for (int v = 0; v < NV; v++) acc[r][v] = _mm512_setzero_ps();

    for (int r = 0; r < MR; r++) _mm_prefetch((const char *)(c + r * ldc), _MM_HINT_T0);

    long p = 0;
#define KG512_STEP(OFF)                                                                    \
    do {                                                                                   \
        __m512 bv[NV];                                                                     \
        _Pragma("clang loop unroll(full)") for (int v = 0; v < NV; v++) bv[v] =            \
            _mm512_load_ps(bp + (OFF) * NV * 16 + 16 * v);                                 \
        _Pragma("clang loop unroll(full)") for (int r = 0; r < MR; r++) {                  \
            __m512 av = _mm512_set1_ps(ap[(OFF) * MR + r]);                                \
            _Pragma("clang loop unroll(full)") for (int v = 0; v < NV; v++) acc[r][v] =    \
                _mm512_fmadd_ps(av, bv[v], acc[r][v]);                                     \
        }                                                                                  \
    } while (0)
    for (; p + 4 <= kc; p += 4) {
        _mm_prefetch((const char *)(ap + 8 * MR), _MM_HINT_T0);
        KG512_STEP(0);
        KG512_STEP(1);
        KG512_STEP(2);
        KG512_STEP(3);
        ap += 4 * MR;
        bp += 4 * NV * 16;
    }
    for (; p < kc; p++) {
        KG512_STEP(0);
        ap += MR;
        bp += NV * 16;
    }
#undef KG512_STEP

    const __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
    const int bm = beta == 0.0f ? 0 : (beta == 1.0f ? 1 : 2);
    if (mr == MR && nr == NV * 16) {
#pragma clang loop unroll(full)
        for (int r = 0; r < MR; r++)
#pragma clang loop unroll(full)
            for (int v = 0; v < NV; v++) {
                float *cp = c + r * ldc + 16 * v;
                _mm512_storeu_ps(cp, kg512_out(acc[r][v], cp, va, vb, bm, 0xFFFF));
            }
    } else {
        __mmask16 masks[NV];
        for (int v = 0; v < NV; v++) {
            int rem = nr - 16 * v;
            masks[v] = rem >= 16 ? (__mmask16)0xFFFF
                                 : (rem <= 0 ? (__mmask16)0 : (__mmask16)((1u << rem) - 1u));
        }
#pragma clang loop unroll(full)
        for (int r = 0; r < MR; r++) {
            if (r < mr) {
#pragma clang loop unroll(full)
                for (int v = 0; v < NV; v++) {
                    float *cp = c + r * ldc + 16 * v;
                    _mm512_mask_storeu_ps(cp, masks[v],
                                          kg512_out(acc[r][v], cp, va, vb, bm, masks[v]));
                }
            }
        }
    }
}

// In-register 16x16 transpose: on return r[t] holds column t of the input rows.
KG_AVX512 KG_INLINE void kg512_transpose16(__m512 r[16]) {
    __m512 t[16];
#pragma clang loop unroll(full)
    for (int i = 0; i < 8; i++) {
        t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
        t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
    }
#pragma clang loop unroll(full)
    for (int i = 0; i < 4; i++) {
        r[4 * i + 0] = _mm512_shuffle_ps(t[4 * i + 0], t[4 * i + 2], _MM_SHUFFLE(1, 0, 1, 0));
        r[4 * i + 1] = _mm512_shuffle_ps(t[4 * i + 0], t[4 * i + 2], _MM_SHUFFLE(3, 2, 3, 2));
        r[4 * i + 2] = _mm512_shuffle_ps(t[4 * i + 1], t[4 * i + 3], _MM_SHUFFLE(1, 0, 1, 0));
        r[4 * i + 3] = _mm512_shuffle_ps(t[4 * i + 1], t[4 * i + 3], _MM_SHUFFLE(3, 2, 3, 2));
    }
    // r[4g + j] now holds, in each 128-bit lane L, elements (row 4g..4g+3, column 4L + j).
#pragma clang loop unroll(full)
    for (int h = 0; h < 2; h++)
#pragma clang loop unroll(full)
        for (int j = 0; j < 4; j++) {
            t[8 * h + j] = _mm512_shuffle_f32x4(r[8 * h + j], r[8 * h + 4 + j], 0x88);
            t[8 * h + 4 + j] = _mm512_shuffle_f32x4(r[8 * h + j], r[8 * h + 4 + j], 0xDD);
        }
#pragma clang loop unroll(full)
    for (int j = 0; j < 8; j++) {
        r[j] = _mm512_shuffle_f32x4(t[j], t[8 + j], 0x88);
        r[8 + j] = _mm512_shuffle_f32x4(t[j], t[8 + j], 0xDD);
    }
}

KG_AVX512 KG_INLINE __mmask16 kg512_mask(long n) {
    return n >= 16 ? (__mmask16)0xFFFF : (n <= 0 ? (__mmask16)0 : (__mmask16)((1u << n) - 1u));
}

/// Transposes a `rows` x `cols` block (rows <= 16, cols <= 16) of src (row stride ld) into
/// dst: dst[c * dstride + r] for r < 16 (rows >= `rows` read as zero), c < cols, writing 16
/// floats per column under `store_mask`.
KG_AVX512 KG_INLINE void kg512_transpose_block(const float *src, long ld, int rows, int cols,
                                                float *dst, long dstride, __mmask16 store_mask) {
    __m512 r[16];
    const __mmask16 lm = kg512_mask(cols);
#pragma clang loop unroll(full)
    for (int i = 0; i < 16; i++)
        r[i] = i < rows ? _mm512_maskz_loadu_ps(lm, src + i * ld) : _mm512_setzero_ps();
    kg512_transpose16(r);
    if (cols == 16) {
#pragma clang loop unroll(full)
        for (int c = 0; c < 16; c++) _mm512_mask_storeu_ps(dst + c * dstride, store_mask, r[c]);
    } else {
        for (int c = 0; c < cols; c++) _mm512_mask_storeu_ps(dst + c * dstride, store_mask, r[c]);
    }
}

KG_AVX512 static void kg_pack_a_avx512(int trans, long mc, long kc, const float *a, long lda,
                                       float *ap) {
    enum { MR = KG_AVX512_MR };
    if (!trans) {
        // Row i of the block is contiguous in k: transpose 12x16 blocks.
        for (long i = 0; i < mc; i += MR) {
            const int mr = (int)KG_MIN((long)MR, mc - i);
            const float *src = a + i * lda;
            float *dst = ap + i * kc;
            for (long p = 0; p < kc; p += 16) {
                const int cols = (int)KG_MIN(16L, kc - p);
                kg512_transpose_block(src + p, lda, mr, cols, dst + p * MR, MR,
                                      (__mmask16)((1u << MR) - 1u));
            }
        }
    } else {
        // Column i of op(A) is contiguous in memory for each p: copy MR floats per step, walking
        // memory row by row.
        const __mmask16 full = (__mmask16)((1u << MR) - 1u);
        for (long p = 0; p < kc; p++) {
            const float *src = a + p * lda;
            long i = 0;
            for (; i + MR <= mc; i += MR)
                _mm512_mask_storeu_ps(ap + i * kc + p * MR, full,
                                      _mm512_maskz_loadu_ps(full, src + i));
            if (i < mc)
                _mm512_mask_storeu_ps(ap + i * kc + p * MR, full,
                                      _mm512_maskz_loadu_ps(kg512_mask(mc - i), src + i));
        }
    }
}

KG_AVX512 static void kg_pack_b_avx512(int trans, long kc, long nc, const float *b, long ldb,
                                       float *bp) {
    enum { NR = KG_AVX512_NR, NV = KG_AVX512_NV };
    if (!trans) {
        // Walk B row by row (sequential reads), scattering NR-wide pieces into the panels.
        for (long p = 0; p < kc; p++) {
            const float *src = b + p * ldb;
            float *dst = bp + p * NR;
            long j = 0;
            for (; j + NR <= nc; j += NR) {
#pragma clang loop unroll(full)
                for (int v = 0; v < NV; v++)
                    _mm512_store_ps(dst + j * kc + 16 * v, _mm512_loadu_ps(src + j + 16 * v));
            }
            if (j < nc) {
#pragma clang loop unroll(full)
                for (int v = 0; v < NV; v++)
                    _mm512_store_ps(dst + j * kc + 16 * v,
                                    _mm512_maskz_loadu_ps(kg512_mask(nc - j - 16 * v),
                                                          src + j + 16 * v));
            }
        }
    } else {
        // Column j of op(B) is row j of B (contiguous in k): transpose 16x16 blocks.
        for (long j = 0; j < nc; j += NR) {
            const long nr = KG_MIN((long)NR, nc - j);
            float *dst = bp + j * kc;
            for (long p = 0; p < kc; p += 16) {
                const int cols = (int)KG_MIN(16L, kc - p);
#pragma clang loop unroll(full)
                for (int v = 0; v < NV; v++) {
                    const long rows = KG_MIN(16L, nr - 16 * v);
                    kg512_transpose_block(b + (j + 16 * v) * ldb + p, ldb,
                                          rows > 0 ? (int)rows : 0, cols,
                                          dst + p * NR + 16 * v, NR, (__mmask16)0xFFFF);
                }
            }
        }
    }
}

// Direct path for small problems: no packing, operands read in place. Blocks of R rows x
// NV*16 columns of C in registers, each scalar of C one chain of FMAs over p in order (so a row
// of C has the same bits whichever block computes it). Full blocks are 8 x 32; the rows left
// over take blocks of 4 x 32, 2 x 64 and 1 x 128, which keep eight chains in flight without
// computing rows that are not stored (one sample's inference is a 1-row product). op(B) must
// be row-contiguous (B not transposed); a transposed B is first transposed into a small stack
// buffer.
KG_AVX512 KG_INLINE void kg512_direct_block(const int R, const int NV, long k, const float *a,
                                            long ia, long pa, const float *b, long ldb, long w,
                                            float alpha, float beta, float *c, long ldc) {
    __m512 acc[8][8];
    __mmask16 mk[8];
#pragma clang loop unroll(full)
    for (int v = 0; v < NV; v++) mk[v] = kg512_mask(w - 16 * v);
#pragma clang loop unroll(full)
    for (int r = 0; r < R; r++)
#pragma clang loop unroll(full)
        for (int v = 0; v < NV; v++) acc[r][v] = _mm512_setzero_ps();
    for (long p = 0; p < k; p++) {
        const float *bp = b + p * ldb;
        __m512 bv[8];
#pragma clang loop unroll(full)
        for (int v = 0; v < NV; v++) bv[v] = _mm512_maskz_loadu_ps(mk[v], bp + 16 * v);
        const float *ap = a + p * pa;
#pragma clang loop unroll(full)
        for (int r = 0; r < R; r++) {
            const __m512 av = _mm512_set1_ps(ap[r * ia]);
#pragma clang loop unroll(full)
            for (int v = 0; v < NV; v++) acc[r][v] = _mm512_fmadd_ps(av, bv[v], acc[r][v]);
        }
    }
    const __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
    const int bm = beta == 0.0f ? 0 : (beta == 1.0f ? 1 : 2);
#pragma clang loop unroll(full)
    for (int r = 0; r < R; r++)
#pragma clang loop unroll(full)
        for (int v = 0; v < NV; v++) {
            float *cp = c + r * ldc + 16 * v;
            _mm512_mask_storeu_ps(cp, mk[v], kg512_out(acc[r][v], cp, va, vb, bm, mk[v]));
        }
}

#define KG512_DIRECT_BLOCK(R, V)                                                                \
    kg512_direct_block(R, V, k, a + i * ia, ia, pa, b + j, ldb, n - j, alpha, beta,            \
                       c + i * ldc + j, ldc)

KG_AVX512 static void kg_direct_avx512(int transA, int transB, long m, long n, long k,
                                       float alpha, const float *a, long lda, const float *b,
                                       long ldb, float beta, float *c, long ldc) {
    float bt[KG_DIRECT_BT] __attribute__((aligned(64)));
    if (!kg_direct_rows_of_b(transA, transB, m, n, k, alpha, a, lda, &b, &ldb, beta, c, ldc, bt))
        return;
    // op(A)(i, p) = a[i * ia + p * pa]
    const long ia = transA ? 1 : lda, pa = transA ? lda : 1;
    KG_DIRECT_ALL_ROWS(KG512_DIRECT_BLOCK, 16, 8);
}

#define KG_STR2(x) #x
#define KG_STR(x) KG_STR2(x)
const kg_kernel kg_kernel_avx512 = {
    .id = 2,
    .name = "AVX-512 " KG_STR(KG_AVX512_MR) "x" KG_STR(KG_AVX512_NR_NAME),
    .mr = KG_AVX512_MR,
    .nr = KG_AVX512_NR,
    .kc = KG_AVX512_KC,
    .mc = KG_AVX512_MC,
    .nc = 4096,
    .direct_rows = 8,
    .direct_medium = 1, // measured on Zen 4: +10-20% over packed up to op(B) ~ 2 MB
    .ukr = kg_ukr_avx512,
    .pack_a = kg_pack_a_avx512,
    .pack_b = kg_pack_b_avx512,
    .direct = kg_direct_avx512,
};

// ---------------------------------------------------------------------------------------------
// AVX2 + FMA: 6 x 16
// ---------------------------------------------------------------------------------------------

enum { KG_AVX2_MR = 6, KG_AVX2_NR = 16 };

KG_AVX2 static void kg_ukr_avx2(long kc, const float *restrict ap, const float *restrict bp,
                                float *restrict c, long ldc, float alpha, float beta, int mr,
                                int nr) {
    enum { MR = KG_AVX2_MR, NV = 2 };
    __m256 acc[MR][NV];
#pragma clang loop unroll(full)
    for (int r = 0; r < MR; r++)
#pragma clang loop unroll(full)
        for (int v = 0; v < NV; v++) acc[r][v] = _mm256_setzero_ps();

#define KG256_STEP(OFF)                                                                    \
    do {                                                                                   \
        const __m256 b0 = _mm256_load_ps(bp + 16 * (OFF)), b1 = _mm256_load_ps(bp + 16 * (OFF) + 8); \
        _Pragma("clang loop unroll(full)") for (int r = 0; r < MR; r++) {                  \
            const __m256 av = _mm256_broadcast_ss(ap + MR * (OFF) + r);                    \
            acc[r][0] = _mm256_fmadd_ps(av, b0, acc[r][0]);                                \
            acc[r][1] = _mm256_fmadd_ps(av, b1, acc[r][1]);                                \
        }                                                                                  \
    } while (0)
    long p = 0;
    for (; p + 4 <= kc; p += 4) {
        _mm_prefetch((const char *)(ap + 8 * MR), _MM_HINT_T0);
        KG256_STEP(0);
        KG256_STEP(1);
        KG256_STEP(2);
        KG256_STEP(3);
        ap += 4 * MR;
        bp += 4 * 16;
    }
    for (; p < kc; p++) {
        KG256_STEP(0);
        ap += MR;
        bp += 16;
    }
#undef KG256_STEP

    const __m256 va = _mm256_set1_ps(alpha), vb = _mm256_set1_ps(beta);
    const int bm = beta == 0.0f ? 0 : (beta == 1.0f ? 1 : 2);
    if (mr == MR && nr == 16) {
#pragma clang loop unroll(full)
        for (int r = 0; r < MR; r++)
#pragma clang loop unroll(full)
            for (int v = 0; v < NV; v++) {
                float *cp = c + r * ldc + 8 * v;
                __m256 x = _mm256_mul_ps(acc[r][v], va);
                if (bm == 1) x = _mm256_add_ps(x, _mm256_loadu_ps(cp));
                else if (bm == 2) x = _mm256_fmadd_ps(_mm256_loadu_ps(cp), vb, x);
                _mm256_storeu_ps(cp, x);
            }
    } else {
        float tile[MR * 16] __attribute__((aligned(32)));
#pragma clang loop unroll(full)
        for (int r = 0; r < MR; r++)
#pragma clang loop unroll(full)
            for (int v = 0; v < NV; v++)
                _mm256_store_ps(tile + r * 16 + 8 * v, _mm256_mul_ps(acc[r][v], va));
        for (int r = 0; r < mr; r++) {
            float *cr = c + r * ldc;
            for (int j = 0; j < nr; j++) {
                float x = tile[r * 16 + j];
                cr[j] = bm == 0 ? x : (bm == 1 ? x + cr[j] : x + beta * cr[j]);
            }
        }
    }
}

KG_AVX2 static void kg_pack_a_avx2(int trans, long mc, long kc, const float *a, long lda,
                                   float *ap) {
    kg_pack_a_body(trans, mc, kc, a, lda, ap, KG_AVX2_MR);
}

KG_AVX2 static void kg_pack_b_avx2(int trans, long kc, long nc, const float *b, long ldb,
                                   float *bp) {
    kg_pack_b_body(trans, kc, nc, b, ldb, bp, KG_AVX2_NR);
}

KG_AVX2 KG_INLINE __m256i kg256_mask(long n) {
    static const int32_t ramp[8] = {0, 1, 2, 3, 4, 5, 6, 7};
    const __m256i lim = _mm256_set1_epi32((int32_t)(n < 0 ? 0 : (n > 8 ? 8 : n)));
    return _mm256_cmpgt_epi32(lim, _mm256_loadu_si256((const __m256i *)ramp));
}

// Direct path (see the AVX-512 version): full blocks of 6 x 16; the rows left over take blocks
// of 4 x 16, 2 x 32 and 1 x 64. Blocks that reach past the last column load and store with masks.
KG_AVX2 KG_INLINE void kg256_direct_block(const int R, const int NV, long k, const float *a,
                                          long ia, long pa, const float *b, long ldb, long w,
                                          float alpha, float beta, float *c, long ldc) {
    __m256 acc[6][8];
    __m256i mk[8];
    const int masked = w < 8 * NV;
#pragma clang loop unroll(full)
    for (int v = 0; v < NV; v++) mk[v] = kg256_mask(w - 8 * v);
#pragma clang loop unroll(full)
    for (int r = 0; r < R; r++)
#pragma clang loop unroll(full)
        for (int v = 0; v < NV; v++) acc[r][v] = _mm256_setzero_ps();
    for (long p = 0; p < k; p++) {
        const float *bp = b + p * ldb;
        __m256 bv[8];
#pragma clang loop unroll(full)
        for (int v = 0; v < NV; v++)
            bv[v] = masked ? _mm256_maskload_ps(bp + 8 * v, mk[v]) : _mm256_loadu_ps(bp + 8 * v);
        const float *ap = a + p * pa;
#pragma clang loop unroll(full)
        for (int r = 0; r < R; r++) {
            const __m256 av = _mm256_broadcast_ss(ap + r * ia);
#pragma clang loop unroll(full)
            for (int v = 0; v < NV; v++) acc[r][v] = _mm256_fmadd_ps(av, bv[v], acc[r][v]);
        }
    }
    const __m256 va = _mm256_set1_ps(alpha), vb = _mm256_set1_ps(beta);
    const int bm = beta == 0.0f ? 0 : (beta == 1.0f ? 1 : 2);
#pragma clang loop unroll(full)
    for (int r = 0; r < R; r++) {
#pragma clang loop unroll(full)
        for (int v = 0; v < NV; v++) {
            float *cp = c + r * ldc + 8 * v;
            __m256 x = _mm256_mul_ps(acc[r][v], va);
            if (bm == 1) x = _mm256_add_ps(x, _mm256_maskload_ps(cp, mk[v]));
            else if (bm == 2) x = _mm256_fmadd_ps(_mm256_maskload_ps(cp, mk[v]), vb, x);
            _mm256_maskstore_ps(cp, mk[v], x);
        }
    }
}

#define KG256_DIRECT_BLOCK(R, V)                                                                \
    kg256_direct_block(R, V, k, a + i * ia, ia, pa, b + j, ldb, n - j, alpha, beta,            \
                       c + i * ldc + j, ldc)

KG_AVX2 static void kg_direct_avx2(int transA, int transB, long m, long n, long k, float alpha,
                                   const float *a, long lda, const float *b, long ldb,
                                   float beta, float *c, long ldc) {
    float bt[KG_DIRECT_BT] __attribute__((aligned(32)));
    if (!kg_direct_rows_of_b(transA, transB, m, n, k, alpha, a, lda, &b, &ldb, beta, c, ldc, bt))
        return;
    const long ia = transA ? 1 : lda, pa = transA ? lda : 1;
    KG_DIRECT_ALL_ROWS(KG256_DIRECT_BLOCK, 8, 6);
}

const kg_kernel kg_kernel_avx2 = {
    .id = 1,
    .name = "AVX2+FMA 6x16",
    .mr = KG_AVX2_MR,
    .nr = KG_AVX2_NR,
    .kc = 256,
    .mc = 120,
    .nc = 2048,
    .direct_rows = 6,
    .direct_medium = 0, // measured (Zen 4, AVX2 forced): packed is 15-25% faster
    .ukr = kg_ukr_avx2,
    .pack_a = kg_pack_a_avx2,
    .pack_b = kg_pack_b_avx2,
    .direct = kg_direct_avx2,
};

#endif
