/// What Keras' own cells (`SimpleRNNCell`, `GRUCell`, `LSTMCell`, `ConvLSTMCell`) share: a
/// kernel for the input, a recurrent kernel for the state and a bias, with `gates` blocks of
/// `units` columns (filters) each; their initializers, regularizers and constraints; input and
/// recurrent dropout.
open class StandardRecurrentCell: RecurrentCell {
    public let units: Int
    public let activation: ActivationFunction
    /// The gates' activation (GRU, LSTM).
    public let recurrentActivation: ActivationFunction
    public let useBias: Bool
    public let kernelInitializer: Initializer
    public let recurrentInitializer: Initializer
    public let biasInitializer: Initializer
    public let kernelRegularizer: Regularizer?
    public let recurrentRegularizer: Regularizer?
    public let biasRegularizer: Regularizer?
    public let kernelConstraint: Constraint?
    public let recurrentConstraint: Constraint?
    public let biasConstraint: Constraint?
    /// The fraction of the inputs dropped while training (one mask per sequence).
    public let dropout: Float
    /// The fraction of the state dropped before the recurrent product while training.
    public let recurrentDropout: Float
    public let seed: UInt64?
    /// `[features, gates × units]`, `[units, gates × units]` (a convolutional cell: a window
    /// before each) and the bias, once built.
    public private(set) var kernel: Variable?
    public private(set) var recurrentKernel: Variable?
    public private(set) var bias: Variable?
    var dropoutMasks: RecurrentDropout

    /// The number of `units`-wide blocks of the kernels (1, 3 or 4).
    open class var gates: Int { 1 }

    public init(
        units: Int, activation: ActivationFunction, recurrentActivation: ActivationFunction, useBias: Bool,
        kernelInitializer: Initializer, recurrentInitializer: Initializer, biasInitializer: Initializer,
        kernelRegularizer: Regularizer?, recurrentRegularizer: Regularizer?, biasRegularizer: Regularizer?,
        kernelConstraint: Constraint?, recurrentConstraint: Constraint?, biasConstraint: Constraint?,
        dropout: Float, recurrentDropout: Float, seed: UInt64?, name: String?
    ) {
        self.units = units
        self.activation = activation
        self.recurrentActivation = recurrentActivation
        self.useBias = useBias
        self.kernelInitializer = kernelInitializer
        self.recurrentInitializer = recurrentInitializer
        self.biasInitializer = biasInitializer
        self.kernelRegularizer = kernelRegularizer
        self.recurrentRegularizer = recurrentRegularizer
        self.biasRegularizer = biasRegularizer
        self.kernelConstraint = kernelConstraint
        self.recurrentConstraint = recurrentConstraint
        self.biasConstraint = biasConstraint
        // Keras clips the rates to [0, 1].
        self.dropout = Swift.min(1, Swift.max(0, dropout))
        self.recurrentDropout = Swift.min(1, Swift.max(0, recurrentDropout))
        self.seed = seed
        dropoutMasks = RecurrentDropout(rate: self.dropout, recurrentRate: self.recurrentDropout, seed: seed)
        super.init(name: name)
    }

    open override var stateSize: [Int] { [units] }

    /// The bias's initial value (GRU: two rows; LSTM: a block of ones for the forget gate).
    open func initialBias() throws -> Tensor { try biasInitializer([Self.gates * units]) }

    /// The LSTM bias: with `unitForgetBias`, ones for the forget gate (the second block).
    func lstmBias(unitForgetBias: Bool) throws -> Tensor {
        guard unitForgetBias else { return try biasInitializer([4 * units]) }
        return Tensor.concatenate([try biasInitializer([units]), Tensor.ones([units]), try biasInitializer([2 * units])])
    }

    /// The kernel's and the recurrent kernel's shapes for a step input of `inputShape`:
    /// `[features, gates × units]` and `[units, gates × units]`.
    open func kernelShapes(forInputShape inputShape: [Int?]) throws -> (kernel: [Int], recurrent: [Int]) {
        guard inputShape.count == 2, let features = inputShape[1] else {
            throw shapeError(expected: "(batch, time, features) with a known number of features", got: [inputShape[0], nil] + inputShape.dropFirst(),
                             fix: "Give the first layer inputShape: [time, features] (time may be unknown).")
        }
        return ([features, Self.gates * units], [units, Self.gates * units])
    }

    open override func build(inputShape: [Int?]) throws {
        guard units > 0 else {
            throw KerasError.invalidArgument(name: "\(Self.kerasClassName)(units:)", value: "\(units)", expected: "a positive number of units")
        }
        try activation.validate()
        try recurrentActivation.validate()
        let shapes = try kernelShapes(forInputShape: inputShape)
        kernel = try addWeight(name: "kernel", shape: shapes.kernel, initializer: kernelInitializer,
                               regularizer: kernelRegularizer, constraint: kernelConstraint)
        recurrentKernel = try addWeight(name: "recurrent_kernel", shape: shapes.recurrent, initializer: recurrentInitializer,
                                        regularizer: recurrentRegularizer, constraint: recurrentConstraint)
        if useBias {
            let value = try initialBias()
            bias = try addWeight(name: "bias", shape: value.shape, initializer: .zeros, regularizer: biasRegularizer,
                                 constraint: biasConstraint)
            bias?.assign(value)
        }
    }

    /// The kernel, recurrent kernel and bias values (tracked while a tape records).
    func weightValues() throws -> (kernel: Tensor, recurrent: Tensor, bias: Tensor?) {
        guard let kernel, let recurrentKernel else { throw KerasError.invalidState("Layer '\(name)' was called before it was built.") }
        return (kernel.value, recurrentKernel.value, bias?.value)
    }

    open override func prepareForSequence(stepShape: [Int], training: Bool) throws {
        let state = try stateShapes(forInputShape: stepShape)[0].map { $0 ?? 0 }
        dropoutMasks.prepare(inputShape: stepShape, stateShape: state, training: training)
    }

    /// The fused kernels' options for this cell, or nil when an activation is not one they know.
    func fusedOptions(mask: Tensor?, goBackwards: Bool) -> RecurrentOptions? {
        guard let activation = RecurrentActivation(activation), let recurrent = RecurrentActivation(recurrentActivation) else {
            return nil
        }
        return RecurrentOptions(activation: activation, recurrentActivation: recurrent, mask: mask,
                                goBackwards: goBackwards, recurrentDropoutMask: dropoutMasks.stateMask)
    }

    // MARK: - Configuration

    /// Keras' config of the cell, the recurrent activation when the class has one.
    func standardConfig(recurrentActivation includeRecurrent: Bool) throws -> [ConfigField] {
        [ConfigField("units", .int(units)), ConfigField("activation", try activation.serialized())]
            + (includeRecurrent ? [ConfigField("recurrent_activation", try recurrentActivation.serialized())] : [])
            + [ConfigField("use_bias", .bool(useBias))]
    }

    /// The initializers, regularizers, constraints, dropout rates and seed, as Keras writes them.
    func weightConfig() throws -> [ConfigField] {
        [
            ConfigField("kernel_initializer", try kernelInitializer.serialized()),
            ConfigField("recurrent_initializer", try recurrentInitializer.serialized()),
            ConfigField("bias_initializer", try biasInitializer.serialized()),
            ConfigField("kernel_regularizer", kernelRegularizer?.serialized() ?? .null),
            ConfigField("recurrent_regularizer", recurrentRegularizer?.serialized() ?? .null),
            ConfigField("bias_regularizer", biasRegularizer?.serialized() ?? .null),
            ConfigField("kernel_constraint", kernelConstraint?.serialized() ?? .null),
            ConfigField("recurrent_constraint", recurrentConstraint?.serialized() ?? .null),
            ConfigField("bias_constraint", biasConstraint?.serialized() ?? .null),
            ConfigField("dropout", .float(dropout)),
            ConfigField("recurrent_dropout", .float(recurrentDropout)),
            ConfigField("seed", seed.map { .int(Int(truncatingIfNeeded: $0)) } ?? .null),
        ]
    }
}

/// The arguments every Keras cell reads from its config (and a recurrent layer from its own).
struct StandardCellArguments {
    var units: Int
    var activation: ActivationFunction
    var recurrentActivation: ActivationFunction
    var useBias: Bool
    var kernelInitializer: Initializer, recurrentInitializer: Initializer, biasInitializer: Initializer
    var kernelRegularizer: Regularizer?, recurrentRegularizer: Regularizer?, biasRegularizer: Regularizer?
    var kernelConstraint: Constraint?, recurrentConstraint: Constraint?, biasConstraint: Constraint?
    var dropout: Float, recurrentDropout: Float, seed: UInt64?

    /// `units` is read from `unitsKey` (`filters` for a ConvLSTM).
    init(_ config: ConfigReader, recurrentActivation defaultRecurrent: ActivationFunction, unitsKey: String = "units") throws {
        units = try config.positiveInt(unitsKey)
        activation = try ActivationFunction(serialized: config.value("activation") ?? "tanh")
        recurrentActivation = try config.value("recurrent_activation").map { try ActivationFunction(serialized: $0) } ?? defaultRecurrent
        useBias = try config.bool("use_bias", default: true)
        kernelInitializer = try Initializer(serialized: config.value("kernel_initializer") ?? "glorot_uniform")
        recurrentInitializer = try Initializer(serialized: config.value("recurrent_initializer") ?? "orthogonal")
        biasInitializer = try Initializer(serialized: config.value("bias_initializer") ?? "zeros")
        kernelRegularizer = try Regularizer.deserialize(config.value("kernel_regularizer") ?? .null)
        recurrentRegularizer = try Regularizer.deserialize(config.value("recurrent_regularizer") ?? .null)
        biasRegularizer = try Regularizer.deserialize(config.value("bias_regularizer") ?? .null)
        kernelConstraint = try Constraint.deserialize(config.value("kernel_constraint") ?? .null)
        recurrentConstraint = try Constraint.deserialize(config.value("recurrent_constraint") ?? .null)
        biasConstraint = try Constraint.deserialize(config.value("bias_constraint") ?? .null)
        dropout = try config.float("dropout", default: 0)
        recurrentDropout = try config.float("recurrent_dropout", default: 0)
        seed = try config.optionalInt("seed").map { UInt64(truncatingIfNeeded: $0) }
    }
}
