/// Rescales every input value: `x * scale + offset`, in training and inference alike.
///
/// ```swift
/// Rescaling(scale: 1.0 / 255)                 // pixels from [0, 255] to [0, 1]
/// Rescaling(scale: 1.0 / 127.5, offset: -1)   // to [-1, 1]
/// ```
///
/// `scale` and `offset` may also be tensors that broadcast against one input (per channel, for
/// instance); the output keeps the input's shape. Gradients flow to the inputs.
public final class Rescaling: Layer {
    public let scale: Tensor
    public let offset: Tensor

    public init(scale: Float, offset: Float = 0, inputShape: [Int]? = nil, name: String? = nil) {
        self.scale = Tensor(scale)
        self.offset = Tensor(offset)
        super.init(name: name, inputShape: inputShape)
    }

    /// Per-position scales and offsets, aligned with the input's last axes as numpy broadcasts.
    @_disfavoredOverload
    public init(scale: Tensor, offset: Tensor = Tensor(0), inputShape: [Int]? = nil, name: String? = nil) {
        self.scale = scale.detached
        self.offset = offset.detached
        super.init(name: name, inputShape: inputShape)
    }

    public override func build(inputShape: [Int?]) throws {
        try checkBroadcast(to: inputShape)
    }

    public override func outputShape(forInputShape inputShape: [Int?]) throws -> [Int?] {
        try checkBroadcast(to: inputShape)
        return inputShape
    }

    public override func call(_ input: Tensor, training: Bool) throws -> Tensor {
        try checkBroadcast(to: input.shape.map { $0 })
        return input * scale + offset
    }

    /// Throws unless `scale` and `offset` broadcast against `shape` without changing it.
    private func checkBroadcast(to shape: [Int?]) throws {
        for (argument, value) in [("scale", scale), ("offset", offset)] {
            let fits = value.rank <= shape.count && (0..<value.rank).allSatisfy { i in
                let size = value.shape[value.rank - 1 - i]
                return size == 1 || shape[shape.count - 1 - i] == size
            }
            guard fits else {
                throw shapeError(
                    expected: "(..., " + value.shape.map(String.init).joined(separator: ", ") + ")", got: shape,
                    fix: "Rescaling's \(argument) of shape \(formatShape(value.shape.map { $0 })) must broadcast against each input; "
                        + "give a scalar, or one value per index of the last axes.")
            }
        }
    }

    // MARK: - Configuration

    public override class var recordsBuildConfig: Bool { false }

    /// Scalars as numbers, tensors as nested lists, as Keras writes them.
    public override func getConfig() throws -> [ConfigField] {
        func value(_ tensor: Tensor) -> ConfigValue {
            tensor.rank == 0 ? .float(tensor.scalar) : .floats(tensor.scalars)
        }
        for (argument, tensor) in [("scale", scale), ("offset", offset)] where tensor.rank > 1 {
            throw KerasError.invalidArgument(name: "\(name).\(argument)", value: "a tensor of shape \(tensor.shape)",
                                             expected: "a number or a vector to save in a Keras config")
        }
        return try super.getConfig() + [ConfigField("scale", value(scale)), ConfigField("offset", value(offset))]
    }

    /// The layer a Keras config describes.
    public convenience init(config: ConfigReader) throws {
        func tensor(_ key: String, default fallback: Float) throws -> Tensor {
            if case .array? = config.value(key) { return Tensor(try config.floatArray(key)) }
            return Tensor(try config.float(key, default: fallback))
        }
        self.init(scale: try tensor("scale", default: 1), offset: try tensor("offset", default: 0),
                  inputShape: try config.declaredInputShape(), name: config.layerName)
    }
}
