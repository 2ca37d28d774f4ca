/// Applies an activation function: `Activation(.tanh)`, `Activation("sigmoid")`.
public final class Activation: Layer {
    public let activation: ActivationFunction

    public init(_ activation: ActivationFunction, inputShape: [Int]? = nil, name: String? = nil) {
        self.activation = activation
        super.init(name: name, inputShape: inputShape)
    }

    public override func build(inputShape: [Int?]) throws { try activation.validate(rank: inputShape.count) }

    public override func call(_ input: Tensor, training: Bool) throws -> Tensor { activation(input) }
}
