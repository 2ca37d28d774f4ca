/// Lowers the learning rate when a monitored value stops improving (`keras.callbacks.ReduceLROnPlateau`).
///
/// After `patience` epochs without an improvement larger than `minDelta`, the learning rate is
/// multiplied by `factor` (never below `minLearningRate`), then `cooldown` epochs pass before
/// epochs without improvement count again. The first monitored value is the first best.
public final class ReduceLROnPlateau: Callback {
    public let monitor: String
    public let factor: Float
    public let patience: Int
    public let mode: MonitorMode
    public let minDelta: Float
    public let cooldown: Int
    public let minLearningRate: Float
    public let verbose: Int
    private var wait = 0
    private var cooldownCounter = 0
    private var best: Float?

    public init(monitor: String = "val_loss", factor: Float = 0.1, patience: Int = 10, verbose: Int = 0,
                mode: MonitorMode = .auto, minDelta: Float = 1e-4, cooldown: Int = 0, minLearningRate: Float = 0) {
        self.monitor = monitor
        self.factor = factor
        self.patience = patience
        self.verbose = verbose
        self.mode = mode
        self.minDelta = Swift.abs(minDelta)
        self.cooldown = cooldown
        self.minLearningRate = minLearningRate
    }

    public override func onTrainBegin(logs: [String: Float]) throws {
        guard factor < 1 else {
            throw KerasError.invalidArgument(name: "ReduceLROnPlateau factor", value: "\(factor)", expected: "a value below 1")
        }
        wait = 0
        cooldownCounter = 0
        best = nil
    }

    public override func onEpochEnd(_ epoch: Int, logs: [String: Float]) throws {
        let larger = try mode.prefersLarger(monitor, callback: "ReduceLROnPlateau")
        guard let current = logs[monitor], let optimizer = model?.optimizer else { return }
        if cooldownCounter > 0 {
            cooldownCounter -= 1
            wait = 0
        }
        if MonitorMode.isImprovement(current, over: best, minDelta: minDelta, larger: larger) {
            best = current
            wait = 0
        } else if cooldownCounter <= 0 {
            wait += 1
            if wait >= patience {
                let old = optimizer.learningRate
                if old > minLearningRate {
                    try optimizer.setLearningRate(Swift.max(old * factor, minLearningRate))
                    if verbose > 0 { print("\nEpoch \(epoch + 1): ReduceLROnPlateau reducing learning rate to \(optimizer.learningRate).") }
                    cooldownCounter = cooldown
                    wait = 0
                }
            }
        }
    }
}
