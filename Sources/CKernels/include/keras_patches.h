#ifndef KERAS_PATCHES_H
#define KERAS_PATCHES_H
// im2col and its adjoint for channels-last batches: the window under each position of a
// sliding window, as the rows of a matrix (a convolution is then one matrix product), and those
// rows added back onto the pixels they came from. Nothing here allocates or spawns threads;
// callers split the positions among threads (images are disjoint for the scatter).

#ifdef __cplusplus
extern "C" {
#endif

/// A sliding window over a batch of channels-last images in three spatial axes (fewer axes are
/// padded with size-1 axes in front): image, window, strides, dilations, padding before, and the
/// grid of window positions (the convolution's output size).
typedef struct {
    long image[3], window[3], strides[3], dilations[3], pad_before[3], grid[3];
} keras_window;

/// Writes the patches of window positions [first, first + count) of the batch at `source`
/// (`channels` per pixel, split into `groups` groups): position p's row of group g, `width =
/// taps * channels / groups` floats (taps in row-major window order, each tap's channels of the
/// group contiguous, zeros for padding), starts at `target + (g * row_stride + p - first) * width`.
void keras_gather_patches(const keras_window *window, const float *source, long channels, long groups,
                          long first, long count, float *target, long row_stride);

/// The adjoint: adds rows laid out as keras_gather_patches writes them (from `source`) onto the
/// pixels of the batch at `target` that the windows of positions [first, first + count) cover.
void keras_scatter_patches(const keras_window *window, const float *source, long channels, long groups,
                           long first, long count, float *target, long row_stride);

#ifdef __cplusplus
}
#endif
#endif
