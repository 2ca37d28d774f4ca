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
enum Backpropagation {
    static func run(from target: Tensor, seed: Tensor?, to sources: [AutodiffNode?]) -> [Tensor?] {
        guard let root = target.node else { return sources.map { _ in nil } }
        let wanted = Set(sources.compactMap { $0.map(ObjectIdentifier.init) })

        // Every node reachable from the root, then, in creation order, the ones that lead to a source.
        var nodes: [AutodiffNode] = []
        var seen: Set<ObjectIdentifier> = [ObjectIdentifier(root)]
        var stack = [root]
        while let node = stack.popLast() {
            nodes.append(node)
            for case let input? in node.inputs where seen.insert(ObjectIdentifier(input)).inserted {
                stack.append(input)
            }
        }
        nodes.sort { $0.id < $1.id }
        var leadsToSource: Set<ObjectIdentifier> = []
        for node in nodes {
            let key = ObjectIdentifier(node)
            if wanted.contains(key) || node.inputs.contains(where: { $0.map { leadsToSource.contains(ObjectIdentifier($0)) } ?? false }) {
                leadsToSource.insert(key)
            }
        }

        var gradients: [ObjectIdentifier: Tensor] = [
            ObjectIdentifier(root): seed ?? Tensor(repeating: 1, shape: target.shape)
        ]
        var results: [ObjectIdentifier: Tensor] = [:]
        for node in nodes.reversed() {
            let key = ObjectIdentifier(node)
            guard leadsToSource.contains(key), let gradient = gradients.removeValue(forKey: key) else { continue }
            if wanted.contains(key) { results[key] = gradient }
            guard let pullback = node.pullback else { continue }
            let needed = node.inputs.map { $0.map { leadsToSource.contains(ObjectIdentifier($0)) } ?? false }
            guard needed.contains(true) else { continue }
            let inputGradients = pullback(gradient, needed)
            for (input, inputGradient) in zip(node.inputs, inputGradients) {
                guard let input, let inputGradient, leadsToSource.contains(ObjectIdentifier(input)) else { continue }
                let inputKey = ObjectIdentifier(input)
                if let existing = gradients[inputKey] {
                    gradients[inputKey] = existing + inputGradient
                } else {
                    gradients[inputKey] = inputGradient
                }
            }
        }
        return sources.map { $0.flatMap { results[ObjectIdentifier($0)] } }
    }
}
