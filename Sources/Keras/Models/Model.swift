import Foundation

/// A trainable network with Keras' training API: `compile`, `fit`, `evaluate`, `predict`.
///
/// A model is a layer: it can be a layer of another model. Three ways to make one, as in Keras:
/// - `Sequential([...])`, a stack of layers;
/// - the Functional API, a graph of layer calls on symbolic tensors:
///   ```swift
///   let inputs = Input(shape: [784])
///   let hidden = try Dense(units: 64, activation: .relu)(inputs)
///   let model = try Model(inputs: inputs, outputs: try Dense(units: 10, activation: .softmax)(hidden))
///   ```
/// - a subclass that holds layers in properties and overrides `call(_:training:)`.
///
/// Models are reference types, as in Keras: `fit` changes the model you hold.
open class Model: Layer {
    /// Set to `true` (by a callback) to end `fit` after the current epoch.
    public var stopTraining = false
    /// The optimizer given to `compile`.
    public internal(set) var optimizer: Optimizer?
    /// What `compile` chose per output: loss, weight, metrics.
    var compiled: CompiledOutputs?
    /// What `compile` was given, as Keras records it in `compile_config` (strings stay strings).
    var compiledLossConfig: ConfigValue = .null
    var compiledLossWeightsConfig: ConfigValue = .null
    var compiledMetricsConfig: ConfigValue = .null
    /// The epoch `fit` continues from, set by a callback that restores a backup in `onTrainBegin`.
    var resumeEpoch: Int?
    /// The `History` of the latest `fit`.
    public internal(set) var history: History?
    /// The graph of a Functional model; `nil` for a `Sequential` or a subclass with its own `call`.
    let graph: FunctionalGraph?

    /// A model whose subclass computes in `call(_:training:)` with layers held in properties.
    public init(name: String? = nil, trainable: Bool = true) {
        graph = nil
        super.init(name: name, trainable: trainable)
    }

    /// A Functional model: the layer calls from `inputs` to `outputs`. Throws, naming the
    /// layers, when the graph is disconnected or an input reaches no output.
    public init(inputs: [SymbolicTensor], outputs: [SymbolicTensor], name: String? = nil, trainable: Bool = true) throws {
        let name = name ?? LayerNames.unique(for: Self.kerasClassName.snakeCased)
        graph = try FunctionalGraph(inputs: inputs, outputs: outputs, modelName: name)
        super.init(name: name, trainable: trainable)
        LayerTracking.structureChanged()
    }

    /// A Functional model with one input and one output.
    public convenience init(inputs: SymbolicTensor, outputs: SymbolicTensor, name: String? = nil, trainable: Bool = true) throws {
        try self.init(inputs: [inputs], outputs: [outputs], name: name, trainable: trainable)
    }

    /// A Functional model with one input and several outputs.
    public convenience init(inputs: SymbolicTensor, outputs: [SymbolicTensor], name: String? = nil, trainable: Bool = true) throws {
        try self.init(inputs: [inputs], outputs: outputs, name: name, trainable: trainable)
    }

    /// A Functional model with several inputs and one output.
    public convenience init(inputs: [SymbolicTensor], outputs: SymbolicTensor, name: String? = nil, trainable: Bool = true) throws {
        try self.init(inputs: inputs, outputs: [outputs], name: name, trainable: trainable)
    }

    /// `Functional` for a model made with `Model(inputs:outputs:)`; a subclass's own name.
    open override class var kerasClassName: String { self == Model.self ? "Functional" : String(describing: self) }

    open override class var kerasModule: String { self == Model.self ? "keras.src.models.functional" : "keras" }

    // MARK: - Structure

    /// The layers, in order: for a Functional model, every layer of the graph, its
    /// `InputLayer`s first; for a subclass, the layers held in its properties.
    open var layers: [Layer] { graph?.layers ?? sublayers }

    open override var sublayerGroups: [SublayerGroup] {
        guard let graph else { return super.sublayerGroups }
        return [SublayerGroup(name: "layers", layers: graph.layers, isList: true)] + super.sublayerGroups
    }

    /// The model's input tensors (Functional models).
    public var inputs: [SymbolicTensor] { graph?.inputs ?? [] }
    /// The model's output tensors (Functional models).
    public var outputs: [SymbolicTensor] { graph?.outputs ?? [] }

    /// The names of the outputs, by which `compile` and `fit` take per-output losses and labels:
    /// the layers that produce them.
    public var outputNames: [String] { graph?.outputs.map(\.name) ?? [name] }
    /// The names of the inputs: their `InputLayer`s.
    public var inputNames: [String] { graph?.inputs.map(\.name) ?? [] }

    /// The layer named `name` (Keras' `get_layer`).
    public func getLayer(name: String) throws -> Layer {
        guard let layer = layers.first(where: { $0.name == name }) else {
            throw KerasError.unknownName(kind: "layer of model '\(self.name)'", name: name, valid: layers.map(\.name))
        }
        return layer
    }

    /// The layer at `index` in `layers` (Keras' `get_layer(index=)`).
    public func getLayer(index: Int) throws -> Layer {
        guard layers.indices.contains(index) else {
            throw KerasError.invalidArgument(name: "getLayer(index:)", value: "\(index)", expected: "an index in 0..<\(layers.count)")
        }
        return layers[index]
    }

    /// Whether every layer has its weights. A Functional model's layers are built as the graph is made.
    open override var isBuilt: Bool { graph != nil || super.isBuilt }

    open override var builtInputShapes: [[Int?]]? { graph.map { $0.inputs.map(\.shape) } ?? super.builtInputShapes }

    /// A subclassed model builds its layers by running once on a batch of one sample of zeros
    /// (Keras traces `call` symbolically for the same purpose).
    open override func build(inputShapes: [[Int?]]) throws {
        guard graph == nil else { return }
        _ = try probedOutputShapes(forInputShapes: inputShapes)
    }

    open override func outputShapes(forInputShapes inputShapes: [[Int?]]) throws -> [[Int?]] {
        if let graph { return graph.outputs.map(\.shape) }
        return try super.outputShapes(forInputShapes: inputShapes)
    }

    /// The forward pass of every output. Functional models run their graph; a subclass
    /// overrides this or `call(_:training:)`.
    open override func call(_ inputs: [Tensor], masks: [Tensor?], training: Bool) throws -> [Tensor] {
        guard let graph else { return try super.call(inputs, masks: masks, training: training) }
        return try graph.run(inputs, masks: masks, training: training)
    }

    /// The forward pass of a model with one input and one output.
    open override func call(_ input: Tensor, training: Bool) throws -> Tensor {
        guard graph != nil else {
            throw KerasError.invalidState("Model '\(name)' (\(Self.kerasClassName)) has no call: a subclass of Model overrides call(_:training:), or make the model with Model(inputs:outputs:).")
        }
        return try singleOutput(try call([input], masks: [nil], training: training))
    }

    /// Keras' config: a Functional model's graph (`layers` with their `inbound_nodes`,
    /// `input_layers`, `output_layers`); otherwise the layer's fields.
    open override func getConfig() throws -> [ConfigField] {
        guard let graph else { return try super.getConfig() }
        return try functionalConfig(graph)
    }

    /// The model as a `.keras` config holds it: class, config, `build_config` (once built) and
    /// `compile_config` (`{}` until compiled).
    open override func serialized() throws -> ConfigValue { try modelSerialized() }

    /// The model's outputs for batches, one per input: `model([a, b])`.
    public func callAsFunction(_ inputs: [Tensor], training: Bool = false) throws -> [Tensor] {
        try callAll(inputs, training: training)
    }

    // MARK: - Compile

    /// Chooses the optimizer, the loss and the metrics for training, by object or Keras name.
    /// With several outputs, the loss and the metrics apply to each output.
    ///
    /// ```swift
    /// try model.compile(optimizer: "adam", loss: "categorical_crossentropy", metrics: ["accuracy"])
    /// try model.compile(optimizer: SGD(learningRate: 0.05), loss: "mean_squared_error")
    /// ```
    public func compile(
        optimizer: any OptimizerRepresentable = "rmsprop", loss: any LossRepresentable,
        metrics: [any MetricRepresentable] = []
    ) throws {
        try compile(optimizer: optimizer, outputs: outputNames.map { _ in (loss, 1, metrics) },
                    lossConfig: try Self.compileValue(loss), weightsConfig: .null,
                    metricsConfig: metrics.isEmpty ? .null : .array(try metrics.map(Self.compileValue)))
    }

    /// Compiles a model with several outputs: a loss, a loss weight and metrics per output,
    /// keyed by output name (`outputNames`). The reported `loss` is the weighted sum.
    ///
    /// ```swift
    /// try model.compile(optimizer: "adam", loss: ["label": "categorical_crossentropy", "score": "mse"],
    ///                   lossWeights: ["label": 1, "score": 0.2], metrics: ["label": ["accuracy"]])
    /// ```
    public func compile(
        optimizer: any OptimizerRepresentable = "rmsprop", loss: [String: any LossRepresentable],
        lossWeights: [String: Float] = [:], metrics: [String: [any MetricRepresentable]] = [:]
    ) throws {
        let names = outputNames
        for key in Set(loss.keys).union(lossWeights.keys).union(metrics.keys) where !names.contains(key) {
            throw KerasError.unknownName(kind: "output of model '\(name)'", name: key, valid: names)
        }
        func dictionary(_ entries: [(String, ConfigValue)]) -> ConfigValue { .object(entries.map { ConfigField($0.0, $0.1) }) }
        try compile(
            optimizer: optimizer,
            outputs: names.map { (loss[$0], lossWeights[$0] ?? 1, metrics[$0] ?? []) },
            lossConfig: dictionary(try names.compactMap { name in try loss[name].map { (name, try Self.compileValue($0)) } }),
            weightsConfig: lossWeights.isEmpty ? .null : dictionary(names.map { ($0, .float(lossWeights[$0] ?? 1)) }),
            metricsConfig: metrics.isEmpty ? .null : dictionary(try names.compactMap { name in
                try metrics[name].map { (name, .array(try $0.map(Self.compileValue))) } }))
    }

    /// Compiles a model with several outputs: a loss, a loss weight and metrics per output, in
    /// the order of the outputs.
    public func compile(
        optimizer: any OptimizerRepresentable = "rmsprop", loss: [any LossRepresentable],
        lossWeights: [Float]? = nil, metrics: [[any MetricRepresentable]]? = nil
    ) throws {
        let names = outputNames
        for (what, count) in [("losses", loss.count), ("loss weights", lossWeights?.count ?? names.count), ("metric lists", metrics?.count ?? names.count)]
            where count != names.count {
            throw KerasError.invalidArgument(name: "compile \(what)", value: "\(count)",
                                             expected: "one per output of model '\(name)' (\(names.count): \(names.joined(separator: ", ")))")
        }
        try compile(optimizer: optimizer,
                    outputs: names.indices.map { (loss[$0], lossWeights?[$0] ?? 1, metrics?[$0] ?? []) },
                    lossConfig: .array(try loss.map(Self.compileValue)),
                    weightsConfig: lossWeights.map { .array($0.map { .float($0) }) } ?? .null,
                    metricsConfig: try metrics.map { .array(try $0.map { .array(try $0.map(Self.compileValue)) }) } ?? .null)
    }

    typealias OutputRequest = (loss: (any LossRepresentable)?, weight: Float, metrics: [any MetricRepresentable])

    func compile(
        optimizer: any OptimizerRepresentable, outputs: [OutputRequest],
        lossConfig: ConfigValue, weightsConfig: ConfigValue, metricsConfig: ConfigValue
    ) throws {
        let made = try outputs.map { loss, weight, metrics in (try loss?.makeLoss(), weight, metrics) }
        // Metric names are checked now; "accuracy" is resolved when the shapes are known.
        for (loss, _, metrics) in made {
            for request in metrics {
                _ = try request.makeMetric(loss: loss ?? Losses.MeanSquaredError(), yTrueShape: [1, 2], yPredShape: [1, 2])
            }
        }
        self.optimizer = try optimizer.makeOptimizer()
        compiled = CompiledOutputs(names: outputNames, outputs: made)
        compiledLossConfig = lossConfig
        compiledLossWeightsConfig = weightsConfig
        compiledMetricsConfig = metricsConfig
    }

    /// The loss of the (first) output given to `compile`.
    public var loss: (any Loss)? { compiled?.outputs.first?.loss }

    func requireCompiled(_ call: String) throws -> (Optimizer, CompiledOutputs) {
        guard let optimizer, let compiled else {
            throw KerasError.invalidState("\(call): the model must be compiled first. Call compile(optimizer:loss:metrics:) before \(call).")
        }
        return (optimizer, compiled)
    }

    // MARK: - Steps (override them to customise training, as Keras' train_step)

    /// One gradient step on a batch; returns the logs (`loss` and the metrics so far this epoch).
    /// Override it for a custom training step; `computeLoss` and `computeMetrics` do the
    /// bookkeeping `fit` reports.
    open func trainStep(_ batch: Batch) throws -> [String: Float] {
        let (optimizer, _) = try requireCompiled("fit")
        guard let targets = batch.targets else { throw KerasError.invalidData("fit: the batch has no targets (y); training needs them.") }
        // The tape and its graph end before the update, so that the optimizer updates the
        // weights in place instead of copying storage the graph still holds.
        let (predictions, gradients, variables) = try { () throws -> ([Tensor], [Tensor], [Variable]) in
            let tape = GradientTape()
            var outputs: [Tensor] = []
            let total = try tape.record {
                outputs = try forward(batch.inputs, training: true)
                return try computeLoss(x: batch.inputs, y: targets, yPred: outputs, sampleWeight: batch.sampleWeight)
            }
            // Read after the forward pass: layers built during it have their weights by now.
            let variables = trainableWeights
            return (outputs.map(\.detached), tape.gradient(of: total, wrt: variables), variables)
        }()
        try optimizer.apply(gradients, to: variables)
        applyConstraints()
        return try computeMetrics(x: batch.inputs, y: targets, yPred: predictions, sampleWeight: batch.sampleWeight)
    }

    /// The loss and metrics on a batch, without training.
    open func testStep(_ batch: Batch) throws -> [String: Float] {
        _ = try requireCompiled("evaluate")
        guard let targets = batch.targets else { throw KerasError.invalidData("evaluate: the batch has no targets (y); evaluation needs them.") }
        let outputs = try forward(batch.inputs, training: false)
        _ = try computeLoss(x: batch.inputs, y: targets, yPred: outputs, sampleWeight: batch.sampleWeight)
        return try computeMetrics(x: batch.inputs, y: targets, yPred: outputs, sampleWeight: batch.sampleWeight)
    }

    /// The model's outputs for a batch.
    open func predictStep(_ batch: Batch) throws -> [Tensor] {
        try forward(batch.inputs, training: false)
    }

    /// The total loss of a batch: each output's compiled loss times its weight, plus the
    /// regularization penalties. Records each value for the logs (`loss`, `<output>_loss`).
    open func computeLoss(x: [Tensor], y: [Tensor], yPred: [Tensor], sampleWeight: Tensor?) throws -> Tensor {
        let (_, compiled) = try requireCompiled("computeLoss")
        try compiled.check(targets: y, predictions: yPred, model: name)
        var total: Tensor? = nil
        var values: [Float] = []
        for (output, (target, prediction)) in zip(compiled.outputs, zip(y, yPred)) {
            guard let loss = output.loss else { values.append(0); continue }
            try loss.validate(yTrue: target, yPred: prediction)
            let value = loss(target, prediction, sampleWeight: sampleWeight)
            values.append(value.scalar)
            let weighted = output.weight == 1 ? value : value * output.weight
            total = total.map { $0 + weighted } ?? weighted
        }
        var result = total ?? Tensor(0)
        if let penalty = regularizationLoss() { result = result + penalty }
        compiled.recordLosses(total: result.scalar, outputs: values, batchSize: Float(y.first?.shape.first ?? 1))
        return result
    }

    /// Updates the compiled metrics with a batch's predictions; returns the logs so far this epoch.
    open func computeMetrics(x: [Tensor], y: [Tensor], yPred: [Tensor], sampleWeight: Tensor?) throws -> [String: Float] {
        let (_, compiled) = try requireCompiled("computeMetrics")
        try compiled.updateMetrics(targets: y, predictions: yPred, sampleWeight: sampleWeight)
        return compiled.logs()
    }

    /// Clears the running loss and metrics (at the start of each epoch and evaluation).
    public func resetMetrics() { compiled?.reset() }

    /// The outputs of a forward pass: the one-tensor call when the model has one input and one
    /// output (the common, fastest path), the general call otherwise.
    func forward(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
        if inputs.count == 1, graph == nil || graph!.outputs.count == 1 {
            if !isBuilt { try buildIfNeeded(inputShape: [nil] + inputs[0].shape.dropFirst().map { $0 }) }
            return [try call(inputs[0], training: training)]
        }
        return try callAll(inputs, training: training)
    }

    // MARK: - Batches

    /// Builds the model from a batch's shapes and checks the data against the model.
    func prepare(_ x: [Tensor], _ y: [Tensor]?, call: String) throws {
        let count = x.first.map { $0.rank >= 1 ? $0.shape[0] : 0 } ?? 0
        if let graph, x.count != graph.inputs.count {
            throw KerasError.invalidData("\(call): model '\(name)' has \(graph.inputs.count) inputs (\(inputNames.joined(separator: ", "))) but \(x.count) arrays were given; pass one per input, in order or by name.")
        }
        for (index, tensor) in x.enumerated() {
            guard tensor.rank >= 1, tensor.shape[0] > 0 else {
                throw KerasError.invalidData("\(call): x is empty (shape \(tensor.shape)); pass at least one sample.")
            }
            guard tensor.shape[0] == count else {
                throw KerasError.invalidData("\(call): the inputs have different numbers of samples (\(x.map { $0.shape[0] })); they must match.")
            }
            try checkFinite(tensor, name: x.count == 1 ? "x" : "x[\(index)]", call: call)
            if let graph { try FunctionalGraph.check(tensor, against: graph.inputs[index]) }
        }
        if !isBuilt { try buildIfNeeded(inputShapes: x.map { [nil] + $0.shape.dropFirst().map { $0 } }) }
        guard let y else { return }
        let outputCount = graph?.outputs.count ?? 1
        guard y.count == outputCount else {
            throw KerasError.invalidData("\(call): model '\(name)' has \(outputCount) outputs (\(outputNames.joined(separator: ", "))) but \(y.count) target arrays were given; pass one per output, in order or by name.")
        }
        for (index, target) in y.enumerated() {
            guard target.rank >= 1, target.shape[0] == count else {
                throw KerasError.invalidData("\(call): x has \(count) samples but y\(y.count == 1 ? "" : "[\(index)]") has \(target.rank == 0 ? 0 : target.shape[0]) (shapes \(x[0].shape) and \(target.shape)); they must match.")
            }
            try checkFinite(target, name: y.count == 1 ? "y" : "y[\(index)]", call: call)
        }
    }

    func checkFinite(_ tensor: Tensor, name: String, call: String) throws {
        guard tensor.allFinite else {
            throw KerasError.invalidData("\(call): \(name) contains NaN or infinite values; clean or impute them first.")
        }
    }

    /// The per-sample weights from `sampleWeight` and `classWeight`, or `nil` when there are none.
    func sampleWeights(_ y: Tensor, classWeight: [Int: Float]?, sampleWeight: Tensor?) throws -> Tensor? {
        guard let classWeight else { return sampleWeight }
        let classes: Tensor = y.rank >= 2 && y.shape.last! > 1 ? y.argmax(axis: -1) : y.reshaped(to: [y.shape[0]])
        let weights = try classes.scalars.enumerated().map { sample, value -> Float in
            let label = try DataChecks.classIndex(value.rounded(), sample: sample, classes: nil, context: "classWeight")
            guard let weight = classWeight[label] else {
                throw KerasError.invalidArgument(name: "classWeight", value: "\(classWeight)", expected: "a weight for class \(label)")
            }
            return weight
        }
        let perClass = Tensor(weights)
        return sampleWeight.map { $0 * perClass } ?? perClass
    }
}
