import Keras

/// A model with two inputs and two outputs: the image, plus three tabular features (mean,
/// spread and top-half share of the ink); it predicts the class and the mean ink, with a loss,
/// a weight and metrics per output, all arrays given by name.
enum TwoInputsExample {
    static func run() throws {
        Keras.setRandomSeed(4)
        let data = try FashionSubset.load()
        func tabular(_ x: Tensor) -> Tensor {
            let mean = x.mean(axis: 1, keepDims: true)
            let spread = (x - mean).square().mean(axis: 1, keepDims: true).sqrt()
            let top = x.slice(axis: 1, 0..<392).mean(axis: 1, keepDims: true) / (mean + 1e-3)
            return Tensor.concatenate([spread, top, top * spread], axis: 1)
        }
        let image = Input(shape: [784], name: "image"), features = Input(shape: [3], name: "features")
        let seen = try Dense(units: 64, activation: .relu)(image)
        let joined = try Concatenate()([seen, try Dense(units: 8, activation: .relu)(features)])
        let label = try Dense(units: 10, activation: .softmax, name: "label")(joined)
        let ink = try Dense(units: 1, name: "ink")(joined)
        let model = try Model(inputs: [image, features], outputs: [label, ink], name: "two_inputs")
        model.summary()
        try model.compile(optimizer: "adam", loss: ["label": "sparse_categorical_crossentropy", "ink": "mse"],
                          lossWeights: ["label": 1, "ink": 10], metrics: ["label": ["accuracy"], "ink": ["mae"]])
        let inkTarget = data.x.mean(axis: 1, keepDims: true)
        let history = try model.fit(["image": data.x, "features": tabular(data.x)], ["label": data.y, "ink": inkTarget],
                                    epochs: 3, batchSize: 128, verbose: 2)
        print("History keys: \(history.history.keys.sorted())")
        let result = try model.evaluate(["image": data.xTest, "features": tabular(data.xTest)],
                                        ["label": data.yTest, "ink": data.xTest.mean(axis: 1, keepDims: true)], verbose: 0)
        print("Test: \(result)")
    }
}
