import Foundation
import Keras

/// Seed 002: the MLP on handwritten digits — Dense(512, relu), Dropout(0.2), Dense(10, softmax),
/// adam, categorical crossentropy, batch 128, with validation data. Reads MNIST from the
/// Keras cache (`~/.keras/datasets/mnist.npz` is not parsed yet), or Fashion-MNIST from
/// Debian's `dataset-fashion-mnist` (`/usr/share/datasets/fashion-mnist`).
enum MNISTExample {
    static func run(epochs: Int = 2) throws {
        Keras.setRandomSeed(2)
        let directory = "/usr/share/datasets/fashion-mnist"
        guard FileManager.default.fileExists(atPath: directory + "/train-images-idx3-ubyte.gz") else {
            print("Fashion-MNIST is not installed: apt-get install dataset-fashion-mnist")
            return
        }
        var xTrain = try IDX.read(directory + "/train-images-idx3-ubyte.gz")
        var yTrain = try IDX.read(directory + "/train-labels-idx1-ubyte.gz")
        var xTest = try IDX.read(directory + "/t10k-images-idx3-ubyte.gz")
        var yTest = try IDX.read(directory + "/t10k-labels-idx1-ubyte.gz")
        print("Training images \(xTrain.shape), labels \(yTrain.shape); test images \(xTest.shape), labels \(yTest.shape)")

        xTrain = xTrain.reshaped(to: [xTrain.shape[0], 784]) / 255
        xTest = xTest.reshaped(to: [xTest.shape[0], 784]) / 255
        yTrain = toCategorical(yTrain, numClasses: 10)
        yTest = toCategorical(yTest, numClasses: 10)

        let model = Sequential([
            Dense(units: 512, activation: .relu, inputShape: [784]),
            Dropout(0.2),
            Dense(units: 10, activation: .softmax),
        ])
        try model.compile(optimizer: "adam", loss: "categorical_crossentropy", metrics: ["accuracy"])
        model.summary()
        try model.fit(xTrain, yTrain, epochs: epochs, batchSize: 128, validationData: (xTest, yTest))
        let result = try model.evaluate(xTest, yTest)
        print("Test accuracy: \(result.accuracy)")
        let prediction = try model.predict(xTest[9..<10])
        print("Predicted class of test image 9: \(Int(prediction.argmax(axis: -1)[0].scalar)), label \(Int(yTest[9].argmax().scalar))")
    }

    /// One-hot rows for integer labels (Keras' `to_categorical`).
    static func toCategorical(_ labels: Tensor, numClasses: Int) -> Tensor {
        let values = labels.scalars
        var scalars = [Float](repeating: 0, count: values.count * numClasses)
        for (i, label) in values.enumerated() { scalars[i * numClasses + Int(label)] = 1 }
        return Tensor(shape: [values.count, numClasses], scalars: scalars)
    }
}

/// A minimal reader of gzip-compressed IDX files, through the system's `gzip`.
enum IDX {
    static func read(_ path: String) throws -> Tensor {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["gzip", "-dc", path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let bytes = [UInt8](data)
        guard bytes.count >= 4, bytes[0] == 0, bytes[1] == 0, bytes[2] == 8 else {
            throw KerasError.invalidData("\(path): not an IDX file of unsigned bytes")
        }
        let rank = Int(bytes[3])
        var shape: [Int] = []
        for axis in 0..<rank {
            let offset = 4 + axis * 4
            shape.append(bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | Int($1) })
        }
        let start = 4 + rank * 4
        guard bytes.count == start + shape.reduce(1, *) else {
            throw KerasError.invalidData("\(path): expected \(shape.reduce(1, *)) values for shape \(shape), found \(bytes.count - start)")
        }
        return Tensor(shape: shape, scalars: bytes[start...].map(Float.init))
    }
}
