import Testing
@testable import KerasTensor

/// numpy habits: `np.round`, `np.clip`, `argmax` printing as integers, `astype(int)`, `list(map(int, a))`, slicing.
@Suite struct ConversionTests {
    @Test func roundedRoundsHalvesToEvenAsNumPy() {
        let x = Tensor([0.5, 1.5, 2.5, -0.5, 0.49, 2.6, -1.7])
        #expect(x.rounded().scalars == [0, 2, 2, -0, 0, 3, -2])
        #expect(round(x) == x.rounded())
    }

    @Test func clippingAsNumPy() {
        let x = Tensor([-2, 0.5, 3])
        #expect(x.clipped(to: 0...1).scalars == [0, 0.5, 1])
        #expect(clip(x, -1, 2).scalars == [-1, 0.5, 2])
    }

    @Test func argmaxPrintsAsIntegers() {
        let probabilities: Tensor = [[0.1, 0.7, 0.2], [0.8, 0.1, 0.1], [0.2, 0.2, 0.6]]
        let classes = probabilities.argmax(axis: -1)
        #expect(classes.kind == .integer)
        #expect(classes.description == "[1 0 2]")
        #expect(classes[0..<2].description == "[1 0]", "slicing keeps the kind")
        #expect(classes[2].description == "2")
        #expect(Tensor([[10, 2], [3, 4]]).argmin(axis: 0).description == "[1 0]")
        #expect((classes + 0.5).kind == .float, "arithmetic gives floats")
        #expect(Tensor([1, 0, 2]).description == "[1. 0. 2.]", "float tensors print as numpy floats")
        let wide = Tensor([3, 120, -7]).astype(.integer).reshaped(to: [3, 1])
        #expect(wide.description == "[[  3]\n [120]\n [ -7]]")
    }

    @Test func conversionToIntTruncatesAndRefusesNaN() throws {
        let x = Tensor([2.9, -2.9, 0, 7])
        #expect(try x.toIntArray() == [2, -2, 0, 7])
        #expect(try [Int](x) == [2, -2, 0, 7])
        #expect(x.astype(.integer).scalars == [2, -2, 0, 7])
        #expect(x.astype(.integer).astype(.float).description == "[ 2. -2.  0.  7.]")
        #expect(throws: TensorConversionError.self) {
            _ = try Tensor([1, .nan, 3]).toIntArray()
        }
        do {
            _ = try [Int](Tensor([1, 2, 1e30]))
            Issue.record("1e30 converted to Int")
        } catch let error as TensorConversionError {
            #expect(error.index == 2 && error.description.contains("1e+30"))
        }
    }

    @Test func slicingAsNumPy() {
        let x = Tensor(shape: [4, 3], scalars: (0..<12).map(Float.init))
        #expect(x[0..<2] == Tensor(shape: [2, 3], scalars: [0, 1, 2, 3, 4, 5]))   // x[0:2]
        #expect(x[.all, 1] == Tensor([1, 4, 7, 10]))                            // x[:, 1]
        #expect(x[1..., 2...] == Tensor(shape: [3, 1], scalars: [5, 8, 11]))     // x[1:, 2:]
        #expect(x[-1] == Tensor([9, 10, 11]))                                    // x[-1]
    }
}
