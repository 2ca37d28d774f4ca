import CKernels

// What the fused recurrent passes (LSTM, GRU, SimpleRNN) share: their options and results,
// the shapes, the input projection of the whole sequence in one GEMM, and the weight
// gradients of the whole sequence in one GEMM each.

/// An activation the fused recurrent steps compute themselves (vectorised, derivative from the output).
public enum RecurrentActivation: Sendable, Equatable {
    case linear, tanh, sigmoid, hardSigmoid, relu

    /// The activation with this Keras name (`"tanh"`, `"hard_sigmoid"`, …), if the fused steps have it.
    public init?(kerasName: String) {
        switch kerasName {
        case "linear": self = .linear
        case "tanh": self = .tanh
        case "sigmoid": self = .sigmoid
        case "hard_sigmoid": self = .hardSigmoid
        case "relu": self = .relu
        default: return nil
        }
    }

    var cValue: Int32 {
        switch self {
        case .linear: Int32(KERAS_ACTIVATION_LINEAR)
        case .tanh: Int32(KERAS_ACTIVATION_TANH)
        case .sigmoid: Int32(KERAS_ACTIVATION_SIGMOID)
        case .hardSigmoid: Int32(KERAS_ACTIVATION_HARD_SIGMOID)
        case .relu: Int32(KERAS_ACTIVATION_RELU)
        }
    }
}

/// How a fused recurrent pass walks its sequence.
public struct RecurrentOptions: Sendable {
    /// The activation of the candidate state (and, for an LSTM, of the carry on output).
    public var activation: RecurrentActivation
    /// The gates' activation (LSTM, GRU).
    public var recurrentActivation: RecurrentActivation
    /// `[batch, time]`, 1 for the steps to run and 0 for those to skip: a skipped step keeps
    /// the state (Keras' masking). `nil`: every step runs.
    public var mask: Tensor?
    /// Whether the steps run from the last to the first (the outputs are then in that order).
    public var goBackwards: Bool
    /// `[batch, units]`: multiplies the state before each recurrent product (Keras'
    /// `recurrent_dropout`, one mask for the whole sequence). `nil`: none.
    public var recurrentDropoutMask: Tensor?

    public init(activation: RecurrentActivation = .tanh, recurrentActivation: RecurrentActivation = .sigmoid,
                mask: Tensor? = nil, goBackwards: Bool = false, recurrentDropoutMask: Tensor? = nil) {
        self.activation = activation
        self.recurrentActivation = recurrentActivation
        self.mask = mask
        self.goBackwards = goBackwards
        self.recurrentDropoutMask = recurrentDropoutMask
    }
}

/// The result of a fused recurrent pass.
public struct RecurrentSequence {
    /// The state `h` after each step, in the order the steps ran: `[batch, time, units]`.
    public var outputs: Tensor
    /// The final states: `[h]`, or `[h, c]` for an LSTM; each `[batch, units]`.
    public var states: [Tensor]

    public init(outputs: Tensor, states: [Tensor]) {
        self.outputs = outputs
        self.states = states
    }
}

/// The sizes of a pass, and where each step's rows are in the `[batch, time, ·]` buffers.
struct RecurrentGeometry {
    let batch: Int, time: Int, features: Int, units: Int
    /// Gates per unit (LSTM 4, GRU 3, SimpleRNN 1).
    let gates: Int
    let goBackwards: Bool

    init(input: Tensor, kernel: Tensor, recurrentKernel: Tensor, gates: Int, goBackwards: Bool, op: String) {
        precondition(input.rank == 3, "\(op): input \(input.shape) is not [batch, time, features]")
        batch = input.shape[0]
        time = input.shape[1]
        features = input.shape[2]
        precondition(recurrentKernel.rank == 2 && recurrentKernel.shape[1] == gates * recurrentKernel.shape[0],
                     "\(op): recurrent kernel \(recurrentKernel.shape) is not [units, \(gates) × units]")
        units = recurrentKernel.shape[0]
        precondition(kernel.shape == [features, gates * units],
                     "\(op): kernel \(kernel.shape) does not fit \(features) features and \(units) units (expected \([features, gates * units]))")
        precondition(time > 0, "\(op): the sequence has no time steps")
        self.gates = gates
        self.goBackwards = goBackwards
    }

    var width: Int { gates * units }
    /// The input time step that step `s` reads.
    func time(ofStep s: Int) -> Int { goBackwards ? time - 1 - s : s }
    /// The shape of one state.
    var stateShape: [Int] { [batch, units] }

    func check(state: Tensor, op: String) {
        precondition(state.shape == stateShape, "\(op): initial state \(state.shape) is not \(stateShape)")
    }

    func check(options: RecurrentOptions, op: String) {
        if let mask = options.mask {
            precondition(mask.shape == [batch, time], "\(op): mask \(mask.shape) is not [batch, time] = \([batch, time])")
        }
        if let dropout = options.recurrentDropoutMask {
            precondition(dropout.shape == stateShape, "\(op): recurrent dropout mask \(dropout.shape) is not \(stateShape)")
        }
    }
}

extension Tensor {
    /// `input · kernel + bias` for every step at once: `[batch, time, width]` (one GEMM).
    static func inputProjection(_ input: Tensor, kernel: Tensor, bias: UnsafePointer<Float>?) -> Tensor {
        let rows = input.shape[0] * input.shape[1], width = kernel.shape[1], features = kernel.shape[0]
        let result = Tensor(uninitializedShape: [input.shape[0], input.shape[1], width])
        let out = result.storage.base
        if let bias {
            for row in 0..<rows { (out + row * width).update(from: bias, count: width) }
        }
        sgemm(transposeA: false, transposeB: false, m: rows, n: width, k: features,
              alpha: 1, a: input.storage.base, lda: features, b: kernel.storage.base, ldb: width,
              beta: bias == nil ? 0 : 1, c: out, ldc: width)
        return result
    }

    /// The state each input time step's recurrent product read, `[batch, time, units]`: from
    /// the states after each step (`outputs`, in step order) and the initial state, times the
    /// recurrent dropout mask.
    static func previousStates(outputs: Tensor, initial: Tensor, dropout: Tensor?, geometry g: RecurrentGeometry) -> Tensor {
        let result = Tensor(uninitializedShape: [g.batch, g.time, g.units])
        let out = result.storage.base, hs = outputs.storage.base, h0 = initial.storage.base
        for s in 0..<g.time {
            let t = g.time(ofStep: s)
            for b in 0..<g.batch {
                let source = s == 0 ? h0 + b * g.units : hs + (b * g.time + s - 1) * g.units
                (out + (b * g.time + t) * g.units).update(from: source, count: g.units)
            }
        }
        guard let dropout else { return result }
        return result * dropout.detached.reshaped(to: [g.batch, 1, g.units])
    }

    /// `Aᵀ · B` of two `[batch, time, ·]` buffers seen as `[batch × time, ·]` matrices: the
    /// gradient of a kernel from its inputs and the gradients of its products, for the whole
    /// sequence in one GEMM. `columns` picks a column range of `b` (and of the result's width).
    static func sequenceProductGradient(
        _ a: Tensor, _ b: Tensor, columns: Range<Int>? = nil, into result: inout Tensor, resultColumn: Int = 0
    ) {
        let rows = a.shape[0] * a.shape[1], aWidth = a.shape[2], bWidth = b.shape[2]
        let range = columns ?? 0..<bWidth, resultWidth = result.shape[1]
        result.withUnsafeMutableBufferPointer { out in
            sgemm(transposeA: true, transposeB: false, m: aWidth, n: range.count, k: rows,
                  alpha: 1, a: a.storage.base, lda: aWidth, b: b.storage.base + range.lowerBound, ldb: bWidth,
                  beta: 0, c: out.baseAddress! + resultColumn, ldc: resultWidth)
        }
    }

    /// The gradients of a pass's input, kernel and input bias from the gradient of the input
    /// projection (`dGates`, `[batch, time, width]`), each only when `needed`.
    static func inputProjectionGradients(
        _ dGates: Tensor, input: Tensor, kernel: Tensor, needInput: Bool, needKernel: Bool, needBias: Bool
    ) -> (input: Tensor?, kernel: Tensor?, bias: Tensor?) {
        let rows = input.shape[0] * input.shape[1], width = kernel.shape[1]
        let flat = dGates.reshaped(to: [rows, width])
        let dInput = needInput ? flat.matmul(kernel.detached, transposeB: true).reshaped(to: input.shape) : nil
        var dKernel: Tensor?
        if needKernel {
            var result = Tensor(uninitializedShape: kernel.shape)
            sequenceProductGradient(input.detached, dGates, into: &result)
            dKernel = result
        }
        return (dInput, dKernel, needBias ? flat.sum(axis: 0) : nil)
    }

    /// `[batch, units]` rows of step `s` of a `[batch, time, units]` state buffer, as a new tensor.
    static func stateAtStep(_ s: Int, of states: Tensor) -> Tensor {
        states.slice(axis: 1, s..<(s + 1)).reshaped(to: [states.shape[0], states.shape[2]])
    }
}

/// The pointer work of one pass: where the state before a step is, and the two products with
/// the recurrent kernel each step makes (forward and backward), with the recurrent dropout mask.
struct RecurrentSteps {
    let geometry: RecurrentGeometry
    /// `[batch, units]` recurrent dropout mask, and scratch rows for the masked state or gradient.
    let dropout: Tensor?
    private let scratch: Tensor?

    init(geometry: RecurrentGeometry, dropout: Tensor?) {
        self.geometry = geometry
        self.dropout = dropout?.detached
        scratch = dropout == nil ? nil : Tensor(uninitializedShape: geometry.stateShape)
    }

    /// The state before step `s`: the initial state, or row block `s - 1` of `sequence`, with its row stride.
    func state(before s: Int, sequence: Tensor, initial: Tensor) -> (UnsafeMutablePointer<Float>, Int) {
        let g = geometry
        return s == 0 ? (initial.storage.base, g.units) : (sequence.storage.base + (s - 1) * g.units, g.time * g.units)
    }

    /// `c += (state ⊙ dropout) · recurrentKernel[:, columns]`, `c` with row stride `ldc`.
    func addProduct(of state: (UnsafeMutablePointer<Float>, Int), recurrentKernel: Tensor, columns: Range<Int>,
                    into c: UnsafeMutablePointer<Float>, ldc: Int) {
        let g = geometry
        var (a, lda) = state
        if let dropout, let scratch {
            let mask = dropout.storage.base, rows = scratch.storage.base
            for b in 0..<g.batch {
                for j in 0..<g.units { rows[b * g.units + j] = a[b * lda + j] * mask[b * g.units + j] }
            }
            (a, lda) = (rows, g.units)
        }
        let width = recurrentKernel.shape[1]
        sgemm(transposeA: false, transposeB: false, m: g.batch, n: columns.count, k: g.units,
              alpha: 1, a: a, lda: lda, b: recurrentKernel.storage.base + columns.lowerBound, ldb: width,
              beta: 1, c: c, ldc: ldc)
    }

    /// `dState += (dGates · recurrentKernel[:, columns]ᵀ) ⊙ dropout`, `dGates` with row stride `lda`.
    func addGradient(of dGates: UnsafePointer<Float>, lda: Int, recurrentKernel: Tensor, columns: Range<Int>,
                     into dState: Tensor) {
        let g = geometry, width = recurrentKernel.shape[1]
        let target = scratch?.storage.base ?? dState.storage.base
        sgemm(transposeA: false, transposeB: true, m: g.batch, n: g.units, k: columns.count,
              alpha: 1, a: dGates, lda: lda, b: recurrentKernel.storage.base + columns.lowerBound, ldb: width,
              beta: scratch == nil ? 1 : 0, c: target, ldc: g.units)
        if let dropout {
            let mask = dropout.storage.base, out = dState.storage.base
            for i in 0..<(g.batch * g.units) { out[i] += target[i] * mask[i] }
        }
    }

    /// A pointer to the mask's column for input time `t` (row stride `time`), or nil.
    func mask(_ mask: Tensor?, at t: Int) -> UnsafePointer<Float>? {
        mask.map { UnsafePointer($0.storage.base + t) }
    }
}

extension Tensor {
    /// A new tensor holding a copy of these scalars, owned by the caller alone (for in-place kernels).
    func ownedCopy() -> Tensor {
        let result = Tensor(uninitializedShape: shape)
        result.storage.base.update(from: storage.base, count: count)
        return result
    }
}
