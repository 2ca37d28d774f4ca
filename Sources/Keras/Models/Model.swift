import Foundation

/// A trainable network with Keras' training API: `compile`, `fit`, `evaluate`, `predict`.
///
/// Models are reference types, as in Keras: `fit` changes the model you hold. `Sequential`
/// is the model most programs use.
open class Model {
    /// The model's name (`sequential`, `sequential_1`, …).
    public var name: String
    /// Set to `true` (by a callback) to end `fit` after the current epoch.
    public var stopTraining = false
    /// The optimizer given to `compile`.
    public private(set) var optimizer: Optimizer?
    /// The loss given to `compile`.
    public private(set) var loss: (any Loss)?
    private var metricRequests: [any MetricRepresentable] = []
    /// What `compile` was given, as Keras records it in `compile_config` (strings stay strings).
    var compiledLossConfig: ConfigValue = .null
    var compiledMetricsConfig: ConfigValue = .null
    var compiledMetrics: [any Metric]?
    private var fusedLoss: (any Loss)?
    /// The epoch `fit` continues from, set by a callback that restores a backup in `onTrainBegin`.
    var resumeEpoch: Int?
    /// The `History` of the latest `fit`.
    public internal(set) var history: History?

    public init(name: String) {
        self.name = name
    }

    // MARK: - What subclasses provide

    /// The layers, in order.
    open var layers: [Layer] { [] }

    /// Builds every layer for inputs of `inputShape` (batch dimension `nil`).
    open func build(inputShape: [Int?]) throws {}

    /// Whether every layer has its weights.
    open var isBuilt: Bool { layers.allSatisfy(\.isBuilt) }

    /// The forward pass. With `logits`, a final softmax or sigmoid is left out, so that a
    /// crossentropy loss can be computed from logits (stable, and a simpler gradient).
    open func call(_ input: Tensor, training: Bool, logits: Bool) throws -> Tensor { input }

    /// Whether the model ends in a softmax (`"softmax"`) or sigmoid (`"sigmoid"`) that `call`
    /// can leave out when asked for logits; `nil` otherwise.
    open var finalProbabilityActivation: String? { nil }

    // MARK: - Configuration

    /// The Keras class name (`Sequential`), written to configs.
    open class var kerasClassName: String { String(describing: self) }

    /// Keras' `get_config()`: name, trainable, dtype, then what the subclass adds.
    open func getConfig() throws -> [ConfigField] {
        [ConfigField("name", .string(name)), ConfigField("trainable", .bool(true)),
         ConfigField("dtype", KerasObject(module: "keras", className: "DTypePolicy",
                                          config: [ConfigField("name", .string("float32"))]).value)]
    }

    /// The input shape the model was built for, batch dimension `nil`; `nil` while unbuilt.
    open var builtInputShape: [Int?]? { nil }

    // MARK: - Weights

    /// Every variable of every layer.
    public var weights: [Variable] { layers.flatMap(\.weights) }
    /// The variables training updates.
    public var trainableWeights: [Variable] { layers.flatMap(\.trainableWeights) }
    /// The variables training leaves alone.
    public var nonTrainableWeights: [Variable] { layers.flatMap(\.nonTrainableWeights) }
    /// The number of scalars in the model's weights.
    public func countParams() -> Int { layers.reduce(0) { $0 + $1.countParams() } }
    /// The current values of all weights, in order.
    public func getWeights() -> [Tensor] { weights.map(\.value) }
    /// Replaces all weights' values, in the order of `getWeights()`. Checks every count and
    /// shape first, so a failed call changes nothing.
    public func setWeights(_ values: [Tensor]) throws {
        let variables = weights
        guard values.count == variables.count else {
            throw KerasError.invalidArgument(name: "setWeights", value: "\(values.count) tensors",
                                             expected: "\(variables.count) tensors of shapes \(variables.map(\.shape))")
        }
        for (variable, value) in zip(variables, values) where variable.shape != value.shape {
            throw KerasError.shapeMismatch(context: "Model '\(name)' weight '\(variable.name)'", expected: "\(variable.shape)",
                                           got: "\(value.shape)", fix: "Pass weights in the order and shapes of getWeights().")
        }
        for (variable, value) in zip(variables, values) { variable.assign(value) }
    }

    // MARK: - Compile

    /// Chooses the optimizer, the loss and the metrics for training, by object or Keras name.
    ///
    /// ```swift
    /// try model.compile(optimizer: "adam", loss: "categorical_crossentropy", metrics: ["accuracy"])
    /// try model.compile(optimizer: SGD(learningRate: 0.05), loss: "mean_squared_error")
    /// ```
    public func compile(
        optimizer: any OptimizerRepresentable = "rmsprop", loss: any LossRepresentable,
        metrics: [any MetricRepresentable] = []
    ) throws {
        self.optimizer = try optimizer.makeOptimizer()
        self.loss = try loss.makeLoss()
        // Metric names are checked now; "accuracy" is resolved when the shapes are known.
        for request in metrics {
            _ = try request.makeMetric(loss: self.loss!, yTrueShape: [1, 2], yPredShape: [1, 2])
        }
        metricRequests = metrics
        compiledLossConfig = try Self.compileValue(loss)
        compiledMetricsConfig = metrics.isEmpty ? .null : .array(try metrics.map(Self.compileValue))
        compiledMetrics = nil
        fusedLoss = nil
    }

    func requireCompiled(_ call: String) throws -> (Optimizer, any Loss) {
        guard let optimizer, let loss else {
            throw KerasError.invalidState("\(call): the model must be compiled first. Call compile(optimizer:loss:metrics:) before \(call).")
        }
        return (optimizer, loss)
    }

    /// The metrics for labels and predictions of these shapes, made on first use.
    func metrics(yTrue: [Int], yPred: [Int], loss: any Loss) throws -> [any Metric] {
        if let compiledMetrics { return compiledMetrics }
        let made = try metricRequests.map { try $0.makeMetric(loss: loss, yTrueShape: yTrue, yPredShape: yPred) }
        compiledMetrics = made
        return made
    }

    // MARK: - Batches

    /// Builds the model from a batch's shape and checks the data against the model and the loss.
    func prepare(_ x: Tensor, _ y: Tensor?, call: String) throws {
        guard x.rank >= 1, x.shape[0] > 0 else {
            throw KerasError.invalidData("\(call): x is empty (shape \(x.shape)); pass at least one sample.")
        }
        try checkFinite(x, name: "x", call: call)
        if !isBuilt { try build(inputShape: [nil] + x.shape.dropFirst().map { $0 }) }
        guard let y else { return }
        guard y.rank >= 1, y.shape[0] == x.shape[0] else {
            throw KerasError.invalidData("\(call): x has \(x.shape[0]) samples but y has \(y.rank == 0 ? 0 : y.shape[0]) (shapes \(x.shape) and \(y.shape)); they must match.")
        }
        try checkFinite(y, name: "y", call: call)
    }

    func checkFinite(_ tensor: Tensor, name: String, call: String) throws {
        guard tensor.allFinite else {
            throw KerasError.invalidData("\(call): \(name) contains NaN or infinite values; clean or impute them first.")
        }
    }

    /// The loss to train with: the compiled loss, or its from-logits form when the model ends
    /// in the matching softmax or sigmoid (Keras' fused, numerically stable crossentropy).
    func trainingLoss(_ loss: any Loss) -> (loss: any Loss, logits: Bool) {
        if let fusedLoss { return (fusedLoss, true) }
        guard let activation = finalProbabilityActivation, let fused = Losses.fromLogits(loss, activation: activation) else {
            return (loss, false)
        }
        fusedLoss = fused
        return (fused, true)
    }

    /// One gradient step on a batch; returns the batch loss and the predictions.
    func trainStep(_ x: Tensor, _ y: Tensor, sampleWeight: Tensor?) throws -> (loss: Float, yPred: Tensor) {
        let (optimizer, loss) = try requireCompiled("fit")
        let (lossFunction, logits) = trainingLoss(loss)
        let variables = trainableWeights
        // The tape and its graph end before the update, so that the optimizer updates the
        // weights in place instead of copying storage the graph still holds.
        let (lossValue, predictions, gradients) = try { () throws -> (Float, Tensor, [Tensor]) in
            let tape = GradientTape()
            var output = Tensor(0)
            let total = try tape.record {
                output = try call(x, training: true, logits: logits)
                try lossFunction.validate(yTrue: y, yPred: output)
                var value = lossFunction(y, output, sampleWeight: sampleWeight)
                for layer in layers { if let penalty = layer.regularizationLoss() { value = value + penalty } }
                return value
            }
            return (total.scalar, output.detached, tape.gradient(of: total, wrt: variables))
        }()
        try optimizer.apply(gradients, to: variables)
        for layer in layers { layer.applyConstraints() }
        guard logits else { return (lossValue, predictions) }
        return (lossValue, finalProbabilityActivation == "softmax" ? predictions.softmax() : predictions.sigmoid())
    }

    /// The loss and predictions on a batch, without training.
    func testStep(_ x: Tensor, _ y: Tensor, sampleWeight: Tensor?) throws -> (loss: Float, yPred: Tensor) {
        let (_, loss) = try requireCompiled("evaluate")
        let output = try call(x, training: false, logits: false)
        try loss.validate(yTrue: y, yPred: output)
        var value = loss(y, output, sampleWeight: sampleWeight)
        for layer in layers { if let penalty = layer.regularizationLoss() { value = value + penalty } }
        return (value.scalar, output)
    }

    /// The loss and metric values after the batches seen so far.
    func currentLogs(loss: Float, metrics: [any Metric]) -> [String: Float] {
        var logs = ["loss": loss]
        for metric in metrics { logs[metric.name] = metric.result() }
        return logs
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

/// A running mean weighted by batch size: the loss shown while an epoch runs.
final class MeanTracker {
    private var total: Double = 0
    private var weight: Double = 0
    func add(_ value: Float, weight: Float) {
        total += Double(value) * Double(weight)
        self.weight += Double(weight)
    }
    func reset() { (total, weight) = (0, 0) }
    var value: Float { weight == 0 ? 0 : Float(total / weight) }
}

extension Losses {
    /// The from-logits form of a crossentropy that follows `activation` (`"softmax"` or
    /// `"sigmoid"`), or `nil` when the loss does not pair with it. What Keras' TensorFlow
    /// backend does when a crossentropy sees the output of a softmax or sigmoid.
    static func fromLogits(_ loss: any Loss, activation: String) -> (any Loss)? {
        switch (loss, activation) {
        case (var loss as CategoricalCrossentropy, "softmax") where !loss.fromLogits:
            loss.fromLogits = true
            return loss
        case (var loss as SparseCategoricalCrossentropy, "softmax") where !loss.fromLogits:
            loss.fromLogits = true
            return loss
        case (var loss as BinaryCrossentropy, "sigmoid") where !loss.fromLogits:
            loss.fromLogits = true
            return loss
        default:
            return nil
        }
    }
}
