import CKernels

extension Tensor {
    /// A long short-term memory network run over the sequence `self` (`[batch, time, features]`),
    /// fused: Keras' `LSTM` with the weights of its cell.
    ///
    /// `kernel` is `[features, 4 × units]`, `recurrentKernel` `[units, 4 × units]`, `bias`
    /// `[4 × units]`, gates in Keras' order i, f, c, o; `initialState` is `[h, c]` (zeros when nil).
    /// Each step is `z = x·W + h·U + b`, `c = f ⊙ c + i ⊙ act(z_c)`, `h = o ⊙ act(c)`.
    ///
    /// One GEMM projects the whole sequence, one per step adds the recurrent part in place, and
    /// the gates are activated in one vectorised pass; the backward pass (through time) keeps the
    /// activated gates and the states, and computes each weight's gradient in one GEMM.
    /// Gradients are first order: a backward pass recorded on a tape is not differentiated again.
    public func lstm(
        kernel: Tensor, recurrentKernel: Tensor, bias: Tensor? = nil, initialState: [Tensor]? = nil,
        options: RecurrentOptions = RecurrentOptions()
    ) -> RecurrentSequence {
        let g = RecurrentGeometry(input: self, kernel: kernel, recurrentKernel: recurrentKernel, gates: 4,
                                  goBackwards: options.goBackwards, op: "lstm")
        g.check(options: options, op: "lstm")
        precondition(bias == nil || bias!.shape == [g.width], "lstm: bias \(bias!.shape) is not [\(g.width)]")
        precondition(initialState == nil || initialState!.count == 2, "lstm: the initial state is [h, c]")
        let h0 = initialState?[0] ?? Tensor(repeating: 0, shape: g.stateShape)
        let c0 = initialState?[1] ?? Tensor(repeating: 0, shape: g.stateShape)
        g.check(state: h0, op: "lstm")
        g.check(state: c0, op: "lstm")
        let steps = RecurrentSteps(geometry: g, dropout: options.recurrentDropoutMask)
        let (x, w, u, mask) = (detached, kernel.detached, recurrentKernel.detached, options.mask?.detached)

        // Forward: the gates (activated in place), the states h and c, and act(c) for the backward pass.
        let gates = Tensor.inputProjection(x, kernel: w, bias: bias.map { UnsafePointer($0.storage.base) })
        let hs = Tensor(uninitializedShape: [g.batch, g.time, g.units])
        let cs = Tensor(uninitializedShape: hs.shape), activatedCarry = Tensor(uninitializedShape: hs.shape)
        withExtendedLifetime((h0, c0, u, mask, bias)) {
            var step = keras_recurrent_forward()
            (step.batch, step.units) = (g.batch, g.units)
            (step.activation, step.recurrent_activation) = (options.activation.cValue, options.recurrentActivation.cValue)
            (step.gates_stride, step.state_stride, step.mask_stride) = (g.time * g.width, g.time * g.units, g.time)
            for s in 0..<g.time {
                let t = g.time(ofStep: s)
                let hPrev = steps.state(before: s, sequence: hs, initial: h0)
                let cPrev = steps.state(before: s, sequence: cs, initial: c0)
                step.gates = gates.storage.base + t * g.width
                steps.addProduct(of: hPrev, recurrentKernel: u, columns: 0..<g.width, into: step.gates, ldc: step.gates_stride)
                (step.h_prev, step.h_prev_stride) = (UnsafePointer(hPrev.0), hPrev.1)
                (step.c_prev, step.c_prev_stride) = (UnsafePointer(cPrev.0), cPrev.1)
                step.h = hs.storage.base + s * g.units
                step.c = cs.storage.base + s * g.units
                step.saved = activatedCarry.storage.base + s * g.units
                step.mask = steps.mask(mask, at: t)
                keras_lstm_forward(&step)
            }
        }
        let results = [hs, Tensor.stateAtStep(g.time - 1, of: hs), Tensor.stateAtStep(g.time - 1, of: cs)]
        let inputs = [self, kernel, recurrentKernel, h0, c0] + (bias.map { [$0] } ?? [])
        guard Tensor.isRecording(inputs) else { return RecurrentSequence(outputs: results[0], states: [results[1], results[2]]) }

        let recorded = Tensor.recorded(outputs: results, from: inputs) { gradients, needed in
            let dOutputs = gradients[0].detached
            let dGates = Tensor(uninitializedShape: gates.shape)
            var dh = gradients[1].detached.ownedCopy(), dhPrevious = Tensor(uninitializedShape: g.stateShape)
            let dc = gradients[2].detached.ownedCopy()
            withExtendedLifetime((dOutputs, c0, u, mask, gates, cs, activatedCarry)) {
                var step = keras_recurrent_backward()
                (step.batch, step.units) = (g.batch, g.units)
                (step.activation, step.recurrent_activation) = (options.activation.cValue, options.recurrentActivation.cValue)
                (step.gates_stride, step.dgates_stride, step.saved_stride) = (g.time * g.width, g.time * g.width, g.time * g.units)
                (step.dh_out_stride, step.mask_stride) = (g.time * g.units, g.time)
                for s in (0..<g.time).reversed() {
                    let t = g.time(ofStep: s)
                    let cPrev = steps.state(before: s, sequence: cs, initial: c0)
                    step.gates = UnsafePointer(gates.storage.base + t * g.width)
                    (step.c_prev, step.c_prev_stride) = (UnsafePointer(cPrev.0), cPrev.1)
                    step.saved = UnsafePointer(activatedCarry.storage.base + s * g.units)
                    step.dh_next = UnsafePointer(dh.storage.base)
                    step.dh_out = UnsafePointer(dOutputs.storage.base + s * g.units)
                    step.dc = dc.storage.base
                    step.dgates = dGates.storage.base + t * g.width
                    step.dh_prev = dhPrevious.storage.base
                    step.mask = steps.mask(mask, at: t)
                    keras_lstm_backward(&step)
                    steps.addGradient(of: step.dgates, lda: step.dgates_stride, recurrentKernel: u,
                                      columns: 0..<g.width, into: dhPrevious)
                    swap(&dh, &dhPrevious)
                }
            }
            let (dx, dw, db) = Tensor.inputProjectionGradients(
                dGates, input: x, kernel: w, needInput: needed[0], needKernel: needed[1], needBias: needed.count > 5 && needed[5])
            var du: Tensor?
            if needed[2] {
                var result = Tensor(uninitializedShape: u.shape)
                let previous = Tensor.previousStates(outputs: hs, initial: h0.detached, dropout: steps.dropout, geometry: g)
                Tensor.sequenceProductGradient(previous, dGates, into: &result)
                du = result
            }
            return [dx, dw, du, needed[3] ? dh : nil, needed[4] ? dc : nil] + (bias == nil ? [] : [db])
        }
        return RecurrentSequence(outputs: recorded[0], states: [recorded[1], recorded[2]])
    }
}
