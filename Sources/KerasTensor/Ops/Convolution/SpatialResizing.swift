// Padding, cropping and upsampling of the spatial axes of channels-last batches.

extension Tensor {
    /// This channels-last batch `[batch, spatial..., channels]` with `widths[axis].before` zeros
    /// before and `.after` after each spatial axis (negative widths crop). Differentiable.
    ///
    /// A one-tap window sliding with unit stride from `-before`: the patches of that window are the result.
    public func zeroPadded(spatial widths: [(before: Int, after: Int)]) -> Tensor {
        precondition(rank >= 3 && rank <= 5 && widths.count == rank - 2,
                     "zeroPadded: \(widths.count) widths for input \(shape) [batch, spatial..., channels]")
        let image = Array(shape[1..<(rank - 1)])
        let grid = zip(image, widths).map { $0 + $1.before + $1.after }
        precondition(grid.allSatisfy { $0 >= 0 }, "zeroPadded: widths \(widths) crop more than \(image)")
        let ones = Array(repeating: 1, count: image.count)
        let geometry = WindowGeometry(batch: shape[0], image: image, window: ones, strides: ones, dilations: ones,
                                      padBefore: widths.map(\.before), grid: grid)
        return patches(geometry, groups: 1).reshaped(to: [shape[0]] + grid + [shape[rank - 1]])
    }

    /// This channels-last batch with `widths[axis].before` positions removed before and `.after`
    /// after each spatial axis. Differentiable.
    public func cropped(spatial widths: [(before: Int, after: Int)]) -> Tensor {
        zeroPadded(spatial: widths.map { (-$0.before, -$0.after) })
    }

    /// This channels-last batch with each position of spatial axis `i` repeated `factors[i]`
    /// times (nearest-neighbour upsampling, Keras' `UpSampling`). Differentiable.
    public func upsampledNearest(factors: [Int]) -> Tensor {
        precondition(rank >= 3 && factors.count == rank - 2 && factors.allSatisfy { $0 >= 1 },
                     "upsampledNearest: factors \(factors) do not fit input \(shape) [batch, spatial..., channels]")
        // [n, a, b, c] → [n, a, 1, b, 1, c] → broadcast [n, a, fa, b, fb, c] → [n, a·fa, b·fb, c].
        var spread = [shape[0]], repeated = [shape[0]], merged = [shape[0]]
        for (axis, factor) in factors.enumerated() {
            spread += [shape[axis + 1], 1]
            repeated += [shape[axis + 1], factor]
            merged.append(shape[axis + 1] * factor)
        }
        let channels = shape[rank - 1]
        return reshaped(to: spread + [channels]).broadcast(to: repeated + [channels]).reshaped(to: merged + [channels])
    }

    /// This channels-last batch resized by whole `factors` with linear interpolation along each
    /// spatial axis (half-pixel centres, edges clamped: Keras' `UpSampling2D(interpolation:
    /// "bilinear")`). Differentiable.
    public func upsampledLinear(factors: [Int]) -> Tensor {
        precondition(rank >= 3 && factors.count == rank - 2 && factors.allSatisfy { $0 >= 1 },
                     "upsampledLinear: factors \(factors) do not fit input \(shape) [batch, spatial..., channels]")
        var result = self
        for (axis, factor) in factors.enumerated() where factor > 1 {
            // Along one axis: [outer, size, inner] → interpolation matrix [size · factor, size] times it.
            let size = result.shape[axis + 1]
            let outer = result.shape[...axis].reduce(1, *), inner = result.shape[(axis + 2)...].reduce(1, *)
            var newShape = result.shape
            newShape[axis + 1] = size * factor
            result = Tensor.linearInterpolation(from: size, to: size * factor)
                .matmul(result.reshaped(to: [outer, size, inner])).reshaped(to: newShape)
        }
        return result
    }

    /// The `[output, input]` matrix of linear interpolation with half-pixel centres: output `o`
    /// samples input position `(o + 0.5) · input / output − 0.5`, its weights (a triangle of width
    /// one input step) renormalised over the inputs that exist.
    static func linearInterpolation(from input: Int, to output: Int) -> Tensor {
        var weights = [Float](repeating: 0, count: output * input)
        let scale = Double(input) / Double(output)
        for o in 0..<output {
            let centre = (Double(o) + 0.5) * scale - 0.5
            var total = 0.0
            let low = Int(centre.rounded(.down))
            for i in [low, low + 1] where i >= 0 && i < input {
                let w = Swift.max(0, 1 - Swift.abs(centre - Double(i)))
                weights[o * input + i] = Float(w)
                total += w
            }
            if total > 0 { for i in 0..<input { weights[o * input + i] = Float(Double(weights[o * input + i]) / total) } }
        }
        return Tensor(shape: [output, input], scalars: weights)
    }
}
