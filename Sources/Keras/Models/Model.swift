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
    private var compiledMetrics: [any Metric]?
    private var fusedLoss: (any Loss)?
    /// The `History` of the latest `fit`.
    public private(set) var history: History?

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
        compiledMetrics = nil
        fusedLoss = nil
    }

    private func requireCompiled(_ call: String) throws -> (Optimizer, any Loss) {
        guard let optimizer, let loss else {
            throw KerasError.invalidState("\(call): the model must be compiled first. Call compile(optimizer:loss:metrics:) before \(call).")
        }
        return (optimizer, loss)
    }

    /// The metrics for labels and predictions of these shapes, made on first use.
    private func metrics(yTrue: [Int], yPred: [Int], loss: any Loss) throws -> [any Metric] {
        if let compiledMetrics { return compiledMetrics }
        let made = try metricRequests.map { try $0.makeMetric(loss: loss, yTrueShape: yTrue, yPredShape: yPred) }
        compiledMetrics = made
        return made
    }

    // MARK: - Batches

    /// Builds the model from a batch's shape and checks the data against the model and the loss.
    private func prepare(_ x: Tensor, _ y: Tensor?, call: String) throws {
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

    private func checkFinite(_ tensor: Tensor, name: String, call: String) throws {
        let finite = tensor.withUnsafeBufferPointer { buffer in buffer.allSatisfy { $0.isFinite } }
        guard finite else {
            throw KerasError.invalidData("\(call): \(name) contains NaN or infinite values; clean or impute them first.")
        }
    }

    /// The loss to train with: the compiled loss, or its from-logits form when the model ends
    /// in the matching softmax or sigmoid (Keras' fused, numerically stable crossentropy).
    private func trainingLoss(_ loss: any Loss) -> (loss: any Loss, logits: Bool) {
        if let fusedLoss { return (fusedLoss, true) }
        guard let activation = finalProbabilityActivation, let fused = Losses.fromLogits(loss, activation: activation) else {
            return (loss, false)
        }
        fusedLoss = fused
        return (fused, true)
    }

    /// One gradient step on a batch; returns the batch loss and the predictions.
    private func trainStep(_ x: Tensor, _ y: Tensor, sampleWeight: Tensor?) throws -> (loss: Float, yPred: Tensor) {
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
                try lossFunction.validate(yTrue: y.shape, yPred: output.shape)
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
    private func testStep(_ x: Tensor, _ y: Tensor, sampleWeight: Tensor?) throws -> (loss: Float, yPred: Tensor) {
        let (_, loss) = try requireCompiled("evaluate")
        let output = try call(x, training: false, logits: false)
        try loss.validate(yTrue: y.shape, yPred: output.shape)
        var value = loss(y, output, sampleWeight: sampleWeight)
        for layer in layers { if let penalty = layer.regularizationLoss() { value = value + penalty } }
        return (value.scalar, output)
    }

    // MARK: - Fit

    /// Trains the model for `epochs` passes over `x` and `y`; returns the `History`.
    ///
    /// - Parameters:
    ///   - validationSplit: the fraction of samples, taken from the end before shuffling, held out for validation.
    ///   - validationData: data to validate on after each epoch; overrides `validationSplit`.
    ///   - classWeight: a weight per class index, multiplying each sample's loss.
    ///   - verbose: 0 silent, 1 a progress bar, 2 one line per epoch.
    @discardableResult
    public func fit(
        _ x: Tensor, _ y: Tensor, epochs: Int = 1, batchSize: Int = 32, verbose: Int = 1,
        callbacks: [Callback] = [], validationSplit: Float = 0, validationData: (Tensor, Tensor)? = nil,
        shuffle: Bool = true, classWeight: [Int: Float]? = nil, sampleWeight: Tensor? = nil, initialEpoch: Int = 0
    ) throws -> History {
        let (_, loss) = try requireCompiled("fit")
        guard batchSize > 0 else { throw KerasError.invalidArgument(name: "batchSize", value: "\(batchSize)", expected: "a positive integer") }
        guard epochs >= 0, initialEpoch >= 0 else {
            throw KerasError.invalidArgument(name: "epochs", value: "\(epochs)", expected: "a non-negative integer")
        }
        guard validationSplit >= 0 && validationSplit < 1 else {
            throw KerasError.invalidArgument(name: "validationSplit", value: "\(validationSplit)", expected: "a fraction in [0, 1)")
        }
        try prepare(x, y, call: "fit")
        if let sampleWeight, sampleWeight.shape != [x.shape[0]] {
            throw KerasError.shapeMismatch(context: "fit sampleWeight", expected: "[\(x.shape[0])]", got: "\(sampleWeight.shape)",
                                           fix: "Pass one weight per sample.")
        }

        // Validation data: given, or the last fraction of the samples before shuffling.
        var (trainX, trainY, trainWeight) = (x, y, try sampleWeights(y, classWeight: classWeight, sampleWeight: sampleWeight))
        var validation = validationData
        if validation == nil && validationSplit > 0 {
            let count = x.shape[0]
            let split = Int(Float(count) * (1 - validationSplit))
            guard split > 0 && split < count else {
                throw KerasError.invalidArgument(name: "validationSplit", value: "\(validationSplit)",
                                                 expected: "a fraction that leaves samples on both sides of \(count)")
            }
            validation = (x.slice(axis: 0, split..<count), y.slice(axis: 0, split..<count))
            trainX = x.slice(axis: 0, 0..<split)
            trainY = y.slice(axis: 0, 0..<split)
            trainWeight = trainWeight?.slice(axis: 0, 0..<split)
        }
        if let (validationX, validationY) = validation { try prepare(validationX, validationY, call: "fit validationData") }

        let count = trainX.shape[0]
        let steps = (count + batchSize - 1) / batchSize
        let history = History()
        self.history = history
        let list = CallbackList(callbacks: [history] + callbacks)
        for callback in list.callbacks {
            callback.model = self
            callback.params = ["epochs": epochs, "steps": steps, "verbose": verbose]
        }
        stopTraining = false
        let lossTracker = MeanTracker()
        var order = Array(0..<count)

        try list.callEach { try $0.onTrainBegin(logs: [:]) }
        for epoch in initialEpoch..<max(initialEpoch, epochs) {
            try list.callEach { try $0.onEpochBegin(epoch, logs: [:]) }
            if verbose == 1 || verbose == 2 { print("Epoch \(epoch + 1)/\(epochs)") }
            let bar = ProgressBar(target: steps, verbose: verbose)
            lossTracker.reset()
            compiledMetrics?.forEach { $0.reset() }
            if shuffle { RandomGenerator.withGlobal { order.shuffle(using: &$0) } }
            var logs: [String: Float] = [:]
            for step in 0..<steps {
                try list.callEach { try $0.onTrainBatchBegin(step, logs: [:]) }
                let range = (step * batchSize)..<min(count, (step + 1) * batchSize)
                let (batchX, batchY, batchWeight) = batch(trainX, trainY, trainWeight, order: order, range: range, shuffled: shuffle)
                let (batchLoss, predictions) = try trainStep(batchX, batchY, sampleWeight: batchWeight)
                lossTracker.add(batchLoss, weight: Float(range.count))
                let metrics = try self.metrics(yTrue: batchY.shape, yPred: predictions.shape, loss: loss)
                for metric in metrics { metric.update(yTrue: batchY, yPred: predictions, sampleWeight: batchWeight) }
                logs = currentLogs(loss: lossTracker.value, metrics: metrics)
                bar.update(step + 1, values: sortedValues(logs), finalize: false)
                try list.callEach { try $0.onTrainBatchEnd(step, logs: logs) }
                if stopTraining { break }
            }
            if let (validationX, validationY) = validation {
                let result = try evaluateBatches(validationX, validationY, batchSize: batchSize, sampleWeight: nil, callbacks: list)
                for (name, value) in result.values { logs["val_" + name] = value }
            }
            bar.update(steps, values: sortedValues(logs), finalize: true)
            try list.callEach { try $0.onEpochEnd(epoch, logs: logs) }
            if stopTraining { break }
        }
        try list.callEach { try $0.onTrainEnd(logs: history.history.mapValues { $0.last ?? .nan }) }
        return history
    }

    /// The per-sample weights from `sampleWeight` and `classWeight`, or `nil` when there are none.
    private func sampleWeights(_ y: Tensor, classWeight: [Int: Float]?, sampleWeight: Tensor?) throws -> Tensor? {
        guard let classWeight else { return sampleWeight }
        let classes: Tensor = y.rank >= 2 && y.shape.last! > 1 ? y.argmax(axis: -1) : y.reshaped(to: [y.shape[0]])
        let weights = try classes.scalars.map { value -> Float in
            guard let weight = classWeight[Int(value.rounded())] else {
                throw KerasError.invalidArgument(name: "classWeight", value: "\(classWeight)", expected: "a weight for class \(Int(value))")
            }
            return weight
        }
        let perClass = Tensor(weights)
        return sampleWeight.map { $0 * perClass } ?? perClass
    }

    private func batch(_ x: Tensor, _ y: Tensor, _ weight: Tensor?, order: [Int], range: Range<Int>, shuffled: Bool)
        -> (Tensor, Tensor, Tensor?) {
        if !shuffled {
            return (x.slice(axis: 0, range), y.slice(axis: 0, range), weight?.slice(axis: 0, range))
        }
        let indices = Tensor(order[range].map(Float.init))
        return (x.gathering(indices), y.gathering(indices), weight?.gathering(indices))
    }

    private func currentLogs(loss: Float, metrics: [any Metric]) -> [String: Float] {
        var logs = ["loss": loss]
        for metric in metrics { logs[metric.name] = metric.result() }
        return logs
    }

    private func sortedValues(_ logs: [String: Float]) -> [(String, Float)] {
        logs.keys.sorted().map { ($0, logs[$0]!) }
    }

    // MARK: - Evaluate and predict

    /// The loss and metrics on `x` and `y`, in batches.
    @discardableResult
    public func evaluate(_ x: Tensor, _ y: Tensor, batchSize: Int = 32, verbose: Int = 1,
                         sampleWeight: Tensor? = nil, callbacks: [Callback] = []) throws -> Evaluation {
        _ = try requireCompiled("evaluate")
        guard batchSize > 0 else { throw KerasError.invalidArgument(name: "batchSize", value: "\(batchSize)", expected: "a positive integer") }
        try prepare(x, y, call: "evaluate")
        let list = CallbackList(callbacks: callbacks)
        let steps = (x.shape[0] + batchSize - 1) / batchSize
        for callback in callbacks {
            callback.model = self
            callback.params = ["steps": steps, "verbose": verbose]
        }
        return try evaluateBatches(x, y, batchSize: batchSize, sampleWeight: sampleWeight, callbacks: list,
                                   bar: verbose == 1 ? ProgressBar(target: (x.shape[0] + batchSize - 1) / batchSize, verbose: 1) : nil)
    }

    private func evaluateBatches(_ x: Tensor, _ y: Tensor, batchSize: Int, sampleWeight: Tensor?,
                                 callbacks: CallbackList, bar: ProgressBar? = nil) throws -> Evaluation {
        let (_, loss) = try requireCompiled("evaluate")
        let count = x.shape[0]
        let steps = (count + batchSize - 1) / batchSize
        // The compiled metrics are reused: training's values are already in its logs.
        var metrics: [any Metric]? = nil
        let tracker = MeanTracker()
        var logs: [String: Float] = [:]
        try callbacks.callEach { try $0.onTestBegin(logs: [:]) }
        for step in 0..<steps {
            try callbacks.callEach { try $0.onTestBatchBegin(step, logs: [:]) }
            let range = (step * batchSize)..<min(count, (step + 1) * batchSize)
            let (batchX, batchY) = (x.slice(axis: 0, range), y.slice(axis: 0, range))
            let batchWeight = sampleWeight?.slice(axis: 0, range)
            let (batchLoss, predictions) = try testStep(batchX, batchY, sampleWeight: batchWeight)
            if metrics == nil {
                metrics = try self.metrics(yTrue: batchY.shape, yPred: predictions.shape, loss: loss)
                metrics!.forEach { $0.reset() }
            }
            tracker.add(batchLoss, weight: Float(range.count))
            for metric in metrics! { metric.update(yTrue: batchY, yPred: predictions, sampleWeight: batchWeight) }
            logs = currentLogs(loss: tracker.value, metrics: metrics!)
            bar?.update(step + 1, values: sortedValues(logs))
            try callbacks.callEach { try $0.onTestBatchEnd(step, logs: logs) }
        }
        try callbacks.callEach { try $0.onTestEnd(logs: logs) }
        return Evaluation(values: logs)
    }

    /// The model's outputs for `x`, computed in batches.
    public func predict(_ x: Tensor, batchSize: Int = 32, verbose: Int = 0, callbacks: [Callback] = []) throws -> Tensor {
        guard batchSize > 0 else { throw KerasError.invalidArgument(name: "batchSize", value: "\(batchSize)", expected: "a positive integer") }
        try prepare(x, nil, call: "predict")
        let list = CallbackList(callbacks: callbacks)
        let count = x.shape[0]
        let steps = (count + batchSize - 1) / batchSize
        for callback in callbacks {
            callback.model = self
            callback.params = ["steps": steps, "verbose": verbose]
        }
        let bar = verbose == 1 ? ProgressBar(target: steps, verbose: 1) : nil
        try list.callEach { try $0.onPredictBegin(logs: [:]) }
        var outputs: [Tensor] = []
        for step in 0..<steps {
            try list.callEach { try $0.onPredictBatchBegin(step, logs: [:]) }
            let range = (step * batchSize)..<min(count, (step + 1) * batchSize)
            outputs.append(try call(steps == 1 ? x : x.slice(axis: 0, range), training: false, logits: false))
            bar?.update(step + 1, values: [])
            try list.callEach { try $0.onPredictBatchEnd(step, logs: [:]) }
        }
        try list.callEach { try $0.onPredictEnd(logs: [:]) }
        return outputs.count == 1 ? outputs[0] : Tensor.concatenate(outputs, axis: 0)
    }

    /// Class predictions (the seeds' `predict_classes`): for a single sigmoid output, 1 where
    /// the probability exceeds 0.5; otherwise the index of the largest output.
    public func predictClasses(_ x: Tensor, batchSize: Int = 32) throws -> Tensor {
        let probabilities = try predict(x, batchSize: batchSize)
        if probabilities.rank >= 2 && probabilities.shape.last! > 1 { return probabilities.argmax(axis: -1) }
        return probabilities .> 0.5
    }

    /// One training step on one batch; returns the batch's loss and metrics.
    @discardableResult
    public func trainOnBatch(_ x: Tensor, _ y: Tensor, sampleWeight: Tensor? = nil, classWeight: [Int: Float]? = nil) throws -> Evaluation {
        let (_, loss) = try requireCompiled("trainOnBatch")
        try prepare(x, y, call: "trainOnBatch")
        let weight = try sampleWeights(y, classWeight: classWeight, sampleWeight: sampleWeight)
        let (batchLoss, predictions) = try trainStep(x, y, sampleWeight: weight)
        let metrics = try self.metrics(yTrue: y.shape, yPred: predictions.shape, loss: loss)
        metrics.forEach { $0.reset() }
        for metric in metrics { metric.update(yTrue: y, yPred: predictions, sampleWeight: weight) }
        return Evaluation(values: currentLogs(loss: batchLoss, metrics: metrics))
    }

    /// The loss and metrics on one batch, without training.
    public func testOnBatch(_ x: Tensor, _ y: Tensor, sampleWeight: Tensor? = nil) throws -> Evaluation {
        try prepare(x, y, call: "testOnBatch")
        return try evaluateBatches(x, y, batchSize: x.shape[0], sampleWeight: sampleWeight, callbacks: CallbackList(callbacks: []))
    }

    /// The model's outputs for one batch.
    public func predictOnBatch(_ x: Tensor) throws -> Tensor {
        try prepare(x, nil, call: "predictOnBatch")
        return try call(x, training: false, logits: false)
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
