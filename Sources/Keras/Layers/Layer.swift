import Foundation

/// The base of every layer: weights, sublayers, building from the first input shape, a forward pass.
///
/// Subclasses configure themselves in `init`, create weights in `build(inputShape:)` with
/// `addWeight`, and compute in `call(_:training:)`, as in Keras. Shapes use `nil` for the batch
/// dimension (Keras' `None`).
///
/// A layer that keeps other layers in its stored properties (`let dense1 = Dense(units: 64)`)
/// owns them: their weights are its weights, freezing it freezes them, and they are saved under
/// it, with no registration (see `LayerTracking.swift`).
///
/// Layers with several inputs or outputs, or that read masks, override the general forms
/// `build(inputShapes:)`, `call(_:masks:training:)`, `outputShapes(forInputShapes:)` and
/// `computeMask(_:masks:)`; the one-tensor forms are the convenient override for the others.
open class Layer {
    /// The layer's name: given, or made from the class name (`dense`, `dense_1`, …).
    public var name: String
    /// Whether training updates this layer's weights. Setting it sets it for every sublayer
    /// too, and for the weights created trainable, as Keras does: a frozen layer is frozen whole.
    public var trainable: Bool {
        didSet {
            for variable in ownTrainableWeights { variable.trainable = trainable }
            for layer in sublayers where layer !== self { layer.trainable = trainable }
        }
    }
    /// Whether the layer has its weights.
    open var isBuilt: Bool { built }
    private var built = false
    /// The input shape given when the layer was created (`inputShape:` / `inputDim:`), batch excluded.
    public let declaredInputShape: [Int]?
    /// The shapes of the inputs the layer was built for, with `nil` for the batch dimension.
    open var builtInputShapes: [[Int?]]? { recordedInputShapes }
    private var recordedInputShapes: [[Int?]]?
    /// The layer's own variables that were created trainable, then those created non-trainable
    /// (Keras' `_trainable_variables`, `_non_trainable_variables`): the order of the saved `vars`.
    public private(set) var ownTrainableWeights: [Variable] = []
    public private(set) var ownNonTrainableWeights: [Variable] = []
    private var regularizers: [(Variable, Regularizer)] = []
    private var constraints: [(Variable, Constraint)] = []
    /// The flattened weights, regularizers and constraints of this layer and its sublayers.
    var trackingCache: TrackedState?

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

    // MARK: - The one-tensor forms

    /// Creates the layer's weights for inputs of `inputShape`. Called once, before the first call.
    open func build(inputShape: [Int?]) throws {}

    /// The forward pass on a built layer.
    open func call(_ input: Tensor, training: Bool) throws -> Tensor { input }

    /// The shape of the output for an input of `inputShape`. By default found by running the
    /// layer on one sample of zeros when the sample shape is known (Keras traces the call
    /// symbolically for the same purpose); the input shape when it cannot run yet (a
    /// preprocessing layer before `adapt`), whose call then reports why.
    open func outputShape(forInputShape inputShape: [Int?]) throws -> [Int?] {
        (try? probedOutputShapes(forInputShapes: [inputShape]))??.first ?? inputShape
    }

    // MARK: - The general forms: several tensors, masks

    /// Builds the layer for inputs of these shapes. By default: one input, `build(inputShape:)`.
    open func build(inputShapes: [[Int?]]) throws {
        try build(inputShape: try single(inputShapes, "shapes"))
    }

    /// The forward pass in general form: any number of inputs and outputs, with an optional
    /// mask per input (`nil` where an input has none). By default: one input, `call(_:training:)`.
    open func call(_ inputs: [Tensor], masks: [Tensor?], training: Bool) throws -> [Tensor] {
        [try call(try single(inputs, "tensors"), training: training)]
    }

    /// The output shapes for inputs of these shapes. By default: one input, `outputShape(forInputShape:)`.
    open func outputShapes(forInputShapes inputShapes: [[Int?]]) throws -> [[Int?]] {
        [try outputShape(forInputShape: try single(inputShapes, "shapes"))]
    }

    /// Whether the layer passes its input's mask on (Keras' `supports_masking`): most layers
    /// do; those that change or remove the steps (convolutions, pooling, `Flatten`, `Reshape`, …)
    /// drop it, as Keras does.
    open class var supportsMasking: Bool { true }

    /// The masks of the outputs (`nil` for none). By default a one-input, one-output layer that
    /// `supportsMasking` passes its input's mask on; others return no masks.
    open func computeMask(_ inputs: [Tensor], masks: [Tensor?]) throws -> [Tensor?] {
        masks.count == 1 && Self.supportsMasking ? masks : []
    }

    /// The only element of a one-input call, or an error naming the layer.
    func single<T>(_ values: [T], _ what: String) throws -> T {
        guard values.count == 1 else {
            throw KerasError.invalidArgument(
                name: "Layer '\(name)' (\(Self.kerasClassName)) inputs", value: "\(values.count) \(what)",
                expected: "one input; this layer takes a single tensor (merge several with Concatenate or Add first)")
        }
        return values[0]
    }

    /// Builds the layer for `inputShapes` unless it is built already.
    public func buildIfNeeded(inputShapes: [[Int?]]) throws {
        guard !isBuilt else { return }
        try build(inputShapes: inputShapes)
        recordedInputShapes = inputShapes
        built = true
        LayerTracking.structureChanged()
    }

    /// Builds the layer for one input of `inputShape` unless it is built already.
    public func buildIfNeeded(inputShape: [Int?]) throws {
        try buildIfNeeded(inputShapes: [inputShape])
    }

    /// The input shape the layer was built for, when it takes one input.
    open var builtInputShape: [Int?]? {
        guard let shapes = builtInputShapes, shapes.count == 1 else { return nil }
        return shapes[0]
    }

    /// The output shapes found by running the layer on one sample of zeros, or `nil` when a
    /// sample dimension is unknown.
    func probedOutputShapes(forInputShapes inputShapes: [[Int?]]) throws -> [[Int?]]? {
        let samples = inputShapes.map { shape in shape.dropFirst().map { $0 ?? -1 } }
        guard samples.allSatisfy({ !$0.contains(-1) }) else { return nil }
        try buildIfNeeded(inputShapes: inputShapes)
        let outputs = try call(samples.map { Tensor.zeros([1] + $0) }, masks: samples.map { _ in nil }, training: false)
        return outputs.map { [nil] + $0.shape.dropFirst().map { Optional($0) } }
    }

    // MARK: - Running on tensors

    /// Runs the layer on a batch, building it from the batch's shape on first use.
    public func callAsFunction(_ input: Tensor, training: Bool = false) throws -> Tensor {
        try buildIfNeeded(inputShape: [nil] + input.shape.dropFirst().map { Optional($0) })
        return try call(input, training: training)
    }

    /// Runs a layer with several inputs and one output (a merge layer) on batches.
    public func callAsFunction(_ inputs: [Tensor], masks: [Tensor?]? = nil, training: Bool = false) throws -> Tensor {
        let outputs = try callAll(inputs, masks: masks, training: training)
        return try singleOutput(outputs)
    }

    /// Runs the layer on batches and returns every output (a recurrent layer's sequence and
    /// states, for instance).
    public func callAll(_ inputs: [Tensor], masks: [Tensor?]? = nil, training: Bool = false) throws -> [Tensor] {
        try buildIfNeeded(inputShapes: inputs.map { [nil] + $0.shape.dropFirst().map { Optional($0) } })
        return try call(inputs, masks: masks ?? inputs.map { _ in nil }, training: training)
    }

    func singleOutput<T>(_ outputs: [T]) throws -> T {
        guard outputs.count == 1 else {
            throw KerasError.invalidArgument(name: "Layer '\(name)' (\(Self.kerasClassName)) outputs", value: "\(outputs.count) outputs",
                                             expected: "one output; use callAll to get all of them")
        }
        return outputs[0]
    }

    // MARK: - Sublayers

    /// The layers this layer holds, by property: found from the stored properties (see
    /// `LayerTracking`). Models override it to list their layers under `layers`.
    open var sublayerGroups: [SublayerGroup] { reflectedSublayerGroups() }

    // MARK: - Weights

    /// Creates a variable owned by this layer, named `<layer>/<name>` as in Keras.
    @discardableResult
    public func addWeight(
        name: String, shape: [Int], initializer: Initializer, trainable: Bool = true,
        regularizer: Regularizer? = nil, constraint: Constraint? = nil
    ) throws -> Variable {
        try MemoryBudget.check(shape, for: "weight '\(name)' of layer '\(self.name)'", fix: "Make the layer smaller.")
        try regularizer?.validate()
        try constraint?.validate(forShape: shape)
        let variable = Variable(try initializer(shape), name: "\(self.name)/\(name)", trainable: trainable && self.trainable)
        if trainable { ownTrainableWeights.append(variable) } else { ownNonTrainableWeights.append(variable) }
        if let regularizer { regularizers.append((variable, regularizer)) }
        if let constraint { constraints.append((variable, constraint)) }
        LayerTracking.structureChanged()
        return variable
    }

    /// The layer's own variables (not its sublayers'): Keras' saved `vars` of this layer.
    public var ownWeights: [Variable] { ownTrainableWeights + ownNonTrainableWeights }

    /// Every variable of the layer and its sublayers: its own first, then each sublayer's.
    public var weights: [Variable] { tracked.weights }

    /// The variables training updates (none when the layer is frozen).
    public var trainableWeights: [Variable] { trainable ? tracked.weights.filter(\.trainable) : [] }

    /// The variables training leaves alone.
    public var nonTrainableWeights: [Variable] { trainable ? tracked.weights.filter { !$0.trainable } : tracked.weights }

    /// The current values of the weights, in order.
    public func getWeights() -> [Tensor] { weights.map(\.value) }

    /// Replaces the weights' values; the count and shapes must match. Nothing changes when they do not.
    public func setWeights(_ values: [Tensor]) throws {
        let variables = weights
        guard values.count == variables.count else {
            throw KerasError.invalidArgument(name: "\(name).setWeights", value: "\(values.count) tensors",
                                             expected: "\(variables.count) tensors of shapes \(variables.map(\.shape))")
        }
        for (variable, value) in zip(variables, values) where variable.shape != value.shape {
            throw KerasError.shapeMismatch(context: "Layer '\(name)' weight '\(variable.name)'",
                                           expected: "\(variable.shape)", got: "\(value.shape)",
                                           fix: "Pass weights in the order and shapes of getWeights().")
        }
        for (variable, value) in zip(variables, values) { variable.assign(value) }
    }

    /// The number of scalars in the layer's weights, sublayers included.
    public func countParams() -> Int { weights.reduce(0) { $0 + $1.shape.reduce(1, *) } }

    /// The sum of the regularization penalties of the trainable weights (sublayers included), or
    /// `nil` when there are none. As in Keras, a frozen layer (or a non-trainable weight) adds no penalty.
    public func regularizationLoss() -> Tensor? {
        guard trainable else { return nil }
        let active = tracked.regularizers.filter { variable, _ in variable.trainable }
        return active.isEmpty ? nil : active.map { $1($0.value) }.reduce(Tensor(0), +)
    }

    /// Projects constrained weights back onto their constraints (after an optimizer step). As
    /// Keras' optimizers do, only the weights training updates: a frozen weight is left alone.
    public func applyConstraints() {
        guard trainable else { return }
        for (variable, constraint) in tracked.constraints where variable.trainable {
            variable.assign(constraint(variable.value))
        }
    }

    /// The regularizers and constraints of this layer's own weights.
    var ownRegularizers: [(Variable, Regularizer)] { regularizers }
    var ownConstraints: [(Variable, Constraint)] { constraints }

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

    /// The module Keras serialises this class under.
    open class var kerasModule: String { "keras.layers" }

    /// The layer as a `.keras` config holds it: class, config, and the shape it was built for.
    open func serialized() throws -> ConfigValue {
        var object = KerasObject(module: Self.kerasModule, className: Self.kerasClassName, config: try getConfig())
        if let registered = CustomObjects.registeredName(of: type(of: self)) {
            object.module = nil
            object.registeredName = registered
        }
        if Self.recordsBuildConfig, let shapes = builtInputShapes {
            let shape: ConfigValue = shapes.count == 1 ? .shape(shapes[0]) : .array(shapes.map { .shape($0) })
            object.extra = [ConfigField("build_config", .object([ConfigField("input_shape", shape)]))]
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
