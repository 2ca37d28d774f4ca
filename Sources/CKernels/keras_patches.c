// im2col and its adjoint (see include/keras_patches.h). One loop nest for both directions: for
// each position, the window's taps are visited in runs along the last spatial axis (consecutive
// taps on consecutive pixels when its dilation is 1), and a run moves `length * channels`
// contiguous floats at once (per group: `groupChannels` per tap).
#include "include/keras_patches.h"

#include <stddef.h>

// The copies stay loops (no_builtin): most runs are a few floats (a one-channel image's window
// row is 3), where a call to memcpy would cost more than the copy.
#define KP_LOOPS __attribute__((no_builtin("memcpy", "memset", "memmove")))

/// Moves one run: `count` floats between a patch row and the pixels (NULL pixels: padding).
KP_LOOPS static inline void kp_gather_run(const float *pixels, float *row, long count) {
    if (pixels) {
        for (long i = 0; i < count; i++) row[i] = pixels[i];
    } else {
        for (long i = 0; i < count; i++) row[i] = 0.0f;
    }
}

KP_LOOPS static inline void kp_scatter_run(const float *row, float *pixels, long count) {
    for (long i = 0; i < count; i++) pixels[i] += row[i];
}

KP_LOOPS static void kp_walk(const keras_window *w, int scatter, const float *source, long channels, long groups,
                    long first, long count, float *target, long row_stride) {
    const long g0 = w->grid[0], g1 = w->grid[1], g2 = w->grid[2];
    const long i0 = w->image[0], i1 = w->image[1], i2 = w->image[2];
    const long k0 = w->window[0], k1 = w->window[1], k2 = w->window[2];
    const long d0 = w->dilations[0], d1 = w->dilations[1], d2 = w->dilations[2];
    const long group_channels = channels / groups, taps = k0 * k1 * k2, width = taps * group_channels;
    // Runs along the last axis need unit dilation there; otherwise every tap is its own run.
    const long run_taps = d2 == 1 ? k2 : 1;
    long o2 = first % g2, o1 = first / g2 % g1, o0 = first / (g2 * g1) % g0, n = first / (g2 * g1 * g0);
    for (long p = 0; p < count; p++) {
        float *row_out = scatter ? NULL : target + p * width;
        const float *row_in = scatter ? source + p * width : NULL;
        const long start0 = o0 * w->strides[0] - w->pad_before[0];
        const long start1 = o1 * w->strides[1] - w->pad_before[1];
        const long start2 = o2 * w->strides[2] - w->pad_before[2];
        long tap = 0;
        for (long t0 = 0; t0 < k0; t0++) {
            const long y0 = start0 + t0 * d0;
            for (long t1 = 0; t1 < k1; t1++) {
                const long y1 = start1 + t1 * d1;
                const int row_inside = y0 >= 0 && y0 < i0 && y1 >= 0 && y1 < i1;
                const long line = (n * i0 + y0) * i1 + y1; // the image row's first pixel / i2
                for (long t2 = 0; t2 < k2; t2 += run_taps, tap += run_taps) {
                    const long y2 = start2 + t2 * d2;
                    // The run: taps [t2, t2 + run_taps) on pixels from y2; split into padding and inside.
                    long low = 0, high = run_taps;
                    if (!row_inside) high = 0;
                    else {
                        if (y2 < 0) low = -y2 < run_taps ? -y2 : run_taps;
                        if (y2 + run_taps > i2) high = i2 - y2 > low ? i2 - y2 : low;
                    }
                    for (long g = 0; g < groups; g++) {
                        const long offset = g * row_stride * width + tap * group_channels;
                        if (scatter) {
                            if (high > low)
                                for (long s = low; s < high; s++)
                                    kp_scatter_run(row_in + offset + s * group_channels,
                                                   target + (line * i2 + y2 + s) * channels + g * group_channels,
                                                   group_channels);
                            continue;
                        }
                        float *out = row_out + offset;
                        if (groups == 1) {
                            // One group: the run is one contiguous block of pixels and channels.
                            if (low > 0) kp_gather_run(NULL, out, low * channels);
                            if (high > low)
                                kp_gather_run(source + (line * i2 + y2 + low) * channels, out + low * channels,
                                              (high - low) * channels);
                            if (run_taps > high)
                                kp_gather_run(NULL, out + high * channels, (run_taps - high) * channels);
                            continue;
                        }
                        for (long s = 0; s < run_taps; s++)
                            kp_gather_run(s >= low && s < high
                                              ? source + (line * i2 + y2 + s) * channels + g * group_channels
                                              : NULL,
                                          out + s * group_channels, group_channels);
                    }
                }
            }
        }
        if (++o2 == g2) {
            o2 = 0;
            if (++o1 == g1) {
                o1 = 0;
                if (++o0 == g0) {
                    o0 = 0;
                    n++;
                }
            }
        }
    }
}

void keras_gather_patches(const keras_window *window, const float *source, long channels, long groups,
                          long first, long count, float *target, long row_stride) {
    kp_walk(window, 0, source, channels, groups, first, count, target, row_stride);
}

void keras_scatter_patches(const keras_window *window, const float *source, long channels, long groups,
                           long first, long count, float *target, long row_stride) {
    kp_walk(window, 1, source, channels, groups, first, count, target, row_stride);
}
