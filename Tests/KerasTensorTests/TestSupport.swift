import Testing
@testable import KerasTensor

// Helpers shared by the tensor engine's tests: approximate comparisons, naive references
// and the finite-difference gradient check.

/// Whether `a` and `b` agree to `tolerance` (absolute, plus relative to the larger magnitude).
func isClose(_ a: Float, _ b: Float, tolerance: Float = 1e-5) -> Bool {
    if a.isNaN || b.isNaN { return a.isNaN && b.isNaN }
    if a == b { return true }
    return Swift.abs(a - b) <= tolerance * Swift.max(1, Swift.abs(a), Swift.abs(b))
}

/// Expects `actual` to have `shape` and scalars close to `expected`.
func expectClose(
    _ actual: Tensor, _ expected: [Float], shape: [Int]? = nil, tolerance: Float = 1e-5,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    if let shape { #expect(actual.shape == shape, sourceLocation: sourceLocation) }
    #expect(actual.count == expected.count, "count \(actual.count) ≠ \(expected.count)", sourceLocation: sourceLocation)
    guard actual.count == expected.count else { return }
    let scalars = actual.scalars
    let bad = scalars.indices.filter { !isClose(scalars[$0], expected[$0], tolerance: tolerance) }
    #expect(bad.isEmpty, "mismatch at \(bad.prefix(5)): got \(bad.prefix(5).map { scalars[$0] }), expected \(bad.prefix(5).map { expected[$0] })",
            sourceLocation: sourceLocation)
}

/// Expects two tensors to have the same shape and close scalars.
func expectClose(
    _ actual: Tensor, _ expected: Tensor, tolerance: Float = 1e-5, sourceLocation: SourceLocation = #_sourceLocation
) {
    expectClose(actual, expected.scalars, shape: expected.shape, tolerance: tolerance, sourceLocation: sourceLocation)
}

/// A deterministic tensor of `shape` with scalars uniform in `range`.
func sample(_ shape: [Int], _ range: ClosedRange<Float> = -1...1, seed: UInt64) -> Tensor {
    Tensor.randomUniform(shape, lower: range.lowerBound, upper: range.upperBound, seed: seed)
}

/// A deterministic tensor whose scalars have magnitudes in `magnitude` and random signs:
/// away from zero, for functions with a kink there (abs, relu, …).
func sampleAwayFromZero(_ shape: [Int], _ magnitude: ClosedRange<Float> = 0.2...1.5, seed: UInt64) -> Tensor {
    let size = sample(shape, magnitude, seed: seed)
    let sign = sample(shape, -1...1, seed: seed &+ 1).sign()
    return size * sign.map { $0 == 0 ? 1 : $0 }
}

/// The scalar index of each position of `shape`, row-major.
func multiIndices(_ shape: [Int]) -> [[Int]] {
    var result: [[Int]] = [[]]
    for size in shape { result = result.flatMap { prefix in (0..<size).map { prefix + [$0] } } }
    return result
}

/// A naive reference matrix product of the last two axes, with numpy broadcasting of the batch axes.
func naiveMatmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
    func matrices(_ t: Tensor, transpose: Bool) -> (batch: [Int], rows: [[[Double]]]) {
        let (r, c) = (t.shape[t.rank - 2], t.shape[t.rank - 1])
        let batch = Array(t.shape.dropLast(2))
        let s = t.scalars.map(Double.init)
        let count = batch.reduce(1, *)
        let rows = (0..<count).map { m in
            let block = (0..<r).map { i in (0..<c).map { j in s[m * r * c + i * c + j] } }
            return transpose ? (0..<c).map { j in (0..<r).map { i in block[i][j] } } : block
        }
        return (batch, rows)
    }
    let (batchA, ma) = matrices(a, transpose: transposeA)
    let (batchB, mb) = matrices(b, transpose: transposeB)
    let batch = Broadcasting.shape(batchA, batchB)!
    let (m, k, n) = (ma[0].count, ma[0][0].count, mb[0][0].count)
    precondition(mb[0].count == k)
    var out: [Float] = []
    for index in multiIndices(batch) {
        func flat(_ own: [Int]) -> Int {
            let offset = index.count - own.count
            var position = 0
            for axis in own.indices { position = position * own[axis] + (own[axis] == 1 ? 0 : index[axis + offset]) }
            return position
        }
        let (x, y) = (ma[flat(batchA)], mb[flat(batchB)])
        for i in 0..<m {
            for j in 0..<n { out.append(Float((0..<k).reduce(0.0) { $0 + x[i][$1] * y[$1][j] })) }
        }
    }
    return Tensor(shape: batch + [m, n], scalars: out)
}

// MARK: - Gradient checks

/// Compares the tape's gradients of `sum(w * f(inputs))`, for random weights `w`, with central
/// finite differences, for every scalar of every input.
///
/// The forward pass runs in `Float`; the differences are taken in `Double` from the actual
/// perturbed inputs. A scalar passes when `|tape − numeric| ≤ absolute + relative · max(|tape|, |numeric|)`.
/// Random weights (rather than a plain sum) catch pullbacks that mix up positions.
func checkGradients(
    _ inputs: [Tensor], epsilon: Float = 1e-2, relative: Double = 1e-2, absolute: Double = 2e-3,
    weightSeed: UInt64 = 99, sourceLocation: SourceLocation = #_sourceLocation,
    _ f: ([Tensor]) -> Tensor
) {
    let output = f(inputs)
    let weights = sample(output.shape, -1.5...1.5, seed: weightSeed)
    let w = weights.scalars.map(Double.init)
    func loss(_ xs: [Tensor]) -> Double {
        let y = f(xs).scalars
        precondition(y.count == w.count)
        return zip(y, w).reduce(0.0) { $0 + Double($1.0) * $1.1 }
    }

    let tape = GradientTape()
    let watched = inputs.map { tape.watch($0) }
    let target = tape.record { (f(watched) * weights).sum() }
    #expect(target.isTracked, "the output is not tracked", sourceLocation: sourceLocation)
    let gradients = tape.gradient(of: target, wrt: watched)

    for (i, input) in inputs.enumerated() {
        let gradient = gradients[i]
        #expect(gradient.shape == input.shape, "input \(i): gradient shape \(gradient.shape) ≠ \(input.shape)",
                sourceLocation: sourceLocation)
        guard gradient.shape == input.shape else { continue }
        let analytic = gradient.scalars
        var failures: [String] = []
        for j in 0..<input.count {
            var plus = input, minus = input
            plus.withUnsafeMutableBufferPointer { $0[j] += epsilon }
            minus.withUnsafeMutableBufferPointer { $0[j] -= epsilon }
            let step = Double(plus.scalars[j]) - Double(minus.scalars[j])
            var xs = inputs
            xs[i] = plus
            let up = loss(xs)
            xs[i] = minus
            let down = loss(xs)
            let numeric = (up - down) / step
            let tapeValue = Double(analytic[j])
            if !(Swift.abs(tapeValue - numeric) <= absolute + relative * Swift.max(Swift.abs(tapeValue), Swift.abs(numeric))) {
                failures.append("[\(j)] tape \(tapeValue) vs numeric \(numeric)")
            }
        }
        #expect(failures.isEmpty, "input \(i) of shape \(input.shape): \(failures.count) mismatches: \(failures.prefix(4))",
                sourceLocation: sourceLocation)
    }
}

/// Checks one-input functions: `checkGradients([x]) { f($0[0]) }`.
func checkGradient(
    _ x: Tensor, epsilon: Float = 1e-2, relative: Double = 1e-2, absolute: Double = 2e-3,
    sourceLocation: SourceLocation = #_sourceLocation, _ f: (Tensor) -> Tensor
) {
    checkGradients([x], epsilon: epsilon, relative: relative, absolute: absolute, sourceLocation: sourceLocation) { f($0[0]) }
}

/// The first-order gradient of `sum(w * f(xs))` with respect to every input, flattened and joined,
/// computed with a tape of its own. Inputs that an outer tape already tracks are differentiated
/// as they are, so that the outer tape records this backward pass (second-order derivatives).
func flattenedGradient(of f: @escaping ([Tensor]) -> Tensor, weightSeed: UInt64 = 5) -> ([Tensor]) -> Tensor {
    { xs in
        let inner = GradientTape()
        let sources = xs.map { $0.isTracked ? $0 : inner.watch($0) }
        let y = inner.record { f(sources) }
        let weights = sample(y.shape, -1.5...1.5, seed: weightSeed)
        let target = inner.record { (y * weights).sum() }
        let gradients = inner.gradient(of: target, wrt: sources)
        return Tensor.concatenate(gradients.map { $0.reshaped(to: [-1]) })
    }
}

/// Checks second derivatives: the tape's gradient of a weighted sum of the first-order tape
/// gradients against finite differences of those first-order gradients.
func checkSecondOrder(
    _ inputs: [Tensor], epsilon: Float = 1e-2, relative: Double = 2e-2, absolute: Double = 5e-3,
    sourceLocation: SourceLocation = #_sourceLocation, _ f: @escaping ([Tensor]) -> Tensor
) {
    checkGradients(inputs, epsilon: epsilon, relative: relative, absolute: absolute, sourceLocation: sourceLocation,
                   flattenedGradient(of: f))
}
