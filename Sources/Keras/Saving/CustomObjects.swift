import Foundation

/// Your own layers and losses, registered so that saved models that use them load again
/// (Keras' `register_keras_serializable` and `custom_objects`).
///
/// ```swift
/// final class Scale: Layer { … override func getConfig() throws -> [ConfigField] { try super.getConfig() + [ConfigField("factor", .float(factor))] } }
/// CustomObjects.register(layer: Scale.self, package: "MyApp") { config in
///     Scale(factor: try config.float("factor"), name: try config.optionalString("name"))
/// }
/// ```
/// A registered layer is saved with `registered_name: "MyApp>Scale"`, as Keras writes it.
public enum CustomObjects {
    /// Builds a layer from the reader of its config.
    public typealias LayerFactory = @Sendable (ConfigReader) throws -> Layer
    /// Builds a loss from the reader of its config.
    public typealias LossFactory = @Sendable (ConfigReader) throws -> any Loss

    private final class Registry: @unchecked Sendable {
        let lock = NSLock()
        var layers: [String: LayerFactory] = [:]
        var layerNames: [ObjectIdentifier: String] = [:]
        var losses: [String: LossFactory] = [:]
        var activations: [String: ActivationFunction] = [:]
    }

    private static let registry = Registry()

    private static func withRegistry<R>(_ body: (Registry) -> R) -> R {
        registry.lock.lock()
        defer { registry.lock.unlock() }
        return body(registry)
    }

    /// Registers a layer class under `package>ClassName`, so that `Keras.loadModel` and
    /// `Keras.modelFromJSON` can rebuild it with `make`.
    public static func register(layer type: Layer.Type, package: String = "Custom",
                                _ make: @escaping LayerFactory) {
        let name = "\(package)>\(type.kerasClassName)"
        withRegistry {
            $0.layers[name] = make
            $0.layers[type.kerasClassName] = make
            $0.layerNames[ObjectIdentifier(type)] = name
        }
    }

    /// Registers a loss by the name it carries in `compile_config` (its class name, or
    /// `package>ClassName`).
    public static func register(loss name: String, _ make: @escaping LossFactory) {
        withRegistry { $0.losses[name] = make }
    }

    /// Registers a custom activation (made with `ActivationFunction.custom`) under its name, so
    /// that configs naming it (and `Dense(activation: "name")`) resolve to it.
    public static func register(activation: ActivationFunction) {
        withRegistry { $0.activations[activation.name] = activation }
    }

    static func activation(named name: String) -> ActivationFunction? { withRegistry { $0.activations[name] } }

    /// The registered name of a layer class, or `nil` for built-in and unregistered classes.
    static func registeredName(of type: Layer.Type) -> String? {
        withRegistry { $0.layerNames[ObjectIdentifier(type)] }
    }

    static func layerFactory(_ name: String) -> LayerFactory? { withRegistry { $0.layers[name] } }

    static func lossFactory(_ name: String) -> LossFactory? { withRegistry { $0.losses[name] } }
}
