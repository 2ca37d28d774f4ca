// What `compile` accepts: objects, or the Keras string names users know.

/// An optimizer or its Keras name (`"adam"`).
public protocol OptimizerRepresentable {
    func makeOptimizer() throws -> Optimizer
}

/// A loss or its Keras name (`"categorical_crossentropy"`).
public protocol LossRepresentable {
    func makeLoss() throws -> any Loss
}

/// A metric or its Keras name (`"accuracy"`). Names are resolved once the shapes of labels and
/// predictions are known, as Keras resolves `"accuracy"`.
public protocol MetricRepresentable {
    func makeMetric(loss: any Loss, yTrueShape: [Int], yPredShape: [Int]) throws -> any Metric
}

extension String: OptimizerRepresentable, LossRepresentable, MetricRepresentable {
    public func makeOptimizer() throws -> Optimizer { try Optimizers.named(self) }
    public func makeLoss() throws -> any Loss { try Losses.named(self) }
    public func makeMetric(loss: any Loss, yTrueShape: [Int], yPredShape: [Int]) throws -> any Metric {
        try Metrics.named(self, loss: loss, yTrueShape: yTrueShape, yPredShape: yPredShape)
    }
}

extension Optimizer: OptimizerRepresentable {
    public func makeOptimizer() throws -> Optimizer { self }
}

extension Loss {
    public func makeLoss() throws -> any Loss { self }
}

extension Metric {
    public func makeMetric(loss: any Loss, yTrueShape: [Int], yPredShape: [Int]) throws -> any Metric { self }
}
