/// The convolutional LSTM layers `ConvLSTM1D`, `ConvLSTM2D`, `ConvLSTM3D` (Keras' `ConvLSTM`):
/// an `RNN` over a `ConvLSTMCell`, for sequences of images `[batch, time, rows, columns, channels]`.
///
/// ```swift
/// ConvLSTM2D(16, kernelSize: 3, padding: .same, returnSequences: true, inputShape: [10, 32, 32, 1])
/// ConvLSTM1D(8, kernelSize: 3, strides: 2)
/// ```
/// Outputs `[batch, rows', columns', filters]` (every step's with `returnSequences`), states h
/// and c of the same shape; masks, `goBackwards`, `stateful` and initial states work as in `LSTM`.
open class ConvLSTM: RNN {
    /// The number of spatial axes of each step.
    open class var spatialRank: Int { 2 }

    public init(
        _ filters: Int, kernelSize: SpatialSize, strides: SpatialSize = 1, padding: WindowPadding = .valid,
        dataFormat: DataFormat = .channelsLast, dilationRate: SpatialSize = 1,
        activation: ActivationFunction = .tanh, recurrentActivation: ActivationFunction = .sigmoid, useBias: Bool = true,
        kernelInitializer: Initializer = .glorotUniform, recurrentInitializer: Initializer = .orthogonal,
        biasInitializer: Initializer = .zeros, unitForgetBias: Bool = true,
        kernelRegularizer: Regularizer? = nil, recurrentRegularizer: Regularizer? = nil, biasRegularizer: Regularizer? = nil,
        kernelConstraint: Constraint? = nil, recurrentConstraint: Constraint? = nil, biasConstraint: Constraint? = nil,
        dropout: Float = 0, recurrentDropout: Float = 0, seed: UInt64? = nil,
        returnSequences: Bool = false, returnState: Bool = false, goBackwards: Bool = false, stateful: Bool = false,
        unroll: Bool = false, zeroOutputForMask: Bool = false, inputShape: [Int]? = nil, name: String? = nil
    ) {
        let cell = ConvLSTMCell(
            rank: Self.spatialRank, filters: filters, kernelSize: kernelSize, strides: strides, padding: padding,
            dataFormat: dataFormat, dilationRate: dilationRate, activation: activation, recurrentActivation: recurrentActivation,
            useBias: useBias, kernelInitializer: kernelInitializer, recurrentInitializer: recurrentInitializer,
            biasInitializer: biasInitializer, unitForgetBias: unitForgetBias, kernelRegularizer: kernelRegularizer,
            recurrentRegularizer: recurrentRegularizer, biasRegularizer: biasRegularizer, kernelConstraint: kernelConstraint,
            recurrentConstraint: recurrentConstraint, biasConstraint: biasConstraint, dropout: dropout,
            recurrentDropout: recurrentDropout, seed: seed, name: "conv_lstm_cell")
        super.init(cell, options: RecurrentLayerOptions(returnSequences: returnSequences, returnState: returnState,
                                                        goBackwards: goBackwards, stateful: stateful, unroll: unroll,
                                                        zeroOutputForMask: zeroOutputForMask),
                   inputShape: inputShape, name: name)
    }

    public override func cellConfig() throws -> [ConfigField] {
        try cell.getConfig().inlinedCellArguments + [ConfigField("activity_regularizer", .null)]
    }

    /// The layer a Keras config describes: the cell's arguments are in it, as Keras writes them.
    public init(config: ConfigReader) throws {
        let cell = try ConvLSTMCell(config: config, rank: Self.spatialRank)
        cell.name = "conv_lstm_cell"
        super.init(cell, options: try RecurrentLayerOptions(config), inputShape: try config.declaredInputShape(), name: config.layerName)
    }
}

/// A convolutional LSTM over sequences of 1-D signals `[batch, time, steps, channels]`.
public final class ConvLSTM1D: ConvLSTM { public override class var spatialRank: Int { 1 } }
/// A convolutional LSTM over sequences of images `[batch, time, rows, columns, channels]`.
public final class ConvLSTM2D: ConvLSTM { public override class var spatialRank: Int { 2 } }
/// A convolutional LSTM over sequences of volumes `[batch, time, depth, rows, columns, channels]`.
public final class ConvLSTM3D: ConvLSTM { public override class var spatialRank: Int { 3 } }
