import Testing
@testable import KerasTensor

/// numpy's `transpose(axes)`, element by element.
func naiveTranspose(_ t: Tensor, _ permutation: [Int]) -> Tensor {
    let shape = permutation.map { t.shape[$0] }
    let strides = Tensor.strides(of: t.shape), scalars = t.scalars
    return Tensor(shape: shape, scalars: multiIndices(shape).map { index in
        scalars[zip(permutation, index).reduce(0) { $0 + strides[$1.0] * $1.1 }]
    })
}

@Suite("Shape operations")
struct ShapeOpsTests {
    let x = Tensor.arange(0, 24).reshaped(to: [2, 3, 4])

    @Test func reshape() {
        let v = Tensor.arange(0, 6)
        #expect(v.reshaped(to: [2, 3]) == [[0, 1, 2], [3, 4, 5]])
        #expect(v.reshaped(to: [-1, 2]).shape == [3, 2])
        #expect(v.reshaped(to: [3, -1]).shape == [3, 2])
        #expect(v.reshaped(to: [1, -1, 1]).shape == [1, 6, 1])
        #expect(v.reshape([6]) == v)
        #expect(x.reshaped(to: [-1]).scalars == v.scalars + Tensor.arange(6, 24).scalars)
        #expect(Tensor(3).reshaped(to: [1, 1]).shape == [1, 1])
        #expect(Tensor([5] as [Float]).reshaped(to: []).shape == [])
        #expect(Tensor.zeros([0, 3]).reshaped(to: [3, 0]).shape == [3, 0])
        #expect(Tensor.resolve([2, -1, 2], count: 12, op: "test") == [2, 3, 2])
    }

    static let permutations: [[Int]] = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]]

    @Test(arguments: permutations)
    func transposeMatchesNumpy(permutation: [Int]) {
        #expect(x.transposed(permutation) == naiveTranspose(x, permutation))
        #expect(x.transposed(permutation).shape == permutation.map { x.shape[$0] })
    }

    @Test func transposeShortcuts() {
        let m: Tensor = [[1, 2, 3], [4, 5, 6]]
        #expect(m.T == [[1, 4], [2, 5], [3, 6]])
        #expect(m.transposed() == m.T)
        #expect(x.T == naiveTranspose(x, [2, 1, 0]))
        #expect(x.transposed() == naiveTranspose(x, [0, 2, 1]))
        #expect(Tensor([1, 2, 3] as [Float]).T == [1, 2, 3])
        #expect(Tensor(2).T == Tensor(2))
        let big = Tensor.arange(0, 300 * 500).reshaped(to: [300, 500])
        #expect(big.T == naiveTranspose(big, [1, 0]))
        #expect(big.T.T == big)
    }

    @Test func squeezeAndExpand() {
        let t = Tensor.zeros([1, 3, 1, 2])
        #expect(t.squeezed().shape == [3, 2])
        #expect(t.squeezed(axes: [0]).shape == [3, 1, 2])
        #expect(t.squeezed(axes: [-2]).shape == [1, 3, 2])
        #expect(t.squeezed(axes: [2, 0]).shape == [3, 2])
        let v: Tensor = [1, 2, 3]
        #expect(v.expandingShape(at: 0).shape == [1, 3])
        #expect(v.expandingShape(at: 1).shape == [3, 1])
        #expect(v.expandingShape(at: -1).shape == [3, 1])
        #expect(v.expandingShape(at: -2).shape == [1, 3])
        #expect(v.expandingShape(at: 1).scalars == [1, 2, 3])
        #expect(Tensor(1).expandingShape(at: 0).shape == [1])
    }

    @Test func concatenate() {
        let a: Tensor = [[1, 2], [3, 4]], b: Tensor = [[5, 6]], c: Tensor = [[7], [8]]
        #expect(Tensor.concatenate([a, b]) == [[1, 2], [3, 4], [5, 6]])
        #expect(Tensor.concatenate([a, c], axis: 1) == [[1, 2, 7], [3, 4, 8]])
        #expect(Tensor.concatenate([a, c, a], axis: -1) == [[1, 2, 7, 1, 2], [3, 4, 8, 3, 4]])
        #expect(Tensor.concatenate([a]) == a)
        let y = Tensor.concatenate([x, x * 10], axis: 1)
        #expect(y.shape == [2, 6, 4])
        #expect(y[0, 3] == [0, 10, 20, 30])
        #expect(y[1, 2] == [20, 21, 22, 23])
        #expect(Tensor.concatenate([Tensor.zeros([2, 0]), a], axis: 1) == a)
    }

    @Test func stack() {
        let a: Tensor = [1, 2], b: Tensor = [3, 4]
        #expect(Tensor.stack([a, b]) == [[1, 2], [3, 4]])
        #expect(Tensor.stack([a, b], axis: 1) == [[1, 3], [2, 4]])
        #expect(Tensor.stack([a, b], axis: -1) == [[1, 3], [2, 4]])
        #expect(Tensor.stack([Tensor(1), Tensor(2)]) == [1, 2])
        let s = Tensor.stack([x, x + 100, x + 200], axis: 2)
        #expect(s.shape == [2, 3, 3, 4])
        #expect(s[1, 2, 1] == [120, 121, 122, 123])
    }

    @Test func split() {
        let parts = x.split(sizes: [1, 2], axis: 1)
        #expect(parts.map(\.shape) == [[2, 1, 4], [2, 2, 4]])
        #expect(Tensor.concatenate(parts, axis: 1) == x)
        #expect(parts[0] == x[.all, 0..<1])
        let halves = x.split(count: 2, axis: -1)
        #expect(halves.count == 2)
        #expect(halves[1] == x[.all, .all, 2...])
        #expect(x.split(count: 1) == [x])
        let withEmpty = x.split(sizes: [0, 4], axis: 2)
        #expect(withEmpty[0].shape == [2, 3, 0] && withEmpty[1] == x)
        #expect(Tensor.arange(0, 6).split(sizes: [2, 1, 3]) == [[0, 1], [2], [3, 4, 5]])
    }
}
