// One-call pictures of Keras objects: training curves, a model's predictions over its inputs,
// images with labels, class probabilities, confusion matrices.

import Foundation
import Keras

/// Builders of the usual figures from Keras objects:
///
/// ```swift
/// try Plot.history(history).write(to: URL(fileURLWithPath: "curves.svg"))
/// try Plot.predictionCurve(model, x: x, y: y).write(to: URL(fileURLWithPath: "beans.svg"))
/// ```
public enum Plot {
    /// Colours of class 0 and class 1 points (blue and red, the ends of the diverging colour map).
    static let classColors = [Color(hex: 0x2F6DB5), Color(hex: 0xD1495B)]

    // MARK: Lines and points

    /// A line chart of one or more named series sharing x values.
    public static func lines(x: [Double], _ ys: [(label: String, values: [Double])], title: String? = nil,
                             xLabel: String? = nil, yLabel: String? = nil) -> Chart {
        Chart(title: title, xLabel: xLabel, yLabel: yLabel,
              series: ys.map { Series.line(x: Array(x.prefix($0.values.count)), y: $0.values, label: $0.label) })
    }

    /// A scatter chart of points.
    public static func scatter(x: [Double], y: [Double], label: String? = nil, title: String? = nil,
                               xLabel: String? = nil, yLabel: String? = nil) -> Chart {
        Chart(title: title, xLabel: xLabel, yLabel: yLabel, series: [.scatter(x: x, y: y, label: label)])
    }

    // MARK: Training

    /// The curves of a `fit`: one chart per metric (loss first), training solid and validation
    /// (`val_…`) dashed, against the epoch (counted from 1 as Keras prints it).
    public static func history(_ history: History, title: String? = nil, chartWidth: Double = 420, chartHeight: Double = 300) -> Grid {
        Plot.history(history.history, epochs: history.epoch.map { $0 + 1 }, title: title, chartWidth: chartWidth, chartHeight: chartHeight)
    }

    /// The curves of per-epoch metric values (`["loss": […], "val_loss": […], …]`).
    public static func history(_ values: [String: [Float]], epochs: [Int]? = nil, title: String? = nil,
                               chartWidth: Double = 420, chartHeight: Double = 300) -> Grid {
        let names = values.keys.filter { !$0.hasPrefix("val_") || values[String($0.dropFirst(4))] == nil }
            .map { $0.hasPrefix("val_") ? String($0.dropFirst(4)) : $0 }
        let ordered = Set(names).sorted { ($0 == "loss" ? 0 : 1, $0) < ($1 == "loss" ? 0 : 1, $1) }
        let charts: [any Figure] = ordered.map { name in
            var series: [Series] = []
            for (key, label, dashed, colour) in [(name, "training", false, 0), ("val_" + name, "validation", true, 1)] {
                guard let curve = values[key], !curve.isEmpty else { continue }
                let x = (epochs ?? Array(1...curve.count)).prefix(curve.count).map(Double.init)
                var line = Series(x: x, y: curve.map(Double.init), mark: curve.count <= 40 ? .lineAndDots : .line,
                                  label: label, color: PlotStyle.standard.color(colour))
                line.dashed = dashed
                line.dotSize = 5
                series.append(line)
            }
            var chart = Chart(title: displayName(name), xLabel: "Epoch", yLabel: nil, series: series,
                              width: chartWidth, height: chartHeight)
            chart.integerX = true
            return chart
        }
        return Grid(charts, columns: min(charts.count, 2), title: title)
    }

    /// `val_accuracy` → `Accuracy`, `mean_absolute_error` → `Mean absolute error`.
    static func displayName(_ metric: String) -> String {
        let words = metric.replacingOccurrences(of: "_", with: " ")
        return words.prefix(1).uppercased() + words.dropFirst()
    }

    // MARK: Predictions

    /// The data of a 1-feature model as dots and its prediction as a curve over the inputs' range
    /// (seed 000's `show_scatter_curve`).
    public static func predictionCurve(_ predict: (Tensor) throws -> Tensor, x: Tensor, y: Tensor, title: String? = nil,
                                       xLabel: String? = "x", yLabel: String? = "y", samples: Int = 200) throws -> Chart {
        let xs = try column(x, 0, of: 1, "x"), ys = try column(y, 0, of: 1, "y")
        guard xs.count == ys.count else {
            throw KerasError.shapeMismatch(context: "Plot.predictionCurve", expected: "\(xs.count) targets", got: "\(ys.count)",
                                           fix: "Pass one target per sample.")
        }
        let low = xs.min() ?? 0, high = xs.max() ?? 1
        let grid = Tensor.linspace(Float(low), Float(high), count: samples).reshaped(to: [samples, 1])
        let curve = try column(predict(grid), 0, of: 1, "prediction")
        return Chart(title: title, xLabel: xLabel, yLabel: yLabel, series: [
            .scatter(x: xs, y: ys, label: "data", color: PlotStyle.standard.color(0)),
            .line(x: grid.scalars.map(Double.init), y: curve, label: "prediction", color: PlotStyle.standard.color(1)),
        ])
    }

    /// The data as dots and precomputed predictions at the same inputs as a curve through them,
    /// in the order of x (seed 000's `show_scatter_curve(X, Y, pres)`).
    public static func predictionCurve(x: Tensor, y: Tensor, predictions: Tensor, title: String? = nil,
                                       xLabel: String? = "x", yLabel: String? = "y") throws -> Chart {
        let xs = try column(x, 0, of: 1, "x"), ys = try column(y, 0, of: 1, "y"), ps = try column(predictions, 0, of: 1, "predictions")
        guard xs.count == ys.count, xs.count == ps.count else {
            throw KerasError.shapeMismatch(context: "Plot.predictionCurve", expected: "\(xs.count) targets and predictions",
                                           got: "\(ys.count) targets, \(ps.count) predictions", fix: "Pass one target and one prediction per sample.")
        }
        let order = xs.indices.sorted { xs[$0] < xs[$1] }
        return Chart(title: title, xLabel: xLabel, yLabel: yLabel, series: [
            .scatter(x: xs, y: ys, label: "data", color: PlotStyle.standard.color(0)),
            .line(x: order.map { xs[$0] }, y: order.map { ps[$0] }, label: "prediction", color: PlotStyle.standard.color(1)),
        ])
    }

    /// `predictionCurve` with a model's `predict`.
    public static func predictionCurve(_ model: Model, x: Tensor, y: Tensor, title: String? = nil,
                                       xLabel: String? = "x", yLabel: String? = "y") throws -> Chart {
        try predictionCurve({ try model.predict($0, batchSize: 256) }, x: x, y: y, title: title, xLabel: xLabel, yLabel: yLabel)
    }

    /// A 2-feature model's prediction as a surface in 3-D over the inputs' ranges, with the
    /// data points at their targets (seed 000's `show_scatter_surface`), coloured by class.
    public static func predictionSurface(_ predict: (Tensor) throws -> Tensor, x: Tensor, y: Tensor, title: String? = nil,
                                         xLabels: (String, String) = ("x₁", "x₂"), zLabel: String = "prediction",
                                         resolution: Int = 32) throws -> SurfacePlot {
        let (grid, xRange, yRange) = try predictionGrid(predict, x: x, resolution: resolution)
        let x1 = try column(x, 0, of: 2, "x"), x2 = try column(x, 1, of: 2, "x"), targets = try column(y, 0, of: 1, "y")
        let zRange = min(0, grid.min() ?? 0, targets.min() ?? 0)...max(1, grid.max() ?? 1, targets.max() ?? 1)
        let points = zip(zip(x1, x2), targets).map { (x: $0.0.0, y: $0.0.1, z: $0.1, color: classColors[$0.1 >= 0.5 ? 1 : 0]) }
        var plot = try SurfacePlot(values: grid, columns: resolution, rows: resolution, xRange: xRange, yRange: yRange, zRange: zRange,
                               points: points, title: title, xLabel: xLabels.0, yLabel: xLabels.1, zLabel: zLabel)
        plot.pointLegend = [("class 0", classColors[0]), ("class 1", classColors[1])]
        return plot
    }

    /// `predictionSurface` with a model's `predict`.
    public static func predictionSurface(_ model: Model, x: Tensor, y: Tensor, title: String? = nil,
                                         xLabels: (String, String) = ("x₁", "x₂")) throws -> SurfacePlot {
        try predictionSurface({ try model.predict($0, batchSize: 1024) }, x: x, y: y, title: title, xLabels: xLabels)
    }

    /// A 2-feature classifier's prediction as a heat map over the inputs' ranges, its 0.5 decision
    /// boundary dashed, and the data points coloured by class.
    public static func decisionMap(_ predict: (Tensor) throws -> Tensor, x: Tensor, y: Tensor, title: String? = nil,
                                   xLabels: (String, String) = ("x₁", "x₂"), resolution: Int = 100) throws -> Chart {
        let (grid, xRange, yRange) = try predictionGrid(predict, x: x, resolution: resolution)
        let x1 = try column(x, 0, of: 2, "x"), x2 = try column(x, 1, of: 2, "x"), targets = try column(y, 0, of: 1, "y")
        var chart = Chart(title: title, xLabel: xLabels.0, yLabel: xLabels.1, width: 520, height: 420)
        chart.heatMap = try HeatMap(values: grid, columns: resolution, rows: resolution, xRange: xRange, yRange: yRange,
                                contourLevels: [0.5], legendTitle: "p(class 1)")
        for label in 0...1 {
            let chosen = targets.indices.filter { (targets[$0] >= 0.5 ? 1 : 0) == label }
            var dots = Series.scatter(x: chosen.map { x1[$0] }, y: chosen.map { x2[$0] }, label: "class \(label)",
                                      color: classColors[label], size: 7)
            dots.colors = nil
            chart.series.append(dots)
        }
        return chart
    }

    /// `decisionMap` with a model's `predict`.
    public static func decisionMap(_ model: Model, x: Tensor, y: Tensor, title: String? = nil,
                                   xLabels: (String, String) = ("x₁", "x₂")) throws -> Chart {
        try decisionMap({ try model.predict($0, batchSize: 1024) }, x: x, y: y, title: title, xLabels: xLabels)
    }

    // MARK: Images and classes

    /// Images with their labels as captions (seed 002's grid of the first 20 digits).
    public static func images(_ images: Tensor, labels: [String] = [], columns: Int = 10, scale: Double = 2,
                              colormap: Colormap = .binary, title: String? = nil) throws -> ImageGrid {
        try ImageGrid(images, captions: labels, columns: columns, scale: scale, colormap: colormap, title: title)
    }

    /// One image next to a bar chart of its predicted class probabilities; the predicted class is
    /// highlighted and, when given, the true class named in the title.
    public static func prediction(image: Tensor, probabilities: Tensor, classNames: [String]? = nil, trueClass: Int? = nil,
                                  colormap: Colormap = .binary) throws -> Grid {
        let shape = image.shape.first == 1 ? image.shape : [1] + image.shape
        let grid = try ImageGrid(image.reshaped(to: shape), columns: 1, scale: 8, colormap: colormap)
        return Grid([grid, try classProbabilities(probabilities, classNames: classNames, trueClass: trueClass)])
    }

    /// A bar chart of one sample's class probabilities, the most likely class highlighted.
    public static func classProbabilities(_ probabilities: Tensor, classNames: [String]? = nil, trueClass: Int? = nil,
                                          title: String? = nil) throws -> Chart {
        let values = probabilities.scalars.map(Double.init)
        guard !values.isEmpty, probabilities.count == probabilities.shape.last ?? 0 || probabilities.rank <= 1 else {
            throw KerasError.shapeMismatch(context: "Plot.classProbabilities", expected: "[classes] or [1, classes]",
                                           got: "\(probabilities.shape)", fix: "Pass one sample's predictions.")
        }
        let names = classNames ?? values.indices.map(String.init)
        guard names.count == values.count else {
            throw KerasError.invalidArgument(name: "classNames", value: "\(names.count) names",
                                             expected: "one name per class (\(values.count))")
        }
        let best = values.indices.max { values[$0] < values[$1] }!
        let colors = values.indices.map { $0 == best ? PlotStyle.standard.color(1) : Color(hex: 0xA8B8CC) }
        var heading = "Predicted: \(names[best]) (\(String(format: "%.1f", values[best] * 100))%)"
        if let trueClass, names.indices.contains(trueClass) { heading += ", true: \(names[trueClass])" }
        var chart = Chart(title: title ?? heading, xLabel: nil, yLabel: "Probability",
                          series: [.bars(x: values.indices.map(Double.init), y: values, colors: colors)], width: 460, height: 300)
        chart.xCategories = names
        chart.yDomain = 0...1
        return chart
    }

    /// A confusion matrix of class indices or per-class scores.
    public static func confusionMatrix(yTrue: Tensor, yPred: Tensor, classNames: [String]? = nil,
                                       title: String? = "Confusion matrix") throws -> ConfusionMatrixPlot {
        try ConfusionMatrixPlot(yTrue: yTrue, yPred: yPred, classNames: classNames, title: title)
    }

    // MARK: Helpers

    /// Column `index` of a `[n, columns]` (or `[n]` when `columns` is 1) tensor, as doubles.
    static func column(_ tensor: Tensor, _ index: Int, of columns: Int, _ name: String) throws -> [Double] {
        guard (tensor.rank == 2 && tensor.shape[1] == columns) || (tensor.rank == 1 && columns == 1) else {
            throw KerasError.shapeMismatch(context: "Plot \(name)", expected: columns == 1 ? "[n, 1] or [n]" : "[n, \(columns)]",
                                           got: "\(tensor.shape)", fix: "Pass one row per sample with \(columns) feature(s).")
        }
        let scalars = tensor.scalars
        return stride(from: index, to: scalars.count, by: columns).map { Double(scalars[$0]) }
    }

    /// `predict` over a `resolution × resolution` grid spanning the two features' ranges (row-major, x₂ rows).
    static func predictionGrid(_ predict: (Tensor) throws -> Tensor, x: Tensor, resolution: Int) throws
        -> (values: [Double], xRange: ClosedRange<Double>, yRange: ClosedRange<Double>) {
        guard resolution >= 2 else {
            throw KerasError.invalidArgument(name: "resolution", value: "\(resolution)", expected: "at least 2 samples per axis")
        }
        let x1 = try column(x, 0, of: 2, "x"), x2 = try column(x, 1, of: 2, "x")
        guard let low1 = x1.min(), let high1 = x1.max(), let low2 = x2.min(), let high2 = x2.max() else {
            throw KerasError.invalidData("Plot: x has no samples; pass at least one.")
        }
        let xRange = low1...(high1 > low1 ? high1 : low1 + 1), yRange = low2...(high2 > low2 ? high2 : low2 + 1)
        var inputs: [Float] = []
        inputs.reserveCapacity(resolution * resolution * 2)
        for row in 0..<resolution {
            let v = yRange.lowerBound + (yRange.upperBound - yRange.lowerBound) * Double(row) / Double(resolution - 1)
            for column in 0..<resolution {
                let u = xRange.lowerBound + (xRange.upperBound - xRange.lowerBound) * Double(column) / Double(resolution - 1)
                inputs += [Float(u), Float(v)]
            }
        }
        let predictions = try predict(Tensor(shape: [resolution * resolution, 2], scalars: inputs))
        guard predictions.count == resolution * resolution else {
            throw KerasError.shapeMismatch(context: "Plot prediction", expected: "one value per input ([n, 1])",
                                           got: "\(predictions.shape)", fix: "Plot a model with a single output.")
        }
        return (predictions.scalars.map(Double.init), xRange, yRange)
    }
}
