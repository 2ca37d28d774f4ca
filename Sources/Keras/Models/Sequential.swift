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
    private var stack: [Layer]

    public init(_ layers: [Layer] = [], name: String? = nil) {
        stack = layers
        super.init(name: name ?? LayerNames.unique(for: "sequential"))
        buildIfInputShapeIsDeclared()
    }

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

    public override var layers: [Layer] { stack.filter { !($0 is InputLayer) } }

    /// Appends a layer on top of the stack.
    public func add(_ layer: Layer) {
        stack.append(layer)
        buildIfInputShapeIsDeclared()
    }

    /// Removes the top layer and returns it.
    @discardableResult
    public func pop() -> Layer? { stack.popLast() }

    /// The shape of one sample the model expects, when the first layer declares it.
    public var inputShape: [Int]? { stack.first?.declaredInputShape }

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

    public override var finalProbabilityActivation: String? {
        switch layers.last {
        case let dense as Dense where ["softmax", "sigmoid"].contains(dense.activation.name): return dense.activation.name
        case let activation as Activation where ["softmax", "sigmoid"].contains(activation.activation.name): return activation.activation.name
        default: return nil
        }
    }

    public override func call(_ input: Tensor, training: Bool, logits: Bool) throws -> Tensor {
        if !isBuilt { try build(inputShape: [nil] + input.shape.dropFirst().map { $0 }) }
        var x = input
        let active = layers
        for (index, layer) in active.enumerated() {
            if logits && index == active.count - 1 {
                if let dense = layer as? Dense { return try dense.preActivation(x) }
                if layer is Activation { return x }
            }
            x = try layer.call(x, training: training)
        }
        return x
    }

    /// The model's outputs for a batch: `model(x)`.
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

    public func callAsFunction(_ input: Tensor, training: Bool = false) throws -> Tensor {
        try call(input, training: training, logits: false)
    }
}
