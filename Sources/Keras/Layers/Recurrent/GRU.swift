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
        super.init(cell, returnSequences: returnSequences, returnState: returnState, goBackwards: goBackwards,
                   stateful: stateful, unroll: unroll, zeroOutputForMask: zeroOutputForMask, inputShape: inputShape, name: name)
    }

    public override func cellConfig() throws -> [ConfigField] { try cell.getConfig().inlinedCellArguments }

    /// The layer a Keras config describes.
    public convenience init(config: ConfigReader) throws {
        let a = try StandardCellArguments(config, recurrentActivation: .sigmoid), o = try RecurrentLayerOptions(config)
        self.init(a.units, activation: a.activation, recurrentActivation: a.recurrentActivation, useBias: a.useBias,
                  kernelInitializer: a.kernelInitializer, recurrentInitializer: a.recurrentInitializer,
                  biasInitializer: a.biasInitializer, kernelRegularizer: a.kernelRegularizer,
                  recurrentRegularizer: a.recurrentRegularizer, biasRegularizer: a.biasRegularizer,
                  kernelConstraint: a.kernelConstraint, recurrentConstraint: a.recurrentConstraint,
                  biasConstraint: a.biasConstraint, dropout: a.dropout, recurrentDropout: a.recurrentDropout, seed: a.seed,
                  returnSequences: o.returnSequences, returnState: o.returnState, goBackwards: o.goBackwards,
                  stateful: o.stateful, unroll: o.unroll, resetAfter: try config.bool("reset_after", default: true),
                  zeroOutputForMask: o.zeroOutputForMask, inputShape: try config.declaredInputShape(), name: config.layerName)
    }
}
