import Foundation
import Keras

/// A model's layer graph as boxes and arrows, in the manner of Keras' `plot_model`: each layer's
/// name and class, and its output shape; inputs at the top, each layer one row below the
/// deepest layer it reads from.
///
/// ```swift
/// try plotModel(model, to: "model.svg")
/// ```
public struct ModelDiagram: Figure {
    struct Box {
        let entry: LayerDiagramEntry
        var row = 0, column = 0
        var x = 0.0, y = 0.0
    }

    let title: String
    var boxes: [Box]
    static let boxWidth = 220.0, boxHeight = 46.0, rowGap = 34.0, columnGap = 24.0, margin = 20.0, titleHeight = 28.0

    public init(_ model: Model) {
        title = model.name
        var boxes = model.layerDiagram.map { Box(entry: $0) }
        var rowOf: [String: Int] = [:]
        for index in boxes.indices {
            let row = boxes[index].entry.inputs.compactMap { rowOf[$0] }.max().map { $0 + 1 } ?? 0
            boxes[index].row = row
            rowOf[boxes[index].entry.name] = row
        }
        var used: [Int: Int] = [:]
        for index in boxes.indices {
            boxes[index].column = used[boxes[index].row, default: 0]
            used[boxes[index].row, default: 0] += 1
        }
        let columns = used.values.max() ?? 1
        let width = Double(columns) * (Self.boxWidth + Self.columnGap) - Self.columnGap
        for index in boxes.indices {
            let inRow = Double(used[boxes[index].row]!)
            let rowWidth = inRow * (Self.boxWidth + Self.columnGap) - Self.columnGap
            boxes[index].x = Self.margin + (width - rowWidth) / 2 + Double(boxes[index].column) * (Self.boxWidth + Self.columnGap)
            boxes[index].y = Self.margin + Self.titleHeight + Double(boxes[index].row) * (Self.boxHeight + Self.rowGap)
        }
        self.boxes = boxes
    }

    public var width: Double {
        let columns = Dictionary(grouping: boxes, by: \.row).values.map(\.count).max() ?? 1
        return 2 * Self.margin + Double(columns) * (Self.boxWidth + Self.columnGap) - Self.columnGap
    }

    public var height: Double {
        let rows = (boxes.map(\.row).max() ?? 0) + 1
        return 2 * Self.margin + Self.titleHeight + Double(rows) * (Self.boxHeight + Self.rowGap) - Self.rowGap
    }

    public func draw(on canvas: inout Canvas) {
        let style = canvas.style
        canvas.text(title, width / 2, Self.margin + 14, size: 15, anchor: .middle)
        let byName = Dictionary(boxes.map { ($0.entry.name, $0) }, uniquingKeysWith: { first, _ in first })
        for box in boxes {
            for input in box.entry.inputs {
                guard let source = byName[input] else { continue }
                let (x1, y1) = (source.x + Self.boxWidth / 2, source.y + Self.boxHeight)
                let (x2, y2) = (box.x + Self.boxWidth / 2, box.y)
                canvas.line(x1, y1, x2, y2 - 6, stroke: style.axisColor, width: 1.2)
                canvas.polygon([(x2, y2), (x2 - 4, y2 - 7), (x2 + 4, y2 - 7)], fill: style.axisColor, stroke: nil)
            }
        }
        for box in boxes {
            canvas.rect(box.x, box.y, Self.boxWidth, Self.boxHeight, fill: style.background, stroke: style.axisColor, radius: 4)
            canvas.text("\(box.entry.name) (\(box.entry.className))", box.x + Self.boxWidth / 2, box.y + 19, size: 12, anchor: .middle)
            canvas.text(box.entry.outputShape, box.x + Self.boxWidth / 2, box.y + 36, size: 11, anchor: .middle)
        }
    }
}

/// Draws `model`'s layer graph to an SVG (or PNG) file, as Keras' `plot_model(model, to_file=)`.
public func plotModel(_ model: Model, to path: String, style: PlotStyle = .standard) throws {
    try ModelDiagram(model).write(to: URL(fileURLWithPath: path), style: style)
}
