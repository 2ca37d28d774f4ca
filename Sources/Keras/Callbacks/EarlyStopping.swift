/// Stops training when a monitored value stops improving (`keras.callbacks.EarlyStopping`).
public final class EarlyStopping: Callback {
    public let monitor: String
    public let minDelta: Float
    public let patience: Int
    public let mode: MonitorMode
    public let baseline: Float?
    public let restoreBestWeights: Bool
    public let startFromEpoch: Int
    /// The epoch (0-based) at which training stopped, or 0 when it ran to the end.
    public private(set) var stoppedEpoch = 0
    private var wait = 0
    private var best: Float = .infinity
    private var bestWeights: [Tensor]?
    private var bestEpoch = 0

    public init(monitor: String = "val_loss", minDelta: Float = 0, patience: Int = 0, mode: MonitorMode = .auto,
                baseline: Float? = nil, restoreBestWeights: Bool = false, startFromEpoch: Int = 0) {
        self.monitor = monitor
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
        bestWeights = nil
        bestEpoch = 0
        best = mode.worst(for: monitor)
    }

    public override func onEpochEnd(_ epoch: Int, logs: [String: Float]) throws {
        guard let current = logs[monitor], epoch >= startFromEpoch else { return }
        if restoreBestWeights && bestWeights == nil { bestWeights = model?.getWeights() }
        wait += 1
        if mode.isImprovement(current, over: best, minDelta: minDelta, monitor: monitor) {
            best = current
            bestEpoch = epoch
            if restoreBestWeights { bestWeights = model?.getWeights() }
            if baseline == nil || mode.isImprovement(current, over: baseline!, minDelta: minDelta, monitor: monitor) { wait = 0 }
            return
        }
        if wait >= patience && epoch > 0 {
            stoppedEpoch = epoch
            model?.stopTraining = true
            if restoreBestWeights, let bestWeights { try model?.setWeights(bestWeights) }
        }
    }
}

/// Whether a monitored value improves by going down (`min`), up (`max`), or as its name says (`auto`).
public enum MonitorMode: String, Sendable {
    case auto, min, max

    /// Whether larger is better for `monitor` in this mode (accuracy-like names in `auto`).
    func prefersLarger(_ monitor: String) -> Bool {
        switch self {
        case .min: return false
        case .max: return true
        case .auto:
            // As Keras: accuracy-like metrics go up, everything else (losses, errors) goes down.
            return ["acc", "auc", "precision", "recall", "f1"].contains { monitor.contains($0) }
        }
    }

    func worst(for monitor: String) -> Float { prefersLarger(monitor) ? -.infinity : .infinity }

    func isImprovement(_ value: Float, over reference: Float, minDelta: Float, monitor: String) -> Bool {
        prefersLarger(monitor) ? value - minDelta > reference : value + minDelta < reference
    }
}
