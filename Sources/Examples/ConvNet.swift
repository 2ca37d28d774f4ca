import Foundation
import Keras
import KerasPlot

/// Keras' simple convnet (`examples/vision/mnist_convnet.py`) on Fashion-MNIST: Conv2D 32 (3×3,
/// relu) → MaxPooling2D → Conv2D 64 → MaxPooling2D → Flatten → Dropout 0.5 → Dense 10 softmax,
/// adam, batch 128. Writes the training curves and a grid of misclassified test images to `plots/`.
enum ConvNetExample {
    static func run(epochs: Int = 10, folder: String = "plots") throws {
        Keras.setRandomSeed(11)
        var ((xTrain, yTrain), (xTest, yTest)) = try Datasets.fashionMNIST()
        xTrain = xTrain.reshaped(to: [xTrain.shape[0], 28, 28, 1]) / 255
        xTest = xTest.reshaped(to: [xTest.shape[0], 28, 28, 1]) / 255
        let labels = yTest
        yTrain = try toCategorical(yTrain, numClasses: 10)
        yTest = try toCategorical(yTest, numClasses: 10)

        let model = Sequential([
            Input(shape: [28, 28, 1]),
            Conv2D(32, kernelSize: [3, 3], activation: .relu),
            MaxPooling2D(poolSize: [2, 2]),
            Conv2D(64, kernelSize: [3, 3], activation: .relu),
            MaxPooling2D(poolSize: [2, 2]),
            Flatten(),
            Dropout(0.5),
            Dense(units: 10, activation: .softmax),
        ])
        model.summary()
        try model.compile(optimizer: "adam", loss: "categorical_crossentropy", metrics: ["accuracy"])
        let history = try model.fit(xTrain, yTrain, epochs: epochs, batchSize: 128, validationData: (xTest, yTest))
        let result = try model.evaluate(xTest, yTest, verbose: 0)
        print("Test loss \(result.loss), test accuracy \(result.accuracy ?? .nan)")

        // The first 30 test images the model gets wrong, captioned "predicted (true)".
        let predicted = try model.predict(xTest).argmax(axis: -1).scalars
        let wrong = Array(predicted.indices.filter { predicted[$0] != labels.scalars[$0] }.prefix(30))
        let names = Datasets.fashionMNISTClassNames
        let captions = wrong.map { "\(names[Int(predicted[$0])]) (\(names[Int(labels.scalars[$0])]))" }
        let images = Tensor.stack(wrong.map { xTest[$0].reshaped(to: [28, 28]) })
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Plot.history(history, title: "Fashion-MNIST convnet").write(to: URL(fileURLWithPath: "\(folder)/cnn-history.svg"))
        let grid = try Plot.images(images, labels: captions, columns: 10, title: "Misclassified: predicted (true)")
        try grid.write(to: URL(fileURLWithPath: "\(folder)/cnn-misclassified.svg"))
        try grid.write(to: URL(fileURLWithPath: "\(folder)/cnn-misclassified.png"))
        print("Wrote \(folder)/cnn-history.svg, \(folder)/cnn-misclassified.svg and .png (\(wrong.count) of \(predicted.count - Int(zip(predicted, labels.scalars).filter { $0 == $1 }.count)) mistakes shown)")
    }
}

/// A 1-D convnet on a sequence task: tell a noisy sine, square and sawtooth wave apart (random
/// period and phase, 128 steps). Conv1D → MaxPooling1D → Conv1D → GlobalAveragePooling1D → Dense.
enum SequenceConvNetExample {
    static func waves(count: Int, seed: UInt64) -> (x: Tensor, y: Tensor) {
        var generator = RandomGenerator(seed: seed)
        var values: [Float] = [], labels: [Float] = []
        for index in 0..<count {
            let kind = index % 3
            let period = Float.random(in: 12...40, using: &generator), phase = Float.random(in: 0...1, using: &generator)
            for step in 0..<128 {
                let t = (Float(step) / period + phase).truncatingRemainder(dividingBy: 1)
                let clean: Float = kind == 0 ? sin(2 * .pi * t) : kind == 1 ? (t < 0.5 ? 1 : -1) : 2 * t - 1
                values.append(clean + Float.random(in: -0.4...0.4, using: &generator))
            }
            labels.append(Float(kind))
        }
        return (Tensor(shape: [count, 128, 1], scalars: values), Tensor(labels))
    }

    static func run() throws {
        Keras.setRandomSeed(12)
        let train = waves(count: 3000, seed: 1), test = waves(count: 600, seed: 2)
        let model = Sequential([
            Input(shape: [128, 1]),
            Conv1D(16, 7, activation: .relu),
            MaxPooling1D(2),
            Conv1D(32, 5, activation: .relu),
            GlobalAveragePooling1D(),
            Dense(units: 3, activation: .softmax),
        ])
        model.summary()
        try model.compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"])
        try model.fit(train.x, train.y, epochs: 8, batchSize: 64, validationSplit: 0.1)
        let result = try model.evaluate(test.x, test.y, verbose: 0)
        print("Waveform test accuracy (sine / square / sawtooth): \(result.accuracy ?? .nan)")
    }
}
