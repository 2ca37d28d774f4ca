/// Long short-term memory (Hochreiter 1997), Keras' `LSTM`: an `RNN` over an `LSTMCell`,
/// fused (one GEMM for the inputs of the whole sequence, one per step).
///
/// ```swift
/// Sequential([Embedding(10_000, 128), LSTM(128), Dense(units: 1, activation: .sigmoid)])
/// LSTM(64, returnSequences: true, dropout: 0.2)
/// ```
/// The weights are the cell's: `kernel` `[features, 4 × units]`, `recurrent_kernel`
/// `[units, 4 × units]`, `bias` `[4 × units]`, gates in Keras' order i, f, c, o.
public final class LSTM: RNN {
    public init(
        _ units: Int, activation: ActivationFunction = .tanh, recurrentActivation: ActivationFunction = .sigmoid,
        useBias: Bool = true, kernelInitializer: Initializer = .glorotUniform, recurrentInitializer: Initializer = .orthogonal,
        biasInitializer: Initializer = .zeros, unitForgetBias: Bool = true,
        kernelRegularizer: Regularizer? = nil, recurrentRegularizer: Regularizer? = nil, biasRegularizer: Regularizer? = nil,
        kernelConstraint: Constraint? = nil, recurrentConstraint: Constraint? = nil, biasConstraint: Constraint? = nil,
        dropout: Float = 0, recurrentDropout: Float = 0, seed: UInt64? = nil,
        returnSequences: Bool = false, returnState: Bool = false, goBackwards: Bool = false, stateful: Bool = false,
        unroll: Bool = false, zeroOutputForMask: Bool = false, inputShape: [Int]? = nil, name: String? = nil
    ) {
        let cell = LSTMCell(units, activation: activation, recurrentActivation: recurrentActivation, useBias: useBias,
                            kernelInitializer: kernelInitializer, recurrentInitializer: recurrentInitializer,
                            biasInitializer: biasInitializer, unitForgetBias: unitForgetBias,
                            kernelRegularizer: kernelRegularizer, recurrentRegularizer: recurrentRegularizer,
                            biasRegularizer: biasRegularizer, kernelConstraint: kernelConstraint,
                            recurrentConstraint: recurrentConstraint, biasConstraint: biasConstraint,
                            dropout: dropout, recurrentDropout: recurrentDropout, seed: seed, name: "lstm_cell")
        super.init(cell, options: RecurrentLayerOptions(returnSequences: returnSequences, returnState: returnState,
                                                        goBackwards: goBackwards, stateful: stateful, unroll: unroll,
                                                        zeroOutputForMask: zeroOutputForMask),
                   inputShape: inputShape, name: name)
    }

    public override func cellConfig() throws -> [ConfigField] { try cell.getConfig().inlinedCellArguments }

    /// The layer a Keras config describes: the cell's arguments are in it, as Keras writes them.
    public init(config: ConfigReader) throws {
        let cell = try LSTMCell(config: config)
        cell.name = "lstm_cell"
        super.init(cell, options: try RecurrentLayerOptions(config), inputShape: try config.declaredInputShape(), name: config.layerName)
    }
}

extension Array where Element == ConfigField {
    /// A cell's config without what every layer has (name, trainable, dtype): the arguments
    /// Keras' `LSTM`, `GRU` and `SimpleRNN` write in their own config.
    var inlinedCellArguments: [ConfigField] {
        filter { !["name", "trainable", "dtype"].contains($0.key) }
    }
}
