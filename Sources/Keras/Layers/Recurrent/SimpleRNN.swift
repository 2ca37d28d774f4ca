/// A fully connected recurrent layer, Keras' `SimpleRNN`: an `RNN` over a `SimpleRNNCell`, fused.
///
/// ```swift
/// SimpleRNN(32)
/// SimpleRNN(16, activation: .relu, returnSequences: true)
/// ```
/// The weights are the cell's: `kernel` `[features, units]`, `recurrent_kernel` `[units, units]`, `bias` `[units]`.
public final class SimpleRNN: RNN {
    public init(
        _ units: Int, activation: ActivationFunction = .tanh, useBias: Bool = true,
        kernelInitializer: Initializer = .glorotUniform, recurrentInitializer: Initializer = .orthogonal,
        biasInitializer: Initializer = .zeros,
        kernelRegularizer: Regularizer? = nil, recurrentRegularizer: Regularizer? = nil, biasRegularizer: Regularizer? = nil,
        kernelConstraint: Constraint? = nil, recurrentConstraint: Constraint? = nil, biasConstraint: Constraint? = nil,
        dropout: Float = 0, recurrentDropout: Float = 0, seed: UInt64? = nil,
        returnSequences: Bool = false, returnState: Bool = false, goBackwards: Bool = false, stateful: Bool = false,
        unroll: Bool = false, zeroOutputForMask: Bool = false, inputShape: [Int]? = nil, name: String? = nil
    ) {
        let cell = SimpleRNNCell(units, activation: activation, useBias: useBias, kernelInitializer: kernelInitializer,
                                 recurrentInitializer: recurrentInitializer, biasInitializer: biasInitializer,
                                 kernelRegularizer: kernelRegularizer, recurrentRegularizer: recurrentRegularizer,
                                 biasRegularizer: biasRegularizer, kernelConstraint: kernelConstraint,
                                 recurrentConstraint: recurrentConstraint, biasConstraint: biasConstraint,
                                 dropout: dropout, recurrentDropout: recurrentDropout, seed: seed, name: "simple_rnn_cell")
        super.init(cell, returnSequences: returnSequences, returnState: returnState, goBackwards: goBackwards,
                   stateful: stateful, unroll: unroll, zeroOutputForMask: zeroOutputForMask, inputShape: inputShape, name: name)
    }

    public override func cellConfig() throws -> [ConfigField] { try cell.getConfig().inlinedCellArguments }

    /// The layer a Keras config describes.
    public convenience init(config: ConfigReader) throws {
        let a = try StandardCellArguments(config, recurrentActivation: .linear), o = try RecurrentLayerOptions(config)
        self.init(a.units, activation: a.activation, useBias: a.useBias, kernelInitializer: a.kernelInitializer,
                  recurrentInitializer: a.recurrentInitializer, biasInitializer: a.biasInitializer,
                  kernelRegularizer: a.kernelRegularizer, recurrentRegularizer: a.recurrentRegularizer,
                  biasRegularizer: a.biasRegularizer, kernelConstraint: a.kernelConstraint,
                  recurrentConstraint: a.recurrentConstraint, biasConstraint: a.biasConstraint,
                  dropout: a.dropout, recurrentDropout: a.recurrentDropout, seed: a.seed,
                  returnSequences: o.returnSequences, returnState: o.returnState, goBackwards: o.goBackwards,
                  stateful: o.stateful, unroll: o.unroll, zeroOutputForMask: o.zeroOutputForMask,
                  inputShape: try config.declaredInputShape(), name: config.layerName)
    }
}
