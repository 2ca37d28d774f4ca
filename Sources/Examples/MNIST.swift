import Foundation
import Keras

/// Seed 002: the MLP on handwritten digits — Dense(512, relu), Dropout(0.2), Dense(10, softmax),
/// adam, categorical crossentropy, batch 128, with validation data. Reads MNIST from the
/// Keras cache (`~/.keras/datasets/mnist.npz`), or else Fashion-MNIST from the cache or from
/// Debian's `dataset-fashion-mnist` (`/usr/share/datasets/fashion-mnist`).
enum MNISTExample {
    static func run(epochs: Int = 2) throws {
        Keras.setRandomSeed(2)
        var ((xTrain, yTrain), (xTest, yTest)) = try load()
        print("Training images \(xTrain.shape), labels \(yTrain.shape); test images \(xTest.shape), labels \(yTest.shape)")

        // Scaled in place (`/=` on the only reference): one float copy of the pixels at a time.
        xTrain = xTrain.reshaped(to: [xTrain.shape[0], 784])
        xTrain /= 255
        xTest = xTest.reshaped(to: [xTest.shape[0], 784])
        xTest /= 255
        yTrain = try toCategorical(yTrain, numClasses: 10)
        yTest = try toCategorical(yTest, numClasses: 10)

        let model = Sequential([
            Dense(units: 512, activation: .relu, inputShape: [784]),
            Dropout(0.2),
            Dense(units: 10, activation: .softmax),
        ])
        try model.compile(optimizer: "adam", loss: "categorical_crossentropy", metrics: ["accuracy"])
        model.summary()
        // As the seed: keep the model of the epoch with the lowest validation loss, then load it.
        try FileManager.default.createDirectory(atPath: "saved", withIntermediateDirectories: true)
        let checkpoint = try ModelCheckpoint("saved/model.h5", monitor: "val_loss", saveBestOnly: true)
        try model.fit(xTrain, yTrain, epochs: epochs, batchSize: 128, callbacks: [checkpoint], validationData: (xTest, yTest))
        let best = try Keras.loadModel("saved/model.h5")
        let result = try best.evaluate(xTest, yTest)
        print("Test accuracy of the best checkpoint (saved/model.h5): \(result.accuracy)")
        let prediction = try best.predict(xTest[9..<10])
        print("Predicted class of test image 9: \(Int(prediction.argmax(axis: -1)[0].scalar)), label \(Int(yTest[9].argmax().scalar))")
    }

    /// MNIST from the Keras cache if it is there, else Fashion-MNIST (same shapes), as the only
    /// references to their tensors (so that scaling them in place copies nothing).
    static func load() throws -> ((Tensor, Tensor), (Tensor, Tensor)) {
        let data = try (try? Datasets.mnist()) ?? Datasets.fashionMNIST()
        return ((data.train.x, data.train.y), (data.test.x, data.test.y))
    }
}
