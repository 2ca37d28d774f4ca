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
        super.init(cell, returnSequences: returnSequences, returnState: returnState, goBackwards: goBackwards,
                   stateful: stateful, unroll: unroll, zeroOutputForMask: zeroOutputForMask, inputShape: inputShape, name: name)
    }

    public override func cellConfig() throws -> [ConfigField] { try cell.getConfig().inlinedCellArguments }

    /// The layer a Keras config describes.
    public convenience init(config: ConfigReader) throws {
        let a = try StandardCellArguments(config, recurrentActivation: .sigmoid), o = try RecurrentLayerOptions(config)
        self.init(a.units, activation: a.activation, recurrentActivation: a.recurrentActivation, useBias: a.useBias,
                  kernelInitializer: a.kernelInitializer, recurrentInitializer: a.recurrentInitializer,
                  biasInitializer: a.biasInitializer, unitForgetBias: try config.bool("unit_forget_bias", default: true),
                  kernelRegularizer: a.kernelRegularizer, recurrentRegularizer: a.recurrentRegularizer,
                  biasRegularizer: a.biasRegularizer, kernelConstraint: a.kernelConstraint,
                  recurrentConstraint: a.recurrentConstraint, biasConstraint: a.biasConstraint,
                  dropout: a.dropout, recurrentDropout: a.recurrentDropout, seed: a.seed,
                  returnSequences: o.returnSequences, returnState: o.returnState, goBackwards: o.goBackwards,
                  stateful: o.stateful, unroll: o.unroll, zeroOutputForMask: o.zeroOutputForMask,
                  inputShape: try config.declaredInputShape(), name: config.layerName)
    }
}

extension Array where Element == ConfigField {
    /// A cell's config without what every layer has (name, trainable, dtype): the arguments
    /// Keras' `LSTM`, `GRU` and `SimpleRNN` write in their own config.
    var inlinedCellArguments: [ConfigField] {
        filter { !["name", "trainable", "dtype"].contains($0.key) }
    }
}
