/// One step of a fully connected recurrent network (Keras' `SimpleRNNCell`):
/// `h = act(x·kernel + h·recurrentKernel + bias)`. State `[h]`.
public final class SimpleRNNCell: StandardRecurrentCell {
    public init(
        _ units: Int, activation: ActivationFunction = .tanh, useBias: Bool = true,
        kernelInitializer: Initializer = .glorotUniform, recurrentInitializer: Initializer = .orthogonal,
        biasInitializer: Initializer = .zeros,
        kernelRegularizer: Regularizer? = nil, recurrentRegularizer: Regularizer? = nil, biasRegularizer: Regularizer? = nil,
        kernelConstraint: Constraint? = nil, recurrentConstraint: Constraint? = nil, biasConstraint: Constraint? = nil,
        dropout: Float = 0, recurrentDropout: Float = 0, seed: UInt64? = nil, name: String? = nil
    ) {
        super.init(units: units, activation: activation, recurrentActivation: .linear, useBias: useBias,
                   kernelInitializer: kernelInitializer, recurrentInitializer: recurrentInitializer, biasInitializer: biasInitializer,
                   kernelRegularizer: kernelRegularizer, recurrentRegularizer: recurrentRegularizer, biasRegularizer: biasRegularizer,
                   kernelConstraint: kernelConstraint, recurrentConstraint: recurrentConstraint, biasConstraint: biasConstraint,
                   dropout: dropout, recurrentDropout: recurrentDropout, seed: seed, name: name)
    }

    public override func step(_ input: Tensor, states: [Tensor], training: Bool) throws -> (output: Tensor, states: [Tensor]) {
        let (kernel, recurrent, bias) = try weightValues()
        var z = dropoutMasks.dropStep(input).matmul(kernel) + dropoutMasks.dropState(states[0]).matmul(recurrent)
        if let bias { z = z + bias }
        let h = activation(z)
        return (h, [h])
    }

    public override func fusedPass(_ sequence: Tensor, initialState: [Tensor], mask: Tensor?, goBackwards: Bool,
                                   training: Bool) throws -> RecurrentSequence? {
        guard let options = fusedOptions(mask: mask, goBackwards: goBackwards) else { return nil }
        let (kernel, recurrent, bias) = try weightValues()
        return dropoutMasks.dropInputs(sequence).simpleRNN(kernel: kernel, recurrentKernel: recurrent, bias: bias,
                                                          initialState: initialState, options: options)
    }

    // MARK: - Configuration

    public override func getConfig() throws -> [ConfigField] {
        try super.getConfig() + standardConfig(recurrentActivation: false) + weightConfig()
    }

    /// The cell a Keras config describes.
    public convenience init(config: ConfigReader) throws {
        let a = try StandardCellArguments(config, recurrentActivation: .linear)
        self.init(a.units, activation: a.activation, useBias: a.useBias, kernelInitializer: a.kernelInitializer,
                  recurrentInitializer: a.recurrentInitializer, biasInitializer: a.biasInitializer,
                  kernelRegularizer: a.kernelRegularizer, recurrentRegularizer: a.recurrentRegularizer,
                  biasRegularizer: a.biasRegularizer, kernelConstraint: a.kernelConstraint,
                  recurrentConstraint: a.recurrentConstraint, biasConstraint: a.biasConstraint,
                  dropout: a.dropout, recurrentDropout: a.recurrentDropout, seed: a.seed, name: config.layerName)
    }
}
