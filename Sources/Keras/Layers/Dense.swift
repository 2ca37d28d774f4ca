/// A fully connected layer: `activation(input · kernel + bias)`.
///
/// ```swift
/// Dense(512, activation: .relu, inputShape: [784])
/// Dense(units: 1, activation: "sigmoid", inputDim: 1)   // the units labelled, and Keras strings, work too
/// ```
public final class Dense: Layer {
    public let units: Int
    public let activation: ActivationFunction
    public let useBias: Bool
    public let kernelInitializer: Initializer
    public let biasInitializer: Initializer
    public let kernelRegularizer: Regularizer?
    public let biasRegularizer: Regularizer?
    public let kernelConstraint: Constraint?
    public let biasConstraint: Constraint?
    /// The `[inputDim, units]` weight matrix, once built.
    public private(set) var kernel: Variable?
    /// The `[units]` bias, once built (when `useBias`).
    public private(set) var bias: Variable?

    /// A layer of `units` outputs: `Dense(64)`, `Dense(64, activation: .relu)`, as Keras writes it.
    public init(
        _ units: Int, activation: ActivationFunction = .linear, useBias: Bool = true,
        kernelInitializer: Initializer = .glorotUniform, biasInitializer: Initializer = .zeros,
        kernelRegularizer: Regularizer? = nil, biasRegularizer: Regularizer? = nil,
        kernelConstraint: Constraint? = nil, biasConstraint: Constraint? = nil,
        inputDim: Int? = nil, inputShape: [Int]? = nil, name: String? = nil
    ) {
        self.units = units
        self.activation = activation
        self.useBias = useBias
        self.kernelInitializer = kernelInitializer
        self.biasInitializer = biasInitializer
        self.kernelRegularizer = kernelRegularizer
        self.biasRegularizer = biasRegularizer
        self.kernelConstraint = kernelConstraint
        self.biasConstraint = biasConstraint
        super.init(name: name, inputShape: inputShape ?? inputDim.map { [$0] })
    }

    /// The same layer with the units labelled, as in `Dense(units=1)`.
    public convenience init(
        units: Int, activation: ActivationFunction = .linear, useBias: Bool = true,
        kernelInitializer: Initializer = .glorotUniform, biasInitializer: Initializer = .zeros,
        kernelRegularizer: Regularizer? = nil, biasRegularizer: Regularizer? = nil,
        kernelConstraint: Constraint? = nil, biasConstraint: Constraint? = nil,
        inputDim: Int? = nil, inputShape: [Int]? = nil, name: String? = nil
    ) {
        self.init(units, activation: activation, useBias: useBias, kernelInitializer: kernelInitializer,
                  biasInitializer: biasInitializer, kernelRegularizer: kernelRegularizer, biasRegularizer: biasRegularizer,
                  kernelConstraint: kernelConstraint, biasConstraint: biasConstraint, inputDim: inputDim,
                  inputShape: inputShape, name: name)
    }

    public override func build(inputShape: [Int?]) throws {
        guard units > 0 else {
            throw KerasError.invalidArgument(name: "Dense(units:)", value: "\(units)", expected: "a positive number of units")
        }
        try activation.validate(rank: Swift.max(inputShape.count, 2))
        guard inputShape.count >= 2, let inputDim = inputShape.last ?? nil else {
            throw shapeError(expected: "(batch, ..., features) with a known last dimension", got: inputShape,
                             fix: "Give the first layer inputShape: or inputDim:, or flatten images first.")
        }
        kernel = try addWeight(name: "kernel", shape: [inputDim, units], initializer: kernelInitializer,
                               regularizer: kernelRegularizer, constraint: kernelConstraint)
        if useBias {
            bias = try addWeight(name: "bias", shape: [units], initializer: biasInitializer,
                                 regularizer: biasRegularizer, constraint: biasConstraint)
        }
    }

    public override func outputShape(forInputShape inputShape: [Int?]) throws -> [Int?] {
        guard inputShape.count >= 2 else {
            throw shapeError(expected: "(batch, ..., features)", got: inputShape, fix: "Dense needs inputs of rank 2 or more.")
        }
        return Array(inputShape.dropLast()) + [units]
    }

    public override func call(_ input: Tensor, training: Bool) throws -> Tensor {
        // ReLU, the usual hidden activation, is fused into the product's bias pass.
        if activation == .relu { return try preActivation(input, relu: true) }
        return activation(try preActivation(input))
    }

    /// `input · kernel + bias`, before the activation: the logits a fused loss needs
    /// (with `relu`, the ReLU applied in the same pass).
    func preActivation(_ input: Tensor, relu: Bool = false) throws -> Tensor {
        guard let kernel else { throw KerasError.invalidState("Layer '\(name)' was called before it was built.") }
        guard input.rank >= 2, input.shape.last == kernel.shape[0] else {
            let expected: [Int?] = [nil] + input.shape.dropFirst().dropLast().map { $0 } + [kernel.shape[0]]
            throw shapeError(expected: formatShape(expected), got: [nil] + input.shape.dropFirst().map { $0 },
                             fix: "The layer was built for inputs with \(kernel.shape[0]) features; reshape the data or rebuild the model.")
        }
        return input.affine(kernel.value, bias: bias?.value, relu: relu)
    }

    // MARK: - Configuration

    public override func getConfig() throws -> [ConfigField] {
        try super.getConfig() + [
            ConfigField("units", .int(units)),
            ConfigField("activation", try activation.serialized()),
            ConfigField("use_bias", .bool(useBias)),
            ConfigField("kernel_initializer", try kernelInitializer.serialized()),
            ConfigField("bias_initializer", try biasInitializer.serialized()),
            ConfigField("kernel_regularizer", kernelRegularizer?.serialized() ?? .null),
            ConfigField("bias_regularizer", biasRegularizer?.serialized() ?? .null),
            ConfigField("kernel_constraint", kernelConstraint?.serialized() ?? .null),
            ConfigField("bias_constraint", biasConstraint?.serialized() ?? .null),
            ConfigField("quantization_config", .null),
        ]
    }

    /// The layer a Keras config describes.
    public convenience init(config: ConfigReader) throws {
        self.init(
            try config.positiveInt("units"),
            activation: try ActivationFunction(serialized: config.value("activation") ?? .null),
            useBias: try config.bool("use_bias", default: true),
            kernelInitializer: try Initializer(serialized: config.value("kernel_initializer") ?? "glorot_uniform"),
            biasInitializer: try Initializer(serialized: config.value("bias_initializer") ?? "zeros"),
            kernelRegularizer: try Regularizer.deserialize(config.value("kernel_regularizer") ?? .null),
            biasRegularizer: try Regularizer.deserialize(config.value("bias_regularizer") ?? .null),
            kernelConstraint: try Constraint.deserialize(config.value("kernel_constraint") ?? .null),
            biasConstraint: try Constraint.deserialize(config.value("bias_constraint") ?? .null),
            inputShape: try config.declaredInputShape(), name: config.layerName)
    }
}
