import Foundation
import Testing
@testable import Keras

/// What real Keras 3 computed for the layer, activation, initializer, regularizer, constraint and
/// callback tests (Tests/Fixtures/layers.json, by Tools/fixtures/make_layer_fixtures.py).
struct LayerFixtures: Decodable {
    struct Activation: Decodable { let id: String; let name: String; let output: [[Double]] }
    struct Fans: Decodable { let shape: [Int]; let fan_in: Int; let fan_out: Int }
    struct InitializerCase: Decodable {
        let name: String
        let shape: [Int]
        let distribution: String
        let std: Double
        let limit: Double?
        let sample_std: Double
        let sample_mean: Double
    }
    struct RegularizerCase: Decodable { let id: String; let l1: Double; let l2: Double; let value: Double }
    struct ConstraintCase: Decodable { let id: String; let output: [[Double]] }
    struct RegularizedFit: Decodable {
        let x: [[Double]]
        let y: [[Double]]
        let initial_weights: [[Double]]
        let evaluate_before: Double
        let unregularized_loss: Double
        let history_loss: [Double]
        let final_weights: [[Double]]
    }
    struct Stack: Decodable {
        let x: [[[Double]]]
        let x_shape: [Int]
        let weights: [[Double]]
        let weight_shapes: [[Int]]
        let output: [[Double]]
        let hidden: [[[Double]]]
        let layer_names: [String]
        let output_shapes: [[Int?]]
    }
    struct MonitorConfig: Decodable {
        let monitor: String
        let patience: Int?
        let min_delta: Float?
        let mode: String?
        let baseline: Float?
        let restore_best_weights: Bool?
        let start_from_epoch: Int?
        let factor: Float?
        let cooldown: Int?
        let min_lr: Float?
    }
    struct EarlyStoppingCase: Decodable {
        let id: String
        let config: MonitorConfig
        let key: String
        let values: [Float]
        let epochs_run: Int
        let stopped_at: Int?
        let stopped_epoch: Int
        let weights_epoch: Float
    }
    struct ReduceLRCase: Decodable {
        let id: String
        let config: MonitorConfig
        let key: String
        let values: [Float]
        let learning_rates: [Float]
    }
    struct CSVLoggerFiles: Decodable {
        let epochs: [[String: Float]]
        let val_epochs: [[String: Float]]
        let plain: String
        let with_validation: String
        let appended: String
    }
    struct Hook: Decodable, Equatable { let hook: String; let index: Int?; let keys: [String] }

    let keras_version: String
    let activation_input: [[Double]]
    let activations: [Activation]
    let fans: [Fans]
    let initializers: [InitializerCase]
    let regularizer_weight: [[Double]]
    let regularizers: [RegularizerCase]
    let constraint_weight: [[Double]]
    let constraints: [ConstraintCase]
    let regularized_fit: RegularizedFit
    let stack: Stack
    let early_stopping: [EarlyStoppingCase]
    let reduce_lr: [ReduceLRCase]
    let csv_logger: CSVLoggerFiles
    let hooks: [String: [Hook]]

    static let shared: LayerFixtures? = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/layers.json")
        do {
            return try JSONDecoder().decode(LayerFixtures.self, from: Data(contentsOf: url))
        } catch {
            print("layers.json: \(error)")
            return nil
        }
    }()

    static func load() throws -> LayerFixtures { try #require(shared, "Tests/Fixtures/layers.json is missing or unreadable") }
}

extension Tensor {
    /// A matrix from JSON's nested doubles.
    init(doubles rows: [[Double]]) { self.init(rows.map { $0.map(Float.init) }) }
}

/// `|a - b| <= tolerance * max(1, |b|)` for every pair, with the first offending pair reported.
func expectClose(_ actual: [Float], _ expected: [Double], tolerance: Double, _ context: String,
                 sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.count == expected.count, "\(context): \(actual.count) values, expected \(expected.count)",
            sourceLocation: sourceLocation)
    for (index, (a, b)) in zip(actual, expected).enumerated() where !(abs(Double(a) - b) <= tolerance * max(1, abs(b))) {
        Issue.record("\(context)[\(index)]: \(a) vs Keras \(b)", sourceLocation: sourceLocation)
        return
    }
}

/// Runs each test with its own layer-name counters, so that the layers it creates take no names
/// from suites running in parallel that check theirs after `Keras.clearSession()`.
struct FreshLayerNames: SuiteTrait, TestTrait, TestScoping {
    var isRecursive: Bool { true }

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        try await LayerNames.withFreshNames { try await function() }
    }
}

extension Trait where Self == FreshLayerNames {
    static var freshLayerNames: Self { Self() }
}

@Suite("Layers", .freshLayerNames) struct LayerTests {
    // MARK: Dense

    @Test func denseComputesInputTimesKernelPlusBias() throws {
        let dense = Dense(units: 2, kernelInitializer: .ones)
        let y = try dense(Tensor([[1, 2, 3], [-1, 0, 4]] as [[Float]]))
        #expect(y.shape == [2, 2])
        try dense.setWeights([Tensor(shape: [3, 2], scalars: [1, 0, 0, 1, 1, 1]), Tensor([0.5, -0.5])])
        #expect(try dense(Tensor([[1, 2, 3]] as [[Float]])) == Tensor([[4.5, 4.5]] as [[Float]]))
        #expect(dense.kernel?.name == "\(dense.name)/kernel")
        #expect(dense.bias?.name == "\(dense.name)/bias")
    }

    @Test func denseOnRank3InputsActsOnTheLastAxis() throws {
        let dense = Dense(units: 4)
        let x = Tensor.randomNormal([2, 5, 3], seed: 1)
        let y = try dense(x)
        #expect(y.shape == [2, 5, 4])
        #expect(try dense.outputShape(forInputShape: [nil, 5, 3]) == [nil, 5, 4])
        #expect(dense.kernel?.shape == [3, 4])
        // Each row of each sample goes through the same matrix.
        let rows = try dense(x.reshaped(to: [10, 3]))
        expectClose(y.scalars, rows.scalars.map(Double.init), tolerance: 1e-6, "rank-3 Dense")
    }

    @Test func denseWithoutBiasHasOnlyAKernel() throws {
        let dense = Dense(units: 3, useBias: false, inputDim: 4)
        try dense.buildIfNeeded(inputShape: [nil, 4])
        #expect(dense.weights.count == 1)
        #expect(dense.bias == nil)
        #expect(dense.countParams() == 12)
        #expect(try dense(Tensor.zeros([2, 4])) == Tensor.zeros([2, 3]))
    }

    @Test func denseRejectsBadUnitsAndRank1Inputs() {
        #expect(throws: KerasError.self) { try Dense(units: 0).buildIfNeeded(inputShape: [nil, 3]) }
        #expect(throws: KerasError.self) { try Dense(units: 2)(Tensor([1, 2, 3])) }
        // In a model: thrown by fit, never a crash.
        let model = Sequential([Dense(units: -1, inputShape: [2])])
        #expect(throws: KerasError.self) { try model.predict(Tensor.zeros([1, 2])) }
    }

    @Test func wrongInputWidthThrowsNamingTheLayerAndShapes() throws {
        let dense = Dense(units: 2, name: "probe")
        _ = try dense(Tensor.zeros([1, 4]))
        do {
            _ = try dense(Tensor.zeros([3, 5]))
            Issue.record("a width of 5 for a layer built for 4 should throw")
        } catch let error as KerasError {
            guard case let .shapeMismatch(context, expected, got, _) = error else {
                Issue.record("expected shapeMismatch, got \(error)")
                return
            }
            #expect(context.contains("'probe'") && context.contains("Dense"))
            #expect(expected == "(None, 4)")
            #expect(got == "(None, 5)")
            #expect(error.description.contains("probe"))
        }
        // Rank-3 inputs: the expected shape keeps their middle axes.
        #expect {
            _ = try dense(Tensor.zeros([2, 7, 3]))
        } throws: { error in
            guard case let KerasError.shapeMismatch(_, expected, got, _) = error else { return false }
            return expected == "(None, 7, 4)" && got == "(None, 7, 3)"
        }
        // Through a model whose first layer declares its input.
        let model = Sequential([Dense(units: 2, inputShape: [4])])
        #expect(throws: KerasError.self) { try model.predict(Tensor.zeros([2, 3])) }
    }

    // MARK: Names

    @Test func eachTestHasItsOwnNameCounters() {
        // (The suite's trait gives each test fresh counters.)
        #expect(Dense(units: 1).name == "dense")
        #expect(Dense(units: 1).name == "dense_1")
    }

    @Test func namesCountPerClassAndClearSessionResets() {
        LayerNames.withFreshNames {
            #expect(Dense(units: 1).name == "dense")
            #expect(Dense(units: 1).name == "dense_1")
            #expect(Dropout(0.1).name == "dropout")
            #expect(Activation(.relu).name == "activation")
            #expect(Flatten().name == "flatten")
            #expect(Reshape([2]).name == "reshape")
            #expect(Input(shape: [3]).name == "input_layer")
            #expect(Dense(units: 1, name: "mine").name == "mine")
            #expect(Dense(units: 1).name == "dense_2")
            Keras.clearSession()
            #expect(Dense(units: 1).name == "dense")
            #expect(Flatten().name == "flatten")
        }
    }

    @Test func weightNamesFollowLayerNames() throws {
        try LayerNames.withFreshNames { () throws in
            let model = Sequential([Dense(units: 2, inputShape: [3]), Dense(units: 1)])
            #expect(model.weights.map(\.name) == ["dense/kernel", "dense/bias", "dense_1/kernel", "dense_1/bias"])
            #expect(model.name == "sequential")
            #expect(try model.predict(Tensor.zeros([1, 3])).shape == [1, 1])
        }
    }

    // MARK: Weights

    @Test func setWeightsRejectsWrongCountsAndShapesWithoutChangingAnything() throws {
        let dense = Dense(units: 2, inputDim: 3)
        try dense.buildIfNeeded(inputShape: [nil, 3])
        let before = dense.getWeights()
        #expect(before.map(\.shape) == [[3, 2], [2]])
        do {
            try dense.setWeights([Tensor.zeros([3, 2])])
            Issue.record("one tensor for two weights should throw")
        } catch let error as KerasError {
            guard case .invalidArgument = error else { Issue.record("expected invalidArgument, got \(error)"); return }
            #expect(error.description.contains("1 tensors"))
        }
        do {
            // The kernel is right, the bias is not: neither may change.
            try dense.setWeights([Tensor.ones([3, 2]), Tensor.ones([3])])
            Issue.record("a bias of shape [3] should throw")
        } catch let error as KerasError {
            guard case let .shapeMismatch(context, expected, got, _) = error else { Issue.record("got \(error)"); return }
            #expect(context.contains("bias"))
            #expect(expected == "[2]" && got == "[3]")
        }
        #expect(dense.getWeights() == before)
        #expect(throws: KerasError.self) { try dense.setWeights([Tensor.ones([2, 3]), Tensor.ones([2])]) }
        #expect(throws: KerasError.self) { try dense.setWeights([]) }

        let model = Sequential([Dense(units: 2, inputShape: [3]), Dense(units: 1)])
        #expect(throws: KerasError.self) { try model.setWeights(model.getWeights().dropLast()) }
        #expect(throws: KerasError.self) { try model.setWeights(model.getWeights() + [Tensor(1)]) }
        #expect(throws: KerasError.self) { try model.setWeights(model.getWeights().reversed()) }
    }

    @Test func unbuiltLayerHasNoWeights() {
        let dense = Dense(units: 2)
        #expect(dense.weights.isEmpty && !dense.isBuilt)
        #expect(throws: KerasError.self) { try dense.setWeights([Tensor.zeros([3, 2]), Tensor.zeros([2])]) }
        #expect(throws: KerasError.self) { try dense.preActivation(Tensor.zeros([1, 3])) }
    }

    // MARK: Flatten and Reshape

    @Test func flattenShapes() throws {
        let flatten = Flatten()
        #expect(try flatten(Tensor.zeros([2, 3, 4])).shape == [2, 12])
        #expect(try flatten(Tensor.zeros([5])).shape == [5, 1])
        #expect(try flatten(Tensor.zeros([2, 7])).shape == [2, 7])
        #expect(try flatten.outputShape(forInputShape: [nil, 3, 4]) == [nil, 12])
        #expect(try flatten.outputShape(forInputShape: [nil, nil, 4]) == [nil, nil])
        // Keras flattens an empty batch to (0, 6).
        #expect(try flatten(Tensor.zeros([0, 2, 3])).shape == [0, 6])
        let x = Tensor.arange(24).reshaped(to: [2, 3, 4])
        #expect(try flatten(x).scalars == x.scalars)
    }

    @Test func reshapeShapesAndInference() throws {
        #expect(try Reshape([3, 4])(Tensor.zeros([2, 12])).shape == [2, 3, 4])
        #expect(try Reshape([-1])(Tensor.zeros([2, 3, 4])).shape == [2, 12])
        #expect(try Reshape([2, -1])(Tensor.zeros([5, 3, 4])).shape == [5, 2, 6])
        #expect(try Reshape([-1, 3])(Tensor.zeros([0, 6])).shape == [0, 2, 3])
        #expect(try Reshape([2, -1]).outputShape(forInputShape: [nil, 8]) == [nil, 2, 4])
        #expect(try Reshape([2, -1]).outputShape(forInputShape: [nil, nil]) == [nil, 2, nil])
        let x = Tensor.arange(12).reshaped(to: [1, 12])
        #expect(try Reshape([3, 4])(x).scalars == x.scalars)
    }

    @Test func reshapeRejectsBadTargetsWithThrownErrors() {
        // Keras: "The total size of the tensor must be unchanged".
        #expect(throws: KerasError.self) { try Reshape([4])(Tensor.zeros([2, 6])) }
        #expect(throws: KerasError.self) { try Reshape([4, -1])(Tensor.zeros([2, 6])) }
        #expect(throws: KerasError.self) { try Reshape([0, 6])(Tensor.zeros([2, 6])) }
        // Keras: "at most one unknown dimension" and "non-negative integer, or -1".
        #expect(throws: KerasError.self) { try Reshape([-1, -1])(Tensor.zeros([2, 6])) }
        #expect(throws: KerasError.self) { try Reshape([-2, -3])(Tensor.zeros([2, 6])) }
        #expect(throws: KerasError.self) { try Reshape([-2, -3]).outputShape(forInputShape: [nil, nil]) }
        // In a model: the error comes from build / predict, not a crash.
        let model = Sequential([Reshape([5], inputShape: [6])])
        #expect(throws: KerasError.self) { try model.predict(Tensor.zeros([1, 6])) }
        do {
            _ = try Reshape([4], name: "r")(Tensor.zeros([1, 6]))
        } catch let error as KerasError {
            #expect(error.description.contains("'r'") && error.description.contains("(None, 6)"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    // MARK: Dropout

    @Test func dropoutValidatesItsRate() throws {
        for rate: Float in [-0.1, 1.5, .nan] {
            #expect(throws: KerasError.self, "rate \(rate)") { try Dropout(rate, seed: 1).buildIfNeeded(inputShape: [nil, 2]) }
        }
        for rate: Float in [0, 0.5, 1] { try Dropout(rate, seed: 1).buildIfNeeded(inputShape: [nil, 2]) }
        let model = Sequential([Dense(units: 2, inputShape: [2]), Dropout(2)])
        try model.compile(optimizer: SGD(), loss: "mse")
        #expect(throws: KerasError.self) { try model.fit(Tensor.zeros([2, 2]), Tensor.zeros([2, 2]), verbose: 0) }
    }

    @Test func dropoutScalesKeptValuesAndPassesThroughOutsideTraining() throws {
        let rate: Float = 0.3
        let dropout = Dropout(rate, seed: 42)
        let x = Tensor.full([100, 100], 2)
        #expect(try dropout(x, training: false) == x)
        let y = try dropout(x, training: true)
        let kept = y.scalars.filter { $0 != 0 }
        #expect(kept.allSatisfy { abs($0 - 2 / (1 - rate)) < 1e-5 })
        let fraction = Float(kept.count) / Float(x.count)
        #expect(abs(fraction - (1 - rate)) < 0.02, "kept \(fraction)")
        // The expected value is unchanged.
        #expect(abs(y.mean().scalar - 2) < 0.06)
        // Rate 0 passes through; rate 1 zeroes (Keras' backend returns zeros).
        #expect(try Dropout(0, seed: 1)(x, training: true) == x)
        #expect(try Dropout(1, seed: 1)(x, training: true) == Tensor.zeros([100, 100]))
    }

    @Test func dropoutMasksRepeatWithASeed() throws {
        let x = Tensor.ones([8, 8])
        let a = try Dropout(0.5, seed: 7)(x, training: true)
        let b = try Dropout(0.5, seed: 7)(x, training: true)
        #expect(a == b)
        let scoped1 = try Keras.withRandomSeed(3) { try Dropout(0.5)(x, training: true) }
        let scoped2 = try Keras.withRandomSeed(3) { try Dropout(0.5)(x, training: true) }
        #expect(scoped1 == scoped2)
        // Successive calls draw new masks.
        let dropout = Dropout(0.5, seed: 7)
        #expect(try dropout(x, training: true) != dropout(x, training: true))
    }

    // MARK: Input

    @Test func inputLayerChecksTheSampleShape() throws {
        let input = InputLayer(shape: [3])
        #expect(try input(Tensor.zeros([2, 3])).shape == [2, 3])
        #expect(throws: KerasError.self) { try input(Tensor.zeros([2, 4])) }
        #expect(throws: KerasError.self) { try input(Tensor.zeros([2, 3, 1])) }
        let model = Sequential([Input(shape: [3]), Dense(units: 2)])
        #expect(model.layers.count == 1)
        #expect(model.inputShape == [3])
        #expect(model.isBuilt)
        #expect(try model.predict(Tensor.zeros([4, 3])).shape == [4, 2])
        #expect(throws: KerasError.self) { try model.predict(Tensor.zeros([4, 2])) }
    }

    // MARK: Trainable

    @Test func frozenLayerKeepsItsWeightsInFit() throws {
        let (model, first, second) = Keras.withRandomSeed(5) { () -> (Sequential, Dense, Dense) in
            let first = Dense(units: 3, activation: .tanh, inputShape: [2]), second = Dense(units: 1)
            return (Sequential([first, second]), first, second)
        }
        first.trainable = false
        #expect(first.trainableWeights.isEmpty)
        #expect(first.nonTrainableWeights.count == 2)
        #expect(model.trainableWeights.count == 2)
        let frozen = first.getWeights(), trained = second.getWeights()
        try model.compile(optimizer: SGD(learningRate: 0.1), loss: "mse")
        let x = Tensor.randomNormal([16, 2], seed: 2)
        try Keras.withRandomSeed(1) { _ = try model.fit(x, x.sum(axis: 1, keepDims: true), epochs: 3, batchSize: 4, verbose: 0) }
        #expect(first.getWeights() == frozen)
        #expect(second.getWeights() != trained)
        // Unfrozen and recompiled (as Keras requires after changing `trainable`), it trains again.
        first.trainable = true
        try model.compile(optimizer: SGD(learningRate: 0.1), loss: "mse")
        try Keras.withRandomSeed(1) { _ = try model.fit(x, x.sum(axis: 1, keepDims: true), epochs: 1, batchSize: 4, verbose: 0) }
        #expect(first.getWeights() != frozen)
    }

    // MARK: Parity with Keras

    /// Flatten → Dense(relu) → Reshape → Dense without bias on rank-3 inputs → tanh → Reshape(-1)
    /// → Dense(softmax), with Keras' weights: the same outputs and output shapes as Keras.
    @Test func layerStackMatchesKeras() throws {
        let fixture = try LayerFixtures.load().stack
        try LayerNames.withFreshNames { () throws in
            let model = Sequential([
                Input(shape: [2, 3]), Flatten(), Dense(units: 4, activation: .relu), Reshape([2, 2]),
                Dense(units: 3, useBias: false), Activation(.tanh), Reshape([-1]), Dense(units: 2, activation: .softmax),
            ])
            #expect(model.layers.map(\.name) == fixture.layer_names)
            #expect(model.outputShapes() == fixture.output_shapes.map { Optional($0) })
            try model.setWeights(zip(fixture.weights, fixture.weight_shapes).map {
                Tensor(shape: $1, scalars: $0.map(Float.init))
            })
            let x = Tensor(shape: fixture.x_shape, scalars: fixture.x.flatMap { $0.flatMap { $0.map(Float.init) } })
            let output = try model.predict(x)
            #expect(output.shape == [3, 2])
            expectClose(output.scalars, fixture.output.flatMap { $0 }, tolerance: 1e-5, "stack output")
            var hidden = x
            for layer in model.layers.prefix(5) { hidden = try layer(hidden) }
            #expect(hidden.shape == [3, 2, 3])
            expectClose(hidden.scalars, fixture.hidden.flatMap { $0.flatMap { $0 } }, tolerance: 1e-5, "after tanh")
        }
    }
}
