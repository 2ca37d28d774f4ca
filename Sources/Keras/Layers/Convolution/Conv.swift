/// The convolution layers `Conv1D`, `Conv2D`, `Conv3D`:
/// `activation(convolution(input, kernel) + bias)`, kernel `(window..., channels / groups, filters)`.
///
/// ```swift
/// Conv2D(32, 3, activation: .relu, inputShape: [28, 28, 1])
/// Conv2D(64, kernelSize: [3, 3], strides: 2, padding: .same)
/// Conv1D(16, 5, padding: .causal, dilationRate: 2)
/// ```
open class BaseConv: SpatialLayer {
    public let filters: Int
    public let kernelSize: SpatialSize
    public let strides: SpatialSize
    public let padding: WindowPadding
    public let dilationRate: SpatialSize
    /// Channel groups: group `g` of the filters sees group `g` of the input channels.
    public let groups: Int
    public let activation: ActivationFunction
    public let useBias: Bool
    public let kernelInitializer: Initializer
    public let biasInitializer: Initializer
    public let kernelRegularizer: Regularizer?
    public let biasRegularizer: Regularizer?
    public let kernelConstraint: Constraint?
    public let biasConstraint: Constraint?
    /// The `(window..., channels / groups, filters)` kernel, once built.
    public private(set) var kernel: Variable?
    /// The `(filters)` bias, once built (when `useBias`).
    public private(set) var bias: Variable?

    public init(
        _ filters: Int, kernelSize: SpatialSize, strides: SpatialSize = 1, padding: WindowPadding = .valid,
        dataFormat: DataFormat = .channelsLast, dilationRate: SpatialSize = 1, groups: Int = 1,
        activation: ActivationFunction = .linear, useBias: Bool = true,
        kernelInitializer: Initializer = .glorotUniform, biasInitializer: Initializer = .zeros,
        kernelRegularizer: Regularizer? = nil, biasRegularizer: Regularizer? = nil,
        kernelConstraint: Constraint? = nil, biasConstraint: Constraint? = nil,
        inputShape: [Int]? = nil, name: String? = nil
    ) {
        self.filters = filters
        self.kernelSize = kernelSize
        self.strides = strides
        self.padding = padding
        self.dilationRate = dilationRate
        self.groups = groups
        self.activation = activation
        self.useBias = useBias
        self.kernelInitializer = kernelInitializer
        self.biasInitializer = biasInitializer
        self.kernelRegularizer = kernelRegularizer
        self.biasRegularizer = biasRegularizer
        self.kernelConstraint = kernelConstraint
        self.biasConstraint = biasConstraint
        super.init(dataFormat: dataFormat, name: name, inputShape: inputShape)
    }

    /// `Conv2D(32, 3)`: filters and kernel size unlabeled, as Keras' positional arguments.
    public convenience init(
        _ filters: Int, _ kernelSize: SpatialSize, strides: SpatialSize = 1, padding: WindowPadding = .valid,
        dataFormat: DataFormat = .channelsLast, dilationRate: SpatialSize = 1, groups: Int = 1,
        activation: ActivationFunction = .linear, useBias: Bool = true,
        kernelInitializer: Initializer = .glorotUniform, inputShape: [Int]? = nil, name: String? = nil
    ) {
        self.init(filters, kernelSize: kernelSize, strides: strides, padding: padding, dataFormat: dataFormat,
                  dilationRate: dilationRate, groups: groups, activation: activation, useBias: useBias,
                  kernelInitializer: kernelInitializer, inputShape: inputShape, name: name)
    }

    public override func build(channelsLast inputShape: [Int?]) throws {
        let window = try resolve(kernelSize, "kernelSize")
        _ = try resolve(strides, "strides")
        _ = try resolve(dilationRate, "dilationRate")
        guard filters > 0, groups > 0, filters % groups == 0 else {
            throw KerasError.invalidArgument(name: "\(Self.kerasClassName) '\(name)' filters/groups", value: "\(filters)/\(groups)",
                                             expected: "positive filters divisible by groups")
        }
        guard padding != .causal || spatialRank == 1 else {
            throw KerasError.invalidArgument(name: "\(Self.kerasClassName) '\(name)' padding", value: "causal",
                                             expected: "valid or same (causal padding is for Conv1D)")
        }
        try activation.validate(rank: inputShape.count)
        guard let channels = inputShape.last ?? nil, channels % groups == 0 else {
            throw shapeError(expected: "a known number of channels divisible by groups (\(groups))", got: inputShape,
                             fix: "Give the first layer inputShape: with the channels last (or dataFormat: .channelsFirst).")
        }
        kernel = try addWeight(name: "kernel", shape: window + [channels / groups, filters], initializer: kernelInitializer,
                               regularizer: kernelRegularizer, constraint: kernelConstraint)
        if useBias {
            bias = try addWeight(name: "bias", shape: [filters], initializer: biasInitializer,
                                 regularizer: biasRegularizer, constraint: biasConstraint)
        }
    }

    public override func outputShape(channelsLast inputShape: [Int?]) throws -> [Int?] {
        let window = try resolve(kernelSize, "kernelSize"), strides = try resolve(strides, "strides")
        let dilations = try resolve(dilationRate, "dilationRate")
        let grid = inputShape.dropFirst().dropLast().enumerated().map { axis, size in
            size.map { Tensor.slidingWindowPositions(image: $0, window: window[axis], stride: strides[axis],
                                                     dilation: dilations[axis], padding: padding) }
        }
        return [inputShape[0]] + grid + [filters]
    }

    public override func call(channelsLast input: Tensor, training: Bool) throws -> Tensor {
        guard let kernel else { throw KerasError.invalidState("Layer '\(name)' was called before it was built.") }
        let channels = kernel.shape[spatialRank] * groups
        guard input.shape.last == channels else {
            throw shapeError(expected: "(batch, …, \(channels))", got: [nil] + input.shape.dropFirst().map { $0 },
                             fix: "The layer was built for \(channels) channels; reshape the data or rebuild the model.")
        }
        let output = input.convolution(
            kernel.value, bias: bias?.value, strides: try resolve(strides, "strides"),
            dilations: try resolve(dilationRate, "dilationRate"), padding: padding, groups: groups, relu: activation == .relu)
        return activation == .relu ? output : activation(output)
    }

    // MARK: - Configuration

    public override func getConfig() throws -> [ConfigField] {
        try super.getConfig() + [
            ConfigField("filters", .int(filters)),
            ConfigField("kernel_size", .ints(try resolve(kernelSize, "kernelSize"))),
            ConfigField("strides", .ints(try resolve(strides, "strides"))),
            ConfigField("padding", .string(padding.rawValue)),
            ConfigField("data_format", .string(dataFormat.rawValue)),
            ConfigField("dilation_rate", .ints(try resolve(dilationRate, "dilationRate"))),
            ConfigField("groups", .int(groups)),
            ConfigField("activation", try activation.serialized()),
            ConfigField("use_bias", .bool(useBias)),
            ConfigField("kernel_initializer", try kernelInitializer.serialized()),
            ConfigField("bias_initializer", try biasInitializer.serialized()),
            ConfigField("kernel_regularizer", kernelRegularizer?.serialized() ?? .null),
            ConfigField("bias_regularizer", biasRegularizer?.serialized() ?? .null),
            ConfigField("activity_regularizer", .null),
            ConfigField("kernel_constraint", kernelConstraint?.serialized() ?? .null),
            ConfigField("bias_constraint", biasConstraint?.serialized() ?? .null),
        ]
    }

    /// The layer a Keras config describes.
    public convenience init(config: ConfigReader) throws {
        self.init(
            try config.positiveInt("filters"),
            kernelSize: try config.spatialSize("kernel_size") ?? { throw KerasError.invalidData("\(config.context) config is missing 'kernel_size'") }(),
            strides: try config.spatialSize("strides") ?? 1, padding: try config.windowPadding(),
            dataFormat: try config.dataFormat(), dilationRate: try config.spatialSize("dilation_rate") ?? 1,
            groups: try config.int("groups", default: 1),
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

/// A 1-D convolution over `(batch, steps, channels)`: kernel `(width, channels / groups, filters)`.
public final class Conv1D: BaseConv { public override class var spatialRank: Int { 1 } }
/// A 2-D convolution over `(batch, rows, columns, channels)`: kernel `(height, width, channels / groups, filters)`.
public final class Conv2D: BaseConv { public override class var spatialRank: Int { 2 } }
/// A 3-D convolution over `(batch, depth, rows, columns, channels)`: kernel `(d, h, w, channels / groups, filters)`.
public final class Conv3D: BaseConv { public override class var spatialRank: Int { 3 } }
