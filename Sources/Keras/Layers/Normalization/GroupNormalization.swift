/// Normalizes each sample per group of channels (the last axis split into `groups`), over the
/// group's channels and all spatial positions, then `gamma` and `beta` per channel.
/// Weights: `gamma`, `beta`. `groups` must divide the channels.
public final class GroupNormalization: Layer {
    public let groups: Int
    public let epsilon: Float
    public let center: Bool, scale: Bool
    public let betaInitializer: Initializer, gammaInitializer: Initializer
    public private(set) var gamma: Variable?, beta: Variable?

    public init(groups: Int = 32, epsilon: Float = 1e-3, center: Bool = true, scale: Bool = true,
                betaInitializer: Initializer = .zeros, gammaInitializer: Initializer = .ones,
                inputShape: [Int]? = nil, name: String? = nil) {
        self.groups = groups
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.betaInitializer = betaInitializer
        self.gammaInitializer = gammaInitializer
        super.init(name: name, inputShape: inputShape)
    }

    public override func build(inputShape: [Int?]) throws {
        let channels = try featureCount(inputShape, axis: -1)
        guard groups > 0, channels % groups == 0 else {
            throw KerasError.invalidArgument(name: "GroupNormalization '\(name)' groups", value: "\(groups)",
                                             expected: "a divisor of the \(channels) channels")
        }
        if scale { gamma = try addWeight(name: "gamma", shape: [channels], initializer: gammaInitializer) }
        if center { beta = try addWeight(name: "beta", shape: [channels], initializer: betaInitializer) }
    }

    public override func call(_ input: Tensor, training: Bool) throws -> Tensor {
        let channels = input.shape[input.rank - 1]
        // (batch, spatial..., channels) → (batch, spatial..., groups, channels / groups); statistics over all but batch and group.
        let grouped = input.reshaped(to: Array(input.shape.dropLast()) + [groups, channels / groups])
        let axes = Array(1..<(grouped.rank - 2)) + [grouped.rank - 1]
        let kept = Array(repeating: 1, count: input.rank - 1) + [groups, channels / groups]
        let (mean, variance) = grouped.moments(axes: axes)
        return grouped.normalized(mean: mean, variance: variance, gamma: gamma?.value.reshaped(to: kept),
                                  beta: beta?.value.reshaped(to: kept), epsilon: epsilon).reshaped(to: input.shape)
    }

    public override func getConfig() throws -> [ConfigField] {
        try super.getConfig() + [
            ConfigField("groups", .int(groups)), ConfigField("axis", .int(-1)), ConfigField("epsilon", .float(epsilon)),
            ConfigField("center", .bool(center)), ConfigField("scale", .bool(scale)),
            ConfigField("beta_initializer", try betaInitializer.serialized()),
            ConfigField("gamma_initializer", try gammaInitializer.serialized()),
            ConfigField("beta_regularizer", .null), ConfigField("gamma_regularizer", .null),
            ConfigField("beta_constraint", .null), ConfigField("gamma_constraint", .null),
        ]
    }

    /// The layer a Keras config describes (channels last: `axis` −1).
    public convenience init(config: ConfigReader) throws {
        let axis = try config.normalizationAxis()
        guard axis == -1 else {
            throw KerasError.invalidArgument(name: "\(config.context).axis", value: "\(axis)", expected: "-1 (channels last)")
        }
        self.init(groups: try config.int("groups", default: 32), epsilon: try config.float("epsilon", default: 1e-3),
                  center: try config.bool("center", default: true), scale: try config.bool("scale", default: true),
                  betaInitializer: try Initializer(serialized: config.value("beta_initializer") ?? "zeros"),
                  gammaInitializer: try Initializer(serialized: config.value("gamma_initializer") ?? "ones"),
                  inputShape: try config.declaredInputShape(), name: config.layerName)
    }
}
