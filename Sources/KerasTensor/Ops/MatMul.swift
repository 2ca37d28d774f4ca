// Matrix products. Every product goes through `sgemm`, which picks the fastest kernel.

extension Tensor {
    /// The matrix product `op(self) · op(other)`, where `op` transposes the last two axes when
    /// asked (without copying). Leading axes are batch axes and broadcast like numpy's `matmul`.
    public func matmul(_ other: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
        let a = self, b = other
        precondition(a.rank >= 2 && b.rank >= 2,
                     "matmul: both operands need rank ≥ 2, got shapes \(a.shape) and \(b.shape); use dot(_:) for vectors")
        let (m, k) = transposeA ? (a.shape[a.rank - 1], a.shape[a.rank - 2]) : (a.shape[a.rank - 2], a.shape[a.rank - 1])
        let (kb, n) = transposeB ? (b.shape[b.rank - 1], b.shape[b.rank - 2]) : (b.shape[b.rank - 2], b.shape[b.rank - 1])
        precondition(k == kb, "matmul: shapes \(a.shape)\(transposeA ? "ᵀ" : "") and \(b.shape)\(transposeB ? "ᵀ" : "") have inner dimensions \(k) and \(kb)")
        let batchA = Array(a.shape.dropLast(2)), batchB = Array(b.shape.dropLast(2))
        let batch = Broadcasting.shape(batchA, batchB, op: "matmul (batch axes)")
        let result = Tensor(uninitializedShape: batch + [m, n])
        let lda = a.shape[a.rank - 1], ldb = b.shape[b.rank - 1]

        if batchB.reduce(1, *) == 1 && !transposeA && batchA == batch {
            // A stack of matrices times one matrix is one tall product.
            sgemm(transposeA: false, transposeB: transposeB, m: m * batch.reduce(1, *), n: n, k: k,
                  alpha: 1, a: a.storage.base, lda: lda, b: b.storage.base, ldb: ldb,
                  beta: 0, c: result.storage.base, ldc: n)
        } else {
            let plan = Broadcasting.Plan(batchA, batchB, result: batch)
            let matrixA = a.shape.suffix(2).reduce(1, *), matrixB = b.shape.suffix(2).reduce(1, *)
            for index in 0..<batch.reduce(1, *) {
                var offsets = (0, 0)
                if !batch.isEmpty {
                    let (row, column) = (index / plan.inner, index % plan.inner)
                    let (rowA, rowB) = plan.offsets(ofRow: row)
                    offsets = (rowA + column * plan.innerStrideA, rowB + column * plan.innerStrideB)
                }
                sgemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                      alpha: 1, a: a.storage.base + offsets.0 * matrixA, lda: lda,
                      b: b.storage.base + offsets.1 * matrixB, ldb: ldb,
                      beta: 0, c: result.storage.base + index * m * n, ldc: n)
            }
        }
        guard Tensor.isRecording(a, b) else { return result }
        return result.recorded(from: a, b) { g, needA, needB in
            var gradientA: Tensor?, gradientB: Tensor?
            if needA {
                gradientA = switch (transposeA, transposeB) {
                case (false, false): g.matmul(b, transposeB: true)
                case (false, true): g.matmul(b)
                case (true, false): b.matmul(g, transposeB: true)
                case (true, true): b.matmul(g, transposeA: true, transposeB: true)
                }
            }
            if needB {
                gradientB = switch (transposeA, transposeB) {
                case (false, false): a.matmul(g, transposeA: true)
                case (false, true): g.matmul(a, transposeA: true)
                case (true, false): a.matmul(g)
                case (true, true): g.matmul(a, transposeA: true, transposeB: true)
                }
            }
            return (gradientA?.sum(toShape: a.shape), gradientB?.sum(toShape: b.shape))
        }
    }

    /// numpy's `dot`: the inner product of vectors, matrix–vector and matrix–matrix products.
    public func dot(_ other: Tensor) -> Tensor {
        switch (rank, other.rank) {
        case (0, _), (_, 0): return self * other
        case (1, 1):
            precondition(count == other.count, "dot: vectors of lengths \(count) and \(other.count)")
            return (self * other).sum()
        case (_, 1):
            return matmul(other.reshaped(to: [other.count, 1])).reshaped(to: Array(shape.dropLast()))
        case (1, _):
            return reshaped(to: [1, count]).matmul(other).squeezed(axes: [other.rank - 2])
        default:
            return matmul(other)
        }
    }

    /// The outer product of two vectors: `result[i, j] = self[i] * other[j]`.
    public func outer(_ other: Tensor) -> Tensor {
        reshaped(to: [count, 1]) * other.reshaped(to: [1, other.count])
    }
}

/// The matrix product of `a` and `b` (see `Tensor.matmul`).
public func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
    a.matmul(b, transposeA: transposeA, transposeB: transposeB)
}
