import Foundation

/// The base of every layer: weights, building from the first input shape, a forward pass.
///
/// Subclasses configure themselves in `init`, create weights in `build(inputShape:)` with
/// `addWeight`, and compute in `call(_:training:)`, as in Keras. Shapes use `nil` for the batch
/// dimension (Keras' `None`).
open class Layer {
    /// The layer's name: given, or made from the class name (`dense`, `dense_1`, …).
    public var name: String
    /// Whether training updates this layer's weights.
    public var trainable: Bool
    /// Whether `build(inputShape:)` has run.
    public private(set) var isBuilt = false
    /// The input shape given when the layer was created (`inputShape:` / `inputDim:`), batch excluded.
    public let declaredInputShape: [Int]?
    /// The shape of the input the layer was built for, with `nil` for the batch dimension.
    public private(set) var builtInputShape: [Int?]?
    /// The layer's variables, in creation order.
    public private(set) var weights: [Variable] = []
    private var regularizers: [(Variable, Regularizer)] = []
    private var constraints: [(Variable, Constraint)] = []

    /// - Parameters:
    ///   - name: the layer's name; by default the snake-cased class name with a counter.
    ///   - inputShape: the shape of one sample, for the first layer of a model.
    public init(name: String? = nil, inputShape: [Int]? = nil, trainable: Bool = true) {
        self.declaredInputShape = inputShape
        self.trainable = trainable
        self.name = name ?? LayerNames.unique(for: Self.kerasClassName.snakeCased)
    }

    /// The Keras class name (`Dense`), shown by `summary()` and written to configs.
    open class var kerasClassName: String { String(describing: self) }

    /// Creates the layer's weights for inputs of `inputShape`. Called once, before the first call.
    open func build(inputShape: [Int?]) throws {}

    /// The forward pass on a built layer.
    open func call(_ input: Tensor, training: Bool) throws -> Tensor { input }

    /// The shape of the output for an input of `inputShape`. By default the input shape.
    open func outputShape(forInputShape inputShape: [Int?]) throws -> [Int?] { inputShape }

    /// Builds the layer for `inputShape` unless it is built already.
    public func buildIfNeeded(inputShape: [Int?]) throws {
        guard !isBuilt else { return }
        try build(inputShape: inputShape)
        builtInputShape = inputShape
        isBuilt = true
    }

    /// Runs the layer on a batch, building it from the batch's shape on first use.
    public func callAsFunction(_ input: Tensor, training: Bool = false) throws -> Tensor {
        try buildIfNeeded(inputShape: [nil] + input.shape.dropFirst().map { Optional($0) })
        return try call(input, training: training)
    }

    /// Creates a variable owned by this layer, named `<layer>/<name>` as in Keras.
    @discardableResult
    public func addWeight(
        name: String, shape: [Int], initializer: Initializer, trainable: Bool = true,
        regularizer: Regularizer? = nil, constraint: Constraint? = nil
    ) throws -> Variable {
        try MemoryBudget.check(shape, for: "weight '\(name)' of layer '\(self.name)'", fix: "Make the layer smaller.")
        try regularizer?.validate()
        try constraint?.validate(forShape: shape)
        let variable = Variable(try initializer(shape), name: "\(self.name)/\(name)", trainable: trainable)
        weights.append(variable)
        if let regularizer { regularizers.append((variable, regularizer)) }
        if let constraint { constraints.append((variable, constraint)) }
        return variable
    }

    /// The variables training updates (none when the layer is frozen).
    public var trainableWeights: [Variable] { trainable ? weights.filter(\.trainable) : [] }

    /// The variables training leaves alone.
    public var nonTrainableWeights: [Variable] { trainable ? weights.filter { !$0.trainable } : weights }

    /// The current values of the weights, in order.
    public func getWeights() -> [Tensor] { weights.map(\.value) }

    /// Replaces the weights' values; the count and shapes must match. Nothing changes when they do not.
    public func setWeights(_ values: [Tensor]) throws {
        guard values.count == weights.count else {
            throw KerasError.invalidArgument(name: "\(name).setWeights", value: "\(values.count) tensors",
                                             expected: "\(weights.count) tensors of shapes \(weights.map(\.shape))")
        }
        for (variable, value) in zip(weights, values) where variable.shape != value.shape {
            throw KerasError.shapeMismatch(context: "Layer '\(name)' weight '\(variable.name)'",
                                           expected: "\(variable.shape)", got: "\(value.shape)",
                                           fix: "Pass weights in the order and shapes of getWeights().")
        }
        for (variable, value) in zip(weights, values) { variable.assign(value) }
    }

    /// The number of scalars in the layer's weights.
    public func countParams() -> Int { weights.reduce(0) { $0 + $1.shape.reduce(1, *) } }

    /// The sum of the regularization penalties of the layer's trainable weights, or `nil` when
    /// it has none. As in Keras, a frozen layer (or a non-trainable weight) adds no penalty.
    public func regularizationLoss() -> Tensor? {
        let active = regularizers.filter { variable, _ in trainable && variable.trainable }
        return active.isEmpty ? nil : active.map { $1($0.value) }.reduce(Tensor(0), +)
    }

    /// Projects constrained weights back onto their constraints (after an optimizer step). As
    /// Keras' optimizers do, only the weights training updates: a frozen weight is left alone.
    public func applyConstraints() {
        for (variable, constraint) in constraints where trainable && variable.trainable {
            variable.assign(constraint(variable.value))
        }
    }

    // MARK: - Configuration

    /// Whether Keras records the build input shape of this class in saved configs
    /// (`build_config`): true for layers that have weights or a `build` step.
    open class var recordsBuildConfig: Bool { true }

    /// Keras' `get_config()`: `name`, `trainable`, `dtype`, then what the subclass adds (each
    /// subclass appends to `super.getConfig()`). Throws when an option has no Keras form.
    open func getConfig() throws -> [ConfigField] {
        [ConfigField("name", .string(name)), ConfigField("trainable", .bool(trainable)),
         ConfigField("dtype", KerasObject(module: "keras", className: "DTypePolicy",
                                          config: [ConfigField("name", .string("float32"))]).value)]
    }

    /// The layer as a `.keras` config holds it: class, config, and the shape it was built for.
    public func serialized() throws -> ConfigValue {
        var object = KerasObject(module: "keras.layers", className: Self.kerasClassName, config: try getConfig())
        if let registered = CustomObjects.registeredName(of: type(of: self)) {
            object.module = nil
            object.registeredName = registered
        }
        if Self.recordsBuildConfig, let builtInputShape {
            object.extra = [ConfigField("build_config", .object([ConfigField("input_shape", .shape(builtInputShape))]))]
        }
        return object.value
    }

    /// Throws a shape error naming this layer.
    func shapeError(expected: String, got: [Int?], fix: String) -> KerasError {
        .shapeMismatch(context: "Layer '\(name)' (\(Self.kerasClassName))", expected: expected, got: formatShape(got), fix: fix)
    }
}

/// Keras' automatic layer names: the first `dense`, then `dense_1`, `dense_2`, …
enum LayerNames {
    /// One set of counters, by base name.
    final class Counters: @unchecked Sendable {
        private let lock = NSLock()
        private var counts: [String: Int] = [:]

        func unique(for base: String) -> String {
            lock.lock()
            defer { lock.unlock() }
            let count = counts[base, default: 0]
            counts[base] = count + 1
            return count == 0 ? base : "\(base)_\(count)"
        }

        func reset() {
            lock.lock()
            defer { lock.unlock() }
            counts = [:]
        }
    }

    private static let shared = Counters()
    /// Counters that replace the shared ones inside `withFreshNames`.
    @TaskLocal private static var scoped: Counters?
    private static var current: Counters { scoped ?? shared }

    static func unique(for base: String) -> String { current.unique(for: base) }

    /// Forgets the names given so far (in the current scope, inside `withFreshNames`).
    static func reset() { current.reset() }

    /// Runs `body` with its own counters, starting from `dense`, `dense_1`, … whatever layers
    /// other threads or tasks create meanwhile (tests running in parallel, for instance).
    static func withFreshNames<R>(_ body: () throws -> R) rethrows -> R {
        try $scoped.withValue(Counters(), operation: body)
    }

    /// `withFreshNames` for asynchronous work (a test scope, for instance).
    static func withFreshNames<R>(_ body: () async throws -> R) async rethrows -> R {
        try await $scoped.withValue(Counters(), operation: body)
    }
}
