/// Declares the shape of one sample at the start of a model: `Input(shape: [784])`.
public final class InputLayer: Layer {
    public let shape: [Int]

    public init(shape: [Int], name: String? = nil) {
        self.shape = shape
        super.init(name: name, inputShape: shape)
    }

    public override class var kerasClassName: String { "InputLayer" }

    /// An input layer has nothing to build.
    public override var isBuilt: Bool { true }
    public override var builtInputShapes: [[Int?]]? { [[nil] + shape.map { $0 }] }

    /// The symbolic batch this layer starts a graph with (Keras' `InputLayer.output`). Each
    /// call makes a new one: keep the tensor `Input(shape:)` returns.
    func makeOutput() -> SymbolicTensor {
        LayerNode(layer: self, inputs: [], outputShapes: [[nil] + shape.map { $0 }]).outputs[0]
    }

    public override func call(_ input: Tensor, training: Bool) throws -> Tensor {
        guard Array(input.shape.dropFirst()) == shape else {
            throw shapeError(expected: formatShape([nil] + shape.map { $0 }), got: [nil] + input.shape.dropFirst().map { $0 },
                             fix: "Each sample must have shape \(shape).")
        }
        return input
    }

    // MARK: - Configuration

    public override class var recordsBuildConfig: Bool { false }

    /// Keras' `InputLayer` config: `batch_shape`, `dtype`, `sparse`, `ragged`, `name`, `optional`.
    public override func getConfig() throws -> [ConfigField] {
        [ConfigField("batch_shape", .shape([nil] + shape.map { $0 })), ConfigField("dtype", .string("float32")),
         ConfigField("sparse", .bool(false)), ConfigField("ragged", .bool(false)), ConfigField("name", .string(name)),
         ConfigField("optional", .bool(false))]
    }

    /// The layer a Keras config describes (Keras 3's `batch_shape`, or Keras 2's `batch_input_shape`).
    public convenience init(config: ConfigReader) throws {
        let batchShape = try config.shape("batch_shape") ?? config.shape("batch_input_shape")
        guard let batchShape, !batchShape.isEmpty else {
            throw KerasError.invalidData("\(config.context) config has no 'batch_shape'")
        }
        let sample = batchShape.dropFirst()
        guard sample.allSatisfy({ $0 != nil }) else {
            throw KerasError.invalidArgument(name: "\(config.context).batch_shape", value: ConfigValue.shape(batchShape).json,
                                             expected: "known sample dimensions (variable-length inputs are not supported)")
        }
        self.init(shape: sample.map { $0! }, name: config.layerName)
    }
}

