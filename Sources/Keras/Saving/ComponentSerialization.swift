import Foundation

// How the small configurable values of a layer — activations, initializers, regularizers and
// constraints — appear in Keras configs, in both directions.

extension ActivationFunction {
    /// The Keras config value: the activation's name (`"relu"`), as Keras writes built-in
    /// activation functions. Throws for options a name cannot carry (`relu(alpha: 0.1)`).
    public func serialized() throws -> ConfigValue {
        try validate()
        if custom != nil {
            guard CustomObjects.activation(named: name) != nil else {
                throw KerasError.invalidArgument(name: "activation", value: name,
                                                 expected: "a custom activation registered with CustomObjects.register(activation:) before saving")
            }
            return .string(name)
        }
        guard self == ActivationFunction(stringLiteral: name) else {
            throw KerasError.invalidArgument(
                name: "activation", value: "\(name) with non-default options",
                expected: "an activation Keras can name in a config; use a separate layer (LeakyReLU, ELU, ReLU) for options")
        }
        return .string(name)
    }

    /// The activation a config names: a string, or Keras 2's `{"class_name": "relu"}`.
    public init(serialized value: ConfigValue) throws {
        if value.isNull {
            self = .linear
            return
        }
        let object = try KerasObject(value, kind: "activation")
        try self.init(named: object.className)
    }
}

extension Initializer {
    private static let classNames: [Kind: String] = [
        .zeros: "Zeros", .ones: "Ones", .constant: "Constant", .randomNormal: "RandomNormal",
        .randomUniform: "RandomUniform", .truncatedNormal: "TruncatedNormal", .glorotUniform: "GlorotUniform",
        .glorotNormal: "GlorotNormal", .heUniform: "HeUniform", .heNormal: "HeNormal", .lecunUniform: "LecunUniform",
        .lecunNormal: "LecunNormal", .orthogonal: "Orthogonal", .identity: "Identity",
    ]

    /// The initializer as Keras serialises it (`{"module": "keras.initializers", "class_name": "GlorotUniform", …}`).
    public func serialized() throws -> ConfigValue {
        try validate()
        guard let kind, let className = Self.classNames[kind] else { return .null }
        let seedValue: ConfigValue = seed.map { .int(Int(truncatingIfNeeded: $0)) } ?? .null
        var config: [ConfigField]
        switch kind {
        case .zeros, .ones: config = []
        case .identity: config = gain == 1 ? [] : [ConfigField("gain", .float(gain))]
        case .constant: config = [ConfigField("value", .float(value))]
        case .randomNormal, .truncatedNormal:
            config = [ConfigField("seed", seedValue), ConfigField("mean", .float(mean)), ConfigField("stddev", .float(scale))]
        case .randomUniform:
            config = [ConfigField("seed", seedValue), ConfigField("minval", .float(minValue)), ConfigField("maxval", .float(maxValue))]
        case .orthogonal: config = [ConfigField("seed", seedValue), ConfigField("gain", .float(gain))]
        case .glorotUniform, .glorotNormal, .heUniform, .heNormal, .lecunUniform, .lecunNormal:
            config = [ConfigField("seed", seedValue), ConfigField("input_axes", .null), ConfigField("output_axes", .null)]
        }
        return KerasObject(module: "keras.initializers", className: className, config: config).value
    }

    /// The initializer a config describes: a name (`"glorot_uniform"`) or a serialized object.
    public init(serialized value: ConfigValue) throws {
        let object = try KerasObject(value, kind: "initializer")
        try self.init(named: object.className)
        let reader = object.reader("Initializer \(object.className)")
        if let seed = try reader.optionalInt("seed") { self.seed = UInt64(truncatingIfNeeded: seed) }
        switch kind {
        case .constant?: self.value = try reader.float("value", default: 0)
        case .randomNormal?, .truncatedNormal?:
            mean = try reader.float("mean", default: 0)
            scale = try reader.float("stddev", default: 0.05)
        case .randomUniform?:
            minValue = try reader.float("minval", default: -0.05)
            maxValue = try reader.float("maxval", default: 0.05)
        case .orthogonal?, .identity?: gain = try reader.float("gain", default: 1)
        default: break
        }
    }
}

extension Regularizer {
    /// The regularizer as Keras serialises it: `L1`, `L2` or `L1L2` with its factors.
    public func serialized() -> ConfigValue {
        let (className, config): (String, [ConfigField]) = switch name {
        case "l1": ("L1", [ConfigField("l1", .float(l1))])
        case "l2": ("L2", [ConfigField("l2", .float(l2))])
        default: ("L1L2", [ConfigField("l1", .float(l1)), ConfigField("l2", .float(l2))])
        }
        return KerasObject(module: "keras.regularizers", className: className, config: config).value
    }

    /// The regularizer a config describes (`null` for none), factors included.
    public static func deserialize(_ value: ConfigValue) throws -> Regularizer? {
        if value.isNull { return nil }
        let object = try KerasObject(value, kind: "regularizer")
        let reader = object.reader("Regularizer \(object.className)")
        let result: Regularizer
        switch try Regularizer(named: object.className).name {
        case "l1": result = .l1(try reader.float("l1", default: 0.01))
        case "l2": result = .l2(try reader.float("l2", default: 0.01))
        default: result = .l1l2(l1: try reader.float("l1", default: 0), l2: try reader.float("l2", default: 0))
        }
        try result.validate()
        return result
    }
}

extension Constraint {
    /// The constraint as Keras serialises it: `MaxNorm`, `NonNeg`, `UnitNorm` or `MinMaxNorm`.
    public func serialized() -> ConfigValue {
        let (className, config): (String, [ConfigField]) = switch kind {
        case .maxNorm: ("MaxNorm", [ConfigField("max_value", .float(maxValue)), ConfigField("axis", .int(axis))])
        case .nonNeg: ("NonNeg", [])
        case .unitNorm: ("UnitNorm", [ConfigField("axis", .int(axis))])
        case .minMaxNorm:
            ("MinMaxNorm", [ConfigField("min_value", .float(minValue)), ConfigField("max_value", .float(maxValue)),
                            ConfigField("rate", .float(rate)), ConfigField("axis", .int(axis))])
        }
        return KerasObject(module: "keras.constraints", className: className, config: config).value
    }

    /// The constraint a config describes (`null` for none), options included.
    public static func deserialize(_ value: ConfigValue) throws -> Constraint? {
        if value.isNull { return nil }
        let object = try KerasObject(value, kind: "constraint")
        let reader = object.reader("Constraint \(object.className)")
        let named = try Constraint(named: object.className)
        let axis = try reader.int("axis", default: 0)
        switch named.kind {
        case .maxNorm: return .maxNorm(try reader.float("max_value", default: 2), axis: axis)
        case .nonNeg: return .nonNeg
        case .unitNorm: return .unitNorm(axis: axis)
        case .minMaxNorm:
            return .minMaxNorm(minValue: try reader.float("min_value", default: 0), maxValue: try reader.float("max_value", default: 1),
                               rate: try reader.float("rate", default: 1), axis: axis)
        }
    }
}
