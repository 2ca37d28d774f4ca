import Keras

/// A denoising autoencoder whose training step is its own: it adds noise to the images it is
/// given and learns to give back the clean ones (Keras' `train_step` override), with the
/// progress bar, History and validation of `fit` kept.
final class DenoisingAutoencoder: Model {
    var noise: Float = 0.3

    override func trainStep(_ batch: Batch) throws -> [String: Float] {
        let clean = batch.inputs[0]
        let noisy = (clean + noise * Tensor.randomNormal(clean.shape)).clip(0, 1)
        return try super.trainStep(Batch(inputs: [noisy], targets: [clean]))
    }
}

enum AutoencoderExample {
    static func run() throws {
        Keras.setRandomSeed(6)
        let data = try FashionSubset.load()
        let inputs = Input(shape: [784], name: "image")
        let code = try Dense(units: 32, activation: .relu, name: "code")(try Dense(units: 128, activation: .relu)(inputs))
        let decoded = try Dense(units: 784, activation: .sigmoid)(try Dense(units: 128, activation: .relu)(code))
        let autoencoder = try DenoisingAutoencoder(inputs: inputs, outputs: decoded, name: "autoencoder")
        autoencoder.summary()
        try autoencoder.compile(optimizer: "adam", loss: "binary_crossentropy")
        try autoencoder.fit(data.x, data.x, epochs: 3, batchSize: 128, validationData: (data.xTest, data.xTest))
        let encoder = try Model(inputs: autoencoder.inputs, outputs: [code], name: "encoder")
        let reconstruction = try autoencoder.predict(data.xTest)
        print("Codes: \(try encoder.predict(data.xTest).shape); mean absolute reconstruction error on clean test images: "
              + "\((reconstruction - data.xTest).abs().mean().scalar)")
    }
}
