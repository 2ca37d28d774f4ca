import Keras

/// Seed 004: the five steps of Keras on the Pima Indians diabetes table — define, compile,
/// fit, evaluate, predict. 8 inputs, Dense(12, relu), Dense(1, sigmoid), adam, 100 epochs.
enum PimaExample {
    static func run() throws {
        Keras.setRandomSeed(7)
        let (X, Y) = try Datasets.pimaIndiansDiabetes()   // (768, 8) and (768,)

        // 1. Define.
        let model = Sequential()
        model.add(Dense(12, activation: .relu, inputDim: 8))
        model.add(Dense(1, activation: .sigmoid))
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
            print("\(X[i].scalars) => \(Int(predictions[i, 0].scalar)) (expected \(Int(Y[i].scalar)))")
        }
    }
}
