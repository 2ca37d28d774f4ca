/// The record of a `fit`: each metric's value at the end of each epoch.
///
/// `history.history["loss"]`, `history.history["val_accuracy"]`; `fit` returns it.
public final class History: Callback {
    /// Per-metric values, one per epoch.
    public private(set) var history: [String: [Float]] = [:]
    /// The epochs recorded (0-based), in order.
    public private(set) var epoch: [Int] = []

    /// The metric names, sorted as Keras sorts them (`accuracy, loss, val_accuracy, val_loss`).
    public var keys: [String] { history.keys.sorted() }

    /// The values of one metric, or an empty array.
    public subscript(metric: String) -> [Float] { history[metric] ?? [] }

    public override func onTrainBegin(logs: [String: Float]) throws {
        history = [:]
        epoch = []
    }

    public override func onEpochEnd(_ epoch: Int, logs: [String: Float]) throws {
        self.epoch.append(epoch)
        for (name, value) in logs { history[name, default: []].append(value) }
    }
}
