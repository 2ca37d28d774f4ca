import Foundation

/// Sets the learning rate at the start of each epoch from `schedule(epoch, currentRate)`.
public final class LearningRateScheduler: Callback {
    private let schedule: (Int, Float) -> Float
    public let verbose: Int

    public init(verbose: Int = 0, _ schedule: @escaping (_ epoch: Int, _ learningRate: Float) -> Float) {
        self.schedule = schedule
        self.verbose = verbose
    }

    public override func onEpochBegin(_ epoch: Int, logs: [String: Float]) throws {
        guard let optimizer = model?.optimizer else { return }
        let rate = schedule(epoch, optimizer.learningRate)
        guard rate.isFinite else {
            throw KerasError.invalidArgument(name: "LearningRateScheduler schedule(\(epoch))", value: "\(rate)", expected: "a finite learning rate")
        }
        try optimizer.setLearningRate(rate)
        if verbose > 0 { print("\nEpoch \(epoch + 1): LearningRateScheduler setting learning rate to \(rate).") }
    }
}

/// Stops training as soon as the loss becomes NaN or infinite: after the current epoch's
/// end-of-epoch hooks, or at once with a thrown error when `raiseError` is set (as Keras 3's
/// `TerminateOnNaN(raise_error=True)`).
public final class TerminateOnNaN: Callback {
    public let raiseError: Bool

    public init(raiseError: Bool = false) {
        self.raiseError = raiseError
    }

    public override func onTrainBatchEnd(_ batch: Int, logs: [String: Float]) throws {
        if let loss = logs["loss"], !loss.isFinite {
            if raiseError {
                throw KerasError.invalidData("NaN or Inf loss encountered at batch \(batch). Loss value: \(loss). Terminating training immediately.")
            }
            print("Batch \(batch): Invalid loss, terminating training")
            model?.stopTraining = true
        }
    }
}

/// Runs closures at chosen points of training (`keras.callbacks.LambdaCallback`).
public final class LambdaCallback: Callback {
    private let epochBegin: ((Int, [String: Float]) -> Void)?
    private let epochEnd: ((Int, [String: Float]) -> Void)?
    private let batchBegin: ((Int, [String: Float]) -> Void)?
    private let batchEnd: ((Int, [String: Float]) -> Void)?
    private let trainBegin: (([String: Float]) -> Void)?
    private let trainEnd: (([String: Float]) -> Void)?

    public init(onEpochBegin: ((Int, [String: Float]) -> Void)? = nil, onEpochEnd: ((Int, [String: Float]) -> Void)? = nil,
                onBatchBegin: ((Int, [String: Float]) -> Void)? = nil, onBatchEnd: ((Int, [String: Float]) -> Void)? = nil,
                onTrainBegin: (([String: Float]) -> Void)? = nil, onTrainEnd: (([String: Float]) -> Void)? = nil) {
        epochBegin = onEpochBegin
        epochEnd = onEpochEnd
        batchBegin = onBatchBegin
        batchEnd = onBatchEnd
        trainBegin = onTrainBegin
        trainEnd = onTrainEnd
    }

    public override func onEpochBegin(_ epoch: Int, logs: [String: Float]) throws { epochBegin?(epoch, logs) }
    public override func onEpochEnd(_ epoch: Int, logs: [String: Float]) throws { epochEnd?(epoch, logs) }
    public override func onTrainBatchBegin(_ batch: Int, logs: [String: Float]) throws { batchBegin?(batch, logs) }
    public override func onTrainBatchEnd(_ batch: Int, logs: [String: Float]) throws { batchEnd?(batch, logs) }
    public override func onTrainBegin(logs: [String: Float]) throws { trainBegin?(logs) }
    public override func onTrainEnd(logs: [String: Float]) throws { trainEnd?(logs) }
}

/// Writes one CSV row per epoch: `epoch` then each metric, sorted (`keras.callbacks.CSVLogger`).
///
/// The columns are Keras 3's: `epoch`, the first epoch's metrics sorted, and, when that epoch has
/// no validation metrics, a `val_` column for each (written `NA` until there are values). Lines
/// end with `\n` (Python's csv module writes `\r\n`). With `append`, rows go after an existing
/// file's, in its header's columns, and the header is written only when the file is empty.
public final class CSVLogger: Callback {
    public let path: String
    public let separator: String
    public let append: Bool
    private var keys: [String]?
    private var text = ""

    public init(_ path: String, separator: String = ",", append: Bool = false) {
        self.path = path
        self.separator = separator
        self.append = append
    }

    public override func onTrainBegin(logs: [String: Float]) throws {
        keys = nil
        text = append ? ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "") : ""
        if append && !text.isEmpty {
            // Lines split on unicode scalars: "\r\n" (one Character in Swift) ends a line too.
            let lines = text.unicodeScalars.split(separator: "\n").map { String(String.UnicodeScalarView($0)) }
            if let header = lines.first?.trimmingCharacters(in: .whitespacesAndNewlines), !header.isEmpty {
                keys = Array(header.components(separatedBy: separator).dropFirst())
            }
            if text.unicodeScalars.last != "\n" { text += "\n" }
        }
        // As Keras opens the file for writing here: a new run starts with an empty file.
        if !append { try text.write(toFile: path, atomically: true, encoding: .utf8) }
    }

    public override func onEpochEnd(_ epoch: Int, logs: [String: Float]) throws {
        if keys == nil {
            var sorted = logs.keys.sorted()
            if !sorted.isEmpty && !sorted.contains(where: { $0.hasPrefix("val_") }) { sorted += sorted.map { "val_" + $0 } }
            keys = sorted
            text += (["epoch"] + sorted).joined(separator: separator) + "\n"
        }
        text += (["\(epoch)"] + keys!.map { logs[$0].map { "\($0)" } ?? "NA" }).joined(separator: separator) + "\n"
        // Rewritten whole and atomically, so the file is never half written.
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }
}
