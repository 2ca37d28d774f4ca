/// The layer calls between a Functional model's inputs and outputs, checked and ordered when the
/// model is made (Keras' `map_graph`), and run in that order on real batches.
final class FunctionalGraph {
    let inputs: [SymbolicTensor]
    let outputs: [SymbolicTensor]
    /// Every call in the graph, each after the calls it reads from.
    let nodes: [LayerNode]
    /// The layers in Keras' order: by depth from the outputs, deepest (inputs) first, ties in the
    /// order a depth-first walk from the outputs meets them. Weight paths are numbered in it.
    let layers: [Layer]
    /// The calls of the graph, for the node indices Keras writes.
    let nodeSet: Set<ObjectIdentifier>

    /// Maps the graph from `outputs` back to `inputs`. Throws, naming the layers, when an
    /// output needs a tensor that is not computed from the inputs, when an input reaches no
    /// output, or when two layers share a name.
    init(inputs: [SymbolicTensor], outputs: [SymbolicTensor], modelName: String) throws {
        guard !inputs.isEmpty, !outputs.isEmpty else {
            throw KerasError.invalidArgument(name: "Model '\(modelName)'", value: "\(inputs.count) inputs, \(outputs.count) outputs",
                                             expected: "at least one input and one output tensor")
        }
        self.inputs = inputs
        self.outputs = outputs
        let inputKeys = Set(inputs.map(\.key))

        // Depth-first from the outputs: post-order gives a topological order of the calls;
        // the first visit of each layer gives its traversal index.
        var finished = Set<ObjectIdentifier>(), inProgress = Set<ObjectIdentifier>()
        var ordered: [LayerNode] = []
        var layerIndex: [ObjectIdentifier: Int] = [:]
        func visit(_ tensor: SymbolicTensor) throws {
            let node = tensor.node
            let id = ObjectIdentifier(node)
            if finished.contains(id) { return }
            if !node.isInput && inputKeys.contains(tensor.key) {
                finished.insert(id)
                return
            }
            guard !inProgress.contains(id) else {
                throw KerasError.invalidArgument(name: "Model '\(modelName)'", value: "layer '\(node.layer.name)'",
                                                 expected: "a graph without cycles; '\(node.layer.name)' feeds back into its own input")
            }
            if layerIndex[ObjectIdentifier(node.layer)] == nil { layerIndex[ObjectIdentifier(node.layer)] = layerIndex.count }
            inProgress.insert(id)
            for input in node.inputs { try visit(input) }
            inProgress.remove(id)
            finished.insert(id)
            ordered.append(node)
        }
        for output in outputs { try visit(output) }

        // Every tensor a call reads must come from the inputs.
        var computable = inputKeys
        for node in ordered where !node.isInput {
            for input in node.inputs where !computable.contains(input.key) {
                let source = input.node.isInput ? "input '\(input.layer.name)', which is not among the model's inputs"
                                                : "layer '\(input.layer.name)', which is not computed from the model's inputs"
                throw KerasError.invalidArgument(
                    name: "Model '\(modelName)'", value: "graph disconnected at layer '\(node.layer.name)'",
                    expected: "outputs computed from the inputs; '\(node.layer.name)' reads a tensor of \(source). Add it to inputs: or rebuild the graph from the given inputs")
            }
            for output in node.outputs { computable.insert(output.key) }
        }
        // Every input must reach an output.
        let used = Set(ordered.flatMap { $0.inputs.map(\.key) } + outputs.map(\.key))
        for input in inputs where !used.contains(input.key) {
            throw KerasError.invalidArgument(name: "Model '\(modelName)'", value: "input '\(input.name)'",
                                             expected: "inputs that every reach an output; '\(input.name)' is used by no layer on the way to the outputs. Remove it from inputs: or connect it")
        }

        // Depths: outputs' calls 0, each call's inputs at least one deeper (Keras' map_graph).
        var nodeDepth: [ObjectIdentifier: Int] = [:], layerDepth: [ObjectIdentifier: Int] = [:]
        let inGraph = Set(ordered.map { ObjectIdentifier($0) })
        for node in ordered.reversed() {
            var depth = nodeDepth[ObjectIdentifier(node), default: 0]
            depth = max(depth, layerDepth[ObjectIdentifier(node.layer), default: 0])
            layerDepth[ObjectIdentifier(node.layer)] = depth
            nodeDepth[ObjectIdentifier(node)] = depth
            for input in node.inputs where inGraph.contains(ObjectIdentifier(input.node)) {
                let id = ObjectIdentifier(input.node)
                nodeDepth[id] = max(depth + 1, nodeDepth[id, default: 0])
            }
        }
        var uniqueLayers: [Layer] = []
        var seen = Set<ObjectIdentifier>()
        for node in ordered where seen.insert(ObjectIdentifier(node.layer)).inserted { uniqueLayers.append(node.layer) }
        layers = uniqueLayers.sorted {
            let (a, b) = (ObjectIdentifier($0), ObjectIdentifier($1))
            return layerDepth[a]! != layerDepth[b]! ? layerDepth[a]! > layerDepth[b]! : layerIndex[a]! < layerIndex[b]!
        }
        nodes = ordered
        nodeSet = inGraph

        var names: [String: Int] = [:]
        for layer in layers { names[layer.name, default: 0] += 1 }
        if let (name, count) = names.first(where: { $0.value > 1 }) {
            throw KerasError.invalidArgument(name: "Model '\(modelName)'", value: "layer name '\(name)' used \(count) times",
                                             expected: "unique layer names (saved files refer to layers by name); pass name: to tell them apart")
        }
    }

    /// Runs the graph on batches, one per input, with optional input masks.
    func run(_ values: [Tensor], masks: [Tensor?], training: Bool) throws -> [Tensor] {
        guard values.count == inputs.count else {
            throw KerasError.invalidArgument(name: "model inputs", value: "\(values.count) arrays",
                                             expected: "\(inputs.count) (one per input: \(inputs.map(\.name).joined(separator: ", ")))")
        }
        var computed: [TensorKey: (Tensor, Tensor?)] = [:]
        for (index, (input, value)) in zip(inputs, values).enumerated() {
            try Self.check(value, against: input)
            computed[input.key] = (value, index < masks.count ? masks[index] : nil)
        }
        for node in nodes where !node.isInput {
            let arguments = node.inputs.map { computed[$0.key]! }
            let inputTensors = arguments.map(\.0), inputMasks = arguments.map(\.1)
            let results = try node.layer.call(inputTensors, masks: inputMasks, training: training)
            let outputMasks = try node.layer.computeMask(inputTensors, masks: inputMasks)
            for (index, result) in results.enumerated() {
                computed[TensorKey(node: ObjectIdentifier(node), index: index)] = (result, index < outputMasks.count ? outputMasks[index] : nil)
            }
        }
        return outputs.map { computed[$0.key]!.0 }
    }

    /// Checks a batch against the shape of the input it is given for.
    static func check(_ value: Tensor, against input: SymbolicTensor) throws {
        let expected = input.shape
        let matches = value.rank == expected.count && zip(value.shape, expected).dropFirst().allSatisfy { $1 == nil || $0 == $1 }
        guard matches else {
            throw KerasError.shapeMismatch(context: "Input '\(input.name)'", expected: formatShape(expected),
                                           got: formatShape([nil] + value.shape.dropFirst().map { $0 }),
                                           fix: "Each sample of this input must have shape \(formatShape(Array(expected.dropFirst()))).")
        }
    }
}
