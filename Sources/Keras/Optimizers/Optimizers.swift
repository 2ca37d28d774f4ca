import Foundation

/// Optimizers by name and from saved configs (`keras.optimizers.get` / `deserialize`).
public enum Optimizers {
    /// The names `named(_:)` accepts (case-insensitively), as in Keras.
    public static let names = ["adadelta", "adagrad", "adam", "adamax", "adamw", "nadam", "rmsprop", "sgd"]

    /// A new optimizer with Keras' defaults from its name: `"sgd"`, `"adam"`, `"adamw"`,
    /// `"rmsprop"`, `"adagrad"`, `"adadelta"`, `"adamax"`, `"nadam"` (any case, as Keras'
    /// `keras.optimizers.get("Adam")`). Throws `KerasError.unknownName` listing the valid names.
    public static func named(_ name: String) throws -> Optimizer {
        switch name.lowercased() {
        case "sgd": return SGD()
        case "adam": return Adam()
        case "adamw": return AdamW()
        case "rmsprop": return RMSprop()
        case "adagrad": return Adagrad()
        case "adadelta": return Adadelta()
        case "adamax": return Adamax()
        case "nadam": return Nadam()
        default: throw KerasError.unknownName(kind: "optimizer", name: name, valid: names)
        }
    }

    /// The optimizer a serialized config describes (`{"class_name": "Adam", "config": {…}}`, as
    /// `compile_config` in a `.keras` file holds it). Missing keys take Keras' defaults; the
    /// learning rate may be a number or a serialized schedule. Options this package does not
    /// implement (`use_ema`, `loss_scale_factor`, `gradient_accumulation_steps`) must be unset.
    public static func deserialize(_ serialized: ConfigValue) throws -> Optimizer {
        guard let className = serialized["class_name"]?.stringValue else {
            throw KerasError.invalidData("Optimizer config has no class_name: \(serialized.json)")
        }
        // Keras 2.13+ writes its optimizers as registered objects: "Custom>Adam".
        let baseName = className.split(separator: ">").last.map(String.init) ?? className
        return try make(className: baseName, config: serialized["config"] ?? .object([]))
    }

    /// The optimizer of Keras class `className` (any case) built from a `get_config()` dictionary.
    public static func make(className: String, config: ConfigValue) throws -> Optimizer {
        let reader = ConfigReader(config, context: className)
        let name = try config["name"].flatMap { $0.isNull ? nil : $0 }.map { value -> String in
            guard let string = value.stringValue else {
                throw KerasError.invalidArgument(name: "\(className).name", value: value.json, expected: "a string")
            }
            return string
        }
        for key in ["loss_scale_factor", "gradient_accumulation_steps", "ema_overwrite_frequency"]
        where !(config[key]?.isNull ?? true) {
            throw KerasError.invalidArgument(name: "\(className).\(key)", value: config[key]!.json,
                                             expected: "null (not supported by this package)")
        }
        if try reader.bool("use_ema", default: false) {
            throw KerasError.invalidArgument(name: "\(className).use_ema", value: "true",
                                             expected: "false (not supported by this package)")
        }

        var schedule: (any LearningRateSchedule)?
        var rate: Float?
        if let value = config["learning_rate"], !value.isNull {
            if case .object = value {
                schedule = try Optimizers.schedule(from: value)
            } else {
                rate = try reader.float("learning_rate")
            }
        }

        let optimizer: Optimizer
        switch className.lowercased() {
        case "sgd":
            optimizer = SGD(learningRate: rate ?? 0.01, momentum: try reader.float("momentum", default: 0),
                            nesterov: try reader.bool("nesterov", default: false), name: name)
        case "adam", "adamw":
            let isAdamW = className.lowercased() == "adamw"
            let beta1 = try reader.float("beta_1", default: 0.9)
            let beta2 = try reader.float("beta_2", default: 0.999)
            let epsilon = try reader.float("epsilon", default: 1e-7)
            let amsgrad = try reader.bool("amsgrad", default: false)
            if isAdamW {
                optimizer = AdamW(learningRate: rate ?? 0.001, weightDecay: try reader.float("weight_decay", default: 0.004),
                                  beta1: beta1, beta2: beta2, epsilon: epsilon, amsgrad: amsgrad, name: name)
            } else {
                optimizer = Adam(learningRate: rate ?? 0.001, beta1: beta1, beta2: beta2, epsilon: epsilon,
                                 amsgrad: amsgrad, name: name)
            }
        case "rmsprop":
            optimizer = RMSprop(learningRate: rate ?? 0.001, rho: try reader.float("rho", default: 0.9),
                                momentum: try reader.float("momentum", default: 0),
                                epsilon: try reader.float("epsilon", default: 1e-7),
                                centered: try reader.bool("centered", default: false), name: name)
        case "adagrad":
            optimizer = Adagrad(learningRate: rate ?? 0.001,
                                initialAccumulatorValue: try reader.float("initial_accumulator_value", default: 0.1),
                                epsilon: try reader.float("epsilon", default: 1e-7), name: name)
        case "adadelta":
            optimizer = Adadelta(learningRate: rate ?? 0.001, rho: try reader.float("rho", default: 0.95),
                                 epsilon: try reader.float("epsilon", default: 1e-7), name: name)
        case "adamax":
            optimizer = Adamax(learningRate: rate ?? 0.001, beta1: try reader.float("beta_1", default: 0.9),
                               beta2: try reader.float("beta_2", default: 0.999),
                               epsilon: try reader.float("epsilon", default: 1e-7), name: name)
        case "nadam":
            optimizer = Nadam(learningRate: rate ?? 0.001, beta1: try reader.float("beta_1", default: 0.9),
                              beta2: try reader.float("beta_2", default: 0.999),
                              epsilon: try reader.float("epsilon", default: 1e-7), name: name)
        default:
            throw KerasError.unknownName(kind: "optimizer", name: className, valid: names)
        }
        if className.lowercased() != "adamw" {
            optimizer.weightDecay = try reader.optionalFloat("weight_decay")
        }
        optimizer.clipNorm = try reader.optionalFloat("clipnorm")
        optimizer.clipValue = try reader.optionalFloat("clipvalue")
        optimizer.globalClipNorm = try reader.optionalFloat("global_clipnorm")
        if let schedule { optimizer.learningRateSchedule = schedule }
        try optimizer.validateHyperparameters()
        return optimizer
    }

    // MARK: - Names

    private final class NameCounter: @unchecked Sendable {
        let lock = NSLock()
        var counts: [String: Int] = [:]
    }

    private static let nameCounter = NameCounter()

    /// Keras' `uniquify`: `prefix` the first time, then `prefix_1`, `prefix_2`, …
    static func uniqueName(_ prefix: String) -> String {
        nameCounter.lock.lock()
        defer { nameCounter.lock.unlock() }
        let count = nameCounter.counts[prefix, default: 0]
        nameCounter.counts[prefix] = count + 1
        return count == 0 ? prefix : "\(prefix)_\(count)"
    }
}
