import Testing
@testable import KerasTensor

@Suite("Indexing")
struct IndexingTests {
    let x = Tensor.arange(0, 24).reshaped(to: [2, 3, 4])
    let v: Tensor = [10, 11, 12, 13, 14]

    @Test func integers() {
        #expect(x[0].shape == [3, 4])
        #expect(x[1, 2] == [20, 21, 22, 23])
        #expect(x[1, 2, 3] == Tensor(23))
        #expect(x[1, 2, 3].shape == [])
        #expect(v[0] == Tensor(10))
    }

    @Test func negativeIntegers() {
        #expect(v[-1] == Tensor(14))
        #expect(v[-5] == Tensor(10))
        #expect(x[-1, -3] == [12, 13, 14, 15])
        #expect(x[-2] == x[0])
    }

    @Test func ranges() {
        #expect(v[1..<3] == [11, 12])
        #expect(v[1...3] == [11, 12, 13])
        #expect(v[2..<2].shape == [0])
        #expect(v[-3..<(-1)] == [12, 13])
        #expect(v[-3...(-1)] == [12, 13, 14])
        #expect(v[-2...(-2)] == [13])
        #expect(v[0..<100] == v)
        #expect(v[3..<100] == [13, 14])
        #expect(x[0..<1, 1..<3].shape == [1, 2, 4])
        #expect(x[0, 1..<3, 2] == [6, 10])
    }

    @Test func partialRanges() {
        #expect(v[2...] == [12, 13, 14])
        #expect(v[..<2] == [10, 11])
        #expect(v[...2] == [10, 11, 12])
        #expect(v[(-2)...] == [13, 14])
        #expect(v[..<(-2)] == [10, 11, 12])
        #expect(v[...(-2)] == [10, 11, 12, 13])
        #expect(v[...(-1)] == v)
        #expect(x[1..., ..<1] == [[[12, 13, 14, 15]]])
    }

    @Test func wholeAxes() {
        #expect(x[.all, 1] == [[4, 5, 6, 7], [16, 17, 18, 19]])
        #expect(x[.all, .all, 0] == [[0, 4, 8], [12, 16, 20]])
        #expect(x[.all] == x)
        #expect(x[TensorRange.range(1..<3)] == x[1..<3])
        #expect(x[.all, TensorRange.index(-1), .from(2)] == [[10, 11], [22, 23]])
        #expect(x[.all, .upTo(1)] == x[.all, 0..<1])
    }

    @Test func slice() {
        #expect(x.slice(axis: 2, 1..<3) == x[.all, .all, 1..<3])
        #expect(x.slice(axis: -1, 0..<4) == x)
        #expect(x.slice(axis: 0, 1..<2) == x[1..<2])
    }

    @Test func gathering() {
        #expect(v.gathering([4, 0, 2]) == [14, 10, 12])
        #expect(v.gathering([1, 1, -1]) == [11, 11, 14])
        #expect(v.gathering(Tensor(3)) == Tensor(13))
        #expect(v.gathering([[0, 1], [2, 3]]) == [[10, 11], [12, 13]])
        let m: Tensor = [[1, 2, 3], [4, 5, 6]]
        #expect(m.gathering([1, 1, 0]) == [[4, 5, 6], [4, 5, 6], [1, 2, 3]])
        #expect(m.gathering([2, 0], axis: 1) == [[3, 1], [6, 4]])
        #expect(m.gathering([[2], [0]], axis: -1).shape == [2, 2, 1])
        #expect(x.gathering([2, 0], axis: 1).shape == [2, 2, 4])
        #expect(x.gathering([2, 0], axis: 1)[1, 0] == [20, 21, 22, 23])
        #expect(v.gathering(Tensor(shape: [0], scalars: [])).shape == [0])
    }
}
