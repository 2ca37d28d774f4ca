import CKernels

extension Tensor {
    /// A fully connected recurrent network run over the sequence `self` (`[batch, time, features]`),
    /// fused: Keras' `SimpleRNN` with the weights of its cell, `h = act(x·W + h·U + b)`.
    ///
    /// `kernel` is `[features, units]`, `recurrentKernel` `[units, units]`, `bias` `[units]`;
    /// `initialState` is `[h]` (zeros when nil). One GEMM projects the whole sequence, one per
    /// step adds the recurrent part; gradients are first order, as for `lstm`.
    public func simpleRNN(
        kernel: Tensor, recurrentKernel: Tensor, bias: Tensor? = nil, initialState: [Tensor]? = nil,
        options: RecurrentOptions = RecurrentOptions()
    ) -> RecurrentSequence {
        let g = RecurrentGeometry(input: self, kernel: kernel, recurrentKernel: recurrentKernel, gates: 1,
                                  goBackwards: options.goBackwards, op: "simpleRNN")
        g.check(options: options, op: "simpleRNN")
        precondition(bias == nil || bias!.shape == [g.units], "simpleRNN: bias \(bias!.shape) is not [\(g.units)]")
        precondition(initialState == nil || initialState!.count == 1, "simpleRNN: the initial state is [h]")
        let h0 = initialState?[0] ?? Tensor(repeating: 0, shape: g.stateShape)
        g.check(state: h0, op: "simpleRNN")
        let steps = RecurrentSteps(geometry: g, dropout: options.recurrentDropoutMask)
        let (x, w, u, mask) = (detached, kernel.detached, recurrentKernel.detached, options.mask?.detached)

        let gates = Tensor.inputProjection(x, kernel: w, bias: bias.map { UnsafePointer($0.storage.base) })
        let hs = Tensor(uninitializedShape: [g.batch, g.time, g.units])
        withExtendedLifetime((h0, u, mask, bias)) {
            var step = keras_recurrent_forward()
            (step.batch, step.units, step.activation) = (g.batch, g.units, options.activation.cValue)
            (step.gates_stride, step.state_stride, step.mask_stride) = (g.time * g.width, g.time * g.units, g.time)
            for s in 0..<g.time {
                let t = g.time(ofStep: s)
                let hPrev = steps.state(before: s, sequence: hs, initial: h0)
                step.gates = gates.storage.base + t * g.width
                steps.addProduct(of: hPrev, recurrentKernel: u, columns: 0..<g.width, into: step.gates, ldc: step.gates_stride)
                (step.h_prev, step.h_prev_stride) = (UnsafePointer(hPrev.0), hPrev.1)
                step.h = hs.storage.base + s * g.units
                step.mask = steps.mask(mask, at: t)
                keras_simple_rnn_forward(&step)
            }
        }
        let results = [hs, Tensor.stateAtStep(g.time - 1, of: hs)]
        let inputs = [self, kernel, recurrentKernel, h0] + (bias.map { [$0] } ?? [])
        guard Tensor.isRecording(inputs) else { return RecurrentSequence(outputs: results[0], states: [results[1]]) }

        let recorded = Tensor.recorded(outputs: results, from: inputs) { gradients, needed in
            let dOutputs = gradients[0].detached
            let dGates = Tensor(uninitializedShape: gates.shape)
            var dh = gradients[1].detached.ownedCopy(), dhPrevious = Tensor(uninitializedShape: g.stateShape)
            withExtendedLifetime((dOutputs, u, mask, hs)) {
                var step = keras_recurrent_backward()
                (step.batch, step.units, step.activation) = (g.batch, g.units, options.activation.cValue)
                (step.dgates_stride, step.saved_stride) = (g.time * g.width, g.time * g.units)
                (step.dh_out_stride, step.mask_stride) = (g.time * g.units, g.time)
                for s in (0..<g.time).reversed() {
                    let t = g.time(ofStep: s)
                    step.saved = UnsafePointer(hs.storage.base + s * g.units)
                    step.dh_next = UnsafePointer(dh.storage.base)
                    step.dh_out = UnsafePointer(dOutputs.storage.base + s * g.units)
                    step.dgates = dGates.storage.base + t * g.width
                    step.dh_prev = dhPrevious.storage.base
                    step.mask = steps.mask(mask, at: t)
                    keras_simple_rnn_backward(&step)
                    steps.addGradient(of: step.dgates, lda: step.dgates_stride, recurrentKernel: u,
                                      columns: 0..<g.width, into: dhPrevious)
                    swap(&dh, &dhPrevious)
                }
            }
            let (dx, dw, db) = Tensor.inputProjectionGradients(
                dGates, input: x, kernel: w, needInput: needed[0], needKernel: needed[1], needBias: needed.count > 4 && needed[4])
            var du: Tensor?
            if needed[2] {
                var result = Tensor(uninitializedShape: u.shape)
                let previous = Tensor.previousStates(outputs: hs, initial: h0.detached, dropout: steps.dropout, geometry: g)
                Tensor.sequenceProductGradient(previous, dGates, into: &result)
                du = result
            }
            return [dx, dw, du, needed[3] ? dh : nil] + (bias == nil ? [] : [db])
        }
        return RecurrentSequence(outputs: recorded[0], states: [recorded[1]])
    }
}
