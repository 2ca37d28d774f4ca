import Testing
@testable import KerasTensor

@Suite struct TensorBasicsTests {
    @Test func placeholder() { #expect(Tensor([1, 2, 3] as [Float]).count == 3) }
}
