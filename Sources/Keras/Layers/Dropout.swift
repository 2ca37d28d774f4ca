/// Sets a random `rate` of its inputs to zero while training and scales the rest by
/// `1 / (1 - rate)`; passes inputs through unchanged otherwise. `rate` is in `[0, 1]`; at 1,
/// as in Keras, training outputs zeros.
public final class Dropout: Layer {
    public let rate: Float
    /// The seed of the dropout mask, when one was given.
    public let seed: UInt64?
    private var generator: RandomGenerator

    /// - Parameter seed: makes the masks repeat; by default drawn from the global generator
    ///   (so `Keras.setRandomSeed(_:)` makes them repeat too).
    public init(_ rate: Float, seed: UInt64? = nil, inputShape: [Int]? = nil, name: String? = nil) {
        self.rate = rate
        self.seed = seed
        generator = RandomGenerator(seed: seed ?? RandomGenerator.withGlobal { $0.next() })
        super.init(name: name, inputShape: inputShape)
    }

    public override func build(inputShape: [Int?]) throws {
        guard rate >= 0 && rate <= 1 else {
            throw KerasError.invalidArgument(name: "Dropout rate", value: "\(rate)", expected: "a value in [0, 1]")
        }
    }

    public override func call(_ input: Tensor, training: Bool) throws -> Tensor {
        guard training && rate > 0 else { return input }
        if rate >= 1 { return input * Tensor(0) }
        return input.dropout(rate: rate, using: &generator)
    }

    // MARK: - Configuration

    public override class var recordsBuildConfig: Bool { false }

    public override func getConfig() throws -> [ConfigField] {
        try super.getConfig() + [
            ConfigField("rate", .float(rate)),
            ConfigField("seed", seed.map { .int(Int(truncatingIfNeeded: $0)) } ?? .null),
            ConfigField("noise_shape", .null),
        ]
    }

    /// The layer a Keras config describes.
    public convenience init(config: ConfigReader) throws {
        if config.value("noise_shape") != nil {
            throw KerasError.invalidArgument(name: "\(config.context).noise_shape", value: config.value("noise_shape")!.json,
                                             expected: "null (not supported by this package)")
        }
        self.init(try config.float("rate"), seed: try config.optionalInt("seed").map { UInt64(truncatingIfNeeded: $0) },
                  inputShape: try config.declaredInputShape(), name: config.layerName)
    }
}
