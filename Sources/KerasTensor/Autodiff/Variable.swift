/// Trainable state with identity: a layer's weights, an optimizer's slots.
///
/// Reading `value` while a `GradientTape` records makes the variable a source that gradients
/// can be taken with respect to. `Variable` is a reference type: everything that holds it sees
/// every assignment.
public final class Variable: @unchecked Sendable {
    /// A name for display and saving, such as `dense/kernel`.
    public var name: String
    /// Whether optimizers update this variable (and tapes watch it).
    public var trainable: Bool
    private var stored: Tensor

    public init(_ value: Tensor, name: String = "variable", trainable: Bool = true) {
        stored = value.detached
        self.name = name
        self.trainable = trainable
    }

    /// The current value; tracked when read inside a recording tape.
    public var value: Tensor {
        get {
            guard trainable, let tape = GradientTape.current else { return stored }
            return tape.trackedValue(of: self, current: stored)
        }
        set { assign(newValue) }
    }

    /// The shape of the value.
    public var shape: [Int] { stored.shape }

    /// Replaces the value. The new value must keep the variable's shape.
    public func assign(_ newValue: Tensor) {
        precondition(newValue.shape == stored.shape,
                     "Variable '\(name)': cannot assign shape \(newValue.shape) to a variable of shape \(stored.shape)")
        stored = newValue.detached
    }

    /// Mutates the value in place (no copy unless the value is shared), e.g. for optimizer updates.
    /// The shape must not change.
    public func update(_ body: (inout Tensor) throws -> Void) rethrows {
        let shape = stored.shape
        try body(&stored)
        precondition(stored.shape == shape, "Variable '\(name)': update changed the shape from \(shape) to \(stored.shape)")
        stored.node = nil
    }

    /// Adds `delta` in place.
    public func assignAdd(_ delta: Tensor) { update { $0 += delta.detached } }

    /// Subtracts `delta` in place.
    public func assignSubtract(_ delta: Tensor) { update { $0 -= delta.detached } }
}

extension Variable: CustomStringConvertible {
    public var description: String { "Variable '\(name)' shape=\(stored.shape)\n\(stored)" }
}
