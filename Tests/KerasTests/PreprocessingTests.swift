import Foundation
import Testing
@testable import Keras

/// What real Keras 3 computed for the preprocessing layers (Tests/Fixtures/preprocessing.json,
/// by Tools/fixtures/make_preprocessing_fixtures.py).
struct PreprocessingFixtures: Decodable {
    struct NormalizationAdapt: Decodable {
        let id: String
        let axis: [Int]?
        let invert: Bool
        let data: [Double]?
        let data_shape: [Int]
        let batch_sizes: [Int]?
        let mean: [Double]
        let variance: [Double]
        let mean_float64: [Double]
        let variance_float64: [Double]
        let weight_shape: [Int]
        let count: Double
        let probe: [Double]
        let probe_shape: [Int]
        let output: [Double]
        let params: Int
    }
    struct NormalizationGiven: Decodable {
        let id: String
        let axis: [Int]?
        let invert: Bool
        let mean: [Double]
        let mean_shape: [Int]
        let variance: [Double]
        let probe: [Double]
        let probe_shape: [Int]
        let output: [Double]
        let params: Int
    }
    struct NormalizationSummary: Decodable { let total: Int; let trainable: Int; let non_trainable: Int }
    struct RescalingCase: Decodable {
        let scale: Double
        let offset: Double
        let input: [Double]
        let input_shape: [Int]
        let output: [Double]
    }
    struct EncodingCase: Decodable {
        let id: String
        let mode: String
        let num_tokens: Int?
        let bin_boundaries: [Double]?
        let input: [Double]
        let input_shape: [Int]
        let output: [Double]
        let output_shape: [Int]
        let count_weights: [Double]?
        let computed_output_shape: [Int?]
    }
    struct DiscretizationAdapt: Decodable {
        let id: String
        let num_bins: Int
        let epsilon: Double
        let data: [Double]
        let data_shape: [Int]
        let batch_sizes: [Int]?
        let bin_boundaries: [Double]
        let probe: [Double]
        let probe_shape: [Int]
        let output: [Double]
    }

    let keras_version: String
    let epsilon: Double
    let normalization_adapt: [NormalizationAdapt]
    let normalization_given: [NormalizationGiven]
    let normalization_summary: NormalizationSummary
    let rescaling: [RescalingCase]
    let category_encoding: [EncodingCase]
    let discretization_given: [EncodingCase]
    let discretization_adapt: [DiscretizationAdapt]

    static let shared: PreprocessingFixtures? = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/preprocessing.json")
        do {
            return try JSONDecoder().decode(PreprocessingFixtures.self, from: Data(contentsOf: url))
        } catch {
            print("preprocessing.json: \(error)")
            return nil
        }
    }()

    static func load() throws -> PreprocessingFixtures {
        try #require(shared, "Tests/Fixtures/preprocessing.json is missing or unreadable")
    }

    /// The Pima Indians diabetes table (`Datasets.pimaIndiansDiabetes`): 768 rows, 8 features and the outcome.
    static func pimaTable() throws -> Tensor {
        let (x, y) = try Datasets.pimaIndiansDiabetes()
        return Tensor.concatenate([x, y.reshaped(to: [768, 1])], axis: 1)
    }
}

fileprivate extension Tensor {
    /// A tensor from a fixture's flat doubles.
    init(shape: [Int], doubles: [Double]) { self.init(shape: shape, scalars: doubles.map(Float.init)) }
}

/// Checks that `body` throws a `KerasError` whose description mentions every one of `words`.
private func expectKerasError(mentioning words: [String], sourceLocation: SourceLocation = #_sourceLocation,
                      _ body: () throws -> Void) {
    do {
        try body()
        Issue.record("expected a KerasError mentioning \(words)", sourceLocation: sourceLocation)
    } catch let error as KerasError {
        for word in words where !error.description.contains(word) {
            Issue.record("'\(error.description)' does not mention '\(word)'", sourceLocation: sourceLocation)
        }
    } catch {
        Issue.record("expected a KerasError, got \(error)", sourceLocation: sourceLocation)
    }
}

@Suite("Preprocessing layers", .freshLayerNames) struct PreprocessingTests {
    // MARK: Normalization — parity

    @Test func fixturesArePresent() throws {
        let fixture = try PreprocessingFixtures.load()
        #expect(fixture.keras_version.hasPrefix("3."))
        #expect(Float(fixture.epsilon) == Normalization.epsilon)
        #expect(fixture.normalization_adapt.count == 11)
        #expect(fixture.discretization_adapt.count == 8)
    }

    static func normalization(axis: [Int]?, invert: Bool, mean: Tensor? = nil, variance: Tensor? = nil) -> Normalization {
        if let axis { return Normalization(axes: axis, mean: mean, variance: variance, invert: invert) }
        return Normalization(axis: nil, mean: mean, variance: variance, invert: invert)
    }

    @Test(arguments: PreprocessingFixtures.shared?.normalization_adapt.map(\.id) ?? [])
    func normalizationAdaptMatchesKeras(_ id: String) throws {
        let fixture = try #require(try PreprocessingFixtures.load().normalization_adapt.first { $0.id == id })
        let data = try fixture.data.map { Tensor(shape: fixture.data_shape, doubles: $0) }
            ?? PreprocessingFixtures.pimaTable()[.all, 0..<8]
        #expect(data.shape == fixture.data_shape)
        let layer = Self.normalization(axis: fixture.axis, invert: fixture.invert)
        if let sizes = fixture.batch_sizes {
            var batches: [Tensor] = [], start = 0
            for size in sizes {
                batches.append(data[start..<(start + size)])
                start += size
            }
            try layer.adapt(batches: batches)
        } else {
            try layer.adapt(data)
        }
        // Keras (numpy) sums float32 data in float32 — on the Pima table, row after row, 4e-6 off
        // the exact variance; the statistics here are summed in Double, exact to float32 rounding.
        #expect(layer.adaptedMean?.shape == fixture.weight_shape)
        expectClose(layer.adaptedMean?.value.scalars ?? [], fixture.mean, tolerance: 1e-5, "\(id) mean")
        expectClose(layer.adaptedVariance?.value.scalars ?? [], fixture.variance, tolerance: 1e-5, "\(id) variance")
        expectClose(layer.adaptedMean?.value.scalars ?? [], fixture.mean_float64, tolerance: 1.5e-7, "\(id) exact mean")
        expectClose(layer.adaptedVariance?.value.scalars ?? [], fixture.variance_float64, tolerance: 1.5e-7, "\(id) exact variance")
        #expect(layer.count?.value.scalar == Float(fixture.count))
        #expect(layer.countParams() == fixture.params)
        #expect(layer.weights.map(\.name) == ["normalization/mean", "normalization/variance", "normalization/count"])
        #expect(layer.weights.allSatisfy { !$0.trainable })
        let output = try layer(Tensor(shape: fixture.probe_shape, doubles: fixture.probe))
        #expect(output.shape == fixture.probe_shape)
        expectClose(output.scalars, fixture.output, tolerance: id.hasPrefix("pima") ? 5e-5 : 1e-5, "\(id) output")
    }

    @Test(arguments: PreprocessingFixtures.shared?.normalization_given.map(\.id) ?? [])
    func normalizationWithGivenStatisticsMatchesKeras(_ id: String) throws {
        let fixture = try #require(try PreprocessingFixtures.load().normalization_given.first { $0.id == id })
        let layer = Self.normalization(axis: fixture.axis, invert: fixture.invert,
                                       mean: Tensor(shape: fixture.mean_shape, doubles: fixture.mean),
                                       variance: Tensor(shape: fixture.mean_shape, doubles: fixture.variance))
        let output = try layer(Tensor(shape: fixture.probe_shape, doubles: fixture.probe))
        #expect(output.shape == fixture.probe_shape)
        expectClose(output.scalars, fixture.output, tolerance: 1e-6, "\(id) output")
        #expect(layer.countParams() == fixture.params)
        #expect(layer.weights.isEmpty)
        #expect(layer.isAdapted)
    }

    @Test func normalizationDividesByEpsilonForAZeroVariance() throws {
        let layer = Normalization(mean: Tensor([0, 0]), variance: Tensor([0, 4]))
        let output = try layer(Tensor([[1e-6, 2]] as [[Float]]))
        expectClose(output.scalars, [10, 1], tolerance: 1e-5, "epsilon")
    }

    @Test func normalizationInvertUndoesNormalization() throws {
        let x = Tensor.randomNormal([20, 3], mean: 4, standardDeviation: 3, seed: 3)
        let forward = Normalization(), backward = Normalization(invert: true)
        try forward.adapt(x)
        try backward.adapt(x)
        expectClose(try backward(try forward(x)).scalars, x.scalars.map(Double.init), tolerance: 1e-5, "round trip")
        // The normalized data has mean 0 and variance 1 per feature.
        let normalized = try forward(x)
        expectClose(normalized.mean(axis: 0).scalars, [0, 0, 0], tolerance: 1e-5, "mean")
        expectClose(normalized.variance(axis: 0).scalars, [1, 1, 1], tolerance: 1e-4, "variance")
    }

    // MARK: Normalization — gradients, models, summary

    @Test func gradientsFlowThroughNormalizationAndRescalingToTheInputs() throws {
        let layer = Normalization(mean: Tensor([1, 2]), variance: Tensor([4, 0.25]))
        let rescale = Rescaling(scale: 3, offset: -1)
        let tape = GradientTape()
        let x = tape.watch(Tensor([[0, 1], [2, 3], [4, 5]] as [[Float]]))
        let y = try tape.record { try rescale(try layer(x)).sum() }
        let gradient = tape.gradient(of: y, wrt: x)
        // d/dx of 3 * (x - mean) / std - 1 is 3 / std.
        #expect(gradient.shape == [3, 2])
        expectClose(gradient.scalars, [1.5, 6, 1.5, 6, 1.5, 6], tolerance: 1e-6, "gradient")
    }

    @Test func summaryCountsMeanVarianceAndCountAsNonTrainable() throws {
        let fixture = try PreprocessingFixtures.load().normalization_summary
        let model = Sequential([Normalization(inputShape: [8]), Dense(units: 4), Dense(units: 1)])
        let trainable = model.trainableWeights.reduce(0) { $0 + $1.shape.reduce(1, *) }
        let frozen = model.nonTrainableWeights.reduce(0) { $0 + $1.shape.reduce(1, *) }
        #expect(model.countParams() == fixture.total)
        #expect(trainable == fixture.trainable)
        #expect(frozen == fixture.non_trainable)
        let text = model.summaryText()
        #expect(text.contains("normalization (Normalization)"))
        #expect(text.contains("(None, 8)"))
        #expect(text.contains("Non-trainable params: 17"))
        // Given statistics are constants, not weights.
        let fixed = Sequential([Normalization(mean: 3, variance: 2, inputShape: [3]), Rescaling(scale: 0.5)])
        #expect(fixed.countParams() == 0)
        let expected = [Float(-2), 0, 2].map { ($0 / Float(2).squareRoot()) * 0.5 }
        expectClose(try fixed.predict(Tensor([[1, 3, 5]] as [[Float]])).scalars, expected.map(Double.init), tolerance: 1e-6, "stack")
        #expect(fixed.summaryText().contains("rescaling (Rescaling)"))
    }

    @Test func adaptedNormalizationLetsAModelTrainOnPima() throws {
        try Keras.withRandomSeed(5) {
            let table = try PreprocessingFixtures.pimaTable()
            let x = table[.all, 0..<8], y = table[.all, 8..<9]
            let normalizer = Normalization()
            try normalizer.adapt(x)
            let model = Sequential([normalizer, Dense(units: 12, activation: .relu), Dense(units: 1, activation: .sigmoid)])
            try model.compile(optimizer: Adam(learningRate: 0.01), loss: "binary_crossentropy", metrics: ["accuracy"])
            #expect(model.summaryText().contains("(None, 8)"))
            let history = try model.fit(x, y, epochs: 15, batchSize: 32, verbose: 0)
            let losses = history["loss"]
            #expect(losses.count == 15)
            #expect(losses.last! < losses.first!, "loss \(losses)")
            #expect(losses.last! < 0.5, "loss \(losses)")
            #expect(try model.evaluate(x, y, verbose: 0).accuracy > 0.75)
            // Training leaves the statistics alone.
            expectClose(normalizer.adaptedMean?.value.scalars ?? [], x.mean(axis: 0).scalars.map(Double.init),
                        tolerance: 1e-5, "mean after fit")
        }
    }

    @Test func normalizationInsideAModelBuiltFirstCanBeAdaptedLater() throws {
        let normalizer = Normalization(inputShape: [2])
        let model = Sequential([normalizer, Dense(units: 1, kernelInitializer: .ones)])
        #expect(normalizer.isBuilt && !normalizer.isAdapted)
        #expect(throws: KerasError.self) { try model.predict(Tensor.zeros([1, 2])) }
        try normalizer.adapt(Tensor([[0, 10], [2, 30]] as [[Float]]))
        #expect(try model.predict(Tensor([[1, 20]] as [[Float]])).scalars == [0])
    }

    // MARK: Normalization — errors

    @Test func unadaptedNormalizationThrowsSayingHowToFixIt() throws {
        let layer = Normalization(name: "scaler")
        expectKerasError(mentioning: ["'scaler'", "adapt", "mean:"]) { _ = try layer(Tensor.ones([2, 3])) }
        // Weights set from outside count as statistics (a model's setWeights, for instance).
        try layer.setWeights([Tensor([1, 1, 1]), Tensor([4, 4, 4]), Tensor(0)])
        #expect(try layer(Tensor.ones([1, 3])).scalars == [0, 0, 0])
        let other = Normalization(inputShape: [2])
        let model = Sequential([other])
        try model.setWeights([Tensor([1, 2]), Tensor([1, 1]), Tensor(0)])
        #expect(try model.predict(Tensor([[1, 2]] as [[Float]])).scalars == [0, 0])
    }

    @Test func normalizationRejectsBadArgumentsAndShapes() throws {
        // Mean without variance, mismatched shapes, a mean that does not broadcast.
        expectKerasError(mentioning: ["both"]) { _ = try Normalization(mean: 1)(Tensor.ones([2, 3])) }
        expectKerasError(mentioning: ["(3,)", "(2,)"]) {
            _ = try Normalization(mean: Tensor([1, 2, 3]), variance: Tensor([1, 2]))(Tensor.ones([2, 3]))
        }
        expectKerasError(mentioning: ["(2,)", "(3,)", "broadcast"]) {
            _ = try Normalization(mean: Tensor([1, 2]), variance: Tensor([1, 2]))(Tensor.ones([2, 3]))
        }
        // An axis outside the input's rank.
        expectKerasError(mentioning: ["axis", "3"]) { try Normalization(axis: 3).adapt(Tensor.ones([4, 3])) }
        // Inputs of another width than adapted for: the layer, both shapes.
        let layer = Normalization(name: "scaler")
        try layer.adapt(Tensor.randomNormal([10, 3], seed: 1))
        do {
            _ = try layer(Tensor.ones([2, 4]))
            Issue.record("a width of 4 for statistics of width 3 should throw")
        } catch let error as KerasError {
            guard case let .shapeMismatch(context, expected, got, _) = error else {
                Issue.record("expected shapeMismatch, got \(error)")
                return
            }
            #expect(context.contains("'scaler'") && context.contains("Normalization"))
            #expect(expected == "(None, 3)")
            #expect(got == "(None, 4)")
        }
        expectKerasError(mentioning: ["(None, 3)", "(None, 2, 3)"]) { _ = try layer(Tensor.ones([2, 2, 3])) }
        // Adapting again on data of another width.
        expectKerasError(mentioning: ["'scaler'", "(None, 5)"]) { try layer.adapt(Tensor.ones([4, 5])) }
        // Given statistics cannot be adapted; data must be finite and non-empty.
        expectKerasError(mentioning: ["adapt"]) { try Normalization(mean: 1, variance: 1).adapt(Tensor.ones([2, 2])) }
        expectKerasError(mentioning: ["NaN"]) { try Normalization().adapt(Tensor([[1, .nan]] as [[Float]])) }
        expectKerasError(mentioning: ["no samples"]) { try Normalization().adapt(Tensor.zeros([0, 2])) }
        // The batch axis kept without adapting: its size is unknown.
        expectKerasError(mentioning: ["batch axis", "(None, 2)"]) { _ = try Normalization(axis: 0)(Tensor.ones([2, 2])) }
    }

    // MARK: Rescaling

    @Test func rescalingMatchesKeras() throws {
        for fixture in try PreprocessingFixtures.load().rescaling {
            let layer = Rescaling(scale: Float(fixture.scale), offset: Float(fixture.offset))
            let output = try layer(Tensor(shape: fixture.input_shape, doubles: fixture.input))
            #expect(output.shape == fixture.input_shape)
            expectClose(output.scalars, fixture.output, tolerance: 1e-6, "rescaling \(fixture.scale), \(fixture.offset)")
            #expect(layer.countParams() == 0)
        }
    }

    @Test func rescalingBroadcastsPerChannelScales() throws {
        let layer = Rescaling(scale: Tensor([1, 10]), offset: Tensor([0, -1]))
        #expect(try layer(Tensor([[1, 2], [3, 4]] as [[Float]])).scalars == [1, 19, 3, 39])
        #expect(try layer.outputShape(forInputShape: [nil, 2]) == [nil, 2])
        expectKerasError(mentioning: ["rescaling", "(None, 3)", "(..., 2)"]) { _ = try layer.outputShape(forInputShape: [nil, 3]) }
        expectKerasError(mentioning: ["scale"]) { _ = try layer(Tensor.ones([2, 3])) }
    }

    // MARK: CategoryEncoding

    static func categoryMode(_ name: String) throws -> CategoryEncoding.OutputMode {
        try #require(CategoryEncoding.OutputMode(rawValue: name))
    }

    @Test(arguments: PreprocessingFixtures.shared?.category_encoding.map(\.id) ?? [])
    func categoryEncodingMatchesKeras(_ id: String) throws {
        let fixture = try #require(try PreprocessingFixtures.load().category_encoding.first { $0.id == id })
        let layer = CategoryEncoding(numTokens: try #require(fixture.num_tokens), outputMode: try Self.categoryMode(fixture.mode))
        let input = Tensor(shape: fixture.input_shape, doubles: fixture.input)
        let output = try fixture.count_weights.map { try layer(input, countWeights: Tensor(shape: fixture.input_shape, doubles: $0)) }
            ?? layer(input)
        #expect(output.shape == fixture.output_shape)
        expectClose(output.scalars, fixture.output, tolerance: 1e-6, id)
        if !fixture.input_shape.isEmpty {
            let declared: [Int?] = [nil] + fixture.input_shape.dropFirst().map { $0 }
            #expect(try layer.outputShape(forInputShape: declared) == fixture.computed_output_shape)
        }
    }

    @Test func categoryEncodingRejectsValuesThatAreNotTokenIndices() throws {
        let layer = CategoryEncoding(numTokens: 4, outputMode: .oneHot, name: "colors")
        expectKerasError(mentioning: ["'colors'", "4.0", "[1]", "0..<4"]) { _ = try layer(Tensor([1, 4])) }
        expectKerasError(mentioning: ["-1.0", "[0, 1]"]) { _ = try layer(Tensor([[0, -1]] as [[Float]])) }
        expectKerasError(mentioning: ["1.5"]) { _ = try layer(Tensor([1.5])) }
        expectKerasError(mentioning: ["nan"]) { _ = try layer(Tensor([.nan])) }
        // multi-hot and count: at most rank 2, as in Keras.
        expectKerasError(mentioning: ["multi_hot", "rank 1 or 2"]) { _ = try CategoryEncoding(numTokens: 4)(Tensor.zeros([2, 2, 2])) }
        expectKerasError(mentioning: ["rank 1 or 2"]) { _ = try CategoryEncoding(numTokens: 4).outputShape(forInputShape: [nil, 2, 2]) }
        expectKerasError(mentioning: ["numTokens"]) { _ = try CategoryEncoding(numTokens: 0)(Tensor([0])) }
        expectKerasError(mentioning: ["count"]) { _ = try layer(Tensor([1]), countWeights: Tensor([1])) }
        expectKerasError(mentioning: ["(2,)", "(1,)"]) {
            _ = try CategoryEncoding(numTokens: 4, outputMode: .count)(Tensor([1, 2]), countWeights: Tensor([1]))
        }
    }

    @Test func categoryEncodingWorksInASequential() throws {
        let model = Sequential([CategoryEncoding(numTokens: 5, outputMode: .multiHot, inputShape: [3]), Dense(units: 2)])
        #expect(model.summaryText().contains("(None, 5)"))
        #expect(model.layers[0].countParams() == 0)
        try model.compile(optimizer: "sgd", loss: "mse")
        let x = Tensor([[0, 1, 1], [4, 2, 0], [3, 3, 3], [1, 2, 4]] as [[Float]])
        let history = try model.fit(x, Tensor.ones([4, 2]), epochs: 3, batchSize: 2, verbose: 0)
        #expect(history["loss"].last! < history["loss"].first!)
    }

    // MARK: Discretization

    static func discretizationMode(_ name: String) throws -> Discretization.OutputMode {
        try #require(Discretization.OutputMode(rawValue: name))
    }

    @Test(arguments: PreprocessingFixtures.shared?.discretization_given.map(\.id) ?? [])
    func discretizationWithBoundariesMatchesKeras(_ id: String) throws {
        let fixture = try #require(try PreprocessingFixtures.load().discretization_given.first { $0.id == id })
        let boundaries = try #require(fixture.bin_boundaries).map(Float.init)
        let layer = Discretization(binBoundaries: boundaries, outputMode: try Self.discretizationMode(fixture.mode))
        let output = try layer(Tensor(shape: fixture.input_shape, doubles: fixture.input))
        #expect(output.shape == fixture.output_shape)
        #expect(output.scalars == fixture.output.map(Float.init), "\(id)")
        let declared: [Int?] = [nil] + fixture.input_shape.dropFirst().map { $0 }
        #expect(try layer.outputShape(forInputShape: declared) == fixture.computed_output_shape)
    }

    @Test(arguments: PreprocessingFixtures.shared?.discretization_adapt.map(\.id) ?? [])
    func discretizationAdaptMatchesKerasQuantiles(_ id: String) throws {
        let fixture = try #require(try PreprocessingFixtures.load().discretization_adapt.first { $0.id == id })
        let data = Tensor(shape: fixture.data_shape, doubles: fixture.data)
        let layer = Discretization(numBins: fixture.num_bins, epsilon: fixture.epsilon)
        if let sizes = fixture.batch_sizes {
            var batches: [Tensor] = [], start = 0
            for size in sizes {
                batches.append(data[start..<(start + size)])
                start += size
            }
            try layer.adapt(batches: batches)
        } else {
            try layer.adapt(data)
        }
        // The same float32/float64 steps as Keras: the same boundaries, bit for bit.
        let boundaries = try #require(layer.binBoundaries)
        #expect(boundaries == fixture.bin_boundaries.map(Float.init), "\(id) boundaries")
        #expect(layer.depth == fixture.bin_boundaries.count + 1)
        let output = try layer(Tensor(shape: fixture.probe_shape, doubles: fixture.probe))
        #expect(output.scalars == fixture.output.map(Float.init), "\(id) output")
    }

    @Test func discretizationRejectsMisuse() throws {
        expectKerasError(mentioning: ["'bins'", "adapt"]) { _ = try Discretization(numBins: 3, name: "bins")(Tensor([1])) }
        expectKerasError(mentioning: ["binBoundaries", "nothing to adapt"]) {
            try Discretization(binBoundaries: [0, 1]).adapt(Tensor([1, 2]))
        }
        expectKerasError(mentioning: ["ascending"]) { _ = try Discretization(binBoundaries: [1, 0])(Tensor([1])) }
        expectKerasError(mentioning: ["numBins"]) { try Discretization(numBins: 0).adapt(Tensor([1, 2])) }
        expectKerasError(mentioning: ["epsilon"]) { try Discretization(numBins: 2, epsilon: 0).adapt(Tensor([1, 2])) }
        expectKerasError(mentioning: ["NaN"]) { try Discretization(numBins: 2).adapt(Tensor([1, .nan])) }
        expectKerasError(mentioning: ["no values"]) { try Discretization(numBins: 2).adapt(Tensor.zeros([0])) }
    }

    @Test func discretizationFeedsAModel() throws {
        let bucketer = Discretization(numBins: 4, outputMode: .oneHot, inputShape: [1])
        let x = Tensor(shape: [40, 1], scalars: (0..<40).map { Float($0) })
        try bucketer.adapt(x)
        #expect(bucketer.binBoundaries == [9, 19, 29])  // as Keras
        let model = Sequential([bucketer, Dense(units: 1)])
        #expect(model.summaryText().contains("(None, 4)"))
        #expect(try model.predict(x).shape == [40, 1])
        #expect(try bucketer(Tensor([[5], [10], [35]] as [[Float]])).scalars == [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1])  // as Keras
    }
}
