import Keras

/// A residual MLP with the Functional API: each block adds its input back (`Add`), on Fashion-MNIST.
enum ResidualMLPExample {
    static func run() throws {
        Keras.setRandomSeed(3)
        let data = try FashionSubset.load()
        let inputs = Input(shape: [784], name: "pixels")
        var x = try Dense(units: 128, activation: .relu)(inputs)
        for _ in 0..<2 {
            let inner = try Dense(units: 128, activation: .relu)(x)
            x = try Add()([x, try Dense(units: 128)(inner)])
            x = try Activation(.relu)(x)
        }
        let model = try Model(inputs: inputs, outputs: try Dense(units: 10, activation: .softmax)(x), name: "residual_mlp")
        model.summary()
        try model.compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"])
        try model.fit(data.x, data.y, epochs: 3, batchSize: 128, validationData: (data.xTest, data.yTest))
        print("Test accuracy: \(try model.evaluate(data.xTest, data.yTest, verbose: 0).accuracy)")
    }
}
