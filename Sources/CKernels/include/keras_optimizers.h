#ifndef KERAS_OPTIMIZERS_H
#define KERAS_OPTIMIZERS_H
// Fused optimizer updates: one pass over a variable's scalars, its slots and its gradient,
// vectorised for the CPU (AVX-512, AVX2 or the baseline, chosen at run time) and split over
// the worker pool for large variables.
//
// The arithmetic is the same, operation for operation and without fused multiply-adds, as the
// scalar Swift loops of the optimizers, so results are identical bit for bit.

#ifdef __cplusplus
extern "C" {
#endif

/// One Adam step's constants (see Sources/Keras/Optimizers/Adam.swift).
typedef struct {
    /// learning rate * sqrt(1 - beta2^t) / (1 - beta1^t)
    float alpha;
    float one_minus_beta1, one_minus_beta2, epsilon;
    /// Clipping: g = min(max(g * gradient_scale, clip_lower), clip_upper).
    float gradient_scale, clip_lower, clip_upper;
    /// Decoupled weight decay: w = w - w * decay before the update.
    float decay;
} keras_adam_step;

/// Adam (with AMSGrad when `v_hat` is not NULL) on `n` scalars, in place:
///
///     g = clip(g);  m += (g - m) * (1 - beta1);  v += (g*g - v) * (1 - beta2)
///     v_hat = max(v_hat, v)   (AMSGrad)
///     w = (w - w * decay) - (m * alpha) / (sqrt(v or v_hat) + epsilon)
void keras_adam_update(long n, float *w, float *m, float *v, float *v_hat, const float *g,
                       const keras_adam_step *step);

#ifdef __cplusplus
}
#endif
#endif
