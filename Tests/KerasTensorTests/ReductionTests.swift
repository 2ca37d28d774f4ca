import Foundation
import Testing
@testable import KerasTensor

/// A reference reduction in `Double`: the values over `axes` of each kept position.
func naiveReduce(_ t: Tensor, axes: [Int], keepDims: Bool, _ reduce: ([Double]) -> Double) -> Tensor {
    let axes = Set(axes.map { $0 < 0 ? $0 + t.rank : $0 })
    let kept = t.shape.indices.map { axes.contains($0) ? 1 : t.shape[$0] }
    var groups = [[Double]](repeating: [], count: kept.reduce(1, *))
    let scalars = t.scalars
    for (flat, index) in multiIndices(t.shape).enumerated() {
        var position = 0
        for axis in t.shape.indices { position = position * kept[axis] + (axes.contains(axis) ? 0 : index[axis]) }
        groups[position].append(Double(scalars[flat]))
    }
    let shape = keepDims ? kept : t.shape.indices.filter { !axes.contains($0) }.map { t.shape[$0] }
    return Tensor(shape: shape, scalars: groups.map { Float(reduce($0)) })
}

@Suite("Reductions")
struct ReductionTests {
    static let x = sample([2, 3, 4], -3...3, seed: 11)

    static let axisCases: [[Int]] = [[0], [1], [2], [-1], [-3], [0, 2], [2, 0], [-1, 1], [0, 1, 2], []]

    @Test(arguments: axisCases, [false, true])
    func sumMeanMaxMin(axes: [Int], keepDims: Bool) {
        let x = Self.x
        expectClose(x.sum(axes: axes, keepDims: keepDims), naiveReduce(x, axes: axes, keepDims: keepDims) { $0.reduce(0, +) })
        expectClose(x.mean(axes: axes, keepDims: keepDims),
                    naiveReduce(x, axes: axes, keepDims: keepDims) { $0.reduce(0, +) / Double($0.count) })
        expectClose(x.max(axes: axes, keepDims: keepDims), naiveReduce(x, axes: axes, keepDims: keepDims) { $0.max()! })
        expectClose(x.min(axes: axes, keepDims: keepDims), naiveReduce(x, axes: axes, keepDims: keepDims) { $0.min()! })
        let variance: ([Double]) -> Double = { v in
            let m = v.reduce(0, +) / Double(v.count)
            return v.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(v.count)
        }
        expectClose(x.variance(axes: axes, keepDims: keepDims), naiveReduce(x, axes: axes, keepDims: keepDims, variance))
        expectClose(x.std(axes: axes, keepDims: keepDims),
                    naiveReduce(x, axes: axes, keepDims: keepDims) { variance($0).squareRoot() })
        expectClose(x.logSumExp(axes: axes, keepDims: keepDims),
                    naiveReduce(x, axes: axes, keepDims: keepDims) { Foundation.log($0.reduce(0) { $0 + Foundation.exp($1) }) })
    }

    @Test func singleAxisOverloads() {
        let x: Tensor = [[1, 2, 3], [4, 5, 6]]
        #expect(x.sum() == Tensor(21))
        #expect(x.sum(axis: 0) == [5, 7, 9])
        #expect(x.sum(axis: -1) == [6, 15])
        #expect(x.sum(axis: 1, keepDims: true) == [[6], [15]])
        #expect(x.sum(keepDims: true).shape == [1, 1])
        #expect(x.mean() == Tensor(3.5))
        #expect(x.mean(axis: 0) == [2.5, 3.5, 4.5])
        #expect(x.max() == Tensor(6) && x.min() == Tensor(1))
        #expect(x.max(axis: 1) == [3, 6] && x.min(axis: 0, keepDims: true) == [[1, 2, 3]])
        expectClose(x.variance(axis: 1), [2.0 / 3, 2.0 / 3])
        expectClose(x.std(), [Float((35.0 / 12).squareRoot())], shape: [])
        expectClose(x.std(axis: 0, keepDims: true), [1.5, 1.5, 1.5], shape: [1, 3])
        #expect(Tensor(4).sum() == Tensor(4))
        #expect(x.sum(axes: [0, 0]) == [5, 7, 9])
    }

    @Test func emptyAxes() {
        let empty = Tensor.zeros([2, 0])
        #expect(empty.sum(axis: 1) == [0, 0])
        #expect(empty.sum(axis: 0).shape == [0])
        #expect(empty.sum() == Tensor(0))
    }

    @Test func argmaxArgminTakeTheFirstOfTies() {
        let x: Tensor = [[1, 3, 3, 0], [2, 2, -1, -1]]
        #expect(x.argmax() == [1, 0])
        #expect(x.argmin() == [3, 2])
        #expect(x.argmax(axis: 0) == [1, 0, 0, 0])
        #expect(x.argmin(axis: 0) == [0, 1, 1, 1])
        #expect(x.argmax(axis: 1, keepDims: true) == [[1], [0]])
        #expect(x.argmin(axis: -2, keepDims: true) == [[0, 1, 1, 1]])
        let cube = Tensor.arange(0, 24).reshaped(to: [2, 3, 4])
        #expect(cube.argmax(axis: 1) == Tensor.full([2, 4], 2))
        #expect((-cube).argmax(axis: 0) == Tensor.zeros([3, 4]))
    }

    @Test func logSumExpDoesNotOverflow() {
        let x: Tensor = [[1000, 1000], [-1000, -1001], [88, 89]]
        let l = x.logSumExp(axis: 1)
        expectClose(l, [1000 + Float(Foundation.log(2.0)), -1000 + Float(Foundation.log1p(Foundation.exp(-1.0))),
                        89 + Float(Foundation.log1p(Foundation.exp(-1.0)))])
        #expect(Tensor([-Float.infinity, -.infinity]).logSumExp() == Tensor(-.infinity))
        expectClose(Tensor([1e30, 1e30]).logSumExp(), [1e30], shape: [])
        expectClose(x.logSumExp(axis: 0, keepDims: true), [1000, 1000], shape: [1, 2])
    }

    @Test func largeReductions() {
        // Long contiguous rows take the vector and multi-thread paths.
        let n = 300_000
        let x = Tensor.arange(0, Float(n)) / Float(n)
        expectClose(x.sum(), [Float(Double(n - 1) / 2)], tolerance: 1e-4)
        #expect(x.max().scalar == Float(n - 1) / Float(n))
        #expect(x.min().scalar == 0)
        #expect((-x).max().scalar == 0)
        // Strided reductions of a matrix big enough to be split over threads.
        let m = x.reshaped(to: [600, 500])
        let columns = m.sum(axis: 0).scalars, rows = m.max(axis: 1).scalars
        let scalars = x.scalars
        #expect((0..<500).allSatisfy { j in
            isClose(columns[j], Float((0..<600).reduce(0.0) { $0 + Double(scalars[$1 * 500 + j]) }), tolerance: 1e-5)
        })
        #expect((0..<600).allSatisfy { i in rows[i] == scalars[i * 500 + 499] })
        #expect(m.argmax(axis: 0) == Tensor.full([500], 599))
        // Maxima in a vector tail and inside the vector body.
        var y = Tensor.zeros([37])
        y.withUnsafeMutableBufferPointer { $0[36] = 5; $0[3] = -5 }
        #expect(y.max() == Tensor(5) && y.min() == Tensor(-5))
    }

    @Test func allFiniteFindsAnyNaNOrInfinity() {
        // Large enough to be split over threads; positions in the vector body, the tail and each chunk.
        let count = 300_001
        #expect(Tensor.full([count], -3e38).allFinite)
        #expect(Tensor.zeros([0]).allFinite)
        for bad: Float in [.nan, .infinity, -.infinity] {
            for position in [0, 17, count / 2 + 5, count - 1] {
                var scalars = [Float](repeating: 1, count: count)
                scalars[position] = bad
                #expect(!Tensor(scalars).allFinite, "\(bad) at \(position)")
            }
        }
    }
}
