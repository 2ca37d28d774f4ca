/// A plain stack of layers, each feeding the next: Keras' most used model.
///
/// ```swift
/// let model = Sequential([
///     Dense(units: 512, activation: .relu, inputShape: [784]),
///     Dropout(0.2),
///     Dense(units: 10, activation: .softmax),
/// ])
/// ```
public final class Sequential: Model {
    private var stack: [Layer] {
        didSet { (active, knownBuilt) = (Sequential.active(in: stack), false) }
    }
    /// The stack without its `InputLayer`, kept with the stack: every call walks it.
    private var active: [Layer]
    /// Whether every layer was found built: a built layer stays built, so that a training step
    /// does not ask each layer again.
    private var knownBuilt = false
    /// How many leading layers the inputs have already been through: the string layer that
    /// `fit`, `evaluate` and `predict` on strings run on the whole array first (`StringInputs.swift`).
    var layersAppliedToInputs = 0

    /// - Parameter layers: the layers, first to last; an `Input(shape:)` first declares the input shape.
    public init(_ layers: [any LayerRepresentable] = [], name: String? = nil, trainable: Bool = true) {
        stack = layers.map(\.layerValue)
        active = Sequential.active(in: stack)
        super.init(name: name, trainable: trainable)
        buildIfInputShapeIsDeclared()
    }

    public override class var kerasClassName: String { "Sequential" }
    public override class var kerasModule: String { "keras" }

    /// Builds right away when the first layer declares (or was built for) its input shape, as Keras does, so that
    /// `summary()` and `weights` are complete before any data is seen. A layer that cannot be
    /// built reports its error again, thrown, when the model is first used.
    private func buildIfInputShapeIsDeclared() {
        guard !isBuilt else { return }
        if let inputShape {
            try? build(inputShape: [nil] + inputShape.map { Optional($0) })
        } else if let shape = stack.first?.builtInputShape {
            // The first layer is built already (an adapted Normalization, say): its input shape is known.
            try? build(inputShape: shape)
        }
    }

    private static func active(in stack: [Layer]) -> [Layer] { stack.filter { !($0 is InputLayer) } }

    public override var layers: [Layer] { active }

    public override var sublayerGroups: [SublayerGroup] { [SublayerGroup(name: "layers", layers: layers, isList: true)] }

    public override var isBuilt: Bool {
        if !knownBuilt { knownBuilt = !active.isEmpty && active.allSatisfy(\.isBuilt) }
        return knownBuilt
    }

    public override var builtInputShapes: [[Int?]]? { builtInputShape.map { [$0] } }

    /// Appends a layer (or the `Input(shape:)` that starts the stack) on top of the stack.
    public func add(_ layer: any LayerRepresentable) {
        stack.append(layer.layerValue)
        LayerTracking.structureChanged()
        buildIfInputShapeIsDeclared()
    }

    /// Removes the top layer and returns it.
    @discardableResult
    public func pop() -> Layer? {
        defer { LayerTracking.structureChanged() }
        return stack.popLast()
    }

    /// The shape of one sample the model expects, when the first layer declares it.
    public var inputShape: [Int]? { stack.first?.declaredInputShape }

    public override func build(inputShapes: [[Int?]]) throws {
        try build(inputShape: try single(inputShapes, "shapes"))
    }

    public override func build(inputShape: [Int?]) throws {
        if let declared = self.inputShape, Array(inputShape.dropFirst()) != declared.map({ Optional($0) }) {
            throw KerasError.shapeMismatch(
                context: "Model '\(name)' input", expected: formatShape([nil] + declared.map { $0 }), got: formatShape(inputShape),
                fix: "Each sample must have shape \(declared); reshape the data or change the first layer's inputShape.")
        }
        var shape = inputShape
        for layer in stack {
            try layer.buildIfNeeded(inputShape: shape)
            shape = try layer.outputShape(forInputShape: shape)
        }
        LayerTracking.structureChanged()
    }

    /// The output shape of each layer, when the input shape is known (`nil` where unknown).
    func outputShapes() -> [[Int?]?] {
        guard var shape: [Int?] = stack.first?.builtInputShape ?? inputShape.map({ [nil] + $0.map { Optional($0) } }) else {
            return layers.map { _ in nil }
        }
        var result: [[Int?]?] = []
        for layer in stack {
            guard let next = try? layer.outputShape(forInputShape: shape) else {
                result.append(contentsOf: Array(repeating: nil, count: stack.count - result.count))
                break
            }
            shape = next
            if !(layer is InputLayer) { result.append(shape) }
        }
        return result
    }

    public override func outputShapes(forInputShapes inputShapes: [[Int?]]) throws -> [[Int?]] {
        var shape = try single(inputShapes, "shapes")
        for layer in stack { shape = try layer.outputShape(forInputShape: shape) }
        return [shape]
    }

    public override func call(_ input: Tensor, training: Bool) throws -> Tensor {
        try call([input], masks: [nil], training: training)[0]
    }

    /// Runs the stack; each layer gets the mask the layer before it computed (an `Embedding`
    /// with `maskZero` masks the padding for the recurrent layer after it).
    public override func call(_ inputs: [Tensor], masks: [Tensor?], training: Bool) throws -> [Tensor] {
        var x = try single(inputs, "tensors")
        var mask = masks.first ?? nil
        if !isBuilt { try build(inputShape: [nil] + x.shape.dropFirst().map { $0 }) }
        for layer in active.dropFirst(layersAppliedToInputs) {
            let output = try singleOutput(try layer.call([x], masks: [mask], training: training))
            mask = try layer.computeMask([x], masks: [mask]).first ?? nil
            x = output
        }
        return [x]
    }

    public override var builtInputShape: [Int?]? { isBuilt ? stack.first?.builtInputShape : nil }

    /// Keras' Sequential config: the layers, starting with an `InputLayer` when the input shape
    /// is known, and `build_input_shape` once built.
    public override func getConfig() throws -> [ConfigField] {
        var layerConfigs: [ConfigValue] = []
        if !(stack.first is InputLayer), let inputShape {
            layerConfigs.append(try InputLayer(shape: inputShape, name: "input_layer").serialized())
        }
        layerConfigs += try stack.map { try $0.serialized() }
        var config = try super.getConfig() + [ConfigField("layers", .array(layerConfigs))]
        if let builtInputShape { config.append(ConfigField("build_input_shape", .shape(builtInputShape))) }
        return config
    }
}
