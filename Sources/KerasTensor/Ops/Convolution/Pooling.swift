// Max and average pooling over the spatial axes of channels-last batches.

extension Tensor {
    /// The maximum of each window of `size` (strides default to `size`), per channel, over a
    /// channels-last batch `[batch, spatial..., channels]`; `same` padding never wins (as
    /// Keras pads with −∞). The gradient goes to the first maximum of each window.
    public func maxPool(size: [Int], strides: [Int]? = nil, padding: WindowPadding = .valid) -> Tensor {
        let geometry = poolingGeometry(size: size, strides: strides, padding: padding, op: "maxPool")
        let channels = shape[rank - 1], positions = geometry.positions
        let result = Tensor(uninitializedShape: [geometry.batch] + geometry.gridShape + [channels])
        // The winning pixel of each output scalar, for the backward pass.
        var winners = [Int32](repeating: 0, count: positions * channels)
        let source = storage.base, target = result.storage.base
        winners.withUnsafeMutableBufferPointer { winners in
            let winner = winners.baseAddress!
            Parallel.forEachChunk(positions, cost: geometry.taps * channels) { range in
                for p in range {
                    let best = target + p * channels, at = winner + p * channels
                    best.update(repeating: -.infinity, count: channels)
                    at.update(repeating: -1, count: channels)
                    geometry.forEachTap(at: p) { _, pixel in
                        guard pixel >= 0 else { return }
                        let values = source + pixel * channels
                        for c in 0..<channels where values[c] > best[c] || at[c] < 0 {
                            best[c] = values[c]
                            at[c] = Int32(pixel)
                        }
                    }
                }
            }
        }
        guard Tensor.isRecording(self) else { return result }
        let inputShape = shape
        return result.recorded(from: self) { g in
            // Each output gradient goes to its window's winner; images are disjoint, one thread per run of images.
            let incoming = g.detached, perImage = geometry.positionsPerImage
            var gradient = Tensor(repeating: 0, shape: inputShape)
            gradient.withUnsafeMutableBufferPointer { buffer in
                winners.withUnsafeBufferPointer { winners in
                    let target = buffer.baseAddress!, values = incoming.storage.base
                    Parallel.forEachChunk(geometry.batch, cost: perImage * channels) { images in
                        for i in images.lowerBound * perImage * channels..<images.upperBound * perImage * channels {
                            target[Int(winners[i]) * channels + i % channels] += values[i]
                        }
                    }
                }
            }
            return gradient
        }
    }

    /// The mean of each window of `size` (strides default to `size`), per channel, over a
    /// channels-last batch; with `same` padding, the padding is not counted (as in Keras).
    public func averagePool(size: [Int], strides: [Int]? = nil, padding: WindowPadding = .valid) -> Tensor {
        let geometry = poolingGeometry(size: size, strides: strides, padding: padding, op: "averagePool")
        let channels = shape[rank - 1], positions = geometry.positions
        let result = Tensor(repeating: 0, shape: [geometry.batch] + geometry.gridShape + [channels])
        let source = storage.base, target = result.storage.base
        Parallel.forEachChunk(positions, cost: geometry.taps * channels) { range in
            for p in range {
                let sum = target + p * channels
                var count = 0
                geometry.forEachTap(at: p) { _, pixel in
                    guard pixel >= 0 else { return }
                    count += 1
                    let values = source + pixel * channels
                    for c in 0..<channels { sum[c] += values[c] }
                }
                let scale = 1 / Float(Swift.max(count, 1))
                for c in 0..<channels { sum[c] *= scale }
            }
        }
        guard Tensor.isRecording(self) else { return result }
        let inputShape = shape
        return result.recorded(from: self) { g in
            let source = g.detached
            var result = Tensor(repeating: 0, shape: inputShape)
            result.withUnsafeMutableBufferPointer { buffer in
                let target = buffer.baseAddress!, incoming = source.storage.base, perImage = geometry.positionsPerImage
                Parallel.forEachChunk(geometry.batch, cost: perImage * geometry.taps * channels) { images in
                    for p in images.lowerBound * perImage..<images.upperBound * perImage {
                        var count = 0
                        geometry.forEachTap(at: p) { _, pixel in if pixel >= 0 { count += 1 } }
                        let scale = 1 / Float(Swift.max(count, 1)), row = incoming + p * channels
                        geometry.forEachTap(at: p) { _, pixel in
                            guard pixel >= 0 else { return }
                            let pixels = target + pixel * channels
                            for c in 0..<channels { pixels[c] += row[c] * scale }
                        }
                    }
                }
            }
            return result
        }
    }

    /// The geometry of a pooling window over this channels-last batch.
    private func poolingGeometry(size: [Int], strides: [Int]?, padding: WindowPadding, op: String) -> WindowGeometry {
        precondition(rank >= 3 && rank <= 5 && size.count == rank - 2 && (strides?.count ?? size.count) == size.count,
                     "\(op): pool size \(size) and strides \(strides ?? size) do not fit input \(shape) [batch, spatial..., channels]")
        return WindowGeometry(batch: shape[0], image: Array(shape[1..<(rank - 1)]), window: size, strides: strides ?? size,
                              dilations: Array(repeating: 1, count: size.count), padding: padding)
    }
}
