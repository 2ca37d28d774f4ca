// The step profiler (see include/keras_profile.h).
#include "include/keras_profile.h"
#include "include/keras_gemm.h"

static _Thread_local int kp_recording = 0;
static _Thread_local int kp_current = KERAS_PROFILE_OTHER;
static _Thread_local double kp_last = 0;
static double kp_totals[KERAS_PROFILE_COUNT];
int keras_profile_active = 0;

void keras_profile_start(void) {
    for (int i = 0; i < KERAS_PROFILE_COUNT; i++) kp_totals[i] = 0;
    kp_current = KERAS_PROFILE_OTHER;
    kp_last = keras_now_ns();
    kp_recording = 1;
    __atomic_store_n(&keras_profile_active, 1, __ATOMIC_RELAXED);
}

void keras_profile_stop(void) {
    if (!kp_recording) return;
    kp_totals[kp_current] += keras_now_ns() - kp_last;
    kp_recording = 0;
    __atomic_store_n(&keras_profile_active, 0, __ATOMIC_RELAXED);
}

int keras_profile_enter_recording(int category) {
    if (!kp_recording) return -1;
    const double now = keras_now_ns();
    kp_totals[kp_current] += now - kp_last;
    kp_last = now;
    const int previous = kp_current;
    kp_current = category;
    return previous;
}

void keras_profile_leave_recording(int previous) {
    if (!kp_recording) return;
    const double now = keras_now_ns();
    kp_totals[kp_current] += now - kp_last;
    kp_last = now;
    kp_current = previous;
}

double keras_profile_total_ns(int category) {
    return category >= 0 && category < KERAS_PROFILE_COUNT ? kp_totals[category] : 0;
}
