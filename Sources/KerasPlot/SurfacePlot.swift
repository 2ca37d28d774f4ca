// A surface z = f(x, y) over a rectangle with data points, in a 3-D box seen from above at an
// angle (matplotlib's default view: azimuth -60°, elevation 30°), painted back to front.

import Foundation
import Keras

/// A 3-D surface with points, in projection: a 2-feature model's prediction over its inputs.
public struct SurfacePlot: Figure {
    /// `rows · columns` heights, row-major, row 0 at `yRange.lowerBound`, column 0 at `xRange.lowerBound`.
    public var values: [Double]
    public var columns: Int
    public var rows: Int
    public var xRange: ClosedRange<Double>
    public var yRange: ClosedRange<Double>
    public var zRange: ClosedRange<Double>
    /// Points drawn with the surface, each with a colour.
    public var points: [(x: Double, y: Double, z: Double, color: Color)]
    /// Legend entries for the points' colours.
    public var pointLegend: [(label: String, color: Color)] = []
    public var title: String?
    public var xLabel: String?
    public var yLabel: String?
    public var zLabel: String?
    public var colormap: Colormap = .viridis
    /// The viewer's direction in degrees.
    public var azimuth = -60.0
    public var elevation = 28.0
    public var width: Double
    public var height: Double

    public init(values: [Double], columns: Int, rows: Int, xRange: ClosedRange<Double>, yRange: ClosedRange<Double>,
                zRange: ClosedRange<Double>, points: [(x: Double, y: Double, z: Double, color: Color)] = [],
                title: String? = nil, xLabel: String? = nil, yLabel: String? = nil, zLabel: String? = nil,
                width: Double = 520, height: Double = 440) throws {
        try checkGrid(values, columns: columns, rows: rows, "SurfacePlot")
        (self.values, self.columns, self.rows, self.xRange, self.yRange, self.zRange) = (values, columns, rows, xRange, yRange, zRange)
        (self.points, self.title, self.xLabel, self.yLabel, self.zLabel) = (points, title, xLabel, yLabel, zLabel)
        (self.width, self.height) = (width, height)
    }

    /// The projection of the unit box `[-1, 1]² × [-h, h]`: screen right, screen up, depth (larger is farther).
    struct Projection {
        let right: (Double, Double, Double), up: (Double, Double, Double), eye: (Double, Double, Double)

        init(azimuth: Double, elevation: Double) {
            let a = azimuth * .pi / 180, e = elevation * .pi / 180
            eye = (cos(e) * cos(a), cos(e) * sin(a), sin(e))
            right = (-sin(a), cos(a), 0)
            up = (-sin(e) * cos(a), -sin(e) * sin(a), cos(e))
        }

        func callAsFunction(_ x: Double, _ y: Double, _ z: Double) -> (x: Double, y: Double, depth: Double) {
            (x * right.0 + y * right.1, x * up.0 + y * up.1 + z * up.2, -(x * eye.0 + y * eye.1 + z * eye.2))
        }
    }

    static let boxHeight = 0.8

    public func draw(on canvas: inout Canvas) {
        let style = canvas.style
        let project = Projection(azimuth: azimuth, elevation: elevation)
        let h = SurfacePlot.boxHeight
        func unit(_ v: Double, _ range: ClosedRange<Double>) -> Double {
            range.upperBound == range.lowerBound ? 0 : (v - range.lowerBound) / (range.upperBound - range.lowerBound) * 2 - 1
        }
        // Fit the box's corners into the area below the title.
        let corners = [-1.0, 1].flatMap { x in [-1.0, 1].flatMap { y in [-h, h].map { z in project(x, y, z) } } }
        let minX = corners.map(\.x).min()!, maxX = corners.map(\.x).max()!
        let minY = corners.map(\.y).min()!, maxY = corners.map(\.y).max()!
        let top = title == nil ? 16.0 : 44.0 + Canvas.extraTitleHeight(title), margin = 64.0
        let scale = min((width - 2 * margin) / (maxX - minX), (height - top - margin) / (maxY - minY))
        let centreX = width / 2 - (minX + maxX) / 2 * scale
        let centreY = top + (height - top - margin) / 2 + (minY + maxY) / 2 * scale
        func screen(_ x: Double, _ y: Double, _ z: Double) -> (x: Double, y: Double, depth: Double) {
            let p = project(x, y, z)
            return (centreX + p.x * scale, centreY - p.y * scale, p.depth)
        }

        if let title { canvas.title(title, width / 2, 26, size: style.titleSize) }

        // The three back panes with grid lines at the ticks: the floor and the two walls farther from the viewer.
        let backX = project.eye.0 > 0 ? -1.0 : 1.0, backY = project.eye.1 > 0 ? -1.0 : 1.0
        let pane = Color(hex: 0xF1F3F6), edge = Color(hex: 0xC9CED6)
        canvas.polygon([screen(-1, -1, -h), screen(1, -1, -h), screen(1, 1, -h), screen(-1, 1, -h)].map { ($0.x, $0.y) },
                       fill: pane, stroke: edge, strokeWidth: 0.8)
        canvas.polygon([screen(backX, -1, -h), screen(backX, 1, -h), screen(backX, 1, h), screen(backX, -1, h)].map { ($0.x, $0.y) },
                       fill: pane, stroke: edge, strokeWidth: 0.8)
        canvas.polygon([screen(-1, backY, -h), screen(1, backY, -h), screen(1, backY, h), screen(-1, backY, h)].map { ($0.x, $0.y) },
                       fill: pane, stroke: edge, strokeWidth: 0.8)
        let xTicks = Ticks(domain: xRange, count: 4), yTicks = Ticks(domain: yRange, count: 4), zTicks = Ticks(domain: zRange, count: 4)
        for value in xTicks.values {
            let u = unit(value, xRange)
            let a = screen(u, -backY, -h), b = screen(u, backY, -h), c = screen(u, backY, h)
            canvas.polyline([(a.x, a.y), (b.x, b.y), (c.x, c.y)], stroke: style.gridColor.mixed(with: .black, 0.05), width: 0.8)
        }
        for value in yTicks.values {
            let u = unit(value, yRange)
            let a = screen(-backX, u, -h), b = screen(backX, u, -h), c = screen(backX, u, h)
            canvas.polyline([(a.x, a.y), (b.x, b.y), (c.x, c.y)], stroke: style.gridColor.mixed(with: .black, 0.05), width: 0.8)
        }
        for value in zTicks.values {
            let u = unit(value, zRange) * h
            let a = screen(-backX, backY, u), b = screen(backX, backY, u), c = screen(backX, -backY, u)
            canvas.polyline([(a.x, a.y), (b.x, b.y), (c.x, c.y)], stroke: style.gridColor.mixed(with: .black, 0.05), width: 0.8)
        }

        // Surface cells and points, farthest first.
        enum Item { case cell(Int, Int), point(Int) }
        var items: [(depth: Double, item: Item)] = []
        func cellCorners(_ c: Int, _ r: Int) -> [(Double, Double, Double)] {
            let grid: [(Int, Int)] = [(c, r), (c + 1, r), (c + 1, r + 1), (c, r + 1)]
            return grid.map { (c: Int, r: Int) -> (Double, Double, Double) in
                let x = Double(c) / Double(columns - 1) * 2 - 1
                let y = Double(r) / Double(rows - 1) * 2 - 1
                return (x, y, unit(values[r * columns + c], zRange) * h)
            }
        }
        for r in 0..<(rows - 1) {
            for c in 0..<(columns - 1) {
                let corners = cellCorners(c, r)
                var depth = 0.0
                for corner in corners { depth += project(corner.0, corner.1, corner.2).depth / 4 }
                items.append((depth, .cell(c, r)))
            }
        }
        for (i, point) in points.enumerated() {
            items.append((project(unit(point.x, xRange), unit(point.y, yRange), unit(point.z, zRange) * h).depth - 0.12, .point(i)))
        }
        items.sort { $0.depth > $1.depth }
        let light = (-0.3, -0.5, 0.8)
        let lightLength = (light.0 * light.0 + light.1 * light.1 + light.2 * light.2).squareRoot()
        // Cells are stroked in their own colour, hiding the seams between them: the width is set once.
        canvas.raw("<g stroke-width=\"0.6\" stroke-linejoin=\"round\">")
        for entry in items {
            switch entry.item {
            case let .cell(c, r):
                let corners = cellCorners(c, r)
                let mean = (values[r * columns + c] + values[r * columns + c + 1] + values[(r + 1) * columns + c]
                            + values[(r + 1) * columns + c + 1]) / 4
                // Shade by the angle to a light above: a normal from the cell's diagonals.
                let d1 = (corners[2].0 - corners[0].0, corners[2].1 - corners[0].1, corners[2].2 - corners[0].2)
                let d2 = (corners[3].0 - corners[1].0, corners[3].1 - corners[1].1, corners[3].2 - corners[1].2)
                let n = (d1.1 * d2.2 - d1.2 * d2.1, d1.2 * d2.0 - d1.0 * d2.2, d1.0 * d2.1 - d1.1 * d2.0)
                let length = (n.0 * n.0 + n.1 * n.1 + n.2 * n.2).squareRoot()
                let shade = length == 0 ? 1 : abs(n.0 * light.0 + n.1 * light.1 + n.2 * light.2) / (length * lightLength)
                let base = colormap.color(unit(mean, zRange) / 2 + 0.5)
                let color = base.mixed(with: .black, (1 - shade) * 0.35)
                let projected = corners.map { screen($0.0, $0.1, $0.2) }.map { (x: $0.x, y: $0.y) }
                canvas.polygon(projected, fill: color, stroke: color, strokeWidth: nil)
            case let .point(i):
                let point = points[i]
                let p = screen(unit(point.x, xRange), unit(point.y, yRange), unit(point.z, zRange) * h)
                canvas.dots([(p.x, p.y)], fill: point.color, diameter: 6, outline: .white)
            }
        }
        canvas.raw("</g>")

        // Tick labels along the front edges of the floor, and the vertical edge on the left.
        let muted = style.mutedTextColor, small = style.fontSize - 1
        let frontY = -backY, frontX = -backX
        for (value, label) in zip(xTicks.values, xTicks.labels) {
            let p = screen(unit(value, xRange), frontY * 1.12, -h)
            canvas.text(label, p.x, p.y + 10, size: small, anchor: .middle, color: muted)
        }
        for (value, label) in zip(yTicks.values, yTicks.labels) {
            let p = screen(frontX * 1.12, unit(value, yRange), -h)
            canvas.text(label, p.x + 4, p.y + 10, size: small, anchor: .start, color: muted)
        }
        let zEdge = [(backX, frontY), (frontX, backY), (backX, backY)].min { screen($0.0, $0.1, 0).x < screen($1.0, $1.1, 0).x }!
        for (value, label) in zip(zTicks.values, zTicks.labels) {
            let p = screen(zEdge.0, zEdge.1, unit(value, zRange) * h)
            canvas.text(label, p.x - 8, p.y + 4, size: small, anchor: .end, color: muted)
        }
        if let xLabel {
            let p = screen(0, frontY * 1.45, -h)
            canvas.text(xLabel, p.x, p.y + 14, anchor: .middle, color: style.textColor)
        }
        if let yLabel {
            let p = screen(frontX * 1.45, 0, -h)
            canvas.text(yLabel, p.x + 10, p.y + 14, anchor: .start, color: style.textColor)
        }
        if let zLabel {
            let p = screen(zEdge.0, zEdge.1, 0)
            canvas.text(zLabel, p.x - 42, p.y, anchor: .middle, color: style.textColor, rotate: -90)
        }
        for (i, entry) in pointLegend.enumerated() {
            let y = (title == nil ? 20.0 : 50.0) + Double(i) * 18
            canvas.dots([(width - 120, y)], fill: entry.color, diameter: 7, outline: .white)
            canvas.text(entry.label, width - 110, y + 4, color: style.textColor)
        }
    }
}
