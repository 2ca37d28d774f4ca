/// Stops training when a monitored value stops improving (`keras.callbacks.EarlyStopping`).
///
/// As in Keras 3: the first monitored value is the first best; an epoch counts as an
/// improvement when it beats the best by more than `minDelta`; training stops once `patience`
/// epochs in a row bring none (never at epoch 0); with a `baseline`, the count only restarts
/// for values that also beat the baseline; and with `restoreBestWeights`, the weights of the
/// best epoch are put back when training ends, whether it stopped early or not.
public final class EarlyStopping: Callback {
    public let monitor: String
    public let minDelta: Float
    public let patience: Int
    public let mode: MonitorMode
    public let baseline: Float?
    public let restoreBestWeights: Bool
    public let startFromEpoch: Int
    /// 1 prints when training stops and when the best weights are restored, as Keras does.
    public let verbose: Int
    /// The epoch (0-based) at which training stopped, or 0 when it ran to the end.
    public private(set) var stoppedEpoch = 0
    /// The epoch (0-based) of the best monitored value so far.
    public private(set) var bestEpoch = 0
    /// The best monitored value so far, or `nil` before the first.
    public private(set) var best: Float?
    /// Epochs since the last improvement.
    public private(set) var wait = 0
    private var bestWeights: [Tensor]?

    public init(monitor: String = "val_loss", minDelta: Float = 0, patience: Int = 0, verbose: Int = 0,
                mode: MonitorMode = .auto, baseline: Float? = nil, restoreBestWeights: Bool = false, startFromEpoch: Int = 0) {
        self.monitor = monitor
        self.verbose = verbose
        self.minDelta = Swift.abs(minDelta)
        self.patience = patience
        self.mode = mode
        self.baseline = baseline
        self.restoreBestWeights = restoreBestWeights
        self.startFromEpoch = startFromEpoch
    }

    public override func onTrainBegin(logs: [String: Float]) throws {
        wait = 0
        stoppedEpoch = 0
        best = nil
        bestWeights = nil
        bestEpoch = 0
    }

    public override func onEpochEnd(_ epoch: Int, logs: [String: Float]) throws {
        let larger = try mode.prefersLarger(monitor, callback: "EarlyStopping")
        guard let current = logs[monitor], epoch >= startFromEpoch else { return }
        if restoreBestWeights && bestWeights == nil {
            bestWeights = model?.getWeights()
            bestEpoch = epoch
        }
        wait += 1
        if MonitorMode.isImprovement(current, over: best, minDelta: minDelta, larger: larger) {
            best = current
            bestEpoch = epoch
            if restoreBestWeights { bestWeights = model?.getWeights() }
            // The count restarts only for values that beat both the best and the baseline.
            if baseline == nil || MonitorMode.isImprovement(current, over: baseline, minDelta: minDelta, larger: larger) {
                wait = 0
            }
            return
        }
        if wait >= patience && epoch > 0 {
            stoppedEpoch = epoch
            model?.stopTraining = true
        }
    }

    public override func onTrainEnd(logs: [String: Float]) throws {
        if stoppedEpoch > 0 && verbose > 0 { print("Epoch \(stoppedEpoch + 1): early stopping") }
        if restoreBestWeights, let bestWeights {
            if verbose > 0 { print("Restoring model weights from the end of the best epoch: \(bestEpoch + 1).") }
            try model?.setWeights(bestWeights)
        }
    }
}

/// Whether a monitored value improves by going down (`min`), up (`max`), or as its name says (`auto`).
public enum MonitorMode: String, Sendable {
    case auto, min, max

    /// Whether larger is better for `monitor` in this mode. In `auto`, as Keras 3 decides it
    /// from the metric's direction: the loss and error-like metrics go down; accuracies, AUC,
    /// precision, recall, F-scores, cosine similarity, R² and IoU go up; any other name throws.
    public func prefersLarger(_ monitor: String, callback: String = "callback") throws -> Bool {
        switch self {
        case .min: return false
        case .max: return true
        case .auto:
            let metric = monitor.hasPrefix("val_") ? String(monitor.dropFirst(4)) : monitor
            let up = ["acc", "auc", "precision", "recall", "f1_score", "fbeta_score", "f_beta_score",
                      "cosine_similarity", "r2_score", "iou", "sensitivity", "specificity", "correlation"]
            let down = ["loss", "error", "crossentropy", "hinge", "divergence", "poisson", "logcosh",
                        "mse", "mae", "mape", "msle"]
            if up.contains(where: { metric.contains($0) }) { return true }
            if down.contains(where: { metric.contains($0) }) { return false }
            throw KerasError.invalidArgument(
                name: "\(callback) monitor", value: monitor,
                expected: "a loss or metric whose direction is known in mode .auto; pass mode: .max to monitor "
                    + "the highest value, or mode: .min for the lowest")
        }
    }

    /// Keras' `_is_improvement`: anything improves on no reference; otherwise the value must beat
    /// the reference by more than `minDelta` in the preferred direction.
    static func isImprovement(_ value: Float, over reference: Float?, minDelta: Float, larger: Bool) -> Bool {
        guard let reference else { return true }
        return larger ? value - minDelta > reference : value + minDelta < reference
    }
}
