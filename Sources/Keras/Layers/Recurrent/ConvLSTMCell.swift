/// One step of a convolutional LSTM (Keras' `ConvLSTMCell`, Shi et al. 2015): the LSTM's gates
/// from convolutions instead of products, `conv(x, kernel) + conv(h, recurrentKernel) + bias`,
/// so the states are images `[batch, rows, columns, filters]`. `ConvLSTM1D/2D/3D` run it.
///
/// The input convolution uses the layer's strides, dilation and padding; the recurrent one
/// strides 1 and `same` padding, as in Keras. Weights: `kernel` `[window..., channels, 4 × filters]`,
/// `recurrent_kernel` `[window..., filters, 4 × filters]`, `bias` `[4 × filters]`, gates i, f, c, o.
public final class ConvLSTMCell: StandardRecurrentCell {
    /// The number of spatial axes (1, 2 or 3).
    public let rank: Int
    public var filters: Int { units }
    public let kernelSize: SpatialSize
    public let strides: SpatialSize
    public let padding: WindowPadding
    public let dataFormat: DataFormat
    public let dilationRate: SpatialSize
    /// Whether the forget gate's bias starts at 1 (Keras' default).
    public let unitForgetBias: Bool

    public init(
        rank: Int, filters: Int, kernelSize: SpatialSize, strides: SpatialSize = 1, padding: WindowPadding = .valid,
        dataFormat: DataFormat = .channelsLast, dilationRate: SpatialSize = 1,
        activation: ActivationFunction = .tanh, recurrentActivation: ActivationFunction = .sigmoid, useBias: Bool = true,
        kernelInitializer: Initializer = .glorotUniform, recurrentInitializer: Initializer = .orthogonal,
        biasInitializer: Initializer = .zeros, unitForgetBias: Bool = true,
        kernelRegularizer: Regularizer? = nil, recurrentRegularizer: Regularizer? = nil, biasRegularizer: Regularizer? = nil,
        kernelConstraint: Constraint? = nil, recurrentConstraint: Constraint? = nil, biasConstraint: Constraint? = nil,
        dropout: Float = 0, recurrentDropout: Float = 0, seed: UInt64? = nil, name: String? = nil
    ) {
        self.rank = rank
        self.kernelSize = kernelSize
        self.strides = strides
        self.padding = padding
        self.dataFormat = dataFormat
        self.dilationRate = dilationRate
        self.unitForgetBias = unitForgetBias
        super.init(units: filters, activation: activation, recurrentActivation: recurrentActivation, useBias: useBias,
                   kernelInitializer: kernelInitializer, recurrentInitializer: recurrentInitializer, biasInitializer: biasInitializer,
                   kernelRegularizer: kernelRegularizer, recurrentRegularizer: recurrentRegularizer, biasRegularizer: biasRegularizer,
                   kernelConstraint: kernelConstraint, recurrentConstraint: recurrentConstraint, biasConstraint: biasConstraint,
                   dropout: dropout, recurrentDropout: recurrentDropout, seed: seed, name: name)
    }

    public override class var gates: Int { 4 }
    /// Each state's channels: the filters.
    public override var stateSize: [Int] { [units, units] }

    public override func initialBias() throws -> Tensor { try lstmBias(unitForgetBias: unitForgetBias) }

    /// The window, strides and dilations, checked as Keras does.
    private func geometry() throws -> (window: [Int], strides: [Int], dilations: [Int]) {
        func resolve(_ size: SpatialSize, _ argument: String) throws -> [Int] {
            guard let values = size.resolved(rank: rank), values.allSatisfy({ $0 > 0 }) else {
                throw KerasError.invalidArgument(name: "ConvLSTM\(rank)D '\(name)' \(argument)", value: "\(size.values)",
                                                 expected: "one or \(rank) positive integers")
            }
            return values
        }
        let (window, strides, dilations) = (try resolve(kernelSize, "kernelSize"), try resolve(self.strides, "strides"),
                                            try resolve(dilationRate, "dilationRate"))
        guard strides.max()! == 1 || dilations.max()! == 1 else {
            throw KerasError.invalidArgument(name: "ConvLSTM\(rank)D '\(name)' strides and dilationRate", value: "\(strides), \(dilations)",
                                             expected: "strides of 1 or a dilation rate of 1 (Keras allows only one of them above 1)")
        }
        guard padding != .causal else {
            throw KerasError.invalidArgument(name: "ConvLSTM\(rank)D '\(name)' padding", value: "causal", expected: "valid or same")
        }
        return (window, strides, dilations)
    }

    /// A step shape in channels-last order, after checking its rank.
    private func channelsLast(_ shape: [Int?]) throws -> [Int?] {
        guard shape.count == rank + 2 else {
            throw shapeError(expected: "rank \(rank + 3) sequences: (batch, time, \(Array(repeating: "…", count: rank).joined(separator: ", ")), channels)",
                             got: [shape.first ?? nil, nil] + shape.dropFirst(),
                             fix: "Give the first layer inputShape: [time, \(rank == 1 ? "steps" : "rows, columns"), channels].")
        }
        return dataFormat == .channelsLast ? shape : [shape[0]] + shape.dropFirst(2) + [shape[1]]
    }

    public override func kernelShapes(forInputShape inputShape: [Int?]) throws -> (kernel: [Int], recurrent: [Int]) {
        let shape = try channelsLast(inputShape), window = try geometry().window
        guard let channels = shape.last ?? nil, !shape.dropFirst().contains(nil) else {
            throw shapeError(expected: "known spatial sizes and channels", got: [inputShape[0], nil] + inputShape.dropFirst(),
                             fix: "ConvLSTM layers need the size of each step's image: give inputShape: [time, rows, columns, channels].")
        }
        return (window + [channels, 4 * units], window + [units, 4 * units])
    }

    /// `[batch, grid..., filters]` (channels first: `[batch, filters, grid...]`): the input
    /// convolution's output grid.
    public override func stateShapes(forInputShape inputShape: [Int?]) throws -> [[Int?]] {
        let shape = try channelsLast(inputShape), (window, strides, dilations) = try geometry()
        let grid = shape.dropFirst().dropLast().enumerated().map { axis, size in
            size.map { Tensor.slidingWindowPositions(image: $0, window: window[axis], stride: strides[axis],
                                                     dilation: dilations[axis], padding: padding) }
        }
        let state = dataFormat == .channelsLast ? [shape[0]] + grid + [units] : [shape[0], units] + grid
        return [state, state]
    }

    public override func outputShape(forInputShape inputShape: [Int?]) throws -> [Int?] {
        try stateShapes(forInputShape: inputShape)[0]
    }

    public override func step(_ input: Tensor, states: [Tensor], training: Bool) throws -> (output: Tensor, states: [Tensor]) {
        let (kernel, recurrent, bias) = try weightValues(), (_, strides, dilations) = try geometry()
        let x = toChannelsLast(dropoutMasks.dropStep(input)), h = toChannelsLast(dropoutMasks.dropState(states[0]))
        let z = x.convolution(kernel, bias: bias, strides: strides, dilations: dilations, padding: padding)
            + h.convolution(recurrent, padding: .same)
        let (newH, newC) = lstmUpdate(z, carry: toChannelsLast(states[1]))
        let output = fromChannelsLast(newH)
        return (output, [output, fromChannelsLast(newC)])
    }

    private func toChannelsLast(_ x: Tensor) -> Tensor {
        dataFormat == .channelsLast ? x : x.transposed([0] + Array(2..<x.rank) + [1])
    }

    private func fromChannelsLast(_ x: Tensor) -> Tensor {
        dataFormat == .channelsLast ? x : x.transposed([0, x.rank - 1] + Array(1..<(x.rank - 1)))
    }

    // MARK: - Configuration

    /// The convolution's arguments, as Keras writes them.
    func convolutionConfig() throws -> [ConfigField] {
        let (window, strides, dilations) = try geometry()
        return [
            ConfigField("filters", .int(units)), ConfigField("kernel_size", .ints(window)), ConfigField("strides", .ints(strides)),
            ConfigField("padding", .string(padding.rawValue)), ConfigField("data_format", .string(dataFormat.rawValue)),
            ConfigField("dilation_rate", .ints(dilations)), ConfigField("activation", try activation.serialized()),
            ConfigField("recurrent_activation", try recurrentActivation.serialized()), ConfigField("use_bias", .bool(useBias)),
            ConfigField("unit_forget_bias", .bool(unitForgetBias)),
        ]
    }

    public override func getConfig() throws -> [ConfigField] {
        try super.getConfig() + convolutionConfig() + weightConfig()
    }

    /// The cell a `ConvLSTM1D/2D/3D` config describes (Keras writes the cell's arguments in the layer's config).
    public convenience init(config: ConfigReader, rank: Int) throws {
        let a = try StandardCellArguments(config, recurrentActivation: .sigmoid, unitsKey: "filters")
        guard let kernelSize = try config.spatialSize("kernel_size") else {
            throw KerasError.invalidData("\(config.context) config is missing 'kernel_size'")
        }
        self.init(rank: rank, filters: a.units, kernelSize: kernelSize, strides: try config.spatialSize("strides") ?? 1,
                  padding: try config.windowPadding(), dataFormat: try config.dataFormat(),
                  dilationRate: try config.spatialSize("dilation_rate") ?? 1, activation: a.activation,
                  recurrentActivation: a.recurrentActivation, useBias: a.useBias, kernelInitializer: a.kernelInitializer,
                  recurrentInitializer: a.recurrentInitializer, biasInitializer: a.biasInitializer,
                  unitForgetBias: try config.bool("unit_forget_bias", default: true),
                  kernelRegularizer: a.kernelRegularizer, recurrentRegularizer: a.recurrentRegularizer,
                  biasRegularizer: a.biasRegularizer, kernelConstraint: a.kernelConstraint,
                  recurrentConstraint: a.recurrentConstraint, biasConstraint: a.biasConstraint,
                  dropout: a.dropout, recurrentDropout: a.recurrentDropout, seed: a.seed, name: config.layerName)
    }
}
