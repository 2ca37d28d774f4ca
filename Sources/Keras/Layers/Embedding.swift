/// Turns indices into dense vectors: row `i` of an `[inputDim, outputDim]` table for each index `i`.
///
/// ```swift
/// Embedding(10_000, 128)                    // Keras: Embedding(10000, 128)
/// Embedding(10_000, 128, maskZero: true)    // index 0 is padding: the layers after it skip it
/// ```
/// The input holds whole numbers in `0..<inputDim` (as `Float`, the engine's one scalar type),
/// of any shape `[batch, ...]`; the output adds an axis of `outputDim`. With `maskZero`, the
/// output carries a mask that is false where the index is 0, which recurrent layers read to skip
/// padded steps (as in Keras, `inputDim` must then count index 0 too).
public final class Embedding: Layer {
    public let inputDim: Int
    public let outputDim: Int
    public let embeddingsInitializer: Initializer
    public let embeddingsRegularizer: Regularizer?
    public let embeddingsConstraint: Constraint?
    /// Whether index 0 is padding, masked for the layers that follow.
    public let maskZero: Bool
    /// The `[inputDim, outputDim]` table, once built.
    public private(set) var embeddings: Variable?

    public init(
        _ inputDim: Int, _ outputDim: Int, embeddingsInitializer: Initializer = .randomUniform(),
        embeddingsRegularizer: Regularizer? = nil, embeddingsConstraint: Constraint? = nil, maskZero: Bool = false,
        inputShape: [Int]? = nil, name: String? = nil
    ) {
        self.inputDim = inputDim
        self.outputDim = outputDim
        self.embeddingsInitializer = embeddingsInitializer
        self.embeddingsRegularizer = embeddingsRegularizer
        self.embeddingsConstraint = embeddingsConstraint
        self.maskZero = maskZero
        super.init(name: name, inputShape: inputShape)
    }

    /// Keras' keyword spelling: `Embedding(inputDim: 10_000, outputDim: 128)`.
    public convenience init(inputDim: Int, outputDim: Int, maskZero: Bool = false, inputShape: [Int]? = nil, name: String? = nil) {
        self.init(inputDim, outputDim, maskZero: maskZero, inputShape: inputShape, name: name)
    }

    public override func build(inputShape: [Int?]) throws {
        guard inputDim > 0, outputDim > 0 else {
            throw KerasError.invalidArgument(name: "Embedding(inputDim:outputDim:)", value: "(\(inputDim), \(outputDim))",
                                             expected: "positive sizes: the number of distinct indices and the vector length")
        }
        embeddings = try addWeight(name: "embeddings", shape: [inputDim, outputDim], initializer: embeddingsInitializer,
                                   regularizer: embeddingsRegularizer, constraint: embeddingsConstraint)
    }

    public override func outputShape(forInputShape inputShape: [Int?]) throws -> [Int?] { inputShape + [outputDim] }

    public override func call(_ input: Tensor, training: Bool) throws -> Tensor {
        guard let embeddings else { throw KerasError.invalidState("Layer '\(name)' was called before it was built.") }
        try checkIndices(input)
        return embeddings.value.gathering(input.detached)
    }

    /// With `maskZero`, 1 where the index is not 0 (the steps to run) and 0 at padding.
    public override func computeMask(_ inputs: [Tensor], masks: [Tensor?]) throws -> [Tensor?] {
        [maskZero ? inputs[0].detached .!= Tensor(0) : nil]
    }

    /// Throws, naming the first bad index, unless every scalar is a whole number in `0..<inputDim`.
    private func checkIndices(_ input: Tensor) throws {
        let limit = Float(inputDim)
        let bad = input.withUnsafeBufferPointer { scalars in
            scalars.firstIndex { !($0 >= 0 && $0 < limit && $0.rounded(.towardZero) == $0) }.map { scalars[$0] }
        }
        if let bad {
            throw KerasError.invalidArgument(
                name: "Layer '\(name)' (Embedding) input", value: "index \(bad)",
                expected: "whole numbers in 0..<\(inputDim) (inputDim); raise inputDim or limit the vocabulary (e.g. numWords)")
        }
    }

    // MARK: - Configuration

    public override func getConfig() throws -> [ConfigField] {
        try super.getConfig() + [
            ConfigField("input_dim", .int(inputDim)),
            ConfigField("output_dim", .int(outputDim)),
            ConfigField("embeddings_initializer", try embeddingsInitializer.serialized()),
            ConfigField("embeddings_regularizer", embeddingsRegularizer?.serialized() ?? .null),
            ConfigField("activity_regularizer", .null),
            ConfigField("embeddings_constraint", embeddingsConstraint?.serialized() ?? .null),
            ConfigField("mask_zero", .bool(maskZero)),
            ConfigField("quantization_config", .null),
        ]
    }

    /// The layer a Keras config describes.
    public convenience init(config: ConfigReader) throws {
        self.init(
            try config.positiveInt("input_dim"), try config.positiveInt("output_dim"),
            embeddingsInitializer: try Initializer(serialized: config.value("embeddings_initializer") ?? "uniform"),
            embeddingsRegularizer: try Regularizer.deserialize(config.value("embeddings_regularizer") ?? .null),
            embeddingsConstraint: try Constraint.deserialize(config.value("embeddings_constraint") ?? .null),
            maskZero: try config.bool("mask_zero", default: false),
            inputShape: try config.declaredInputShape(), name: config.layerName)
    }
}
