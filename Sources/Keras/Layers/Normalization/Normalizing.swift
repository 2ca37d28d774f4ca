// What the normalization layers share: the normalizing formula, the feature axis.

extension Tensor {
    /// `(self − mean) / √(variance + epsilon) · gamma + beta`, computed as Keras'
    /// `batch_normalization` does: `self · inv + (beta − mean · inv)` with `inv = rsqrt(variance + ε) · gamma`.
    func normalized(mean: Tensor, variance: Tensor, gamma: Tensor?, beta: Tensor?, epsilon: Float) -> Tensor {
        var inverse = (variance + epsilon).rsqrt()
        if let gamma { inverse = inverse * gamma }
        var shift = -mean * inverse
        if let beta { shift = shift + beta }
        return self * inverse + shift
    }

    /// The mean and the (biased) variance over `axes`, kept as size-1 axes (Keras' `moments`).
    func moments(axes: [Int]) -> (mean: Tensor, variance: Tensor) {
        let mean = self.mean(axes: axes, keepDims: true)
        return (mean, (self - mean).square().mean(axes: axes, keepDims: true))
    }
}

extension Layer {
    /// The size of the feature axis `axis` of `inputShape`, which must be known.
    func featureCount(_ inputShape: [Int?], axis: Int) throws -> Int {
        let resolved = axis < 0 ? axis + inputShape.count : axis
        guard resolved > 0, resolved < inputShape.count, let features = inputShape[resolved] else {
            throw shapeError(expected: "a known size on axis \(axis)", got: inputShape,
                             fix: "Give the first layer inputShape:, or choose an axis of the input's rank.")
        }
        return features
    }
}

extension ConfigReader {
    /// A normalization layer's `axis`: an integer, or (Keras 2) a list of one.
    func normalizationAxis() throws -> Int {
        if let axis = value("axis"), case .array = axis {
            let axes = try intArray("axis")
            guard axes.count == 1 else {
                throw KerasError.invalidArgument(name: "\(context).axis", value: "\(axes)", expected: "one axis (several are not supported)")
            }
            return axes[0]
        }
        return try int("axis", default: -1)
    }
}
