/// A metric: a running statistic over the batches of an epoch, reset at each epoch's start.
///
/// ```swift
/// let accuracy = Metrics.BinaryAccuracy()
/// accuracy.update(yTrue: labels, yPred: probabilities, sampleWeight: nil)
/// print(accuracy.result())   // the accuracy over every batch added since the last reset
/// ```
public protocol Metric: AnyObject, MetricRepresentable {
    /// The name shown in the progress bar and used as the key in `History` (`"accuracy"`).
    var name: String { get }
    /// Adds a batch of labels and predictions.
    func update(yTrue: Tensor, yPred: Tensor, sampleWeight: Tensor?)
    /// The value over everything added since the last reset.
    func result() -> Float
    /// Forgets everything added.
    func reset()
    /// Every value of the result, for metrics whose Keras result is a vector (such as
    /// `F1Score` with one score per class, or `Precision` with several thresholds).
    /// Defaults to `[result()]`.
    func resultValues() -> [Float]
}

extension Metric {
    public func resultValues() -> [Float] { [result()] }

    /// Adds a batch without sample weights.
    public func update(yTrue: Tensor, yPred: Tensor) {
        update(yTrue: yTrue, yPred: yPred, sampleWeight: nil)
    }

    /// Adds a batch and returns the result so far (Keras' `metric(y_true, y_pred)`).
    @discardableResult
    public func callAsFunction(_ yTrue: Tensor, _ yPred: Tensor, sampleWeight: Tensor? = nil) -> Float {
        update(yTrue: yTrue, yPred: yPred, sampleWeight: sampleWeight)
        return result()
    }
}

/// Keras' metrics (`keras.metrics`): `Metrics.BinaryAccuracy()`, `Metrics.named("auc", …)`, …
public enum Metrics {}
