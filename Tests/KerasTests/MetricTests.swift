import Foundation
import Testing
@testable import Keras

private typealias S = LossMetricSupport

@Suite("Metrics")
struct MetricTests {
    // MARK: Parity with Keras

    @Test("Every metric agrees with Keras 3 after each of 2-3 batches, with and without sample weights")
    func kerasParity() {
        var worst: [String: Float] = [:]
        for (index, c) in S.fixtures.metrics.enumerated() {
            let metric = S.makeMetric(c)
            let label = "case \(index): \(c.metric) \(c.config)"
            if !["Precision", "Recall", "AUC", "TruePositives", "FalsePositives", "TrueNegatives", "FalseNegatives"].contains(c.metric) {
                #expect(metric.name == c.name, "\(label): name")
            }
            var error: Float = 0
            for (batch, expected) in zip(c.batches, c.results) {
                let (yTrue, yPred, weight) = (batch.y_true.tensor, batch.y_pred.tensor, batch.sample_weight?.tensor)
                switch metric {
                case let mean as Metrics.Mean: mean.update(yPred, sampleWeight: weight)
                case let sum as Metrics.Sum: sum.update(yPred, sampleWeight: weight)
                default: metric.update(yTrue: yTrue, yPred: yPred, sampleWeight: weight)
                }
                let values = metric.resultValues()
                let expectedValues = expected.map { Float($0) }
                let batchError = S.maxScaledError(values, expectedValues)
                #expect(batchError <= 1e-5, "\(label): got \(values), Keras \(expected)")
                if expectedValues.count == 1 { #expect(S.scaledError(metric.result(), expectedValues[0]) <= 1e-5, "\(label)") }
                error = Swift.max(error, S.maxAbsoluteError(values, expectedValues))
            }
            worst[c.metric] = Swift.max(worst[c.metric] ?? 0, error)
            metric.reset()
            #expect(metric.resultValues().allSatisfy { $0 == 0 }, "\(label): reset")
        }
        print("Metric parity with Keras \(S.fixtures.keras_version) (max absolute error):")
        for (name, error) in worst.sorted(by: { $0.key < $1.key }) { print("  \(name): \(error)") }
        #expect(worst.count == 32)
    }

    // MARK: Hand-computed values (Keras' docstring examples)

    @Test func accuracies() {
        let binary = Metrics.BinaryAccuracy()
        #expect(binary([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]]) == 0.75)
        binary.reset()
        #expect(binary([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]], sampleWeight: [1, 0, 0, 1]) == 0.5)

        let categorical = Metrics.CategoricalAccuracy()
        #expect(categorical([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]]) == 0.5)
        categorical.reset()
        #expect(Swift.abs(categorical([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]], sampleWeight: [0.7, 0.3]) - 0.3) < 1e-6)

        let sparse = Metrics.SparseCategoricalAccuracy()
        #expect(sparse([[2], [1]], [[0.1, 0.6, 0.3], [0.05, 0.95, 0]]) == 0.5)
        let top1 = Metrics.TopKCategoricalAccuracy(k: 1)
        #expect(top1([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]]) == 0.5)
        let sparseTop1 = Metrics.SparseTopKCategoricalAccuracy(k: 1)
        #expect(sparseTop1([2, 1], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]]) == 0.5)
        let exact = Metrics.Accuracy()
        #expect(exact([[1], [2], [3], [4]], [[0], [2], [3], [4]]) == 0.75)
    }

    @Test func accumulatesOverBatchesAndResets() {
        let accuracy = Metrics.BinaryAccuracy()
        accuracy.update(yTrue: [1, 0], yPred: [[0.9], [0.8]])   // 1 of 2
        accuracy.update(yTrue: [1, 1, 0, 0], yPred: [[0.9], [0.8], [0.1], [0.2]])   // 4 of 4
        #expect(accuracy.result() == Float(5) / 6)
        accuracy.reset()
        #expect(accuracy.result() == 0)
        accuracy.update(yTrue: [0], yPred: [[0.7]])
        #expect(accuracy.result() == 0)
    }

    @Test func confusionMetrics() {
        let precision = Metrics.Precision(name: "p")
        #expect(Swift.abs(precision([0, 1, 1, 1], [1, 0, 1, 1]) - 2.0 / 3) < 1e-6)
        precision.reset()
        #expect(precision([0, 1, 1, 1], [1, 0, 1, 1], sampleWeight: [0, 0, 1, 0]) == 1)
        let recall = Metrics.Recall(name: "r")
        #expect(Swift.abs(recall([0, 1, 1, 1], [1, 0, 1, 1]) - 2.0 / 3) < 1e-6)
        // Nothing predicted positive: 0, not NaN.
        #expect(Metrics.Precision(name: "p0")([1, 1], [0.1, 0.2]) == 0)
        let auc = Metrics.AUC(name: "a")
        #expect(Swift.abs(auc([0, 0, 1, 1], [0, 0.5, 0.3, 0.9]) - 0.75) < 1e-6)
        let perfect = Metrics.AUC(name: "perfect")
        #expect(Swift.abs(perfect([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9]) - 1) < 1e-6)
        let f1 = Metrics.F1Score(threshold: 0.5)
        f1.update(yTrue: [[1, 1, 1], [1, 0, 0], [1, 1, 0]], yPred: [[0.2, 0.6, 0.7], [0.2, 0.6, 0.6], [0.6, 0.8, 0.0]])
        let scores = f1.resultValues()
        #expect(S.maxAbsoluteError(scores, [0.5, 0.8, 2.0 / 3]) < 1e-5)
        #expect(Swift.abs(f1.result() - (0.5 + 0.8 + 2.0 / 3) / 3) < 1e-5)
    }

    @Test func autoNamesCountUp() {
        Metrics.resetAutoNames()
        // Other tests may create unnamed metrics concurrently: only check the pattern.
        let first = Metrics.AUC().name, second = Metrics.AUC().name
        #expect(first.hasPrefix("auc") && second.hasPrefix("auc_") && first != second)
        #expect(Metrics.Precision(name: "custom").name == "custom")
    }

    @Test func meanTracksAWeightedAverage() {
        let mean = Metrics.Mean(name: "loss")
        mean.update([1, 3, 5, 7])
        #expect(mean.result() == 4)
        mean.reset()
        mean.update([1, 3, 5, 7], sampleWeight: [1, 1, 0, 0])
        #expect(mean.result() == 2)
        mean.reset()
        // Keras' loss tracker: each batch's loss weighted by its batch size.
        mean.update(0.5, weight: 32)
        mean.update(0.2, weight: 16)
        #expect(Swift.abs(mean.result() - 0.4) < 1e-6)
        let rmse = Metrics.RootMeanSquaredError()
        #expect(rmse([[0, 1], [0, 0]], [[1, 1], [0, 0]]) == 0.5)
    }

    @Test func updatesInsideARecordingTapeRecordNothing() {
        let tape = GradientTape()
        let predictions = tape.watch([[0.9], [0.2]])
        let metric = Metrics.BinaryCrossentropy()
        tape.record { metric.update(yTrue: [1, 0], yPred: predictions) }
        #expect(metric.result() > 0 && metric.result().isFinite)
    }

    @Test func lossWrapperAveragesAnyLoss() {
        let metric = Metrics.MeanMetricWrapper(loss: Losses.Huber(delta: 0.5))
        #expect(metric.name == "huber_loss")
        metric.update(yTrue: [[0, 1], [0, 0]], yPred: [[0.6, 0.4], [0.4, 0.6]])
        let expected = Losses.Huber(delta: 0.5)([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]]).scalar
        #expect(Swift.abs(metric.result() - expected) < 1e-6)
    }

    // MARK: String names

    @Test("Metric strings resolve as Keras 3's compile_utils.get_metric does")
    func namedMetricsResolveLikeKeras() throws {
        for r in S.fixtures.metric_resolution {
            let metric = try Metrics.named(r.identifier, yTrueShape: r.y_true_shape, yPredShape: r.y_pred_shape)
            let label = "\(r.identifier) for \(r.y_true_shape) / \(r.y_pred_shape)"
            #expect(metric.name == r.name, "\(label)")
            var type = String(describing: Swift.type(of: metric))
            if let count = metric as? Metrics.ConfusionMatrixCount {
                type = count.condition.rawValue.split(separator: "_").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
            }
            #expect(type == r.class, "\(label): \(type)")
        }
        for name in S.fixtures.rejected_metric_names where !["crossentropy"].contains(name) {
            #expect(throws: KerasError.self, "\(name)") { try Metrics.named(name, yTrueShape: [8, 1], yPredShape: [8, 1]) }
        }
    }

    @Test func unknownMetricNamesListTheValidOnes() {
        do {
            _ = try Metrics.named("acuracy", yTrueShape: [8], yPredShape: [8, 1])
            Issue.record("expected an unknown name")
        } catch let KerasError.unknownName(kind, name, valid) {
            #expect(kind == "metric" && name == "acuracy")
            #expect(valid.contains("accuracy") && valid.contains("auc") && valid.contains("f1_score"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func crossentropyMetricFollowsTheLoss() throws {
        let binary = try Metrics.named("crossentropy", loss: Losses.BinaryCrossentropy(), yTrueShape: [8, 3], yPredShape: [8, 3])
        #expect(binary is Metrics.BinaryCrossentropy && binary.name == "crossentropy")
        let categorical = try Metrics.named("ce", yTrueShape: [8, 3], yPredShape: [8, 3])
        #expect(categorical is Metrics.CategoricalCrossentropy && categorical.name == "ce")
        let sparse = try Metrics.named("crossentropy", yTrueShape: [8], yPredShape: [8, 3])
        #expect(sparse is Metrics.SparseCategoricalCrossentropy)
        // Keras 3 resolves "accuracy" from the shapes only, whatever the loss.
        let accuracy = try Metrics.named("accuracy", loss: Losses.BinaryCrossentropy(), yTrueShape: [8, 3], yPredShape: [8, 3])
        #expect(accuracy is Metrics.CategoricalAccuracy && accuracy.name == "accuracy")
    }

    @Test func f1ScoreForASigmoidOutputIsAScalar() throws {
        let f1 = try Metrics.named("f1_score", yTrueShape: [4, 1], yPredShape: [4, 1])
        f1.update(yTrue: [[1], [0], [1], [1]], yPred: [[0.9], [0.3], [0.2], [0.8]])
        // Keras' default (no threshold) predicts positive for every nonzero score: P = 3/4, R = 1.
        #expect(f1.resultValues().count == 1)
        #expect(Swift.abs(f1.result() - 2 * 0.75 / 1.75) < 1e-5)
        let thresholded = Metrics.F1Score(threshold: 0.5)
        thresholded.update(yTrue: [[1], [0], [1], [1]], yPred: [[0.9], [0.3], [0.2], [0.8]])
        #expect(Swift.abs(thresholded.result() - 0.8) < 1e-5)
    }
}
