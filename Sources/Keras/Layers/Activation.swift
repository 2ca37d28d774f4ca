/// Applies an activation function: `Activation(.tanh)`, `Activation("sigmoid")`.
public final class Activation: Layer {
    public let activation: ActivationFunction

    public init(_ activation: ActivationFunction, inputShape: [Int]? = nil, name: String? = nil) {
        self.activation = activation
        super.init(name: name, inputShape: inputShape)
    }

    public override func build(inputShape: [Int?]) throws { try activation.validate(rank: inputShape.count) }

    public override func call(_ input: Tensor, training: Bool) throws -> Tensor { activation(input) }

    // MARK: - Configuration

    public override class var recordsBuildConfig: Bool { false }

    public override func getConfig() throws -> [ConfigField] {
        try super.getConfig() + [ConfigField("activation", try activation.serialized())]
    }

    /// The layer a Keras config describes.
    public convenience init(config: ConfigReader) throws {
        self.init(try ActivationFunction(serialized: config.value("activation") ?? .null),
                  inputShape: try config.declaredInputShape(), name: config.layerName)
    }
}
