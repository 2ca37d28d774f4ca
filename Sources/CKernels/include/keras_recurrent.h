#ifndef KERAS_RECURRENT_H
#define KERAS_RECURRENT_H
// The elementwise part of one recurrent step (LSTM, GRU, SimpleRNN) and of its gradient: the
// gates' activations and the state update in one vectorised pass over the batch, for the CPU's
// instruction set (AVX-512, AVX2 or the baseline, chosen at run time). The matrix products of
// the step are the caller's (one GEMM per step); nothing here allocates.
//
// Every matrix is row-major with one row per sample and a row stride in floats, so that a
// step reads and writes its slice of a [batch, time, features] buffer in place.
// A row whose mask is 0 keeps its state (masked time step, as Keras): its new state is the
// previous one and no gradient reaches its gates.

#ifdef __cplusplus
extern "C" {
#endif

/// Activations the fused steps know; the derivative is computed from the activation's output.
enum {
    KERAS_ACTIVATION_LINEAR = 0,
    KERAS_ACTIVATION_TANH = 1,
    KERAS_ACTIVATION_SIGMOID = 2,
    KERAS_ACTIVATION_HARD_SIGMOID = 3,
    KERAS_ACTIVATION_RELU = 4,
};

/// One step forward.
typedef struct {
    long batch, units;
    int activation, recurrent_activation;
    /// The step's gates: pre-activations in, activations out
    /// (LSTM: i f c o; GRU: z r h; SimpleRNN: the pre-activation, left as is).
    float *gates;
    long gates_stride;
    /// GRU with reset_after: h_prev · recurrent_kernel + recurrent_bias (z r h); NULL otherwise.
    const float *inner;
    long inner_stride;
    /// The state before the step (c_prev: LSTM only).
    const float *h_prev, *c_prev;
    long h_prev_stride, c_prev_stride;
    /// The state after the step (c: LSTM only) and what the backward pass needs
    /// (LSTM: activation(c); GRU reset_after: the inner candidate part; GRU otherwise: r * h_prev).
    float *h, *c, *saved;
    long state_stride;
    /// 1 keeps the step, 0 masks it (the state carries over); NULL: no mask.
    const float *mask;
    long mask_stride;
} keras_recurrent_forward;

/// One step backward (the steps run from the last to the first).
typedef struct {
    long batch, units;
    int activation, recurrent_activation;
    /// What the forward step left: activated gates, previous state, `saved`.
    const float *gates;
    long gates_stride;
    const float *h_prev, *c_prev, *saved;
    long h_prev_stride, c_prev_stride, saved_stride;
    /// The gradient of the step's state arriving from the later steps ([batch, units], contiguous).
    const float *dh_next;
    /// The gradient of the step's output from the loss (row stride dh_out_stride); NULL: none.
    const float *dh_out;
    long dh_out_stride;
    /// LSTM: the carry's gradient, from the later steps in, to the earlier step out ([batch, units]).
    float *dc;
    /// The gradient of the gates' pre-activations (the input projection's part).
    float *dgates;
    long dgates_stride;
    /// GRU with reset_after: the gradient of the recurrent part (z r h); NULL otherwise.
    float *dinner;
    long dinner_stride;
    /// Out: the part of the previous state's gradient that does not pass the recurrent kernel
    /// ([batch, units]); the caller adds dgates (or dinner) · recurrent_kernelᵀ.
    float *dh_prev;
    const float *mask;
    long mask_stride;
} keras_recurrent_backward;

void keras_lstm_forward(const keras_recurrent_forward *step);
void keras_lstm_backward(const keras_recurrent_backward *step);

/// GRU: with `inner` (reset_after) the whole step. Without it (reset_after = false), the second
/// half of the step: the z and r gates are activated already (`keras_gru_forward_gates`) and
/// the h gate's pre-activation holds x·W_h + b_h + (r * h_prev)·U_h.
void keras_gru_forward(const keras_recurrent_forward *step);
/// GRU with reset_after = false, first half: activates z and r in place and writes
/// `saved` = r * h_prev, the input of the candidate's recurrent product.
void keras_gru_forward_gates(const keras_recurrent_forward *step);
/// GRU: with `dinner` (reset_after) the whole step. Without it, the first half: the gradients
/// of the z gate and of the candidate's pre-activation, and dh_prev = dh * z; the caller then
/// forms d(r * h_prev) = d_candidate · U_hᵀ and calls `keras_gru_backward_reset_gate`.
void keras_gru_backward(const keras_recurrent_backward *step);
/// GRU with reset_after = false, second half: from `d_reset_input` = d(r * h_prev) ([batch, units]),
/// the r gate's gradient into dgates and dh_prev += d_reset_input * r.
void keras_gru_backward_reset_gate(const keras_recurrent_backward *step, const float *d_reset_input);

/// SimpleRNN: h = activation(gates); `gates` holds x·W + b + h_prev·U.
void keras_simple_rnn_forward(const keras_recurrent_forward *step);
/// SimpleRNN: dgates = dh * activation'(h), with h read from `saved` (the step's output).
void keras_simple_rnn_backward(const keras_recurrent_backward *step);

/// Elementwise activation in place (the fused steps' own functions), for tests.
void keras_activate(float *values, long count, int activation);

#ifdef __cplusplus
}
#endif
#endif
