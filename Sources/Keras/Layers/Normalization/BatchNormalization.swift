/// Normalizes each feature (the scalars along `axis`) with the batch's statistics while
/// training and with moving statistics otherwise, then scales by `gamma` and shifts by `beta`.
///
/// While training (and trainable), each call updates the non-trainable moving statistics:
/// `moving = moving · momentum + batch · (1 − momentum)`, with the batch's biased variance, as
/// Keras does; `fit` therefore updates them and saving keeps them. Weights in Keras' order:
/// `gamma`, `beta`, `moving_mean`, `moving_variance`.
public final class BatchNormalization: Layer {
    /// The feature axis (the channels: −1 for channels-last, 1 for channels-first).
    public let axis: Int
    public let momentum: Float
    public let epsilon: Float
    /// Whether `beta` is added / `gamma` multiplies.
    public let center: Bool, scale: Bool
    public let betaInitializer: Initializer, gammaInitializer: Initializer
    public let movingMeanInitializer: Initializer, movingVarianceInitializer: Initializer
    public let betaRegularizer: Regularizer?, gammaRegularizer: Regularizer?
    public let betaConstraint: Constraint?, gammaConstraint: Constraint?
    public private(set) var gamma: Variable?, beta: Variable?
    public private(set) var movingMean: Variable?, movingVariance: Variable?

    public init(
        axis: Int = -1, momentum: Float = 0.99, epsilon: Float = 1e-3, center: Bool = true, scale: Bool = true,
        betaInitializer: Initializer = .zeros, gammaInitializer: Initializer = .ones,
        movingMeanInitializer: Initializer = .zeros, movingVarianceInitializer: Initializer = .ones,
        betaRegularizer: Regularizer? = nil, gammaRegularizer: Regularizer? = nil,
        betaConstraint: Constraint? = nil, gammaConstraint: Constraint? = nil,
        inputShape: [Int]? = nil, name: String? = nil
    ) {
        self.axis = axis
        self.momentum = momentum
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.betaInitializer = betaInitializer
        self.gammaInitializer = gammaInitializer
        self.movingMeanInitializer = movingMeanInitializer
        self.movingVarianceInitializer = movingVarianceInitializer
        self.betaRegularizer = betaRegularizer
        self.gammaRegularizer = gammaRegularizer
        self.betaConstraint = betaConstraint
        self.gammaConstraint = gammaConstraint
        super.init(name: name, inputShape: inputShape)
    }

    public override func build(inputShape: [Int?]) throws {
        let features = try featureCount(inputShape, axis: axis)
        if scale {
            gamma = try addWeight(name: "gamma", shape: [features], initializer: gammaInitializer,
                                  regularizer: gammaRegularizer, constraint: gammaConstraint)
        }
        if center {
            beta = try addWeight(name: "beta", shape: [features], initializer: betaInitializer,
                                 regularizer: betaRegularizer, constraint: betaConstraint)
        }
        movingMean = try addWeight(name: "moving_mean", shape: [features], initializer: movingMeanInitializer, trainable: false)
        movingVariance = try addWeight(name: "moving_variance", shape: [features], initializer: movingVarianceInitializer, trainable: false)
    }

    public override func call(_ input: Tensor, training: Bool) throws -> Tensor {
        guard let movingMean, let movingVariance else { throw KerasError.invalidState("Layer '\(name)' was called before it was built.") }
        let axis = axis < 0 ? axis + input.rank : axis
        let features = try featureCount([nil] + input.shape.dropFirst().map { $0 }, axis: self.axis)
        guard features == movingMean.shape[0] else {
            throw shapeError(expected: "\(movingMean.shape[0]) features on axis \(self.axis)", got: [nil] + input.shape.dropFirst().map { $0 },
                             fix: "The layer was built for another input; rebuild the model.")
        }
        var kept = Array(repeating: 1, count: input.rank)
        kept[axis] = features
        let reduced = (0..<input.rank).filter { $0 != axis }
        let mean: Tensor, variance: Tensor
        if training && trainable {
            (mean, variance) = input.moments(axes: reduced)
            let keep = Tensor(momentum)
            movingMean.assign(movingMean.value * keep + mean.detached.reshaped(to: [features]) * (1 - keep))
            movingVariance.assign(movingVariance.value * keep + variance.detached.reshaped(to: [features]) * (1 - keep))
        } else {
            mean = movingMean.value.reshaped(to: kept)
            variance = movingVariance.value.reshaped(to: kept)
        }
        return input.normalized(mean: mean, variance: variance, gamma: gamma?.value.reshaped(to: kept),
                                beta: beta?.value.reshaped(to: kept), epsilon: epsilon)
    }

    // MARK: - Configuration

    public override func getConfig() throws -> [ConfigField] {
        try super.getConfig() + [
            ConfigField("axis", .int(axis)),
            ConfigField("momentum", .float(momentum)),
            ConfigField("epsilon", .float(epsilon)),
            ConfigField("center", .bool(center)),
            ConfigField("scale", .bool(scale)),
            ConfigField("beta_initializer", try betaInitializer.serialized()),
            ConfigField("gamma_initializer", try gammaInitializer.serialized()),
            ConfigField("moving_mean_initializer", try movingMeanInitializer.serialized()),
            ConfigField("moving_variance_initializer", try movingVarianceInitializer.serialized()),
            ConfigField("beta_regularizer", betaRegularizer?.serialized() ?? .null),
            ConfigField("gamma_regularizer", gammaRegularizer?.serialized() ?? .null),
            ConfigField("beta_constraint", betaConstraint?.serialized() ?? .null),
            ConfigField("gamma_constraint", gammaConstraint?.serialized() ?? .null),
            ConfigField("synchronized", .bool(false)),
            ConfigField("renorm", .bool(false)),
            ConfigField("renorm_clipping", .null),
            ConfigField("renorm_momentum", .float(0.99)),
        ]
    }

    /// The layer a Keras config describes (Keras 2 configs give `axis` as a list of one).
    public convenience init(config: ConfigReader) throws {
        if try config.bool("renorm", default: false) {
            throw KerasError.invalidArgument(name: "\(config.context).renorm", value: "true", expected: "false (not supported by this package)")
        }
        self.init(
            axis: try config.normalizationAxis(), momentum: try config.float("momentum", default: 0.99),
            epsilon: try config.float("epsilon", default: 1e-3),
            center: try config.bool("center", default: true), scale: try config.bool("scale", default: true),
            betaInitializer: try Initializer(serialized: config.value("beta_initializer") ?? "zeros"),
            gammaInitializer: try Initializer(serialized: config.value("gamma_initializer") ?? "ones"),
            movingMeanInitializer: try Initializer(serialized: config.value("moving_mean_initializer") ?? "zeros"),
            movingVarianceInitializer: try Initializer(serialized: config.value("moving_variance_initializer") ?? "ones"),
            betaRegularizer: try Regularizer.deserialize(config.value("beta_regularizer") ?? .null),
            gammaRegularizer: try Regularizer.deserialize(config.value("gamma_regularizer") ?? .null),
            betaConstraint: try Constraint.deserialize(config.value("beta_constraint") ?? .null),
            gammaConstraint: try Constraint.deserialize(config.value("gamma_constraint") ?? .null),
            inputShape: try config.declaredInputShape(), name: config.layerName)
    }
}
