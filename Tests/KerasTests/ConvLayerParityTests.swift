import Foundation
import Testing
@testable import Keras

/// The convolution, pooling, reshaping and normalization layers against real Keras 3 (JAX
/// backend): from Keras' own serialized config, weights and input, the same output, the same
/// gradients of `sum(output · r)` with respect to the input and every trainable weight, and
/// (batch normalization while training) the same moving statistics. Fixtures:
/// Tests/Fixtures/conv_layers.json, by Tools/fixtures/make_conv_fixtures.py.
@Suite("Convolution layers: parity with Keras") struct ConvLayerParityTests {
    static let fixture: ConfigValue? = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/conv_layers.json")
        return try? ConfigValue(json: String(contentsOf: url, encoding: .utf8), source: "conv_layers.json")
    }()

    static var cases: [ConfigValue] {
        guard case .array(let cases)? = fixture?["cases"] else { return [] }
        return cases
    }

    static func tensor(_ value: ConfigValue?) throws -> Tensor {
        guard case .array(let shape)? = value?["shape"], case .array(let values)? = value?["values"] else {
            throw KerasError.invalidData("fixture tensor is malformed")
        }
        return Tensor(shape: shape.compactMap(\.intValue), scalars: values.compactMap { $0.doubleValue.map(Float.init) })
    }

    static func tensors(_ value: ConfigValue?) throws -> [Tensor] {
        guard case .array(let items)? = value else { return [] }
        return try items.map { try tensor($0) }
    }

    static func expectClose(_ actual: Tensor, _ expected: Tensor, _ what: String, tolerance: Float = 1e-4,
                            sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(actual.shape == expected.shape, "\(what): shape \(actual.shape) ≠ \(expected.shape)", sourceLocation: sourceLocation)
        guard actual.shape == expected.shape else { return }
        let worst = zip(actual.scalars, expected.scalars).map { Swift.abs($0 - $1) / Swift.max(1, Swift.abs($1)) }.max() ?? 0
        #expect(worst <= tolerance, "\(what): largest difference \(worst)", sourceLocation: sourceLocation)
    }

    @Test func fixtureIsPresent() {
        #expect(Self.cases.count >= 40)
    }

    @Test("output and gradients equal Keras'", arguments: cases.compactMap { $0["id"]?.stringValue })
    func parity(_ id: String) throws {
        let fixture = try #require(Self.cases.first { $0["id"]?.stringValue == id })
        let layer = try Layers.deserialize(try #require(fixture["config"]))
        // Our config is Keras' config, key for key.
        #expect(ConfigValue.object(try layer.getConfig()).json == fixture["config"]?["config"]?.json)
        let x = try Self.tensor(fixture["x"]), r = try Self.tensor(fixture["r"])
        let training = fixture["training"]?.boolValue ?? false
        try layer.buildIfNeeded(inputShape: [nil] + x.shape.dropFirst().map { $0 })
        try layer.setWeights(try Self.tensors(fixture["weights"]))
        // Names and shapes of the weights as Keras has them.
        let names = try #require(fixture["weight_names"].flatMap { value -> [String]? in
            guard case .array(let items) = value else { return nil }
            return items.compactMap(\.stringValue)
        })
        #expect(layer.weights.map { String($0.name.split(separator: "/").last!) } == names)

        let tape = GradientTape()
        let input = tape.watch(x)
        let output = try tape.record { try layer(input, training: training) }
        Self.expectClose(output, try Self.tensor(fixture["y"]), "\(id) output")
        let expectedShape = try layer.outputShape(forInputShape: [nil] + x.shape.dropFirst().map { $0 })
        #expect(expectedShape.dropFirst().map { $0 } == output.shape.dropFirst().map { Optional($0) }, "\(id): outputShape \(expectedShape)")

        let loss = tape.record { (output * r).sum() }
        Self.expectClose(tape.gradient(of: loss, wrt: input), try Self.tensor(fixture["gx"]), "\(id) input gradient")
        let sources = layer.trainableWeights
        for (variable, (actual, expected)) in zip(sources, zip(tape.gradient(of: loss, wrt: sources), try Self.tensors(fixture["gw"]))) {
            Self.expectClose(actual, expected, "\(id) gradient of \(variable.name)")
        }
        if fixture["updated_non_trainable"] != nil {
            // One training call from the fixture's weights moves the statistics as Keras' did.
            try layer.setWeights(try Self.tensors(fixture["weights"]))
            _ = try layer(x, training: true)
            for (variable, expected) in zip(layer.nonTrainableWeights, try Self.tensors(fixture["updated_non_trainable"])) {
                Self.expectClose(variable.value, expected, "\(id) \(variable.name) after a training call")
            }
        }
    }

    @Test("a conv + batch-norm model trained by fit ends with Keras' weights and moving statistics")
    func batchNormalizationTraining() throws {
        let fixture = try #require(Self.fixture?["bn_training"])
        try LayerNames.withFreshNames {
            let model = Sequential([
                Conv2D(4, 3, strides: 2, padding: .same, inputShape: [6, 6, 2]),
                BatchNormalization(momentum: 0.8),
                Activation(.relu),
                GlobalAveragePooling2D(),
                Dense(units: 3, activation: .softmax),
            ])
            try model.compile(optimizer: SGD(learningRate: 0.1), loss: "sparse_categorical_crossentropy")
                        try model.setWeights(try Self.tensors(fixture["initial"]))
            let history = try model.fit(try Self.tensor(fixture["x"]), try Self.tensor(fixture["y"]), epochs: 1, batchSize: 4,
                                        verbose: 0, shuffle: false)
            for (index, (actual, expected)) in zip(model.getWeights(), try Self.tensors(fixture["final"])).enumerated() {
                Self.expectClose(actual, expected, "weight \(index) (\(model.weights[index].name))")
            }
            let loss = try #require(fixture["loss"]?.doubleValue)
            #expect(Swift.abs(Double(history.history["loss"]!.last!) - loss) < 1e-4)
            let prediction = try model.predict(try Self.tensor(fixture["x"])[0..<3])
            Self.expectClose(prediction, try Self.tensor(fixture["prediction"]), "prediction")
        }
    }

    @Test("Keras' convnet files (.keras, legacy .h5) load and predict as Keras did", arguments: ["convnet.keras", "convnet.h5"])
    func kerasConvnetFiles(_ file: String) throws {
        let fixture = try #require(Self.fixture?["saved_convnet"])
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/saving/\(file)")
        let model = try Keras.loadModel(url.path)
        Self.expectClose(try model.predict(try Self.tensor(fixture["x"])), try Self.tensor(fixture["prediction"]), file)
        #expect(model.layers.contains { $0 is BatchNormalization && $0.nonTrainableWeights.count == 2 })
    }
}

@Suite("Convolution and pooling layers through the shared harness") struct ConvHarnessTests {
    @Test func convolutions() throws {
        try runLayerTest({ Conv1D(2, 2, padding: .causal, dilationRate: 2) }, inputShapes: [[2, 5, 3]], expectedOutputShapes: [[2, 5, 2]],
                         trainableWeights: 2)
        try runLayerTest({ Conv2D(4, 3, strides: 2, padding: .same, activation: .relu) }, inputShapes: [[2, 5, 5, 2]],
                         expectedOutputShapes: [[2, 3, 3, 4]], trainableWeights: 2)
        try runLayerTest({ Conv2D(4, 2, dataFormat: .channelsFirst, groups: 2) }, inputShapes: [[2, 4, 3, 3]],
                         expectedOutputShapes: [[2, 4, 2, 2]], trainableWeights: 2)
        try runLayerTest({ Conv3D(2, 2, useBias: false) }, inputShapes: [[1, 3, 3, 3, 1]], expectedOutputShapes: [[1, 2, 2, 2, 2]],
                         trainableWeights: 1)
        try runLayerTest({ Conv2DTranspose(3, 3, strides: 2, padding: .same) }, inputShapes: [[2, 3, 3, 2]],
                         expectedOutputShapes: [[2, 6, 6, 3]], trainableWeights: 2)
        try runLayerTest({ DepthwiseConv2D(3, depthMultiplier: 2) }, inputShapes: [[2, 4, 4, 2]], expectedOutputShapes: [[2, 2, 2, 4]],
                         trainableWeights: 2)
        try runLayerTest({ SeparableConv1D(3, 2, padding: .same) }, inputShapes: [[2, 5, 2]], expectedOutputShapes: [[2, 5, 3]],
                         trainableWeights: 3)
    }

    @Test func poolingAndReshaping() throws {
        try runLayerTest({ MaxPooling1D() }, inputShapes: [[2, 6, 3]], expectedOutputShapes: [[2, 3, 3]], trainableWeights: 0)
        try runLayerTest({ AveragePooling2D(3, strides: 2, padding: .same) }, inputShapes: [[2, 5, 5, 2]],
                         expectedOutputShapes: [[2, 3, 3, 2]], trainableWeights: 0)
        try runLayerTest({ GlobalMaxPooling2D(keepdims: true, dataFormat: .channelsFirst) }, inputShapes: [[2, 3, 4, 4]],
                         expectedOutputShapes: [[2, 3, 1, 1]], trainableWeights: 0)
        try runLayerTest({ GlobalAveragePooling1D() }, inputShapes: [[2, 4, 3]], expectedOutputShapes: [[2, 3]], trainableWeights: 0)
        try runLayerTest({ UpSampling2D(2, interpolation: .bilinear) }, inputShapes: [[2, 2, 3, 1]], expectedOutputShapes: [[2, 4, 6, 1]],
                         trainableWeights: 0)
        try runLayerTest({ ZeroPadding2D(1) }, inputShapes: [[2, 2, 2, 1]], expectedOutputShapes: [[2, 4, 4, 1]], trainableWeights: 0)
        try runLayerTest({ Cropping2D([(1, 1), (0, 1)]) }, inputShapes: [[2, 4, 4, 1]], expectedOutputShapes: [[2, 2, 3, 1]],
                         trainableWeights: 0)
    }
}
