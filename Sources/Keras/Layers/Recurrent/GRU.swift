/// Gated recurrent unit (Cho et al. 2014), Keras' `GRU`: an `RNN` over a `GRUCell`, fused.
///
/// ```swift
/// GRU(128)                          // reset gate after the recurrent product (Keras' default)
/// GRU(64, resetAfter: false, returnSequences: true)
/// ```
/// The weights are the cell's: `kernel` `[features, 3 × units]`, `recurrent_kernel`
/// `[units, 3 × units]`, `bias` `[2, 3 × units]` (`[3 × units]` without `resetAfter`), gates z, r, h.
public final class GRU: RNN {
    public init(
        _ units: Int, activation: ActivationFunction = .tanh, recurrentActivation: ActivationFunction = .sigmoid,
        useBias: Bool = true, kernelInitializer: Initializer = .glorotUniform, recurrentInitializer: Initializer = .orthogonal,
        biasInitializer: Initializer = .zeros,
        kernelRegularizer: Regularizer? = nil, recurrentRegularizer: Regularizer? = nil, biasRegularizer: Regularizer? = nil,
        kernelConstraint: Constraint? = nil, recurrentConstraint: Constraint? = nil, biasConstraint: Constraint? = nil,
        dropout: Float = 0, recurrentDropout: Float = 0, seed: UInt64? = nil,
        returnSequences: Bool = false, returnState: Bool = false, goBackwards: Bool = false, stateful: Bool = false,
        unroll: Bool = false, resetAfter: Bool = true, zeroOutputForMask: Bool = false, inputShape: [Int]? = nil,
        name: String? = nil
    ) {
        let cell = GRUCell(units, activation: activation, recurrentActivation: recurrentActivation, useBias: useBias,
                           kernelInitializer: kernelInitializer, recurrentInitializer: recurrentInitializer,
                           biasInitializer: biasInitializer, kernelRegularizer: kernelRegularizer,
                           recurrentRegularizer: recurrentRegularizer, biasRegularizer: biasRegularizer,
                           kernelConstraint: kernelConstraint, recurrentConstraint: recurrentConstraint,
                           biasConstraint: biasConstraint, dropout: dropout, recurrentDropout: recurrentDropout,
                           resetAfter: resetAfter, seed: seed, name: "gru_cell")
        super.init(cell, options: RecurrentLayerOptions(returnSequences: returnSequences, returnState: returnState,
                                                        goBackwards: goBackwards, stateful: stateful, unroll: unroll,
                                                        zeroOutputForMask: zeroOutputForMask),
                   inputShape: inputShape, name: name)
    }

    public override func cellConfig() throws -> [ConfigField] { try cell.getConfig().inlinedCellArguments }

    /// The layer a Keras config describes: the cell's arguments are in it, as Keras writes them.
    public init(config: ConfigReader) throws {
        let cell = try GRUCell(config: config)
        cell.name = "gru_cell"
        super.init(cell, options: try RecurrentLayerOptions(config), inputShape: try config.declaredInputShape(), name: config.layerName)
    }
}
