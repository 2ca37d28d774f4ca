/// One step of a long short-term memory network (Keras' `LSTMCell`): gates i, f, c, o from
/// `x·kernel + h·recurrentKernel + bias`, then `c = f ⊙ c + i ⊙ act(z_c)` and `h = o ⊙ act(c)`.
/// States `[h, c]`. `LSTM` runs it over a sequence (fused); `RNN(LSTMCell(32))` does the same.
public final class LSTMCell: StandardRecurrentCell {
    /// Whether the forget gate's bias starts at 1 (Keras' default, Jozefowicz et al.).
    public let unitForgetBias: Bool

    public init(
        _ units: Int, activation: ActivationFunction = .tanh, recurrentActivation: ActivationFunction = .sigmoid,
        useBias: Bool = true, kernelInitializer: Initializer = .glorotUniform, recurrentInitializer: Initializer = .orthogonal,
        biasInitializer: Initializer = .zeros, unitForgetBias: Bool = true,
        kernelRegularizer: Regularizer? = nil, recurrentRegularizer: Regularizer? = nil, biasRegularizer: Regularizer? = nil,
        kernelConstraint: Constraint? = nil, recurrentConstraint: Constraint? = nil, biasConstraint: Constraint? = nil,
        dropout: Float = 0, recurrentDropout: Float = 0, seed: UInt64? = nil, name: String? = nil
    ) {
        self.unitForgetBias = unitForgetBias
        super.init(units: units, activation: activation, recurrentActivation: recurrentActivation, useBias: useBias,
                   kernelInitializer: kernelInitializer, recurrentInitializer: recurrentInitializer, biasInitializer: biasInitializer,
                   kernelRegularizer: kernelRegularizer, recurrentRegularizer: recurrentRegularizer, biasRegularizer: biasRegularizer,
                   kernelConstraint: kernelConstraint, recurrentConstraint: recurrentConstraint, biasConstraint: biasConstraint,
                   dropout: dropout, recurrentDropout: recurrentDropout, seed: seed, name: name)
    }

    public override class var gates: Int { 4 }
    public override var stateSize: [Int] { [units, units] }

    public override func initialBias() throws -> Tensor { try lstmBias(unitForgetBias: unitForgetBias) }

    public override func step(_ input: Tensor, states: [Tensor], training: Bool) throws -> (output: Tensor, states: [Tensor]) {
        let (kernel, recurrent, bias) = try weightValues()
        var z = dropoutMasks.dropStep(input).matmul(kernel) + dropoutMasks.dropState(states[0]).matmul(recurrent)
        if let bias { z = z + bias }
        let (h, c) = lstmUpdate(z, carry: states[1])
        return (h, [h, c])
    }

    public override func fusedPass(_ sequence: Tensor, initialState: [Tensor], mask: Tensor?, goBackwards: Bool,
                                   training: Bool) throws -> RecurrentSequence? {
        guard let options = fusedOptions(mask: mask, goBackwards: goBackwards) else { return nil }
        let (kernel, recurrent, bias) = try weightValues()
        return dropoutMasks.dropInputs(sequence).lstm(kernel: kernel, recurrentKernel: recurrent, bias: bias,
                                                     initialState: initialState, options: options)
    }

    // MARK: - Configuration

    public override func getConfig() throws -> [ConfigField] {
        try super.getConfig() + standardConfig(recurrentActivation: true)
            + [ConfigField("unit_forget_bias", .bool(unitForgetBias))] + weightConfig()
    }

    /// The cell a Keras config describes.
    public convenience init(config: ConfigReader) throws {
        let a = try StandardCellArguments(config, recurrentActivation: .sigmoid)
        self.init(a.units, activation: a.activation, recurrentActivation: a.recurrentActivation, useBias: a.useBias,
                  kernelInitializer: a.kernelInitializer, recurrentInitializer: a.recurrentInitializer,
                  biasInitializer: a.biasInitializer, unitForgetBias: try config.bool("unit_forget_bias", default: true),
                  kernelRegularizer: a.kernelRegularizer, recurrentRegularizer: a.recurrentRegularizer,
                  biasRegularizer: a.biasRegularizer, kernelConstraint: a.kernelConstraint,
                  recurrentConstraint: a.recurrentConstraint, biasConstraint: a.biasConstraint,
                  dropout: a.dropout, recurrentDropout: a.recurrentDropout, seed: a.seed, name: config.layerName)
    }
}

extension StandardRecurrentCell {
    /// The LSTM update from the gates' pre-activations `z` (i, f, c, o blocks on the last axis)
    /// and the carry before: `c = f ⊙ c + i ⊙ act(z_c)`, `h = o ⊙ act(c)`.
    func lstmUpdate(_ z: Tensor, carry: Tensor) -> (h: Tensor, c: Tensor) {
        let gates = z.split(count: 4, axis: -1)
        let c = recurrentActivation(gates[1]) * carry + recurrentActivation(gates[0]) * activation(gates[2])
        return (recurrentActivation(gates[3]) * activation(c), c)
    }
}
