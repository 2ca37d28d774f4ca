import Foundation

/// Rebuilding layers from their configs (`keras.layers.deserialize`).
public enum Layers {
    /// The built-in layer classes, by Keras class name.
    static let builtIns: [String: CustomObjects.LayerFactory] = [
        "InputLayer": { try InputLayer(config: $0) },
        "Dense": { try Dense(config: $0) },
        "Activation": { try Activation(config: $0) },
        "Dropout": { try Dropout(config: $0) },
        "Flatten": { try Flatten(config: $0) },
        "Reshape": { try Reshape(config: $0) },
        "Embedding": { try Embedding(config: $0) },
        "Masking": { try Masking(config: $0) },
        "RepeatVector": { try RepeatVector(config: $0) },
        "SimpleRNN": { try SimpleRNN(config: $0) },
        "GRU": { try GRU(config: $0) },
        "LSTM": { try LSTM(config: $0) },
        "RNN": { try RNN(config: $0) },
        "SimpleRNNCell": { try SimpleRNNCell(config: $0) },
        "GRUCell": { try GRUCell(config: $0) },
        "LSTMCell": { try LSTMCell(config: $0) },
        "StackedRNNCells": { try StackedRNNCells(config: $0) },
        "Bidirectional": { try Bidirectional(config: $0) },
        "TimeDistributed": { try TimeDistributed(config: $0) },
        "Normalization": { try Normalization(config: $0) },
        "Rescaling": { try Rescaling(config: $0) },
        "CategoryEncoding": { try CategoryEncoding(config: $0) },
        "Discretization": { try Discretization(config: $0) },
        "Add": { Add(name: $0.layerName) },
        "Subtract": { Subtract(name: $0.layerName) },
        "Multiply": { Multiply(name: $0.layerName) },
        "Average": { Average(name: $0.layerName) },
        "Maximum": { Maximum(name: $0.layerName) },
        "Minimum": { Minimum(name: $0.layerName) },
        "Concatenate": { try Concatenate(config: $0) },
        "Dot": { try Dot(config: $0) },
        "Sequential": { try Sequential(config: $0) },
        "Functional": { try Model(functionalConfig: $0) },
        "Model": { try Model(functionalConfig: $0) },
    ]

    /// The layer a serialized config describes, unbuilt, with the config's name and
    /// `trainable` flag. Custom layers must be registered with `CustomObjects.register(layer:)`.
    public static func deserialize(_ value: ConfigValue) throws -> Layer {
        let object = try KerasObject(value, kind: "layer")
        guard let make = CustomObjects.layerFactory(object.lookupName) ?? builtIns[object.className] else {
            throw KerasError.unknownName(
                kind: "layer class (register your own with CustomObjects.register(layer:))", name: object.lookupName,
                valid: builtIns.keys.sorted())
        }
        let name = object.config["name"]?.stringValue
        let reader = object.reader(name.map { "\(object.className) '\($0)'" })
        let layer = try make(reader)
        layer.trainable = try reader.bool("trainable", default: true)
        return layer
    }
}

extension ConfigReader {
    /// The `name` of a layer config, when it has one.
    public var layerName: String? { config["name"]?.stringValue }

    /// The per-sample input shape a Keras 2 layer config declares (`batch_input_shape`,
    /// `input_shape`, or `input_dim`), for the first layer of a legacy Sequential config.
    public func declaredInputShape() throws -> [Int]? {
        if let batch = try shape("batch_input_shape") {
            return try ConfigReader(.object([ConfigField("shape", .shape(Array(batch.dropFirst())))]), context: context)
                .knownShape("shape")
        }
        if let shape = try knownShape("input_shape") { return shape }
        return try optionalInt("input_dim").map { [$0] }
    }
}
