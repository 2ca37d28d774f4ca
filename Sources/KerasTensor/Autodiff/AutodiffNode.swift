import CKernels

/// One recorded operation: its inputs' nodes and how to turn the gradient of its output into
/// gradients of its inputs.
///
/// Nodes form the graph a `GradientTape` differentiates. They exist only while something is
/// recorded, so inference pays a single `nil` check per operation.
final class AutodiffNode: @unchecked Sendable {
    /// Increases with creation time: a valid topological order of the graph.
    let id: Int
    let inputs: [AutodiffNode?]
    /// Maps the output gradient to one gradient per input; asked only for inputs whose flag is set.
    let pullback: ((Tensor, [Bool]) -> [Tensor?])?
    /// Scratch space of the backpropagation in progress: its stamp, and this node's position in
    /// its ordering. One graph is differentiated by one thread at a time.
    var visit = 0
    var position = 0
    /// For the output of a softmax or sigmoid: the activation's name and its input, so that a
    /// crossentropy can work from the logits (what TensorFlow reads off `output.op.inputs[0]`).
    var logits: (activation: String, tensor: Tensor)?

    /// A leaf: a variable or a watched tensor.
    init() {
        id = keras_next_node_id()
        inputs = []
        pullback = nil
    }

    init(inputs: [AutodiffNode?], pullback: @escaping (Tensor, [Bool]) -> [Tensor?]) {
        id = keras_next_node_id()
        self.inputs = inputs
        self.pullback = pullback
    }
}

extension Tensor {
    /// Whether an operation on these inputs must be recorded: a tape records and an input is tracked.
    @inline(__always)
    static func isRecording(_ a: Tensor) -> Bool {
        a.node != nil && GradientTape.current != nil
    }

    @inline(__always)
    static func isRecording(_ a: Tensor, _ b: Tensor) -> Bool {
        (a.node != nil || b.node != nil) && GradientTape.current != nil
    }

    static func isRecording(_ inputs: [Tensor]) -> Bool {
        inputs.contains { $0.node != nil } && GradientTape.current != nil
    }

    /// Records a one-input operation that produced `self` from `input`.
    func recorded(from input: Tensor, pullback: @escaping (Tensor) -> Tensor) -> Tensor {
        var result = self
        result.node = AutodiffNode(inputs: [input.node]) { gradient, _ in [pullback(gradient)] }
        return result
    }

    /// Records a two-input operation; the pullback gets which input gradients are needed.
    func recorded(
        from a: Tensor, _ b: Tensor,
        pullback: @escaping (Tensor, _ needA: Bool, _ needB: Bool) -> (Tensor?, Tensor?)
    ) -> Tensor {
        var result = self
        result.node = AutodiffNode(inputs: [a.node, b.node]) { gradient, needed in
            let (ga, gb) = pullback(gradient, needed[0], needed[1])
            return [ga, gb]
        }
        return result
    }

    /// Records an operation on any number of inputs.
    func recorded(from inputs: [Tensor], pullback: @escaping (Tensor, [Bool]) -> [Tensor?]) -> Tensor {
        var result = self
        result.node = AutodiffNode(inputs: inputs.map(\.node), pullback: pullback)
        return result
    }

    /// This tensor cut off from the tape: gradients do not flow through it (`tf.stop_gradient`).
    public var detached: Tensor {
        var result = self
        result.node = nil
        return result
    }

    /// This tensor, marked as the output of `activation` (`"softmax"` over the last axis, or
    /// `"sigmoid"`) applied to `logits`, while a tape records. A crossentropy that meets the
    /// mark computes from the logits: numerically stable, whatever layer or model made the
    /// output. Outside a tape nothing is recorded and nothing is marked.
    public func marked(asActivation activation: String, of logits: Tensor) -> Tensor {
        node?.logits = (activation, logits)
        return self
    }

    /// The logits this tensor was computed from by `activation`, when it was marked so on a tape.
    public func logits(ofActivation activation: String) -> Tensor? {
        guard let logits = node?.logits, logits.activation == activation else { return nil }
        return logits.tensor
    }

    /// Whether this tensor is tracked by a gradient tape.
    public var isTracked: Bool { node != nil }
}
