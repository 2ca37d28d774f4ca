// The step profiler (see include/keras_profile.h).
#include "include/keras_profile.h"
#include "include/keras_gemm.h"

static _Thread_local int kp_recording = 0;
static _Thread_local int kp_current = KERAS_PROFILE_OTHER;
static _Thread_local double kp_last = 0;
static double kp_totals[KERAS_PROFILE_COUNT];

void keras_profile_start(void) {
    for (int i = 0; i < KERAS_PROFILE_COUNT; i++) kp_totals[i] = 0;
    kp_current = KERAS_PROFILE_OTHER;
    kp_last = keras_now_ns();
    kp_recording = 1;
}

void keras_profile_stop(void) {
    if (!kp_recording) return;
    kp_totals[kp_current] += keras_now_ns() - kp_last;
    kp_recording = 0;
}

int keras_profile_enter(int category) {
    if (__builtin_expect(!kp_recording, 1)) return -1;
    const double now = keras_now_ns();
    kp_totals[kp_current] += now - kp_last;
    kp_last = now;
    const int previous = kp_current;
    kp_current = category;
    return previous;
}

void keras_profile_leave(int previous) {
    if (previous < 0 || !kp_recording) return;
    const double now = keras_now_ns();
    kp_totals[kp_current] += now - kp_last;
    kp_last = now;
    kp_current = previous;
}

double keras_profile_total_ns(int category) {
    return category >= 0 && category < KERAS_PROFILE_COUNT ? kp_totals[category] : 0;
}
