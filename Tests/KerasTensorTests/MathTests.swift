import Foundation
import Testing
@testable import KerasTensor

@Suite("Elementwise math")
struct MathTests {
    static let x: Tensor = [[-2, -0.5, 0.25], [1, 3, 0]]

    static var functions: [(String, (Tensor) -> Tensor, (Double) -> Double)] { [
        ("exp", { $0.exp() }, Foundation.exp),
        ("tanh", { $0.tanh() }, Foundation.tanh),
        ("square", { $0.square() }, { $0 * $0 }),
        ("abs", { $0.abs() }, Swift.abs),
        ("sign", { $0.sign() }, { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) }),
        ("sigmoid", { $0.sigmoid() }, { 1 / (1 + Foundation.exp(-$0)) }),
        ("relu", { $0.relu() }, { Swift.max($0, 0) }),
        ("softplus", { $0.softplus() }, { Foundation.log(1 + Foundation.exp($0)) }),
        ("erf", { $0.erf() }, Foundation.erf),
        ("clip", { $0.clip(-1, 0.5) }, { Swift.min(Swift.max($0, -1), 0.5) }),
    ] }

    @Test(arguments: 0..<10)
    func matchesFoundation(index: Int) {
        let (name, f, reference) = Self.functions[index]
        let y = f(Self.x)
        #expect(y.shape == Self.x.shape, "\(name)")
        expectClose(y, Self.x.scalars.map { Float(reference(Double($0))) }, tolerance: 1e-6)
    }

    @Test func functionsOfPositiveNumbers() {
        let x: Tensor = [0.25, 1, 4, 9]
        expectClose(x.log(), x.scalars.map { Foundation.log($0) })
        expectClose(x.log1p(), x.scalars.map { Foundation.log1p($0) })
        expectClose(x.sqrt(), [0.5, 1, 2, 3])
        expectClose(x.rsqrt(), [2, 1, 0.5, 1.0 / 3])
        expectClose(log1p(Tensor(1e-7)), [1e-7], tolerance: 1e-6)
    }

    @Test func freeFunctionsMatchMethods() {
        let x: Tensor = [0.5, 1, 2]
        #expect(exp(x) == x.exp() && log(x) == x.log() && log1p(x) == x.log1p() && sqrt(x) == x.sqrt())
        #expect(rsqrt(x) == x.rsqrt() && square(x) == x.square() && abs(-x) == x && sign(-x) == [-1, -1, -1])
        #expect(tanh(x) == x.tanh() && sigmoid(x) == x.sigmoid() && relu(-x) == [0, 0, 0])
        #expect(softplus(x) == x.softplus() && erf(x) == x.erf() && clip(x, 0.75, 1.5) == [0.75, 1, 1.5])
        #expect(x.clipped(to: 0.75...1.5) == x.clip(0.75, 1.5))
    }

    @Test func stableForExtremeInputs() {
        let big: Tensor = [-1000, -100, 100, 1000]
        let s = big.sigmoid().scalars
        #expect(s[0] == 0 && s[1] > 0 && s[1] < 1e-30 && s[2] == 1 && s[3] == 1)
        expectClose(big.softplus(), [0, 0, 100, 1000])
        #expect(big.softplus().scalars.allSatisfy { $0.isFinite })
        #expect(big.tanh() == [-1, -1, 1, 1])
    }
}
