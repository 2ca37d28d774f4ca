import Foundation
import Testing
@testable import Keras

/// Keras configs and JSON: parsing, and models that round-trip through real Keras' `to_json()`.
@Suite("Configs and JSON", .freshLayerNames) struct ConfigTests {
    static let savingFixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/saving")
    static let cases = ["mlp", "activations", "layer_zoo", "xor", "uncompiled"]

    // MARK: - JSON

    @Test func jsonParsesWhatPythonWrites() throws {
        let value = try ConfigValue(json: #"{"b": [1, 2.5, -3e-07, null, true, false], "a": {"s": "x\"\\\n\u00e9\ud83d\ude00"}, "n": NaN, "i": -Infinity}"#)
        guard case let .object(fields) = value else { Issue.record("not an object"); return }
        #expect(fields.map(\.key) == ["b", "a", "n", "i"])  // order kept
        #expect(value["b"] == .array([.int(1), .double(2.5), .double(-3e-07), .null, .bool(true), .bool(false)]))
        #expect(value["a"]?["s"] == .string("x\"\\\né😀"))
        #expect(value["n"]?.doubleValue?.isNaN == true)
        #expect(value["i"]?.doubleValue == -.infinity)
        // Writing and reading again gives the same value (NaN aside).
        let finite = try ConfigValue(json: #"{"b": [1, 2.5, -3e-07, null], "a": {"s": "x\"\\\n\u00e9\ud83d\ude00"}}"#)
        #expect(try ConfigValue(json: finite.json) == finite)
    }

    @Test(arguments: ["", "{", "[1,", #"{"a" 1}"#, #"{"a": 1,}"#, "[1 2]", "tru", #""\x""#, "1 2", "\"abc",
                      String(repeating: "[", count: 600) + String(repeating: "]", count: 600)])
    func malformedJSONThrows(_ text: String) {
        #expect(throws: KerasError.self) { try ConfigValue(json: text) }
    }

    // MARK: - Models against real Keras

    /// Keras' JSON with what differs between runs left out, numbers compared as float32.
    static func normalized(_ value: ConfigValue) -> ConfigValue {
        switch value {
        case let .object(fields):
            return .object(fields.filter { $0.key != "shared_object_id" }.map { ConfigField($0.key, normalized($0.value)) })
        case let .array(items): return .array(items.map(normalized))
        case let .double(number): return .double(Double(Float(number)))
        case let .int(number): return .double(Double(Float(number)))
        default: return value
        }
    }

    @Test(arguments: cases)
    func kerasJSONRoundTrips(_ name: String) throws {
        let text = try String(contentsOf: Self.savingFixtures.appendingPathComponent("\(name).json"), encoding: .utf8)
        let model = try Keras.modelFromJSON(text)
        #expect(model.isBuilt)
        let keras = try ConfigValue(json: text)
        var ours = try ConfigValue(json: try model.toJSON())
        // Keras' `to_json()` leaves the optimizer out of some models' compile_config (the
        // `.keras` files always have it): compare what it wrote.
        if keras["compile_config"]?["optimizer"] == nil, case var .object(fields) = ours,
           let index = fields.firstIndex(where: { $0.key == "compile_config" }), case let .object(compile) = fields[index].value {
            fields[index].value = .object(compile.filter { $0.key != "optimizer" })
            ours = .object(fields)
        }
        #expect(Self.normalized(ours) == Self.normalized(keras), "\(name):\nours  \(ours.json)\nkeras \(keras.json)")
    }

    @Test func loadedModelMatchesTheConfig() throws {
        let text = try String(contentsOf: Self.savingFixtures.appendingPathComponent("layer_zoo.json"), encoding: .utf8)
        let model = try #require(try Keras.modelFromJSON(text) as? Sequential)
        #expect(model.layers.map { type(of: $0).kerasClassName } == ["Flatten", "Dense", "Activation", "Reshape", "Flatten", "Dense", "Dense"])
        let dense = try #require(model.layers[1] as? Dense)
        #expect(dense.units == 8)
        #expect(dense.kernelRegularizer?.l2 == 0.01)
        #expect(dense.biasRegularizer?.l1 == Float(0.01))
        #expect(dense.kernelInitializer.name == "he_normal")
        #expect(dense.kernelConstraint?.name == "max_norm")
        #expect(model.countParams() == 6 * 8 + 8 + 8 * 3 + 3 + 1)
        #expect(model.optimizer is RMSprop)
        #expect(abs((model.optimizer?.learningRate ?? 0) - 0.002) < 1e-9)
        #expect(model.loss?.name == "binary_crossentropy")
        // The JSON's layers are rebuilt with fresh weights that predict.
        let output = try model.predict(Tensor.ones([2, 2, 3]), verbose: 0)
        #expect(output.shape == [2, 1])
    }

    @Test func swiftModelSerializesLikeKeras() throws {
        let model = Sequential([Input(shape: [784]), Dense(units: 512, activation: .relu), Dropout(0.2),
                                Dense(units: 10, activation: .softmax)])
        try model.compile(optimizer: "adam", loss: "categorical_crossentropy", metrics: ["accuracy"])
        let config = try model.serialized()
        #expect(config["class_name"] == "Sequential")
        #expect(config["build_config"]?["input_shape"] == .array([.null, .int(784)]))
        #expect(config["compile_config"]?["loss"] == "categorical_crossentropy")
        #expect(config["compile_config"]?["metrics"] == .array(["accuracy"]))
        #expect(config["compile_config"]?["optimizer"]?["class_name"] == "Adam")
        let layers = try #require(config["config"]?["layers"])
        guard case let .array(items) = layers else { Issue.record("no layers"); return }
        #expect(items.map { $0["class_name"] } == ["InputLayer", "Dense", "Dropout", "Dense"])
        #expect(items[1]["config"]?["name"] == "dense")
        #expect(items[1]["config"]?["activation"] == "relu")
        // Reading it back gives the same architecture and the same JSON.
        let copy = try Keras.modelFromJSON(try model.toJSON())
        #expect(try copy.toJSON() == (try model.toJSON()))
        #expect(copy.countParams() == 407_050)
    }

    @Test func lossObjectsAndMetricsRoundTripThroughCompileConfig() throws {
        let model = Sequential([Input(shape: [3]), Dense(units: 4)])
        try model.compile(optimizer: Adam(learningRate: 0.01, amsgrad: true),
                          loss: Losses.CategoricalCrossentropy(fromLogits: true, labelSmoothing: 0.1),
                          metrics: ["accuracy", Metrics.Precision()])
        let config = try model.serialized()
        #expect(config["compile_config"]?["loss"]?["class_name"] == "CategoricalCrossentropy")
        #expect(config["compile_config"]?["loss"]?["config"]?["from_logits"] == true)
        let copy = try Keras.modelFromJSON(try model.toJSON())
        let loss = try #require(copy.loss as? Losses.CategoricalCrossentropy)
        #expect(loss.fromLogits && abs(loss.labelSmoothing - 0.1) < 1e-7)
        let adam = try #require(copy.optimizer as? Adam)
        #expect(adam.amsgrad && abs(adam.learningRate - 0.01) < 1e-9)
        #expect(try copy.toJSON() == (try model.toJSON()))
    }

    @Test func unknownLayerClassNamesTheFix() throws {
        let json = #"{"class_name": "Sequential", "config": {"name": "s", "layers": [{"class_name": "Conv7D", "config": {"name": "c"}}]}}"#
        #expect {
            try Keras.modelFromJSON(json)
        } throws: { error in
            "\(error)".contains("Conv7D") && "\(error)".contains("CustomObjects.register")
        }
    }

    @Test func badLayerArgumentsNameTheLayerAndKey() throws {
        let json = #"{"class_name": "Sequential", "config": {"name": "s", "layers": [{"class_name": "Dense", "config": {"name": "d", "units": "ten"}}]}}"#
        #expect {
            try Keras.modelFromJSON(json)
        } throws: { error in
            "\(error)".contains("Dense 'd'") && "\(error)".contains("units")
        }
    }

    @Test func keras2ConfigLoads() throws {
        // What tf.keras 2 wrote for seed 003's XOR model (`model.to_json()`).
        let json = #"""
        {"class_name": "Sequential", "config": {"name": "sequential", "layers": [
          {"class_name": "Dense", "config": {"name": "dense", "trainable": true, "batch_input_shape": [null, 2], "dtype": "float32", "units": 10, "activation": "linear", "use_bias": true, "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": null}}, "bias_initializer": {"class_name": "Zeros", "config": {}}, "kernel_regularizer": null, "bias_regularizer": null, "activity_regularizer": null, "kernel_constraint": null, "bias_constraint": null}},
          {"class_name": "Activation", "config": {"name": "activation", "trainable": true, "dtype": "float32", "activation": "tanh"}},
          {"class_name": "Dense", "config": {"name": "dense_1", "trainable": true, "dtype": "float32", "units": 1, "activation": "linear", "use_bias": true, "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": null}}, "bias_initializer": {"class_name": "Zeros", "config": {}}, "kernel_regularizer": null, "bias_regularizer": null, "activity_regularizer": null, "kernel_constraint": null, "bias_constraint": null}},
          {"class_name": "Activation", "config": {"name": "activation_1", "trainable": true, "dtype": "float32", "activation": "sigmoid"}}]},
         "keras_version": "2.4.0", "backend": "tensorflow"}
        """#
        let model = try Keras.modelFromJSON(json)
        #expect(model.isBuilt)
        #expect(model.countParams() == 41)
        #expect(model.layers.map(\.name) == ["dense", "activation", "dense_1", "activation_1"])
    }

    // MARK: - Custom objects

    /// A user's own layer: multiplies by a constant.
    final class Scale: Layer {
        let factor: Float
        init(factor: Float, name: String? = nil) {
            self.factor = factor
            super.init(name: name)
        }
        override func call(_ input: Tensor, training: Bool) throws -> Tensor { input * factor }
        override func getConfig() throws -> [ConfigField] { try super.getConfig() + [ConfigField("factor", .float(factor))] }
    }

    @Test func customLayersAndActivationsRoundTripByName() throws {
        CustomObjects.register(layer: Scale.self, package: "Tests") { config in
            Scale(factor: try config.float("factor"), name: config.layerName)
        }
        let cube = ActivationFunction.custom("cube_for_tests") { $0 * $0 * $0 }
        CustomObjects.register(activation: cube)
        let model = Sequential([Input(shape: [2]), Dense(units: 3, activation: "cube_for_tests"), Scale(factor: 2.5)])
        let config = try model.serialized()
        guard case let .array(layers)? = config["config"]?["layers"] else { Issue.record("no layers"); return }
        #expect(layers[2]["registered_name"] == "Tests>Scale")
        #expect(layers[1]["config"]?["activation"] == "cube_for_tests")
        let copy = try #require(try Keras.modelFromJSON(try model.toJSON()) as? Sequential)
        let scale = try #require(copy.layers.last as? Scale)
        #expect(scale.factor == 2.5)
        try copy.setWeights(model.getWeights())
        let x: Tensor = [[1, -2], [0.5, 3]]
        #expect(try copy.predict(x).scalars == (try model.predict(x)).scalars)
        // Unregistered custom activations cannot be saved: the error says how to fix it.
        let unregistered = Sequential([Input(shape: [2]), Dense(units: 1, activation: .custom("mystery") { $0 })])
        #expect { try unregistered.toJSON() } throws: { "\($0)".contains("CustomObjects.register(activation:)") }
    }
}
