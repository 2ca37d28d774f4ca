import Foundation
import Testing
@testable import Keras

private typealias S = LossMetricSupport

@Suite("Losses")
struct LossTests {
    // MARK: Parity with Keras

    @Test("Every loss agrees with Keras 3: value, per-sample values and gradient")
    func kerasParity() {
        var worst: [String: (value: Float, gradient: Float)] = [:]
        for (index, c) in S.fixtures.losses.enumerated() {
            let loss = S.makeLoss(c)
            let (yTrue, yPred) = (c.y_true.tensor, c.y_pred.tensor)
            let weight = c.sample_weight?.tensor
            let label = "case \(index): \(c.loss) \(c.config) y_true \(c.y_true.shape) y_pred \(c.y_pred.shape)"
            #expect(loss.name == c.name, "\(label)")

            let value = loss(yTrue, yPred, sampleWeight: weight)
            #expect(value.shape == c.expected.shape, "\(label): shape \(value.shape)")
            let valueError = S.maxScaledError(value.scalars, c.expected.floats)
            #expect(valueError <= 1e-5, "\(label): got \(value.scalars), Keras \(c.expected.data)")

            let (t, p) = LossShapes.squeezeOrExpandToSameRank(yTrue, yPred)
            let perSample = loss.perSampleLoss(yTrue: t, yPred: p)
            #expect(perSample.shape == c.per_sample.shape, "\(label): per-sample shape \(perSample.shape)")
            let perSampleError = S.maxScaledError(perSample.scalars, c.per_sample.floats)
            #expect(perSampleError <= 1e-5, "\(label): per-sample \(perSample.scalars), Keras \(c.per_sample.data)")

            let gradient = S.tapeGradient(yPred) { loss(yTrue, $0, sampleWeight: weight) }
            let gradientError = S.maxScaledError(gradient.scalars, c.gradient.floats)
            #expect(gradientError <= 1e-5, "\(label): gradient \(gradient.scalars), Keras \(c.gradient.data)")

            let previous = worst[c.loss] ?? (0, 0)
            worst[c.loss] = (Swift.max(previous.value, valueError, perSampleError), Swift.max(previous.gradient, gradientError))
        }
        print("Loss parity with Keras \(S.fixtures.keras_version) (max scaled error: value / gradient):")
        for (name, errors) in worst.sorted(by: { $0.key < $1.key }) {
            print("  \(name): \(errors.value) / \(errors.gradient)")
        }
        #expect(worst.count == 15)
    }

    // MARK: Hand-computed values (Keras' docstring examples)

    @Test func documentedValues() {
        let a: Tensor = [[0, 1], [0, 0]]
        let b: Tensor = [[1, 1], [1, 0]]
        let c: Tensor = [[0.6, 0.4], [0.4, 0.6]]
        func value(_ loss: any Loss, _ t: Tensor, _ p: Tensor, _ w: Tensor? = nil) -> Float { loss(t, p, sampleWeight: w).scalar }
        #expect(Swift.abs(value(Losses.MeanSquaredError(), a, b) - 0.5) < 1e-6)
        #expect(Swift.abs(value(Losses.MeanSquaredError(), a, b, [0.7, 0.3]) - 0.25) < 1e-6)
        #expect(Swift.abs(value(Losses.MeanSquaredError(reduction: .sum), a, b) - 1.0) < 1e-6)
        #expect(Swift.abs(value(Losses.MeanAbsoluteError(), a, b) - 0.5) < 1e-6)
        #expect(Swift.abs(value(Losses.MeanAbsolutePercentageError(), [[2, 1], [2, 3]], [[1, 1], [1, 0]]) - 50) < 1e-4)
        #expect(Swift.abs(value(Losses.MeanSquaredLogarithmicError(), a, b) - 0.240) < 1e-3)
        #expect(Swift.abs(value(Losses.Hinge(), a, c) - 1.3) < 1e-6)
        #expect(Swift.abs(value(Losses.SquaredHinge(), a, c) - 1.86) < 1e-6)
        #expect(Swift.abs(value(Losses.CategoricalHinge(), a, c) - 1.4) < 1e-6)
        #expect(Swift.abs(value(Losses.Huber(), a, c) - 0.155) < 1e-6)
        #expect(Swift.abs(value(Losses.LogCosh(), a, [[1, 1], [0, 0]]) - 0.108) < 1e-3)
        #expect(Swift.abs(value(Losses.KLDivergence(), a, c) - 0.458) < 1e-3)
        #expect(Swift.abs(value(Losses.Poisson(), a, [[1, 1], [0, 0]]) - 0.5) < 1e-6)
        #expect(Swift.abs(value(Losses.CosineSimilarity(), [[0, 1], [1, 1]], [[1, 0], [1, 1]]) + 0.5) < 1e-6)
        #expect(Swift.abs(value(Losses.BinaryCrossentropy(fromLogits: true), [0, 1, 0, 0], [-18.6, 0.51, 2.94, -12.8]) - 0.865) < 1e-3)
        let probabilities: Tensor = [[0.05, 0.95, 0], [0.1, 0.8, 0.1]]
        #expect(Swift.abs(value(Losses.CategoricalCrossentropy(), [[0, 1, 0], [0, 0, 1]], probabilities) - 1.177) < 1e-3)
        #expect(Swift.abs(value(Losses.CategoricalCrossentropy(), [[0, 1, 0], [0, 0, 1]], probabilities, [0.3, 0.7]) - 0.814) < 1e-3)
        #expect(Swift.abs(value(Losses.SparseCategoricalCrossentropy(), [1, 2], probabilities) - 1.177) < 1e-3)
        #expect(Swift.abs(value(Losses.SparseCategoricalCrossentropy(), [1, 2], probabilities, [0.3, 0.7]) - 0.814) < 1e-3)
        #expect(Swift.abs(value(Losses.SparseCategoricalCrossentropy(reduction: .sum), [1, 2], probabilities) - 2.354) < 1e-3)
    }

    @Test func reductionsAndSampleWeights() {
        let t: Tensor = [[1, 2], [3, 4], [5, 6]]
        let p: Tensor = [[1, 1], [1, 1], [1, 1]]
        // Per-sample MSE: 0.5, 6.5, 20.5.
        let w: Tensor = [1, 0, 2]
        #expect(Losses.MeanSquaredError()(t, p).scalar == 27.5 / 3)
        #expect(Swift.abs(Losses.MeanSquaredError()(t, p, sampleWeight: w).scalar - 41.5 / 3) < 1e-5)
        #expect(Swift.abs(Losses.MeanSquaredError(reduction: .meanWithSampleWeight)(t, p, sampleWeight: w).scalar - 41.5 / 3) < 1e-5)
        #expect(Losses.MeanSquaredError(reduction: .sum)(t, p, sampleWeight: w).scalar == 41.5)
        #expect(Losses.MeanSquaredError(reduction: .none)(t, p, sampleWeight: w).scalars == [0.5, 0, 41])
        #expect(Losses.MeanSquaredError()(t, p, sampleWeight: Tensor.zeros([3])).scalar == 0)
        // A scalar weight scales the loss.
        #expect(Swift.abs(Losses.MeanSquaredError()(t, p, sampleWeight: Tensor(2)).scalar - 55.0 / 3) < 1e-5)
        // Labels of shape (3,) against predictions of shape (3, 1) are aligned, not broadcast.
        #expect(Losses.MeanSquaredError()([1, 2, 3], [[1], [2], [4]]).scalar == Float(1) / 3)
    }

    @Test func ignoreClassAveragesOverTheOtherSamples() {
        let logits: Tensor = [[2, 0, 0], [0, 2, 0], [0, 0, 2], [1, 1, 1]]
        let labels: Tensor = [0, 1, 255, 255]
        let loss = Losses.SparseCategoricalCrossentropy(fromLogits: true, ignoreClass: 255)
        let expected = Foundation.log(1 + 2 * Foundation.exp(-2.0))
        #expect(Swift.abs(Double(loss(labels, logits).scalar) - expected) < 1e-6)
        #expect(loss.perSampleLoss(yTrue: labels, yPred: logits).scalars[2...] == [0, 0])
        let gradient = S.tapeGradient(logits) { loss(labels, $0) }
        #expect(gradient.scalars[6...].allSatisfy { $0 == 0 })
        // Only ignored labels: 0, not NaN.
        #expect(loss([255, 255, 255, 255], logits).scalar == 0)
    }

    // MARK: Numerical stability

    @Test func crossentropiesStayFinite() {
        let bce = Losses.BinaryCrossentropy(fromLogits: true)
        let huge = bce([[1, 0]], [[-1000, 1000]])
        #expect(Swift.abs(huge.scalar - 1000) < 1e-3)
        #expect(Losses.BinaryCrossentropy()([[1, 0]], [[0, 1]]).scalar.isFinite)
        let cce = Losses.CategoricalCrossentropy(fromLogits: true)
        #expect(Swift.abs(cce([[1, 0]], [[-500, 500]]).scalar - 1000) < 1e-2)
        #expect(Losses.CategoricalCrossentropy()([[1, 0]], [[0, 1]]).scalar.isFinite)
        #expect(Losses.SparseCategoricalCrossentropy(fromLogits: true)([0], [[-500, 500]]).scalar.isFinite)
        #expect(Losses.LogCosh()([[0]], [[1000]]).scalar.isFinite)
        // The probability loss clips to [1e-7, 1 - 1e-7]: -log(1e-7) ≈ 16.118.
        #expect(Swift.abs(Losses.BinaryCrossentropy()([[1]], [[0]]).scalar - 16.118) < 1e-3)
    }

    @Test func logitGradientAtZeroIsSigmoidMinusLabel() {
        let loss = Losses.BinaryCrossentropy(fromLogits: true)
        let gradient = S.tapeGradient(Tensor([[0, 0]])) { loss([[1, 0]], $0) }
        #expect(gradient.scalars == [-0.25, 0.25])
    }

    // MARK: Gradients against finite differences

    @Test("Every loss's gradient matches central finite differences")
    func gradientsMatchFiniteDifferences() {
        let n = 3, c = 4
        let regressionTrue = Tensor.randomUniform([n, c], lower: -1, upper: 1, seed: 1)
        let regressionPred = Tensor.randomUniform([n, c], lower: -1, upper: 1, seed: 2)
        let positiveTrue = Tensor.randomUniform([n, c], lower: 0.2, upper: 3, seed: 3)
        let positivePred = Tensor.randomUniform([n, c], lower: 0.2, upper: 3, seed: 4)
        let binary: Tensor = [[1, 0, 1, 0], [0, 0, 1, 1], [1, 1, 0, 0]]
        let probabilities = Tensor.randomUniform([n, c], lower: 0.1, upper: 0.9, seed: 5)
        let logits = Tensor.randomUniform([n, c], lower: -3, upper: 3, seed: 6)
        let oneHot: Tensor = [[0, 1, 0, 0], [0, 0, 0, 1], [1, 0, 0, 0]]
        let sparse: Tensor = [1, 3, 0]
        let weights: Tensor = [0.5, 1, 2]
        // Hinge margins away from the kink: |1 - y·ŷ| ≥ 0.2 with ŷ ∈ ±[1.2, 2] or ±[0, 0.8].
        let margins: Tensor = [[1.5, -0.5, 0.3, -1.7], [-1.4, 0.6, 1.9, 0.2], [0.4, 1.3, -0.7, -1.6]]
        let huberPred = regressionTrue + Tensor([[0.3, -1.6, 0.4, 2.1], [-0.2, 1.4, -2.5, 0.6], [0.1, -0.3, 1.9, -1.2]])

        let cases: [(String, any Loss, Tensor, Tensor)] = [
            ("mse", Losses.MeanSquaredError(), regressionTrue, regressionPred),
            ("mae", Losses.MeanAbsoluteError(), regressionTrue, regressionPred),
            ("mape", Losses.MeanAbsolutePercentageError(), positiveTrue, positivePred),
            ("msle", Losses.MeanSquaredLogarithmicError(), positiveTrue, positivePred),
            ("cosine", Losses.CosineSimilarity(), regressionTrue, regressionPred),
            ("huber", Losses.Huber(delta: 1), regressionTrue, huberPred),
            ("log_cosh", Losses.LogCosh(), regressionTrue, regressionPred * 3),
            ("hinge", Losses.Hinge(), binary, margins),
            ("squared_hinge", Losses.SquaredHinge(), binary, margins),
            ("categorical_hinge", Losses.CategoricalHinge(), oneHot, margins),
            ("kld", Losses.KLDivergence(), probabilities, positivePred / 4),
            ("poisson", Losses.Poisson(), positiveTrue.constantMap { $0.rounded() }, positivePred),
            ("bce", Losses.BinaryCrossentropy(labelSmoothing: 0.1), binary, probabilities),
            ("bce_logits", Losses.BinaryCrossentropy(fromLogits: true), binary, logits),
            ("cce", Losses.CategoricalCrossentropy(labelSmoothing: 0.1), oneHot, probabilities),
            ("cce_logits", Losses.CategoricalCrossentropy(fromLogits: true), oneHot, logits),
            ("scce", Losses.SparseCategoricalCrossentropy(), sparse, probabilities),
            ("scce_logits", Losses.SparseCategoricalCrossentropy(fromLogits: true), sparse, logits),
        ]
        for (name, loss, yTrue, yPred) in cases {
            for weight in [nil, weights] as [Tensor?] {
                let mismatches = S.gradientMismatches(yPred) { loss(yTrue, $0, sampleWeight: weight) }
                #expect(mismatches.isEmpty, "\(name) (weights: \(weight != nil)): \(mismatches.prefix(4))")
            }
        }
    }

    // MARK: Shape validation

    @Test func categoricalCrossentropyWithIntegerLabelsSaysWhatToDo() {
        let loss = Losses.CategoricalCrossentropy()
        #expect(throws: KerasError.self) { try loss.validate(yTrue: [32], yPred: [32, 10]) }
        do {
            try loss.validate(yTrue: [32, 1], yPred: [32, 10])
            Issue.record("expected a shape mismatch")
        } catch let error as KerasError {
            guard case let .shapeMismatch(context, _, got, fix) = error else { Issue.record("wrong error \(error)"); return }
            #expect(context.contains("categorical_crossentropy"))
            #expect(got.contains("(32, 1)"))
            #expect(fix.contains("sparse_categorical_crossentropy") && fix.contains("toCategorical"))
            #expect(error.description.contains("(32, 10)"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
        #expect(throws: Never.self) { try loss.validate(yTrue: [32, 10], yPred: [32, 10]) }
    }

    @Test func otherShapeChecks() throws {
        let sparse = Losses.SparseCategoricalCrossentropy()
        try sparse.validate(yTrue: [8], yPred: [8, 3])
        try sparse.validate(yTrue: [8, 1], yPred: [8, 3])
        try sparse.validate(yTrue: [2, 5], yPred: [2, 5, 3])
        do {
            try sparse.validate(yTrue: [8, 3], yPred: [8, 3])
            Issue.record("expected a shape mismatch")
        } catch let KerasError.shapeMismatch(_, _, _, fix) {
            #expect(fix.contains("one-hot") && fix.contains("categorical_crossentropy"))
        }
        #expect(throws: KerasError.self) { try sparse.validate(yTrue: [7], yPred: [8, 3]) }

        let binary = Losses.BinaryCrossentropy()
        try binary.validate(yTrue: [8], yPred: [8, 1])
        try binary.validate(yTrue: [8, 3], yPred: [8, 3])
        do {
            try binary.validate(yTrue: [8], yPred: [8, 4])
            Issue.record("expected a shape mismatch")
        } catch let KerasError.shapeMismatch(_, _, _, fix) {
            #expect(fix.contains("sparse_categorical_crossentropy"))
        }

        let mse = Losses.MeanSquaredError()
        try mse.validate(yTrue: [8], yPred: [8, 1])
        try mse.validate(yTrue: [8, 1], yPred: [8])
        try mse.validate(yTrue: [8, 3], yPred: [8, 1])  // broadcasts, as in Keras
        #expect(throws: KerasError.self) { try mse.validate(yTrue: [8, 3], yPred: [8, 2]) }
        #expect(throws: KerasError.self) { try Losses.Hinge().validate(yTrue: [7], yPred: [8, 1]) }
    }

    // MARK: Names

    @Test func namesAndDefaults() throws {
        let defaults: [(any Loss, String)] = [
            (Losses.MeanSquaredError(), "mean_squared_error"), (Losses.MeanAbsoluteError(), "mean_absolute_error"),
            (Losses.MeanAbsolutePercentageError(), "mean_absolute_percentage_error"),
            (Losses.MeanSquaredLogarithmicError(), "mean_squared_logarithmic_error"),
            (Losses.BinaryCrossentropy(), "binary_crossentropy"), (Losses.CategoricalCrossentropy(), "categorical_crossentropy"),
            (Losses.SparseCategoricalCrossentropy(), "sparse_categorical_crossentropy"), (Losses.Hinge(), "hinge"),
            (Losses.SquaredHinge(), "squared_hinge"), (Losses.CategoricalHinge(), "categorical_hinge"),
            (Losses.Huber(), "huber_loss"), (Losses.LogCosh(), "log_cosh"), (Losses.KLDivergence(), "kl_divergence"),
            (Losses.Poisson(), "poisson"), (Losses.CosineSimilarity(), "cosine_similarity"),
        ]
        for (loss, name) in defaults {
            #expect(loss.name == name)
            #expect(loss.reduction == .sumOverBatchSize)
        }
        let expectedTypes: [String: any Loss.Type] = [
            "mse": Losses.MeanSquaredError.self, "mean_squared_error": Losses.MeanSquaredError.self,
            "mae": Losses.MeanAbsoluteError.self, "mape": Losses.MeanAbsolutePercentageError.self,
            "msle": Losses.MeanSquaredLogarithmicError.self, "binary_crossentropy": Losses.BinaryCrossentropy.self,
            "bce": Losses.BinaryCrossentropy.self, "categorical_crossentropy": Losses.CategoricalCrossentropy.self,
            "sparse_categorical_crossentropy": Losses.SparseCategoricalCrossentropy.self, "hinge": Losses.Hinge.self,
            "squared_hinge": Losses.SquaredHinge.self, "categorical_hinge": Losses.CategoricalHinge.self,
            "huber": Losses.Huber.self, "log_cosh": Losses.LogCosh.self, "logcosh": Losses.LogCosh.self,
            "kl_divergence": Losses.KLDivergence.self, "kld": Losses.KLDivergence.self, "poisson": Losses.Poisson.self,
            "cosine_similarity": Losses.CosineSimilarity.self,
        ]
        for (name, type) in expectedTypes {
            let loss = try Losses.named(name)
            #expect(Swift.type(of: loss) == type, "\(name)")
            #expect(loss.name == name, "a loss made from a string is named after it, as in Keras' compile")
        }
        #expect(try Losses.named("Huber").name == "huber_loss")
        do {
            _ = try Losses.named("mean_sqared_error")
            Issue.record("expected an unknown name")
        } catch let KerasError.unknownName(kind, name, valid) {
            #expect(kind == "loss" && name == "mean_sqared_error")
            #expect(valid.contains("mean_squared_error") && valid.contains("mse"))
        }
        // "crossentropy" without shapes picks the variant from each batch's shapes.
        let auto = try Losses.named("crossentropy")
        #expect(auto is Losses.Crossentropy && auto.name == "crossentropy")
        let probabilities: Tensor = [[0.05, 0.95, 0], [0.1, 0.8, 0.1]]
        #expect(auto([1, 2], probabilities).scalar == Losses.SparseCategoricalCrossentropy()([1, 2], probabilities).scalar)
        #expect(auto([[0, 1, 0], [0, 0, 1]], probabilities).scalar == Losses.CategoricalCrossentropy()([[0, 1, 0], [0, 0, 1]], probabilities).scalar)
        #expect(auto([1, 0], [[0.7], [0.2]]).scalar == Losses.BinaryCrossentropy()([1, 0], [[0.7], [0.2]]).scalar)
        #expect(throws: KerasError.self) { try auto.validate(yTrue: [2, 4], yPred: [2, 3]) }
    }

    @Test func crossentropyResolvesLikeKeras() throws {
        for r in S.fixtures.loss_resolution {
            let loss = try Losses.named(r.identifier, yTrueShape: r.y_true_shape, yPredShape: r.y_pred_shape)
            #expect(loss.name == r.name, "\(r.identifier)")
            let expected: [String: any Loss.Type] = [
                "binary_crossentropy": Losses.BinaryCrossentropy.self, "categorical_crossentropy": Losses.CategoricalCrossentropy.self,
                "sparse_categorical_crossentropy": Losses.SparseCategoricalCrossentropy.self,
                "mean_squared_error": Losses.MeanSquaredError.self, "mean_absolute_error": Losses.MeanAbsoluteError.self,
                "mean_absolute_percentage_error": Losses.MeanAbsolutePercentageError.self,
                "mean_squared_logarithmic_error": Losses.MeanSquaredLogarithmicError.self, "hinge": Losses.Hinge.self,
                "squared_hinge": Losses.SquaredHinge.self, "categorical_hinge": Losses.CategoricalHinge.self,
                "huber": Losses.Huber.self, "log_cosh": Losses.LogCosh.self, "kl_divergence": Losses.KLDivergence.self,
                "poisson": Losses.Poisson.self, "cosine_similarity": Losses.CosineSimilarity.self,
            ]
            if let function = r.function, let type = expected[function] {
                #expect(Swift.type(of: loss) == type, "\(r.identifier) for \(r.y_true_shape) / \(r.y_pred_shape)")
            } else {
                Issue.record("fixture names an unknown function \(r.function ?? "nil")")
            }
        }
    }

    @Test func lossIsDifferentiableThroughAVariable() {
        let w = Variable([[0.5], [-0.25]])
        let x: Tensor = [[1, 2], [3, 4]]
        let y: Tensor = [1, 0]
        let tape = GradientTape()
        let loss = tape.record { Losses.BinaryCrossentropy(fromLogits: true)(y, x.matmul(w.value)) }
        let gradient = tape.gradient(of: loss, wrt: w)
        // d/dw mean(bce(σ(xw))) = xᵀ(σ(xw) - y) / 2.
        let z = [Float(0), 0.5]
        let residual = zip(z, [Float(1), 0]).map { 1 / (1 + Foundation.exp(-$0)) - $1 }
        let expected = [(residual[0] * 1 + residual[1] * 3) / 2, (residual[0] * 2 + residual[1] * 4) / 2]
        #expect(S.maxAbsoluteError(gradient.scalars, expected) < 1e-6)
    }
}

@Suite("Custom losses")
struct CustomLossTests {
    @Test func functionWrapperReducesAndDifferentiates() throws {
        let cubic = Losses.LossFunctionWrapper(name: "cubic") { yTrue, yPred in
            (yPred - yTrue).abs().pow(3).mean(axis: -1)
        }
        #expect(cubic.name == "cubic" && cubic.reduction == .sumOverBatchSize)
        let yTrue: Tensor = [[0, 0], [1, 1]]
        let yPred: Tensor = [[1, 2], [1, 3]]
        // Per sample: (1 + 8) / 2 = 4.5 and (0 + 8) / 2 = 4.
        #expect(cubic(yTrue, yPred).scalar == 4.25)
        #expect(cubic(yTrue, yPred, sampleWeight: [2, 0]).scalar == 4.5)
        let mismatches = LossMetricSupport.gradientMismatches(yPred) { cubic(yTrue, $0) }
        #expect(mismatches.isEmpty, "\(mismatches)")
        // Custom losses check no shapes unless they implement validate.
        try cubic.validate(yTrue: [3], yPred: [5, 7])
    }

    @Test func labelSmoothingOutsideZeroOneThrowsAtFit() throws {
        let model = Sequential([Input(shape: [2]), Dense(units: 3, activation: .softmax)])
        try model.compile(optimizer: "sgd", loss: Losses.CategoricalCrossentropy(labelSmoothing: 1.5))
        let labels: Tensor = [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0]]
        #expect { try model.fit(Tensor.ones([4, 2]), labels, epochs: 1, verbose: 0) }
            throws: { "\($0)".contains("labelSmoothing") }
        #expect(throws: KerasError.self) { try Losses.BinaryCrossentropy(labelSmoothing: -0.1).validate(yTrue: [2, 1], yPred: [2, 1]) }
    }
}
