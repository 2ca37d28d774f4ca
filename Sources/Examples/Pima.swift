import Foundation
import Keras

/// Seed 004: the five steps of Keras on the Pima Indians diabetes table — define, compile,
/// fit, evaluate, predict. 8 inputs, Dense(12, relu), Dense(1, sigmoid), adam, 100 epochs.
enum PimaExample {
    static func run() throws {
        Keras.setRandomSeed(7)
        let dataset = try loadPima()
        let X = dataset[.all, 0..<8]
        let Y = dataset[.all, 8..<9]

        // 1. Define.
        let model = Sequential()
        model.add(Dense(units: 12, activation: .relu, inputDim: 8))
        model.add(Dense(units: 1, activation: .sigmoid))
        // 2. Compile.
        try model.compile(optimizer: "adam", loss: "binary_crossentropy", metrics: ["accuracy"])
        // 3. Fit.
        let history = try model.fit(X, Y, epochs: 100, batchSize: 10, verbose: 2)
        // 4. Evaluate.
        let result = try model.evaluate(X, Y)
        print("loss \(result.loss), accuracy \(result.accuracy) (final training loss \(history["loss"].last!))")
        // 5. Predict.
        let probabilities = try model.predict(X)
        let predictions = probabilities .> 0.5
        for i in 0..<5 {
            print("\(X[i].scalars) => \(Int(predictions[i, 0].scalar)) (expected \(Int(Y[i, 0].scalar)))")
        }
    }

    /// The embedded CSV: 768 rows of 8 features and the 0/1 outcome.
    static func loadPima() throws -> Tensor {
        guard let url = Bundle.module.url(forResource: "pima-indians-diabetes", withExtension: "csv", subdirectory: "Data") else {
            throw KerasError.invalidData("The embedded pima-indians-diabetes.csv is missing from the Examples bundle.")
        }
        let rows = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map { line in
            line.split(separator: ",").compactMap { Float($0) }
        }
        return Tensor(rows)
    }
}
