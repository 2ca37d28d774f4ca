/// The base of the layers that perturb their input while training and pass it through
/// otherwise (`GaussianNoise`, `GaussianDropout`, `AlphaDropout`, `SpatialDropout1D/2D/3D`):
/// a `rate` (or standard deviation) and a seed, drawn from the global generator by default.
open class RandomNoiseLayer: Layer {
    /// The seed of the noise, when one was given.
    public let seed: UInt64?
    var generator: RandomGenerator

    public init(seed: UInt64?, inputShape: [Int]?, name: String?) {
        self.seed = seed
        generator = RandomGenerator(seed: seed ?? RandomGenerator.withGlobal { $0.next() })
        super.init(name: name, inputShape: inputShape)
    }

    /// The perturbed input (called only while training).
    open func perturbed(_ input: Tensor) throws -> Tensor { input }

    public override func call(_ input: Tensor, training: Bool) throws -> Tensor {
        training ? try perturbed(input) : input
    }

    public override class var recordsBuildConfig: Bool { false }

    var seedConfig: ConfigField { ConfigField("seed", seed.map { .int(Int(truncatingIfNeeded: $0)) } ?? .null) }

    /// Checks that `value` (a rate) is in `range`.
    func check(_ value: Float, _ argument: String, in range: Range<Float>) throws {
        guard range.contains(value) else {
            throw KerasError.invalidArgument(name: "\(Self.kerasClassName) '\(name)' \(argument)", value: "\(value)",
                                             expected: "a value in [\(range.lowerBound), \(range.upperBound))")
        }
    }
}

extension ConfigReader {
    /// `seed` as an unsigned seed, when given.
    func seed() throws -> UInt64? { try optionalInt("seed").map { UInt64(truncatingIfNeeded: $0) } }
}

/// Adds zero-mean Gaussian noise of standard deviation `stddev` while training.
public final class GaussianNoise: RandomNoiseLayer {
    public let stddev: Float

    public init(_ stddev: Float, seed: UInt64? = nil, inputShape: [Int]? = nil, name: String? = nil) {
        self.stddev = stddev
        super.init(seed: seed, inputShape: inputShape, name: name)
    }

    public override func perturbed(_ input: Tensor) throws -> Tensor {
        try check(stddev, "stddev", in: 0..<Float.infinity)
        return input + Tensor.randomNormal(input.shape, mean: 0, standardDeviation: stddev, using: &generator)
    }

    public override func getConfig() throws -> [ConfigField] {
        try super.getConfig() + [ConfigField("stddev", .float(stddev)), seedConfig]
    }

    /// The layer a Keras config describes.
    public convenience init(config: ConfigReader) throws {
        self.init(try config.float("stddev"), seed: try config.seed(), inputShape: try config.declaredInputShape(), name: config.layerName)
    }
}

/// Multiplies by Gaussian noise of mean 1 and standard deviation `√(rate / (1 − rate))` while training.
public final class GaussianDropout: RandomNoiseLayer {
    public let rate: Float

    public init(_ rate: Float, seed: UInt64? = nil, inputShape: [Int]? = nil, name: String? = nil) {
        self.rate = rate
        super.init(seed: seed, inputShape: inputShape, name: name)
    }

    public override func perturbed(_ input: Tensor) throws -> Tensor {
        try check(rate, "rate", in: 0..<1)
        guard rate > 0 else { return input }
        return input * Tensor.randomNormal(input.shape, mean: 1, standardDeviation: (rate / (1 - rate)).squareRoot(), using: &generator)
    }

    public override func getConfig() throws -> [ConfigField] {
        try super.getConfig() + [ConfigField("rate", .float(rate)), seedConfig]
    }

    /// The layer a Keras config describes.
    public convenience init(config: ConfigReader) throws {
        self.init(try config.float("rate"), seed: try config.seed(), inputShape: try config.declaredInputShape(), name: config.layerName)
    }
}

/// Dropout that keeps the mean and variance of SELU activations: dropped scalars are set to
/// SELU's negative saturation, then an affine map restores the statistics (Keras' formula).
public final class AlphaDropout: RandomNoiseLayer {
    public let rate: Float

    public init(_ rate: Float, seed: UInt64? = nil, inputShape: [Int]? = nil, name: String? = nil) {
        self.rate = rate
        super.init(seed: seed, inputShape: inputShape, name: name)
    }

    public override func perturbed(_ input: Tensor) throws -> Tensor {
        try check(rate, "rate", in: 0..<1)
        guard rate > 0 else { return input }
        let alphaP: Float = -1.6732632423543772 * 1.0507009873554805
        let kept = Tensor.randomUniform(input.shape, lower: 0, upper: 1, using: &generator) .>= Tensor(rate)
        let a = 1 / ((1 - rate) * (1 + rate * alphaP * alphaP)).squareRoot(), b = -a * alphaP * rate
        return (input * kept + alphaP * (1 - kept)) * a + b
    }

    public override func getConfig() throws -> [ConfigField] {
        try super.getConfig() + [ConfigField("rate", .float(rate)), seedConfig, ConfigField("noise_shape", .null)]
    }

    /// The layer a Keras config describes.
    public convenience init(config: ConfigReader) throws {
        self.init(try config.float("rate"), seed: try config.seed(), inputShape: try config.declaredInputShape(), name: config.layerName)
    }
}
