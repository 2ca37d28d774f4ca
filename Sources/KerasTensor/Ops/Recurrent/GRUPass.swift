import CKernels

extension Tensor {
    /// A gated recurrent unit network run over the sequence `self` (`[batch, time, features]`),
    /// fused: Keras' `GRU` with the weights of its cell.
    ///
    /// `kernel` is `[features, 3 × units]`, `recurrentKernel` `[units, 3 × units]`, gates in
    /// Keras' order z, r, h. With `resetAfter` (Keras' default) `bias` is `[2, 3 × units]` (input
    /// and recurrent biases) and the candidate is `act(x·W_h + b_h + r ⊙ (h·U_h + b'_h))`;
    /// without it `bias` is `[3 × units]` and the candidate is `act(x·W_h + b_h + (r ⊙ h)·U_h)`.
    /// Then `h = z ⊙ h + (1 - z) ⊙ candidate`. `initialState` is `[h]` (zeros when nil).
    ///
    /// One GEMM projects the whole sequence, one per step (two without `resetAfter`) makes the
    /// recurrent part; gradients are first order, as for `lstm`.
    public func gru(
        kernel: Tensor, recurrentKernel: Tensor, bias: Tensor? = nil, resetAfter: Bool = true,
        initialState: [Tensor]? = nil, options: RecurrentOptions = RecurrentOptions()
    ) -> RecurrentSequence {
        let g = RecurrentGeometry(input: self, kernel: kernel, recurrentKernel: recurrentKernel, gates: 3,
                                  goBackwards: options.goBackwards, op: "gru")
        g.check(options: options, op: "gru")
        let biasShape = resetAfter ? [2, g.width] : [g.width]
        precondition(bias == nil || bias!.shape == biasShape, "gru: bias \(bias!.shape) is not \(biasShape)")
        precondition(initialState == nil || initialState!.count == 1, "gru: the initial state is [h]")
        let h0 = initialState?[0] ?? Tensor(repeating: 0, shape: g.stateShape)
        g.check(state: h0, op: "gru")
        let steps = RecurrentSteps(geometry: g, dropout: options.recurrentDropoutMask)
        let (x, w, u, mask) = (detached, kernel.detached, recurrentKernel.detached, options.mask?.detached)
        let inputBias = bias.map { UnsafePointer($0.storage.base) }
        let recurrentBias = resetAfter ? inputBias.map { $0 + g.width } : nil
        let (all, updateAndReset, candidate) = (0..<g.width, 0..<(2 * g.units), (2 * g.units)..<g.width)

        // Forward: the activated gates, the states, and per step what the candidate's recurrent
        // part was (resetAfter: h·U_h + b'_h; otherwise r ⊙ h, the input of that product).
        let gates = Tensor.inputProjection(x, kernel: w, bias: inputBias)
        let hs = Tensor(uninitializedShape: [g.batch, g.time, g.units]), saved = Tensor(uninitializedShape: hs.shape)
        let inner = resetAfter ? Tensor(uninitializedShape: [g.batch, g.width]) : nil
        withExtendedLifetime((h0, u, mask, bias)) {
            var step = keras_recurrent_forward()
            (step.batch, step.units) = (g.batch, g.units)
            (step.activation, step.recurrent_activation) = (options.activation.cValue, options.recurrentActivation.cValue)
            (step.gates_stride, step.state_stride, step.mask_stride) = (g.time * g.width, g.time * g.units, g.time)
            for s in 0..<g.time {
                let t = g.time(ofStep: s)
                let hPrev = steps.state(before: s, sequence: hs, initial: h0)
                step.gates = gates.storage.base + t * g.width
                (step.h_prev, step.h_prev_stride) = (UnsafePointer(hPrev.0), hPrev.1)
                step.h = hs.storage.base + s * g.units
                step.saved = saved.storage.base + t * g.units
                step.mask = steps.mask(mask, at: t)
                if let inner {
                    let rows = inner.storage.base
                    if let recurrentBias {
                        for b in 0..<g.batch { (rows + b * g.width).update(from: recurrentBias, count: g.width) }
                    } else {
                        rows.initialize(repeating: 0, count: g.batch * g.width)
                    }
                    steps.addProduct(of: hPrev, recurrentKernel: u, columns: all, into: rows, ldc: g.width)
                    (step.inner, step.inner_stride) = (UnsafePointer(rows), g.width)
                } else {
                    steps.addProduct(of: hPrev, recurrentKernel: u, columns: updateAndReset, into: step.gates, ldc: step.gates_stride)
                    keras_gru_forward_gates(&step)
                    // saved = r ⊙ h_prev; the product multiplies it by the dropout mask, as Keras masks h.
                    steps.addProduct(of: (step.saved, step.state_stride), recurrentKernel: u, columns: candidate,
                                     into: step.gates + 2 * g.units, ldc: step.gates_stride)
                }
                keras_gru_forward(&step)
            }
        }
        let results = [hs, Tensor.stateAtStep(g.time - 1, of: hs)]
        let inputs = [self, kernel, recurrentKernel, h0] + (bias.map { [$0] } ?? [])
        guard Tensor.isRecording(inputs) else { return RecurrentSequence(outputs: results[0], states: [results[1]]) }

        let recorded = Tensor.recorded(outputs: results, from: inputs) { gradients, needed in
            let dOutputs = gradients[0].detached
            let dGates = Tensor(uninitializedShape: gates.shape)
            let dInner = resetAfter ? Tensor(uninitializedShape: gates.shape) : nil
            let dResetInput = resetAfter ? nil : Tensor(uninitializedShape: g.stateShape)
            var dh = gradients[1].detached.ownedCopy(), dhPrevious = Tensor(uninitializedShape: g.stateShape)
            withExtendedLifetime((dOutputs, h0, u, mask, gates, hs, saved)) {
                var step = keras_recurrent_backward()
                (step.batch, step.units) = (g.batch, g.units)
                (step.activation, step.recurrent_activation) = (options.activation.cValue, options.recurrentActivation.cValue)
                (step.gates_stride, step.dgates_stride, step.saved_stride) = (g.time * g.width, g.time * g.width, g.time * g.units)
                (step.dh_out_stride, step.dinner_stride, step.mask_stride) = (g.time * g.units, g.time * g.width, g.time)
                for s in (0..<g.time).reversed() {
                    let t = g.time(ofStep: s)
                    let hPrev = steps.state(before: s, sequence: hs, initial: h0)
                    step.gates = UnsafePointer(gates.storage.base + t * g.width)
                    (step.h_prev, step.h_prev_stride) = (UnsafePointer(hPrev.0), hPrev.1)
                    step.saved = UnsafePointer(saved.storage.base + t * g.units)
                    step.dh_next = UnsafePointer(dh.storage.base)
                    step.dh_out = UnsafePointer(dOutputs.storage.base + s * g.units)
                    step.dgates = dGates.storage.base + t * g.width
                    step.dinner = dInner.map { $0.storage.base + t * g.width }
                    step.dh_prev = dhPrevious.storage.base
                    step.mask = steps.mask(mask, at: t)
                    keras_gru_backward(&step)
                    if let dInner {
                        steps.addGradient(of: dInner.storage.base + t * g.width, lda: step.dinner_stride,
                                          recurrentKernel: u, columns: all, into: dhPrevious)
                    } else if let dResetInput {
                        // d(r ⊙ h_prev) = d_candidate · U_hᵀ, then the r gate and the state's share.
                        let rows = dResetInput.storage.base
                        sgemm(transposeA: false, transposeB: true, m: g.batch, n: g.units, k: g.units,
                              alpha: 1, a: step.dgates + 2 * g.units, lda: step.dgates_stride,
                              b: u.storage.base + 2 * g.units, ldb: g.width, beta: 0, c: rows, ldc: g.units)
                        if let dropout = steps.dropout {
                            let keep = dropout.storage.base
                            for i in 0..<(g.batch * g.units) { rows[i] *= keep[i] }
                        }
                        keras_gru_backward_reset_gate(&step, rows)
                        steps.addGradient(of: step.dgates, lda: step.dgates_stride, recurrentKernel: u,
                                          columns: updateAndReset, into: dhPrevious)
                    }
                    swap(&dh, &dhPrevious)
                }
            }
            let needBias = needed.count > 4 && needed[4]
            let (dx, dw, dInputBias) = Tensor.inputProjectionGradients(
                dGates, input: x, kernel: w, needInput: needed[0], needKernel: needed[1], needBias: needBias)
            var du: Tensor?, db: Tensor?
            if needed[2] {
                var result = Tensor(uninitializedShape: u.shape)
                let previous = Tensor.previousStates(outputs: hs, initial: h0.detached, dropout: steps.dropout, geometry: g)
                if let dInner {
                    Tensor.sequenceProductGradient(previous, dInner, into: &result)
                } else {
                    Tensor.sequenceProductGradient(previous, dGates, columns: updateAndReset, into: &result)
                    let resetInputs = steps.dropout.map { saved * $0.reshaped(to: [g.batch, 1, g.units]) } ?? saved
                    Tensor.sequenceProductGradient(resetInputs, dGates, columns: candidate, into: &result, resultColumn: 2 * g.units)
                }
                du = result
            }
            if needBias, let dInputBias {
                db = dInner.map { Tensor.stack([dInputBias, $0.reshaped(to: [g.batch * g.time, g.width]).sum(axis: 0)]) } ?? dInputBias
            }
            return [dx, dw, du, needed[3] ? dh : nil] + (bias == nil ? [] : [db])
        }
        return RecurrentSequence(outputs: recorded[0], states: [recorded[1]])
    }
}
