/// What `compile` chose for each output of a model — loss, loss weight, metrics — and the
/// running values `fit` and `evaluate` report, under Keras' names: `loss` (the weighted total),
/// and with several outputs `<output>_loss` and `<output>_<metric>`.
final class CompiledOutputs {
    struct Output {
        let name: String
        let loss: (any Loss)?
        let weight: Float
        let metricRequests: [any MetricRepresentable]
        /// Made on first use, when the shapes of labels and predictions are known.
        var metrics: [any Metric]?
        let lossTracker = MeanTracker()
    }

    var outputs: [Output]
    let lossTracker = MeanTracker()

    init(names: [String], outputs: [((any Loss)?, Float, [any MetricRepresentable])]) {
        self.outputs = zip(names, outputs).map { name, output in
            Output(name: name, loss: output.0, weight: output.1, metricRequests: output.2)
        }
    }

    /// Throws when the numbers of targets and predictions do not match the outputs.
    func check(targets: [Tensor], predictions: [Tensor], model: String) throws {
        guard targets.count == outputs.count, predictions.count == outputs.count else {
            throw KerasError.invalidData(
                "Model '\(model)' has \(outputs.count) outputs (\(outputs.map(\.name).joined(separator: ", "))) but got \(targets.count) target arrays and \(predictions.count) predictions; pass one target array per output.")
        }
    }

    func recordLosses(total: Float, outputs values: [Float], batchSize: Float) {
        lossTracker.add(total, weight: batchSize)
        for (output, value) in zip(outputs, values) { output.lossTracker.add(value, weight: batchSize) }
    }

    func updateMetrics(targets: [Tensor], predictions: [Tensor], sampleWeight: Tensor?) throws {
        for index in outputs.indices {
            let (target, prediction) = (targets[index], predictions[index])
            if outputs[index].metrics == nil {
                let loss = outputs[index].loss ?? Losses.MeanSquaredError()
                outputs[index].metrics = try outputs[index].metricRequests.map {
                    try $0.makeMetric(loss: loss, yTrueShape: target.shape, yPredShape: prediction.shape)
                }
            }
            for metric in outputs[index].metrics! { metric.update(yTrue: target, yPred: prediction, sampleWeight: sampleWeight) }
        }
    }

    /// The values so far: `loss` and the metrics; with several outputs, each output's loss and
    /// metrics prefixed by its name.
    func logs() -> [String: Float] {
        var logs = ["loss": lossTracker.value]
        if outputs.count == 1 {
            for metric in outputs[0].metrics ?? [] { logs[metric.name] = metric.result() }
            return logs
        }
        for output in outputs {
            if output.loss != nil { logs["\(output.name)_loss"] = output.lossTracker.value }
            for metric in output.metrics ?? [] { logs["\(output.name)_\(metric.name)"] = metric.result() }
        }
        return logs
    }

    func reset() {
        lossTracker.reset()
        for output in outputs {
            output.lossTracker.reset()
            output.metrics?.forEach { $0.reset() }
        }
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
