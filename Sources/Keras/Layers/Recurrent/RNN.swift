/// Runs a recurrent cell over sequences (Keras' `RNN`): `[batch, time, features]` in; the last
/// output `[batch, units]`, or every output `[batch, time, units]` with `returnSequences`, and
/// with `returnState` the final states after it. A convolutional cell's steps are images:
/// `[batch, time, spatial..., channels]` in (`ConvLSTM2D`).
///
/// ```swift
/// RNN(LSTMCell(32))                                  // the same as LSTM(32), fused the same way
/// RNN([GRUCell(32), GRUCell(16)], returnSequences: true)   // stacked cells
/// RNN(MyCell(units: 8))                              // your own RecurrentCell, one step at a time
/// ```
/// A mask (from `Embedding(maskZero: true)` or `Masking`) skips steps: a masked step keeps the
/// states and repeats the previous output (zeros with `zeroOutputForMask`). Initial states may
/// follow the sequence as further inputs (`layer.callAll([x, h0, c0])`); with `stateful` the
/// final states of a batch start the next one, until `resetStates()`.
open class RNN: Layer {
    public let cell: RecurrentCell
    public let returnSequences: Bool
    public let returnState: Bool
    public let goBackwards: Bool
    public let stateful: Bool
    /// Accepted for Keras compatibility; the loop is never unrolled (the fused passes are faster).
    public let unroll: Bool
    /// Whether masked steps output zeros rather than the previous output (`Bidirectional` sets
    /// it when it returns sequences, as Keras does).
    public var zeroOutputForMask: Bool
    /// The states a stateful layer carries to its next batch.
    public private(set) var states: [Tensor]?

    /// The designated form, for subclasses: the cell and the options of Keras' `RNN`.
    public init(_ cell: RecurrentCell, options: RecurrentLayerOptions, inputShape: [Int]?, name: String?) {
        self.cell = cell
        returnSequences = options.returnSequences
        returnState = options.returnState
        goBackwards = options.goBackwards
        stateful = options.stateful
        unroll = options.unroll
        zeroOutputForMask = options.zeroOutputForMask
        super.init(name: name, inputShape: inputShape)
    }

    public convenience init(
        _ cell: RecurrentCell, returnSequences: Bool = false, returnState: Bool = false, goBackwards: Bool = false,
        stateful: Bool = false, unroll: Bool = false, zeroOutputForMask: Bool = false, inputShape: [Int]? = nil,
        name: String? = nil
    ) {
        self.init(cell, options: RecurrentLayerOptions(returnSequences: returnSequences, returnState: returnState,
                                                       goBackwards: goBackwards, stateful: stateful, unroll: unroll,
                                                       zeroOutputForMask: zeroOutputForMask),
                  inputShape: inputShape, name: name)
    }

    /// Stacked cells: each step runs them in order, each feeding the next (Keras' `StackedRNNCells`).
    public convenience init(
        _ cells: [RecurrentCell], returnSequences: Bool = false, returnState: Bool = false, goBackwards: Bool = false,
        stateful: Bool = false, inputShape: [Int]? = nil, name: String? = nil
    ) {
        self.init(StackedRNNCells(cells), returnSequences: returnSequences, returnState: returnState,
                  goBackwards: goBackwards, stateful: stateful, inputShape: inputShape, name: name)
    }

    /// Sets a stateful layer's states back to zeros (Keras' `reset_states`).
    public func resetStates() { states = states?.map { Tensor.zeros($0.shape) } }

    public override func build(inputShapes: [[Int?]]) throws {
        try cell.buildIfNeeded(inputShape: try stepShape(ofSequence: inputShapes[0]))
    }

    /// The shape of one step of a sequence of `shape`: the time axis removed.
    private func stepShape(ofSequence shape: [Int?]) throws -> [Int?] {
        guard shape.count >= 3 else {
            throw shapeError(expected: "(batch, time, features)", got: shape,
                             fix: "Recurrent layers read sequences; give the first layer inputShape: [time, features].")
        }
        return [shape[0]] + shape.dropFirst(2)
    }

    public override func outputShapes(forInputShapes inputShapes: [[Int?]]) throws -> [[Int?]] {
        let sequence = inputShapes[0], step = try stepShape(ofSequence: sequence)
        let output = try cell.outputShape(forInputShape: step)
        let outputs = returnSequences ? [output[0], sequence[1]] + output.dropFirst() : output
        return try [outputs] + (returnState ? cell.stateShapes(forInputShape: step) : [])
    }

    public override func outputShape(forInputShape inputShape: [Int?]) throws -> [Int?] {
        try outputShapes(forInputShapes: [inputShape])[0]
    }

    public override func call(_ input: Tensor, training: Bool) throws -> Tensor {
        try singleOutput(try call([input], masks: [nil], training: training))
    }

    public override func computeMask(_ inputs: [Tensor], masks: [Tensor?]) throws -> [Tensor?] {
        try [returnSequences ? masks.first ?? nil : nil] + (returnState ? cell.stateSize.map { _ in nil } : [])
    }

    public override func call(_ inputs: [Tensor], masks: [Tensor?], training: Bool) throws -> [Tensor] {
        let sequence = inputs[0]
        let shape = [nil] + sequence.shape.dropFirst().map { Optional($0) }
        let built = builtInputShapes?.first ?? [nil, nil, nil]
        guard sequence.rank == built.count, sequence.shape[1] > 0,
              zip(built, sequence.shape).dropFirst(2).allSatisfy({ $0 == nil || $0 == $1 }) else {
            throw shapeError(expected: formatShape(built), got: shape,
                             fix: "Pass sequences of shape (batch, time, features) with at least one step and the features the layer was built for.")
        }
        let (batch, time) = (sequence.shape[0], sequence.shape[1])
        let stepShape = [batch] + sequence.shape.dropFirst(2)
        let initial = try initialStates(Array(inputs.dropFirst()), stepShape: stepShape)
        let mask = masks.first ?? nil
        if let mask, mask.shape != [batch, time] {
            throw shapeError(expected: "a mask of shape (batch, time) = \(formatShape([batch, time]))", got: mask.shape.map { $0 },
                             fix: "Masks mark time steps: one value per sample and step.")
        }
        try cell.prepareForSequence(stepShape: stepShape, training: training)
        var result = try cell.fusedPass(sequence, initialState: initial, mask: mask, goBackwards: goBackwards, training: training)
            ?? stepByStep(sequence, initial: initial, mask: mask, training: training)
        if zeroOutputForMask, let mask {
            let stepOrder = goBackwards ? mask.flipped(axis: 1) : mask
            result.outputs = result.outputs * stepOrder.reshaped(to: [batch, time] + Array(repeating: 1, count: sequence.rank - 2))
        }
        if stateful { states = result.states.map(\.detached) }
        let last = result.outputs[.all, time - 1]
        return [returnSequences ? result.outputs : last] + (returnState ? result.states : [])
    }

    /// The states to start from: given as inputs, carried (stateful), or the cell's zeros.
    private func initialStates(_ given: [Tensor], stepShape: [Int]) throws -> [Tensor] {
        let zeros = try cell.initialState(forInputShape: stepShape), expected = zeros.map(\.shape)
        if given.isEmpty {
            if stateful, let states, states.map(\.shape) == expected { return states }
            return zeros
        }
        guard given.map(\.shape) == expected else {
            throw KerasError.shapeMismatch(context: "Layer '\(name)' (\(Self.kerasClassName)) initial states",
                                           expected: "\(expected)", got: "\(given.map(\.shape))",
                                           fix: "Pass one initial state per cell state (an LSTM has two: h and c), each (batch, units) or, for a ConvLSTM, (batch, rows, columns, filters).")
        }
        return given
    }

    /// Keras' generic loop: the cell once per step; a masked step keeps the states and repeats
    /// the first state as its output.
    private func stepByStep(_ sequence: Tensor, initial: [Tensor], mask: Tensor?, training: Bool) throws -> RecurrentSequence {
        let (batch, time) = (sequence.shape[0], sequence.shape[1])
        var states = initial, outputs: [Tensor] = []
        for s in 0..<time {
            let t = goBackwards ? time - 1 - s : s
            var (output, new) = try cell.step(sequence[.all, t], states: states, training: training)
            if let mask {
                let keep = mask[.all, t].reshaped(to: [batch] + Array(repeating: 1, count: sequence.rank - 2))
                output = Tensor.where(keep, output, states[0])
                new = zip(new, states).map { Tensor.where(keep, $0, $1) }
            }
            states = new
            outputs.append(output)
        }
        return RecurrentSequence(outputs: Tensor.stack(outputs, axis: 1), states: states)
    }

    // MARK: - Configuration

    /// The recurrent options of Keras' `RNN` config.
    private func recurrentConfig() -> [ConfigField] {
        [ConfigField("return_sequences", .bool(returnSequences)), ConfigField("return_state", .bool(returnState)),
         ConfigField("go_backwards", .bool(goBackwards)), ConfigField("stateful", .bool(stateful)),
         ConfigField("unroll", .bool(unroll)), ConfigField("zero_output_for_mask", .bool(zeroOutputForMask))]
    }

    open override func getConfig() throws -> [ConfigField] {
        try super.getConfig() + recurrentConfig() + cellConfig()
    }

    /// What the config says about the cell: the cell itself; `LSTM`, `GRU` and `SimpleRNN`
    /// write their cell's arguments inline instead, as Keras does.
    open func cellConfig() throws -> [ConfigField] { [ConfigField("cell", try cell.serialized())] }

    /// The layer a Keras config describes; the cell must be a built-in one or registered.
    public convenience init(config: ConfigReader) throws {
        guard let cellConfig = config.value("cell") else { throw KerasError.invalidData("\(config.context) config is missing 'cell'") }
        guard let cell = try Layers.deserialize(cellConfig) as? RecurrentCell else {
            throw KerasError.invalidArgument(name: "\(config.context).cell", value: cellConfig.json, expected: "a recurrent cell")
        }
        self.init(cell, options: try RecurrentLayerOptions(config), inputShape: try config.declaredInputShape(), name: config.layerName)
    }
}

/// The options of Keras' `RNN`, shared by every recurrent layer class.
public struct RecurrentLayerOptions: Sendable {
    public var returnSequences = false, returnState = false, goBackwards = false, stateful = false, unroll = false
    public var zeroOutputForMask = false

    public init(returnSequences: Bool = false, returnState: Bool = false, goBackwards: Bool = false, stateful: Bool = false,
                unroll: Bool = false, zeroOutputForMask: Bool = false) {
        self.returnSequences = returnSequences
        self.returnState = returnState
        self.goBackwards = goBackwards
        self.stateful = stateful
        self.unroll = unroll
        self.zeroOutputForMask = zeroOutputForMask
    }

    /// The options a Keras config holds.
    init(_ config: ConfigReader) throws {
        returnSequences = try config.bool("return_sequences", default: false)
        returnState = try config.bool("return_state", default: false)
        goBackwards = try config.bool("go_backwards", default: false)
        stateful = try config.bool("stateful", default: false)
        unroll = try config.bool("unroll", default: false)
        zeroOutputForMask = try config.bool("zero_output_for_mask", default: false)
    }
}
