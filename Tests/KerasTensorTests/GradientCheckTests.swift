import Foundation
import Testing
@testable import KerasTensor

/// One differentiable computation to check against finite differences.
struct GradientCase: Sendable, CustomTestStringConvertible {
    let name: String
    let inputs: [Tensor]
    let epsilon: Float
    let f: @Sendable ([Tensor]) -> Tensor

    init(_ name: String, _ inputs: [Tensor], epsilon: Float = 1e-2, _ f: @escaping @Sendable ([Tensor]) -> Tensor) {
        self.name = name
        self.inputs = inputs
        self.epsilon = epsilon
        self.f = f
    }

    var testDescription: String { "\(name) \(inputs.map(\.shape))" }
}

// Inputs: deterministic, small, and away from the kinks of the function they feed.
private func any(_ shape: [Int], _ seed: UInt64) -> Tensor { sample(shape, -1...1, seed: seed) }
private func positive(_ shape: [Int], _ seed: UInt64) -> Tensor { sample(shape, 0.5...2, seed: seed) }
private func nonzero(_ shape: [Int], _ seed: UInt64) -> Tensor { sampleAwayFromZero(shape, 0.3...1.5, seed: seed) }
/// Distinct scalars at least 0.25 apart, shuffled: no near-ties for max, min, minimum, maximum.
private func distinct(_ shape: [Int], _ seed: UInt64) -> Tensor {
    let count = shape.reduce(1, *)
    var values = (0..<count).map { Float($0 - count / 2) * 0.25 }
    var generator = RandomGenerator(seed: seed)
    values.shuffle(using: &generator)
    return Tensor(shape: shape, scalars: values)
}

@Suite("Gradient checks")
struct GradientCheckTests {
    static let broadcastPairs: [([Int], [Int])] = [
        ([2, 3], [2, 3]), ([2, 3], [3]), ([3], [2, 3]), ([2, 1], [1, 3]), ([2, 3], []), ([], [2, 3]),
        ([2, 1, 3], [2, 1]),
    ]

    static let arithmeticCases: [GradientCase] = broadcastPairs.flatMap { a, b -> [GradientCase] in
        [
            GradientCase("+", [any(a, 1), any(b, 2)]) { $0[0] + $0[1] },
            GradientCase("-", [any(a, 3), any(b, 4)]) { $0[0] - $0[1] },
            GradientCase("*", [any(a, 5), any(b, 6)]) { $0[0] * $0[1] },
            GradientCase("/", [any(a, 7), nonzero(b, 8)]) { $0[0] / $0[1] },
            GradientCase("pow", [positive(a, 9), any(b, 10)]) { $0[0].pow($0[1]) },
            GradientCase("minimum", [distinct(a, 11), distinct(b, 12) + 0.125]) { $0[0].minimum($0[1]) },
            GradientCase("maximum", [distinct(a, 13), distinct(b, 14) + 0.125]) { $0[0].maximum($0[1]) },
            GradientCase("where", [any(a, 15), any(b, 16)]) {
                Tensor.where(Tensor([1, 0, 1] as [Float]), $0[0], $0[1])
            },
        ]
    } + [
        GradientCase("unary -", [any([2, 3], 1)]) { -$0[0] },
        GradientCase("tensor + scalar", [any([2, 3], 2)]) { $0[0] + 2 },
        GradientCase("scalar - tensor", [any([2, 3], 3)]) { 2 - $0[0] },
        GradientCase("tensor * scalar", [any([2, 3], 4)]) { $0[0] * 3 },
        GradientCase("scalar / tensor", [nonzero([2, 3], 5)]) { 2 / $0[0] },
        GradientCase("tensor / scalar", [any([2, 3], 6)]) { $0[0] / 4 },
        GradientCase("pow scalar exponent", [positive([2, 3], 7)]) { $0[0].pow(3) },
        GradientCase("pow negative base, integer exponent", [nonzero([4], 8)]) { pow($0[0], 2) },
        GradientCase("x * x (one value used twice)", [any([3], 9)]) { $0[0] * $0[0] },
        GradientCase("where with a condition to broadcast", [any([2, 3], 10), any([2, 3], 11)]) {
            Tensor.where(Tensor([[1], [0]] as [[Float]]), $0[0], $0[1])
        },
        GradientCase("broadcast(to:)", [any([3, 1], 12)]) { $0[0].broadcast(to: [2, 3, 4]) },
        GradientCase("broadcast(to:) of a scalar", [any([], 13)]) { $0[0].broadcast(to: [2, 2]) },
        GradientCase("sum(toShape:)", [any([2, 3, 4], 14)]) { $0[0].sum(toShape: [3, 1]) },
    ]

    static let mathCases: [GradientCase] = [
        GradientCase("exp", [any([2, 3], 1)]) { $0[0].exp() },
        GradientCase("log", [positive([2, 3], 2)]) { $0[0].log() },
        GradientCase("log1p", [any([2, 3], 3) * 0.5]) { $0[0].log1p() },
        GradientCase("sqrt", [positive([2, 3], 4)]) { $0[0].sqrt() },
        GradientCase("rsqrt", [positive([2, 3], 5)]) { $0[0].rsqrt() },
        GradientCase("square", [any([2, 3], 6)]) { $0[0].square() },
        GradientCase("abs", [nonzero([2, 3], 7)]) { $0[0].abs() },
        GradientCase("tanh", [any([2, 3], 8) * 2]) { $0[0].tanh() },
        GradientCase("sigmoid", [any([2, 3], 9) * 3]) { $0[0].sigmoid() },
        GradientCase("relu", [nonzero([2, 3], 10)]) { $0[0].relu() },
        GradientCase("softplus", [any([2, 3], 11) * 3]) { $0[0].softplus() },
        GradientCase("erf", [any([2, 3], 12) * 1.5]) { $0[0].erf() },
        GradientCase("clip", [Tensor([-2, -0.7, -0.2, 0.3, 0.45, 1.5] as [Float])]) { $0[0].clip(-0.5, 0.4) },
        GradientCase("free functions", [positive([3], 13)]) { sqrt($0[0]) * log($0[0]) + exp(-$0[0]) * tanh($0[0]) },
    ]

    static let reductionsCases: [GradientCase] = [[Int]?.none, [0], [1], [-1], [0, 2], [-3, -2], [0, 1, 2]].flatMap { axes in
        [false, true].flatMap { keep -> [GradientCase] in
            let label = "axes \(axes.map { "\($0)" } ?? "all") keepDims \(keep)"
            let all = [0, 1, 2]
            return [
                GradientCase("sum \(label)", [any([2, 3, 2], 1)]) { $0[0].sum(axes: axes ?? all, keepDims: keep) },
                GradientCase("mean \(label)", [any([2, 3, 2], 2)]) { $0[0].mean(axes: axes ?? all, keepDims: keep) },
                GradientCase("max \(label)", [distinct([2, 3, 2], 3)]) { $0[0].max(axes: axes ?? all, keepDims: keep) },
                GradientCase("min \(label)", [distinct([2, 3, 2], 4)]) { $0[0].min(axes: axes ?? all, keepDims: keep) },
                GradientCase("variance \(label)", [any([2, 3, 2], 5)]) { $0[0].variance(axes: axes ?? all, keepDims: keep) },
                GradientCase("std \(label)", [any([2, 3, 2], 6)]) { $0[0].std(axes: axes ?? all, keepDims: keep) },
                GradientCase("logSumExp \(label)", [any([2, 3, 2], 7) * 3]) { $0[0].logSumExp(axes: axes ?? all, keepDims: keep) },
            ]
        }
    } + [
        GradientCase("sum()", [any([2, 3], 8)]) { $0[0].sum() },
        GradientCase("sum(axis:)", [any([2, 3], 9)]) { $0[0].sum(axis: -1, keepDims: true) },
        GradientCase("mean(axis:)", [any([2, 3], 10)]) { $0[0].mean(axis: 0) },
        GradientCase("max(axis:)", [distinct([2, 3], 11)]) { $0[0].max(axis: 1) },
        GradientCase("min()", [distinct([2, 3], 12)]) { $0[0].min() },
        GradientCase("variance(axis:)", [any([2, 3], 13)]) { $0[0].variance(axis: 1) },
        GradientCase("std(axis:)", [any([2, 3], 14)]) { $0[0].std(axis: 0, keepDims: true) },
        GradientCase("logSumExp(axis:)", [any([2, 3], 15)]) { $0[0].logSumExp(axis: -1) },
        GradientCase("logSumExp of large values", [any([2, 3], 16) + 500]) { $0[0].logSumExp(axis: 1) - 500 },
        GradientCase("sum of a scalar", [any([], 17)]) { $0[0].sum() },
    ]

    static let shapeOpsCases: [GradientCase] = [
        GradientCase("reshape", [any([2, 3], 1)]) { $0[0].reshaped(to: [3, 2]) * Tensor([1, 2] as [Float]) },
        GradientCase("reshape -1", [any([2, 3, 2], 2)]) { $0[0].reshape([-1, 4]) },
        GradientCase("transpose", [any([2, 3], 3)]) { $0[0].transposed() },
        GradientCase("permute [2, 0, 1]", [any([2, 3, 4], 4)]) { $0[0].transposed([2, 0, 1]) },
        GradientCase("permute [1, 2, 0]", [any([2, 3, 4], 5)]) { $0[0].transposed([1, 2, 0]) },
        GradientCase(".T", [any([2, 3, 2], 6)]) { $0[0].T },
        GradientCase("squeeze", [any([1, 3, 1], 7)]) { $0[0].squeezed() },
        GradientCase("squeeze axes", [any([1, 3, 1], 8)]) { $0[0].squeezed(axes: [-1]) },
        GradientCase("expand", [any([2, 3], 9)]) { $0[0].expandingShape(at: 1) },
        GradientCase("concatenate", [any([2, 3], 10), any([1, 3], 11), any([3, 3], 12)]) {
            Tensor.concatenate($0)
        },
        GradientCase("concatenate axis 1", [any([2, 1], 13), any([2, 3], 14)]) { Tensor.concatenate($0, axis: -1) },
        GradientCase("concatenate the same tensor twice", [any([2, 2], 15)]) { Tensor.concatenate([$0[0], $0[0]], axis: 1) },
        GradientCase("stack", [any([2, 3], 16), any([2, 3], 17)]) { Tensor.stack($0, axis: 1) },
        GradientCase("split", [any([2, 5], 18)]) { x in
            let parts = x[0].split(sizes: [2, 3], axis: 1)
            return parts[0].sum(axis: 1) * parts[1].sum(axis: 1)
        },
        GradientCase("split count", [any([4, 2], 19)]) { x in
            let parts = x[0].split(count: 2)
            return parts[0] * 3 + parts[1].square()
        },
        GradientCase("concatenate with an untracked part", [any([2], 20)]) { Tensor.concatenate([$0[0], Tensor.ones([3])]) },
    ]

    static let indexingCases: [GradientCase] = [
        GradientCase("x[i]", [any([3, 4], 1)]) { $0[0][1] },
        GradientCase("x[-1, 2]", [any([3, 4], 2)]) { $0[0][-1, 2] },
        GradientCase("x[range]", [any([5, 2], 3)]) { $0[0][1..<4] },
        GradientCase("x[.all, range]", [any([3, 5], 4)]) { $0[0][.all, 2...] },
        GradientCase("x[partial, -i]", [any([3, 5], 5)]) { $0[0][..<2, -2] },
        GradientCase("slice", [any([2, 5, 2], 6)]) { $0[0].slice(axis: 1, 1..<3) },
        GradientCase("overlapping slices", [any([5], 7)]) { $0[0][0..<3] * $0[0][2..<5] },
        GradientCase("gathering", [any([4, 2], 8)]) { $0[0].gathering([3, 0, 2]) },
        GradientCase("gathering repeated indices", [any([4], 9)]) { $0[0].gathering([1, 1, 3, 1, -1]) },
        GradientCase("gathering axis 1", [any([2, 3, 2], 10)]) { $0[0].gathering([[2, 0], [2, 2]], axis: 1) },
    ]

    static let productsCases: [GradientCase] = [(false, false), (true, false), (false, true), (true, true)].flatMap { ta, tb in
        let label = "transposeA \(ta) transposeB \(tb)"
        func shape(_ rows: Int, _ columns: Int, _ flip: Bool, batch: [Int] = []) -> [Int] {
            batch + (flip ? [columns, rows] : [rows, columns])
        }
        return [
            GradientCase("matmul \(label)", [any(shape(3, 4, ta), 1), any(shape(4, 2, tb), 2)]) {
                $0[0].matmul($0[1], transposeA: ta, transposeB: tb)
            },
            GradientCase("batched matmul \(label)", [any(shape(2, 3, ta, batch: [2]), 3), any(shape(3, 2, tb, batch: [2]), 4)]) {
                $0[0].matmul($0[1], transposeA: ta, transposeB: tb)
            },
            GradientCase("broadcast matmul \(label)", [any(shape(2, 3, ta, batch: [2, 1]), 5), any(shape(3, 2, tb, batch: [3]), 6)]) {
                $0[0].matmul($0[1], transposeA: ta, transposeB: tb)
            },
            GradientCase("stack × matrix \(label)", [any(shape(2, 3, ta, batch: [2]), 7), any(shape(3, 2, tb), 8)]) {
                $0[0].matmul($0[1], transposeA: ta, transposeB: tb)
            },
            GradientCase("matrix × stack \(label)", [any(shape(2, 3, ta), 9), any(shape(3, 2, tb, batch: [1, 2]), 10)]) {
                $0[0].matmul($0[1], transposeA: ta, transposeB: tb)
            },
        ]
    } + [
        GradientCase("matmul of a matrix with itself", [any([3, 3], 11)]) { $0[0].matmul($0[0]) },
        GradientCase("dot vector·vector", [any([4], 12), any([4], 13)]) { $0[0].dot($0[1]) },
        GradientCase("dot matrix·vector", [any([3, 4], 14), any([4], 15)]) { $0[0].dot($0[1]) },
        GradientCase("dot vector·matrix", [any([3], 16), any([3, 2], 17)]) { $0[0].dot($0[1]) },
        GradientCase("dot matrix·matrix", [any([2, 3], 18), any([3, 2], 19)]) { $0[0].dot($0[1]) },
        GradientCase("dot batch·vector", [any([2, 2, 3], 20), any([3], 21)]) { $0[0].dot($0[1]) },
        GradientCase("dot scalar·vector", [any([], 22), any([3], 23)]) { $0[0].dot($0[1]) },
        GradientCase("outer", [any([3], 24), any([2], 25)]) { $0[0].outer($0[1]) },
        // Biases far from the ReLU's kink: |x·W| ≤ 3, so each unit is always on or always off.
        GradientCase("affine", [any([4, 3], 29), any([3, 3], 30), any([3], 31)]) { $0[0].affine($0[1], bias: $0[2]) },
        GradientCase("affine relu", [any([4, 3], 32), any([3, 3], 33), Tensor([4, -4, 3.5] as [Float])]) {
            $0[0].affine($0[1], bias: $0[2], relu: true)
        },
        GradientCase("affine without bias", [any([4, 3], 34), any([3, 2], 35)]) { $0[0].affine($0[1]) },
        // Soft labels (rows not summing to 1) and large logits; both inputs differentiated.
        GradientCase("softmax cross-entropy", [any([3, 4], 38) * 4, positive([3, 4], 39)]) {
            Tensor.softmaxCrossEntropy(logits: $0[0], labels: $0[1])
        },
        GradientCase("affine on a stack", [any([2, 2, 3], 36), any([3, 3], 37), Tensor([4, -4, 3.5] as [Float])]) {
            $0[0].affine($0[1], bias: $0[2], relu: true)
        },
        GradientCase("dense layer with softmax cross-entropy", [any([4, 3], 26), any([3, 2], 27), any([2], 28)]) { x in
            let logits = x[0].matmul(x[1]) + x[2]
            let labels = Tensor([[1, 0], [0, 1], [0, 1], [1, 0]] as [[Float]])
            return (logits.logSumExp(axis: -1) - (logits * labels).sum(axis: -1)).mean()
        },
    ]

    @Test(arguments: arithmeticCases) func arithmetic(_ c: GradientCase) { check(c) }
    @Test(arguments: mathCases) func math(_ c: GradientCase) { check(c) }
    @Test(arguments: reductionsCases) func reductions(_ c: GradientCase) { check(c) }
    @Test(arguments: shapeOpsCases) func shapeOps(_ c: GradientCase) { check(c) }
    @Test(arguments: indexingCases) func indexing(_ c: GradientCase) { check(c) }
    @Test(arguments: productsCases) func products(_ c: GradientCase) { check(c) }

    func check(_ c: GradientCase, sourceLocation: SourceLocation = #_sourceLocation) {
        checkGradients(c.inputs, epsilon: c.epsilon, sourceLocation: sourceLocation, c.f)
    }

    // MARK: Second order

    /// Nonlinear functions, and linear ones squared (so that their pullback must be differentiable).
    static let secondOrderCases: [GradientCase] = [
        GradientCase("x³", [any([3], 1)]) { $0[0] * $0[0] * $0[0] },
        GradientCase("x * y", [any([2, 3], 2), any([3], 3)]) { $0[0] * $0[1] },
        GradientCase("x / y", [any([2, 3], 4), nonzero([3], 5)]) { $0[0] / $0[1] },
        GradientCase("pow", [positive([3], 6), any([3], 7)]) { $0[0].pow($0[1]) },
        GradientCase("pow scalar exponent", [positive([3], 8)]) { $0[0].pow(3) },
        GradientCase("exp", [any([3], 9)]) { $0[0].exp() },
        GradientCase("log", [positive([3], 10)]) { $0[0].log() },
        GradientCase("log1p", [positive([3], 11)]) { $0[0].log1p() },
        GradientCase("sqrt", [positive([3], 12)]) { $0[0].sqrt() },
        GradientCase("rsqrt", [positive([3], 13)]) { $0[0].rsqrt() },
        GradientCase("square", [any([3], 14)]) { $0[0].square() },
        GradientCase("tanh", [any([3], 15)]) { $0[0].tanh() },
        GradientCase("sigmoid", [any([3], 16) * 2]) { $0[0].sigmoid() },
        GradientCase("softplus", [any([3], 17) * 2]) { $0[0].softplus() },
        GradientCase("erf", [any([3], 18)]) { $0[0].erf() },
        GradientCase("abs²", [nonzero([3], 19)]) { $0[0].abs() * $0[0] },
        GradientCase("relu²", [nonzero([3], 20)]) { $0[0].relu().square() },
        GradientCase("clip²", [Tensor([-2, 0.1, 0.3] as [Float])]) { $0[0].clip(-0.5, 0.4).square() },
        GradientCase("(-x)²", [any([3], 21)]) { (-$0[0]).square() },
        GradientCase("(x - y)²", [any([2, 2], 22), any([2], 23)]) { ($0[0] - $0[1]).square() },
        GradientCase("where²", [any([3], 24), any([3], 25)]) { Tensor.where([1, 0, 1], $0[0], $0[1]).square() },
        GradientCase("maximum²", [distinct([4], 26), distinct([4], 27) + 0.125]) { $0[0].maximum($0[1]).square() },
        GradientCase("minimum²", [distinct([4], 28), distinct([4], 29) + 0.125]) { minimum($0[0], $0[1]).square() },
        GradientCase("sum²", [any([2, 3], 30)]) { $0[0].sum(axis: 1).square() },
        GradientCase("mean²", [any([2, 3], 31)]) { $0[0].mean(axis: 0, keepDims: true).square() },
        GradientCase("max²", [distinct([2, 3], 32)]) { $0[0].max(axis: 1).square() },
        GradientCase("min²", [distinct([2, 3], 33)]) { $0[0].min().square() },
        GradientCase("variance", [any([2, 3], 34)]) { $0[0].variance(axis: 1) },
        GradientCase("std", [any([2, 3], 35)]) { $0[0].std(axis: 0) },
        GradientCase("logSumExp", [any([2, 3], 36)]) { $0[0].logSumExp(axis: 1) },
        GradientCase("reshape²", [any([2, 3], 37)]) { $0[0].reshaped(to: [3, 2]).square() * Tensor([1, 2] as [Float]) },
        GradientCase("transpose²", [any([2, 3], 38)]) { $0[0].T.square() * Tensor([1, 2] as [Float]) },
        GradientCase("broadcast²", [any([3], 39)]) { $0[0].broadcast(to: [2, 3]).square() },
        GradientCase("slice²", [any([4], 40)]) { $0[0][1..<3].square() },
        GradientCase("concatenate²", [any([2], 41), any([3], 42)]) { Tensor.concatenate($0).square() },
        GradientCase("stack²", [any([2], 43), any([2], 44)]) { Tensor.stack($0).square() },
        GradientCase("split²", [any([4], 45)]) { x in
            let parts = x[0].split(count: 2)
            return parts[0].square() * parts[1]
        },
        GradientCase("gathering²", [any([3], 46)]) { $0[0].gathering([2, 0, 2]).square() },
        GradientCase("matmul", [any([2, 3], 47), any([3, 2], 48)]) { $0[0].matmul($0[1]).square() },
        GradientCase("matmul transposed", [any([3, 2], 49), any([2, 3], 50)]) {
            $0[0].matmul($0[1], transposeA: true, transposeB: true).square()
        },
        GradientCase("dot", [any([3], 51), any([3], 52)]) { $0[0].dot($0[1]).square() },
        GradientCase("affine relu²", [any([2, 3], 55), any([3, 3], 56), Tensor([4, -4, 3.5] as [Float])]) {
            $0[0].affine($0[1], bias: $0[2], relu: true).square()
        },
        GradientCase("outer", [any([2], 53), any([2], 54)]) { $0[0].outer($0[1]).square() },
        GradientCase("softmax cross-entropy", [any([2, 3], 57), positive([2, 3], 58)]) {
            Tensor.softmaxCrossEntropy(logits: $0[0], labels: $0[1])
        },
    ]

    @Test(arguments: secondOrderCases) func secondOrder(_ c: GradientCase) {
        checkSecondOrder(c.inputs, epsilon: c.epsilon, c.f)
    }

    // MARK: Exact values where finite differences do not apply

    @Test func gatheringAccumulatesRepeatedIndices() {
        let tape = GradientTape()
        let x = tape.watch([10, 20, 30, 40])
        let y = tape.record { x.gathering([[1, 1], [3, 1]]) * [[1, 2], [3, 4]] }
        #expect(tape.gradient(of: y, wrt: x) == [0, 7, 0, 3])
        let m = tape.watch([[1, 2], [3, 4]])
        let z = tape.record { m.gathering([0, 0, 0], axis: 1) }
        #expect(tape.gradient(of: z, wrt: m) == [[3, 0], [3, 0]])
    }

    @Test func tiesShareTheGradientOfMaxAndMin() {
        let tape = GradientTape()
        let x = tape.watch([[1, 3, 3], [2, 0, 0]])
        let (maxima, minima) = tape.record { (x.max(axis: 1), x.min(axis: 1)) }
        #expect(tape.gradient(of: maxima, wrt: x) == [[0, 0.5, 0.5], [1, 0, 0]])
        #expect(tape.gradient(of: minima, wrt: x) == [[1, 0, 0], [0, 0.5, 0.5]])
        let all = tape.record { x.max() }
        #expect(tape.gradient(of: all, wrt: x) == [[0, 0.5, 0.5], [0, 0, 0]])
    }

    @Test func tiesOfMinimumAndMaximumGoToSelf() {
        let tape = GradientTape()
        let a = tape.watch([1, 2]), b = tape.watch([1, 3])
        let (low, high) = tape.record { (a.minimum(b), a.maximum(b)) }
        #expect(tape.gradient(of: low, wrt: [a, b]) == [[1, 1], [0, 0]])
        #expect(tape.gradient(of: high, wrt: [a, b]) == [[1, 0], [0, 1]])
    }

    @Test func kinksAndBounds() {
        let tape = GradientTape()
        let x = tape.watch([-1, 0, 2])
        let (r, a, c) = tape.record { (x.relu(), x.abs(), x.clip(0, 1)) }
        #expect(tape.gradient(of: r, wrt: x) == [0, 0, 1])
        #expect(tape.gradient(of: a, wrt: x) == [-1, 0, 1])
        #expect(tape.gradient(of: c, wrt: x) == [0, 1, 0])
    }

    @Test func softmaxCrossEntropyEqualsItsComposedFormAndStaysFinite() {
        let logits = Tensor([[1, 2, 3], [1000, -1000, 0], [-1000, 0, 0]] as [[Float]])
        let labels = Tensor([[0, 0, 1], [0.5, 0, 0.5], [0, 1, 0]] as [[Float]])
        let fused = Tensor.softmaxCrossEntropy(logits: logits, labels: labels)
        // Row 1: Σ t·(lse − x) with lse = log(e + e² + e³); row 2: half of 1000 − 0; row 3: log 2.
        let lse = Float(Foundation.log(Foundation.exp(1.0) + Foundation.exp(2.0) + Foundation.exp(3.0)))
        expectClose(fused, [lse - 3, 500, Float(Foundation.log(2.0))], tolerance: 1e-4)
        let tape = GradientTape()
        let x = tape.watch(logits)
        let g = tape.gradient(of: tape.record { Tensor.softmaxCrossEntropy(logits: x, labels: labels).sum() }, wrt: x)
        // softmax · Σ t − t: row 2's softmax is (1, 0, 0); row 3's is (0, ½, ½).
        expectClose(g.slice(axis: 0, 1..<3), [[0.5, 0, -0.5], [0, -0.5, 0.5]], tolerance: 1e-5)
    }

    @Test func logSumExpGradientIsSoftmaxEvenForLargeValues() {
        let tape = GradientTape()
        let x = tape.watch([[1000, 1000], [-1000, -1000 + Float(Foundation.log(2.0))]])
        let y = tape.record { x.logSumExp(axis: 1) }
        let g = tape.gradient(of: y, wrt: x)
        #expect(g.scalars.allSatisfy { $0.isFinite })
        expectClose(g, [0.5, 0.5, 1.0 / 3, 2.0 / 3], tolerance: 1e-4)
    }

    @Test func secondOrderThroughVariables() {
        let w = Variable([0.5, -1])
        let x: Tensor = [[1, 2], [3, -1]]
        let outer = GradientTape(), inner = GradientTape()
        let gradientNorm = outer.record { () -> Tensor in
            let loss = inner.record { x.matmul(w.value.reshaped(to: [2, 1])).tanh().sum() }
            return inner.gradient(of: loss, wrt: w).square().sum()
        }
        let analytic = outer.gradient(of: gradientNorm, wrt: w)
        // Finite differences of the first-order gradient norm.
        func norm(_ value: Tensor) -> Double {
            let tape = GradientTape()
            let v = tape.watch(value)
            let loss = tape.record { x.matmul(v.reshaped(to: [2, 1])).tanh().sum() }
            return tape.gradient(of: loss, wrt: v).scalars.reduce(0.0) { $0 + Double($1 * $1) }
        }
        let numeric = (0..<2).map { i -> Float in
            var up = w.value, down = w.value
            up.withUnsafeMutableBufferPointer { $0[i] += 1e-2 }
            down.withUnsafeMutableBufferPointer { $0[i] -= 1e-2 }
            return Float((norm(up) - norm(down)) / 2e-2)
        }
        expectClose(analytic, numeric, tolerance: 1e-2)
    }
}
