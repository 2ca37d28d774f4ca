/// One step of a gated recurrent unit network (Keras' `GRUCell`): gates z, r and a candidate,
/// `h = z ⊙ h + (1 - z) ⊙ candidate`. With `resetAfter` (Keras' default, cuDNN's form) the
/// reset gate multiplies `h·U_h + b'_h` and the bias has two rows (input, recurrent); without
/// it the reset gate multiplies `h` before its product and the bias is one row. State `[h]`.
public final class GRUCell: StandardRecurrentCell {
    public let resetAfter: Bool

    public init(
        _ units: Int, activation: ActivationFunction = .tanh, recurrentActivation: ActivationFunction = .sigmoid,
        useBias: Bool = true, kernelInitializer: Initializer = .glorotUniform, recurrentInitializer: Initializer = .orthogonal,
        biasInitializer: Initializer = .zeros,
        kernelRegularizer: Regularizer? = nil, recurrentRegularizer: Regularizer? = nil, biasRegularizer: Regularizer? = nil,
        kernelConstraint: Constraint? = nil, recurrentConstraint: Constraint? = nil, biasConstraint: Constraint? = nil,
        dropout: Float = 0, recurrentDropout: Float = 0, resetAfter: Bool = true, seed: UInt64? = nil, name: String? = nil
    ) {
        self.resetAfter = resetAfter
        super.init(units: units, activation: activation, recurrentActivation: recurrentActivation, useBias: useBias,
                   kernelInitializer: kernelInitializer, recurrentInitializer: recurrentInitializer, biasInitializer: biasInitializer,
                   kernelRegularizer: kernelRegularizer, recurrentRegularizer: recurrentRegularizer, biasRegularizer: biasRegularizer,
                   kernelConstraint: kernelConstraint, recurrentConstraint: recurrentConstraint, biasConstraint: biasConstraint,
                   dropout: dropout, recurrentDropout: recurrentDropout, seed: seed, name: name)
    }

    public override class var gates: Int { 3 }

    public override func initialBias() throws -> Tensor {
        try biasInitializer(resetAfter ? [2, 3 * units] : [3 * units])
    }

    public override func step(_ input: Tensor, states: [Tensor], training: Bool) throws -> (output: Tensor, states: [Tensor]) {
        let (kernel, recurrent, bias) = try weightValues()
        let h = states[0], dropped = dropoutMasks.dropState(h)
        var projected = dropoutMasks.dropStep(input).matmul(kernel)
        if let bias { projected = projected + (resetAfter ? bias[0] : bias) }
        let x = projected.split(count: 3, axis: 1)
        let hU = recurrent.slice(axis: 1, (2 * units)..<(3 * units))
        var inner = dropped.matmul(recurrent.slice(axis: 1, 0..<(2 * units)))
        if resetAfter, let bias { inner = inner + bias[1].slice(axis: 0, 0..<(2 * units)) }
        let zr = inner.split(count: 2, axis: 1)
        let z = recurrentActivation(x[0] + zr[0]), r = recurrentActivation(x[1] + zr[1])
        let candidateInput: Tensor
        if resetAfter {
            var recurrentH = dropped.matmul(hU)
            if let bias { recurrentH = recurrentH + bias[1].slice(axis: 0, (2 * units)..<(3 * units)) }
            candidateInput = x[2] + r * recurrentH
        } else {
            candidateInput = x[2] + (r * dropped).matmul(hU)
        }
        let new = z * h + (1 - z) * activation(candidateInput)
        return (new, [new])
    }

    public override func fusedPass(_ sequence: Tensor, initialState: [Tensor], mask: Tensor?, goBackwards: Bool,
                                   training: Bool) throws -> RecurrentSequence? {
        guard let options = fusedOptions(mask: mask, goBackwards: goBackwards) else { return nil }
        let (kernel, recurrent, bias) = try weightValues()
        return dropoutMasks.dropInputs(sequence).gru(kernel: kernel, recurrentKernel: recurrent, bias: bias,
                                                    resetAfter: resetAfter, initialState: initialState, options: options)
    }

    // MARK: - Configuration

    public override func getConfig() throws -> [ConfigField] {
        try super.getConfig() + standardConfig(recurrentActivation: true) + weightConfig()
            + [ConfigField("reset_after", .bool(resetAfter))]
    }

    /// The cell a Keras config describes.
    public convenience init(config: ConfigReader) throws {
        let a = try StandardCellArguments(config, recurrentActivation: .sigmoid)
        self.init(a.units, activation: a.activation, recurrentActivation: a.recurrentActivation, useBias: a.useBias,
                  kernelInitializer: a.kernelInitializer, recurrentInitializer: a.recurrentInitializer,
                  biasInitializer: a.biasInitializer, kernelRegularizer: a.kernelRegularizer,
                  recurrentRegularizer: a.recurrentRegularizer, biasRegularizer: a.biasRegularizer,
                  kernelConstraint: a.kernelConstraint, recurrentConstraint: a.recurrentConstraint,
                  biasConstraint: a.biasConstraint, dropout: a.dropout, recurrentDropout: a.recurrentDropout,
                  resetAfter: try config.bool("reset_after", default: true), seed: a.seed, name: config.layerName)
    }
}
