import Testing
@testable import KerasTensor

@Suite("Matrix products")
struct MatMulTests {
    @Test func smallProduct() {
        let a: Tensor = [[1, 2], [3, 4]], b: Tensor = [[5, 6], [7, 8]]
        #expect(a.matmul(b) == [[19, 22], [43, 50]])
        #expect(matmul(a, b, transposeA: true) == [[26, 30], [38, 44]])
        #expect(matmul(a, b, transposeB: true) == [[17, 23], [39, 53]])
        #expect(matmul(a, b, transposeA: true, transposeB: true) == [[23, 31], [34, 46]])
        #expect(Tensor.eye(3).matmul(Tensor.arange(0, 6).reshaped(to: [3, 2])) == Tensor.arange(0, 6).reshaped(to: [3, 2]))
    }

    @Test(arguments: [false, true], [false, true])
    func transposeFlagsMatchNaiveReference(transposeA: Bool, transposeB: Bool) {
        let (m, k, n) = (5, 7, 3)
        let a = sample(transposeA ? [k, m] : [m, k], seed: 1), b = sample(transposeB ? [n, k] : [k, n], seed: 2)
        let c = a.matmul(b, transposeA: transposeA, transposeB: transposeB)
        #expect(c.shape == [m, n])
        expectClose(c, naiveMatmul(a, b, transposeA: transposeA, transposeB: transposeB))
        // The flags mean the same as transposing first.
        expectClose(c, (transposeA ? a.transposed() : a).matmul(transposeB ? b.transposed() : b))
    }

    static let batchCases: [([Int], [Int], [Int])] = [
        ([2, 3, 4], [4, 5], [2, 3, 5]),
        ([3, 4], [2, 4, 5], [2, 3, 5]),
        ([2, 3, 4], [2, 4, 5], [2, 3, 5]),
        ([2, 1, 3, 4], [3, 4, 5], [2, 3, 3, 5]),
        ([1, 3, 4], [2, 4, 5], [2, 3, 5]),
        ([2, 1, 3, 4], [1, 2, 4, 5], [2, 2, 3, 5]),
        ([1, 3, 4], [4, 5], [1, 3, 5]),
    ]

    @Test(arguments: batchCases, [(false, false), (true, false), (false, true), (true, true)])
    func batchedWithBroadcasting(shapes: ([Int], [Int], [Int]), flags: (Bool, Bool)) {
        let (shapeA, shapeB, expected) = shapes
        func flipped(_ s: [Int], _ flip: Bool) -> [Int] { flip ? s.dropLast(2) + [s[s.count - 1], s[s.count - 2]] : s }
        let a = sample(flipped(shapeA, flags.0), seed: 3), b = sample(flipped(shapeB, flags.1), seed: 4)
        let c = a.matmul(b, transposeA: flags.0, transposeB: flags.1)
        #expect(c.shape == expected)
        expectClose(c, naiveMatmul(a, b, transposeA: flags.0, transposeB: flags.1))
    }

    @Test func emptyInnerDimension() {
        #expect(Tensor.zeros([2, 0]).matmul(Tensor.zeros([0, 3])) == Tensor.zeros([2, 3]))
    }

    @Test func dot() {
        let u: Tensor = [1, 2, 3], w: Tensor = [4, 5, 6]
        let m: Tensor = [[1, 0, 2], [0, 1, 0]]
        #expect(u.dot(w) == Tensor(32))
        #expect(m.dot(u) == [7, 2])
        #expect(Tensor([1, 2] as [Float]).dot(m) == [1, 2, 2])
        #expect(m.dot(m.T) == [[5, 0], [0, 1]])
        #expect(Tensor(2).dot(u) == [2, 4, 6])
        #expect(u.dot(Tensor(2)) == [2, 4, 6])
        let batch = sample([2, 3, 4], seed: 5), vector = sample([4], seed: 6)
        expectClose(batch.dot(vector), naiveMatmul(batch, vector.reshaped(to: [4, 1])).reshaped(to: [2, 3]))
        expectClose(vector.dot(sample([4, 2], seed: 7)), naiveMatmul(vector.reshaped(to: [1, 4]), sample([4, 2], seed: 7)).reshaped(to: [2]))
    }

    @Test func outer() {
        let u: Tensor = [1, 2, 3], w: Tensor = [4, 5]
        #expect(u.outer(w) == [[4, 5], [8, 10], [12, 15]])
        #expect(w.outer(u).shape == [2, 3])
        #expect(Tensor([[1, 2]] as [[Float]]).outer(w) == [[4, 5], [8, 10]])
    }

    // MARK: Fused dense forward pass

    /// `affine` computes what `matmul`, `+ bias` and `relu` compute, to the bit, with the same
    /// gradients (to rounding when leading axes are folded into one product).
    @Test(arguments: [[6, 5], [2, 3, 5]], [false, true])
    func affineMatchesMatmulPlusBiasThenRelu(inputShape: [Int], relu: Bool) {
        let x = sample(inputShape, seed: 5), kernel = sample([5, 7], seed: 6), bias = sample([7], seed: 7)
        for withBias in [false, true] {
            let tape = GradientTape()
            let (ws, leaves) = (sample(inputShape.dropLast() + [7], seed: 8), [x, kernel, bias].map(tape.watch))
            let b: Tensor? = withBias ? leaves[2] : nil
            let (fused, composite) = tape.record {
                let product = leaves[0].matmul(leaves[1])
                let reference = b.map { product + $0 } ?? product
                return ((leaves[0].affine(leaves[1], bias: b, relu: relu) * ws).sum(),
                        ((relu ? reference.relu() : reference) * ws).sum())
            }
            #expect(fused == composite)
            let sources = withBias ? leaves : Array(leaves.prefix(2))
            let (fusedGradients, compositeGradients) = (tape.gradient(of: fused, wrt: sources), tape.gradient(of: composite, wrt: sources))
            for (actual, expected) in zip(fusedGradients, compositeGradients) {
                if inputShape.count == 2 { #expect(actual == expected) } else { expectClose(actual, expected) }
            }
        }
    }
}
