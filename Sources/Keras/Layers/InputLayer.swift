/// Declares the shape of one sample at the start of a model: `Input(shape: [784])`.
public final class InputLayer: Layer {
    public let shape: [Int]

    public init(shape: [Int], name: String? = nil) {
        self.shape = shape
        super.init(name: name, inputShape: shape)
    }

    public override class var kerasClassName: String { "InputLayer" }

    public override func call(_ input: Tensor, training: Bool) throws -> Tensor {
        guard Array(input.shape.dropFirst()) == shape else {
            throw shapeError(expected: formatShape([nil] + shape.map { $0 }), got: [nil] + input.shape.dropFirst().map { $0 },
                             fix: "Each sample must have shape \(shape).")
        }
        return input
    }
}

/// Keras' `keras.Input(shape=…)`: the input layer of a model.
public func Input(shape: [Int], name: String? = nil) -> InputLayer {
    InputLayer(shape: shape, name: name)
}
