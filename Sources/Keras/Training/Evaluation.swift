/// The loss and metrics of `evaluate`, `trainOnBatch` or `testOnBatch`, by name.
///
/// ```swift
/// let result = try model.evaluate(x, y)
/// print(result.loss, result.accuracy)     // any metric name reads as a property
/// let (loss, accuracy) = (result.loss, result["accuracy"])
/// ```
@dynamicMemberLookup
public struct Evaluation: Sendable, CustomStringConvertible {
    /// Every value by name: `loss` and each compiled metric.
    public let values: [String: Float]

    /// The metric `name`, or NaN when the model computes no such metric.
    public subscript(name: String) -> Float { values[name] ?? .nan }

    /// The metric `name` as a property: `result.accuracy`.
    public subscript(dynamicMember name: String) -> Float { self[name] }

    /// The values in Keras' order: the loss, then the metrics by name.
    public var list: [Float] { keys.map { self[$0] } }

    /// The names in Keras' order: `loss` first, then the metrics sorted.
    public var keys: [String] { ["loss"] + values.keys.filter { $0 != "loss" }.sorted() }

    public var description: String {
        keys.map { "\($0): \(ProgressBar.formatValue(self[$0]))" }.joined(separator: " - ")
    }
}
