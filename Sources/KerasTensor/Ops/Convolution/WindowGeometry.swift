// How a sliding window (a convolution kernel or a pooling window) meets a channels-last image.

/// How a sliding window treats the image's borders (Keras' `padding`).
public enum WindowPadding: String, Sendable, CaseIterable {
    /// No padding: only windows that fit inside the image.
    case valid
    /// Zero padding so that the output has `ceil(input / stride)` positions, split as TensorFlow
    /// does (the extra position after).
    case same
    /// Padding before only, `(kernel - 1) · dilation`: output `t` sees inputs up to `t` (1-D).
    case causal
}

/// The geometry of a sliding window over a batch of channels-last images of 1 to 3 spatial
/// axes: image size, window size, strides, dilations and padding, and the grid of window
/// positions (the output's spatial size).
///
/// Every geometry is kept in three spatial axes (fewer are padded with size-1 axes in front),
/// so that each kernel is one loop nest for 1-, 2- and 3-D.
struct WindowGeometry: Sendable, Equatable {
    var batch: Int
    /// Spatial size of the image, the window, the strides, the dilations, the padding before, and the grid of positions.
    var image: [Int], window: [Int], strides: [Int], dilations: [Int], padBefore: [Int], grid: [Int]
    /// The number of spatial axes the caller has (1, 2 or 3).
    var spatialRank: Int

    /// The geometry of a window of `window` over images of `image` (spatial sizes), with the
    /// padding rule `padding`; `grid` is derived.
    init(batch: Int, image: [Int], window: [Int], strides: [Int], dilations: [Int], padding: WindowPadding) {
        precondition((1...3).contains(image.count) && [window.count, strides.count, dilations.count].allSatisfy { $0 == image.count },
                     "window geometry: image \(image), window \(window), strides \(strides), dilations \(dilations) must have 1 to 3 equal ranks")
        var grid: [Int] = [], before: [Int] = []
        for axis in image.indices {
            let extent = (window[axis] - 1) * dilations[axis] + 1, stride = strides[axis]
            switch padding {
            case .valid:
                grid.append(image[axis] >= extent ? (image[axis] - extent) / stride + 1 : 0)
                before.append(0)
            case .same:
                let out = (image[axis] + stride - 1) / stride
                grid.append(out)
                before.append(Swift.max((out - 1) * stride + extent - image[axis], 0) / 2)
            case .causal:
                grid.append((image[axis] - 1) / stride + 1)
                before.append(extent - 1)
            }
        }
        self.init(batch: batch, image: image, window: window, strides: strides, dilations: dilations, padBefore: before, grid: grid)
    }

    /// A geometry with explicit padding and grid (a transposed convolution's, for instance).
    init(batch: Int, image: [Int], window: [Int], strides: [Int], dilations: [Int], padBefore: [Int], grid: [Int]) {
        let lead = 3 - image.count
        func three(_ values: [Int], _ fill: Int) -> [Int] { Array(repeating: fill, count: lead) + values }
        self.batch = batch
        self.image = three(image, 1)
        self.window = three(window, 1)
        self.strides = three(strides, 1)
        self.dilations = three(dilations, 1)
        self.padBefore = three(padBefore, 0)
        self.grid = three(grid, 1)
        spatialRank = image.count
    }

    /// The number of window taps (scalars of one channel under one window).
    var taps: Int { window.reduce(1, *) }
    /// Window positions in one image, and in the batch.
    var positionsPerImage: Int { grid.reduce(1, *) }
    var positions: Int { batch * positionsPerImage }
    /// Pixels of one image.
    var pixelsPerImage: Int { image.reduce(1, *) }

    /// A 1×1 window with unit strides and no padding: each pixel is its own patch, so the
    /// image itself is the patch matrix (no im2col needed).
    var isPointwise: Bool { taps == 1 && grid == image && padBefore.allSatisfy { $0 == 0 } }

    /// The caller's spatial sizes of the grid (the output) and the image.
    var gridShape: [Int] { Array(grid.suffix(spatialRank)) }
    var imageShape: [Int] { Array(image.suffix(spatialRank)) }

    /// Calls `body(tap, pixel)` for each tap of the window at `position` (in `0..<positions`),
    /// taps in row-major window order; `pixel` is the index in the batch of the image pixel
    /// under the tap, or `-1` where the tap falls on padding.
    @inline(__always)
    func forEachTap(at position: Int, _ body: (_ tap: Int, _ pixel: Int) -> Void) {
        let (g0, g1, g2) = (grid[0], grid[1], grid[2])
        let o2 = position % g2, o1 = position / g2 % g1, o0 = position / (g2 * g1) % g0, n = position / (g2 * g1 * g0)
        let (i0, i1, i2) = (image[0], image[1], image[2])
        let start0 = o0 * strides[0] - padBefore[0], start1 = o1 * strides[1] - padBefore[1], start2 = o2 * strides[2] - padBefore[2]
        let (d0, d1, d2) = (dilations[0], dilations[1], dilations[2]), (k0, k1, k2) = (window[0], window[1], window[2])
        var tap = 0
        for t0 in 0..<k0 {
            let y0 = start0 + t0 * d0
            for t1 in 0..<k1 {
                let y1 = start1 + t1 * d1
                for t2 in 0..<k2 {
                    let y2 = start2 + t2 * d2
                    let inside = y0 >= 0 && y0 < i0 && y1 >= 0 && y1 < i1 && y2 >= 0 && y2 < i2
                    body(tap, inside ? ((n * i0 + y0) * i1 + y1) * i2 + y2 : -1)
                    tap += 1
                }
            }
        }
    }
}

extension Tensor {
    /// The number of positions of a sliding window along one axis of `image` scalars (a
    /// convolution's or a pooling's output size).
    public static func slidingWindowPositions(image: Int, window: Int, stride: Int, dilation: Int = 1, padding: WindowPadding) -> Int {
        WindowGeometry(batch: 1, image: [image], window: [window], strides: [stride], dilations: [dilation], padding: padding).gridShape[0]
    }

    /// The output size of a transposed convolution along one axis (Keras' `deconv_output_length`).
    public static func transposedConvolutionSize(
        input: Int, window: Int, stride: Int, dilation: Int = 1, padding: WindowPadding, outputPadding: Int? = nil
    ) -> Int {
        transposedExtent(input: input, window: window, stride: stride, dilation: dilation, padding: padding, outputPadding: outputPadding).size
    }
}
