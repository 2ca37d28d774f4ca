// im2col and its adjoint: the window under every position of a sliding window, as the rows of
// a matrix, so that a convolution is one matrix product on the packed GEMM. The loops are C
// kernels (CKernels/keras_patches.c).

import CKernels

extension Tensor {
    /// The patches of a channels-last batch `[batch, image..., channels]` (im2col): for each
    /// group `g` of `channels / groups` channels, a matrix whose row `p` holds the window at grid
    /// position `p`, taps in row-major window order, each tap's channels of the group
    /// contiguous (zeros for padding). Shape `[groups, positions, taps · channels / groups]`;
    /// differentiable (the gradient folds the patches back, `foldingPatches`).
    func patches(_ geometry: WindowGeometry, groups: Int) -> Tensor {
        let channels = shape[rank - 1], positions = geometry.positions, width = geometry.taps * channels / groups
        let result = Tensor(uninitializedShape: [groups, positions, width])
        let source = storage.base, target = result.storage.base
        Parallel.forEachChunk(positions, cost: geometry.taps * channels) { range in
            geometry.gatherPatches(range, of: source, channels: channels, groups: groups,
                                   into: target + range.lowerBound * width, rowStride: positions)
        }
        guard Tensor.isRecording(self) else { return result }
        return result.recorded(from: self) { g in g.foldingPatches(geometry, groups: groups, channels: channels) }
    }

    /// The adjoint of `patches` (col2im): patches `[groups, positions, taps · channels / groups]`
    /// summed back onto a zero channels-last batch `[batch, image..., channels]`; where windows
    /// overlap, their values add. Differentiable (the gradient takes the patches again).
    func foldingPatches(_ geometry: WindowGeometry, groups: Int, channels: Int) -> Tensor {
        let positions = geometry.positions, perImage = geometry.positionsPerImage, width = geometry.taps * channels / groups
        precondition(shape == [groups, positions, width], "foldingPatches: patches \(shape) do not fit the geometry")
        let result = Tensor(repeating: 0, shape: [geometry.batch] + geometry.imageShape + [channels])
        let source = storage.base, target = result.storage.base
        // Images are disjoint: one thread per run of whole images.
        Parallel.forEachChunk(geometry.batch, cost: perImage * geometry.taps * channels) { images in
            let range = images.lowerBound * perImage..<images.upperBound * perImage
            geometry.scatterPatches(range, from: source + range.lowerBound * width, channels: channels, groups: groups,
                                    onto: target, rowStride: positions)
        }
        guard Tensor.isRecording(self) else { return result }
        return result.recorded(from: self) { g in g.patches(geometry, groups: groups) }
    }
}

extension WindowGeometry {
    /// Writes the patches of the window positions `range` of the channels-last batch at `source`
    /// (`channels` per pixel) as rows: position `p`'s row of group `g` starts at
    /// `target + (g · rowStride + p − range.lowerBound) · width`, `width = taps · channels / groups`.
    /// `rowStride` is the rows of one group's matrix (`positions` for the whole batch's patches).
    func gatherPatches(_ range: Range<Int>, of source: UnsafePointer<Float>, channels: Int, groups: Int,
                       into target: UnsafeMutablePointer<Float>, rowStride: Int) {
        var window = cWindow
        keras_gather_patches(&window, source, channels, groups, range.lowerBound, range.count, target, rowStride)
    }

    /// Adds rows laid out as `gatherPatches` writes them back onto the pixels of the batch at
    /// `target` that the windows of `range` cover (the adjoint of `gatherPatches`).
    func scatterPatches(_ range: Range<Int>, from source: UnsafePointer<Float>, channels: Int, groups: Int,
                        onto target: UnsafeMutablePointer<Float>, rowStride: Int) {
        var window = cWindow
        keras_scatter_patches(&window, source, channels, groups, range.lowerBound, range.count, target, rowStride)
    }

    /// This geometry for the C kernels.
    private var cWindow: keras_window {
        func three(_ values: [Int]) -> (Int, Int, Int) { (values[0], values[1], values[2]) }
        return keras_window(image: three(image), window: three(window), strides: three(strides), dilations: three(dilations),
                            pad_before: three(padBefore), grid: three(grid))
    }
}
