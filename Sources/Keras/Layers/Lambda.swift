/// A layer from a closure (Keras' `Lambda`): `Lambda { $0 * 2 }`, `Lambda(outputShape: [4]) { … }`.
///
/// Closures cannot be written to a file: saving a model that holds a `Lambda` throws, naming
/// the layer; write a `Layer` subclass with `getConfig` (and register it) to save such a model.
public final class Lambda: Layer {
    /// Keras drops the mask here.
    public override class var supportsMasking: Bool { false }

    let body: (Tensor) throws -> Tensor
    /// The shape of one output sample, when the closure changes it; inferred when `nil`.
    public let declaredOutputShape: [Int]?

    public init(outputShape: [Int]? = nil, name: String? = nil, _ body: @escaping (Tensor) throws -> Tensor) {
        self.body = body
        self.declaredOutputShape = outputShape
        super.init(name: name)
    }

    public override func call(_ input: Tensor, training: Bool) throws -> Tensor { try body(input) }

    public override func outputShape(forInputShape inputShape: [Int?]) throws -> [Int?] {
        guard let declaredOutputShape else { return try super.outputShape(forInputShape: inputShape) }
        return [inputShape.first ?? nil] + declaredOutputShape.map { $0 }
    }

    public override class var recordsBuildConfig: Bool { false }

    public override func getConfig() throws -> [ConfigField] {
        throw KerasError.invalidArgument(
            name: "Lambda layer '\(name)'", value: "a Swift closure",
            expected: "a layer that can be saved; a closure cannot be written to a file. Write a Layer subclass with getConfig() and register it with CustomObjects.register(layer:), or save only the weights (saveWeights)")
    }
}
