/// Normalizes each sample over its last axis (`axis`): mean 0 and variance 1 per sample, then
/// `gamma` and `beta` per feature. Weights: `gamma`, `beta`.
public final class LayerNormalization: Layer {
    public let axis: Int
    public let epsilon: Float
    public let center: Bool, scale: Bool
    /// Keras' deprecated `rms_scaling`: scale by `rsqrt(variance + ε) · gamma` only (no centring;
    /// the variance, not the mean square, as Keras computes it).
    public let rmsScaling: Bool
    public let betaInitializer: Initializer, gammaInitializer: Initializer
    public private(set) var gamma: Variable?, beta: Variable?

    public init(axis: Int = -1, epsilon: Float = 1e-3, center: Bool = true, scale: Bool = true, rmsScaling: Bool = false,
                betaInitializer: Initializer = .zeros, gammaInitializer: Initializer = .ones,
                inputShape: [Int]? = nil, name: String? = nil) {
        self.axis = axis
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.rmsScaling = rmsScaling
        self.betaInitializer = betaInitializer
        self.gammaInitializer = gammaInitializer
        super.init(name: name, inputShape: inputShape)
    }

    public override func build(inputShape: [Int?]) throws {
        let features = try featureCount(inputShape, axis: axis)
        if scale || rmsScaling { gamma = try addWeight(name: "gamma", shape: [features], initializer: gammaInitializer) }
        if center && !rmsScaling { beta = try addWeight(name: "beta", shape: [features], initializer: betaInitializer) }
    }

    public override func call(_ input: Tensor, training: Bool) throws -> Tensor {
        let axis = axis < 0 ? axis + input.rank : axis
        var kept = Array(repeating: 1, count: input.rank)
        kept[axis] = input.shape[axis]
        let (mean, variance) = input.moments(axes: [axis])
        if rmsScaling { return input * (variance + epsilon).rsqrt() * (gamma?.value.reshaped(to: kept) ?? Tensor(1)) }
        return input.normalized(mean: mean, variance: variance, gamma: gamma?.value.reshaped(to: kept),
                                beta: beta?.value.reshaped(to: kept), epsilon: epsilon)
    }

    public override func getConfig() throws -> [ConfigField] {
        try super.getConfig() + [
            ConfigField("axis", .ints([axis])), ConfigField("epsilon", .float(epsilon)),
            ConfigField("center", .bool(center)), ConfigField("scale", .bool(scale)), ConfigField("rms_scaling", .bool(rmsScaling)),
            ConfigField("beta_initializer", try betaInitializer.serialized()),
            ConfigField("gamma_initializer", try gammaInitializer.serialized()),
            ConfigField("beta_regularizer", .null), ConfigField("gamma_regularizer", .null),
            ConfigField("beta_constraint", .null), ConfigField("gamma_constraint", .null),
        ]
    }

    /// The layer a Keras config describes.
    public convenience init(config: ConfigReader) throws {
        self.init(axis: try config.normalizationAxis(), epsilon: try config.float("epsilon", default: 1e-3),
                  center: try config.bool("center", default: true), scale: try config.bool("scale", default: true),
                  rmsScaling: try config.bool("rms_scaling", default: false),
                  betaInitializer: try Initializer(serialized: config.value("beta_initializer") ?? "zeros"),
                  gammaInitializer: try Initializer(serialized: config.value("gamma_initializer") ?? "ones"),
                  inputShape: try config.declaredInputShape(), name: config.layerName)
    }
}
