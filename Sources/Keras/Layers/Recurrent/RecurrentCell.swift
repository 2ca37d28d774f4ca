/// One step of a recurrent network: from an input and the states before it, an output and the
/// states after it. `RNN` runs a cell over a sequence; `LSTMCell`, `GRUCell` and
/// `SimpleRNNCell` are Keras' cells, and your own subclass is a cell too:
///
/// ```swift
/// final class MinimalCell: RecurrentCell {
///     let units: Int
///     var kernel: Variable?, recurrentKernel: Variable?
///     init(units: Int) { self.units = units; super.init() }
///     override var stateSize: [Int] { [units] }
///     override func build(inputShape: [Int?]) throws {
///         kernel = try addWeight(name: "kernel", shape: [inputShape.last!!, units], initializer: .glorotUniform)
///         recurrentKernel = try addWeight(name: "recurrent_kernel", shape: [units, units], initializer: .orthogonal)
///     }
///     override func step(_ input: Tensor, states: [Tensor], training: Bool) throws -> (output: Tensor, states: [Tensor]) {
///         let h = (input.matmul(kernel!.value) + states[0].matmul(recurrentKernel!.value)).tanh()
///         return (h, [h])
///     }
/// }
/// let layer = RNN(MinimalCell(units: 32), returnSequences: true)
/// ```
/// A cell is built for the shape of one step's input, `[batch, features]` (for a convolutional
/// cell `[batch, spatial..., channels]`).
open class RecurrentCell: Layer {
    /// The size of each state (Keras' `state_size`): `[units]`, or `[units, units]` for an LSTM;
    /// for a convolutional cell, each state's channels. Every cell overrides it; one that does
    /// not gets an error naming it when it is used.
    open var stateSize: [Int] {
        get throws {
            throw KerasError.invalidState(
                "Cell '\(name)' (\(Self.self)) has no stateSize: override stateSize (the size of each state, as Keras' state_size) to use it in an RNN layer.")
        }
    }

    /// The size of the output of a step; by default the first state's.
    open var outputSize: Int { get throws { try stateSize[0] } }

    /// The shape of each state for a step input of `inputShape` (batch included): by default
    /// `[batch, size]` for each of `stateSize`.
    open func stateShapes(forInputShape inputShape: [Int?]) throws -> [[Int?]] {
        try stateSize.map { [inputShape.first ?? nil, $0] }
    }

    /// One step: `input` is `[batch, features]`, each state `[batch, size]`.
    open func step(_ input: Tensor, states: [Tensor], training: Bool) throws -> (output: Tensor, states: [Tensor]) {
        throw KerasError.invalidState(
            "Cell '\(name)' (\(Self.self)) has no step: override step(_:states:training:) to use it in an RNN layer.")
    }

    /// The whole sequence at once, when the cell has a fused pass for it (Keras' cells with the
    /// activations the fused kernels know); `nil` runs `step` once per time step instead.
    /// `sequence` is `[batch, time, features]`; the result's outputs are in the order the steps ran.
    open func fusedPass(_ sequence: Tensor, initialState: [Tensor], mask: Tensor?, goBackwards: Bool,
                        training: Bool) throws -> RecurrentSequence? { nil }

    /// The states a sequence starts from when none are given: zeros, for a step input of `inputShape`.
    open func initialState(forInputShape inputShape: [Int]) throws -> [Tensor] {
        try stateShapes(forInputShape: inputShape).map { Tensor.zeros($0.map { $0 ?? 0 }) }
    }

    /// Called by `RNN` before each pass over a sequence whose steps are `stepShape` (batch
    /// included): cells with dropout draw their masks, one for the whole sequence, as Keras'
    /// `DropoutRNNCell` does.
    open func prepareForSequence(stepShape: [Int], training: Bool) throws {}

    /// A cell is called through its `RNN`, one step at a time; as a layer on its own it runs one
    /// step from zero states (`[batch, features]` in, the output out).
    public override func call(_ input: Tensor, training: Bool) throws -> Tensor {
        try step(input, states: initialState(forInputShape: input.shape), training: training).output
    }

    public override func outputShape(forInputShape inputShape: [Int?]) throws -> [Int?] {
        try [inputShape.first ?? nil, outputSize]
    }
}

extension RecurrentActivation {
    /// The fused kernels' form of a Keras activation, when they have it (plain tanh, sigmoid,
    /// hard sigmoid, relu without options, linear).
    init?(_ activation: ActivationFunction) {
        let known: [(ActivationFunction, RecurrentActivation)] = [
            (.tanh, .tanh), (.sigmoid, .sigmoid), (.hardSigmoid, .hardSigmoid), (.relu, .relu), (.linear, .linear),
        ]
        guard let match = known.first(where: { $0.0 == activation }) else { return nil }
        self = match.1
    }
}

/// The dropout masks of a cell with `dropout` / `recurrentDropout` (Keras' `DropoutRNNCell`):
/// drawn once per sequence, the same for every step, scaled by `1 / (1 - rate)`.
struct RecurrentDropout {
    let rate: Float
    let recurrentRate: Float
    private var generator: RandomGenerator
    /// One step's input shape for the inputs and the state's shape, while a training pass runs.
    private(set) var inputMask: Tensor?
    private(set) var stateMask: Tensor?

    init(rate: Float, recurrentRate: Float, seed: UInt64?) {
        self.rate = rate
        self.recurrentRate = recurrentRate
        generator = RandomGenerator(seed: seed ?? RandomGenerator.withGlobal { $0.next() })
    }

    mutating func prepare(inputShape: [Int], stateShape: [Int], training: Bool) {
        inputMask = training && rate > 0 ? mask(inputShape, rate: rate) : nil
        stateMask = training && recurrentRate > 0 ? mask(stateShape, rate: recurrentRate) : nil
    }

    private mutating func mask(_ shape: [Int], rate: Float) -> Tensor {
        rate >= 1 ? Tensor.zeros(shape) : Tensor.ones(shape).dropout(rate: rate, using: &generator)
    }

    /// The sequence `[batch, time, features...]` with the input mask applied to every step.
    func dropInputs(_ sequence: Tensor) -> Tensor {
        guard let inputMask else { return sequence }
        return sequence * inputMask.reshaped(to: [inputMask.shape[0], 1] + inputMask.shape.dropFirst())
    }

    func dropStep(_ input: Tensor) -> Tensor { inputMask.map { input * $0 } ?? input }
    func dropState(_ state: Tensor) -> Tensor { stateMask.map { state * $0 } ?? state }
}
