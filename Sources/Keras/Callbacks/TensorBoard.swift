import Foundation

/// Writes TensorBoard event files during `fit`, laid out as Keras' `TensorBoard` callback does:
/// `logDir/train` holds `epoch_loss`, `epoch_accuracy`, … (and `batch_…` every `updateFreq`
/// batches), the model's summary and config as text, weight histograms every `histogramFreq`
/// epochs; `logDir/validation` the validation metrics under the same `epoch_…` tags. View them
/// with `pip install tensorboard; tensorboard --logdir <logDir>`.
///
/// ```swift
/// try model.fit(x, y, epochs: 10, validationSplit: 0.2, callbacks: [TensorBoard(logDir: "logs/run1")])
/// ```
public final class TensorBoard: Callback {
    /// How often scalars are written.
    public enum UpdateFrequency: Sendable, Equatable {
        /// Once per epoch.
        case epoch
        /// Every `n` training batches (`batch_loss`, …, stepped by the global batch count), and once per epoch.
        case batches(Int)
    }

    public let logDir: URL
    public let updateFreq: UpdateFrequency
    /// Every how many epochs to write each weight's histogram; 0 writes none.
    public let histogramFreq: Int
    private var train: EventFileWriter?
    private var validation: EventFileWriter?
    private var globalBatch = 0

    /// - Parameters:
    ///   - logDir: the run's folder; `train/` and `validation/` are created in it.
    ///   - updateFreq: `.epoch`, or `.batches(n)` to also log every `n` batches.
    ///   - histogramFreq: write weight histograms every this many epochs (0: never).
    public init(logDir: String = "logs", updateFreq: UpdateFrequency = .epoch, histogramFreq: Int = 0) {
        self.logDir = URL(fileURLWithPath: logDir, isDirectory: true)
        self.updateFreq = updateFreq
        self.histogramFreq = histogramFreq
    }

    /// The event files written so far: the training one, then the validation one once it exists.
    public var eventFiles: [URL] { [train?.url, validation?.url].compactMap { $0 } }

    public override func onTrainBegin(logs: [String: Float]) throws {
        if case let .batches(n) = updateFreq, n <= 0 {
            throw KerasError.invalidArgument(name: "updateFreq", value: ".batches(\(n))", expected: "a positive number of batches")
        }
        guard histogramFreq >= 0 else {
            throw KerasError.invalidArgument(name: "histogramFreq", value: "\(histogramFreq)", expected: "0 or a positive number of epochs")
        }
        train = try EventFileWriter(folder: logDir.appendingPathComponent("train"))
        validation = nil
        globalBatch = 0
        if let model {
            // The model's structure as text (Keras logs its graph; the summary table says the same to a reader).
            let table = model.summaryText().split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }
            train?.text("model_summary", table.joined(separator: "\n"), step: 0)
            // The config Keras saves (`model.to_json()`); models with parts that have no config go without.
            if let json = try? model.toJSON() { train?.text("model_config", "```json\n\(json)\n```", step: 0) }
        }
        try train?.flush()
    }

    public override func onTrainBatchEnd(_ batch: Int, logs: [String: Float]) throws {
        globalBatch += 1
        guard case let .batches(n) = updateFreq, globalBatch % n == 0, let train else { return }
        for name in logs.keys.sorted() { train.scalar("batch_" + name, logs[name]!, step: globalBatch) }
    }

    public override func onEpochEnd(_ epoch: Int, logs: [String: Float]) throws {
        guard let train else { return }
        for name in logs.keys.sorted() where !name.hasPrefix("val_") { train.scalar("epoch_" + name, logs[name]!, step: epoch) }
        if let optimizer = model?.optimizer { train.scalar("epoch_learning_rate", optimizer.learningRate, step: epoch) }
        let validationNames = logs.keys.sorted().filter { $0.hasPrefix("val_") }
        if !validationNames.isEmpty {
            if validation == nil { validation = try EventFileWriter(folder: logDir.appendingPathComponent("validation")) }
            for name in validationNames { validation!.scalar("epoch_" + name.dropFirst(4), logs[name]!, step: epoch) }
            try validation!.flush()
        }
        if histogramFreq > 0, epoch % histogramFreq == 0, let model {
            for layer in model.layers {
                for weight in layer.weights { train.histogram(weight.name + "/histogram", weight.value.scalars, step: epoch) }
            }
        }
        try train.flush()
    }

    public override func onTrainEnd(logs: [String: Float]) throws {
        try train?.flush()
        try validation?.flush()
    }
}
