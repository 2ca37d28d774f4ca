// Fused optimizer updates (see include/keras_optimizers.h).
//
// One generic body, inlined into a function per instruction set; the GEMM's kernel choice
// (keras_gemm_kernel) picks the one this CPU runs.
#include "include/keras_optimizers.h"
#include "include/keras_gemm.h"

#include <math.h>

// The Swift loops these replace do not fuse multiplies and adds; neither may the compiler here.
#pragma STDC FP_CONTRACT OFF

#define KO_INLINE static inline __attribute__((always_inline))

/// IEEE square root as the Swift optimizers write it: the max with 0 lets the compiler use the
/// vector instruction (no errno path), the select keeps sqrt(negative) = NaN.
KO_INLINE float ko_sqrt(float x) {
    float root = sqrtf(0 >= x ? 0 : x);
    return x < 0 ? NAN : root;
}

KO_INLINE void ko_adam_body(long begin, long end, float *restrict w, float *restrict m,
                            float *restrict v, const float *restrict g, keras_adam_step s) {
    for (long i = begin; i < end; i++) {
        float gi = g[i] * s.gradient_scale;
        gi = s.clip_lower >= gi ? s.clip_lower : gi; // Swift.max(gi, lower)
        gi = s.clip_upper < gi ? s.clip_upper : gi;  // Swift.min(gi, upper)
        const float mi = m[i] + (gi - m[i]) * s.one_minus_beta1;
        const float vi = v[i] + (gi * gi - v[i]) * s.one_minus_beta2;
        m[i] = mi;
        v[i] = vi;
        w[i] = (w[i] - w[i] * s.decay) - (mi * s.alpha) / (ko_sqrt(vi) + s.epsilon);
    }
}

KO_INLINE void ko_amsgrad_body(long begin, long end, float *restrict w, float *restrict m,
                               float *restrict v, float *restrict v_hat, const float *restrict g,
                               keras_adam_step s) {
    for (long i = begin; i < end; i++) {
        float gi = g[i] * s.gradient_scale;
        gi = s.clip_lower >= gi ? s.clip_lower : gi;
        gi = s.clip_upper < gi ? s.clip_upper : gi;
        const float mi = m[i] + (gi - m[i]) * s.one_minus_beta1;
        const float vi = v[i] + (gi * gi - v[i]) * s.one_minus_beta2;
        const float hat = vi >= v_hat[i] ? vi : v_hat[i]; // Swift.max(vHat, vi)
        m[i] = mi;
        v[i] = vi;
        v_hat[i] = hat;
        w[i] = (w[i] - w[i] * s.decay) - (mi * s.alpha) / (ko_sqrt(hat) + s.epsilon);
    }
}

typedef void (*ko_adam_fn)(long begin, long end, float *w, float *m, float *v, float *v_hat,
                           const float *g, keras_adam_step s);

#define KO_ADAM_VARIANT(NAME, TARGET)                                                          \
    TARGET static void NAME(long begin, long end, float *w, float *m, float *v, float *v_hat,  \
                            const float *g, keras_adam_step s) {                               \
        if (v_hat) ko_amsgrad_body(begin, end, w, m, v, v_hat, g, s);                          \
        else ko_adam_body(begin, end, w, m, v, g, s);                                          \
    }

KO_ADAM_VARIANT(ko_adam_baseline, )
#if defined(__x86_64__)
KO_ADAM_VARIANT(ko_adam_avx2, __attribute__((target("avx2,fma"))))
KO_ADAM_VARIANT(ko_adam_avx512, __attribute__((target("avx512f,avx512vl,avx512dq,avx2,fma"))))
#endif

static ko_adam_fn ko_adam_for_cpu(void) {
    switch (keras_gemm_kernel()) {
#if defined(__x86_64__)
    case KERAS_GEMM_KERNEL_AVX512: return ko_adam_avx512;
    case KERAS_GEMM_KERNEL_AVX2: return ko_adam_avx2;
#endif
    default: return ko_adam_baseline;
    }
}

/// Below twice this many scalars an update runs on the calling thread; above, in chunks of about this size.
#define KO_PARALLEL_MIN 16384L

typedef struct {
    ko_adam_fn fn;
    long n, chunk;
    float *w, *m, *v, *v_hat;
    const float *g;
    keras_adam_step step;
} ko_adam_job;

static void ko_adam_part(void *ctx, int part) {
    const ko_adam_job *J = ctx;
    const long begin = part * J->chunk, end = begin + J->chunk < J->n ? begin + J->chunk : J->n;
    if (begin < end) J->fn(begin, end, J->w, J->m, J->v, J->v_hat, J->g, J->step);
}

void keras_adam_update(long n, float *w, float *m, float *v, float *v_hat, const float *g,
                       const keras_adam_step *step) {
    ko_adam_job J = {.fn = ko_adam_for_cpu(), .n = n, .w = w, .m = m, .v = v, .v_hat = v_hat,
                     .g = g, .step = *step};
    // Chunks of about KO_PARALLEL_MIN scalars, claimed by the threads as they come: a thread
    // descheduled on a busy machine holds up little work. Multiples of 16 scalars, so that no
    // two threads share a cache line.
    const long parts = n / KO_PARALLEL_MIN;
    if (parts < 2 || keras_gemm_threads() < 2) {
        J.fn(0, n, w, m, v, v_hat, g, J.step);
        return;
    }
    J.chunk = ((n + parts - 1) / parts + 15) & ~15L;
    keras_parallel_for((int)((n + J.chunk - 1) / J.chunk), ko_adam_part, &J);
}
