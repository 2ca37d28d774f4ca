/// Runs a recurrent layer over the sequence in both directions and merges the two outputs
/// (Keras' `Bidirectional`): `Bidirectional(LSTM(64))` outputs `[batch, 128]`.
///
/// The forward layer is a fresh copy of `layer` named `forward_<name>`, the backward one a copy
/// with `goBackwards` named `backward_<name>` (or `backwardLayer`). When returning sequences the
/// backward outputs are put back in time order, and masked steps output zeros, as in Keras.
public final class Bidirectional: Layer {
    /// How the two directions' outputs are combined; `nil` returns both.
    public enum MergeMode: String, Sendable { case concat, sum, mul, ave }

    public let forwardLayer: RNN
    public let backwardLayer: RNN
    public let mergeMode: MergeMode?

    public init(_ layer: RNN, mergeMode: MergeMode? = .concat, backwardLayer: RNN? = nil, inputShape: [Int]? = nil,
                name: String? = nil) throws {
        forwardLayer = try Bidirectional.copy(of: layer, name: "forward_" + layer.name.removingPrefix("forward_"), goBackwards: nil)
        self.backwardLayer = try backwardLayer
            ?? Bidirectional.copy(of: layer, name: "backward_" + layer.name.removingPrefix("backward_"), goBackwards: true)
        self.mergeMode = mergeMode
        super.init(name: name, inputShape: inputShape ?? layer.declaredInputShape)
        guard forwardLayer.goBackwards != self.backwardLayer.goBackwards,
              forwardLayer.returnSequences == self.backwardLayer.returnSequences,
              forwardLayer.returnState == self.backwardLayer.returnState,
              forwardLayer.stateful == self.backwardLayer.stateful else {
            throw KerasError.invalidArgument(
                name: "Bidirectional(backwardLayer:)", value: self.backwardLayer.name,
                expected: "a layer with the opposite goBackwards and the same returnSequences, returnState and stateful as the forward one")
        }
        for direction in [forwardLayer, self.backwardLayer] { direction.zeroOutputForMask = direction.returnSequences }
    }

    /// A fresh layer from `layer`'s config, renamed (Keras rebuilds both directions this way).
    private static func copy(of layer: RNN, name: String, goBackwards: Bool?) throws -> RNN {
        var fields = try layer.getConfig().filter { $0.key != "name" && $0.key != "go_backwards" }
        fields.insert(ConfigField("name", .string(name)), at: 0)
        fields.append(ConfigField("go_backwards", .bool(goBackwards ?? layer.goBackwards)))
        let object = KerasObject(module: "keras.layers", className: type(of: layer).kerasClassName, config: fields,
                                 registeredName: CustomObjects.registeredName(of: type(of: layer)))
        guard let copy = try Layers.deserialize(object.value) as? RNN else {
            throw KerasError.invalidArgument(name: "Bidirectional layer", value: layer.name, expected: "a recurrent layer (RNN, LSTM, GRU, SimpleRNN)")
        }
        return copy
    }

    public var returnSequences: Bool { forwardLayer.returnSequences }
    public var returnState: Bool { forwardLayer.returnState }

    public override func build(inputShapes: [[Int?]]) throws {
        try forwardLayer.buildIfNeeded(inputShapes: [inputShapes[0]])
        try backwardLayer.buildIfNeeded(inputShapes: [inputShapes[0]])
    }

    public override func outputShapes(forInputShapes inputShapes: [[Int?]]) throws -> [[Int?]] {
        let shapes = try forwardLayer.outputShapes(forInputShapes: [inputShapes[0]])
        var output = shapes[0]
        if mergeMode == .concat, let last = output.last ?? nil { output[output.count - 1] = 2 * last }
        let states = Array(shapes.dropFirst())
        return (mergeMode == nil ? [output, output] : [output]) + states + states
    }

    public override func outputShape(forInputShape inputShape: [Int?]) throws -> [Int?] {
        try outputShapes(forInputShapes: [inputShape])[0]
    }

    public override func call(_ input: Tensor, training: Bool) throws -> Tensor {
        try singleOutput(try call([input], masks: [nil], training: training))
    }

    public override func call(_ inputs: [Tensor], masks: [Tensor?], training: Bool) throws -> [Tensor] {
        let initial = Array(inputs.dropFirst()), half = initial.count / 2
        let mask = masks.first ?? nil
        let forward = try forwardLayer.call([inputs[0]] + initial.prefix(half), masks: [mask], training: training)
        let backward = try backwardLayer.call([inputs[0]] + initial.suffix(initial.count - half), masks: [mask], training: training)
        let (y, reversed) = (forward[0], returnSequences ? backward[0].flipped(axis: 1) : backward[0])
        let outputs: [Tensor] = switch mergeMode {
        case .concat?: [Tensor.concatenate([y, reversed], axis: -1)]
        case .sum?: [y + reversed]
        case .mul?: [y * reversed]
        case .ave?: [(y + reversed) / 2]
        case nil: [y, reversed]
        }
        return outputs + forward.dropFirst() + backward.dropFirst()
    }

    public override func computeMask(_ inputs: [Tensor], masks: [Tensor?]) throws -> [Tensor?] {
        let mask = returnSequences ? masks.first ?? nil : nil
        let states = try returnState ? [Tensor?](repeating: nil, count: 2 * forwardLayer.cell.stateSize.count) : []
        return (mergeMode == nil ? [mask, mask] : [mask]) + states
    }

    // MARK: - Configuration

    public override func getConfig() throws -> [ConfigField] {
        try super.getConfig() + [
            ConfigField("merge_mode", mergeMode.map { .string($0.rawValue) } ?? .null),
            ConfigField("layer", try forwardLayer.serialized()),
            ConfigField("backward_layer", try backwardLayer.serialized()),
        ]
    }

    /// The layer a Keras config describes.
    public convenience init(config: ConfigReader) throws {
        func recurrent(_ key: String) throws -> RNN? {
            guard let value = config.value(key) else { return nil }
            guard let layer = try Layers.deserialize(value) as? RNN else {
                throw KerasError.invalidArgument(name: "\(config.context).\(key)", value: value.json, expected: "a recurrent layer")
            }
            return layer
        }
        guard let layer = try recurrent("layer") else { throw KerasError.invalidData("\(config.context) config has no 'layer'") }
        let mode = try config.optionalString("merge_mode")
        guard mode == nil || MergeMode(rawValue: mode!) != nil else {
            throw KerasError.unknownName(kind: "Bidirectional merge mode", name: mode!, valid: ["concat", "sum", "mul", "ave"])
        }
        try self.init(layer, mergeMode: mode.flatMap(MergeMode.init), backwardLayer: try recurrent("backward_layer"),
                      inputShape: try config.declaredInputShape(), name: config.layerName)
    }
}

extension String {
    func removingPrefix(_ prefix: String) -> String { hasPrefix(prefix) ? String(dropFirst(prefix.count)) : self }
}
