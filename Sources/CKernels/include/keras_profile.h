#ifndef KERAS_PROFILE_H
#define KERAS_PROFILE_H
// Where a thread's wall time goes, by category (`keras-bench profile`).
//
// One thread records at a time: the one that called keras_profile_start. Time is charged to the
// innermost category entered, so the categories never overlap; time outside any is OTHER
// (autodiff bookkeeping, small operations, the training loop). On every other thread, and when
// not recording, keras_profile_enter costs a load of a global and a branch, inlined into the
// caller (the engine marks every operation, and tiny models run many).
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
/// Nonzero while some thread records (between keras_profile_start and keras_profile_stop).
extern int keras_profile_active;
/// keras_profile_enter and keras_profile_leave while some thread records.
int keras_profile_enter_recording(int category);
void keras_profile_leave_recording(int previous);

/// Charges the time so far to the current category and makes `category` current. Returns the
/// previous category for keras_profile_leave, or -1 when this thread is not recording.
static inline int keras_profile_enter(int category) {
    return __builtin_expect(__atomic_load_n(&keras_profile_active, __ATOMIC_RELAXED) != 0, 0) ? keras_profile_enter_recording(category) : -1;
}
/// Charges the time so far to the current category and goes back to `previous`.
static inline void keras_profile_leave(int previous) {
    if (__builtin_expect(previous >= 0, 0)) keras_profile_leave_recording(previous);
}
/// Nanoseconds charged to `category` since keras_profile_start.
double keras_profile_total_ns(int category);
#endif
