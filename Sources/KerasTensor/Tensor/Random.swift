import Foundation

/// A seeded pseudo-random generator (xoshiro256**, seeded through SplitMix64).
///
/// The same seed gives the same sequence on every run and every machine, so initial weights,
/// shuffles and dropout masks can be reproduced exactly.
public struct RandomGenerator: RandomNumberGenerator, Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    public init(seed: UInt64) {
        var x = seed
        func splitMix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (splitMix(), splitMix(), splitMix(), splitMix())
    }

    public mutating func next() -> UInt64 {
        let result = rotate(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotate(state.3, 45)
        return result
    }

    private func rotate(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// A uniform `Float` in `[0, 1)` with 24 random bits.
    public mutating func nextUniform() -> Float { Float(next() >> 40) * 0x1p-24 }

    /// A standard normal `Float` (Box–Muller in double precision).
    public mutating func nextNormal() -> Float {
        let u1 = (Double(next() >> 11) + 1) * 0x1p-53
        let u2 = Double(next() >> 11) * 0x1p-53
        return Float((-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2))
    }

    /// The process-wide generator used when no seed or generator is given.
    public static var global: RandomGenerator {
        get { GlobalRandom.current.withLock { $0 } }
        set { GlobalRandom.current.withLock { $0 = newValue } }
    }

    /// Reseeds the process-wide generator.
    public static func seedGlobal(_ seed: UInt64) { global = RandomGenerator(seed: seed) }

    /// Runs `body` with exclusive access to the process-wide generator.
    public static func withGlobal<R>(_ body: (inout RandomGenerator) -> R) -> R {
        GlobalRandom.current.withLock(body)
    }

    /// Runs `body` with its own global generator seeded with `seed`: everything inside that
    /// draws from the global generator (initializers, shuffles, new dropout layers) repeats
    /// exactly, whatever other threads or tasks draw meanwhile.
    public static func withSeed<R>(_ seed: UInt64, _ body: () throws -> R) rethrows -> R {
        try GlobalRandom.$scoped.withValue(GlobalRandom(seed: seed), operation: body)
    }
}

private final class GlobalRandom: @unchecked Sendable {
    static let shared = GlobalRandom(seed: UInt64.random(in: .min ... .max))
    /// A generator that replaces the shared one inside `RandomGenerator.withSeed`.
    @TaskLocal static var scoped: GlobalRandom?
    static var current: GlobalRandom { scoped ?? shared }

    private let lock = NSLock()
    private var generator: RandomGenerator

    init(seed: UInt64) { generator = RandomGenerator(seed: seed) }

    func withLock<R>(_ body: (inout RandomGenerator) -> R) -> R {
        lock.lock()
        defer { lock.unlock() }
        return body(&generator)
    }
}

extension Tensor {
    /// Fills a tensor from `next`, drawing from `generator`.
    private static func random(_ shape: [Int], using generator: inout RandomGenerator,
                               _ next: (inout RandomGenerator) -> Float) -> Tensor {
        var result = Tensor(uninitializedShape: shape)
        result.withUnsafeMutableBufferPointer { buffer in
            for i in buffer.indices { buffer[i] = next(&generator) }
        }
        return result
    }

    /// Uniform scalars in `[lower, upper)`.
    public static func randomUniform(
        _ shape: [Int], lower: Float = 0, upper: Float = 1, using generator: inout RandomGenerator
    ) -> Tensor {
        random(shape, using: &generator) { lower + (upper - lower) * $0.nextUniform() }
    }

    /// Normal scalars with the given mean and standard deviation.
    public static func randomNormal(
        _ shape: [Int], mean: Float = 0, standardDeviation: Float = 1, using generator: inout RandomGenerator
    ) -> Tensor {
        random(shape, using: &generator) { mean + standardDeviation * $0.nextNormal() }
    }

    /// Normal scalars redrawn until within two standard deviations of the mean (Keras' truncated normal).
    public static func randomTruncatedNormal(
        _ shape: [Int], mean: Float = 0, standardDeviation: Float = 1, using generator: inout RandomGenerator
    ) -> Tensor {
        random(shape, using: &generator) { generator in
            var value = generator.nextNormal()
            while Swift.abs(value) > 2 { value = generator.nextNormal() }
            return mean + standardDeviation * value
        }
    }

    /// Uniform scalars from a fresh generator seeded with `seed`, or from the global one.
    public static func randomUniform(_ shape: [Int], lower: Float = 0, upper: Float = 1, seed: UInt64? = nil) -> Tensor {
        withGenerator(seed) { randomUniform(shape, lower: lower, upper: upper, using: &$0) }
    }

    /// Normal scalars from a fresh generator seeded with `seed`, or from the global one.
    public static func randomNormal(_ shape: [Int], mean: Float = 0, standardDeviation: Float = 1, seed: UInt64? = nil) -> Tensor {
        withGenerator(seed) { randomNormal(shape, mean: mean, standardDeviation: standardDeviation, using: &$0) }
    }

    /// Truncated normal scalars from a fresh generator seeded with `seed`, or from the global one.
    public static func randomTruncatedNormal(
        _ shape: [Int], mean: Float = 0, standardDeviation: Float = 1, seed: UInt64? = nil
    ) -> Tensor {
        withGenerator(seed) { randomTruncatedNormal(shape, mean: mean, standardDeviation: standardDeviation, using: &$0) }
    }

    private static func withGenerator(_ seed: UInt64?, _ body: (inout RandomGenerator) -> Tensor) -> Tensor {
        if let seed {
            var generator = RandomGenerator(seed: seed)
            return body(&generator)
        }
        return RandomGenerator.withGlobal(body)
    }
}
