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

    /// Adds `delta` in place.
    public func assignAdd(_ delta: Tensor) { assign(stored + delta) }

    /// Subtracts `delta` in place.
    public func assignSubtract(_ delta: Tensor) { assign(stored - delta) }
}

extension Variable: CustomStringConvertible {
    public var description: String { "Variable '\(name)' shape=\(stored.shape)\n\(stored)" }
}
