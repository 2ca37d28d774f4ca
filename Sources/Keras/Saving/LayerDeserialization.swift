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
        "ConvLSTM1D": { try ConvLSTM1D(config: $0) },
        "ConvLSTM2D": { try ConvLSTM2D(config: $0) },
        "ConvLSTM3D": { try ConvLSTM3D(config: $0) },
        "TimeDistributed": { try TimeDistributed(config: $0) },
        "Normalization": { try Normalization(config: $0) },
        "Rescaling": { try Rescaling(config: $0) },
        "CategoryEncoding": { try CategoryEncoding(config: $0) },
        "Discretization": { try Discretization(config: $0) },
        "TextVectorization": { try TextVectorization(config: $0) },
        "StringLookup": { try StringLookup(config: $0) },
        "IntegerLookup": { try IntegerLookup(config: $0) },
        "Hashing": { try Hashing(config: $0) },
        "Conv1D": { try Conv1D(config: $0) },
        "Conv2D": { try Conv2D(config: $0) },
        "Conv3D": { try Conv3D(config: $0) },
        "Conv1DTranspose": { try Conv1DTranspose(config: $0) },
        "Conv2DTranspose": { try Conv2DTranspose(config: $0) },
        "Conv3DTranspose": { try Conv3DTranspose(config: $0) },
        "DepthwiseConv1D": { try DepthwiseConv1D(config: $0) },
        "DepthwiseConv2D": { try DepthwiseConv2D(config: $0) },
        "SeparableConv1D": { try SeparableConv1D(config: $0) },
        "SeparableConv2D": { try SeparableConv2D(config: $0) },
        "MaxPooling1D": { try MaxPooling1D(config: $0) },
        "MaxPooling2D": { try MaxPooling2D(config: $0) },
        "MaxPooling3D": { try MaxPooling3D(config: $0) },
        "AveragePooling1D": { try AveragePooling1D(config: $0) },
        "AveragePooling2D": { try AveragePooling2D(config: $0) },
        "AveragePooling3D": { try AveragePooling3D(config: $0) },
        "GlobalMaxPooling1D": { try GlobalMaxPooling1D(config: $0) },
        "GlobalMaxPooling2D": { try GlobalMaxPooling2D(config: $0) },
        "GlobalMaxPooling3D": { try GlobalMaxPooling3D(config: $0) },
        "GlobalAveragePooling1D": { try GlobalAveragePooling1D(config: $0) },
        "GlobalAveragePooling2D": { try GlobalAveragePooling2D(config: $0) },
        "GlobalAveragePooling3D": { try GlobalAveragePooling3D(config: $0) },
        "UpSampling1D": { try UpSampling1D(config: $0) },
        "UpSampling2D": { try UpSampling2D(config: $0) },
        "UpSampling3D": { try UpSampling3D(config: $0) },
        "ZeroPadding1D": { try ZeroPadding1D(config: $0) },
        "ZeroPadding2D": { try ZeroPadding2D(config: $0) },
        "ZeroPadding3D": { try ZeroPadding3D(config: $0) },
        "Cropping1D": { try Cropping1D(config: $0) },
        "Cropping2D": { try Cropping2D(config: $0) },
        "Cropping3D": { try Cropping3D(config: $0) },
        "BatchNormalization": { try BatchNormalization(config: $0) },
        "LayerNormalization": { try LayerNormalization(config: $0) },
        "GroupNormalization": { try GroupNormalization(config: $0) },
        "UnitNormalization": { try UnitNormalization(config: $0) },
        "SpatialDropout1D": { try SpatialDropout1D(config: $0) },
        "SpatialDropout2D": { try SpatialDropout2D(config: $0) },
        "SpatialDropout3D": { try SpatialDropout3D(config: $0) },
        "GaussianNoise": { try GaussianNoise(config: $0) },
        "GaussianDropout": { try GaussianDropout(config: $0) },
        "AlphaDropout": { try AlphaDropout(config: $0) },
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
