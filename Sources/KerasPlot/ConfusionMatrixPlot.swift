// A confusion matrix: true classes down, predicted classes across, counts in the cells.

import Foundation
import Keras

/// A confusion matrix drawn as shaded cells with their counts.
public struct ConfusionMatrixPlot: Figure {
    /// `counts[trueClass][predictedClass]`.
    public var counts: [[Int]]
    public var classNames: [String]
    public var title: String?
    public var colormap: Colormap = .blues
    public var cellSize: Double

    /// A plot of `counts` (square, one row per true class).
    public init(counts: [[Int]], classNames: [String]? = nil, title: String? = "Confusion matrix", cellSize: Double? = nil) {
        self.counts = counts
        self.classNames = classNames ?? counts.indices.map(String.init)
        self.title = title
        self.cellSize = cellSize ?? max(30, min(56, 420 / Double(max(counts.count, 1))))
    }

    /// Counts each (true, predicted) pair of class indices: `yTrue` and `yPred` are class
    /// indices (`[n]` or `[n, 1]`) or one score per class (`[n, classes]`, arg-maxed).
    public init(yTrue: Tensor, yPred: Tensor, classNames: [String]? = nil, title: String? = "Confusion matrix") throws {
        func classes(_ tensor: Tensor, _ name: String) throws -> [Int] {
            if tensor.rank == 2 && tensor.shape[1] > 1 { return tensor.argmax(axis: -1).scalars.map { Int($0) } }
            guard tensor.rank == 1 || (tensor.rank == 2 && tensor.shape[1] == 1) else {
                throw KerasError.shapeMismatch(context: "ConfusionMatrixPlot \(name)", expected: "[n], [n, 1] or [n, classes]",
                                               got: "\(tensor.shape)", fix: "Pass class indices or one score per class.")
            }
            return try tensor.scalars.map { value in
                guard value >= 0, value == value.rounded(), value < 1e6 else {
                    throw KerasError.invalidData("ConfusionMatrixPlot \(name): \(value) is not a class index (0, 1, 2, …).")
                }
                return Int(value)
            }
        }
        let truth = try classes(yTrue, "yTrue"), predicted = try classes(yPred, "yPred")
        guard truth.count == predicted.count else {
            throw KerasError.shapeMismatch(context: "ConfusionMatrixPlot", expected: "\(truth.count) predictions",
                                           got: "\(predicted.count)", fix: "Pass as many predictions as labels.")
        }
        let classCount = max(classNames?.count ?? 0, (truth.max() ?? 0) + 1, (predicted.max() ?? 0) + 1)
        var counts = [[Int]](repeating: [Int](repeating: 0, count: classCount), count: classCount)
        for (t, p) in zip(truth, predicted) { counts[t][p] += 1 }
        self.init(counts: counts, classNames: classNames.map { $0 + (classCount > $0.count ? (($0.count)..<classCount).map(String.init) : []) },
                  title: title)
    }

    private var labelWidth: Double { (classNames.map { Double($0.count) }.max() ?? 1) * 12 * 0.56 + 12 }
    private var left: Double { 30 + labelWidth }
    private var top: Double { title == nil ? 12 : 40 + Canvas.extraTitleHeight(title) }
    public var width: Double { left + Double(counts.count) * cellSize + 20 }
    /// Column labels wider than a cell are turned 45°, and need room below.
    private var rotatesLabels: Bool { labelWidth > cellSize }
    public var height: Double { top + Double(counts.count) * cellSize + (rotatesLabels ? labelWidth * 0.75 + 14 : 24) + 24 }

    public func draw(on canvas: inout Canvas) {
        let style = canvas.style
        let n = counts.count
        let largest = Double(max(counts.flatMap { $0 }.max() ?? 1, 1))
        if let title { canvas.title(title, width / 2, 26, size: style.titleSize) }
        let fontSize = min(style.fontSize, cellSize * 0.34)
        for (row, counts) in counts.enumerated() {
            for (column, count) in counts.enumerated() {
                let x = left + Double(column) * cellSize, y = top + Double(row) * cellSize
                let fill = colormap.color(Double(count) / largest)
                canvas.rect(x, y, cellSize, cellSize, fill: fill, stroke: .white, strokeWidth: 1)
                canvas.text(String(count), x + cellSize / 2, y + cellSize / 2 + fontSize * 0.35, size: fontSize, anchor: .middle,
                            color: fill.luminance < 0.55 ? .white : style.textColor, bold: row == column)
            }
        }
        let rotate = rotatesLabels
        for (i, name) in classNames.prefix(n).enumerated() {
            let centre = Double(i) * cellSize + cellSize / 2
            canvas.text(name, left - 6, top + centre + 4, anchor: .end, color: style.mutedTextColor)
            if rotate {
                canvas.text(name, left + centre + 4, top + Double(n) * cellSize + 10, anchor: .end, color: style.mutedTextColor, rotate: -45)
            } else {
                canvas.text(name, left + centre, top + Double(n) * cellSize + 16, anchor: .middle, color: style.mutedTextColor)
            }
        }
        canvas.text("Predicted", left + Double(n) * cellSize / 2, height - 8, anchor: .middle, color: style.textColor)
        canvas.text("True", 16, top + Double(n) * cellSize / 2, anchor: .middle, color: style.textColor, rotate: -90)
    }
}
