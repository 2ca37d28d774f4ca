// Inverted dropout as one operation (TensorFlow's `tf.nn.dropout`).

extension Tensor {
    /// `self` with each scalar zeroed with probability `rate` and the others scaled by
    /// `1 / (1 - rate)`, drawing the mask from `generator`; differentiable (the gradient is
    /// masked and scaled alike). `rate` is in `[0, 1)`.
    ///
    /// One pass writes the output and keeps the mask for the backward pass. Each 64-bit draw
    /// decides two scalars, from two 24-bit uniforms (the draw's bits 40–63 and 8–31): a scalar
    /// is kept when its uniform `u / 2^24` is at least `rate`.
    public func dropout(rate: Float, using generator: inout RandomGenerator) -> Tensor {
        precondition(rate >= 0 && rate < 1, "dropout: rate \(rate) is not in [0, 1)")
        let (output, mask) = StepProfile.measure(.elementwise) { dropoutPass(rate: rate, using: &generator) }
        guard Tensor.isRecording(self) else { return output }
        return output.recorded(from: self) { g in g * mask }
    }

    /// The output and the mask (0 or the scale) of `dropout(rate:using:)`.
    private func dropoutPass(rate: Float, using generator: inout RandomGenerator) -> (Tensor, Tensor) {
        let scale = 1 / (1 - rate)
        // u / 2^24 >= rate exactly when u >= ceil(rate * 2^24) (both sides exact in Float).
        let threshold = UInt32((rate * 0x1p24).rounded(.up))
        let mask = Tensor(uninitializedShape: shape), output = Tensor(uninitializedShape: shape)
        // First the 24-bit uniforms, two per draw, into the mask's memory; then one vector pass
        // turns them into the mask and the output (a compare and select: no branch to mispredict).
        let uniforms = UnsafeMutableRawPointer(mask.storage.base)
        for pair in 0..<count / 2 {
            let bits = generator.next()
            uniforms.storeBytes(of: (bits >> 40) | (bits >> 8 & 0xFF_FFFF) << 32, toByteOffset: pair * 8, as: UInt64.self)
        }
        if count % 2 == 1 { uniforms.storeBytes(of: UInt32(generator.next() >> 40), toByteOffset: (count - 1) * 4, as: UInt32.self) }
        typealias Lanes = SIMD8<Float>
        let x = UnsafeRawPointer(storage.base), y = UnsafeMutableRawPointer(output.storage.base)
        let (zeros, scales, thresholds) = (Lanes(repeating: 0), Lanes(repeating: scale), SIMD8<UInt32>(repeating: threshold))
        var i = 0
        while i + 8 <= count {
            let kept = zeros.replacing(with: scales, where: uniforms.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<UInt32>.self) .>= thresholds)
            uniforms.storeBytes(of: kept, toByteOffset: i * 4, as: Lanes.self)
            y.storeBytes(of: x.loadUnaligned(fromByteOffset: i * 4, as: Lanes.self) * kept, toByteOffset: i * 4, as: Lanes.self)
            i += 8
        }
        while i < count {
            let kept: Float = uniforms.load(fromByteOffset: i * 4, as: UInt32.self) >= threshold ? scale : 0
            uniforms.storeBytes(of: kept, toByteOffset: i * 4, as: Float.self)
            y.storeBytes(of: x.load(fromByteOffset: i * 4, as: Float.self) * kept, toByteOffset: i * 4, as: Float.self)
            i += 1
        }
        return (output, mask)
    }
}
