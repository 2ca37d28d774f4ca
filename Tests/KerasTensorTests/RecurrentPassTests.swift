import CKernels
import Testing
@testable import KerasTensor

// The fused recurrent passes against step-by-step references written with differentiable
// tensor operations (values and tape gradients), and against finite differences.

private func activate(_ x: Tensor, _ activation: RecurrentActivation) -> Tensor {
    switch activation {
    case .linear: x
    case .tanh: x.tanh()
    case .sigmoid: x.sigmoid()
    case .hardSigmoid: ((x + 3) / 6).clipped(to: 0...1)
    case .relu: x.relu()
    }
}

/// One recurrent cell written plainly: the new state from the input, the old state and the weights.
private typealias ReferenceCell = (_ x: Tensor, _ states: [Tensor], _ dropped: Tensor) -> [Tensor]

/// Runs `cell` over the sequence as Keras' generic RNN loop does: masked steps keep the state.
private func referencePass(
    _ x: Tensor, initial: [Tensor], options: RecurrentOptions, cell: ReferenceCell
) -> (outputs: Tensor, states: [Tensor]) {
    let (batch, time) = (x.shape[0], x.shape[1])
    var states = initial, outputs: [Tensor] = []
    for s in 0..<time {
        let t = options.goBackwards ? time - 1 - s : s
        let dropped = options.recurrentDropoutMask.map { states[0] * $0 } ?? states[0]
        var new = cell(x[.all, t], states, dropped)
        if let mask = options.mask {
            let keep = mask[.all, t].reshaped(to: [batch, 1])
            new = zip(new, states).map { keep * $0 + (1 - keep) * $1 }
        }
        states = new
        outputs.append(states[0])
    }
    return (Tensor.stack(outputs, axis: 1), states)
}

private func referenceLSTM(_ w: [Tensor], _ options: RecurrentOptions) -> (Tensor, [Tensor]) {
    let (x, kernel, recurrent, bias) = (w[0], w[1], w[2], w[3])
    return referencePass(x, initial: [w[4], w[5]], options: options) { xt, states, dropped in
        let z = xt.matmul(kernel) + dropped.matmul(recurrent) + bias
        let gates = z.split(count: 4, axis: 1)
        let (i, f, o) = (activate(gates[0], options.recurrentActivation), activate(gates[1], options.recurrentActivation),
                         activate(gates[3], options.recurrentActivation))
        let c = f * states[1] + i * activate(gates[2], options.activation)
        return [o * activate(c, options.activation), c]
    }
}

private func referenceGRU(_ w: [Tensor], resetAfter: Bool, _ options: RecurrentOptions) -> (Tensor, [Tensor]) {
    let (x, kernel, recurrent, bias) = (w[0], w[1], w[2], w[3])
    let units = recurrent.shape[0]
    let inputBias = resetAfter ? bias[0] : bias
    return referencePass(x, initial: [w[4]], options: options) { xt, states, dropped in
        let projected = (xt.matmul(kernel) + inputBias).split(count: 3, axis: 1)
        let zr = dropped.matmul(recurrent.slice(axis: 1, 0..<(2 * units))).split(count: 2, axis: 1)
        var zPre = projected[0] + zr[0], rPre = projected[1] + zr[1]
        let uh = recurrent.slice(axis: 1, (2 * units)..<(3 * units))
        let candidate: Tensor
        if resetAfter {
            let recurrentBias = bias[1].split(count: 3, axis: 0)
            zPre = zPre + recurrentBias[0]
            rPre = rPre + recurrentBias[1]
            let r = activate(rPre, options.recurrentActivation)
            candidate = activate(projected[2] + r * (dropped.matmul(uh) + recurrentBias[2]), options.activation)
        } else {
            let r = activate(rPre, options.recurrentActivation)
            candidate = activate(projected[2] + (r * dropped).matmul(uh), options.activation)
        }
        let z = activate(zPre, options.recurrentActivation)
        return [z * states[0] + (1 - z) * candidate]
    }
}

private func referenceSimpleRNN(_ w: [Tensor], _ options: RecurrentOptions) -> (Tensor, [Tensor]) {
    referencePass(w[0], initial: [w[4]], options: options) { xt, _, dropped in
        [activate(xt.matmul(w[1]) + dropped.matmul(w[2]) + w[3], options.activation)]
    }
}

/// Which network, and its fused and reference passes on `[x, kernel, recurrent, bias, h0(, c0)]`.
enum RecurrentNetwork: String, CaseIterable, CustomTestStringConvertible {
    case lstm, gruResetAfter, gruResetBefore, simpleRNN
    var testDescription: String { rawValue }

    var gates: Int { switch self { case .lstm: 4; case .gruResetAfter, .gruResetBefore: 3; case .simpleRNN: 1 } }

    func weights(batch: Int, time: Int, features: Int, units: Int, seed: UInt64) -> [Tensor] {
        let width = gates * units
        let biasShape = self == .gruResetAfter ? [2, width] : [width]
        var w = [sample([batch, time, features], seed: seed), sample([features, width], -0.8...0.8, seed: seed + 1),
                 sample([units, width], -0.8...0.8, seed: seed + 2), sample(biasShape, -0.5...0.5, seed: seed + 3),
                 sample([batch, units], -0.5...0.5, seed: seed + 4)]
        if self == .lstm { w.append(sample([batch, units], -0.5...0.5, seed: seed + 5)) }
        return w
    }

    func fused(_ w: [Tensor], _ options: RecurrentOptions) -> (Tensor, [Tensor]) {
        let result = switch self {
        case .lstm: w[0].lstm(kernel: w[1], recurrentKernel: w[2], bias: w[3], initialState: [w[4], w[5]], options: options)
        case .gruResetAfter, .gruResetBefore:
            w[0].gru(kernel: w[1], recurrentKernel: w[2], bias: w[3], resetAfter: self == .gruResetAfter,
                     initialState: [w[4]], options: options)
        case .simpleRNN: w[0].simpleRNN(kernel: w[1], recurrentKernel: w[2], bias: w[3], initialState: [w[4]], options: options)
        }
        return (result.outputs, result.states)
    }

    func reference(_ w: [Tensor], _ options: RecurrentOptions) -> (Tensor, [Tensor]) {
        switch self {
        case .lstm: referenceLSTM(w, options)
        case .gruResetAfter: referenceGRU(w, resetAfter: true, options)
        case .gruResetBefore: referenceGRU(w, resetAfter: false, options)
        case .simpleRNN: referenceSimpleRNN(w, options)
        }
    }
}

/// Every result of a pass in one flat tensor: outputs, then each final state.
private func flat(_ result: (Tensor, [Tensor])) -> Tensor {
    Tensor.concatenate(([result.0] + result.1).map { $0.reshaped(to: [-1]) })
}

/// The modes every network is checked in.
struct RecurrentMode: CustomTestStringConvertible, Sendable {
    let name: String
    let masked: Bool, goBackwards: Bool, dropout: Bool
    var activation: RecurrentActivation = .tanh
    var recurrentActivation: RecurrentActivation = .sigmoid
    var testDescription: String { name }

    func options(batch: Int, time: Int, units: Int) -> RecurrentOptions {
        // Sample 0 skips its steps 1 and 3; the others run every step but the first of sample 1.
        let mask = masked ? Tensor(shape: [batch, time], scalars: (0..<(batch * time)).map { index in
            let (b, t) = index.quotientAndRemainder(dividingBy: time)
            return (b == 0 && (t == 1 || t == 3)) || (b == 1 && t == 0) ? 0 : 1
        }) : nil
        let dropout = self.dropout
            ? (sample([batch, units], 0...1, seed: 77) .>= Tensor(0.3)) * Tensor(1 / 0.7) : nil
        return RecurrentOptions(activation: activation, recurrentActivation: recurrentActivation, mask: mask,
                                goBackwards: goBackwards, recurrentDropoutMask: dropout)
    }

    static let all: [RecurrentMode] = [
        RecurrentMode(name: "plain", masked: false, goBackwards: false, dropout: false),
        RecurrentMode(name: "masked", masked: true, goBackwards: false, dropout: false),
        RecurrentMode(name: "backwards", masked: false, goBackwards: true, dropout: false),
        RecurrentMode(name: "masked backwards", masked: true, goBackwards: true, dropout: false),
        RecurrentMode(name: "recurrent dropout", masked: true, goBackwards: false, dropout: true),
        RecurrentMode(name: "hard sigmoid, relu", masked: false, goBackwards: false, dropout: false,
             activation: .relu, recurrentActivation: .hardSigmoid),
        RecurrentMode(name: "linear", masked: true, goBackwards: true, dropout: false, activation: .linear),
    ]
}

let recurrentCases: [(RecurrentNetwork, RecurrentMode)] = RecurrentNetwork.allCases.flatMap { network in RecurrentMode.all.map { (network, $0) } }

@Suite("Fused recurrent passes")
struct RecurrentPassTests {
    @Test("values and tape gradients equal the step-by-step reference", arguments: recurrentCases)
    func matchesReference(network: RecurrentNetwork, mode: RecurrentMode) {
        // Odd sizes: the vector loops' tails run too.
        let (batch, time, features, units) = (5, 6, 7, 9)
        let w = network.weights(batch: batch, time: time, features: features, units: units, seed: 10)
        let options = mode.options(batch: batch, time: time, units: units)
        expectClose(flat(network.fused(w, options)), flat(network.reference(w, options)), tolerance: 2e-5)

        func gradients(_ pass: ([Tensor]) -> (Tensor, [Tensor])) -> [Tensor] {
            let tape = GradientTape()
            let watched = w.map { tape.watch($0) }
            let target = tape.record {
                let y = flat(pass(watched))
                return (y * sample(y.shape, -1...1, seed: 3)).sum()
            }
            return tape.gradient(of: target, wrt: watched)
        }
        let fused = gradients { network.fused($0, options) }, reference = gradients { network.reference($0, options) }
        for (index, (a, b)) in zip(fused, reference).enumerated() {
            #expect(a.shape == b.shape, "input \(index)")
            expectClose(a, b, tolerance: 1e-4)
        }
    }

    @Test("gradients equal finite differences", arguments: recurrentCases.filter { $0.1.activation == .tanh })
    func finiteDifferences(network: RecurrentNetwork, mode: RecurrentMode) {
        let (batch, time, features, units) = (2, 4, 3, 2)
        let w = network.weights(batch: batch, time: time, features: features, units: units, seed: 20)
        let options = mode.options(batch: batch, time: time, units: units)
        checkGradients(w) { flat(network.fused($0, options)) }
    }

    @Test("the final state is the last output; outputs come in the order the steps ran")
    func outputOrder() {
        let w = RecurrentNetwork.lstm.weights(batch: 2, time: 3, features: 2, units: 3, seed: 30)
        let forward = w[0].lstm(kernel: w[1], recurrentKernel: w[2], bias: w[3])
        #expect(forward.states[0] == forward.outputs[.all, 2])
        let reversedInput = Tensor.stack((0..<3).reversed().map { w[0][.all, $0] }, axis: 1)
        let backward = reversedInput.lstm(kernel: w[1], recurrentKernel: w[2], bias: w[3],
                                          options: RecurrentOptions(goBackwards: true))
        expectClose(backward.outputs, forward.outputs, tolerance: 1e-6)
    }

    @Test("the fused activations agree with the engine's tanh and sigmoid")
    func activations() {
        let x = Tensor.linspace(-30, 30, count: 2001)
        for (activation, reference) in [(KERAS_ACTIVATION_TANH, x.tanh()), (KERAS_ACTIVATION_SIGMOID, x.sigmoid())] {
            var y = x
            y.withUnsafeMutableBufferPointer { keras_activate($0.baseAddress!, $0.count, Int32(activation)) }
            expectClose(y, reference, tolerance: 1e-6)
        }
    }
}
