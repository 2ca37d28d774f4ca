import Foundation

/// An activation function, chosen by name as in Keras: `.relu`, `.softmax`, or `"sigmoid"`.
///
/// A string that names no activation is kept and reported as an error when the layer builds,
/// so `Dense(units: 1, activation: "sigmod")` throws instead of crashing.
public struct ActivationFunction: Sendable, Equatable, ExpressibleByStringLiteral, CustomStringConvertible {
    enum Kind: String, CaseIterable, Sendable {
        case linear, sigmoid, tanh, relu, leakyRelu = "leaky_relu", elu, selu, gelu, softplus, softsign
        case silu, hardSigmoid = "hard_sigmoid", exponential, softmax, logSoftmax = "log_softmax"
    }

    let kind: Kind?
    /// The Keras name (`"relu"`), or the unknown string that was given.
    public let name: String
    var alpha: Float = 0
    var maxValue: Float? = nil
    var threshold: Float = 0
    var axis: Int = -1
    var approximate = false
    /// The function of an activation made with `custom(_:_:)`.
    var custom: CustomActivation?

    init(_ kind: Kind, alpha: Float = 0) {
        self.kind = kind
        self.name = kind.rawValue
        self.alpha = alpha
    }

    /// The activation with Keras name `name` (`"relu"`, `"swish"`, `"leaky_relu"`, …).
    public init(stringLiteral name: String) {
        let aliases = ["swish": "silu", "softmax_v2": "softmax", "None": "linear", "": "linear"]
        let resolved = aliases[name] ?? name
        switch Kind(rawValue: resolved) {
        case .leakyRelu?: self = .leakyRelu()
        case .elu?: self = .elu()
        case .selu?: self = .selu
        case let kind?: self.init(kind)
        case nil:
            if let registered = CustomObjects.activation(named: name) {
                self = registered
            } else {
                self.init(unknown: name)
            }
        }
    }

    /// The activation named `name`, or a `KerasError.unknownName` listing the valid names.
    public init(named name: String) throws {
        self.init(stringLiteral: name)
        try validate()
    }

    /// Throws when this activation was made from a string that names none.
    public func validate() throws {
        guard kind != nil || custom != nil else {
            throw KerasError.unknownName(kind: "activation", name: name, valid: Kind.allCases.map(\.rawValue) + ["swish"])
        }
    }

    /// Throws when this activation cannot apply to inputs of rank `rank`: an unknown name, or a
    /// softmax axis outside the input's axes.
    public func validate(rank: Int) throws {
        try validate()
        if kind == .softmax || kind == .logSoftmax, !(-rank..<rank).contains(axis) {
            throw KerasError.invalidArgument(name: "\(name) axis", value: "\(axis)",
                                             expected: "an axis of inputs of rank \(rank), in \(-rank)..<\(rank)")
        }
    }

    public var description: String { name }

    private init(unknown name: String) {
        kind = nil
        self.name = name
    }

    public static let linear = ActivationFunction(.linear)
    public static let sigmoid = ActivationFunction(.sigmoid)
    public static let tanh = ActivationFunction(.tanh)
    public static let relu = ActivationFunction(.relu)
    /// `relu` with Keras' options: slope `alpha` below `threshold`, and a ceiling `maxValue`.
    public static func relu(alpha: Float = 0, maxValue: Float? = nil, threshold: Float = 0) -> ActivationFunction {
        var result = ActivationFunction(.relu, alpha: alpha)
        result.maxValue = maxValue
        result.threshold = threshold
        return result
    }
    /// `x` above zero, `alpha * x` below (Keras 3's default slope is 0.2).
    public static func leakyRelu(alpha: Float = 0.2) -> ActivationFunction { ActivationFunction(.leakyRelu, alpha: alpha) }
    /// `x` above zero, `alpha * (exp(x) - 1)` below.
    public static func elu(alpha: Float = 1) -> ActivationFunction { ActivationFunction(.elu, alpha: alpha) }
    public static let selu = ActivationFunction(.selu, alpha: 1.6732632423543772848170429916717)
    public static let gelu = ActivationFunction(.gelu)
    /// GELU, optionally with the tanh approximation.
    public static func gelu(approximate: Bool) -> ActivationFunction {
        var result = ActivationFunction(.gelu)
        result.approximate = approximate
        return result
    }
    public static let softplus = ActivationFunction(.softplus)
    public static let softsign = ActivationFunction(.softsign)
    public static let silu = ActivationFunction(.silu)
    public static let swish = ActivationFunction(.silu)
    public static let hardSigmoid = ActivationFunction(.hardSigmoid)
    public static let exponential = ActivationFunction(.exponential)
    public static let softmax = ActivationFunction(.softmax)
    public static let logSoftmax = ActivationFunction(.logSoftmax)
    /// Softmax over `axis`.
    public static func softmax(axis: Int) -> ActivationFunction {
        var result = ActivationFunction(.softmax)
        result.axis = axis
        return result
    }
    /// Log-softmax over `axis`.
    public static func logSoftmax(axis: Int) -> ActivationFunction {
        var result = ActivationFunction(.logSoftmax)
        result.axis = axis
        return result
    }

    /// Your own activation, named so that models using it save and load: register it with
    /// `CustomObjects.register(activation:)` and refer to it by name (`"swish_beta"`) too.
    ///
    /// ```swift
    /// let squash = ActivationFunction.custom("squash") { x in x / (1 + x.abs()) }
    /// CustomObjects.register(activation: squash)
    /// Dense(units: 4, activation: "squash")
    /// ```
    public static func custom(_ name: String, _ body: @escaping @Sendable (Tensor) -> Tensor) -> ActivationFunction {
        var result = ActivationFunction(unknown: name)
        result.custom = CustomActivation(body: body)
        return result
    }

    /// Applies the activation; differentiable.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        if let custom { return custom.body(x) }
        switch kind {
        case .linear?, nil: return x
        case .sigmoid?: return x.sigmoid().marked(asActivation: "sigmoid", of: x)
        case .tanh?: return x.tanh()
        case .relu?:
            // Keras 3's `relu`, step by step: the part above `threshold` (or zero), clipped to
            // `[0, maxValue]`, minus `alpha` times the part below `threshold`.
            if alpha == 0 && maxValue == nil && threshold == 0 { return x.relu() }
            if alpha != 0 && maxValue == nil && threshold == 0 { return Tensor.where(x .>= 0, x, alpha * x) }
            var y = threshold != 0 ? Tensor.where(x .> Tensor(threshold), x, Tensor(0)) : x.relu()
            // As TensorFlow's clip: `max(min(y, maxValue), 0)`, so a negative ceiling gives zeros.
            if let maxValue { y = y.minimum(Tensor(maxValue)).maximum(Tensor(0)) }
            if alpha != 0 { y = y - alpha * (threshold - x).relu() }
            return y
        case .leakyRelu?: return Tensor.where(x .>= 0, x, alpha * x)
        // exp of min(x, 0): exp(x) of a large x would overflow, and its zero gradient times
        // infinity would make the gradient NaN.
        case .elu?: return Tensor.where(x .> 0, x, alpha * (x.minimum(Tensor(0)).exp() - 1))
        case .selu?:
            return 1.0507009873554804934193349852946 * Tensor.where(x .> 0, x, alpha * (x.minimum(Tensor(0)).exp() - 1))
        case .gelu?:
            if approximate {
                let inner = Float((2 / Double.pi).squareRoot()) * (x + 0.044715 * x.pow(3))
                return 0.5 * x * (1 + inner.tanh())
            }
            return 0.5 * x * (1 + (x * Float(1 / 2.0.squareRoot())).erf())
        case .softplus?: return x.softplus()
        case .softsign?: return x / (1 + x.abs())
        case .silu?: return x * x.sigmoid()
        case .hardSigmoid?: return ((x + 3).relu().minimum(Tensor(6))) / 6
        case .exponential?: return x.exp()
        case .softmax?:
            let y = x.softmax(axis: axis)
            return axis == -1 || axis == x.rank - 1 ? y.marked(asActivation: "softmax", of: x) : y
        case .logSoftmax?: return x - x.logSumExp(axis: axis, keepDims: true)
        }
    }
}

extension Tensor {
    /// `exp(x) / sum(exp(x))` along `axis`, computed without overflow.
    public func softmax(axis: Int = -1) -> Tensor {
        let shifted = self - max(axis: axis, keepDims: true).detached
        let e = shifted.exp()
        return e / e.sum(axis: axis, keepDims: true)
    }
}

/// The function of a custom activation. Activations compare by name, so two customs with the
/// same name are the same activation.
struct CustomActivation: Sendable, Equatable {
    let body: @Sendable (Tensor) -> Tensor
    static func == (a: CustomActivation, b: CustomActivation) -> Bool { true }
}
