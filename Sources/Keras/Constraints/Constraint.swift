/// A projection applied to a weight after each optimizer step: `.maxNorm(2)`, `.nonNeg`.
public struct Constraint: Sendable, CustomStringConvertible {
    enum Kind: String, Sendable { case maxNorm = "max_norm", nonNeg = "non_neg", unitNorm = "unit_norm", minMaxNorm = "min_max_norm" }
    let kind: Kind
    var minValue: Float = 0
    var maxValue: Float = 2
    var rate: Float = 1
    var axis: Int = 0

    /// The Keras name.
    public var name: String { kind.rawValue }
    public var description: String { name }

    /// Rescales slices along `axis` whose norm exceeds `maxValue`.
    public static func maxNorm(_ maxValue: Float = 2, axis: Int = 0) -> Constraint {
        Constraint(kind: .maxNorm, maxValue: maxValue, axis: axis)
    }
    /// Sets negative weights to zero.
    public static let nonNeg = Constraint(kind: .nonNeg)
    /// Rescales slices along `axis` to norm 1.
    public static func unitNorm(axis: Int = 0) -> Constraint { Constraint(kind: .unitNorm, axis: axis) }
    /// Keeps the norm of slices along `axis` within `minValue...maxValue`, moving by `rate`.
    public static func minMaxNorm(minValue: Float = 0, maxValue: Float = 1, rate: Float = 1, axis: Int = 0) -> Constraint {
        Constraint(kind: .minMaxNorm, minValue: minValue, maxValue: maxValue, rate: rate, axis: axis)
    }

    /// The constraint with Keras name `name`, at Keras' defaults.
    public init(named name: String) throws {
        let classNames = ["MaxNorm": "max_norm", "NonNeg": "non_neg", "UnitNorm": "unit_norm", "MinMaxNorm": "min_max_norm"]
        guard let kind = Kind(rawValue: classNames[name] ?? name) else {
            throw KerasError.unknownName(kind: "constraint", name: name, valid: ["max_norm", "non_neg", "unit_norm", "min_max_norm"])
        }
        self.init(kind: kind)
        if kind == .minMaxNorm { maxValue = 1 }
    }

    init(kind: Kind, minValue: Float = 0, maxValue: Float = 2, rate: Float = 1, axis: Int = 0) {
        self.kind = kind
        self.minValue = minValue
        self.maxValue = maxValue
        self.rate = rate
        self.axis = axis
    }

    /// Throws when the constraint cannot apply to a weight of `shape`: a norm axis it lacks.
    public func validate(forShape shape: [Int]) throws {
        guard kind != .nonNeg, !(-shape.count..<shape.count).contains(axis) else { return }
        throw KerasError.invalidArgument(name: "\(name) constraint axis", value: "\(axis)",
                                         expected: "an axis of the weight's shape \(shape)")
    }

    /// `weight` projected onto the constraint's set (Keras' formulas, epsilon 1e-7).
    ///
    /// Norms are clipped as TensorFlow clips, `max(min(norm, upper), lower)`, so bounds in the
    /// wrong order (or a negative `maxValue`) give Keras' result instead of a crash.
    public func callAsFunction(_ weight: Tensor) -> Tensor {
        func clip(_ norms: Tensor, _ lower: Float, _ upper: Float) -> Tensor {
            norms.minimum(Tensor(upper)).maximum(Tensor(lower))
        }
        let epsilon: Float = 1e-7
        switch kind {
        case .nonNeg:
            return weight.relu()
        case .maxNorm:
            let norms = weight.square().sum(axis: axis, keepDims: true).sqrt()
            let desired = clip(norms, 0, maxValue)
            return weight * (desired / (norms + epsilon))
        case .unitNorm:
            return weight / (weight.square().sum(axis: axis, keepDims: true).sqrt() + epsilon)
        case .minMaxNorm:
            let norms = weight.square().sum(axis: axis, keepDims: true).sqrt()
            let desired = rate * clip(norms, minValue, maxValue) + (1 - rate) * norms
            return weight * (desired / (norms + epsilon))
        }
    }
}
