/// The transposed convolution layers `Conv1DTranspose`, `Conv2DTranspose`, `Conv3DTranspose`
/// (the gradient of a convolution, which upsamples with `strides`): kernel
/// `(window..., filters, channels)`, output sizes and placement as Keras'.
///
/// ```swift
/// Conv2DTranspose(16, 3, strides: 2, padding: .same)   // (None, 7, 7, c) → (None, 14, 14, 16)
/// ```
open class BaseConvTranspose: SpatialLayer {
    public let filters: Int
    public let kernelSize: SpatialSize
    public let strides: SpatialSize
    public let padding: WindowPadding
    /// Extra output positions at the end of each axis; Keras' default when `nil`.
    public let outputPadding: SpatialSize?
    public let dilationRate: SpatialSize
    public let activation: ActivationFunction
    public let useBias: Bool
    public let kernelInitializer: Initializer
    public let biasInitializer: Initializer
    /// The `(window..., filters, channels)` kernel and the `(filters)` bias, once built.
    public private(set) var kernel: Variable?, bias: Variable?

    public init(
        _ filters: Int, _ kernelSize: SpatialSize, strides: SpatialSize = 1, padding: WindowPadding = .valid,
        outputPadding: SpatialSize? = nil, dataFormat: DataFormat = .channelsLast, dilationRate: SpatialSize = 1,
        activation: ActivationFunction = .linear, useBias: Bool = true,
        kernelInitializer: Initializer = .glorotUniform, biasInitializer: Initializer = .zeros,
        inputShape: [Int]? = nil, name: String? = nil
    ) {
        self.filters = filters
        self.kernelSize = kernelSize
        self.strides = strides
        self.padding = padding
        self.outputPadding = outputPadding
        self.dilationRate = dilationRate
        self.activation = activation
        self.useBias = useBias
        self.kernelInitializer = kernelInitializer
        self.biasInitializer = biasInitializer
        super.init(dataFormat: dataFormat, name: name, inputShape: inputShape)
    }

    private func options() throws -> (window: [Int], strides: [Int], dilations: [Int], outputPadding: [Int]?) {
        guard padding != .causal else {
            throw KerasError.invalidArgument(name: "\(Self.kerasClassName) '\(name)' padding", value: "causal", expected: "valid or same")
        }
        return (try resolve(kernelSize, "kernelSize"), try resolve(strides, "strides"), try resolve(dilationRate, "dilationRate"),
                try outputPadding.map { try resolve($0, "outputPadding", allowZero: true) })
    }

    public override func build(channelsLast inputShape: [Int?]) throws {
        let (window, _, _, _) = try options()
        guard filters > 0, let channels = inputShape.last ?? nil else {
            throw shapeError(expected: "a known number of channels and filters > 0", got: inputShape,
                             fix: "Give the first layer inputShape: with the channels last.")
        }
        try activation.validate(rank: inputShape.count)
        kernel = try addWeight(name: "kernel", shape: window + [filters, channels], initializer: kernelInitializer)
        if useBias { bias = try addWeight(name: "bias", shape: [filters], initializer: biasInitializer) }
    }

    public override func outputShape(channelsLast inputShape: [Int?]) throws -> [Int?] {
        let (window, strides, dilations, outputPadding) = try options()
        let sizes = inputShape.dropFirst().dropLast().enumerated().map { axis, extent in
            extent.map { Tensor.transposedConvolutionSize(input: $0, window: window[axis], stride: strides[axis], dilation: dilations[axis],
                                                          padding: padding, outputPadding: outputPadding?[axis]) }
        }
        return [inputShape[0]] + sizes + [filters]
    }

    public override func call(channelsLast input: Tensor, training: Bool) throws -> Tensor {
        guard let kernel else { throw KerasError.invalidState("Layer '\(name)' was called before it was built.") }
        guard input.shape.last == kernel.shape[spatialRank + 1] else {
            throw shapeError(expected: "(batch, …, \(kernel.shape[spatialRank + 1]))", got: [nil] + input.shape.dropFirst().map { $0 },
                             fix: "The layer was built for another number of channels; rebuild the model.")
        }
        let (_, strides, dilations, outputPadding) = try options()
        return activation(input.transposedConvolution(kernel.value, bias: bias?.value, strides: strides, dilations: dilations,
                                                      padding: padding, outputPadding: outputPadding))
    }

    // MARK: - Configuration

    public override func getConfig() throws -> [ConfigField] {
        let (window, strides, dilations, outputPadding) = try options()
        return try super.getConfig() + [
            ConfigField("filters", .int(filters)), ConfigField("kernel_size", .ints(window)), ConfigField("strides", .ints(strides)),
            ConfigField("padding", .string(padding.rawValue)), ConfigField("output_padding", outputPadding.map { .ints($0) } ?? .null),
            ConfigField("data_format", .string(dataFormat.rawValue)), ConfigField("dilation_rate", .ints(dilations)),
            ConfigField("activation", try activation.serialized()), ConfigField("use_bias", .bool(useBias)),
            ConfigField("kernel_initializer", try kernelInitializer.serialized()),
            ConfigField("bias_initializer", try biasInitializer.serialized()),
            ConfigField("kernel_regularizer", .null), ConfigField("bias_regularizer", .null), ConfigField("activity_regularizer", .null),
            ConfigField("kernel_constraint", .null), ConfigField("bias_constraint", .null),
        ]
    }

    /// The layer a Keras config describes.
    public convenience init(config: ConfigReader) throws {
        self.init(
            try config.positiveInt("filters"),
            try config.spatialSize("kernel_size") ?? { throw KerasError.invalidData("\(config.context) config is missing 'kernel_size'") }(),
            strides: try config.spatialSize("strides") ?? 1, padding: try config.windowPadding(),
            outputPadding: try config.spatialSize("output_padding"), dataFormat: try config.dataFormat(),
            dilationRate: try config.spatialSize("dilation_rate") ?? 1,
            activation: try ActivationFunction(serialized: config.value("activation") ?? .null),
            useBias: try config.bool("use_bias", default: true),
            kernelInitializer: try Initializer(serialized: config.value("kernel_initializer") ?? "glorot_uniform"),
            biasInitializer: try Initializer(serialized: config.value("bias_initializer") ?? "zeros"),
            inputShape: try config.declaredInputShape(), name: config.layerName)
    }
}

/// The transposed 1-D convolution: kernel `(width, filters, channels)`.
public final class Conv1DTranspose: BaseConvTranspose { public override class var spatialRank: Int { 1 } }
/// The transposed 2-D convolution: kernel `(height, width, filters, channels)`.
public final class Conv2DTranspose: BaseConvTranspose { public override class var spatialRank: Int { 2 } }
/// The transposed 3-D convolution: kernel `(d, h, w, filters, channels)`.
public final class Conv3DTranspose: BaseConvTranspose { public override class var spatialRank: Int { 3 } }
