/// Applies a layer to every time step of a sequence (Keras' `TimeDistributed`):
/// `TimeDistributed(Dense(units: 10, activation: .softmax))` turns `[batch, time, 64]` into
/// `[batch, time, 10]`. The steps run as one batch of `batch × time` samples; a mask passes through.
public final class TimeDistributed: Layer {
    public let layer: Layer

    public init(_ layer: Layer, inputShape: [Int]? = nil, name: String? = nil) {
        self.layer = layer
        super.init(name: name, inputShape: inputShape)
    }

    /// The shape of one step: the sequence's without its time axis.
    private func stepShape(_ shape: [Int?]) throws -> [Int?] {
        guard shape.count >= 3 else {
            throw shapeError(expected: "(batch, time, ...)", got: shape, fix: "TimeDistributed reads sequences: give inputShape: [time, ...].")
        }
        return [shape[0]] + shape.dropFirst(2)
    }

    public override func build(inputShape: [Int?]) throws {
        try layer.buildIfNeeded(inputShape: try stepShape(inputShape))
    }

    public override func outputShape(forInputShape inputShape: [Int?]) throws -> [Int?] {
        let step = try layer.outputShape(forInputShape: try stepShape(inputShape))
        return [inputShape[0], inputShape[1]] + step.dropFirst()
    }

    public override func call(_ input: Tensor, training: Bool) throws -> Tensor {
        guard input.rank >= 3 else {
            throw shapeError(expected: "(batch, time, ...)", got: input.shape.map { $0 }, fix: "TimeDistributed reads sequences.")
        }
        let (batch, time) = (input.shape[0], input.shape[1])
        let steps = input.reshaped(to: [batch * time] + input.shape.dropFirst(2))
        let output = try layer.call(steps, training: training)
        return output.reshaped(to: [batch, time] + output.shape.dropFirst())
    }

    // MARK: - Configuration

    public override func getConfig() throws -> [ConfigField] {
        try super.getConfig() + [ConfigField("layer", try layer.serialized())]
    }

    /// The layer a Keras config describes.
    public convenience init(config: ConfigReader) throws {
        guard let inner = config.value("layer") else { throw KerasError.invalidData("\(config.context) config has no 'layer'") }
        self.init(try Layers.deserialize(inner), inputShape: try config.declaredInputShape(), name: config.layerName)
    }
}
