// NEON (AArch64 Advanced SIMD) micro-kernel: 8 x 12, 24 accumulators of float32x4.
#if defined(__aarch64__)

#include "keras_gemm_internal.h"
#include <arm_neon.h>

enum { KG_NEON_MR = 8, KG_NEON_NR = 12 };

static void kg_ukr_neon(long kc, const float *restrict ap, const float *restrict bp,
                        float *restrict c, long ldc, float alpha, float beta, int mr, int nr) {
    float32x4_t acc[KG_NEON_MR][3];
    for (int r = 0; r < KG_NEON_MR; r++)
        for (int v = 0; v < 3; v++) acc[r][v] = vdupq_n_f32(0.0f);

    for (long p = 0; p < kc; p++) {
        const float32x4_t b0 = vld1q_f32(bp), b1 = vld1q_f32(bp + 4), b2 = vld1q_f32(bp + 8);
        const float32x4_t a0 = vld1q_f32(ap), a1 = vld1q_f32(ap + 4);
#define KG_NEON_ROW(R, AV, L)                                                                   \
    acc[R][0] = vfmaq_laneq_f32(acc[R][0], b0, AV, L);                                          \
    acc[R][1] = vfmaq_laneq_f32(acc[R][1], b1, AV, L);                                          \
    acc[R][2] = vfmaq_laneq_f32(acc[R][2], b2, AV, L);
        KG_NEON_ROW(0, a0, 0)
        KG_NEON_ROW(1, a0, 1)
        KG_NEON_ROW(2, a0, 2)
        KG_NEON_ROW(3, a0, 3)
        KG_NEON_ROW(4, a1, 0)
        KG_NEON_ROW(5, a1, 1)
        KG_NEON_ROW(6, a1, 2)
        KG_NEON_ROW(7, a1, 3)
#undef KG_NEON_ROW
        ap += KG_NEON_MR;
        bp += KG_NEON_NR;
    }

    const float32x4_t va = vdupq_n_f32(alpha), vb = vdupq_n_f32(beta);
    const int bm = beta == 0.0f ? 0 : (beta == 1.0f ? 1 : 2);
    if (mr == KG_NEON_MR && nr == KG_NEON_NR) {
        for (int r = 0; r < KG_NEON_MR; r++) {
            float *cr = c + r * ldc;
            for (int v = 0; v < 3; v++) {
                float32x4_t x = vmulq_f32(acc[r][v], va);
                if (bm == 1) x = vaddq_f32(x, vld1q_f32(cr + 4 * v));
                else if (bm == 2) x = vfmaq_f32(x, vld1q_f32(cr + 4 * v), vb);
                vst1q_f32(cr + 4 * v, x);
            }
        }
    } else {
        float tile[KG_NEON_MR * KG_NEON_NR];
        for (int r = 0; r < KG_NEON_MR; r++)
            for (int v = 0; v < 3; v++)
                vst1q_f32(tile + r * KG_NEON_NR + 4 * v, vmulq_f32(acc[r][v], va));
        for (int r = 0; r < mr; r++) {
            float *cr = c + r * ldc;
            for (int j = 0; j < nr; j++) {
                const float x = tile[r * KG_NEON_NR + j];
                cr[j] = bm == 0 ? x : (bm == 1 ? x + cr[j] : x + beta * cr[j]);
            }
        }
    }
}

static void kg_pack_a_neon(int trans, long mc, long kc, const float *a, long lda, float *ap) {
    kg_pack_a_body(trans, mc, kc, a, lda, ap, KG_NEON_MR);
}
static void kg_pack_b_neon(int trans, long kc, long nc, const float *b, long ldb, float *bp) {
    kg_pack_b_body(trans, kc, nc, b, ldb, bp, KG_NEON_NR);
}
static void kg_direct_neon(int transA, int transB, long m, long n, long k, float alpha,
                           const float *a, long lda, const float *b, long ldb, float beta,
                           float *c, long ldc) {
    kg_direct_body(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

const kg_kernel kg_kernel_neon = {
    .id = 3,
    .name = "NEON 8x12",
    .mr = KG_NEON_MR,
    .nr = KG_NEON_NR,
    .kc = 256,
    .mc = 128,
    .nc = 3072,
    .direct_rows = 4,
    .direct_medium = 0, // generic direct body: not measured against the packed kernel
    .ukr = kg_ukr_neon,
    .pack_a = kg_pack_a_neon,
    .pack_b = kg_pack_b_neon,
    .direct = kg_direct_neon,
};

#endif
