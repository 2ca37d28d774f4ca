// A dense layer's forward pass as one operation: `relu?(x · kernel + bias)`.

extension Tensor {
    /// `self · kernel + bias`, then `max(·, 0)` when `relu`, recorded as one operation.
    ///
    /// The same values as `(matmul(kernel) + bias).relu()`, with less work: the bias and the
    /// ReLU are applied in one pass over the product, in place; the backward pass masks the
    /// gradient and sums the bias gradient in one pass, then runs the two products.
    ///
    /// `self` is `[..., inputs]`, `kernel` `[inputs, units]` and `bias` `[units]`.
    public func affine(_ kernel: Tensor, bias: Tensor? = nil, relu: Bool = false) -> Tensor {
        precondition(rank >= 2 && kernel.rank == 2 && shape[rank - 1] == kernel.shape[0],
                     "affine: input \(shape) does not fit kernel \(kernel.shape)")
        let units = kernel.shape[1]
        precondition(bias == nil || bias!.shape == [units], "affine: bias \(bias!.shape) does not fit \(units) units")
        var output = detached.matmul(kernel.detached)
        if bias != nil || relu { output.addBiasAndRelu(bias, relu: relu) }

        let input = self
        let operands = bias.map { [input, kernel, $0] } ?? [input, kernel]
        guard Tensor.isRecording(operands) else { return output }
        let result = output
        return output.recorded(from: operands) { g, needed in
            // Recorded (higher-order gradients): the same gradient from differentiable operations.
            if Tensor.isRecording([g] + operands) {
                let masked = relu ? g * (result.detached .> 0) : g
                return [needed[0] ? masked.matmul(kernel, transposeB: true) : nil,
                        needed[1] ? input.matmul(masked, transposeA: true).sum(toShape: kernel.shape) : nil,
                        needed.count > 2 && needed[2] ? masked.sum(toShape: [units]) : nil]
            }
            let (masked, biasGradient) = g.maskedByPositive(relu ? result : nil, columnSums: needed.count > 2 && needed[2])
            let rows = masked.count / Swift.max(units, 1)
            return [needed[0] ? masked.matmul(kernel.detached, transposeB: true) : nil,
                    needed[1] ? input.detached.reshaped(to: [rows, kernel.shape[0]])
                        .matmul(masked.reshaped(to: [rows, units]), transposeA: true) : nil,
                    biasGradient]
        }
    }

    /// Adds `bias` to each row and applies `max(·, 0)` when `relu`, in one pass, in place.
    private mutating func addBiasAndRelu(_ bias: Tensor?, relu: Bool) {
        precondition(isKnownUniquelyReferenced(&storage), "addBiasAndRelu: the product must be uniquely owned")
        let units = shape[rank - 1], rows = count / Swift.max(units, 1)
        let out = storage.base, b = bias?.storage.base
        Parallel.forEachChunk(rows, cost: units) { range in
            Tensor.addBiasAndRelu(out + range.lowerBound * units, rows: range.count, units: units, bias: b, relu: relu)
        }
    }

    /// Adds `bias` (nil: none) to each of `rows` rows of `units` scalars at `block` and applies
    /// `max(·, 0)` when `relu`, in place.
    static func addBiasAndRelu(_ block: UnsafeMutablePointer<Float>, rows: Int, units: Int, bias b: UnsafePointer<Float>?, relu: Bool) {
        for row in 0..<rows {
            let line = block + row * units
            switch (b, relu) {
            case let (b?, true): for j in 0..<units { line[j] = Swift.max(line[j] + b[j], 0) }
            case let (b?, false): for j in 0..<units { line[j] += b[j] }
            case (nil, true): for j in 0..<units { line[j] = Swift.max(line[j], 0) }
            case (nil, false): return
            }
        }
    }

    /// `self` where `output > 0` and zero elsewhere (`self` itself when `output` is nil), and
    /// when asked the sums of its columns (the last axis): one pass, row by row.
    private func maskedByPositive(_ output: Tensor?, columnSums: Bool) -> (Tensor, Tensor?) {
        guard output != nil || columnSums else { return (self, nil) }
        return StepProfile.measure(.elementwise) {
            let units = shape[rank - 1], rows = count / Swift.max(units, 1)
            let masked = output == nil ? self : Tensor(uninitializedShape: shape)
            let sums = columnSums ? Tensor(repeating: 0, shape: [units]) : nil
            Tensor.maskByPositive(storage.base, output: output?.storage.base, into: output == nil ? nil : masked.storage.base,
                                  rows: rows, units: units, addingColumnSumsTo: sums?.storage.base)
            return (masked, sums)
        }
    }

    /// Writes `g · (output > 0)` (`rows` × `units` scalars) into `masked` (nil: no output, `g`
    /// is used as it is) and adds the columns of the result into `sums` (nil: no sums), row by
    /// row in order, as `sum(axis: 0)` adds them. One pass.
    static func maskByPositive(_ g: UnsafePointer<Float>, output: UnsafePointer<Float>?, into masked: UnsafeMutablePointer<Float>?,
                               rows: Int, units: Int, addingColumnSumsTo sums: UnsafeMutablePointer<Float>?) {
        guard output != nil || sums != nil else { return }
        let g = UnsafeRawPointer(g), m = masked.map { UnsafeMutableRawPointer($0) }
        let o = output.map { UnsafeRawPointer($0) }, s = sums.map { UnsafeMutableRawPointer($0) }
        // Eight columns at a time (explicit vectors: the pointers could alias as far as the compiler knows).
        typealias Lanes = SIMD8<Float>
        let (zeros, ones) = (Lanes(repeating: 0), Lanes(repeating: 1))
        for row in 0..<rows {
            var j = 0
            while j < units {
                let width = Swift.min(8, units - j), byte = (row * units + j) * 4
                var value = Lanes(), keep = ones, sum = Lanes()
                if width == 8 {
                    value = g.loadUnaligned(fromByteOffset: byte, as: Lanes.self)
                    if let o { keep = zeros.replacing(with: 1, where: o.loadUnaligned(fromByteOffset: byte, as: Lanes.self) .> 0) }
                    if let s { sum = s.loadUnaligned(fromByteOffset: j * 4, as: Lanes.self) }
                } else {
                    for lane in 0..<width {
                        value[lane] = g.load(fromByteOffset: byte + lane * 4, as: Float.self)
                        if let o { keep[lane] = o.load(fromByteOffset: byte + lane * 4, as: Float.self) > 0 ? 1 : 0 }
                        if let s { sum[lane] = s.load(fromByteOffset: (j + lane) * 4, as: Float.self) }
                    }
                }
                // g * (o > 0 ? 1 : 0), as `g * (output .> 0)` computes it (negative g gives -0).
                value = value * keep
                sum = sum + value
                if width == 8 {
                    if o != nil { m?.storeBytes(of: value, toByteOffset: byte, as: Lanes.self) }
                    s?.storeBytes(of: sum, toByteOffset: j * 4, as: Lanes.self)
                } else {
                    for lane in 0..<width {
                        if o != nil { m?.storeBytes(of: value[lane], toByteOffset: byte + lane * 4, as: Float.self) }
                        s?.storeBytes(of: sum[lane], toByteOffset: (j + lane) * 4, as: Float.self)
                    }
                }
                j += width
            }
        }
    }
}
