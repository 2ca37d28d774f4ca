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
        let winners = [Int32](unsafeUninitializedCapacity: positions * channels) { winners, count in
            let source = storage.base, target = result.storage.base, winner = winners.baseAddress!
            Parallel.forEachChunk(positions, cost: geometry.taps * channels) { range in
                for p in range {
                    Tensor.windowMaximum(geometry, at: p, of: source, channels: channels,
                                         into: target + p * channels, winners: winner + p * channels)
                }
            }
            count = positions * channels
        }
        guard Tensor.isRecording(self) else { return result }
        let inputShape = shape
        return result.recorded(from: self) { g in
            // Each output gradient goes to its window's winner. Images are disjoint: each run of
            // images clears its part of the gradient and adds its windows' gradients there.
            let incoming = g.detached, perImage = geometry.positionsPerImage, pixels = geometry.pixelsPerImage * channels
            let gradient = Tensor(uninitializedShape: inputShape)
            winners.withUnsafeBufferPointer { winners in
                let target = gradient.storage.base, values = incoming.storage.base, winner = winners.baseAddress!
                Parallel.forEachChunk(geometry.batch, cost: pixels) { images in
                    (target + images.lowerBound * pixels).update(repeating: 0, count: images.count * pixels)
                    for p in images.lowerBound * perImage..<images.upperBound * perImage {
                        let row = values + p * channels, at = winner + p * channels
                        for c in 0..<channels { target[Int(at[c]) * channels + c] += row[c] }
                    }
                }
            }
            return gradient
        }
    }

    /// The maximum per channel of the window at position `p` into `best`, and the pixel each
    /// came from into `at` (the first of equal maxima; −∞ and −1 for a window of padding only).
    @inline(__always)
    private static func windowMaximum(_ geometry: WindowGeometry, at p: Int, of source: UnsafePointer<Float>, channels: Int,
                                      into best: UnsafeMutablePointer<Float>, winners at: UnsafeMutablePointer<Int32>) {
        var first = true
        geometry.forEachTap(at: p) { _, pixel in
            guard pixel >= 0 else { return }
            let values = source + pixel * channels, index = Int32(pixel)
            if first {
                best.update(from: values, count: channels)
                at.update(repeating: index, count: channels)
                first = false
                return
            }
            // Eight channels at a time, then the rest.
            var c = 0
            let indices = SIMD8<Int32>(repeating: index)
            while c + 8 <= channels {
                let v = UnsafeRawPointer(values + c).loadUnaligned(as: SIMD8<Float>.self)
                let b = UnsafeRawPointer(best + c).loadUnaligned(as: SIMD8<Float>.self)
                let w = UnsafeRawPointer(at + c).loadUnaligned(as: SIMD8<Int32>.self)
                let wins = v .> b
                UnsafeMutableRawPointer(best + c).storeBytes(of: b.replacing(with: v, where: wins), as: SIMD8<Float>.self)
                UnsafeMutableRawPointer(at + c).storeBytes(of: w.replacing(with: indices, where: wins), as: SIMD8<Int32>.self)
                c += 8
            }
            for c in c..<channels where values[c] > best[c] {
                best[c] = values[c]
                at[c] = index
            }
        }
        if first {
            best.update(repeating: -.infinity, count: channels)
            at.update(repeating: -1, count: channels)
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
