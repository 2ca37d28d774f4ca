/// Cells run one after the other at each step, each feeding the next (Keras' `StackedRNNCells`):
/// `RNN([LSTMCell(64), LSTMCell(32)])`. The states are every cell's, in order.
public final class StackedRNNCells: RecurrentCell {
    public let cells: [RecurrentCell]

    public init(_ cells: [RecurrentCell], name: String? = nil) {
        self.cells = cells
        super.init(name: name)
    }

    public override var stateSize: [Int] { cells.flatMap(\.stateSize) }
    public override var outputSize: Int { cells.last?.outputSize ?? 0 }

    public override func build(inputShape: [Int?]) throws {
        guard !cells.isEmpty else {
            throw KerasError.invalidArgument(name: "StackedRNNCells cells", value: "[]", expected: "at least one cell")
        }
        var shape = inputShape
        for cell in cells {
            try cell.buildIfNeeded(inputShape: shape)
            shape = [shape[0], cell.outputSize]
        }
    }

    public override func prepareForSequence(batchSize: Int, features: Int, training: Bool) {
        var features = features
        for cell in cells {
            cell.prepareForSequence(batchSize: batchSize, features: features, training: training)
            features = cell.outputSize
        }
    }

    /// Each cell's share of the flattened states.
    private func split(_ states: [Tensor]) -> [[Tensor]] {
        var offset = 0
        return cells.map { cell in
            defer { offset += cell.stateSize.count }
            return Array(states[offset..<(offset + cell.stateSize.count)])
        }
    }

    public override func step(_ input: Tensor, states: [Tensor], training: Bool) throws -> (output: Tensor, states: [Tensor]) {
        var x = input, new: [Tensor] = []
        for (cell, own) in zip(cells, split(states)) {
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
        for (cell, own) in zip(cells, split(initialState)) {
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
