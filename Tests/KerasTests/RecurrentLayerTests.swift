import Foundation
import Testing
@testable import Keras

/// What real Keras 3 computed for the sequence layers (Tests/Fixtures/recurrent.json, by
/// Tools/fixtures/make_recurrent_fixtures.py): outputs, states and gradients from fixed weights.
struct RecurrentFixtures: Decodable {
    struct Case: Decodable, CustomTestStringConvertible {
        let id: String
        /// The layer's Keras config as JSON; nil for the user cell the test declares itself.
        let layer: String?
        let x: [Float], x_shape: [Int]
        let mask: [Float]?
        let initial_state: [[Float]]?
        /// Recorded for the newer cases; the older ones' states are `[batch, units]`.
        let initial_state_shapes: [[Int]]?
        let weights: [[Float]], weight_shapes: [[Int]]
        let outputs: [[Float]], output_shapes: [[Int]]
        let loss_weights: [[Float]]
        let grad_x: [Float]
        let grad_weights: [[Float]]
        let grad_initial_state: [[Float]]?
        var testDescription: String { id }
    }

    struct MaskModel: Decodable, CustomTestStringConvertible {
        let id: String
        let model: String
        let x: [Float], x_shape: [Int]
        let weights: [[Float]]
        let output: [Float], output_shape: [Int]
        var testDescription: String { id }
    }

    let keras_version: String
    let cases: [Case]
    let models: [MaskModel]

    static let shared: RecurrentFixtures? = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/recurrent.json")
        return try? JSONDecoder().decode(RecurrentFixtures.self, from: Data(contentsOf: url))
    }()
    static var cases: [Case] { shared?.cases ?? [] }
    static var models: [MaskModel] { shared?.models ?? [] }
}

/// The user cell of the fixture generator: `h = tanh(x·W + h·U)`.
final class MinimalCell: RecurrentCell {
    let units: Int
    var kernel: Variable?, recurrentKernel: Variable?

    init(units: Int) {
        self.units = units
        super.init()
    }

    override var stateSize: [Int] { [units] }

    override func build(inputShape: [Int?]) throws {
        kernel = try addWeight(name: "kernel", shape: [inputShape.last!!, units], initializer: .glorotUniform)
        recurrentKernel = try addWeight(name: "recurrent_kernel", shape: [units, units], initializer: .orthogonal)
    }

    override func step(_ input: Tensor, states: [Tensor], training: Bool) throws -> (output: Tensor, states: [Tensor]) {
        let h = (input.matmul(kernel!.value) + states[0].matmul(recurrentKernel!.value)).tanh()
        return (h, [h])
    }
}

@Suite("Recurrent layers", .freshLayerNames) struct RecurrentLayerTests {
    static func close(_ actual: Tensor, _ expected: [Float], shape: [Int], _ what: String,
                      tolerance: Float = 1e-4, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(actual.shape == shape, "\(what): shape \(actual.shape), Keras \(shape)", sourceLocation: sourceLocation)
        let worst = zip(actual.scalars, expected).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
        #expect(worst <= tolerance, "\(what): differs from Keras by \(worst)", sourceLocation: sourceLocation)
    }

    @Test("outputs, states and gradients equal Keras'", arguments: RecurrentFixtures.cases)
    func kerasParity(_ fixture: RecurrentFixtures.Case) throws {
        let layer = try fixture.layer.map { try Layers.deserialize(try ConfigValue(json: $0)) }
            ?? RNN(MinimalCell(units: 3), returnSequences: true)
        try layer.buildIfNeeded(inputShapes: [[nil] + fixture.x_shape.dropFirst().map { $0 }])
        try layer.setWeights(zip(fixture.weights, fixture.weight_shapes).map { Tensor(shape: $1, scalars: $0) })
        let batch = fixture.x_shape[0]
        let x = Tensor(shape: fixture.x_shape, scalars: fixture.x)
        let mask = fixture.mask.map { Tensor(shape: [batch, $0.count / batch], scalars: $0) }
        let states = (fixture.initial_state ?? []).enumerated().map { index, scalars in
            Tensor(shape: fixture.initial_state_shapes?[index] ?? [batch, scalars.count / batch], scalars: scalars)
        }

        let tape = GradientTape()
        let (watchedX, watchedStates) = (tape.watch(x), states.map { tape.watch($0) })
        var outputs: [Tensor] = []
        let loss = try tape.record {
            outputs = try layer.callAll([watchedX] + watchedStates, masks: [mask], training: false)
            return zip(outputs, zip(fixture.loss_weights, fixture.output_shapes)).map { output, weights in
                (output * Tensor(shape: weights.1, scalars: weights.0)).sum()
            }.reduce(Tensor(0), +)
        }
        #expect(outputs.count == fixture.outputs.count)
        for (index, output) in outputs.enumerated() where index < fixture.outputs.count {
            Self.close(output, fixture.outputs[index], shape: fixture.output_shapes[index], "output \(index)")
        }
        Self.close(tape.gradient(of: loss, wrt: watchedX), fixture.grad_x, shape: fixture.x_shape, "d/dx")
        for (index, (gradient, expected)) in zip(tape.gradient(of: loss, wrt: layer.weights), fixture.grad_weights).enumerated() {
            Self.close(gradient, expected, shape: fixture.weight_shapes[index], "d/d\(layer.weights[index].name)")
        }
        for (index, expected) in (fixture.grad_initial_state ?? []).enumerated() {
            Self.close(tape.gradient(of: loss, wrt: watchedStates[index]), expected, shape: states[index].shape, "d/dstate\(index)")
        }
    }

    @Test func fixturesArePresent() {
        #expect(RecurrentFixtures.cases.count >= 34 && RecurrentFixtures.models.count == 2,
                "Tests/Fixtures/recurrent.json is missing: run Tools/fixtures/make_recurrent_fixtures.py")
    }

    @Test("masks from Embedding(maskZero) and Masking reach the recurrent layers through pooling and merges", arguments: RecurrentFixtures.models)
    func maskPropagation(_ fixture: RecurrentFixtures.MaskModel) throws {
        let model = try Keras.modelFromJSON(fixture.model)
        let x = Tensor(shape: fixture.x_shape, scalars: fixture.x)
        _ = try model.predict(x)
        try model.setWeights(zip(fixture.weights, model.weights).map { Tensor(shape: $1.shape, scalars: $0) })
        Self.close(try model.predict(x), fixture.output, shape: fixture.output_shape, "output")
    }

    @Test func kerasModelFilePredictsAsKerasDid() throws {
        let arrays = try NumPy.loadArchive(SavingTests.fixture("recurrent.npz"))
        let (x, y) = (try #require(arrays["x"]), try #require(arrays["y"]))
        for file in ["recurrent.keras", "recurrent.h5"] {
            let model = try Keras.loadModel(SavingTests.fixture(file))
            Self.close(try model.predict(x), y.scalars, shape: y.shape, file, tolerance: 1e-5)
        }
    }

    /// A Keras ConvLSTM2D model: the `.keras` and `.h5` files, and the `.weights.h5` file into
    /// the model of its JSON, predict as Keras did.
    @Test func kerasConvLSTMFilesPredictAsKerasDid() throws {
        let arrays = try NumPy.loadArchive(SavingTests.fixture("conv_lstm.npz"))
        let (x, y) = (try #require(arrays["x"]), try #require(arrays["y"]))
        for file in ["conv_lstm.keras", "conv_lstm.h5"] {
            let model = try Keras.loadModel(SavingTests.fixture(file))
            Self.close(try model.predict(x), y.scalars, shape: y.shape, file, tolerance: 1e-5)
        }
        let model = try Keras.modelFromJSON(try String(contentsOfFile: SavingTests.fixture("conv_lstm.json"), encoding: .utf8))
        try model.loadWeights(SavingTests.fixture("conv_lstm.weights.h5"))
        Self.close(try model.predict(x), y.scalars, shape: y.shape, "conv_lstm.weights.h5", tolerance: 1e-5)
    }

    @Test func savedWeightsFollowKerasPaths() throws {
        let model = Sequential([Embedding(12, 4, inputShape: [5]), try Bidirectional(LSTM(3, returnSequences: true)),
                                GRU(2), Dense(units: 1)])
        _ = try model.predict(Tensor(shape: [1, 5], scalars: [1, 2, 3, 0, 0]))
        let url = try SavingTests.temporaryDirectory().appendingPathComponent("m.weights.h5")
        try model.saveWeights(url.path)
        let root = try HDF5File.read(url)
        for path in ["layers/embedding/vars/0", "layers/bidirectional/forward_layer/cell/vars/2",
                     "layers/bidirectional/backward_layer/cell/vars/0", "layers/gru/cell/vars/2", "layers/dense/vars/1"] {
            #expect((try? root.dataset(path)) != nil, "\(path)")
        }
        #expect(try root.dataset("layers/gru/cell/vars/2").array.tensor().shape == [2, 6])
        let copy = try Keras.modelFromJSON(try model.toJSON())
        try copy.loadWeights(url.path)
        let x = Tensor(shape: [2, 5], scalars: [4, 5, 0, 0, 0, 1, 2, 3, 4, 5])
        #expect(try copy.predict(x) == (try model.predict(x)))
    }

    @Test func learnsWithFitAndCountsParameters() throws {
        Keras.setRandomSeed(1)
        let model = Sequential([Embedding(10, 8, maskZero: true, inputShape: [6]), LSTM(8), Dense(units: 1, activation: .sigmoid)])
        try model.compile(optimizer: Adam(learningRate: 0.02), loss: "binary_crossentropy", metrics: ["accuracy"])
        // Label: whether token 7 occurs before the padding.
        var generator = RandomGenerator(seed: 5)
        var rows: [Float] = [], labels: [Float] = []
        for _ in 0..<128 {
            let length = Int(generator.next() % 5) + 1
            let tokens = (0..<6).map { $0 < length ? Float(generator.next() % 9 + 1) : 0 }
            rows += tokens
            labels.append(tokens.contains(7) ? 1 : 0)
        }
        let history = try model.fit(Tensor(shape: [128, 6], scalars: rows), Tensor(shape: [128, 1], scalars: labels),
                                    epochs: 30, batchSize: 32, verbose: 0)
        #expect(try #require(history.history["accuracy"]?.last) > 0.9)
        #expect(model.countParams() == 10 * 8 + (8 * 32 + 8 * 32 + 32) + 9)
    }

    @Test func statefulLayersCarryTheirStatesUntilReset() throws {
        let layer = GRU(3, stateful: true)
        let x = Tensor.randomUniform([2, 4, 2], seed: 3)
        let first = try layer(x), second = try layer(x)
        #expect(first != second)
        layer.resetStates()
        #expect(try layer(x) == first)
    }

    @Test func dropoutOnlyWhileTraining() throws {
        let layer = LSTM(4, dropout: 0.5, recurrentDropout: 0.5, seed: 1)
        let x = Tensor.randomUniform([3, 5, 2], seed: 4)
        #expect(try layer(x) == (try layer(x)))
        #expect(try layer(x, training: true) != (try layer(x)))
    }

    @Test func badInputsThrowNamingTheLayer() throws {
        #expect(throws: KerasError.self) { try LSTM(3)(Tensor.zeros([2, 4])) }
        let layer = SimpleRNN(2)
        _ = try layer(Tensor.zeros([1, 3, 4]))
        #expect(throws: KerasError.self) { try layer(Tensor.zeros([1, 3, 5])) }
        #expect(throws: KerasError.self) { try LSTM(3).callAll([Tensor.zeros([1, 3, 2]), Tensor.zeros([1, 3])]) }
        #expect(throws: KerasError.self) { try Embedding(5, 2)(Tensor([[1, 5]])) }
        #expect(throws: KerasError.self) { try Embedding(5, 2)(Tensor([[1.5]])) }
    }
}

/// A user cell that declares its state but no step.
private final class CellWithoutStep: RecurrentCell {
    override var stateSize: [Int] { [4] }
}

@Suite("Recurrent cells written by users") struct UserCellTests {
    /// Forgetting to override `step` is a thrown error naming the cell, not a crash.
    @Test func aCellWithoutStepThrowsNamingIt() {
        let layer = RNN(CellWithoutStep(name: "my_cell"))
        #expect {
            _ = try layer(Tensor.zeros([2, 3, 5]))
        } throws: { error in
            "\(error)".contains("my_cell") && "\(error)".contains("step(_:states:training:)")
        }
    }
}

@Suite("Sequence layers through the shared harness") struct RecurrentHarnessTests {
    @Test func recurrentLayers() throws {
        try runLayerTest({ SimpleRNN(3, returnSequences: true) }, inputShapes: [[2, 4, 3]], expectedOutputShapes: [[2, 4, 3]],
                         trainableWeights: 3)
        try runLayerTest({ LSTM(3, returnState: true) }, inputShapes: [[2, 4, 2]], expectedOutputShapes: [[2, 3], [2, 3], [2, 3]],
                         trainableWeights: 3)
        try runLayerTest({ GRU(2, returnSequences: true, goBackwards: true) }, inputShapes: [[2, 3, 2]], trainableWeights: 3)
        try runLayerTest({ GRU(2, resetAfter: false) }, inputShapes: [[2, 3, 2]], trainableWeights: 3)
        try runLayerTest({ RNN([GRUCell(2), SimpleRNNCell(3)], returnState: true) }, inputShapes: [[2, 3, 2]],
                         expectedOutputShapes: [[2, 3], [2, 2], [2, 3]], trainableWeights: 6)
        try runLayerTest({ try Bidirectional(LSTM(2, returnSequences: true)) }, inputShapes: [[2, 3, 2]],
                         expectedOutputShapes: [[2, 3, 4]], trainableWeights: 6)
    }

    @Test func convolutionalRecurrentLayers() throws {
        try runLayerTest({ ConvLSTM1D(2, kernelSize: 2, returnSequences: true) }, inputShapes: [[2, 3, 5, 2]],
                         expectedOutputShapes: [[2, 3, 4, 2]], trainableWeights: 3)
        try runLayerTest({ ConvLSTM2D(2, kernelSize: 3, strides: 2, padding: .same, returnState: true) }, inputShapes: [[2, 2, 5, 4, 1]],
                         expectedOutputShapes: [[2, 3, 2, 2], [2, 3, 2, 2], [2, 3, 2, 2]], trainableWeights: 3)
        try runLayerTest({ ConvLSTM2D(1, kernelSize: 2, dataFormat: .channelsFirst, goBackwards: true) }, inputShapes: [[2, 2, 2, 3, 3]],
                         expectedOutputShapes: [[2, 1, 2, 2]], trainableWeights: 3)
        try runLayerTest({ ConvLSTM3D(1, kernelSize: 2, dilationRate: [1, 2, 1]) }, inputShapes: [[1, 2, 2, 3, 2, 1]],
                         expectedOutputShapes: [[1, 1, 1, 1, 1]], trainableWeights: 3)
    }

    @Test func otherSequenceLayers() throws {
        try runLayerTest({ TimeDistributed(Dense(units: 2)) }, inputShapes: [[2, 3, 4]], expectedOutputShapes: [[2, 3, 2]], trainableWeights: 2)
        try runLayerTest({ RepeatVector(3) }, inputShapes: [[2, 4]], expectedOutputShapes: [[2, 3, 4]], trainableWeights: 0)
        try runLayerTest({ Masking() }, inputShapes: [[2, 3, 4]], trainableWeights: 0)
        try runLayerTest({ Embedding(6, 3) }, inputShapes: [[2, 4]], expectedOutputShapes: [[2, 4, 3]], trainableWeights: 1,
                         input: { Tensor(shape: $0, scalars: (0..<$0.reduce(1, *)).map { Float($0 % 6) }) })
    }

    /// Keras' rules: strides and dilation not both above 1; padding valid or same; images of the layer's rank.
    @Test func convLSTMMistakesThrowNamingTheLayer() throws {
        #expect { try ConvLSTM2D(2, kernelSize: 2, strides: 2, dilationRate: 2, name: "both")(Tensor.zeros([1, 2, 5, 5, 1])) }
            throws: { "\($0)".contains("strides") }
        #expect(throws: KerasError.self) { try ConvLSTM1D(2, kernelSize: 2, padding: .causal)(Tensor.zeros([1, 2, 5, 1])) }
        #expect(throws: KerasError.self) { try ConvLSTM2D(2, kernelSize: 2)(Tensor.zeros([1, 2, 5, 1])) }
    }
}

/// A user cell that forgot `stateSize`.
private final class CellWithoutStateSize: RecurrentCell {}

@Suite("Recurrent cell mistakes") struct CellMistakeTests {
    @Test func aCellWithoutStateSizeThrowsNamingIt() {
        #expect {
            _ = try RNN(CellWithoutStateSize(name: "sizeless"))(Tensor.zeros([2, 3, 5]))
        } throws: { error in
            "\(error)".contains("sizeless") && "\(error)".contains("stateSize")
        }
    }
}
