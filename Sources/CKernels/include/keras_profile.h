#ifndef KERAS_PROFILE_H
#define KERAS_PROFILE_H
// Where a thread's wall time goes, by category (`keras-bench profile`).
//
// One thread records at a time: the one that called keras_profile_start. Time is charged to the
// innermost category entered, so the categories never overlap; time outside any is OTHER
// (autodiff bookkeeping, small operations, the training loop). On every other thread, and when
// not recording, keras_profile_enter costs one thread-local load and a branch.
enum {
    KERAS_PROFILE_OTHER = 0,
    KERAS_PROFILE_GEMM,            // matrix products (their own chunks of work)
    KERAS_PROFILE_OPTIMIZER,       // the optimizer's update of the weights
    KERAS_PROFILE_ELEMENTWISE,     // passes over tensors: bias, activations, dropout, masks, sums
    KERAS_PROFILE_COPY,            // gathering batches, slicing, concatenating
    KERAS_PROFILE_ALLOCATION,      // allocating and freeing tensor storage
    KERAS_PROFILE_SYNCHRONISATION, // waking the worker threads and waiting for them to finish
    KERAS_PROFILE_COUNT
};

/// Starts recording on the calling thread, from zero.
void keras_profile_start(void);
/// Stops recording.
void keras_profile_stop(void);
/// Charges the time so far to the current category and makes `category` current. Returns the
/// previous category for keras_profile_leave, or -1 when this thread is not recording.
int keras_profile_enter(int category);
/// Charges the time so far to the current category and goes back to `previous`.
void keras_profile_leave(int previous);
/// Nanoseconds charged to `category` since keras_profile_start.
double keras_profile_total_ns(int category);
#endif
