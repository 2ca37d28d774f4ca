// A Functional model's config, both ways, as Keras 3 writes it (`models/functional.py`):
// `layers`, each with its `inbound_nodes` (`{"args": [...], "kwargs": {...}}`, tensors as
// `__keras_tensor__` objects carrying `keras_history: [layer, node, tensor]`), then
// `input_layers` and `output_layers` as `[layer, node, tensor]` triples.

extension Model {
    /// Keras' Functional `get_config()`.
    func functionalConfig(_ graph: FunctionalGraph) throws -> [ConfigField] {
        let indices = NodeIndices(graph)
        var layerConfigs: [ConfigValue] = []
        for layer in graph.layers {
            guard case .object(var fields) = try layer.serialized() else { continue }
            let nodes = try indices.nodes(of: layer).filter { !$0.isInput }.map { node -> ConfigValue in
                let tensors = node.inputs.map { indices.history($0, inArguments: true) }
                let argument: ConfigValue = tensors.count == 1 ? tensors[0] : .array(tensors)
                let kwargs: [ConfigField] = layer is Model ? [ConfigField("mask", .null)] : []
                return .object([ConfigField("args", .array([argument])), ConfigField("kwargs", .object(kwargs))])
            }
            fields.removeAll { $0.key == "name" || $0.key == "inbound_nodes" }
            fields.append(ConfigField("name", .string(layer.name)))
            fields.append(ConfigField("inbound_nodes", .array(nodes)))
            layerConfigs.append(.object(fields))
        }
        func triples(_ tensors: [SymbolicTensor]) -> ConfigValue {
            let values = tensors.map { tensor in
                ConfigValue.array([.string(tensor.layer.name), .int(indices.index(of: tensor.node, inArguments: false)), .int(tensor.index)])
            }
            return values.count == 1 ? values[0] : .array(values)
        }
        return [ConfigField("name", .string(name)), ConfigField("trainable", .bool(trainable)),
                ConfigField("layers", .array(layerConfigs)),
                ConfigField("input_layers", triples(graph.inputs)), ConfigField("output_layers", triples(graph.outputs))]
    }

    /// Rebuilds a Functional model from its config: every layer, then each layer call once the
    /// tensors it reads exist (calls of a shared layer can wait on one another).
    convenience init(functionalConfig reader: ConfigReader) throws {
        guard case let .array(entries)? = reader.value("layers") else {
            throw KerasError.invalidData("\(reader.context) config has no 'layers' list")
        }
        var layers: [(name: String, layer: Layer, nodes: [ConfigValue])] = []
        var outputs: [String: [[SymbolicTensor]]] = [:]
        for entry in entries {
            let layer = try Layers.deserialize(entry)
            let name = entry["name"]?.stringValue ?? layer.name
            guard outputs[name] == nil else {
                throw KerasError.invalidData("\(reader.context): two layers are named '\(name)'")
            }
            layer.name = name
            outputs[name] = (layer as? InputLayer).map { [[$0.makeOutput()]] } ?? []
            let nodes: [ConfigValue] = if case let .array(nodes)? = entry["inbound_nodes"] { nodes } else { [] }
            layers.append((name, layer, nodes))
        }
        let byName = Dictionary(layers.map { ($0.name, $0.layer) }, uniquingKeysWith: { first, _ in first })

        /// The tensor a `[layer, node, tensor]` history names, or `nil` when its call is not made yet.
        func tensor(_ history: [ConfigValue], outputTriple: Bool) throws -> SymbolicTensor? {
            guard history.count >= 3, let layerName = history[0].stringValue, let node = history[1].intValue,
                  let index = history[2].intValue else {
                throw KerasError.invalidData("\(reader.context): a tensor reference is not [layer, node, tensor]: \(ConfigValue.array(history).json)")
            }
            guard let made = outputs[layerName], let layer = byName[layerName] else {
                throw KerasError.invalidData("\(reader.context): a call reads the output of layer '\(layerName)', which the config does not define")
            }
            let position = node - (outputTriple && NodeIndices.countsOwnNode(layer) ? 1 : 0)
            guard position < made.count else { return nil }
            guard position >= 0, index < made[position].count else {
                throw KerasError.invalidData("\(reader.context): layer '\(layerName)' has no output [\(node), \(index)]")
            }
            return made[position][index]
        }

        /// The tensors a node's `args` and `kwargs` (or a Keras 2 node list) read, in order.
        func inputs(of node: ConfigValue) throws -> [SymbolicTensor]? {
            var found: [SymbolicTensor] = []
            func collect(_ value: ConfigValue, legacy: Bool) throws -> Bool {
                switch value {
                case .object where value["class_name"]?.stringValue == "__keras_tensor__":
                    guard case let .array(history)? = value["config"]?["keras_history"] else {
                        throw KerasError.invalidData("\(reader.context): a tensor without keras_history")
                    }
                    guard let tensor = try tensor(history, outputTriple: false) else { return false }
                    found.append(tensor)
                case let .array(items) where legacy && items.first?.stringValue != nil:
                    guard let tensor = try tensor(items, outputTriple: false) else { return false }
                    found.append(tensor)
                case let .array(items):
                    for item in items where try !collect(item, legacy: legacy) { return false }
                case let .object(fields):
                    for field in fields where field.key != "mask" { if try !collect(field.value, legacy: legacy) { return false } }
                default: break
                }
                return true
            }
            if case .object = node {
                guard try collect(node["args"] ?? .null, legacy: false), try collect(node["kwargs"] ?? .null, legacy: false) else { return nil }
            } else {
                guard try collect(node, legacy: true) else { return nil }
            }
            return found
        }

        var pending = layers.map { ($0.name, $0.layer, $0.nodes[...]) }
        while pending.contains(where: { !$0.2.isEmpty }) {
            var progressed = false
            for index in pending.indices {
                let (name, layer, _) = pending[index]
                while let node = pending[index].2.first, let tensors = try inputs(of: node) {
                    outputs[name]!.append(try layer.callAll(tensors))
                    pending[index].2.removeFirst()
                    progressed = true
                }
            }
            guard progressed else {
                let stuck = pending.filter { !$0.2.isEmpty }.map { "'\($0.0)'" }
                throw KerasError.invalidData(
                    "\(reader.context): the graph has a cycle or reads layers that are never called; cannot connect layers \(stuck.joined(separator: ", "))")
            }
        }

        func tensors(_ key: String) throws -> [SymbolicTensor] {
            guard case let .array(items)? = reader.value(key) else {
                throw KerasError.invalidData("\(reader.context) config has no '\(key)'")
            }
            let triples: [[ConfigValue]] = if items.first?.stringValue != nil { [items] } else {
                items.compactMap { if case let .array(triple) = $0 { triple } else { nil } }
            }
            return try triples.map { triple in
                guard let found = try tensor(triple, outputTriple: true) else {
                    throw KerasError.invalidData("\(reader.context): '\(key)' names a call that is never made: \(ConfigValue.array(triple).json)")
                }
                return found
            }
        }
        try self.init(inputs: try tensors("input_layers"), outputs: try tensors("output_layers"),
                      name: reader.layerName, trainable: try reader.bool("trainable", default: true))
    }
}

/// The node indices Keras writes for a graph's calls: a layer's calls in this graph, in the
/// order they were made.
struct NodeIndices {
    private var byLayer: [ObjectIdentifier: [LayerNode]] = [:]

    init(_ graph: FunctionalGraph) {
        for node in graph.nodes.sorted(by: { $0.sequence < $1.sequence }) {
            byLayer[ObjectIdentifier(node.layer), default: []].append(node)
        }
    }

    func nodes(of layer: Layer) throws -> [LayerNode] { byLayer[ObjectIdentifier(layer)] ?? [] }

    /// Keras counts a call of a nested Functional model after the model's own node in
    /// `input_layers` / `output_layers` (not in a call's arguments).
    static func countsOwnNode(_ layer: Layer) -> Bool { (layer as? Model)?.graph != nil }

    func index(of node: LayerNode, inArguments: Bool) -> Int {
        let position = byLayer[ObjectIdentifier(node.layer)]?.firstIndex { $0 === node } ?? 0
        return position + (!inArguments && Self.countsOwnNode(node.layer) ? 1 : 0)
    }

    /// The `__keras_tensor__` object of a call's input.
    func history(_ tensor: SymbolicTensor, inArguments: Bool) -> ConfigValue {
        .object([
            ConfigField("class_name", .string("__keras_tensor__")),
            ConfigField("config", .object([
                ConfigField("shape", .shape(tensor.shape)), ConfigField("dtype", .string("float32")),
                ConfigField("keras_history", .array([.string(tensor.layer.name), .int(index(of: tensor.node, inArguments: inArguments)),
                                                     .int(tensor.index)])),
            ])),
        ])
    }
}
