import Foundation

// Losses and metrics in `compile_config`: strings as given, objects as Keras serialises them.

extension Loss {
    /// The loss as Keras serialises it: `{"module": "keras.losses", "class_name": …, "config": {name, reduction, …}}`.
    public func serialized() -> ConfigValue {
        var config = [ConfigField("name", .string(name)), ConfigField("reduction", .string(reduction.rawValue))]
        switch self {
        case let loss as any SmoothedCrossentropy:
            config += [ConfigField("from_logits", .bool(loss.fromLogits)), ConfigField("label_smoothing", .float(loss.labelSmoothing)),
                       ConfigField("axis", .int(loss.axis))]
        case let loss as Losses.SparseCategoricalCrossentropy:
            config += [ConfigField("from_logits", .bool(loss.fromLogits)), ConfigField("ignore_class", loss.ignoreClass.map(ConfigValue.int) ?? .null)]
        case let loss as Losses.Huber:
            config.append(ConfigField("delta", .float(loss.delta)))
        case let loss as Losses.CosineSimilarity:
            config.append(ConfigField("axis", .int(loss.axis)))
        default: break
        }
        let className = String(describing: type(of: self))
        let builtIn = Losses.classNames[className] != nil
        return KerasObject(module: builtIn ? "keras.losses" : nil, className: className, config: config).value
    }
}

extension Losses {
    /// The loss a `compile_config` holds: a Keras name (`"mse"`), or a serialized loss object.
    /// Custom losses must be registered with `CustomObjects.register(loss:)`.
    public static func deserialize(_ value: ConfigValue) throws -> any Loss {
        if case let .string(name) = value { return try CustomObjects.lossFactory(name).map { try $0(ConfigReader(.object([]), context: name)) } ?? named(name) }
        let object = try KerasObject(value, kind: "loss")
        let reader = object.reader("Loss \(object.className)")
        if let make = CustomObjects.lossFactory(object.lookupName) { return try make(reader) }
        guard classNames[object.className] != nil else {
            throw KerasError.unknownName(kind: "loss class (register your own with CustomObjects.register(loss:))",
                                         name: object.lookupName, valid: classNames.keys.sorted())
        }
        var loss = try named(object.className)
        let reductionName = try reader.string("reduction", default: LossReduction.sumOverBatchSize.rawValue)
        guard let reduction = LossReduction(rawValue: reductionName) else {
            throw KerasError.unknownName(kind: "loss reduction", name: reductionName, valid: LossReduction.allCases.map(\.rawValue))
        }
        let name = try reader.optionalString("name")
        func common<L: Loss>(_ loss: inout L, _ namePath: WritableKeyPath<L, String>, _ reductionPath: WritableKeyPath<L, LossReduction>) {
            if let name { loss[keyPath: namePath] = name }
            loss[keyPath: reductionPath] = reduction
        }
        switch loss {
        case let typed as any SmoothedCrossentropy:
            loss = try typed.configured(reader, name: name, reduction: reduction)
        case var typed as SparseCategoricalCrossentropy:
            typed.fromLogits = try reader.bool("from_logits", default: false)
            typed.ignoreClass = try reader.optionalInt("ignore_class")
            common(&typed, \.name, \.reduction)
            loss = typed
        case var typed as Huber:
            typed.delta = try reader.float("delta", default: 1)
            common(&typed, \.name, \.reduction)
            loss = typed
        case var typed as CosineSimilarity:
            typed.axis = try reader.int("axis", default: -1)
            common(&typed, \.name, \.reduction)
            loss = typed
        default:
            // Losses with no options of their own keep Keras' default name and reduction.
            break
        }
        return loss
    }
}

/// The binary and categorical crossentropies: the same options, serialized the same way.
protocol SmoothedCrossentropy: Loss {
    var name: String { get set }
    var reduction: LossReduction { get set }
    var fromLogits: Bool { get set }
    var labelSmoothing: Float { get set }
    var axis: Int { get set }
}

extension SmoothedCrossentropy {
    /// A copy with the options a config gives.
    func configured(_ reader: ConfigReader, name: String?, reduction: LossReduction) throws -> Self {
        var copy = self
        copy.fromLogits = try reader.bool("from_logits", default: false)
        copy.labelSmoothing = try reader.float("label_smoothing", default: 0)
        try Losses.validateLabelSmoothing(reader.context, copy.labelSmoothing)
        copy.axis = try reader.int("axis", default: -1)
        if let name { copy.name = name }
        copy.reduction = reduction
        return copy
    }
}

extension Losses.BinaryCrossentropy: SmoothedCrossentropy {}
extension Losses.CategoricalCrossentropy: SmoothedCrossentropy {}

extension Metric {
    /// The metric as Keras serialises it: class name and `{name, dtype}`.
    public func serialized() -> ConfigValue {
        KerasObject(module: "keras.metrics", className: String(describing: type(of: self)),
                    config: [ConfigField("name", .string(name)), ConfigField("dtype", .string("float32"))]).value
    }
}

extension Model {
    /// A `compile` argument as `compile_config` records it: names as given, objects serialized.
    static func compileValue(_ argument: Any) throws -> ConfigValue {
        switch argument {
        case let name as String: return .string(name)
        case let loss as any Loss: return loss.serialized()
        case let metric as any Metric: return metric.serialized()
        case let metric as SavedMetric: return metric.saved
        default:
            throw KerasError.invalidArgument(name: "compile", value: "\(type(of: argument))",
                                             expected: "a Keras name, a Loss or a Metric")
        }
    }

    /// A metric request from `compile_config`: a name, or a serialized metric (by its class).
    static func metricRequest(_ value: ConfigValue) throws -> any MetricRepresentable {
        if case let .string(name) = value { return name }
        let object = try KerasObject(value, kind: "metric")
        // Keras 2 wraps function metrics ("accuracy") in a MeanMetricWrapper named after them.
        if object.className == "MeanMetricWrapper", let name = object.config["name"]?.stringValue { return name }
        return SavedMetric(name: object.className.snakeCased, saved: value)
    }
}

/// A metric object read from a `compile_config`: made from its class name when the shapes are
/// known, and saved again as it was read.
struct SavedMetric: MetricRepresentable {
    let name: String
    let saved: ConfigValue

    func makeMetric(loss: any Loss, yTrueShape: [Int], yPredShape: [Int]) throws -> any Metric {
        try Metrics.named(name, loss: loss, yTrueShape: yTrueShape, yPredShape: yPredShape)
    }
}
