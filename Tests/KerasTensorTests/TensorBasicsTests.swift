import Testing
@testable import KerasTensor

@Suite("Tensor basics")
struct TensorBasicsTests {
    @Test func scalarLiterals() {
        let a: Tensor = 3
        let b: Tensor = 2.5
        #expect(a.shape == [] && a.rank == 0 && a.count == 1)
        #expect(a.scalar == 3)
        #expect(b.scalar == 2.5)
        #expect(Float(b) == 2.5)
    }

    @Test func nestedArrayLiterals() {
        let v: Tensor = [1, 2, 3]
        #expect(v.shape == [3])
        #expect(v.scalars == [1, 2, 3])
        let m: Tensor = [[1, 2, 3], [4, 5, 6]]
        #expect(m.shape == [2, 3] && m.rank == 2 && m.count == 6)
        #expect(m.scalars == [1, 2, 3, 4, 5, 6])
        let c: Tensor = [[[1, 2]], [[3, 4]], [[5, 6]]]
        #expect(c.shape == [3, 1, 2])
        #expect(c.scalars == [1, 2, 3, 4, 5, 6])
        let empty: Tensor = []
        #expect(empty.shape == [0] && empty.count == 0)
    }

    @Test func initializersAndConversions() {
        let a = Tensor(shape: [2, 2], scalars: [1, 2, 3, 4])
        #expect(a.shape == [2, 2])
        #expect([Float](a) == [1, 2, 3, 4])
        #expect([[Float]](a) == [[1, 2], [3, 4]])
        #expect(Tensor([[1, 2], [3, 4]] as [[Float]]) == a)
        #expect(Tensor([1, 2, 3] as [Int]).scalars == [1, 2, 3])
        let cube = Tensor([[[1, 2], [3, 4]], [[5, 6], [7, 8]]] as [[[Float]]])
        #expect(cube.shape == [2, 2, 2])
        #expect(cube.scalars == (1...8).map(Float.init))
        #expect(Tensor(repeating: 7, shape: [2, 3]).scalars == [Float](repeating: 7, count: 6))
        #expect(Tensor(5).shape == [])
    }

    @Test func emptyTensors() {
        let a = Tensor(shape: [0], scalars: [])
        #expect(a.count == 0 && a.shape == [0])
        let b = Tensor([Float]())
        #expect(b.shape == [0])
        let c = Tensor(shape: [2, 0, 3], scalars: [])
        #expect(c.count == 0 && c.rank == 3)
        #expect(Tensor([[Float]]()).shape == [0, 0])
        #expect((c + 1).shape == [2, 0, 3])
        #expect(c.sum().scalar == 0)
    }

    @Test func withUnsafeBufferPointers() {
        var a: Tensor = [1, 2, 3]
        #expect(a.withUnsafeBufferPointer { $0.reduce(0, +) } == 6)
        a.withUnsafeMutableBufferPointer { $0[1] = 20 }
        #expect(a.scalars == [1, 20, 3])
    }

    @Test func copyOnWrite() {
        let original: Tensor = [1, 2, 3]
        var copy = original
        copy.withUnsafeMutableBufferPointer { $0[0] = 100 }
        #expect(original.scalars == [1, 2, 3])
        #expect(copy.scalars == [100, 2, 3])

        // A reshaped tensor shares the scalars until one side writes.
        var reshaped = original.reshaped(to: [3, 1])
        reshaped.withUnsafeMutableBufferPointer { $0[2] = -1 }
        #expect(original.scalars == [1, 2, 3])
        #expect(reshaped.scalars == [1, 2, -1])

        // A uniquely held tensor is written in place.
        var unique = Tensor([1, 2, 3] as [Float])
        let before = unique.withUnsafeBufferPointer { $0.baseAddress }
        unique.withUnsafeMutableBufferPointer { $0[0] = 5 }
        #expect(unique.withUnsafeBufferPointer { $0.baseAddress } == before)
    }

    @Test func equality() {
        let a: Tensor = [[1, 2], [3, 4]]
        #expect(a == Tensor(shape: [2, 2], scalars: [1, 2, 3, 4]))
        #expect(a != Tensor(shape: [4], scalars: [1, 2, 3, 4]))
        #expect(a != Tensor(shape: [2, 2], scalars: [1, 2, 3, 5]))
        #expect(a == a.reshaped(to: [2, 2]))
        #expect(Tensor(1) != Tensor([1] as [Float]))
    }

    @Test func strides() {
        #expect(Tensor.strides(of: [2, 3, 4]) == [12, 4, 1])
        #expect(Tensor.strides(of: []) == [])
        #expect(Tensor.normalize(axis: -1, rank: 3, op: "test") == 2)
        #expect(Tensor.normalize(axis: 1, rank: 3, op: "test") == 1)
    }

    // Expected strings are numpy's `str(np.array(..., dtype=np.float32))`.
    @Test(arguments: [
        (Tensor([[0, 1], [1, 0]] as [[Float]]), "[[0. 1.]\n [1. 0.]]"),
        (Tensor([0.5, 1.25] as [Float]), "[0.5  1.25]"),
        (Tensor([1, 0.5] as [Float]), "[1.  0.5]"),
        (Tensor([-1, 2] as [Float]), "[-1.  2.]"),
        (Tensor([0.1, 0.2, 0.3] as [Float]), "[0.1 0.2 0.3]"),
        (Tensor([-0.5, 10.25] as [Float]), "[-0.5  10.25]"),
        (Tensor([1.0 / 3, 2] as [Float]), "[0.33333334 2.        ]"),
        (Tensor([1e-5, 1] as [Float]), "[1.e-05 1.e+00]"),
        (Tensor([1e-5, 1.5] as [Float]), "[1.0e-05 1.5e+00]"),
        (Tensor([1e9, 1] as [Float]), "[1.e+09 1.e+00]"),
        (Tensor([.nan, 1, -.infinity] as [Float]), "[ nan   1. -inf]"),
        (Tensor(3), "3.0"),
        (Tensor(2.5), "2.5"),
        (Tensor(shape: [0], scalars: []), "[]"),
        (Tensor(shape: [2, 0], scalars: []), "[]"),
    ])
    func descriptionLikeNumpy(tensor: Tensor, expected: String) {
        #expect(tensor.description == expected)
    }

    @Test func descriptionOfRank3() {
        let t = Tensor.arange(0, 24).reshaped(to: [2, 3, 4])
        #expect(t.description == """
            [[[ 0.  1.  2.  3.]
              [ 4.  5.  6.  7.]
              [ 8.  9. 10. 11.]]

             [[12. 13. 14. 15.]
              [16. 17. 18. 19.]
              [20. 21. 22. 23.]]]
            """)
        #expect(t.debugDescription.hasPrefix("Tensor(shape: [2, 3, 4], [[[ 0."))
    }

    @Test func descriptionSummarizesLargeTensors() {
        #expect(Tensor.arange(0, 2000).description
            == "[0.000e+00 1.000e+00 2.000e+00 ... 1.997e+03 1.998e+03 1.999e+03]")
        #expect(Tensor.arange(0, 3000).reshaped(to: [3, 1000]).description == """
            [[0.000e+00 1.000e+00 2.000e+00 ... 9.970e+02 9.980e+02 9.990e+02]
             [1.000e+03 1.001e+03 1.002e+03 ... 1.997e+03 1.998e+03 1.999e+03]
             [2.000e+03 2.001e+03 2.002e+03 ... 2.997e+03 2.998e+03 2.999e+03]]
            """)
        let ones = Tensor.ones([10, 200]).description
        #expect(ones == """
            [[1. 1. 1. ... 1. 1. 1.]
             [1. 1. 1. ... 1. 1. 1.]
             [1. 1. 1. ... 1. 1. 1.]
             ...
             [1. 1. 1. ... 1. 1. 1.]
             [1. 1. 1. ... 1. 1. 1.]
             [1. 1. 1. ... 1. 1. 1.]]
            """)
    }
}
