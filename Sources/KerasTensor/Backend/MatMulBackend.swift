/// Computes `C = alpha * op(A) * op(B) + beta * C` on row-major single-precision matrices.
///
/// `op(X)` is `X` or its transpose; `lda`, `ldb`, `ldc` are row strides in elements of the
/// matrices as stored. This is the single entry point every matmul in the engine goes through.
/// (Placeholder naive kernel: replaced by the packed SIMD kernel and the run-time BLAS.)
@inlinable
func sgemm(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
    alpha: Float, a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
) {
    for i in 0..<m {
        for j in 0..<n {
            var sum: Float = 0
            for p in 0..<k {
                let x = transposeA ? a[p * lda + i] : a[i * lda + p]
                let y = transposeB ? b[j * ldb + p] : b[p * ldb + j]
                sum += x * y
            }
            c[i * ldc + j] = alpha * sum + (beta == 0 ? 0 : beta * c[i * ldc + j])
        }
    }
}
