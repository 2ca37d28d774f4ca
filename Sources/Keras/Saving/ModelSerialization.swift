import Foundation

// Whole models as Keras configs: `to_json()`, `model_from_json`, and `config.json` in `.keras` files.

extension Model {
    /// The model as `config.json` in a `.keras` file holds it: class, config, `build_config`
    /// (once built) and `compile_config` (`{}` until compiled).
    func modelSerialized() throws -> ConfigValue {
        var extra: [ConfigField] = []
        if let shapes = builtInputShapes {
            let shape: ConfigValue = shapes.count == 1 ? .shape(shapes[0]) : .array(shapes.map { .shape($0) })
            extra.append(ConfigField("build_config", .object([ConfigField("input_shape", shape)])))
        }
        extra.append(ConfigField("compile_config", try compileConfig()))
        var object = KerasObject(module: Self.kerasModule, className: Self.kerasClassName, config: try getConfig(), extra: extra)
        if let registered = CustomObjects.registeredName(of: type(of: self)) {
            object.module = nil
            object.registeredName = registered
        }
        return object.value
    }

    /// The arguments of `compile` as Keras records them; `{}` for a model not compiled.
    func compileConfig() throws -> ConfigValue {
        guard let optimizer else { return .object([]) }
        return .object([
            ConfigField("optimizer", optimizer.serialized),
            ConfigField("loss", compiledLossConfig),
            ConfigField("loss_weights", compiledLossWeightsConfig),
            ConfigField("metrics", compiledMetricsConfig),
            ConfigField("weighted_metrics", .null),
            ConfigField("run_eagerly", .bool(false)),
            ConfigField("steps_per_execution", .int(1)),
            ConfigField("jit_compile", .bool(false)),
        ])
    }

    /// The model's architecture (and compile arguments) as Keras' `to_json()` writes it; rebuild
    /// it with `Keras.modelFromJSON(_:)` here or `keras.models.model_from_json` in Python.
    public func toJSON() throws -> String { try serialized().json }

    /// Compiles the model as a saved `compile_config` says; nothing for `{}` or `null`.
    func compile(fromConfig config: ConfigValue) throws {
        guard case let .object(fields) = config, !fields.isEmpty else { return }
        guard let lossValue = config["loss"], !lossValue.isNull else {
            throw KerasError.invalidData("compile_config has no loss; models with several or no losses are not supported")
        }
        // Keras' `to_json()` sometimes leaves the optimizer out: compile with Keras' default then.
        let optimizerValue = config["optimizer"] ?? .null
        let optimizer: Optimizer = switch optimizerValue {
        case .null: RMSprop()
        case let .string(name): try Optimizers.named(name)
        default: try Optimizers.deserialize(optimizerValue)
        }
        func loss(_ value: ConfigValue) throws -> (any LossRepresentable)? {
            switch value {
            case .null: nil
            case let .string(name): name
            default: try Losses.deserialize(value)
            }
        }
        func metrics(_ value: ConfigValue?) throws -> [any MetricRepresentable] {
            guard let value, !value.isNull else { return [] }
            guard case let .array(items) = value else {
                throw KerasError.invalidData("compile_config 'metrics' must be a list, got \(value.json.prefix(200))")
            }
            // Keras 2 lists the metrics of each output in a list of its own.
            let flat = items.flatMap { item -> [ConfigValue] in if case let .array(inner) = item { inner } else { [item] } }
            return try flat.map(Self.metricRequest)
        }
        let names = outputNames
        /// The value for each output from a dictionary by output name, a list by position, or one value for all.
        func perOutput(_ value: ConfigValue?, key: String) throws -> [ConfigValue?] {
            switch value {
            case let .object(fields)? where value?["class_name"] == nil:
                for field in fields where !names.contains(field.key) {
                    throw KerasError.unknownName(kind: "output in compile_config '\(key)'", name: field.key, valid: names)
                }
                return names.map { value?[$0] }
            case let .array(items)? where names.count > 1 && key != "metrics" || (key == "metrics" && items.allSatisfy { if case .array = $0 { true } else { false } } && items.count == names.count && names.count > 1):
                guard items.count == names.count else {
                    throw KerasError.invalidData("compile_config '\(key)' lists \(items.count) values for \(names.count) outputs")
                }
                return items
            default:
                return names.map { _ in value }
            }
        }
        let losses = try perOutput(lossValue, key: "loss").map { try $0.flatMap(loss) }
        let weights = try perOutput(config["loss_weights"], key: "loss_weights").map { value -> Float in
            guard let value, !value.isNull else { return 1 }
            guard let number = value.doubleValue else { throw KerasError.invalidData("compile_config 'loss_weights' holds \(value.json)") }
            return Float(number)
        }
        let metricLists = try perOutput(config["metrics"], key: "metrics").map(metrics)
        try compile(optimizer: optimizer, outputs: names.indices.map { (losses[$0], weights[$0], metricLists[$0]) },
                    lossConfig: lossValue, weightsConfig: config["loss_weights"] ?? .null, metricsConfig: config["metrics"] ?? .null)
    }
}

extension Keras {
    /// Rebuilds a model from the JSON of `model.toJSON()` or Keras' `model.to_json()` (Keras 3,
    /// and Keras 2's Sequential configs), with fresh weights; compiled when the JSON says how.
    public static func modelFromJSON(_ json: String) throws -> Model {
        try model(fromConfig: try ConfigValue(json: json, source: "model JSON"), compile: true)
    }

    /// The model a serialized config describes, built when the config records its input shape.
    static func model(fromConfig value: ConfigValue, compile: Bool) throws -> Model {
        let object = try KerasObject(value, kind: "model")
        // Keras 2.2 wrote a Sequential config as the bare list of its layers.
        let envelope: ConfigValue = if case .array = object.config, object.className == "Sequential" {
            KerasObject(module: "keras", className: "Sequential", config: [ConfigField("layers", object.config)]).value
        } else { value }
        guard let model = try Layers.deserialize(envelope) as? Model else {
            throw KerasError.unknownName(kind: "model class", name: object.className, valid: ["Sequential", "Functional"])
        }
        if !model.isBuilt, let buildConfig = object.extra.first(where: { $0.key == "build_config" })?.value,
           let shape = try ConfigReader(buildConfig, context: "\(object.className) build_config").shape("input_shape") {
            try model.buildIfNeeded(inputShape: shape)
        }
        if compile, let compileConfig = object.extra.first(where: { $0.key == "compile_config" })?.value {
            try model.compile(fromConfig: compileConfig)
        }
        return model
    }
}

extension Sequential {
    /// The Sequential model a Keras config describes, built when the config records its input shape.
    public convenience init(config reader: ConfigReader) throws {
        guard case let .array(items)? = reader.value("layers") else {
            throw KerasError.invalidData("The Sequential config has no 'layers' list")
        }
        self.init(try items.map(Layers.deserialize), name: reader.layerName)
        if !isBuilt, let shape = try reader.shape("build_input_shape") { try build(inputShape: shape) }
    }
}
