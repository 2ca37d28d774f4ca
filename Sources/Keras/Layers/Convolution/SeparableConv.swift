/// The depthwise and separable convolution layers: `DepthwiseConv1D/2D` (each channel convolved
/// with its own `depthMultiplier` filters; kernel `(window..., channels, depthMultiplier)`) and
/// `SeparableConv1D/2D` (that, then a 1×1 convolution to `filters`; weights
/// `depthwise_kernel`, `pointwise_kernel (1…, channels · depthMultiplier, filters)`, `bias`).
open class BaseDepthwiseConv: SpatialLayer {
    /// Whether a pointwise convolution to `filters` follows (separable).
    open class var isSeparable: Bool { false }
    public let filters: Int?
    public let kernelSize: SpatialSize
    public let strides: SpatialSize
    public let padding: WindowPadding
    public let depthMultiplier: Int
    public let dilationRate: SpatialSize
    public let activation: ActivationFunction
    public let useBias: Bool
    public let depthwiseInitializer: Initializer, pointwiseInitializer: Initializer, biasInitializer: Initializer
    public private(set) var depthwiseKernel: Variable?, pointwiseKernel: Variable?, bias: Variable?

    init(
        filters: Int?, kernelSize: SpatialSize, strides: SpatialSize, padding: WindowPadding, depthMultiplier: Int,
        dataFormat: DataFormat, dilationRate: SpatialSize, activation: ActivationFunction, useBias: Bool,
        depthwiseInitializer: Initializer, pointwiseInitializer: Initializer, biasInitializer: Initializer,
        inputShape: [Int]?, name: String?
    ) {
        self.filters = filters
        self.kernelSize = kernelSize
        self.strides = strides
        self.padding = padding
        self.depthMultiplier = depthMultiplier
        self.dilationRate = dilationRate
        self.activation = activation
        self.useBias = useBias
        self.depthwiseInitializer = depthwiseInitializer
        self.pointwiseInitializer = pointwiseInitializer
        self.biasInitializer = biasInitializer
        super.init(dataFormat: dataFormat, name: name, inputShape: inputShape)
    }

    /// The channels after the depthwise step, and after the whole layer.
    private func outputChannels(_ channels: Int) -> Int { filters ?? channels * depthMultiplier }

    public override func build(channelsLast inputShape: [Int?]) throws {
        let window = try resolve(kernelSize, "kernelSize")
        guard depthMultiplier > 0, (filters ?? 1) > 0, let channels = inputShape.last ?? nil else {
            throw shapeError(expected: "a known number of channels, positive depthMultiplier and filters", got: inputShape,
                             fix: "Give the first layer inputShape: with the channels last.")
        }
        try activation.validate(rank: inputShape.count)
        // Keras names the depthwise layers' only kernel `kernel`.
        depthwiseKernel = try addWeight(name: filters == nil ? "kernel" : "depthwise_kernel", shape: window + [channels, depthMultiplier], initializer: depthwiseInitializer)
        if let filters {
            pointwiseKernel = try addWeight(name: "pointwise_kernel", shape: Array(repeating: 1, count: spatialRank) + [channels * depthMultiplier, filters],
                                            initializer: pointwiseInitializer)
        }
        if useBias { bias = try addWeight(name: "bias", shape: [outputChannels(channels)], initializer: biasInitializer) }
    }

    public override func outputShape(channelsLast inputShape: [Int?]) throws -> [Int?] {
        let window = try resolve(kernelSize, "kernelSize"), strides = try resolve(strides, "strides")
        let dilations = try resolve(dilationRate, "dilationRate")
        let grid = inputShape.dropFirst().dropLast().enumerated().map { axis, size in
            size.map { Tensor.slidingWindowPositions(image: $0, window: window[axis], stride: strides[axis], dilation: dilations[axis], padding: padding) }
        }
        return [inputShape[0]] + grid + [(inputShape.last ?? nil).map(outputChannels)]
    }

    public override func call(channelsLast input: Tensor, training: Bool) throws -> Tensor {
        guard let depthwiseKernel else { throw KerasError.invalidState("Layer '\(name)' was called before it was built.") }
        guard input.shape.last == depthwiseKernel.shape[spatialRank] else {
            throw shapeError(expected: "(batch, …, \(depthwiseKernel.shape[spatialRank]))", got: [nil] + input.shape.dropFirst().map { $0 },
                             fix: "The layer was built for another number of channels; rebuild the model.")
        }
        let strides = try resolve(strides, "strides"), dilations = try resolve(dilationRate, "dilationRate")
        var output = input.depthwiseConvolution(depthwiseKernel.value, bias: pointwiseKernel == nil ? bias?.value : nil,
                                                strides: strides, dilations: dilations, padding: padding)
        if let pointwiseKernel { output = output.convolution(pointwiseKernel.value, bias: bias?.value) }
        return activation(output)
    }

    // MARK: - Configuration

    public override func getConfig() throws -> [ConfigField] {
        var fields = try super.getConfig() + [ConfigField("depth_multiplier", .int(depthMultiplier))]
        if let filters { fields.append(ConfigField("filters", .int(filters))) }
        fields += [
            ConfigField("kernel_size", .ints(try resolve(kernelSize, "kernelSize"))), ConfigField("strides", .ints(try resolve(strides, "strides"))),
            ConfigField("padding", .string(padding.rawValue)), ConfigField("data_format", .string(dataFormat.rawValue)),
            ConfigField("dilation_rate", .ints(try resolve(dilationRate, "dilationRate"))),
            ConfigField("activation", try activation.serialized()), ConfigField("use_bias", .bool(useBias)),
            ConfigField("depthwise_initializer", try depthwiseInitializer.serialized()),
        ]
        if filters != nil { fields.append(ConfigField("pointwise_initializer", try pointwiseInitializer.serialized())) }
        fields.append(ConfigField("bias_initializer", try biasInitializer.serialized()))
        let nulls = filters != nil
            ? ["depthwise_regularizer", "pointwise_regularizer", "bias_regularizer", "activity_regularizer", "depthwise_constraint", "pointwise_constraint", "bias_constraint"]
            : ["depthwise_regularizer", "bias_regularizer", "activity_regularizer", "depthwise_constraint", "bias_constraint"]
        return fields + nulls.map { ConfigField($0, .null) }
    }

    /// The layer a Keras config describes.
    public convenience init(config: ConfigReader) throws {
        self.init(
            filters: Self.isSeparable ? try config.positiveInt("filters") : nil,
            kernelSize: try config.spatialSize("kernel_size") ?? { throw KerasError.invalidData("\(config.context) config is missing 'kernel_size'") }(),
            strides: try config.spatialSize("strides") ?? 1, padding: try config.windowPadding(),
            depthMultiplier: try config.int("depth_multiplier", default: 1), dataFormat: try config.dataFormat(),
            dilationRate: try config.spatialSize("dilation_rate") ?? 1,
            activation: try ActivationFunction(serialized: config.value("activation") ?? .null),
            useBias: try config.bool("use_bias", default: true),
            depthwiseInitializer: try Initializer(serialized: config.value("depthwise_initializer") ?? "glorot_uniform"),
            pointwiseInitializer: try Initializer(serialized: config.value("pointwise_initializer") ?? "glorot_uniform"),
            biasInitializer: try Initializer(serialized: config.value("bias_initializer") ?? "zeros"),
            inputShape: try config.declaredInputShape(), name: config.layerName)
    }
}

/// The depthwise convolutions: `DepthwiseConv2D(3, depthMultiplier: 2)`.
open class BaseDepthwiseOnly: BaseDepthwiseConv {
    public convenience init(
        _ kernelSize: SpatialSize, strides: SpatialSize = 1, padding: WindowPadding = .valid, depthMultiplier: Int = 1,
        dataFormat: DataFormat = .channelsLast, dilationRate: SpatialSize = 1, activation: ActivationFunction = .linear,
        useBias: Bool = true, depthwiseInitializer: Initializer = .glorotUniform, biasInitializer: Initializer = .zeros,
        inputShape: [Int]? = nil, name: String? = nil
    ) {
        self.init(filters: nil, kernelSize: kernelSize, strides: strides, padding: padding, depthMultiplier: depthMultiplier,
                  dataFormat: dataFormat, dilationRate: dilationRate, activation: activation, useBias: useBias,
                  depthwiseInitializer: depthwiseInitializer, pointwiseInitializer: .glorotUniform, biasInitializer: biasInitializer,
                  inputShape: inputShape, name: name)
    }
}

/// The separable convolutions: `SeparableConv2D(32, 3, depthMultiplier: 1)`.
open class BaseSeparableConv: BaseDepthwiseConv {
    open override class var isSeparable: Bool { true }

    public convenience init(
        _ filters: Int, _ kernelSize: SpatialSize, strides: SpatialSize = 1, padding: WindowPadding = .valid, depthMultiplier: Int = 1,
        dataFormat: DataFormat = .channelsLast, dilationRate: SpatialSize = 1, activation: ActivationFunction = .linear,
        useBias: Bool = true, depthwiseInitializer: Initializer = .glorotUniform, pointwiseInitializer: Initializer = .glorotUniform,
        biasInitializer: Initializer = .zeros, inputShape: [Int]? = nil, name: String? = nil
    ) {
        self.init(filters: filters, kernelSize: kernelSize, strides: strides, padding: padding, depthMultiplier: depthMultiplier,
                  dataFormat: dataFormat, dilationRate: dilationRate, activation: activation, useBias: useBias,
                  depthwiseInitializer: depthwiseInitializer, pointwiseInitializer: pointwiseInitializer, biasInitializer: biasInitializer,
                  inputShape: inputShape, name: name)
    }
}

/// Depthwise 1-D convolution over `(batch, steps, channels)`.
public final class DepthwiseConv1D: BaseDepthwiseOnly { public override class var spatialRank: Int { 1 } }
/// Depthwise 2-D convolution over `(batch, rows, columns, channels)`.
public final class DepthwiseConv2D: BaseDepthwiseOnly { public override class var spatialRank: Int { 2 } }
/// Separable 1-D convolution: depthwise, then pointwise to `filters`.
public final class SeparableConv1D: BaseSeparableConv { public override class var spatialRank: Int { 1 } }
/// Separable 2-D convolution: depthwise, then pointwise to `filters`.
public final class SeparableConv2D: BaseSeparableConv { public override class var spatialRank: Int { 2 } }
