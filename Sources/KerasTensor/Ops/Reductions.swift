// Reductions along axes, with numpy's `keepDims` and gradients.

extension Tensor {
    /// The sum over `axis` (all axes when `nil`).
    public func sum(axis: Int? = nil, keepDims: Bool = false) -> Tensor {
        sum(axes: axis.map { [$0] } ?? Array(0..<rank), keepDims: keepDims)
    }

    /// The sum over `axes`.
    public func sum(axes: [Int], keepDims: Bool = false) -> Tensor {
        let axes = resolved(axes, op: "sum")
        let result = reduced(over: axes, keepDims: keepDims, .sum)
        guard Tensor.isRecording(self) else { return result }
        let shape = self.shape, kept = keptShape(axes)
        return result.recorded(from: self) { g in g.reshaped(to: kept).broadcast(to: shape) }
    }

    /// The mean over `axis` (all axes when `nil`).
    public func mean(axis: Int? = nil, keepDims: Bool = false) -> Tensor {
        mean(axes: axis.map { [$0] } ?? Array(0..<rank), keepDims: keepDims)
    }

    /// The mean over `axes`.
    public func mean(axes: [Int], keepDims: Bool = false) -> Tensor {
        let axes = resolved(axes, op: "mean")
        let n = axes.reduce(1) { $0 * shape[$1] }
        return sum(axes: axes, keepDims: keepDims) * (1 / Float(n))
    }

    /// Whether every scalar is finite (no NaN, no infinity): one vectorised pass, split over
    /// cores, fast enough to check a whole training set before `fit`.
    public var allFinite: Bool {
        let base = storage.base, ranges = Parallel.chunks(count)
        var finite = [Bool](repeating: true, count: ranges.count)
        finite.withUnsafeMutableBufferPointer { finite in
            Parallel.perform(ranges.count) { index in
                finite[index] = Tensor.allFinite(base + ranges[index].lowerBound, ranges[index].count)
            }
        }
        return !finite.contains(false)
    }

    /// `x * 0` is ±0 for finite `x` and NaN otherwise, so the sum of those is zero exactly when all are finite.
    private static func allFinite(_ pointer: UnsafePointer<Float>, _ n: Int) -> Bool {
        let raw = UnsafeRawPointer(pointer)
        var lanes = SIMD16<Float>(), i = 0
        while i + 16 <= n {
            lanes += raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self) * 0
            i += 16
        }
        var total = lanes.sum()
        while i < n { total += pointer[i] * 0; i += 1 }
        return total == 0
    }

    /// The maximum over `axis` (all axes when `nil`); the gradient is shared among ties.
    public func max(axis: Int? = nil, keepDims: Bool = false) -> Tensor {
        max(axes: axis.map { [$0] } ?? Array(0..<rank), keepDims: keepDims)
    }

    public func max(axes: [Int], keepDims: Bool = false) -> Tensor {
        extremum(axes: resolved(axes, op: "max"), keepDims: keepDims, .max)
    }

    /// The minimum over `axis` (all axes when `nil`); the gradient is shared among ties.
    public func min(axis: Int? = nil, keepDims: Bool = false) -> Tensor {
        min(axes: axis.map { [$0] } ?? Array(0..<rank), keepDims: keepDims)
    }

    public func min(axes: [Int], keepDims: Bool = false) -> Tensor {
        extremum(axes: resolved(axes, op: "min"), keepDims: keepDims, .min)
    }

    /// The variance over `axis` (all axes when `nil`), dividing by the number of scalars.
    public func variance(axis: Int? = nil, keepDims: Bool = false) -> Tensor {
        variance(axes: axis.map { [$0] } ?? Array(0..<rank), keepDims: keepDims)
    }

    public func variance(axes: [Int], keepDims: Bool = false) -> Tensor {
        let centered = self - mean(axes: axes, keepDims: true)
        return centered.square().mean(axes: axes, keepDims: keepDims)
    }

    /// The standard deviation over `axis` (all axes when `nil`).
    public func std(axis: Int? = nil, keepDims: Bool = false) -> Tensor {
        variance(axis: axis, keepDims: keepDims).sqrt()
    }

    public func std(axes: [Int], keepDims: Bool = false) -> Tensor {
        variance(axes: axes, keepDims: keepDims).sqrt()
    }

    /// `log(sum(exp(x)))` over `axis`, computed without overflow.
    public func logSumExp(axis: Int? = nil, keepDims: Bool = false) -> Tensor {
        logSumExp(axes: axis.map { [$0] } ?? Array(0..<rank), keepDims: keepDims)
    }

    public func logSumExp(axes: [Int], keepDims: Bool = false) -> Tensor {
        let axes = resolved(axes, op: "logSumExp")
        let shift = max(axes: axes, keepDims: true).detached.map { $0.isFinite ? $0 : 0 }
        let result = (self - shift).exp().sum(axes: axes, keepDims: true).log() + shift
        return keepDims ? result : result.reshaped(to: reducedShape(axes))
    }

    /// The index of the largest scalar along `axis` (the first on ties): an `.integer` tensor,
    /// printed as integers; `try [Int](x.argmax())` gives the indexes as `Int`.
    public func argmax(axis: Int = -1, keepDims: Bool = false) -> Tensor {
        argExtremum(axis: axis, keepDims: keepDims, op: "argmax") { $0 > $1 }
    }

    /// The index of the smallest scalar along `axis` (the first on ties), an `.integer` tensor.
    public func argmin(axis: Int = -1, keepDims: Bool = false) -> Tensor {
        argExtremum(axis: axis, keepDims: keepDims, op: "argmin") { $0 < $1 }
    }
}

// MARK: - Implementation

extension Tensor {
    enum Reduction { case sum, max, min }

    /// Sorted, non-negative, distinct axes.
    func resolved(_ axes: [Int], op: String) -> [Int] {
        let result = Set(axes.map { Tensor.normalize(axis: $0, rank: rank, op: op) }).sorted()
        return result
    }

    func keptShape(_ axes: [Int]) -> [Int] {
        var kept = shape
        for axis in axes { kept[axis] = 1 }
        return kept
    }

    func reducedShape(_ axes: [Int]) -> [Int] {
        shape.indices.filter { !axes.contains($0) }.map { shape[$0] }
    }

    private func extremum(axes: [Int], keepDims: Bool, _ kind: Reduction) -> Tensor {
        let result = reduced(over: axes, keepDims: keepDims, kind)
        guard Tensor.isRecording(self) else { return result }
        let input = self, kept = keptShape(axes)
        return result.recorded(from: input) { g in
            let mask = input.detached .== result.detached.reshaped(to: kept)
            let ties = mask.sum(axes: axes, keepDims: true)
            return g.reshaped(to: kept) * mask / ties
        }
    }

    /// Reduces over sorted `axes` one axis at a time, from the last.
    func reduced(over axes: [Int], keepDims: Bool, _ kind: Reduction) -> Tensor {
        var result = self.detached
        for axis in axes.reversed() {
            result = result.reduced(alongAxis: axis, kind)
        }
        return keepDims ? result : result.reshaped(to: reducedShape(axes))
    }

    /// Reduces one axis, keeping it with size 1. Views the tensor as `[outer, n, inner]`.
    private func reduced(alongAxis axis: Int, _ kind: Reduction) -> Tensor {
        let n = shape[axis]
        precondition(n > 0 || kind == .sum, "\(kind): cannot reduce the empty axis \(axis) of shape \(shape)")
        let outer = shape[..<axis].reduce(1, *), inner = shape[(axis + 1)...].reduce(1, *)
        var keptShape = shape
        keptShape[axis] = 1
        let result = Tensor(uninitializedShape: keptShape)
        let source = storage.base, destination = result.storage.base
        if n == 0 {
            destination.initialize(repeating: 0, count: result.count)
            return result
        }
        if inner == 1 {
            if outer == 1 {
                destination[0] = Tensor.reduceContiguousParallel(source, n, kind)
            } else {
                Parallel.forEachChunk(outer, cost: n) { rows in
                    for row in rows { destination[row] = Tensor.reduceContiguous(source + row * n, n, kind) }
                }
            }
            return result
        }
        Parallel.forEachChunk(outer, cost: n * inner) { rows in
            for row in rows {
                let out = destination + row * inner
                let block = source + row * n * inner
                out.update(from: block, count: inner)
                for r in 1..<n {
                    let line = block + r * inner
                    switch kind {
                    case .sum: for j in 0..<inner { out[j] += line[j] }
                    case .max: for j in 0..<inner { out[j] = Swift.max(out[j], line[j]) }
                    case .min: for j in 0..<inner { out[j] = Swift.min(out[j], line[j]) }
                    }
                }
            }
        }
        return result
    }

    private static func reduceContiguousParallel(_ pointer: UnsafePointer<Float>, _ n: Int, _ kind: Reduction) -> Float {
        let ranges = Parallel.chunks(n)
        guard ranges.count > 1 else { return reduceContiguous(pointer, n, kind) }
        var partial = [Float](repeating: 0, count: ranges.count)
        partial.withUnsafeMutableBufferPointer { partial in
            Parallel.perform(ranges.count) { index in
                partial[index] = reduceContiguous(pointer + ranges[index].lowerBound, ranges[index].count, kind)
            }
        }
        return reduceContiguous(partial, ranges.count, kind)
    }

    /// Reduces `n` contiguous scalars with 16-lane vector accumulators.
    @inline(__always)
    private static func reduceContiguous(_ pointer: UnsafePointer<Float>, _ n: Int, _ kind: Reduction) -> Float {
        let raw = UnsafeRawPointer(pointer)
        var i = 0
        switch kind {
        case .sum:
            var a = SIMD16<Float>(), b = SIMD16<Float>()
            while i + 32 <= n {
                a += raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
                b += raw.loadUnaligned(fromByteOffset: (i + 16) * 4, as: SIMD16<Float>.self)
                i += 32
            }
            var total = (a + b).sum()
            while i < n { total += pointer[i]; i += 1 }
            return total
        case .max, .min:
            var best = pointer[0]
            let isMax = kind == .max
            if n >= 16 {
                var acc = raw.loadUnaligned(as: SIMD16<Float>.self)
                i = 16
                while i + 16 <= n {
                    let v = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
                    acc = isMax ? pointwiseMax(acc, v) : pointwiseMin(acc, v)
                    i += 16
                }
                best = isMax ? acc.max() : acc.min()
            }
            while i < n { best = isMax ? Swift.max(best, pointer[i]) : Swift.min(best, pointer[i]); i += 1 }
            return best
        }
    }

    private func argExtremum(axis: Int, keepDims: Bool, op: String, _ better: (Float, Float) -> Bool) -> Tensor {
        let axis = Tensor.normalize(axis: axis, rank: rank, op: op)
        let n = shape[axis]
        precondition(n > 0, "\(op): axis \(axis) of shape \(shape) is empty")
        let outer = shape[..<axis].reduce(1, *), inner = shape[(axis + 1)...].reduce(1, *)
        let result = Tensor(uninitializedShape: keptShape([axis]))
        let source = storage.base, destination = result.storage.base
        for o in 0..<outer {
            for j in 0..<inner {
                let base = source + o * n * inner + j
                var bestIndex = 0
                var best = base[0]
                for r in 1..<n where better(base[r * inner], best) {
                    best = base[r * inner]
                    bestIndex = r
                }
                destination[o * inner + j] = Float(bestIndex)
            }
        }
        var indices = keepDims ? result : result.reshaped(to: reducedShape([axis]))
        indices.kind = .integer
        return indices
    }
}
