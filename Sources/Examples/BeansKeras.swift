import Foundation
import Keras

/// Seed 000, experiment 2: the beans models in Keras form — one feature with one neuron and
/// with a hidden layer, two features with one neuron and with a hidden layer.
enum BeansKerasExample {
    static func run() throws {
        Keras.setRandomSeed(0)
        let (x1, y1) = Beans.oneFeature(count: 100)
        let (x2, y2) = Beans.twoFeatures(count: 100)

        // One feature, one sigmoid neuron, mean squared error and SGD.
        let single = Sequential()
        single.add(Dense(units: 1, activation: "sigmoid", inputDim: 1))
        try single.compile(optimizer: "sgd", loss: "mean_squared_error", metrics: ["accuracy"])
        try report("1 feature, 1 neuron", single, x1, y1)

        // A hidden layer of two neurons bends the curve; a larger learning rate.
        let hidden = Sequential()
        hidden.add(Dense(units: 2, activation: "sigmoid", inputDim: 1))
        hidden.add(Dense(units: 1, activation: "sigmoid"))
        try hidden.compile(optimizer: SGD(learningRate: 0.05), loss: "mean_squared_error", metrics: ["accuracy"])
        try report("1 feature, hidden layer of 2", hidden, x1, y1)

        // Two features: a plane, then a bent surface.
        let plane = Sequential([Dense(units: 1, activation: "sigmoid", inputDim: 2)])
        try plane.compile(optimizer: "sgd", loss: "mean_squared_error", metrics: ["accuracy"])
        try report("2 features, 1 neuron", plane, x2, y2)

        let surface = Sequential([Dense(units: 2, activation: "sigmoid", inputDim: 2), Dense(units: 1, activation: "sigmoid")])
        try surface.compile(optimizer: SGD(learningRate: 0.05), loss: "mean_squared_error", metrics: ["accuracy"])
        try report("2 features, hidden layer of 2", surface, x2, y2)
    }

    static func report(_ title: String, _ model: Sequential, _ x: Tensor, _ y: Tensor) throws {
        let history = try model.fit(x, y, epochs: 5000, batchSize: 10, verbose: 0)
        let predictions = try model.predict(x)
        let accuracy = ((predictions .> 0.5) .== y).mean().scalar
        print("\(title): loss \(ProgressFormat.value(history["loss"].last!)), accuracy \(accuracy)")
    }
}

enum ProgressFormat {
    static func value(_ value: Float) -> String { String(format: "%.4f", value) }
}
