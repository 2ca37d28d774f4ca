/// Reshapes each sample to `targetShape` (one dimension may be -1).
public final class Reshape: Layer {
    /// Keras drops the mask here: the steps change.
    public override class var supportsMasking: Bool { false }

    public let targetShape: [Int]

    public init(_ targetShape: [Int], inputShape: [Int]? = nil, name: String? = nil) {
        self.targetShape = targetShape
        super.init(name: name, inputShape: inputShape)
    }

    public override func outputShape(forInputShape inputShape: [Int?]) throws -> [Int?] {
        // Keras' checks: sizes are non-negative, save at most one -1 for a size to infer.
        let unknowns = targetShape.filter { $0 == -1 }.count
        guard targetShape.allSatisfy({ $0 >= -1 }), unknowns <= 1 else {
            throw KerasError.invalidArgument(
                name: "Reshape target shape", value: "\(targetShape)",
                expected: "non-negative sizes, with at most one -1 for a size to infer (layer '\(name)')")
        }
        let batch = inputShape.first ?? nil
        let known = inputShape.dropFirst().compactMap { $0 }
        guard known.count == inputShape.count - 1 else { return [batch] + targetShape.map { $0 == -1 ? nil : $0 } }
        let count = try MemoryBudget.check(known, for: "input of layer '\(name)'")
        let fixed = try MemoryBudget.check(targetShape.filter { $0 != -1 }, for: "Reshape target shape of layer '\(name)'")
        guard unknowns == 1 ? fixed > 0 && count % fixed == 0 : count == fixed else {
            let expected = unknowns == 1 ? "samples whose \(count) values divide into \(targetShape)"
                                         : "samples of \(fixed) values for target shape \(targetShape)"
            throw shapeError(expected: expected, got: inputShape,
                             fix: "Choose a target shape with as many values as each sample.")
        }
        return [batch] + targetShape.map { $0 == -1 ? count / fixed : $0 }
    }

    public override func build(inputShape: [Int?]) throws { _ = try outputShape(forInputShape: inputShape) }

    public override func call(_ input: Tensor, training: Bool) throws -> Tensor {
        let shape = try outputShape(forInputShape: [nil] + input.shape.dropFirst().map { $0 })
        return input.reshaped(to: [input.shape[0]] + shape.dropFirst().map { $0 ?? -1 })
    }

    // MARK: - Configuration

    public override class var recordsBuildConfig: Bool { false }

    public override func getConfig() throws -> [ConfigField] {
        try super.getConfig() + [ConfigField("target_shape", .array(targetShape.map(ConfigValue.int)))]
    }

    /// The layer a Keras config describes.
    public convenience init(config: ConfigReader) throws {
        self.init(try config.intArray("target_shape"), inputShape: try config.declaredInputShape(), name: config.layerName)
    }
}
