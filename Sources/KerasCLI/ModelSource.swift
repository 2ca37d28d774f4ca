// What `keras train` trains: a saved model, a JSON description, or a named example.

import Foundation
import Keras

/// A model named on the command line, and the data it trains on unless told otherwise.
struct ModelSource {
    let model: Model
    /// The dataset a named example trains on by default.
    let defaultDataset: String?

    /// Examples from the seeds, as model descriptions.
    static let examples: [(name: String, dataset: String, summary: String, description: String)] = [
        ("mnist-mlp", "mnist", "seed 002: Dense 512 relu, Dropout 0.2, Dense 10 softmax; adam", """
            {"input_shape": [784],
             "layers": [{"Dense": {"units": 512, "activation": "relu"}}, {"Dropout": {"rate": 0.2}},
                        {"Dense": {"units": 10, "activation": "softmax"}}],
             "optimizer": "adam", "loss": "categorical_crossentropy", "metrics": ["accuracy"]}
            """),
        ("xor", "xor", "seed 003: Dense 10 tanh, Dense 1 sigmoid; SGD 0.1", """
            {"input_shape": [2],
             "layers": [{"Dense": {"units": 10, "activation": "tanh"}}, {"Dense": {"units": 1, "activation": "sigmoid"}}],
             "optimizer": {"class_name": "SGD", "config": {"learning_rate": 0.1}},
             "loss": "binary_crossentropy", "metrics": ["accuracy"]}
            """),
    ]

    /// `argument`: an example name, a `.json` file (a model description or Keras' `model.to_json()`),
    /// or a saved model (`.keras`, `.h5`) to train further.
    init(_ argument: String) throws {
        if let example = Self.examples.first(where: { $0.name == argument }) {
            model = try Self.model(fromDescription: example.description, source: "example \(example.name)")
            defaultDataset = example.dataset
            return
        }
        defaultDataset = nil
        guard FileManager.default.fileExists(atPath: argument) else {
            throw KerasError.invalidArgument(
                name: "MODEL", value: argument,
                expected: "a .keras, .h5 or .json file, or an example: \(Self.examples.map(\.name).joined(separator: ", "))")
        }
        if argument.lowercased().hasSuffix(".json") {
            model = try Self.model(fromDescription: try String(contentsOfFile: argument, encoding: .utf8), source: argument)
        } else {
            model = try Keras.loadModel(argument)
        }
    }

    /// A model from Keras' own model JSON, or from the short description
    /// `{"input_shape": [...], "layers": [{"Dense": {"units": 8}}, ...], "optimizer": ..., "loss": ..., "metrics": [...]}`
    /// where each layer is its Keras class name and config.
    static func model(fromDescription json: String, source: String) throws -> Model {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else {
            throw KerasError.invalidData("\(source): not a JSON object")
        }
        if object["class_name"] != nil { return try Keras.modelFromJSON(json) }
        guard let layers = object["layers"] as? [[String: Any]], !layers.isEmpty else {
            throw KerasError.invalidData("\(source): no \"layers\" list; expected {\"input_shape\": [..], \"layers\": [{\"Dense\": {\"units\": 10}}, ..], \"loss\": ..}")
        }
        var configs: [[String: Any]] = []
        if let shape = object["input_shape"] as? [Int] {
            configs.append(["class_name": "InputLayer", "config": ["batch_shape": [NSNull()] + shape.map { $0 as Any }]])
        }
        for (index, layer) in layers.enumerated() {
            guard layer.count == 1, let (className, config) = layer.first else {
                throw KerasError.invalidData("\(source): layer \(index) should be {\"ClassName\": {config}}, found \(layer.count) keys")
            }
            configs.append(["class_name": className, "config": config])
        }
        var compile: [String: Any] = [:]
        for key in ["optimizer", "loss", "metrics"] { compile[key] = object[key] }
        var sequential: [String: Any] = ["class_name": "Sequential", "config": ["name": object["name"] ?? "sequential", "layers": configs]]
        if compile["loss"] != nil {
            compile["optimizer"] = compile["optimizer"] ?? "rmsprop"
            sequential["compile_config"] = compile
        }
        let text = String(decoding: try JSONSerialization.data(withJSONObject: sequential), as: UTF8.self)
        return try Keras.modelFromJSON(text)
    }
}
