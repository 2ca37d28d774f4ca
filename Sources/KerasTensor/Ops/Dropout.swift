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
        let scale = 1 / (1 - rate)
        // u / 2^24 >= rate exactly when u >= ceil(rate * 2^24) (both sides exact in Float).
        let threshold = UInt64((rate * 0x1p24).rounded(.up))
        let mask = Tensor(uninitializedShape: shape), output = Tensor(uninitializedShape: shape)
        let x = storage.base, m = mask.storage.base, y = output.storage.base
        var i = 0
        while i + 2 <= count {
            let bits = generator.next()
            m[i] = bits >> 40 >= threshold ? scale : 0
            m[i + 1] = (bits >> 8) & 0xFF_FFFF >= threshold ? scale : 0
            i += 2
        }
        if i < count { m[i] = generator.next() >> 40 >= threshold ? scale : 0 }
        for j in 0..<count { y[j] = x[j] * m[j] }

        guard Tensor.isRecording(self) else { return output }
        return output.recorded(from: self) { g in g * mask }
    }
}
