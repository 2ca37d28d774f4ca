import Foundation
import Testing
@testable import Keras

/// Seed 002's MLP on real Fashion-MNIST (Debian's `dataset-fashion-mnist`). Long: it runs only
/// where `KERAS_REAL_DATA=1` and the data is installed; CI runs it in a release build.
enum RealData {
    static var isEnabled: Bool {
        ProcessInfo.processInfo.environment["KERAS_REAL_DATA"] == "1"
            && FileManager.default.fileExists(atPath: "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz")
    }
}

@Suite("RealData training", .enabled(if: RealData.isEnabled))
struct RealDataTraining {
    @Test func seed002MLPReaches85PercentOnFashionMNISTInTwoEpochs() throws {
        let ((xTrain, yTrain), (xTest, yTest)) = try Datasets.fashionMNIST()
        let x = xTrain.reshaped(to: [60000, 784]) / 255, xt = xTest.reshaped(to: [10000, 784]) / 255
        let y = try toCategorical(yTrain, numClasses: 10), yt = try toCategorical(yTest, numClasses: 10)
        let model = Keras.withRandomSeed(2) {
            Sequential([Dense(units: 512, activation: .relu, inputShape: [784]), Dropout(0.2), Dense(units: 10, activation: .softmax)])
        }
        try model.compile(optimizer: "adam", loss: "categorical_crossentropy", metrics: ["accuracy"])
        let history = try Keras.withRandomSeed(2) {
            try model.fit(x, y, epochs: 2, batchSize: 128, verbose: 0, validationData: (xt, yt))
        }
        let result = try model.evaluate(xt, yt, verbose: 0)
        print("Fashion-MNIST MLP, 2 epochs: test accuracy \(result.accuracy), loss \(result.loss)")
        #expect(history.keys == ["accuracy", "loss", "val_accuracy", "val_loss"])
        #expect(result.accuracy >= 0.85)
        #expect(Swift.abs(result.accuracy - history["val_accuracy"].last!) < 1e-6)
    }
}

@Suite("RealData convnet training", .enabled(if: RealData.isEnabled))
struct RealDataConvNetTraining {
    /// Keras' simple convnet (the `examples cnn` model) on Fashion-MNIST, adam, batch 128, 10
    /// epochs. Measured (release): test accuracy 0.8985 after 10 epochs in `examples cnn 10`, 0.8952
    /// in this test on a fresh CI clone (seed 11). Other CPUs pick other kernels (AVX2 / AVX-512) and
    /// round differently, so the bound leaves about a point of margin below what was seen.
    @Test func kerasConvNetReachesAbout89PercentOnFashionMNISTInTenEpochs() throws {
        let ((xTrain, yTrain), (xTest, yTest)) = try Datasets.fashionMNIST()
        let x = xTrain.reshaped(to: [60000, 28, 28, 1]) / 255, xt = xTest.reshaped(to: [10000, 28, 28, 1]) / 255
        let y = try toCategorical(yTrain, numClasses: 10), yt = try toCategorical(yTest, numClasses: 10)
        let model = Keras.withRandomSeed(11) {
            Sequential([
                Input(shape: [28, 28, 1]), Conv2D(32, 3, activation: .relu), MaxPooling2D(), Conv2D(64, 3, activation: .relu),
                MaxPooling2D(), Flatten(), Dropout(0.5), Dense(units: 10, activation: .softmax),
            ])
        }
        try model.compile(optimizer: "adam", loss: "categorical_crossentropy", metrics: ["accuracy"])
        let start = Date()
        try Keras.withRandomSeed(11) { _ = try model.fit(x, y, epochs: RealDataConvNetTraining.epochs, batchSize: 128, verbose: 0) }
        let result = try model.evaluate(xt, yt, verbose: 0)
        print("Fashion-MNIST convnet, \(RealDataConvNetTraining.epochs) epochs in \(Int(Date().timeIntervalSince(start))) s: test accuracy \(result.accuracy), loss \(result.loss)")
        #expect(result.accuracy >= 0.885)
    }

    static let epochs = 10
}
