// Operations with several results (a recurrent pass: the sequence and the final states).

extension Tensor {
    /// Records one operation that produced all of `outputs` from `inputs`: a single backward pass
    /// receives the gradients of every output at once (zeros for outputs the target does not
    /// depend on), and maps them to one gradient per input it is asked for.
    ///
    /// Each output is recorded as a piece of one packed gradient: the tape adds the pieces up
    /// before the operation's pullback runs, so the pullback runs once per differentiation.
    static func recorded(
        outputs: [Tensor], from inputs: [Tensor],
        pullback: @escaping (_ gradients: [Tensor], _ needed: [Bool]) -> [Tensor?]
    ) -> [Tensor] {
        let shapes = outputs.map(\.shape), counts = outputs.map(\.count)
        var offsets: [Int] = [], total = 0
        for count in counts {
            offsets.append(total)
            total += count
        }
        let operation = AutodiffNode(inputs: inputs.map(\.node)) { packed, needed in
            let gradients = shapes.indices.map { index in
                packed.slice(axis: 0, offsets[index]..<(offsets[index] + counts[index])).reshaped(to: shapes[index])
            }
            return pullback(gradients, needed)
        }
        return outputs.indices.map { index in
            var output = outputs[index]
            let packedSize = total, offset = offsets[index], count = counts[index]
            output.node = AutodiffNode(inputs: [operation]) { g, _ in
                [g.reshaped(to: [count]).padded(into: [packedSize], axis: 0, at: offset)]
            }
            return output
        }
    }
}
