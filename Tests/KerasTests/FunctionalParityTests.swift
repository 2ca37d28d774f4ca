import Foundation
import Testing
@testable import Keras

/// Functional and nested models written by real Keras 3 (Tools/fixtures/make_functional_fixtures.py)
/// load from every file format with the same outputs and the same gradients.
@Suite("Functional and nested models from Keras", .freshLayerNames)
struct FunctionalParityTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/functional")
    static let cases = ["branches_and_merges", "nested", "shared", "two_in_two_out"]

    /// The model of `name` as each format gives it: `.keras`, legacy `.h5`, and JSON + `.weights.h5`.
    static func loaded(_ name: String) throws -> [(String, Model)] {
        let base = directory.appendingPathComponent(name).path
        let json = try String(contentsOfFile: base + ".json", encoding: .utf8)
        let fromJSON = try Keras.modelFromJSON(json)
        try fromJSON.loadWeights(base + ".weights.h5")
        return [("keras", try Keras.loadModel(base + ".keras")), ("h5", try Keras.loadModel(base + ".h5")), ("json+weights", fromJSON)]
    }

    @Test(arguments: cases) func outputsAndGradientsMatchKeras(_ name: String) throws {
        let arrays = try NumPy.loadArchive(Self.directory.appendingPathComponent("\(name).npz"))
        func numbered(_ prefix: String) -> [Tensor] {
            (0...).lazy.map { arrays["\(prefix)\($0)"] }.prefix { $0 != nil }.map { $0! }
        }
        let (inputs, outputs, projections, gradients) = (numbered("x"), numbered("y"), numbered("p"), numbered("g"))
        for (format, model) in try Self.loaded(name) {
            let context = "\(name) from \(format)"
            let predicted = try model.predict(inputs)
            #expect(predicted.count == outputs.count, "\(context): outputs")
            for (ours, theirs) in zip(predicted, outputs) {
                expectClose(ours.scalars, theirs.scalars.map(Double.init), tolerance: 1e-5, "\(context) predictions")
            }
            let variables = model.trainableWeights
            #expect(variables.map(\.shape) == gradients.map(\.shape), "\(context): trainable weights in Keras' order")
            let tape = GradientTape()
            let objective = try tape.record {
                zip(try model.callAll(inputs), projections).map { ($0 * $1).sum() }.reduce(Tensor(0), +)
            }
            for (index, (ours, theirs)) in zip(tape.gradient(of: objective, wrt: variables), gradients).enumerated() {
                expectClose(ours.scalars, theirs.scalars.map(Double.init), tolerance: 1e-5, "\(context) gradient \(index)")
            }
        }
    }

    @Test func kerasStructureIsKept() throws {
        let nested = try Keras.loadModel(Self.directory.appendingPathComponent("nested.keras").path)
        #expect(nested.layers.map { type(of: $0).kerasClassName } == ["InputLayer", "Sequential", "Dense"])
        let stack = try #require(nested.layers[1] as? Sequential)
        #expect(type(of: stack.layers[1]).kerasClassName == "Functional")
        #expect(WeightsLayout.layerPaths(nested).map(\.0).contains("layers/sequential/layers/functional/layers/dense"))
        let shared = try Keras.loadModel(Self.directory.appendingPathComponent("shared.keras").path)
        #expect(shared.weights.count == 4)
        let text = shared.summaryText()
        // Keras 3.15.1's rows for this model, cells wrapped as rich wraps them.
        #expect(text.contains("""
            │ encoder (Dense)     │ (None, 4)         │         16 │ left[0][0],       │
            │                     │                   │            │ right[0][0]       │
            """))
        #expect(text.contains("""
            │ concatenate_1       │ (None, 8)         │          0 │ encoder[0][0],    │
            │ (Concatenate)       │                   │            │ encoder[1][0]     │
            """))
        #expect(text.contains("│ dense_6 (Dense)     │ (None, 1)         │          9 │ concatenate_1[0]… │"))
        let twoByTwo = try Keras.loadModel(Self.directory.appendingPathComponent("two_in_two_out.keras").path)
        #expect(twoByTwo.inputNames == ["image", "tabular"] && twoByTwo.outputNames == ["label", "score"])
    }

    @Test func ourFunctionalConfigsMatchKerasConfigs() throws {
        for name in Self.cases {
            let json = try String(contentsOfFile: Self.directory.appendingPathComponent("\(name).json").path, encoding: .utf8)
            let original = try ConfigValue(json: json)
            let model = try Keras.modelFromJSON(json)
            let ours = try ConfigValue(json: try model.toJSON())
            #expect(ours["config"]?["input_layers"] == original["config"]?["input_layers"], "\(name) input_layers")
            #expect(ours["config"]?["output_layers"] == original["config"]?["output_layers"], "\(name) output_layers")
            guard case let .array(theirLayers)? = original["config"]?["layers"], case let .array(ourLayers)? = ours["config"]?["layers"] else {
                Issue.record("\(name): no layers")
                continue
            }
            #expect(ourLayers.map { $0["name"] } == theirLayers.map { $0["name"] }, "\(name) layer order")
            #expect(ourLayers.map { $0["inbound_nodes"] } == theirLayers.map { $0["inbound_nodes"] }, "\(name) inbound nodes")
        }
    }
}
