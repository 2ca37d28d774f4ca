import Foundation
import Keras

/// A callback that keeps a self-contained HTML page about the running `fit` up to date: a
/// progress bar, the current metrics and the training curves (inline SVG, no network). The page
/// reloads itself every `refreshSeconds` while training runs; each update replaces the file atomically.
///
/// ```swift
/// try model.fit(x, y, epochs: 20, validationSplit: 0.2, callbacks: [HTMLReport(path: "training.html")])
/// ```
public final class HTMLReport: Callback {
    public let url: URL
    public let title: String
    public let refreshSeconds: Int
    /// The least time between updates during an epoch; epoch ends always update.
    public let minimumInterval: TimeInterval

    private var values: [String: [Float]] = [:]
    private var epochs: [Int] = []
    private var currentLogs: [String: Float] = [:]
    private var epoch = 0
    private var batch = 0
    private var started = Date()
    private var lastWrite = Date.distantPast
    private var finished = false

    public init(path: String, title: String = "Training", refreshSeconds: Int = 2, minimumInterval: TimeInterval = 1) {
        self.url = URL(fileURLWithPath: path)
        self.title = title
        self.refreshSeconds = max(refreshSeconds, 1)
        self.minimumInterval = minimumInterval
    }

    public override func onTrainBegin(logs: [String: Float]) throws {
        (values, epochs, currentLogs, epoch, batch, finished) = ([:], [], [:], 0, 0, false)
        started = Date()
        try write()
    }

    public override func onEpochBegin(_ epoch: Int, logs: [String: Float]) throws {
        self.epoch = epoch
        batch = 0
    }

    public override func onTrainBatchEnd(_ batch: Int, logs: [String: Float]) throws {
        self.batch = batch + 1
        currentLogs = logs
        if Date().timeIntervalSince(lastWrite) >= minimumInterval { try write() }
    }

    public override func onEpochEnd(_ epoch: Int, logs: [String: Float]) throws {
        epochs.append(epoch + 1)
        for (name, value) in logs { values[name, default: []].append(value) }
        currentLogs = logs
        batch = params["steps"] ?? batch
        try write()
    }

    public override func onTrainEnd(logs: [String: Float]) throws {
        finished = true
        try write()
    }

    /// The page as it stands.
    public func html() -> String {
        let totalEpochs = max(params["epochs"] ?? 1, 1), steps = max(params["steps"] ?? 1, 1)
        let done = finished ? 1 : min((Double(epoch) + Double(batch) / Double(steps)) / Double(totalEpochs), 1)
        let elapsed = Date().timeIntervalSince(started)
        var status = finished ? "Finished: \(epochs.count) epochs" : "Epoch \(epoch + 1)/\(totalEpochs), batch \(batch)/\(steps)"
        status += String(format: " · %.1f s", elapsed)
        if !finished && done > 0.01 { status += String(format: " · about %.0f s left", elapsed / done - elapsed) }
        var body = "<h1>\(HTMLPage.escape(title))</h1>\n<p class=\"muted\">\(HTMLPage.escape(status))</p>\n"
        body += "<div class=\"bar\"><div style=\"width:\(String(format: "%.1f", done * 100))%\"></div></div>\n"
        if !currentLogs.isEmpty {
            let names = currentLogs.keys.sorted()
            body += "<table><tr>" + names.map { "<th>\(HTMLPage.escape($0))</th>" }.joined() + "</tr><tr>"
            body += names.map { "<td>\(String(format: "%.4f", currentLogs[$0]!))</td>" }.joined() + "</tr></table>\n"
        }
        if !epochs.isEmpty { body += Plot.history(values, epochs: epochs).svg() }
        let head = finished ? "" : "<meta http-equiv=\"refresh\" content=\"\(refreshSeconds)\">"
        return HTMLPage.document(title: title, body: body, head: head)
    }

    private func write() throws {
        let bytes = Array(html().utf8)
        try FileIO.writeAtomically(url) { try $0.write(bytes) }
        lastWrite = Date()
    }
}
