import Foundation

/// The envelope in which Keras serialises every object (`serialize_keras_object`):
/// `{"module": "keras.layers", "class_name": "Dense", "config": {…}, "registered_name": null}`.
///
/// Reading also accepts Keras 2's `{"class_name": …, "config": …}` and the bare strings that
/// configs use for built-in objects (`"relu"`, `"glorot_uniform"`, `"l2"`).
public struct KerasObject: Sendable, Equatable {
    /// The Python module of the class: `keras.layers`, `keras.initializers`, …
    public var module: String?
    /// The class name: `Dense`, `GlorotUniform`; for a bare string, the string itself.
    public var className: String
    /// The arguments that rebuild the object.
    public var config: ConfigValue
    /// `package>Name` for objects registered as custom objects; `nil` for built-ins.
    public var registeredName: String?
    /// Extra keys after `registered_name` (a layer's `build_config`, a model's `compile_config`).
    public var extra: [ConfigField]

    public init(module: String?, className: String, config: [ConfigField], registeredName: String? = nil,
                extra: [ConfigField] = []) {
        self.module = module
        self.className = className
        self.config = .object(config)
        self.registeredName = registeredName
        self.extra = extra
    }

    /// Reads an envelope, or a bare string naming a built-in object.
    ///
    /// - Parameter kind: what is expected (`"layer"`, `"initializer"`), for errors.
    public init(_ value: ConfigValue, kind: String) throws {
        switch value {
        case let .string(name):
            self.init(module: nil, className: name, config: [])
        case .object:
            guard let className = value["class_name"]?.stringValue else {
                throw KerasError.invalidData("A serialized \(kind) has no 'class_name': \(value.json.prefix(200))")
            }
            let config = value["config"] ?? .object([])
            switch config {
            case .object, .array: break  // Keras 2.2 wrote a Sequential's config as its layer list.
            default:
                throw KerasError.invalidData("The \(kind) '\(className)' has a config that is not an object: \(config.json.prefix(200))")
            }
            let known: Set = ["module", "class_name", "config", "registered_name"]
            var extra: [ConfigField] = []
            if case let .object(fields) = value { extra = fields.filter { !known.contains($0.key) } }
            self.init(module: value["module"]?.stringValue, className: className, config: [],
                      registeredName: value["registered_name"]?.stringValue, extra: extra)
            self.config = config
        default:
            throw KerasError.invalidData("Expected a serialized \(kind) (an object or a name), got \(value.json.prefix(200))")
        }
    }

    /// The JSON value: `module`, `class_name`, `config`, `registered_name`, then the extra keys.
    public var value: ConfigValue {
        .object([
            ConfigField("module", module.map(ConfigValue.string) ?? .null),
            ConfigField("class_name", .string(className)),
            ConfigField("config", config),
            ConfigField("registered_name", registeredName.map(ConfigValue.string) ?? .null),
        ] + extra)
    }

    /// The name under which registries look the object up: the registered name when there is one.
    var lookupName: String { registeredName ?? className }

    /// A reader of `config` whose errors name the object.
    func reader(_ description: String? = nil) -> ConfigReader {
        ConfigReader(config, context: description ?? className)
    }
}
