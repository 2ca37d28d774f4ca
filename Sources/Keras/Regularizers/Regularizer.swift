/// A penalty on a weight, added to the loss while training: `.l2(0.01)`, `"l1"`.
public struct Regularizer: Sendable, CustomStringConvertible {
    /// The Keras name: `l1`, `l2` or `l1_l2`.
    public let name: String
    public let l1: Float
    public let l2: Float

    /// `l1 * sum(|w|)`; Keras' default factor is 0.01.
    public static func l1(_ factor: Float = 0.01) -> Regularizer { Regularizer(name: "l1", l1: factor, l2: 0) }
    /// `l2 * sum(w²)`; Keras' default factor is 0.01.
    public static func l2(_ factor: Float = 0.01) -> Regularizer { Regularizer(name: "l2", l1: 0, l2: factor) }
    /// Both penalties; Keras 3's default factors are 0.
    public static func l1l2(l1: Float = 0, l2: Float = 0) -> Regularizer { Regularizer(name: "l1_l2", l1: l1, l2: l2) }

    /// The regularizer with Keras name `name` (or class name: `L1`, `L2`, `L1L2`), at Keras 3's
    /// default factors: 0.01 for `l1` and `l2`, and 0 for both factors of `l1_l2`, as
    /// `keras.regularizers.get("l1l2")` and `keras.regularizers.l1_l2()` give.
    public init(named name: String) throws {
        switch name {
        case "l1", "L1": self = .l1()
        case "l2", "L2": self = .l2()
        case "l1_l2", "l1l2", "L1L2": self = .l1l2()
        default: throw KerasError.unknownName(kind: "regularizer", name: name, valid: ["l1", "l2", "l1_l2", "l1l2"])
        }
    }

    private init(name: String, l1: Float, l2: Float) {
        self.name = name
        self.l1 = l1
        self.l2 = l2
    }

    public var description: String { name }

    /// Throws unless both factors are finite and non-negative, as Keras checks them.
    public func validate() throws {
        for (argument, factor) in [("l1", l1), ("l2", l2)] where !(factor.isFinite && factor >= 0) {
            throw KerasError.invalidArgument(name: "\(name) regularizer \(argument)", value: "\(factor)",
                                             expected: "a non-negative float")
        }
    }

    /// The penalty for `weight`; differentiable.
    public func callAsFunction(_ weight: Tensor) -> Tensor {
        var penalty = Tensor(0)
        if l1 != 0 { penalty = penalty + l1 * weight.abs().sum() }
        if l2 != 0 { penalty = penalty + l2 * weight.square().sum() }
        return penalty
    }
}
