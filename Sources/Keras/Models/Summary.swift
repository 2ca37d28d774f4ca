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
            table = SummaryTable(widths: [21, 19, 13, 18], rightAligned: [false, false, true, false])
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
    /// called more than once, `nil` when unknown.
    func summaryShapes() -> [String?] {
        if let sequential = self as? Sequential { return sequential.outputShapes().map { $0.map(formatShape) } }
        guard let graph else { return layers.map { _ in nil } }
        return layers.map { layer in
            let nodes = graph.nodes.filter { $0.layer === layer }
            guard nodes.count == 1 else { return "multiple" }
            return nodes[0].outputShapes.map(formatShape).joined(separator: ", ")
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
        var result: [ObjectIdentifier: String] = [:]
        for node in graph.nodes where !node.inputs.isEmpty {
            let text = node.inputs.map { "\($0.layer.name)[\(indices.index(of: $0.node, inArguments: true))][\($0.index)]" }
            let key = ObjectIdentifier(node.layer)
            result[key] = (result[key].map { [$0] } ?? []) .joined() + (result[key] == nil ? "" : ", ") + text.joined(separator: ", ")
        }
        return result
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
        func cells(_ values: [String], _ bar: String) -> String {
            let parts = zip(values, zip(widths, rightAligned)).map { value, layout -> String in
                let (width, right) = layout
                let text = value.count > width - 2 ? String(value.prefix(width - 3)) + "…" : value
                let padding = String(repeating: " ", count: width - 2 - text.count)
                return " " + (right ? padding + text : text + padding) + " "
            }
            return bar + parts.joined(separator: bar) + bar + "\n"
        }
        var text = line("┏", "━", "┳", "┓") + cells(header, "┃") + line("┡", "━", "╇", "┩")
        for (index, row) in rows.enumerated() {
            text += cells(row, "│")
            if index < rows.count - 1 { text += line("├", "─", "┼", "┤") }
        }
        return text + line("└", "─", "┴", "┘")
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
