import Foundation
import Testing
@testable import Keras

// Shared by LossTests and MetricTests: the Keras fixtures (Tests/Fixtures/losses_metrics.json,
// written by Tools/fixtures/make_loss_metric_fixtures.py), comparisons and gradient checks.
// Everything sits in `LossMetricSupport` so that nothing clashes with other test files.

enum LossMetricSupport {
    // MARK: Fixture format

    struct Array: Decodable, Sendable {
        let shape: [Int]
        let data: [Double]
        var tensor: Tensor { Tensor(shape: shape, scalars: data.map { Float($0) }) }
        var floats: [Float] { data.map { Float($0) } }
    }

    struct Config: Decodable, Sendable {
        var from_logits: Bool?
        var label_smoothing: Double?
        var axis: Int?
        var delta: Double?
        var ignore_class: Int?
        var reduction: String?
        var threshold: Double?
        var thresholds: [Double]?
        var k: Int?
        var average: String?
        var beta: Double?
        var top_k: Int?
        var class_id: Int?
        var curve: String?
        var summation_method: String?
        var num_thresholds: Int?
        var multi_label: Bool?
        var label_weights: [Double]?
        var from_sorted_ids: Bool?
    }

    struct LossCase: Decodable, Sendable {
        let loss: String
        let name: String
        let config: Config
        let y_true: Array
        let y_pred: Array
        let sample_weight: Array?
        let expected: Array
        let per_sample: Array
        let gradient: Array
    }

    struct Batch: Decodable, Sendable {
        let y_true: Array
        let y_pred: Array
        let sample_weight: Array?
    }

    struct MetricCase: Decodable, Sendable {
        let metric: String
        let name: String
        let config: Config
        let batches: [Batch]
        let results: [[Double]]
    }

    struct Resolution: Decodable, Sendable {
        let identifier: String
        let y_true_shape: [Int]
        let y_pred_shape: [Int]
        let `class`: String?
        let function: String?
        let name: String
    }

    struct Fixtures: Decodable, Sendable {
        let keras_version: String
        let losses: [LossCase]
        let metrics: [MetricCase]
        let metric_resolution: [Resolution]
        let rejected_metric_names: [String]
        let loss_resolution: [Resolution]
    }

    static let fixtures: Fixtures = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/losses_metrics.json")
        do {
            return try JSONDecoder().decode(Fixtures.self, from: Data(contentsOf: url))
        } catch {
            fatalError("cannot read \(url.path): \(error). Run Tools/fixtures/make_loss_metric_fixtures.py")
        }
    }()

    // MARK: Making losses and metrics from fixture configs

    static func reduction(_ config: Config) -> LossReduction {
        config.reduction.flatMap { LossReduction(rawValue: $0) } ?? .sumOverBatchSize
    }

    static func makeLoss(_ c: LossCase) -> any Loss {
        let config = c.config, r = reduction(config)
        let logits = config.from_logits ?? false, smoothing = Float(config.label_smoothing ?? 0)
        switch c.loss {
        case "MeanSquaredError": return Losses.MeanSquaredError(reduction: r)
        case "MeanAbsoluteError": return Losses.MeanAbsoluteError(reduction: r)
        case "MeanAbsolutePercentageError": return Losses.MeanAbsolutePercentageError(reduction: r)
        case "MeanSquaredLogarithmicError": return Losses.MeanSquaredLogarithmicError(reduction: r)
        case "CosineSimilarity": return Losses.CosineSimilarity(axis: config.axis ?? -1, reduction: r)
        case "Huber": return Losses.Huber(delta: Float(config.delta ?? 1), reduction: r)
        case "LogCosh": return Losses.LogCosh(reduction: r)
        case "Hinge": return Losses.Hinge(reduction: r)
        case "SquaredHinge": return Losses.SquaredHinge(reduction: r)
        case "CategoricalHinge": return Losses.CategoricalHinge(reduction: r)
        case "KLDivergence": return Losses.KLDivergence(reduction: r)
        case "Poisson": return Losses.Poisson(reduction: r)
        case "BinaryCrossentropy":
            return Losses.BinaryCrossentropy(fromLogits: logits, labelSmoothing: smoothing, axis: config.axis ?? -1, reduction: r)
        case "CategoricalCrossentropy":
            return Losses.CategoricalCrossentropy(fromLogits: logits, labelSmoothing: smoothing, axis: config.axis ?? -1, reduction: r)
        case "SparseCategoricalCrossentropy":
            return Losses.SparseCategoricalCrossentropy(fromLogits: logits, ignoreClass: config.ignore_class, reduction: r)
        default: fatalError("no loss \(c.loss)")
        }
    }

    static func makeMetric(_ c: MetricCase) -> any Metric {
        let config = c.config
        let logits = config.from_logits ?? false
        let thresholds = config.thresholds?.map { Float($0) }
        let average = config.average.flatMap { Metrics.ScoreAverage(rawValue: $0) }
        switch c.metric {
        case "Mean": return Metrics.Mean()
        case "Sum": return Metrics.Sum()
        case "Accuracy": return Metrics.Accuracy()
        case "BinaryAccuracy": return Metrics.BinaryAccuracy(threshold: Float(config.threshold ?? 0.5))
        case "CategoricalAccuracy": return Metrics.CategoricalAccuracy()
        case "SparseCategoricalAccuracy": return Metrics.SparseCategoricalAccuracy()
        case "TopKCategoricalAccuracy": return Metrics.TopKCategoricalAccuracy(k: config.k ?? 5)
        case "SparseTopKCategoricalAccuracy":
            return Metrics.SparseTopKCategoricalAccuracy(k: config.k ?? 5, fromSortedIDs: config.from_sorted_ids ?? false)
        case "Precision": return Metrics.Precision(thresholds: thresholds, topK: config.top_k, classID: config.class_id)
        case "Recall": return Metrics.Recall(thresholds: thresholds, topK: config.top_k, classID: config.class_id)
        case "TruePositives": return Metrics.ConfusionMatrixCount(.truePositives, thresholds: thresholds)
        case "FalsePositives": return Metrics.ConfusionMatrixCount(.falsePositives, thresholds: thresholds)
        case "TrueNegatives": return Metrics.ConfusionMatrixCount(.trueNegatives, thresholds: thresholds)
        case "FalseNegatives": return Metrics.ConfusionMatrixCount(.falseNegatives, thresholds: thresholds)
        case "AUC":
            return Metrics.AUC(
                numThresholds: config.num_thresholds ?? 200,
                curve: config.curve.flatMap { Metrics.AUC.Curve(rawValue: $0) } ?? .roc,
                summationMethod: config.summation_method.flatMap { Metrics.AUC.SummationMethod(rawValue: $0) } ?? .interpolation,
                thresholds: thresholds, multiLabel: config.multi_label ?? false,
                labelWeights: config.label_weights?.map { Float($0) }, fromLogits: logits)
        case "F1Score": return Metrics.F1Score(average: average, threshold: config.threshold.map { Float($0) })
        case "FBetaScore":
            return Metrics.FBetaScore(average: average, beta: Float(config.beta ?? 1), threshold: config.threshold.map { Float($0) })
        case "MeanSquaredError": return Metrics.MeanSquaredError()
        case "MeanAbsoluteError": return Metrics.MeanAbsoluteError()
        case "MeanAbsolutePercentageError": return Metrics.MeanAbsolutePercentageError()
        case "MeanSquaredLogarithmicError": return Metrics.MeanSquaredLogarithmicError()
        case "RootMeanSquaredError": return Metrics.RootMeanSquaredError()
        case "CosineSimilarity": return Metrics.CosineSimilarity()
        case "LogCoshError": return Metrics.LogCoshError()
        case "BinaryCrossentropy":
            return Metrics.BinaryCrossentropy(fromLogits: logits, labelSmoothing: Float(config.label_smoothing ?? 0))
        case "CategoricalCrossentropy":
            return Metrics.CategoricalCrossentropy(fromLogits: logits, labelSmoothing: Float(config.label_smoothing ?? 0))
        case "SparseCategoricalCrossentropy":
            return Metrics.SparseCategoricalCrossentropy(fromLogits: logits, ignoreClass: config.ignore_class)
        case "KLDivergence": return Metrics.KLDivergence()
        case "Poisson": return Metrics.Poisson()
        case "Hinge": return Metrics.Hinge()
        case "SquaredHinge": return Metrics.SquaredHinge()
        case "CategoricalHinge": return Metrics.CategoricalHinge()
        default: fatalError("no metric \(c.metric)")
        }
    }

    // MARK: Comparisons

    /// `|a - b|` scaled down by the larger magnitude when it exceeds 1: the error that the
    /// tolerance 1e-5 applies to.
    static func scaledError(_ a: Float, _ b: Float) -> Float {
        if a.isNaN || b.isNaN { return a.isNaN && b.isNaN ? 0 : .infinity }
        if a == b { return 0 }
        return Swift.abs(a - b) / Swift.max(1, Swift.abs(a), Swift.abs(b))
    }

    static func maxScaledError(_ a: [Float], _ b: [Float]) -> Float {
        guard a.count == b.count else { return .infinity }
        return zip(a, b).reduce(0) { Swift.max($0, scaledError($1.0, $1.1)) }
    }

    static func maxAbsoluteError(_ a: [Float], _ b: [Float]) -> Float {
        guard a.count == b.count else { return .infinity }
        return zip(a, b).reduce(0) { Swift.max($0, Swift.abs($1.0 - $1.1)) }
    }

    // MARK: Gradients

    /// The tape's gradient of `f(x)` (a scalar) with respect to `x`.
    static func tapeGradient(_ x: Tensor, _ f: (Tensor) -> Tensor) -> Tensor {
        let tape = GradientTape()
        let watched = tape.watch(x)
        let y = tape.record { f(watched) }
        return tape.gradient(of: y, wrt: watched)
    }

    /// Central finite differences of the scalar `f` at `x`, in double precision from the
    /// actual perturbed inputs.
    static func numericGradient(_ x: Tensor, epsilon: Float = 1e-3, _ f: (Tensor) -> Tensor) -> [Double] {
        (0..<x.count).map { j in
            var plus = x, minus = x
            plus.withUnsafeMutableBufferPointer { $0[j] += epsilon }
            minus.withUnsafeMutableBufferPointer { $0[j] -= epsilon }
            let step = Double(plus.scalars[j]) - Double(minus.scalars[j])
            return (Double(f(plus).scalar) - Double(f(minus).scalar)) / step
        }
    }

    /// Mismatches between the tape gradient and finite differences, as readable strings.
    static func gradientMismatches(
        _ x: Tensor, epsilon: Float = 1e-3, relative: Double = 2e-2, absolute: Double = 2e-3, _ f: (Tensor) -> Tensor
    ) -> [String] {
        let tape = tapeGradient(x, f).scalars
        let numeric = numericGradient(x, epsilon: epsilon, f)
        return tape.indices.compactMap { j in
            let (a, n) = (Double(tape[j]), numeric[j])
            return Swift.abs(a - n) <= absolute + relative * Swift.max(Swift.abs(a), Swift.abs(n))
                ? nil : "[\(j)] tape \(a) vs numeric \(n)"
        }
    }
}
