// im2col and its adjoint: the window under every position of a sliding window, as the rows of
// a matrix, so that a convolution is one matrix product on the packed GEMM.

extension Tensor {
    /// The patches of a channels-last batch `[batch, image..., channels]` (im2col): for each
    /// group `g` of `channels / groups` channels, a matrix whose row `p` holds the window at grid
    /// position `p`, taps in row-major window order, each tap's channels of the group
    /// contiguous (zeros for padding). Shape `[groups, positions, taps · channels / groups]`;
    /// differentiable (the gradient folds the patches back, `foldingPatches`).
    func patches(_ geometry: WindowGeometry, groups: Int) -> Tensor {
        let channels = shape[rank - 1], groupChannels = channels / groups, taps = geometry.taps
        let width = taps * groupChannels, positions = geometry.positions
        let result = Tensor(uninitializedShape: [groups, positions, width])
        let source = storage.base, target = result.storage.base
        Parallel.forEachChunk(positions, cost: taps * channels) { range in
            for p in range {
                geometry.forEachRun(at: p) { tap, pixel, length in
                    if groups == 1 {
                        // One group: a run of taps is one contiguous block of pixels and channels.
                        let row = target + p * width + tap * channels
                        if pixel < 0 {
                            row.update(repeating: 0, count: length * channels)
                        } else {
                            row.update(from: source + pixel * channels, count: length * channels)
                        }
                        return
                    }
                    for step in 0..<length {
                        for g in 0..<groups {
                            let row = target + (g * positions + p) * width + (tap + step) * groupChannels
                            if pixel < 0 {
                                row.update(repeating: 0, count: groupChannels)
                            } else {
                                row.update(from: source + (pixel + step) * channels + g * groupChannels, count: groupChannels)
                            }
                        }
                    }
                }
            }
        }
        guard Tensor.isRecording(self) else { return result }
        return result.recorded(from: self) { g in g.foldingPatches(geometry, groups: groups, channels: channels) }
    }

    /// The adjoint of `patches` (col2im): patches `[groups, positions, taps · channels / groups]`
    /// summed back onto a zero channels-last batch `[batch, image..., channels]`; where windows
    /// overlap, their values add. Differentiable (the gradient takes the patches again).
    func foldingPatches(_ geometry: WindowGeometry, groups: Int, channels: Int) -> Tensor {
        let groupChannels = channels / groups, taps = geometry.taps, width = taps * groupChannels
        let positions = geometry.positions, perImage = geometry.positionsPerImage
        precondition(shape == [groups, positions, width], "foldingPatches: patches \(shape) do not fit the geometry")
        let result = Tensor(repeating: 0, shape: [geometry.batch] + geometry.imageShape + [channels])
        let source = storage.base, target = result.storage.base
        // Images are disjoint: one thread per run of whole images.
        Parallel.forEachChunk(geometry.batch, cost: perImage * taps * channels) { images in
            for p in images.lowerBound * perImage..<images.upperBound * perImage {
                geometry.forEachRun(at: p) { tap, pixel, length in
                    guard pixel >= 0 else { return }
                    if groups == 1 {
                        let row = source + p * width + tap * channels, pixels = target + pixel * channels
                        for c in 0..<length * channels { pixels[c] += row[c] }
                        return
                    }
                    for step in 0..<length {
                        for g in 0..<groups {
                            let row = source + (g * positions + p) * width + (tap + step) * groupChannels
                            let pixels = target + (pixel + step) * channels + g * groupChannels
                            for c in 0..<groupChannels { pixels[c] += row[c] }
                        }
                    }
                }
            }
        }
        guard Tensor.isRecording(self) else { return result }
        return result.recorded(from: self) { g in g.patches(geometry, groups: groups) }
    }
}
