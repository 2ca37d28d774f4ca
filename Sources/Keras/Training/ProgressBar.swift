import Foundation

/// Keras 3's progress bar (`utils/progbar.py`):
/// `469/469 ━━━━━━━━━━━━━━━━━━━━ 3s 5ms/step - accuracy: 0.9189 - loss: 0.2800`.
///
/// On a terminal it is redrawn in place with the time left; when output goes to a file or a
/// pipe, only the finished line of each epoch is printed. `verbose: 2` prints
/// `469/469 - 3s - 5ms/step - …` once per epoch. Without a target (a download of unknown
/// size) it shows `   8192/Unknown 0s 1us/step`.
final class ProgressBar {
    private let target: Int?
    private let verbose: Int
    private let width = 20
    private let interval: TimeInterval = 0.05
    private let dynamic: Bool
    private let start = Date()
    private var lastUpdate = Date.distantPast
    private var timeAfterFirstStep: Date?
    private var previousWidth = 0
    private let output: (String) -> Void

    init(target: Int?, verbose: Int, isTerminal: Bool = isatty(STDOUT_FILENO) != 0,
         output: @escaping (String) -> Void = { print($0, terminator: ""); fflush(nil) }) {
        self.target = target
        self.verbose = verbose
        self.dynamic = isTerminal
        self.output = output
    }

    /// Shows progress after `current` steps with the current value of each metric.
    func update(_ current: Int, values: [(String, Float)], finalize: Bool? = nil, now: Date = Date()) {
        guard let target else {
            updateWithoutTarget(current, values: values, finalize: finalize ?? false, now: now)
            return
        }
        let finalize = finalize ?? (current >= target)
        let timePerStep = estimateStepDuration(current, now)
        defer { lastUpdate = now }
        switch verbose {
        case 1:
            guard finalize || (dynamic && now.timeIntervalSince(lastUpdate) >= interval) else { return }
            let digits = String(max(target, 1)).count
            let count = String(repeating: " ", count: max(0, digits - String(current).count)) + "\(current)/\(target)"
            let filled = target > 0 ? Int(Double(width) * Double(current) / Double(target)) : 0
            let time = finalize ? "\(Int(now.timeIntervalSince(start).rounded()))s" : ProgressBar.eta(timePerStep * Double(target - current))
            let rest = ProgressBar.formatStepTime(timePerStep) + ProgressBar.formatValues(values)
            let plainWidth = count.count + 1 + width + 1 + time.count + rest.count
            var message: String
            if dynamic {
                message = "\r\u{1B}[1m\(count)\u{1B}[0m "
                if filled > 0 { message += "\u{1B}[32m" + String(repeating: "━", count: filled) + "\u{1B}[0m" }
                message += "\u{1B}[37m" + String(repeating: "━", count: width - filled) + "\u{1B}[0m"
                message += " \u{1B}[1m\(time)\u{1B}[0m" + rest
                message += String(repeating: " ", count: max(0, previousWidth - plainWidth))
            } else {
                message = "\(count) " + String(repeating: "━", count: width) + " \(time)" + rest
            }
            if finalize { message += "\n" }
            previousWidth = plainWidth
            output(message)
        case 2:
            guard finalize else { return }
            let digits = String(max(target, 1)).count
            let count = String(repeating: " ", count: max(0, digits - String(current).count)) + "\(current)/\(target)"
            output("\(count) - \(Int(now.timeIntervalSince(start).rounded()))s -\(ProgressBar.formatStepTime(timePerStep))"
                   + ProgressBar.formatValues(values) + "\n")
        default:
            return
        }
    }

    /// Keras' bar without a target: the count so far, the elapsed time and the time per step.
    private func updateWithoutTarget(_ current: Int, values: [(String, Float)], finalize: Bool, now: Date) {
        let timePerStep = estimateStepDuration(current, now)
        defer { lastUpdate = now }
        guard verbose == 1 || (verbose == 2 && finalize) else { return }
        guard finalize || (verbose == 1 && dynamic && now.timeIntervalSince(lastUpdate) >= interval) else { return }
        let count = String(current)
        let message = String(repeating: " ", count: max(0, 7 - count.count)) + count + "/Unknown "
            + "\(Int(now.timeIntervalSince(start).rounded()))s" + ProgressBar.formatStepTime(timePerStep)
            + ProgressBar.formatValues(values)
        let padding = String(repeating: " ", count: max(0, previousWidth - message.count))
        previousWidth = message.count
        output((dynamic ? "\r" : "") + message + padding + (finalize ? "\n" : ""))
    }

    /// The time per step, ignoring the first step (which includes one-off costs) once there are more.
    private func estimateStepDuration(_ current: Int, _ now: Date) -> TimeInterval {
        guard current > 0 else { return 0 }
        defer { if current == 1 { timeAfterFirstStep = now } }
        if let first = timeAfterFirstStep, current > 1 {
            return now.timeIntervalSince(first) / Double(current - 1)
        }
        return now.timeIntervalSince(start) / Double(current)
    }

    static func eta(_ seconds: TimeInterval) -> String {
        let s = Int(seconds)
        if seconds > 3600 { return String(format: "%d:%02d:%02d", s / 3600, (s % 3600) / 60, s % 60) }
        if seconds > 60 { return String(format: "%d:%02d", s / 60, s % 60) }
        return "\(s)s"
    }

    static func formatStepTime(_ seconds: TimeInterval) -> String {
        if seconds >= 1 || seconds == 0 { return " \(Int(seconds.rounded()))s/step" }
        if seconds >= 1e-3 { return " \(Int((seconds * 1000).rounded()))ms/step" }
        return " \(Int((seconds * 1_000_000).rounded()))us/step"
    }

    /// ` - name: 0.1234` for each value; scientific notation at or below 1e-3, as Keras prints.
    static func formatValues(_ values: [(String, Float)]) -> String {
        values.map { name, value in " - \(name): \(formatValue(value))" }.joined()
    }

    static func formatValue(_ value: Float) -> String {
        Swift.abs(value) > 1e-3 ? String(format: "%.4f", value) : String(format: "%.4e", value)
    }
}
