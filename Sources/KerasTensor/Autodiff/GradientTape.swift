import CKernels

/// Records operations on variables and watched tensors so that gradients can be computed,
/// in the manner of `tf.GradientTape`.
///
/// ```swift
/// let tape = GradientTape()
/// let loss = tape.record { ((x.matmul(w.value) + b.value) - y).square().mean() }
/// let (dw, db) = (tape.gradient(of: loss, wrt: w), tape.gradient(of: loss, wrt: b))
/// ```
/// Variables read inside `record` are watched automatically. Gradients may be asked for any
/// number of times. Calling `gradient` inside another tape's `record` records the backward pass
/// too, which gives higher-order derivatives.
public final class GradientTape {
    private var leaves: [ObjectIdentifier: (variable: Variable, leaf: Tensor)] = [:]
    /// The tape that was recording when this one started to, while this one records.
    private var enclosing: GradientTape?

    public init() {}

    /// The tape recording on this thread, if any.
    static var current: GradientTape? {
        @inline(__always) get {
            guard let pointer = keras_current_tape() else { return nil }
            return Unmanaged<GradientTape>.fromOpaque(pointer).takeUnretainedValue()
        }
    }

    /// Runs `body` with this tape recording on the current thread.
    public func record<Result>(_ body: () throws -> Result) rethrows -> Result {
        let previous = keras_current_tape()
        let previousEnclosing = enclosing
        // A tape already recording further out keeps its place (no cycle of enclosing tapes).
        var outer = GradientTape.current
        while let tape = outer, tape !== self { outer = tape.enclosing }
        enclosing = outer === self ? previousEnclosing : GradientTape.current
        keras_set_current_tape(Unmanaged.passUnretained(self).toOpaque())
        defer {
            keras_set_current_tape(previous)
            enclosing = previousEnclosing
        }
        return try body()
    }

    /// `tensor` as a leaf that gradients can be taken with respect to.
    public func watch(_ tensor: Tensor) -> Tensor {
        var leaf = tensor
        leaf.node = AutodiffNode()
        return leaf
    }

    /// The tracked value of `variable` inside this tape (the same leaf for every read).
    func trackedValue(of variable: Variable, current value: Tensor) -> Tensor {
        let key = ObjectIdentifier(variable)
        if let entry = leaves[key], entry.leaf.storage === value.storage { return entry.leaf }
        // Enclosing tapes watch the same leaf, so that nested tapes give higher-order gradients.
        let leaf = enclosing?.trackedValue(of: variable, current: value) ?? watch(value)
        leaves[key] = (variable, leaf)
        return leaf
    }

    /// The gradient of `target` (summed, if it is not a scalar) with respect to `variable`;
    /// zeros when `target` does not depend on it.
    public func gradient(of target: Tensor, wrt variable: Variable) -> Tensor {
        gradient(of: target, wrt: [variable])[0]
    }

    /// The gradients of `target` with respect to each of `variables`, in order.
    public func gradient(of target: Tensor, wrt variables: [Variable]) -> [Tensor] {
        let sources = variables.map { variable in
            leaves[ObjectIdentifier(variable)]?.leaf ?? Tensor(repeating: 0, shape: variable.shape)
        }
        return gradient(of: target, wrt: sources)
    }

    /// The gradients of `target` with respect to each of `sources` (watched tensors or
    /// results of recorded operations); zeros for sources `target` does not depend on.
    public func gradient(of target: Tensor, wrt sources: [Tensor], seed: Tensor? = nil) -> [Tensor] {
        let found = Backpropagation.run(from: target, seed: seed, to: sources.map(\.node))
        return zip(sources, found).map { source, gradient in
            gradient ?? Tensor(repeating: 0, shape: source.shape)
        }
    }

    /// The gradient of `target` with respect to one source tensor.
    public func gradient(of target: Tensor, wrt source: Tensor) -> Tensor {
        gradient(of: target, wrt: [source])[0]
    }
}

/// Reverse-mode accumulation over the graph of `AutodiffNode`s.
///
/// Nodes carry scratch fields for the run (a stamp and a position), so a run allocates a few
/// arrays and hashes nothing.
enum Backpropagation {
    static func run(from target: Tensor, seed: Tensor?, to sources: [AutodiffNode?]) -> [Tensor?] {
        guard let root = target.node else { return sources.map { _ in nil } }
        let stamp = keras_next_node_id()

        // Every node reachable from the root, in creation order (a topological order).
        var nodes: [AutodiffNode] = []
        root.visit = stamp
        var stack = [root]
        while let node = stack.popLast() {
            nodes.append(node)
            for case let input? in node.inputs where input.visit != stamp {
                input.visit = stamp
                stack.append(input)
            }
        }
        nodes.sort { $0.id < $1.id }
        for (position, node) in nodes.enumerated() { node.position = position }

        // The nodes that lead to a wanted source: only their gradients are computed.
        var wanted = [Bool](repeating: false, count: nodes.count)
        for case let source? in sources where source.visit == stamp { wanted[source.position] = true }
        var leads = wanted
        for (position, node) in nodes.enumerated() where !leads[position] {
            leads[position] = node.inputs.contains { $0.map { leads[$0.position] } ?? false }
        }

        var gradients = [Tensor?](repeating: nil, count: nodes.count)
        gradients[root.position] = seed ?? Tensor(repeating: 1, shape: target.shape)
        var results = [Tensor?](repeating: nil, count: nodes.count)
        for position in nodes.indices.reversed() where leads[position] {
            guard let gradient = gradients[position] else { continue }
            gradients[position] = nil
            if wanted[position] { results[position] = gradient }
            let node = nodes[position]
            guard let pullback = node.pullback else { continue }
            let needed = node.inputs.map { $0.map { leads[$0.position] } ?? false }
            guard needed.contains(true) else { continue }
            for (input, inputGradient) in zip(node.inputs, pullback(gradient, needed)) {
                guard let input, let inputGradient, leads[input.position] else { continue }
                if gradients[input.position] == nil {
                    gradients[input.position] = inputGradient
                } else {
                    gradients[input.position]! += inputGradient
                }
            }
        }
        return sources.map { source in source.flatMap { $0.visit == stamp ? results[$0.position] : nil } }
    }
}
