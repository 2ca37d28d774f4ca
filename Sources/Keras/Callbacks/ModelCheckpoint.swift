import Foundation

/// Saves the model (or its weights) during training (`keras.callbacks.ModelCheckpoint`).
///
/// ```swift
/// ModelCheckpoint("model.keras", monitor: "val_loss", saveBestOnly: true)
/// ModelCheckpoint("weights.{epoch:02d}-{val_loss:.2f}.weights.h5", saveWeightsOnly: true)
/// ```
/// The path may hold Python format fields: `{epoch}` (counted from 1), `{batch}`, and any log
/// value (`{val_loss:.2f}`, `{accuracy:.4f}`). Each file is written atomically, so a crash
/// while saving never destroys the previous checkpoint.
public final class ModelCheckpoint: Callback {
    /// When to save: after every epoch, or every `n` training batches.
    public enum Frequency: Sendable, Equatable {
        case epoch
        case batches(Int)
    }

    public let filepath: String
    public let monitor: String
    public let verbose: Int
    public let saveBestOnly: Bool
    public let saveWeightsOnly: Bool
    public let mode: MonitorMode
    public let saveFrequency: Frequency
    /// The best monitored value so far (`initialValueThreshold` before the first save).
    public private(set) var best: Float?
    private var batchesSinceSave = 0
    private var currentEpoch = 0

    public init(_ filepath: String, monitor: String = "val_loss", verbose: Int = 0, saveBestOnly: Bool = false,
                saveWeightsOnly: Bool = false, mode: MonitorMode = .auto, saveFrequency: Frequency = .epoch,
                initialValueThreshold: Float? = nil) throws {
        if saveWeightsOnly, !filepath.hasSuffix(".weights.h5") {
            throw KerasError.invalidArgument(name: "ModelCheckpoint filepath", value: filepath,
                                             expected: "a path ending in .weights.h5 when saveWeightsOnly is true")
        }
        if !saveWeightsOnly, !(filepath.hasSuffix(".keras") || filepath.hasSuffix(".h5")) {
            throw KerasError.invalidArgument(name: "ModelCheckpoint filepath", value: filepath,
                                             expected: "a path ending in .keras (or .h5 for the legacy format)")
        }
        if case .batches(let count) = saveFrequency, count <= 0 {
            throw KerasError.invalidArgument(name: "ModelCheckpoint saveFrequency", value: "\(count) batches", expected: "a positive count")
        }
        _ = try PythonFormat.fields(in: filepath)
        if saveBestOnly { _ = try mode.prefersLarger(monitor, callback: "ModelCheckpoint") }
        self.filepath = filepath
        self.monitor = monitor
        self.verbose = verbose
        self.saveBestOnly = saveBestOnly
        self.saveWeightsOnly = saveWeightsOnly
        self.mode = mode
        self.saveFrequency = saveFrequency
        self.best = initialValueThreshold
    }

    public override func onEpochBegin(_ epoch: Int, logs: [String: Float]) throws {
        currentEpoch = epoch
    }

    public override func onTrainBatchEnd(_ batch: Int, logs: [String: Float]) throws {
        guard case .batches(let count) = saveFrequency else { return }
        batchesSinceSave += 1
        if batchesSinceSave >= count {
            batchesSinceSave = 0
            try save(epoch: currentEpoch, batch: batch, logs: logs)
        }
    }

    public override func onEpochEnd(_ epoch: Int, logs: [String: Float]) throws {
        if saveFrequency == .epoch { try save(epoch: epoch, batch: nil, logs: logs) }
    }

    /// The path for `epoch` (0-based) with the format fields filled from `logs`.
    public func path(epoch: Int, batch: Int? = nil, logs: [String: Float]) throws -> String {
        var values = logs.mapValues { Double($0) }
        values["epoch"] = Double(epoch + 1)
        if let batch { values["batch"] = Double(batch + 1) }
        return try PythonFormat.format(filepath, values: values)
    }

    private func save(epoch: Int, batch: Int?, logs: [String: Float]) throws {
        guard let model else { return }
        let path = try path(epoch: epoch, batch: batch, logs: logs)
        if saveBestOnly {
            guard let current = logs[monitor] else {
                print("WARNING: Can save best model only with \(monitor) available, skipping.")
                return
            }
            let larger = try mode.prefersLarger(monitor, callback: "ModelCheckpoint")
            guard MonitorMode.isImprovement(current, over: best, minDelta: 0, larger: larger) else {
                if verbose > 0 {
                    print("\nEpoch \(epoch + 1): \(monitor) did not improve from \(Self.fixed5(best))")
                }
                return
            }
            if verbose > 0 {
                print("\nEpoch \(epoch + 1): \(monitor) improved from \(Self.fixed5(best, larger: larger)) to \(Self.fixed5(current)), saving model to \(path)")
            }
            best = current
        } else if verbose > 0 {
            print("\nEpoch \(epoch + 1): saving model to \(path)")
        }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        if saveWeightsOnly { try model.saveWeights(path) } else { try model.save(path) }
    }

    private static func fixed5(_ value: Float?, larger: Bool = false) -> String {
        guard let value else { return larger ? "-inf" : "inf" }
        return String(format: "%.5f", Double(value))
    }
}

/// Python's `str.format` for the fields checkpoint paths use: `{name}` and `{name:spec}` with
/// a spec of `[0][width][.precision][d|f|e|g|%]`, and `{{` / `}}` for braces.
enum PythonFormat {
    struct Field {
        var name: String
        var spec: String
    }

    /// The fields of `template`; throws for unbalanced braces and unsupported specs.
    static func fields(in template: String) throws -> [Field] {
        try parse(template).compactMap { if case .field(let field) = $0 { field } else { nil } }
    }

    static func format(_ template: String, values: [String: Double]) throws -> String {
        try parse(template).map { part -> String in
            switch part {
            case .text(let text): return text
            case .field(let field):
                guard let value = values[field.name] else {
                    throw KerasError.invalidArgument(
                        name: "ModelCheckpoint filepath field", value: "{\(field.name)}",
                        expected: "one of epoch, batch, " + values.keys.filter { $0 != "epoch" && $0 != "batch" }.sorted().joined(separator: ", "))
                }
                return try render(value, field: field)
            }
        }.joined()
    }

    private enum Part {
        case text(String)
        case field(Field)
    }

    private static func parse(_ template: String) throws -> [Part] {
        var parts: [Part] = []
        var text = ""
        var characters = template.makeIterator()
        func invalid(_ problem: String) -> KerasError {
            .invalidArgument(name: "filepath", value: template, expected: "a valid Python format string (\(problem))")
        }
        while let character = characters.next() {
            if character == "}" {
                guard characters.next() == "}" else { throw invalid("single '}'") }
                text.append("}")
            } else if character == "{" {
                var body = ""
                var closed = false
                while let next = characters.next() {
                    if next == "{" && body.isEmpty { break }
                    if next == "}" { closed = true; break }
                    body.append(next)
                }
                if !closed && body.isEmpty {
                    text.append("{")
                    continue
                }
                guard closed else { throw invalid("unclosed '{'") }
                parts.append(.text(text))
                text = ""
                let pieces = body.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
                let field = Field(name: String(pieces[0]), spec: pieces.count > 1 ? String(pieces[1]) : "")
                guard !field.name.isEmpty, field.spec.range(of: #"^0?[0-9]*(\.[0-9]+)?[dfeg%]?$"#, options: .regularExpression) != nil else {
                    throw invalid("unsupported field '{\(body)}'")
                }
                // A width or precision beyond a file name's 255 bytes can only be a mistake.
                let numbers = field.spec.split(whereSeparator: { !$0.isNumber }).map { Int($0) ?? .max }
                guard numbers.allSatisfy({ $0 <= maximumWidth }) else {
                    throw invalid("width or precision in '{\(body)}' larger than \(maximumWidth)")
                }
                parts.append(.field(field))
            } else {
                text.append(character)
            }
        }
        parts.append(.text(text))
        return parts
    }

    /// The largest width or precision a field may ask for.
    static let maximumWidth = 255

    private static func render(_ value: Double, field: Field) throws -> String {
        let spec = field.spec
        guard let type = spec.last, "dfeg%".contains(type) else {
            // No type: Python prints integers as integers and floats in their shortest form.
            if spec.isEmpty { return value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value) }
            return String(format: "%\(spec)g", value)
        }
        let flags = String(spec.dropLast())
        switch type {
        case "d":
            guard let integer = Int64(exactly: value.rounded()) else {
                throw KerasError.invalidArgument(name: "ModelCheckpoint filepath field", value: "{\(field.name):\(spec)} = \(value)",
                                                 expected: "a finite value within Int64's range for an integer format ('d'); use '.2f' for such values")
            }
            return String(format: "%\(flags)lld", integer)
        case "%": return String(format: "%\(flags.isEmpty ? ".6" : flags)f", value * 100) + "%"
        default: return String(format: "%\(flags.isEmpty && type == "f" ? ".6" : flags)\(type)", value)
        }
    }
}
