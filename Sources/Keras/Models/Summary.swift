import Foundation

extension Model {
    /// Prints Keras 3's summary table: each layer's name and type, output shape and parameter count.
    public func summary() {
        print(summaryText(), terminator: "")
    }

    /// The text `summary()` prints.
    public func summaryText() -> String {
        let shapes = summaryShapes()
        let connections = graph.flatMap(Self.connections)
        var rows = zip(layers, shapes).map { layer, shape -> [String] in
            [
                "\(layer.name) (\(type(of: layer).kerasClassName))",
                shape ?? "?",
                layer.isBuilt ? SummaryTable.grouped(layer.countParams()) : "0 (unbuilt)",
            ]
        }
        let table: SummaryTable
        if let connections {
            for index in rows.indices { rows[index].append(connections[ObjectIdentifier(layers[index])] ?? "-") }
            table = SummaryTable(widths: [21, 19, 12, 19], rightAligned: [false, false, true, false])
        } else {
            table = SummaryTable(widths: [33, 24, 15], rightAligned: [false, false, true])
        }
        var text = "Model: \"\(name)\"\n"
        text += table.render(header: ["Layer (type)", "Output Shape", "Param #"] + (connections == nil ? [] : ["Connected to"]), rows: rows)
        let trainable = trainableWeights.reduce(0) { $0 + $1.shape.reduce(1, *) }
        let frozen = nonTrainableWeights.reduce(0) { $0 + $1.shape.reduce(1, *) }
        // Keras lists the optimizer's state once it is built, that is, once training has begun.
        let optimizerCount = optimizer.map { $0.iterations > 0 ? $0.variables.reduce(0) { $0 + $1.shape.reduce(1, *) } : 0 } ?? 0
        text += " Total params: \(SummaryTable.count(trainable + frozen + optimizerCount))\n"
        text += " Trainable params: \(SummaryTable.count(trainable))\n"
        text += " Non-trainable params: \(SummaryTable.count(frozen))\n"
        if optimizerCount > 0 { text += " Optimizer params: \(SummaryTable.count(optimizerCount))\n" }
        return text
    }
}

extension Model {
    /// Each layer's output shape as the summary shows it: `(None, 10)`, `multiple` for a layer
    /// called with different shapes, `nil` when unknown.
    func summaryShapes() -> [String?] {
        if let sequential = self as? Sequential { return sequential.outputShapes().map { $0.map(formatShape) } }
        guard let graph else { return layers.map { _ in nil } }
        return layers.map { layer in
            let shapes = Set(graph.nodes.filter { $0.layer === layer }.map { $0.outputShapes.map(formatShape).joined(separator: ", ") })
            return shapes.count == 1 ? shapes.first : "multiple"
        }
    }

    /// The "Connected to" column of a graph that is not a plain chain (Keras shows it then):
    /// each layer's inputs as `layer[node][tensor]`; `nil` for a chain.
    static func connections(_ graph: FunctionalGraph) -> [ObjectIdentifier: String]? {
        var usage: [ObjectIdentifier: Int] = [:]
        for node in graph.nodes { usage[ObjectIdentifier(node.layer), default: 0] += 1 }
        let chain = graph.inputs.count == 1 && graph.nodes.allSatisfy { $0.inputs.count <= 1 } && usage.values.allSatisfy { $0 == 1 }
            && Set(graph.nodes.flatMap { $0.inputs.map(\.key) }).count == graph.nodes.filter { !$0.inputs.isEmpty }.count
        guard !chain else { return nil }
        let indices = NodeIndices(graph)
        var result: [ObjectIdentifier: [String]] = [:]
        for node in graph.nodes.sorted(by: { $0.sequence < $1.sequence }) where !node.inputs.isEmpty {
            result[ObjectIdentifier(node.layer), default: []] += node.inputs.map {
                "\($0.layer.name)[\(indices.index(of: $0.node, inArguments: true))][\($0.index)]"
            }
        }
        return result.mapValues { $0.joined(separator: ", ") }
    }
}

/// The box-drawn table of Keras 3's `summary()`.
struct SummaryTable {
    let widths: [Int]
    let rightAligned: [Bool]

    func render(header: [String], rows: [[String]]) -> String {
        func line(_ left: String, _ fill: String, _ middle: String, _ right: String) -> String {
            left + widths.map { String(repeating: fill, count: $0) }.joined(separator: middle) + right + "\n"
        }
        // Each cell wraps at spaces, as rich does; a word too long for its column ends in "…".
        func cells(_ values: [String], _ bar: String) -> String {
            let columns = zip(values, widths).map { Self.wrap($0, width: $1 - 2) }
            let height = columns.map(\.count).max() ?? 1
            var text = ""
            for line in 0..<height {
                let parts = zip(columns, zip(widths, rightAligned)).map { lines, layout -> String in
                    let (width, right) = layout
                    let cell = line < lines.count ? lines[line] : ""
                    let padding = String(repeating: " ", count: width - 2 - cell.count)
                    return " " + (right ? padding + cell : cell + padding) + " "
                }
                text += bar + parts.joined(separator: bar) + bar + "\n"
            }
            return text
        }
        var text = line("┏", "━", "┳", "┓") + cells(header, "┃") + line("┡", "━", "╇", "┩")
        for (index, row) in rows.enumerated() {
            text += cells(row, "│")
            if index < rows.count - 1 { text += line("├", "─", "┼", "┤") }
        }
        return text + line("└", "─", "┴", "┘")
    }

    /// `text` in lines of at most `width` characters, broken at spaces.
    static func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var current = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: true).map(String.init) {
            let word = word.count > width ? String(word.prefix(width - 1)) + "…" : word
            if current.isEmpty {
                current = word
            } else if current.count + 1 + word.count <= width {
                current += " " + word
            } else {
                lines.append(current)
                current = word
            }
        }
        return lines + [current]
    }

    /// `407,050 (1.55 MB)`: a parameter count and its size as float32.
    static func count(_ n: Int) -> String {
        "\(grouped(n)) (\(bytes(n * 4)))"
    }

    static func grouped(_ n: Int) -> String {
        let digits = Array(String(n))
        var result = ""
        for (i, digit) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { result += "," }
            result.append(digit)
        }
        return result
    }

    /// Keras' `readable_memory_size`: binary units with two decimals.
    static func bytes(_ n: Int) -> String {
        let units = ["B", "KB", "MB", "GB", "TB"]
        var size = Double(n)
        var unit = 0
        while size >= 1024 && unit < units.count - 1 {
            size /= 1024
            unit += 1
        }
        return String(format: "%.2f", size) + " " + units[unit]
    }
}

/// One layer of a model as a diagram shows it (`plotModel` in KerasPlot): its name, class,
/// output shape, and the layers it reads from.
public struct LayerDiagramEntry: Sendable, Equatable {
    public let name: String
    public let className: String
    public let outputShape: String
    public let inputs: [String]
}

extension Model {
    /// The model's layers with their connections, in order: a Functional model's graph, or the
    /// chain of a `Sequential` (its input first).
    public var layerDiagram: [LayerDiagramEntry] {
        let shapes = summaryShapes()
        guard let graph else {
            var previous: String? = nil
            var entries: [LayerDiagramEntry] = []
            if let sequential = self as? Sequential, let shape = sequential.builtInputShape {
                entries.append(LayerDiagramEntry(name: "input_layer", className: "InputLayer", outputShape: formatShape(shape), inputs: []))
                previous = "input_layer"
            }
            for (layer, shape) in zip(layers, shapes) {
                entries.append(LayerDiagramEntry(name: layer.name, className: type(of: layer).kerasClassName,
                                                 outputShape: shape ?? "?", inputs: previous.map { [$0] } ?? []))
                previous = layer.name
            }
            return entries
        }
        return zip(graph.layers, shapes).map { layer, shape in
            let inputs = graph.nodes.filter { $0.layer === layer }.flatMap { $0.inputs.map(\.layer.name) }
            var unique: [String] = []
            for name in inputs where !unique.contains(name) { unique.append(name) }
            return LayerDiagramEntry(name: layer.name, className: type(of: layer).kerasClassName, outputShape: shape ?? "?", inputs: unique)
        }
    }
}
