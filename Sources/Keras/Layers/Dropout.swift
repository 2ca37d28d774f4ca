/// Sets a random `rate` of its inputs to zero while training and scales the rest by
/// `1 / (1 - rate)`; passes inputs through unchanged otherwise. `rate` is in `[0, 1]`; at 1,
/// as in Keras, training outputs zeros.
public final class Dropout: Layer {
    public let rate: Float
    private var generator: RandomGenerator

    /// - Parameter seed: makes the masks repeat; by default drawn from the global generator
    ///   (so `Keras.setRandomSeed(_:)` makes them repeat too).
    public init(_ rate: Float, seed: UInt64? = nil, inputShape: [Int]? = nil, name: String? = nil) {
        self.rate = rate
        generator = RandomGenerator(seed: seed ?? RandomGenerator.withGlobal { $0.next() })
        super.init(name: name, inputShape: inputShape)
    }

    public override func build(inputShape: [Int?]) throws {
        guard rate >= 0 && rate <= 1 else {
            throw KerasError.invalidArgument(name: "Dropout rate", value: "\(rate)", expected: "a value in [0, 1]")
        }
    }

    public override func call(_ input: Tensor, training: Bool) throws -> Tensor {
        guard training && rate > 0 else { return input }
        if rate >= 1 { return input * Tensor(0) }
        let scale = 1 / (1 - rate), threshold = rate
        var mask = Tensor.zeros(input.shape)
        mask.withUnsafeMutableBufferPointer { buffer in
            for i in buffer.indices { buffer[i] = generator.nextUniform() >= threshold ? scale : 0 }
        }
        return input * mask
    }
}
