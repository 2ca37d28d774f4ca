// The loops every elementwise operation runs: one pass, no allocation but the result,
// vectorisable inner loops, split over cores when large.
//
// The scalar function is a generic value (`UnaryKernel`, `BinaryKernel`), not a closure: the
// loops are specialised for it and it is inlined into them, which a closure captured by the
// per-thread body would prevent. Closures still work (`ClosureKernel`) where speed matters less.

/// A scalar function of one argument that elementwise loops inline.
protocol UnaryKernel {
    func callAsFunction(_ x: Float) -> Float
}

/// A scalar function of two arguments that elementwise loops inline.
protocol BinaryKernel {
    func callAsFunction(_ x: Float, _ y: Float) -> Float
}

/// A closure as a kernel, for operations off the hot path.
struct ClosureKernel: UnaryKernel {
    let function: (Float) -> Float
    @inline(__always) func callAsFunction(_ x: Float) -> Float { function(x) }
}

/// A closure of two arguments as a kernel, for operations off the hot path.
struct ClosureBinaryKernel: BinaryKernel {
    let function: (Float, Float) -> Float
    @inline(__always) func callAsFunction(_ x: Float, _ y: Float) -> Float { function(x, y) }
}

extension Tensor {
    /// A new tensor of this shape with `transform` applied to each scalar.
    @inline(__always)
    func map(cost: Int = 1, _ transform: @escaping (Float) -> Float) -> Tensor {
        map(cost: cost, ClosureKernel(function: transform))
    }

    /// A new tensor of this shape with `transform` applied to each scalar.
    @inline(__always)
    func map<Kernel: UnaryKernel>(cost: Int = 1, _ transform: Kernel) -> Tensor {
        let result = Tensor(uninitializedShape: shape)
        let source = storage.base, destination = result.storage.base
        Parallel.forEachChunk(count, cost: cost) { range in
            for i in range { destination[i] = transform(source[i]) }
        }
        return result
    }

    /// Applies `transform` to each scalar in place (copying first if the storage is shared).
    @inline(__always)
    mutating func mapInPlace<Kernel: UnaryKernel>(cost: Int = 1, _ transform: Kernel) {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        let pointer = storage.base
        Parallel.forEachChunk(count, cost: cost) { range in
            for i in range { pointer[i] = transform(pointer[i]) }
        }
    }

    /// `combine` applied to the scalars of `a` and `b` broadcast together.
    @inline(__always)
    static func zipMap(
        _ a: Tensor, _ b: Tensor, op: String, cost: Int = 1, _ combine: @escaping (Float, Float) -> Float
    ) -> Tensor {
        zipMap(a, b, op: op, cost: cost, ClosureBinaryKernel(function: combine))
    }

    /// `combine` applied to the scalars of `a` and `b` broadcast together.
    @inline(__always)
    static func zipMap<Kernel: BinaryKernel>(
        _ a: Tensor, _ b: Tensor, op: String, cost: Int = 1, _ combine: Kernel
    ) -> Tensor {
        let pa = a.storage.base, pb = b.storage.base
        if a.shape == b.shape {
            let result = Tensor(uninitializedShape: a.shape)
            let out = result.storage.base
            Parallel.forEachChunk(a.count, cost: cost) { range in
                for i in range { out[i] = combine(pa[i], pb[i]) }
            }
            return result
        }
        let shape = Broadcasting.shape(a.shape, b.shape, op: op)
        let result = Tensor(uninitializedShape: shape)
        let out = result.storage.base
        if b.count == 1 && result.count == a.count {
            let y = pb[0]
            Parallel.forEachChunk(a.count, cost: cost) { range in
                for i in range { out[i] = combine(pa[i], y) }
            }
            return result
        }
        if a.count == 1 && result.count == b.count {
            let x = pa[0]
            Parallel.forEachChunk(b.count, cost: cost) { range in
                for i in range { out[i] = combine(x, pb[i]) }
            }
            return result
        }
        let plan = Broadcasting.Plan(a.shape, b.shape, result: shape)
        let inner = plan.inner
        Parallel.forEachChunk(plan.rowCount, cost: cost * inner) { rows in
            for row in rows {
                let (offsetA, offsetB) = plan.offsets(ofRow: row)
                let x = pa + offsetA, y = pb + offsetB, z = out + row * inner
                switch (plan.innerStrideA, plan.innerStrideB) {
                case (1, 1): for j in 0..<inner { z[j] = combine(x[j], y[j]) }
                case (1, _): let v = y[0]; for j in 0..<inner { z[j] = combine(x[j], v) }
                case (_, 1): let u = x[0]; for j in 0..<inner { z[j] = combine(u, y[j]) }
                default: z[0] = combine(x[0], y[0])
                }
            }
        }
        return result
    }

    /// `a = combine(a, b)` in place when `b` broadcasts to `a`'s shape and nothing records.
    /// Returns false when the operation cannot run in place.
    @inline(__always)
    static func zipMapInPlace<Kernel: BinaryKernel>(_ a: inout Tensor, _ b: Tensor, _ combine: Kernel) -> Bool {
        guard a.node == nil, b.node == nil, Broadcasting.shape(a.shape, b.shape) == a.shape else { return false }
        if !isKnownUniquelyReferenced(&a.storage) { a.storage = a.storage.copy() }
        let pa = a.storage.base, pb = b.storage.base
        if a.shape == b.shape {
            Parallel.forEachChunk(a.count) { range in
                for i in range { pa[i] = combine(pa[i], pb[i]) }
            }
        } else if b.count == 1 {
            let y = pb[0]
            Parallel.forEachChunk(a.count) { range in
                for i in range { pa[i] = combine(pa[i], y) }
            }
        } else {
            let plan = Broadcasting.Plan(a.shape, b.shape, result: a.shape)
            let inner = plan.inner
            for row in 0..<plan.rowCount {
                let (offsetA, offsetB) = plan.offsets(ofRow: row)
                let x = pa + offsetA, y = pb + offsetB
                if plan.innerStrideB == 1 {
                    for j in 0..<inner { x[j] = combine(x[j], y[j]) }
                } else {
                    let v = y[0]
                    for j in 0..<inner { x[j] = combine(x[j], v) }
                }
            }
        }
        return true
    }
}
