/// Cells run one after the other at each step, each feeding the next (Keras' `StackedRNNCells`):
/// `RNN([LSTMCell(64), LSTMCell(32)])`. The states are every cell's, in order.
public final class StackedRNNCells: RecurrentCell {
    public let cells: [RecurrentCell]

    public init(_ cells: [RecurrentCell], name: String? = nil) {
        self.cells = cells
        super.init(name: name)
    }

    public override var stateSize: [Int] { get throws { try cells.flatMap { try $0.stateSize } } }
    public override var outputSize: Int { get throws { try cells.last?.outputSize ?? 0 } }

    /// Each cell's step input shape: the first cell's is `inputShape`, the others' the output of the one before.
    private func cellInputShapes(_ inputShape: [Int?]) throws -> [[Int?]] {
        var shape = inputShape, result: [[Int?]] = []
        for cell in cells {
            result.append(shape)
            shape = try cell.outputShape(forInputShape: shape)
        }
        return result
    }

    public override func build(inputShape: [Int?]) throws {
        guard !cells.isEmpty else {
            throw KerasError.invalidArgument(name: "StackedRNNCells cells", value: "[]", expected: "at least one cell")
        }
        for (cell, shape) in zip(cells, try cellInputShapes(inputShape)) { try cell.buildIfNeeded(inputShape: shape) }
    }

    public override func outputShape(forInputShape inputShape: [Int?]) throws -> [Int?] {
        try cells.last.map { try $0.outputShape(forInputShape: try cellInputShapes(inputShape).last!) } ?? inputShape
    }

    public override func stateShapes(forInputShape inputShape: [Int?]) throws -> [[Int?]] {
        try zip(cells, try cellInputShapes(inputShape)).flatMap { try $0.stateShapes(forInputShape: $1) }
    }

    public override func prepareForSequence(stepShape: [Int], training: Bool) throws {
        for (cell, shape) in zip(cells, try cellInputShapes(stepShape)) {
            try cell.prepareForSequence(stepShape: shape.map { $0 ?? 0 }, training: training)
        }
    }

    /// Each cell's share of the flattened states.
    private func split(_ states: [Tensor]) throws -> [[Tensor]] {
        var offset = 0
        return try cells.map { cell in
            let count = try cell.stateSize.count
            defer { offset += count }
            return Array(states[offset..<(offset + count)])
        }
    }

    public override func step(_ input: Tensor, states: [Tensor], training: Bool) throws -> (output: Tensor, states: [Tensor]) {
        var x = input, new: [Tensor] = []
        for (cell, own) in zip(cells, try split(states)) {
            let (output, next) = try cell.step(x, states: own, training: training)
            x = output
            new += next
        }
        return (x, new)
    }

    /// Each cell's fused pass over the whole sequence in turn: the first walks the steps in the
    /// layer's direction and the others read its outputs, already in step order.
    public override func fusedPass(_ sequence: Tensor, initialState: [Tensor], mask: Tensor?, goBackwards: Bool,
                                   training: Bool) throws -> RecurrentSequence? {
        var x = sequence, mask = mask, backwards = goBackwards, states: [Tensor] = []
        for (cell, own) in zip(cells, try split(initialState)) {
            guard let result = try cell.fusedPass(x, initialState: own, mask: mask, goBackwards: backwards, training: training) else {
                return nil
            }
            if backwards { mask = mask?.flipped(axis: 1) }
            (x, backwards) = (result.outputs, false)
            states += result.states
        }
        return RecurrentSequence(outputs: x, states: states)
    }

    // MARK: - Configuration

    public override class var recordsBuildConfig: Bool { false }

    public override func getConfig() throws -> [ConfigField] {
        try super.getConfig() + [ConfigField("cells", .array(try cells.map { try $0.serialized() }))]
    }

    /// The cells a Keras config describes.
    public convenience init(config: ConfigReader) throws {
        guard case let .array(values)? = config.value("cells") else { throw KerasError.invalidData("\(config.context) config has no 'cells' list") }
        let cells = try values.map { value -> RecurrentCell in
            guard let cell = try Layers.deserialize(value) as? RecurrentCell else {
                throw KerasError.invalidArgument(name: "\(config.context).cells", value: value.json, expected: "recurrent cells")
            }
            return cell
        }
        self.init(cells, name: config.layerName)
    }
}
