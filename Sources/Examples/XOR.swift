import Foundation
import Keras

/// Seed 003: a network learns exclusive-or. Dense(10) + tanh, Dense(1) + sigmoid, SGD(0.1),
/// binary crossentropy; its summary shows 30 + 11 = 41 parameters.
enum XORExample {
    static func run() throws {
        Keras.setRandomSeed(3)
        let xTrain: Tensor = [[0, 0], [0, 1], [1, 0], [1, 1]]
        let yTrain: Tensor = [[0], [1], [1], [0]]

        let model = Sequential()
        let numNeurons = 10
        model.add(Dense(units: numNeurons, inputDim: 2))
        model.add(Activation("tanh"))
        model.add(Dense(units: 1))
        model.add(Activation("sigmoid"))
        try model.build(inputShape: [nil, 2])
        model.summary()

        try model.compile(optimizer: SGD(learningRate: 0.1), loss: "binary_crossentropy", metrics: ["accuracy"])
        print("Untrained predictions:\n\(try model.predict(xTrain))")
        try model.fit(xTrain, yTrain, epochs: 1000, verbose: 0)
        let result = try model.evaluate(xTrain, yTrain, verbose: 0)
        print("After 1000 epochs: loss \(result.loss), accuracy \(result.accuracy)")
        print("Classes:\n\(try model.predictClasses(xTrain))")
        print("Probabilities:\n\(try model.predict(xTrain))")

        // As the seed: the architecture as JSON, the weights in their own file, then rebuilt.
        let folder = URL(fileURLWithPath: "saved", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let structure = folder.appendingPathComponent("basic_model.json")
        let weights = folder.appendingPathComponent("basic_weights.h5").path
        try model.toJSON().write(to: structure, atomically: true, encoding: .utf8)
        try model.saveWeights(weights)
        let rebuilt = try Keras.modelFromJSON(try String(contentsOf: structure, encoding: .utf8))
        try rebuilt.loadWeights(weights)
        let same = try rebuilt.predict(xTrain).scalars == model.predict(xTrain).scalars
        print("Saved \(structure.path) and \(weights); the rebuilt model predicts the same: \(same)")
    }
}
