import Foundation
import Keras

/// A layer of your own: a gated residual block with its own weight (`addWeight`) and two
/// Dense sublayers found from its properties; trained, summarised, saved and loaded back.
final class GatedResidual: Layer {
    let units: Int
    let transform: Dense
    let gate: Dense
    private var mix: Variable?

    init(units: Int, name: String? = nil) {
        self.units = units
        transform = Dense(units: units, activation: .relu)
        gate = Dense(units: units, activation: .sigmoid)
        super.init(name: name)
    }

    override func build(inputShape: [Int?]) throws {
        mix = try addWeight(name: "mix", shape: [units], initializer: .constant(0.5))
    }

    override func call(_ input: Tensor, training: Bool) throws -> Tensor {
        let g = try gate(input)
        return input + mix!.value * g * (try transform(input))
    }

    override func getConfig() throws -> [ConfigField] {
        try super.getConfig() + [ConfigField("units", .int(units))]
    }
}

enum CustomLayerExample {
    static func run() throws {
        Keras.setRandomSeed(5)
        CustomObjects.register(layer: GatedResidual.self, package: "Examples") {
            GatedResidual(units: try $0.int("units"), name: $0.layerName)
        }
        let data = try FashionSubset.load(train: 5_000, test: 1_000)
        let model = Sequential([Input(shape: [784]), Dense(units: 64, activation: .relu), GatedResidual(units: 64),
                                Dense(units: 10, activation: .softmax)])
        model.summary()
        try model.compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"])
        try model.fit(data.x, data.y, epochs: 2, batchSize: 64, verbose: 2)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("custom_layer.keras").path
        try model.save(path)
        let restored = try Keras.loadModel(path)
        let difference = (try restored.predict(data.xTest) - (try model.predict(data.xTest))).abs().max().scalar
        print("Saved to \(path) and loaded back: \(type(of: restored.layers[1]).kerasClassName), largest prediction difference \(difference)")
        print("Test accuracy: \(try restored.evaluate(data.xTest, data.yTest, verbose: 0).accuracy)")
    }
}
