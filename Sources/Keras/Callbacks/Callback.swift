/// Hooks into `fit`, `evaluate` and `predict`, as Keras' `keras.callbacks.Callback`.
///
/// Override the hooks you need. `logs` maps metric names (`loss`, `accuracy`, `val_loss`, …)
/// to their current values. `model` is set while the callback runs inside a model's loop.
open class Callback {
    /// The model whose loop runs this callback.
    public internal(set) weak var model: Model?
    /// The arguments of the running `fit`: `epochs`, `steps`, `verbose`.
    public internal(set) var params: [String: Int] = [:]

    public init() {}

    open func onTrainBegin(logs: [String: Float]) throws {}
    open func onTrainEnd(logs: [String: Float]) throws {}
    open func onEpochBegin(_ epoch: Int, logs: [String: Float]) throws {}
    open func onEpochEnd(_ epoch: Int, logs: [String: Float]) throws {}
    open func onTrainBatchBegin(_ batch: Int, logs: [String: Float]) throws {}
    open func onTrainBatchEnd(_ batch: Int, logs: [String: Float]) throws {}
    open func onTestBegin(logs: [String: Float]) throws {}
    open func onTestEnd(logs: [String: Float]) throws {}
    open func onTestBatchBegin(_ batch: Int, logs: [String: Float]) throws {}
    open func onTestBatchEnd(_ batch: Int, logs: [String: Float]) throws {}
    open func onPredictBegin(logs: [String: Float]) throws {}
    open func onPredictEnd(logs: [String: Float]) throws {}
    open func onPredictBatchBegin(_ batch: Int, logs: [String: Float]) throws {}
    open func onPredictBatchEnd(_ batch: Int, logs: [String: Float]) throws {}
}

/// Calls a list of callbacks in order.
struct CallbackList {
    var callbacks: [Callback]

    func callEach(_ body: (Callback) throws -> Void) throws {
        for callback in callbacks { try body(callback) }
    }
}
