import Foundation
import Testing
@testable import Keras

/// The checks every layer goes through, in the manner of Keras' `run_layer_test`: one call
/// per layer in `LayerHarnessTests`, and in the conv / recurrent test files.
///
/// For a layer made by `make` and inputs of `inputShapes` (batch included) it checks:
/// 1. building on real inputs, and the output shapes shape inference gives (batch `nil`) equal
///    the real ones (and `expectedOutputShapes`, when given);
/// 2. the numbers of trainable and non-trainable weights;
/// 3. the same outputs through a Functional model of `Input`s (the symbolic path);
/// 4. a config round trip: `Layers.deserialize(layer.serialized())` gives the same config
///    and, with the weights copied, the same outputs;
/// 5. for each trainable weight, the gradient of a random projection of the outputs equals
///    central finite differences (on up to `gradientSamples` entries);
/// 6. a `.weights.h5` round trip through a Functional model restores the outputs exactly.
///
/// `input` makes the input arrays (standard normal by default; integer tokens for an
/// encoding layer, say). Layers that are random in training run with `training: false`.
func runLayerTest(
    _ make: () throws -> Layer, inputShapes: [[Int]], expectedOutputShapes: [[Int]]? = nil,
    trainableWeights: Int, nonTrainableWeights: Int = 0,
    input: (([Int]) -> Tensor)? = nil, gradientSamples: Int = 6, tolerance: Float = 2e-2,
    sourceLocation: SourceLocation = #_sourceLocation
) throws {
    try LayerNames.withFreshNames {
        try Keras.withRandomSeed(7) {
            let layer = try make()
            let className = type(of: layer).kerasClassName
            let inputs = inputShapes.map { input?($0) ?? Tensor.randomNormal($0) }

            // 1. Building and shapes.
            let outputs = try layer.callAll(inputs)
            let inferred = try layer.outputShapes(forInputShapes: inputShapes.map { [nil] + $0.dropFirst().map { Optional($0) } })
            #expect(inferred.map { Array($0.dropFirst()) } == outputs.map { $0.shape.dropFirst().map { Optional($0) } },
                    "\(className): inferred output shapes \(inferred) vs real \(outputs.map(\.shape))", sourceLocation: sourceLocation)
            if let expectedOutputShapes {
                #expect(outputs.map(\.shape) == expectedOutputShapes, "\(className): output shapes", sourceLocation: sourceLocation)
            }

            // 2. Weight counts.
            #expect(layer.trainableWeights.count == trainableWeights, "\(className): trainable weights", sourceLocation: sourceLocation)
            #expect(layer.nonTrainableWeights.count == nonTrainableWeights, "\(className): non-trainable weights", sourceLocation: sourceLocation)

            // 3. The symbolic path.
            let symbolic = inputShapes.map { Input(shape: Array($0.dropFirst())) }
            let model = try Model(inputs: symbolic, outputs: try layer.callAll(symbolic))
            #expect(try model.predict(inputs, batchSize: inputShapes[0][0]) == outputs, "\(className): Functional outputs", sourceLocation: sourceLocation)

            // 4. Config round trip.
            let config = try layer.serialized()
            let copy = try Layers.deserialize(config)
            #expect(type(of: copy) == type(of: layer), "\(className): class after round trip", sourceLocation: sourceLocation)
            _ = try copy.callAll(inputs)
            #expect(try copy.serialized() == config, "\(className): config after round trip", sourceLocation: sourceLocation)
            try copy.setWeights(layer.getWeights())
            #expect(try copy.callAll(inputs) == outputs, "\(className): outputs after config round trip", sourceLocation: sourceLocation)

            // 5. Gradients against central differences.
            let projections = outputs.map { Tensor.randomNormal($0.shape) }
            func objective() throws -> Tensor {
                zip(try layer.callAll(inputs), projections).map { ($0 * $1).sum() }.reduce(Tensor(0), +)
            }
            for variable in layer.trainableWeights {
                let tape = GradientTape()
                let value = try tape.record { try objective() }
                let gradient = tape.gradient(of: value, wrt: variable).scalars
                let original = variable.value
                let step: Float = 1e-2
                for index in stride(from: 0, to: original.count, by: max(1, original.count / gradientSamples)) {
                    func shifted(_ delta: Float) throws -> Float {
                        var scalars = original.scalars
                        scalars[index] += delta
                        variable.assign(Tensor(shape: original.shape, scalars: scalars))
                        return try objective().scalar
                    }
                    let numeric = (try shifted(step) - shifted(-step)) / (2 * step)
                    variable.assign(original)
                    #expect(Swift.abs(numeric - gradient[index]) <= tolerance * Swift.max(1, Swift.abs(numeric)),
                            "\(className): gradient of '\(variable.name)'[\(index)] \(gradient[index]) vs finite difference \(numeric)",
                            sourceLocation: sourceLocation)
                }
            }

            // 6. Weights file round trip.
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("harness-\(UUID().uuidString).weights.h5").path
            defer { try? FileManager.default.removeItem(atPath: path) }
            try model.saveWeights(path)
            let fresh = try Keras.modelFromJSON(try model.toJSON())
            try fresh.loadWeights(path)
            #expect(try fresh.predict(inputs, batchSize: inputShapes[0][0]) == outputs, "\(className): outputs after .weights.h5", sourceLocation: sourceLocation)
        }
    }
}

@Suite("Every layer through the shared harness")
struct LayerHarnessTests {
    @Test func coreLayers() throws {
        try runLayerTest({ Dense(units: 3, activation: .tanh) }, inputShapes: [[4, 5]], expectedOutputShapes: [[4, 3]], trainableWeights: 2)
        try runLayerTest({ Dense(units: 2, useBias: false) }, inputShapes: [[3, 2, 4]], expectedOutputShapes: [[3, 2, 2]], trainableWeights: 1)
        try runLayerTest({ Activation(.softmax) }, inputShapes: [[3, 4]], trainableWeights: 0)
        try runLayerTest({ Dropout(0.3) }, inputShapes: [[3, 4]], trainableWeights: 0)
        try runLayerTest({ Flatten() }, inputShapes: [[2, 3, 4]], expectedOutputShapes: [[2, 12]], trainableWeights: 0)
        try runLayerTest({ Reshape([3, 2]) }, inputShapes: [[2, 6]], expectedOutputShapes: [[2, 3, 2]], trainableWeights: 0)
    }

    @Test func preprocessingLayers() throws {
        try runLayerTest({ Rescaling(scale: 0.5, offset: 1) }, inputShapes: [[3, 4]], trainableWeights: 0)
        try runLayerTest({ Normalization(mean: Tensor([1, 2, 3]), variance: Tensor([1, 4, 9])) }, inputShapes: [[4, 3]], trainableWeights: 0)
        try runLayerTest({ CategoryEncoding(numTokens: 5, outputMode: .oneHot) }, inputShapes: [[4, 1]], expectedOutputShapes: [[4, 5]],
                         trainableWeights: 0, input: { Tensor(shape: $0, scalars: (0..<$0.reduce(1, *)).map { Float($0 % 5) }) })
        try runLayerTest({ Discretization(binBoundaries: [-1, 0, 1]) }, inputShapes: [[4, 3]], trainableWeights: 0)
    }

    @Test func mergeLayers() throws {
        for make in [{ Add() }, { Multiply() }, { Average() }, { Maximum() }, { Minimum() }] as [() -> Layer] {
            try runLayerTest(make, inputShapes: [[3, 4], [3, 4], [3, 4]], expectedOutputShapes: [[3, 4]], trainableWeights: 0)
        }
        try runLayerTest({ Subtract() }, inputShapes: [[3, 4], [3, 1]], expectedOutputShapes: [[3, 4]], trainableWeights: 0)
        try runLayerTest({ Concatenate() }, inputShapes: [[3, 4], [3, 2]], expectedOutputShapes: [[3, 6]], trainableWeights: 0)
        try runLayerTest({ Concatenate(axis: 1) }, inputShapes: [[3, 4, 2], [3, 1, 2]], expectedOutputShapes: [[3, 5, 2]], trainableWeights: 0)
        try runLayerTest({ Dot(axes: 1) }, inputShapes: [[3, 4], [3, 4]], expectedOutputShapes: [[3, 1]], trainableWeights: 0)
        try runLayerTest({ Dot(axes: 2, normalize: true) }, inputShapes: [[3, 2, 4], [3, 5, 4]], expectedOutputShapes: [[3, 2, 5]], trainableWeights: 0)
        try runLayerTest({ Dot(axes: (1, 2)) }, inputShapes: [[3, 4, 2], [3, 5, 4]], expectedOutputShapes: [[3, 2, 5]], trainableWeights: 0)
    }

    @Test func layersHoldingLayersAndModels() throws {
        TwoDense.registered
        try runLayerTest({ TwoDense() }, inputShapes: [[3, 4]], expectedOutputShapes: [[3, 2]], trainableWeights: 4)
        try runLayerTest({ Sequential([Dense(units: 3, activation: .relu), Dense(units: 2)]) }, inputShapes: [[4, 5]],
                         expectedOutputShapes: [[4, 2]], trainableWeights: 4)
    }

    @Test func mergeShapeErrorsNameTheLayer() throws {
        let a = Input(shape: [3]), b = Input(shape: [4])
        #expect { try Add(name: "sum")([a, b]) } throws: { "\($0)".contains("sum") && "\($0)".contains("(None, 4)") }
        #expect { try Concatenate(axis: 1, name: "join")([Input(shape: [2, 3]), Input(shape: [2, 4])]) } throws: { "\($0)".contains("join") }
        #expect { try Subtract()([a, a, a]) } throws: { "\($0)".contains("exactly 2") }
        #expect { try Dot(axes: 1, name: "dot")([a, b]) } throws: { "\($0)".contains("dot") }
    }
}
