/// Flattens each sample to one dimension: `(None, 28, 28)` → `(None, 784)`.
public final class Flatten: Layer {
    /// Keras drops the mask here: the steps change.
    public override class var supportsMasking: Bool { false }

    public override func outputShape(forInputShape inputShape: [Int?]) throws -> [Int?] {
        let features = inputShape.dropFirst().reduce(Optional(1)) { total, dimension in
            guard let total, let dimension else { return nil }
            return total * dimension
        }
        return [inputShape.first ?? nil, features]
    }

    public override func call(_ input: Tensor, training: Bool) throws -> Tensor {
        // The sizes are computed, not inferred with -1, so that an empty batch flattens too.
        guard let batch = input.shape.first else { return input.reshaped(to: [1, 1]) }
        return input.reshaped(to: [batch, input.shape.dropFirst().reduce(1, *)])
    }

    // MARK: - Configuration

    public override func getConfig() throws -> [ConfigField] {
        try super.getConfig() + [ConfigField("data_format", .string("channels_last"))]
    }

    /// The layer a Keras config describes.
    public convenience init(config: ConfigReader) throws {
        let format = try config.string("data_format", default: "channels_last")
        guard format == "channels_last" else {
            throw KerasError.invalidArgument(name: "\(config.context).data_format", value: format,
                                             expected: "channels_last (the only layout this package uses)")
        }
        self.init(name: config.layerName, inputShape: try config.declaredInputShape())
    }
}
