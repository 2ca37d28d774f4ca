// The elementwise part of the fused recurrent steps (see include/keras_recurrent.h).
//
// Every function works row by row (one sample) in passes over `units` contiguous floats that
// the compiler vectorises: the activations are inlined (a polynomial exp, no libm calls), the
// choice of activation is made once per pass, outside the loop. One generic body is inlined
// into a function per instruction set, chosen by the GEMM's kernel choice; large batches are
// split over the worker pool.
#include "include/keras_recurrent.h"
#include "include/keras_gemm.h"

#include <stdint.h>
#include <string.h>

#define KR_INLINE static inline __attribute__((always_inline))

// MARK: - Activations

/// e^x for x in [-87.3, 88.3] (clamped outside): Cephes' expf, about 1 ulp.
KR_INLINE float kr_exp(float x) {
    x = x < -87.3f ? -87.3f : x;
    x = x > 88.3f ? 88.3f : x;
    // Round to the nearest integer with the 1.5 · 2^23 trick (no rounding instruction needed).
    const float n = (x * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
    float r = x - n * 0.693359375f;
    r = r - n * -2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    const int32_t bits = ((int32_t)n + 127) << 23;
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

KR_INLINE float kr_sigmoid(float x) {
    const float e = kr_exp(x < 0 ? x : -x); // e^-|x|: never overflows
    const float s = 1.0f / (1.0f + e);
    return x >= 0 ? s : e * s;
}

KR_INLINE float kr_tanh(float x) {
    const float a = x < 0 ? -x : x;
    const float e = kr_exp(-2.0f * a);
    float t = (1.0f - e) / (1.0f + e);
    // Near 0, 1 - e cancels: the series is exact to float precision there.
    const float a2 = a * a;
    const float series = a * (1.0f + a2 * (-1.0f / 3.0f + a2 * (2.0f / 15.0f)));
    t = a < 0.0625f ? series : t;
    return x < 0 ? -t : t;
}

/// Applies `activation` to `n` floats in place.
KR_INLINE void kr_activate(float *restrict x, long n, int activation) {
    switch (activation) {
    case KERAS_ACTIVATION_TANH:
        for (long j = 0; j < n; j++) x[j] = kr_tanh(x[j]);
        break;
    case KERAS_ACTIVATION_SIGMOID:
        for (long j = 0; j < n; j++) x[j] = kr_sigmoid(x[j]);
        break;
    case KERAS_ACTIVATION_HARD_SIGMOID: // Keras 3: relu6(x + 3) / 6
        for (long j = 0; j < n; j++) {
            float y = x[j] + 3.0f;
            y = y < 0 ? 0 : y;
            y = y > 6.0f ? 6.0f : y;
            x[j] = y / 6.0f;
        }
        break;
    case KERAS_ACTIVATION_RELU:
        for (long j = 0; j < n; j++) x[j] = x[j] > 0 ? x[j] : 0;
        break;
    default:
        break;
    }
}

/// d[j] *= activation'(x) where y[j] = activation(x): the derivative from the output.
KR_INLINE void kr_times_derivative(float *restrict d, const float *restrict y, long n, int activation) {
    switch (activation) {
    case KERAS_ACTIVATION_TANH:
        for (long j = 0; j < n; j++) d[j] *= 1.0f - y[j] * y[j];
        break;
    case KERAS_ACTIVATION_SIGMOID:
        for (long j = 0; j < n; j++) d[j] *= y[j] * (1.0f - y[j]);
        break;
    case KERAS_ACTIVATION_HARD_SIGMOID:
        for (long j = 0; j < n; j++) d[j] = y[j] > 0 && y[j] < 1 ? d[j] / 6.0f : 0;
        break;
    case KERAS_ACTIVATION_RELU:
        for (long j = 0; j < n; j++) d[j] = y[j] > 0 ? d[j] : 0;
        break;
    default:
        break;
    }
}

KR_INLINE int kr_keeps(const float *mask, long stride, long row) { return mask == NULL || mask[row * stride] != 0; }

/// d[j] = a[j] + b[j] (b may be NULL).
KR_INLINE void kr_sum(float *restrict d, const float *restrict a, const float *restrict b, long n) {
    if (b) for (long j = 0; j < n; j++) d[j] = a[j] + b[j];
    else memcpy(d, a, (size_t)n * sizeof(float));
}

// MARK: - LSTM (gates i f c o)

KR_INLINE void kr_lstm_forward_rows(const keras_recurrent_forward *s, long begin, long end) {
    const long u = s->units;
    for (long b = begin; b < end; b++) {
        float *restrict g = s->gates + b * s->gates_stride;
        const float *restrict hp = s->h_prev + b * s->h_prev_stride;
        const float *restrict cp = s->c_prev + b * s->c_prev_stride;
        float *restrict h = s->h + b * s->state_stride, *restrict c = s->c + b * s->state_stride;
        float *restrict act_c = s->saved + b * s->state_stride;
        if (!kr_keeps(s->mask, s->mask_stride, b)) {
            memcpy(h, hp, (size_t)u * sizeof(float));
            memcpy(c, cp, (size_t)u * sizeof(float));
            memset(act_c, 0, (size_t)u * sizeof(float));
            continue;
        }
        kr_activate(g, 2 * u, s->recurrent_activation);
        kr_activate(g + 2 * u, u, s->activation);
        kr_activate(g + 3 * u, u, s->recurrent_activation);
        for (long j = 0; j < u; j++) c[j] = g[u + j] * cp[j] + g[j] * g[2 * u + j];
        memcpy(act_c, c, (size_t)u * sizeof(float));
        kr_activate(act_c, u, s->activation);
        for (long j = 0; j < u; j++) h[j] = g[3 * u + j] * act_c[j];
    }
}

KR_INLINE void kr_lstm_backward_rows(const keras_recurrent_backward *s, long begin, long end) {
    const long u = s->units;
    for (long b = begin; b < end; b++) {
        const float *restrict g = s->gates + b * s->gates_stride;
        const float *restrict cp = s->c_prev + b * s->c_prev_stride;
        const float *restrict act_c = s->saved + b * s->saved_stride;
        const float *restrict dh_out = s->dh_out ? s->dh_out + b * s->dh_out_stride : NULL;
        float *restrict dc = s->dc + b * u, *restrict dg = s->dgates + b * s->dgates_stride;
        float *restrict dh = s->dh_prev + b * u;
        // dh (this step's whole state gradient) lives in dh_prev until the end of the row.
        kr_sum(dh, s->dh_next + b * u, dh_out, u);
        if (!kr_keeps(s->mask, s->mask_stride, b)) {
            memset(dg, 0, (size_t)(4 * u) * sizeof(float)); // dc and dh pass to the earlier step
            continue;
        }
        for (long j = 0; j < u; j++) dg[2 * u + j] = dh[j] * g[3 * u + j];
        kr_times_derivative(dg + 2 * u, act_c, u, s->activation); // dh · o · act'(c)
        for (long j = 0; j < u; j++) {
            const float dcj = dc[j] + dg[2 * u + j];
            dg[3 * u + j] = dh[j] * act_c[j];
            dg[j] = dcj * g[2 * u + j];
            dg[u + j] = dcj * cp[j];
            dg[2 * u + j] = dcj * g[j];
            dc[j] = dcj * g[u + j];
            dh[j] = 0;
        }
        kr_times_derivative(dg, g, 2 * u, s->recurrent_activation);
        kr_times_derivative(dg + 2 * u, g + 2 * u, u, s->activation);
        kr_times_derivative(dg + 3 * u, g + 3 * u, u, s->recurrent_activation);
    }
}

// MARK: - GRU (gates z r h)

KR_INLINE void kr_gru_forward_gates_rows(const keras_recurrent_forward *s, long begin, long end) {
    const long u = s->units;
    for (long b = begin; b < end; b++) {
        float *restrict g = s->gates + b * s->gates_stride;
        const float *restrict hp = s->h_prev + b * s->h_prev_stride;
        float *restrict rh = s->saved + b * s->state_stride;
        kr_activate(g, 2 * u, s->recurrent_activation);
        for (long j = 0; j < u; j++) rh[j] = g[u + j] * hp[j];
    }
}

KR_INLINE void kr_gru_forward_rows(const keras_recurrent_forward *s, long begin, long end) {
    const long u = s->units;
    for (long b = begin; b < end; b++) {
        float *restrict g = s->gates + b * s->gates_stride;
        const float *restrict hp = s->h_prev + b * s->h_prev_stride;
        float *restrict h = s->h + b * s->state_stride;
        if (s->inner) {
            const float *restrict in = s->inner + b * s->inner_stride;
            float *restrict inner_h = s->saved + b * s->state_stride;
            for (long j = 0; j < 2 * u; j++) g[j] += in[j];
            kr_activate(g, 2 * u, s->recurrent_activation);
            for (long j = 0; j < u; j++) {
                inner_h[j] = in[2 * u + j];
                g[2 * u + j] += g[u + j] * in[2 * u + j];
            }
        }
        if (!kr_keeps(s->mask, s->mask_stride, b)) {
            memcpy(h, hp, (size_t)u * sizeof(float));
            continue;
        }
        kr_activate(g + 2 * u, u, s->activation);
        for (long j = 0; j < u; j++) h[j] = g[j] * hp[j] + (1.0f - g[j]) * g[2 * u + j];
    }
}

KR_INLINE void kr_gru_backward_rows(const keras_recurrent_backward *s, long begin, long end) {
    const long u = s->units;
    for (long b = begin; b < end; b++) {
        const float *restrict g = s->gates + b * s->gates_stride;
        const float *restrict hp = s->h_prev + b * s->h_prev_stride;
        const float *restrict dh_out = s->dh_out ? s->dh_out + b * s->dh_out_stride : NULL;
        float *restrict dg = s->dgates + b * s->dgates_stride;
        float *restrict dh = s->dh_prev + b * u;
        float *restrict di = s->dinner ? s->dinner + b * s->dinner_stride : NULL;
        kr_sum(dh, s->dh_next + b * u, dh_out, u);
        if (!kr_keeps(s->mask, s->mask_stride, b)) {
            memset(dg, 0, (size_t)(3 * u) * sizeof(float));
            if (di) memset(di, 0, (size_t)(3 * u) * sizeof(float));
            continue;
        }
        for (long j = 0; j < u; j++) {
            const float z = g[j];
            dg[j] = dh[j] * (hp[j] - g[2 * u + j]);
            dg[2 * u + j] = dh[j] * (1.0f - z);
            dh[j] = dh[j] * z;
        }
        kr_times_derivative(dg, g, u, s->recurrent_activation);
        kr_times_derivative(dg + 2 * u, g + 2 * u, u, s->activation);
        if (!di) continue; // reset_after = false: the r gate needs d(r * h_prev) first
        const float *restrict inner_h = s->saved + b * s->saved_stride;
        for (long j = 0; j < u; j++) dg[u + j] = dg[2 * u + j] * inner_h[j];
        kr_times_derivative(dg + u, g + u, u, s->recurrent_activation);
        memcpy(di, dg, (size_t)(2 * u) * sizeof(float));
        for (long j = 0; j < u; j++) di[2 * u + j] = dg[2 * u + j] * g[u + j];
    }
}

KR_INLINE void kr_gru_backward_reset_rows(const keras_recurrent_backward *s, const float *d_reset_input,
                                          long begin, long end) {
    const long u = s->units;
    for (long b = begin; b < end; b++) {
        const float *restrict g = s->gates + b * s->gates_stride;
        const float *restrict hp = s->h_prev + b * s->h_prev_stride;
        const float *restrict drh = d_reset_input + b * u;
        float *restrict dg = s->dgates + b * s->dgates_stride;
        float *restrict dh = s->dh_prev + b * u;
        if (!kr_keeps(s->mask, s->mask_stride, b)) continue; // dgates are zero already
        for (long j = 0; j < u; j++) {
            dg[u + j] = drh[j] * hp[j];
            dh[j] += drh[j] * g[u + j];
        }
        kr_times_derivative(dg + u, g + u, u, s->recurrent_activation);
    }
}

// MARK: - SimpleRNN

KR_INLINE void kr_simple_rnn_forward_rows(const keras_recurrent_forward *s, long begin, long end) {
    const long u = s->units;
    for (long b = begin; b < end; b++) {
        float *restrict g = s->gates + b * s->gates_stride;
        float *restrict h = s->h + b * s->state_stride;
        if (!kr_keeps(s->mask, s->mask_stride, b)) {
            memcpy(h, s->h_prev + b * s->h_prev_stride, (size_t)u * sizeof(float));
            continue;
        }
        kr_activate(g, u, s->activation);
        memcpy(h, g, (size_t)u * sizeof(float));
    }
}

KR_INLINE void kr_simple_rnn_backward_rows(const keras_recurrent_backward *s, long begin, long end) {
    const long u = s->units;
    for (long b = begin; b < end; b++) {
        const float *restrict dh_out = s->dh_out ? s->dh_out + b * s->dh_out_stride : NULL;
        float *restrict dg = s->dgates + b * s->dgates_stride;
        float *restrict dh = s->dh_prev + b * u;
        kr_sum(dh, s->dh_next + b * u, dh_out, u);
        if (!kr_keeps(s->mask, s->mask_stride, b)) {
            memset(dg, 0, (size_t)u * sizeof(float));
            continue;
        }
        for (long j = 0; j < u; j++) {
            dg[j] = dh[j];
            dh[j] = 0;
        }
        kr_times_derivative(dg, s->saved + b * s->saved_stride, u, s->activation);
    }
}

// MARK: - One function per instruction set, and the dispatch

typedef struct {
    void (*lstm_forward)(const keras_recurrent_forward *, long, long);
    void (*lstm_backward)(const keras_recurrent_backward *, long, long);
    void (*gru_forward_gates)(const keras_recurrent_forward *, long, long);
    void (*gru_forward)(const keras_recurrent_forward *, long, long);
    void (*gru_backward)(const keras_recurrent_backward *, long, long);
    void (*gru_backward_reset)(const keras_recurrent_backward *, const float *, long, long);
    void (*simple_forward)(const keras_recurrent_forward *, long, long);
    void (*simple_backward)(const keras_recurrent_backward *, long, long);
    void (*activate)(float *, long, int);
} kr_table;

#define KR_VARIANT(SUFFIX, TARGET)                                                                        \
    TARGET static void kr_lstm_f_##SUFFIX(const keras_recurrent_forward *s, long b, long e) {            \
        kr_lstm_forward_rows(s, b, e);                                                                     \
    }                                                                                                      \
    TARGET static void kr_lstm_b_##SUFFIX(const keras_recurrent_backward *s, long b, long e) {           \
        kr_lstm_backward_rows(s, b, e);                                                                    \
    }                                                                                                      \
    TARGET static void kr_gru_fg_##SUFFIX(const keras_recurrent_forward *s, long b, long e) {            \
        kr_gru_forward_gates_rows(s, b, e);                                                                \
    }                                                                                                      \
    TARGET static void kr_gru_f_##SUFFIX(const keras_recurrent_forward *s, long b, long e) {             \
        kr_gru_forward_rows(s, b, e);                                                                      \
    }                                                                                                      \
    TARGET static void kr_gru_b_##SUFFIX(const keras_recurrent_backward *s, long b, long e) {            \
        kr_gru_backward_rows(s, b, e);                                                                     \
    }                                                                                                      \
    TARGET static void kr_gru_br_##SUFFIX(const keras_recurrent_backward *s, const float *d, long b,     \
                                          long e) {                                                        \
        kr_gru_backward_reset_rows(s, d, b, e);                                                            \
    }                                                                                                      \
    TARGET static void kr_simple_f_##SUFFIX(const keras_recurrent_forward *s, long b, long e) {          \
        kr_simple_rnn_forward_rows(s, b, e);                                                               \
    }                                                                                                      \
    TARGET static void kr_simple_b_##SUFFIX(const keras_recurrent_backward *s, long b, long e) {         \
        kr_simple_rnn_backward_rows(s, b, e);                                                              \
    }                                                                                                      \
    TARGET static void kr_activate_##SUFFIX(float *x, long n, int a) { kr_activate(x, n, a); }           \
    static const kr_table kr_table_##SUFFIX = {                                                          \
        kr_lstm_f_##SUFFIX, kr_lstm_b_##SUFFIX, kr_gru_fg_##SUFFIX, kr_gru_f_##SUFFIX,                    \
        kr_gru_b_##SUFFIX,  kr_gru_br_##SUFFIX, kr_simple_f_##SUFFIX, kr_simple_b_##SUFFIX,               \
        kr_activate_##SUFFIX,                                                                              \
    };

KR_VARIANT(baseline, )
#if defined(__x86_64__)
KR_VARIANT(avx2, __attribute__((target("avx2,fma"))))
KR_VARIANT(avx512, __attribute__((target("avx512f,avx512vl,avx512dq,avx2,fma"))))
#endif

static const kr_table *kr_table_for_cpu(void) {
    switch (keras_gemm_kernel()) {
#if defined(__x86_64__)
    case KERAS_GEMM_KERNEL_AVX512: return &kr_table_avx512;
    case KERAS_GEMM_KERNEL_AVX2: return &kr_table_avx2;
#endif
    default: return &kr_table_baseline;
    }
}

/// Below this many gate values a step runs on the calling thread; above, the rows are split.
#define KR_PARALLEL_MIN 65536L

typedef struct {
    void (*forward)(const keras_recurrent_forward *, long, long);
    void (*backward)(const keras_recurrent_backward *, long, long);
    const keras_recurrent_forward *f;
    const keras_recurrent_backward *bw;
    long rows, chunk;
} kr_job;

static void kr_part(void *ctx, int part) {
    const kr_job *J = ctx;
    const long begin = part * J->chunk, end = begin + J->chunk < J->rows ? begin + J->chunk : J->rows;
    if (begin >= end) return;
    if (J->forward) J->forward(J->f, begin, end);
    else J->backward(J->bw, begin, end);
}

/// Runs a step's rows, split over the worker pool when the step is large.
static void kr_run(kr_job J, long gates) {
    const long parts = J.rows * J.f->units * gates / KR_PARALLEL_MIN;
    if (parts < 2 || keras_gemm_threads() < 2) {
        kr_part(&J, 0);
        return;
    }
    const long threads = keras_gemm_threads();
    J.chunk = (J.rows + (parts < threads ? parts : threads) - 1) / (parts < threads ? parts : threads);
    keras_parallel_for((int)((J.rows + J.chunk - 1) / J.chunk), kr_part, &J);
}

static void kr_forward(void (*fn)(const keras_recurrent_forward *, long, long), const keras_recurrent_forward *s,
                       long gates) {
    kr_run((kr_job){.forward = fn, .f = s, .rows = s->batch, .chunk = s->batch}, gates);
}

static void kr_backward(void (*fn)(const keras_recurrent_backward *, long, long), const keras_recurrent_backward *s,
                        long gates) {
    // kr_run reads the units from a forward description: give it one with the same shape.
    const keras_recurrent_forward shape = {.batch = s->batch, .units = s->units};
    kr_run((kr_job){.backward = fn, .f = &shape, .bw = s, .rows = s->batch, .chunk = s->batch}, gates);
}

void keras_lstm_forward(const keras_recurrent_forward *s) { kr_forward(kr_table_for_cpu()->lstm_forward, s, 4); }
void keras_lstm_backward(const keras_recurrent_backward *s) { kr_backward(kr_table_for_cpu()->lstm_backward, s, 4); }
void keras_gru_forward(const keras_recurrent_forward *s) { kr_forward(kr_table_for_cpu()->gru_forward, s, 3); }
void keras_gru_forward_gates(const keras_recurrent_forward *s) {
    kr_forward(kr_table_for_cpu()->gru_forward_gates, s, 2);
}
void keras_gru_backward(const keras_recurrent_backward *s) { kr_backward(kr_table_for_cpu()->gru_backward, s, 3); }
void keras_gru_backward_reset_gate(const keras_recurrent_backward *s, const float *d_reset_input) {
    // Light work (two products per value): always on the calling thread.
    kr_table_for_cpu()->gru_backward_reset(s, d_reset_input, 0, s->batch);
}
void keras_simple_rnn_forward(const keras_recurrent_forward *s) { kr_forward(kr_table_for_cpu()->simple_forward, s, 1); }
void keras_simple_rnn_backward(const keras_recurrent_backward *s) {
    kr_backward(kr_table_for_cpu()->simple_backward, s, 1);
}
void keras_activate(float *values, long count, int activation) { kr_table_for_cpu()->activate(values, count, activation); }
