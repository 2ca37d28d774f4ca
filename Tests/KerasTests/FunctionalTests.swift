import Foundation
import Testing
@testable import Keras

/// A user's layer holding two Dense layers in properties: tracked with no registration.
final class TwoDense: Layer {
    let first = Dense(units: 3, activation: .tanh)
    let second = Dense(units: 2)

    init(name: String? = nil) { super.init(name: name) }

    /// Registered so that models holding it load again (tests register it once).
    static let registered: Void = CustomObjects.register(layer: TwoDense.self, package: "Tests") { TwoDense(name: $0.layerName) }

    override func call(_ input: Tensor, training: Bool) throws -> Tensor {
        try second(try first(input))
    }
}

/// A model that overrides the training step in Keras' manner (`train_step`): its own
/// gradient step, with the bookkeeping of `computeLoss` and `computeMetrics`.
final class ClippedStepModel: Model {
    var steps = 0

    override func trainStep(_ batch: Batch) throws -> [String: Float] {
        steps += 1
        let tape = GradientTape()
        var predictions: [Tensor] = []
        let loss = try tape.record {
            predictions = try callAll(batch.inputs, training: true)
            return try computeLoss(x: batch.inputs, y: batch.targets!, yPred: predictions, sampleWeight: nil)
        }
        let variables = trainableWeights
        let gradients = tape.gradient(of: loss, wrt: variables).map { $0.clip(-0.1, 0.1) }
        try optimizer!.apply(gradients, to: variables)
        return try computeMetrics(x: batch.inputs, y: batch.targets!, yPred: predictions.map(\.detached), sampleWeight: nil)
    }
}

@Suite("Functional API, nested layers and models")
struct FunctionalTests {
    @Test func functionalModelRunsItsGraphAsTheLayersComposed() throws {
        try LayerNames.withFreshNames {
            let inputs = Input(shape: [4])
            let hidden = Dense(units: 5, activation: .relu)
            let head = Dense(units: 2, activation: .softmax)
            let model = try Model(inputs: inputs, outputs: try head(try hidden(inputs)))
            let x = Tensor.randomNormal([6, 4])
            #expect(try model.predict(x) == (try head(try hidden(x))))
            #expect(model.layers.map(\.name) == ["input_layer", "dense", "dense_1"])
            #expect(type(of: model).kerasClassName == "Functional")
            #expect(model.countParams() == 4 * 5 + 5 + 5 * 2 + 2)
            #expect(try model.getLayer(name: "dense") === hidden)
            #expect(throws: KerasError.self) { try model.getLayer(name: "nope") }
        }
    }

    @Test func sharedLayerHasOneSetOfWeightsAndSubModelsReuseLayers() throws {
        let a = Input(shape: [3]), b = Input(shape: [3])
        let shared = Dense(units: 2)
        let model = try Model(inputs: [a, b], outputs: [try shared(a), try shared(b)])
        #expect(model.weights.count == 2)
        let x = Tensor.randomNormal([2, 3]), y = Tensor.randomNormal([2, 3])
        let outputs = try model.predict([x, y])
        let (sharedX, sharedY) = (try shared(x), try shared(y))
        #expect(outputs[0] == sharedX && outputs[1] == sharedY)
        // A feature extractor from an intermediate output.
        let inputs = Input(shape: [3])
        let features = try Dense(units: 4, activation: .relu)(inputs)
        let full = try Model(inputs: inputs, outputs: try Dense(units: 1)(features))
        let extractor = try Model(inputs: full.inputs, outputs: [features])
        #expect(extractor.layers.count == 2)
        #expect(try extractor.predict(x).shape == [2, 4])
    }

    @Test func modelsNestAsLayersAndWeightsRecurse() throws {
        let inner = Sequential([Dense(units: 4, activation: .relu, inputShape: [3]), Dense(units: 2)])
        let inputs = Input(shape: [3])
        let outer = try Model(inputs: inputs, outputs: try Dense(units: 1)(try inner(inputs)))
        #expect(outer.weights.count == 6)
        #expect(outer.countParams() == inner.countParams() + 3)
        let x = Tensor.randomNormal([5, 3])
        #expect(try outer.predict(x).shape == [5, 1])
        let stacked = Sequential([outer, Dense(units: 2)])
        #expect(try stacked.predict(x).shape == [5, 2])
        #expect(stacked.summaryText().contains("(Functional)"))
        let custom = TwoDense()
        #expect(try custom(x).shape == [5, 2])
        #expect(custom.sublayers.count == 2 && custom.weights.count == 4)
    }

    @Test func freezingANestedModelLeavesItsWeightsBitIdentical() throws {
        let inner = Sequential([Dense(units: 4, activation: .relu, inputShape: [3])])
        let inputs = Input(shape: [3])
        let head = Dense(units: 1)
        let model = try Model(inputs: inputs, outputs: try head(try inner(inputs)))
        inner.trainable = false
        #expect(model.trainableWeights.count == 2 && model.nonTrainableWeights.count == 2)
        let frozenBefore = inner.getWeights(), headBefore = head.getWeights()
        try model.compile(optimizer: SGD(learningRate: 0.1), loss: "mse")
        try model.fit(Tensor.randomNormal([16, 3]), Tensor.randomNormal([16, 1]), epochs: 2, verbose: 0)
        #expect(inner.getWeights() == frozenBefore)
        #expect(head.getWeights() != headBefore)
        #expect(model.summaryText().contains("Non-trainable params: 16"))
    }

    @Test func twoInputsTwoOutputsTrainWithKerasHistoryNames() throws {
        try LayerNames.withFreshNames {
            let a = Input(shape: [3], name: "a"), b = Input(shape: [2], name: "b")
            let joined = try Dense(units: 4, activation: .relu)(a)
            let other = try Dense(units: 4, activation: .relu)(b)
            let outA = try Dense(units: 1, name: "out_a")(joined)
            let outB = try Dense(units: 2, activation: .softmax, name: "out_b")(other)
            let model = try Model(inputs: [a, b], outputs: [outA, outB])
            try model.compile(optimizer: "adam", loss: ["out_a": "mse", "out_b": "categorical_crossentropy"],
                              lossWeights: ["out_a": 1, "out_b": 0.5], metrics: ["out_b": ["accuracy"]])
            let xa = Tensor.randomNormal([8, 3]), xb = Tensor.randomNormal([8, 2])
            let ya = Tensor.randomNormal([8, 1]), yb = try toCategorical(Tensor([0, 1, 0, 1, 1, 0, 0, 1]), numClasses: 2)
            let history = try model.fit(["a": xa, "b": xb], ["out_a": ya, "out_b": yb], epochs: 2, batchSize: 4, verbose: 0)
            #expect(Set(history.history.keys) == ["loss", "out_a_loss", "out_b_loss", "out_b_accuracy"])
            let result = try model.evaluate([xa, xb], [ya, yb], verbose: 0)
            #expect(Swift.abs(result.loss - (result["out_a_loss"] + 0.5 * result["out_b_loss"])) < 1e-4)
            #expect(throws: KerasError.self) { try model.fit([xa], [ya, yb], verbose: 0) }
        }
    }

    @Test func customTrainStepKeepsHistoryValidationAndCallbacks() throws {
        let inputs = Input(shape: [2])
        let model = try ClippedStepModel(inputs: inputs, outputs: try Dense(units: 1)(inputs))
        try model.compile(optimizer: SGD(learningRate: 0.5), loss: "mse", metrics: ["mae"])
        let x = Tensor.randomNormal([12, 2]), y = Tensor.randomNormal([12, 1])
        let before = model.getWeights()
        let stopper = EarlyStopping(monitor: "val_loss", patience: 100)
        let history = try model.fit(x, y, epochs: 3, batchSize: 4, verbose: 0, callbacks: [stopper], validationSplit: 0.25)
        #expect(model.steps == 9)
        #expect(Set(history.history.keys) == ["loss", "mae", "val_loss", "val_mae"])
        // Each step moves a weight by at most learning rate × clip.
        let moved = zip(model.getWeights(), before).map { ($0 - $1).abs().max().scalar }.max()!
        #expect(moved <= 9 * 0.5 * 0.1 + 1e-6)
    }

    @Test func lambdaLayersRunAndRefuseToBeSaved() throws {
        let model = Sequential([Input(shape: [3]), Lambda(name: "double") { $0 * 2 }, Dense(units: 2)])
        let x = Tensor.randomNormal([4, 3])
        #expect(try model.predict(x).shape == [4, 2])
        let inputs = Input(shape: [3])
        let functional = try Model(inputs: inputs, outputs: try Lambda(outputShape: [1]) { $0.sum(axis: 1, keepDims: true) }(inputs))
        #expect(functional.outputs[0].shape == [nil, 1])
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("lambda-\(UUID().uuidString).keras").path
        #expect { try model.save(path) } throws: { "\($0)".contains("Lambda layer 'double'") }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func graphErrorsNameTheLayers() throws {
        let a = Input(shape: [3]), b = Input(shape: [3], name: "stray")
        let out = try Dense(units: 1, name: "head")(b)
        #expect { try Model(inputs: a, outputs: out) } throws: { "\($0)".contains("head") && "\($0)".contains("stray") }
        #expect { try Model(inputs: [a, b], outputs: out) } throws: { "\($0)".contains("reaches no output") || "\($0)".contains("used by no layer") }
    }

    @Test func functionalConfigRoundTripsThroughJSONAndFiles() throws {
        let inputs = Input(shape: [3])
        let shared = Dense(units: 3, activation: .tanh)
        let inner = Sequential([Dense(units: 2, inputShape: [3])])
        let model = try Model(inputs: inputs, outputs: try inner(try shared(try shared(inputs))))
        let copy = try Keras.modelFromJSON(try model.toJSON())
        #expect(copy.layers.map(\.name) == model.layers.map(\.name))
        try copy.setWeights(model.getWeights())
        let x = Tensor.randomNormal([4, 3])
        #expect(try copy.predict(x) == (try model.predict(x)))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("functional-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for file in ["m.keras", "m.h5"] {
            let path = directory.appendingPathComponent(file).path
            try model.save(path)
            #expect(try Keras.loadModel(path).predict(x) == (try model.predict(x)), "\(file)")
        }
        let weightsPath = directory.appendingPathComponent("m.weights.h5").path
        try model.saveWeights(weightsPath)
        let fresh = try Keras.modelFromJSON(try model.toJSON())
        try fresh.loadWeights(weightsPath)
        #expect(try fresh.predict(x) == (try model.predict(x)))
        let paths = WeightsLayout.layerPaths(model).map(\.0)
        #expect(paths.contains("layers/sequential/layers/dense/vars") == false)
        #expect(paths.contains("layers/sequential/layers/dense"))
    }
}
