// A 2-D chart: axes with nice ticks and a light grid, series drawn as lines, dots or bars,
// an optional heat map underneath, a title, axis labels and a legend.

import Foundation
import Keras

/// Data drawn in a `Chart`: x and y values shown as a line, dots, both, or bars. Points pair
/// `x[i]` with `y[i]` up to the shorter array; non-finite values are left out (they break a line).
public struct Series {
    /// How the values are drawn.
    public enum Mark: Sendable { case line, dots, lineAndDots, bars }

    public var x: [Double]
    public var y: [Double]
    public var mark: Mark
    /// The legend entry; series without one are not in the legend.
    public var label: String?
    /// The colour; `nil` takes the next palette colour.
    public var color: Color?
    /// One colour per value (bars, dots), overriding `color`.
    public var colors: [Color]?
    public var dashed = false
    public var lineWidth = 2.0
    public var dotSize = 5.0

    public init(x: [Double], y: [Double], mark: Mark, label: String? = nil, color: Color? = nil) {
        (self.x, self.y, self.mark, self.label, self.color) = (x, y, mark, label, color)
    }

    /// A line through the points in order.
    public static func line(x: [Double], y: [Double], label: String? = nil, color: Color? = nil, dashed: Bool = false) -> Series {
        var series = Series(x: x, y: y, mark: .line, label: label, color: color)
        series.dashed = dashed
        return series
    }

    /// A dot at each point.
    public static func scatter(x: [Double], y: [Double], label: String? = nil, color: Color? = nil, size: Double = 5) -> Series {
        var series = Series(x: x, y: y, mark: .dots, label: label, color: color)
        series.dotSize = size
        return series
    }

    /// A bar from 0 to each `y` at each `x`.
    public static func bars(x: [Double], y: [Double], label: String? = nil, color: Color? = nil, colors: [Color]? = nil) -> Series {
        var series = Series(x: x, y: y, mark: .bars, label: label, color: color)
        series.colors = colors
        return series
    }
}

/// Values on a regular grid over a rectangle, drawn as colours under a chart's series, with
/// contour lines at chosen levels (a classifier's 0.5 decision boundary).
public struct HeatMap {
    /// `rows · columns` values, row-major, row 0 at the bottom (`yRange.lowerBound`).
    public var values: [Double]
    public var columns: Int
    public var rows: Int
    public var xRange: ClosedRange<Double>
    public var yRange: ClosedRange<Double>
    public var colormap: Colormap
    /// The values mapped to the colour map's ends.
    public var valueRange: ClosedRange<Double>
    public var contourLevels: [Double]
    /// The colour bar's caption; `nil` draws no colour bar.
    public var legendTitle: String?

    /// Throws unless there are `columns · rows` values, at least 2×2.
    public init(values: [Double], columns: Int, rows: Int, xRange: ClosedRange<Double>, yRange: ClosedRange<Double>,
                colormap: Colormap = .diverging, valueRange: ClosedRange<Double> = 0...1, contourLevels: [Double] = [],
                legendTitle: String? = nil) throws {
        try checkGrid(values, columns: columns, rows: rows, "HeatMap")
        (self.values, self.columns, self.rows, self.xRange, self.yRange) = (values, columns, rows, xRange, yRange)
        (self.colormap, self.valueRange, self.contourLevels, self.legendTitle) = (colormap, valueRange, contourLevels, legendTitle)
    }
}

/// A chart: series on x/y axes with nice ticks, a grid, title, axis labels and a legend.
public struct Chart: Figure {
    public var title: String?
    public var xLabel: String?
    public var yLabel: String?
    public var series: [Series]
    public var heatMap: HeatMap?
    /// The visible ranges; `nil` fits the data with a small margin.
    public var xDomain: ClosedRange<Double>?
    public var yDomain: ClosedRange<Double>?
    /// Names for x = 0, 1, 2, … replacing numeric ticks (bar charts of classes).
    public var xCategories: [String]?
    /// Ticks only at whole numbers on the x axis (epochs).
    public var integerX = false
    public var showLegend = true
    public var width: Double
    public var height: Double

    public init(title: String? = nil, xLabel: String? = nil, yLabel: String? = nil, series: [Series] = [],
                width: Double = 480, height: Double = 320) {
        (self.title, self.xLabel, self.yLabel, self.series, self.width, self.height) = (title, xLabel, yLabel, series, width, height)
    }

    // MARK: Domains and layout

    /// The x range shown.
    public var resolvedXDomain: ClosedRange<Double> {
        if let xDomain { return xDomain }
        if let xCategories { return -0.6...(Double(xCategories.count) - 0.4) }
        if let heatMap { return heatMap.xRange }
        return Chart.padded(series.flatMap(\.x), includingZero: false)
    }

    /// The y range shown.
    public var resolvedYDomain: ClosedRange<Double> {
        if let yDomain { return yDomain }
        if let heatMap { return heatMap.yRange }
        let bars = series.contains { $0.mark == .bars }
        return Chart.padded(series.flatMap(\.y), includingZero: bars, padBelowZero: !bars)
    }

    static func padded(_ values: [Double], includingZero: Bool, padBelowZero: Bool = true) -> ClosedRange<Double> {
        let finite = values.filter(\.isFinite)
        guard var low = finite.min(), var high = finite.max() else { return 0...1 }
        if includingZero { low = min(low, 0); high = max(high, 0) }
        if high - low < 1e-12 * max(abs(high), 1) {
            let half = max(abs(high) * 0.1, 0.5)
            return (low - half)...(high + half)
        }
        let margin = (high - low) * 0.04
        return ((low == 0 && !padBelowZero) ? 0 : low - margin)...(high + margin)
    }

    /// The plot area inside the figure: left, top, width, height.
    struct Frame {
        var left: Double, top: Double, width: Double, height: Double
        var right: Double { left + width }
        var bottom: Double { top + height }
    }

    var colorBarWidth: Double { heatMap?.legendTitle == nil ? 0 : 64 }

    func frame(yTickLabels: [String], fontSize: Double) -> Frame {
        let labelWidth = (yTickLabels.map { Canvas.textWidth($0, size: fontSize) }.max() ?? 0)
        let left = 10 + (yLabel == nil ? 0 : 20) + labelWidth + 8
        let top = title == nil ? 12.0 : 38.0 + Canvas.extraTitleHeight(title)
        let bottom = 28.0 + (xLabel == nil ? 0 : 20) + (xCategoryRotation == 0 ? 0 : 40)
        let right = 16 + colorBarWidth
        return Frame(left: left, top: top, width: max(width - left - right, 10), height: max(height - top - bottom, 10))
    }

    var xCategoryRotation: Double {
        guard let xCategories else { return 0 }
        let longest = Double(xCategories.map(\.count).max() ?? 0) * 12 * 0.56
        return longest > (width - 80) / Double(max(xCategories.count, 1)) - 4 ? -35 : 0
    }

    // MARK: Drawing

    public func draw(on canvas: inout Canvas) {
        let style = canvas.style
        let xDomain = resolvedXDomain, yDomain = resolvedYDomain
        let yTicks = Ticks(domain: yDomain, count: max(Int(height / 60), 2))
        let yLabels = yTicks.labels
        let frame = self.frame(yTickLabels: yLabels, fontSize: style.fontSize)
        let xTicks = Ticks(domain: xDomain, count: max(Int(frame.width / 90), 2), integers: integerX || xCategories != nil)
        let sx = { (x: Double) in frame.left + (x - xDomain.lowerBound) / (xDomain.upperBound - xDomain.lowerBound) * frame.width }
        let sy = { (y: Double) in frame.bottom - (y - yDomain.lowerBound) / (yDomain.upperBound - yDomain.lowerBound) * frame.height }

        if let title { canvas.title(title, frame.left + frame.width / 2, 24, size: style.titleSize) }
        canvas.rect(frame.left, frame.top, frame.width, frame.height, fill: style.plotBackground)

        // Grid and tick labels.
        for (value, label) in zip(yTicks.values, yLabels) {
            let y = sy(value)
            canvas.line(frame.left, y, frame.right, y, stroke: style.gridColor)
            canvas.text(label, frame.left - 7, y + 4, anchor: .end, color: style.mutedTextColor)
        }
        let xPairs: [(Double, String)] = xCategories.map { names in names.enumerated().map { (Double($0.offset), $0.element) } }
            ?? Array(zip(xTicks.values, xTicks.labels))
        let rotation = xCategoryRotation
        for (value, label) in xPairs {
            let x = sx(value)
            if xCategories == nil { canvas.line(x, frame.top, x, frame.bottom, stroke: style.gridColor) }
            canvas.line(x, frame.bottom, x, frame.bottom + 4, stroke: style.axisColor)
            if rotation == 0 {
                canvas.text(label, x, frame.bottom + 18, anchor: .middle, color: style.mutedTextColor)
            } else {
                canvas.text(label, x + 3, frame.bottom + 14, anchor: .end, color: style.mutedTextColor, rotate: rotation)
            }
        }

        if let heatMap { drawHeatMap(heatMap, on: &canvas, frame: frame, sx: sx, sy: sy) }

        // Series, clipped to the plot area.
        var legend: [(label: String, series: Series, color: Color)] = []
        let barGroups = series.filter { $0.mark == .bars }.count
        canvas.clipped(to: frame.left - 1, frame.top - 1, frame.width + 2, frame.height + 2) { canvas in
            var barIndex = 0
            for (index, series) in series.enumerated() {
                let color = series.color ?? style.color(index)
                let points = zip(series.x, series.y).map { (x: sx($0), y: sy($1)) }
                switch series.mark {
                case .line:
                    canvas.polyline(points, stroke: color, width: series.lineWidth, dash: series.dashed ? "6 4" : nil)
                case .dots:
                    drawDots(points, series: series, color: color, on: &canvas)
                case .lineAndDots:
                    canvas.polyline(points, stroke: color, width: series.lineWidth, dash: series.dashed ? "6 4" : nil)
                    drawDots(points, series: series, color: color, on: &canvas)
                case .bars:
                    let slot = abs(sx(1) - sx(0)) * 0.7
                    let barWidth = slot / Double(max(barGroups, 1))
                    let zero = sy(max(min(0, yDomain.upperBound), yDomain.lowerBound))
                    for (i, point) in points.enumerated() where point.y.isFinite {
                        let x = point.x - slot / 2 + Double(barIndex) * barWidth
                        canvas.rect(x, min(point.y, zero), barWidth, abs(point.y - zero), fill: series.colors.flatMap { i < $0.count ? $0[i] : nil } ?? color, radius: 1.5)
                    }
                    barIndex += 1
                }
                if let label = series.label { legend.append((label, series, color)) }
            }
        }
        // The axes: a baseline and a left edge.
        canvas.line(frame.left, frame.bottom, frame.right, frame.bottom, stroke: style.axisColor)
        canvas.line(frame.left, frame.top, frame.left, frame.bottom, stroke: style.axisColor)

        if let xLabel {
            canvas.text(xLabel, frame.left + frame.width / 2, height - 10, anchor: .middle, color: style.textColor)
        }
        if let yLabel {
            canvas.text(yLabel, 18, frame.top + frame.height / 2, anchor: .middle, color: style.textColor, rotate: -90)
        }
        if showLegend && !legend.isEmpty { drawLegend(legend, on: &canvas, frame: frame, sx: sx, sy: sy) }
    }

    private func drawDots(_ points: [(x: Double, y: Double)], series: Series, color: Color, on canvas: inout Canvas) {
        if let colors = series.colors {
            // Group the points by colour: one path per colour.
            var groups: [String: (Color, [(x: Double, y: Double)])] = [:]
            for (point, color) in zip(points, colors) { groups[color.hex, default: (color, [])].1.append(point) }
            for key in groups.keys.sorted() {
                canvas.dots(groups[key]!.1, fill: groups[key]!.0, diameter: series.dotSize, outline: .white)
            }
        } else {
            // Many points: translucent and without outlines, so dense regions read as density.
            let many = points.count > 2000
            canvas.dots(points, fill: color, diameter: many ? max(series.dotSize - 2, 2) : series.dotSize,
                        outline: many ? nil : .white, opacity: many ? 0.6 : 0.9)
        }
    }

    private func drawHeatMap(_ map: HeatMap, on canvas: inout Canvas, frame: Frame,
                             sx: (Double) -> Double, sy: (Double) -> Double) {
        let span = map.valueRange.upperBound - map.valueRange.lowerBound
        var pixels = [UInt8](repeating: 0, count: map.columns * map.rows * 3)
        for row in 0..<map.rows {
            for column in 0..<map.columns {
                let value = map.values[row * map.columns + column]
                let color = map.colormap.color((value - map.valueRange.lowerBound) / (span == 0 ? 1 : span))
                let p = ((map.rows - 1 - row) * map.columns + column) * 3  // the image's top row is the highest y
                (pixels[p], pixels[p + 1], pixels[p + 2]) = (color.red, color.green, color.blue)
            }
        }
        let image = try! PNG.Image(width: map.columns, height: map.rows, channels: 3, pixels: pixels)
        // The values are at cell centres: stretch the image half a cell beyond the range on each side.
        let dx = (map.xRange.upperBound - map.xRange.lowerBound) / Double(map.columns - 1) / 2
        let dy = (map.yRange.upperBound - map.yRange.lowerBound) / Double(map.rows - 1) / 2
        let left = sx(map.xRange.lowerBound - dx), right = sx(map.xRange.upperBound + dx)
        let top = sy(map.yRange.upperBound + dy), bottom = sy(map.yRange.lowerBound - dy)
        canvas.clipped(to: frame.left, frame.top, frame.width, frame.height) { canvas in
            canvas.image(image, left, top, right - left, bottom - top, pixelated: false)
            for level in map.contourLevels {
                var path: [(x: Double, y: Double)] = []
                for line in Contour.lines(map.values, columns: map.columns, rows: map.rows, level: level) {
                    for p in line { path.append((sx(map.xRange.lowerBound + p.0 * 2 * dx), sy(map.yRange.lowerBound + p.1 * 2 * dy))) }
                    path.append((x: .nan, y: .nan))
                }
                canvas.polyline(path, stroke: Color(hex: 0x1F2937), width: 2, dash: "8 5")
            }
        }
        if let title = map.legendTitle {
            // The colour bar: a gradient with ticks at the value range's nice values.
            let id = canvas.uniqueID("gradient")
            let barLeft = frame.right + 18, barWidth = 12.0
            canvas.raw("<defs><linearGradient id=\"\(id)\" x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\">")
            for (i, stop) in map.colormap.stops.enumerated() {
                canvas.raw("<stop offset=\"\(Double(i) / Double(map.colormap.stops.count - 1))\" stop-color=\"\(stop.hex)\"/>")
            }
            canvas.raw("</linearGradient></defs><rect")
            canvas.attribute("x", barLeft); canvas.attribute("y", frame.top)
            canvas.attribute("width", barWidth); canvas.attribute("height", frame.height)
            canvas.raw(" fill=\"url(#\(id))\" stroke=\"\(canvas.style.axisColor.hex)\" stroke-width=\"0.5\"/>")
            let ticks = Ticks(domain: map.valueRange, count: 4)
            for (value, label) in zip(ticks.values, ticks.labels) {
                let y = frame.bottom - (value - map.valueRange.lowerBound) / (span == 0 ? 1 : span) * frame.height
                canvas.line(barLeft + barWidth, y, barLeft + barWidth + 3, y, stroke: canvas.style.axisColor)
                canvas.text(label, barLeft + barWidth + 6, y + 4, size: canvas.style.fontSize - 1, color: canvas.style.mutedTextColor)
            }
            canvas.text(title, barLeft + barWidth / 2, frame.top - 8, size: canvas.style.fontSize - 1, anchor: .middle,
                        color: canvas.style.mutedTextColor)
        }
    }

    /// The legend, in the corner of the plot area that hides the fewest points.
    private func drawLegend(_ entries: [(label: String, series: Series, color: Color)], on canvas: inout Canvas, frame: Frame,
                            sx: (Double) -> Double, sy: (Double) -> Double) {
        let style = canvas.style
        let rowHeight = 18.0, swatch = 22.0
        let boxWidth = 10 + swatch + 6 + (entries.map { canvas.textWidth($0.label, size: style.fontSize) }.max() ?? 0) + 10
        let boxHeight = 8 + rowHeight * Double(entries.count)
        let corners = [(frame.right - boxWidth - 8, frame.top + 8), (frame.left + 8, frame.top + 8),
                       (frame.right - boxWidth - 8, frame.bottom - boxHeight - 8), (frame.left + 8, frame.bottom - boxHeight - 8)]
        var best = corners[0], fewest = Int.max
        for corner in corners {
            var hidden = 0
            func hides(_ px: Double, _ py: Double) -> Bool {
                px >= corner.0 - 4 && px <= corner.0 + boxWidth + 4 && py >= corner.1 - 4 && py <= corner.1 + boxHeight + 4
            }
            for series in series {
                let points = zip(series.x, series.y).map { (sx($0), sy($1)) }
                for (px, py) in points where hides(px, py) { hidden += 1 }
                // A line also hides what lies between its points: its segments are sampled every 4 pixels.
                guard series.mark == .line || series.mark == .lineAndDots else { continue }
                for (a, b) in zip(points, points.dropFirst()) {
                    let length = abs(b.0 - a.0) + abs(b.1 - a.1)
                    guard length.isFinite, length > 8 else { continue }   // a NaN value breaks the line there
                    let steps = min(Int(length / 4), 1000)
                    for step in 1..<steps {
                        let t = Double(step) / Double(steps)
                        if hides(a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t) { hidden += 1 }
                    }
                }
            }
            if hidden < fewest { (best, fewest) = (corner, hidden) }
        }
        canvas.rect(best.0, best.1, boxWidth, boxHeight, fill: .white, stroke: style.gridColor, radius: 4, opacity: 0.9)
        for (i, entry) in entries.enumerated() {
            let y = best.1 + 4 + rowHeight * (Double(i) + 0.5)
            let x = best.0 + 10
            switch entry.series.mark {
            case .line, .lineAndDots:
                canvas.line(x, y, x + swatch, y, stroke: entry.color, width: entry.series.lineWidth,
                            dash: entry.series.dashed ? "6 4" : nil)
                if entry.series.mark == .lineAndDots {
                    canvas.dots([(x + swatch / 2, y)], fill: entry.color, diameter: entry.series.dotSize, outline: .white)
                }
            case .dots:
                canvas.dots([(x + swatch / 2, y)], fill: entry.color, diameter: entry.series.dotSize + 1, outline: .white)
            case .bars:
                canvas.rect(x + 4, y - 6, swatch - 8, 12, fill: entry.color, radius: 1.5)
            }
            canvas.text(entry.label, x + swatch + 6, y + 4, color: style.textColor)
        }
    }
}

/// Throws unless `values` fill a grid of at least 2×2.
func checkGrid(_ values: [Double], columns: Int, rows: Int, _ name: String) throws {
    guard columns >= 2, rows >= 2, values.count == columns * rows else {
        throw KerasError.invalidArgument(name: "\(name) values", value: "\(values.count) values for \(columns)×\(rows)",
                                         expected: "columns · rows values on a grid of at least 2×2")
    }
}
