import Testing
@testable import KerasTensor

/// numpy's broadcasting, element by element: the reference for the broadcast kernels.
func naiveBroadcast(_ a: Tensor, _ b: Tensor, _ op: (Float, Float) -> Float) -> Tensor {
    let shape = Broadcasting.shape(a.shape, b.shape)!
    func value(_ t: Tensor, _ index: [Int]) -> Float {
        let offset = index.count - t.rank
        var position = 0
        for axis in 0..<t.rank { position = position * t.shape[axis] + (t.shape[axis] == 1 ? 0 : index[axis + offset]) }
        return t.scalars[position]
    }
    let (sa, sb) = (a, b)
    return Tensor(shape: shape, scalars: multiIndices(shape).map { op(value(sa, $0), value(sb, $0)) })
}

@Suite("Arithmetic")
struct ArithmeticTests {
    @Test func elementwiseSameShape() {
        let a: Tensor = [[1, 2], [3, 4]], b: Tensor = [[10, 20], [30, 40]]
        #expect(a + b == [[11, 22], [33, 44]])
        #expect(b - a == [[9, 18], [27, 36]])
        #expect(a * b == [[10, 40], [90, 160]])
        #expect(b / a == [[10, 10], [10, 10]])
        #expect(-a == [[-1, -2], [-3, -4]])
    }

    @Test func scalarOperands() {
        let a: Tensor = [1, 2, 4]
        #expect(a + 1 == [2, 3, 5])
        #expect(1 + a == [2, 3, 5])
        #expect(a - 1 == [0, 1, 3])
        #expect(1 - a == [0, -1, -3])
        #expect(a * 2 == [2, 4, 8])
        #expect(2 * a == [2, 4, 8])
        #expect(a / 2 == [0.5, 1, 2])
        #expect(4 / a == [4, 2, 1])
        #expect((Tensor(3) * Tensor(4)).shape == [])
        #expect((a + Tensor(1)).shape == [3])
    }

    static let broadcastCases: [([Int], [Int], [Int])] = [
        ([2, 3], [3], [2, 3]),
        ([2, 1], [1, 3], [2, 3]),
        ([4, 1, 3], [2, 1], [4, 2, 3]),
        ([3], [2, 1], [2, 3]),
        ([2, 3], [], [2, 3]),
        ([], [2, 3], [2, 3]),
        ([1, 1], [3], [1, 3]),
        ([2, 1, 3], [2, 4, 3], [2, 4, 3]),
        ([5, 1, 1], [1, 4, 1], [5, 4, 1]),
        ([3, 1, 4], [4], [3, 1, 4]),
        ([2, 3, 1, 2], [3, 5, 1], [2, 3, 5, 2]),
        ([0, 3], [1, 3], [0, 3]),
        ([1], [0], [0]),
    ]

    @Test(arguments: broadcastCases)
    func broadcastingMatchesNumpy(shapeA: [Int], shapeB: [Int], expected: [Int]) {
        let a = sample(shapeA, -2...2, seed: 1), b = sampleAwayFromZero(shapeB, 0.5...2, seed: 2)
        #expect(Broadcasting.shape(shapeA, shapeB) == expected)
        #expect((a + b) == naiveBroadcast(a, b, +))
        #expect((a - b) == naiveBroadcast(a, b, -))
        #expect((b - a) == naiveBroadcast(b, a, -))
        #expect((a * b) == naiveBroadcast(a, b, *))
        #expect((a / b) == naiveBroadcast(a, b, /))
        #expect((a .< b) == naiveBroadcast(a, b) { $0 < $1 ? 1 : 0 })
        #expect(a.broadcast(to: expected) == naiveBroadcast(a, Tensor.zeros(expected)) { x, _ in x })
    }

    @Test func incompatibleShapes() {
        #expect(Broadcasting.shape([2, 3], [2]) == nil)
        #expect(Broadcasting.shape([4, 3], [2, 1, 3]) == [2, 4, 3])
        #expect(Broadcasting.shape([2, 3], [3, 3]) == nil)
    }

    /// Large enough that the kernels split the work over threads.
    @Test func largeBroadcastsRunInParallelCorrectly() {
        let (rows, columns) = (300, 500)
        let a = Tensor.arange(0, Float(rows * columns)).reshaped(to: [rows, columns])
        let row = Tensor.arange(0, Float(columns)), column = Tensor.arange(0, Float(rows)).reshaped(to: [rows, 1])
        let sum = (a + row).scalars, product = (column * row).scalars, same = (a - a).scalars
        var ok = true
        for i in 0..<rows {
            for j in 0..<columns where sum[i * columns + j] != Float(i * columns + j) + Float(j)
                || product[i * columns + j] != Float(i * j) || same[i * columns + j] != 0 {
                ok = false
            }
        }
        #expect(ok)
        #expect((a * 2).scalars.enumerated().allSatisfy { $1 == Float(2 * $0) })
        #expect((a.exp() .>= 0).sum().scalar == Float(rows * columns))
    }

    @Test func compoundAssignmentRunsInPlace() {
        var a: Tensor = [[1, 2, 3], [4, 5, 6]]
        let address = a.withUnsafeBufferPointer { $0.baseAddress }
        a += Tensor([10, 20, 30] as [Float])
        #expect(a == [[11, 22, 33], [14, 25, 36]])
        a -= 1
        a *= Tensor([[2], [3]] as [[Float]])
        a /= 2
        #expect(a == [[10, 21, 32], [19.5, 36, 52.5]])
        #expect(a.withUnsafeBufferPointer { $0.baseAddress } == address)
        // A broadcast rhs with leading axes of size 1 still runs in place.
        a += Tensor.ones([1, 1, 3]).reshaped(to: [1, 3])
        #expect(a == [[11, 22, 33], [20.5, 37, 53.5]])
        // Float operands (not only literals) work too.
        let (two, half): (Float, Float) = (2, 0.5)
        a *= two
        a -= half
        a += 0.5
        a /= two
        #expect(a == [[11, 22, 33], [20.5, 37, 53.5]])
        #expect(a.withUnsafeBufferPointer { $0.baseAddress } == address)
    }

    @Test func compoundAssignmentIsCopyOnWrite() {
        let original: Tensor = [1, 2, 3]
        var a = original
        a += 1
        #expect(original == [1, 2, 3])
        #expect(a == [2, 3, 4])
        var view = original.reshaped(to: [3, 1])
        view *= 10
        #expect(original == [1, 2, 3])
        #expect(view == [[10], [20], [30]])
        var self_ = original
        self_ += self_
        #expect(self_ == [2, 4, 6])
        #expect(original == [1, 2, 3])
    }

    @Test func compoundAssignmentThatChangesTheShape() {
        var a: Tensor = [1, 2, 3]
        a += Tensor([[10], [20]] as [[Float]])
        #expect(a.shape == [2, 3])
        #expect(a == [[11, 12, 13], [21, 22, 23]])
        var s = Tensor(1)
        s *= Tensor([1, 2] as [Float])
        #expect(s == [1, 2])
    }

    @Test func compoundAssignmentOnTrackedTensorsRecords() {
        let tape = GradientTape()
        let x = tape.watch([1, 2, 3])
        var y = x
        tape.record {
            y *= 3
            y += x
        }
        #expect(y == [4, 8, 12])
        #expect(x == [1, 2, 3])
        expectClose(tape.gradient(of: y, wrt: x), [4, 4, 4])
    }

    @Test func comparisons() {
        let a: Tensor = [1, 2, 3], b: Tensor = [3, 2, 1]
        #expect((a .== b) == [0, 1, 0])
        #expect((a .!= b) == [1, 0, 1])
        #expect((a .< b) == [1, 0, 0])
        #expect((a .<= b) == [1, 1, 0])
        #expect((a .> b) == [0, 0, 1])
        #expect((a .>= b) == [0, 1, 1])
        #expect((a .> Tensor(1.5)) == [0, 1, 1])
    }

    @Test func whereMinimumMaximum() {
        let condition: Tensor = [[1, 0, 1], [0, 0, 1]]
        let x: Tensor = [[1, 2, 3], [4, 5, 6]]
        #expect(Tensor.where(condition, x, -x) == [[1, -2, 3], [-4, -5, 6]])
        #expect(Tensor.where([1, 0, 1], x, Tensor(0)) == [[1, 0, 3], [4, 0, 6]])
        #expect(Tensor.where([[1], [0]], x, [7, 8, 9]) == [[1, 2, 3], [7, 8, 9]])
        // Values not picked do not leak, even when they are not finite.
        #expect(Tensor.where([1, 0], Tensor([1, .infinity] as [Float]), Tensor([.nan, 2] as [Float])) == [1, 2])
        let a: Tensor = [1, 5, 3], b: Tensor = [4, 2, 3]
        #expect(a.minimum(b) == [1, 2, 3])
        #expect(a.maximum(b) == [4, 5, 3])
        #expect(minimum(a, Tensor(2)) == [1, 2, 2])
        #expect(maximum(a, [[0], [4]]) == [[1, 5, 3], [4, 5, 4]])
    }

    @Test func power() {
        let a: Tensor = [1, 2, 3]
        #expect(a.pow(2) == [1, 4, 9])
        #expect(pow(a, [3, 2, 1]) == [1, 4, 3])
        expectClose(pow(Tensor([4, 9] as [Float]), 0.5), [2, 3])
        expectClose(pow(Tensor(2), [[1], [-1]]), [2, 0.5], shape: [2, 1])
    }
}
