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
        super.init(cell, options: RecurrentLayerOptions(returnSequences: returnSequences, returnState: returnState,
                                                        goBackwards: goBackwards, stateful: stateful, unroll: unroll,
                                                        zeroOutputForMask: zeroOutputForMask),
                   inputShape: inputShape, name: name)
    }

    public override func cellConfig() throws -> [ConfigField] { try cell.getConfig().inlinedCellArguments }

    /// The layer a Keras config describes: the cell's arguments are in it, as Keras writes them.
    public init(config: ConfigReader) throws {
        let cell = try SimpleRNNCell(config: config)
        cell.name = "simple_rnn_cell"
        super.init(cell, options: try RecurrentLayerOptions(config), inputShape: try config.declaredInputShape(), name: config.layerName)
    }
}
