// Looking metrics up by their Keras string names, as `compile(metrics: [...])` does.

extension Metrics {
    /// The strings `keras.metrics.get` accepts (class names, their snake-case forms and the
    /// aliases `mse`, `mae`, `mape`, `msle`, `bce`), for the metrics implemented here.
    static let factories: [String: @Sendable () -> any Metric] = {
        var table: [String: @Sendable () -> any Metric] = [:]
        func add(_ className: String, _ snake: String, _ make: @escaping @Sendable () -> any Metric) {
            table[className] = make
            table[snake] = make
        }
        add("Mean", "mean") { Mean() }
        add("Sum", "sum") { Sum() }
        add("MeanSquaredError", "mean_squared_error") { MeanSquaredError() }
        add("RootMeanSquaredError", "root_mean_squared_error") { RootMeanSquaredError() }
        add("MeanAbsoluteError", "mean_absolute_error") { MeanAbsoluteError() }
        add("MeanAbsolutePercentageError", "mean_absolute_percentage_error") { MeanAbsolutePercentageError() }
        add("MeanSquaredLogarithmicError", "mean_squared_logarithmic_error") { MeanSquaredLogarithmicError() }
        add("CosineSimilarity", "cosine_similarity") { CosineSimilarity() }
        add("LogCoshError", "log_cosh_error") { LogCoshError() }
        add("AUC", "auc") { AUC() }
        add("Precision", "precision") { Precision() }
        add("Recall", "recall") { Recall() }
        add("TruePositives", "true_positives") { ConfusionMatrixCount(.truePositives) }
        add("FalsePositives", "false_positives") { ConfusionMatrixCount(.falsePositives) }
        add("TrueNegatives", "true_negatives") { ConfusionMatrixCount(.trueNegatives) }
        add("FalseNegatives", "false_negatives") { ConfusionMatrixCount(.falseNegatives) }
        add("Hinge", "hinge") { Hinge() }
        add("SquaredHinge", "squared_hinge") { SquaredHinge() }
        add("CategoricalHinge", "categorical_hinge") { CategoricalHinge() }
        add("KLDivergence", "kl_divergence") { KLDivergence() }
        add("Poisson", "poisson") { Poisson() }
        add("BinaryCrossentropy", "binary_crossentropy") { BinaryCrossentropy() }
        add("CategoricalCrossentropy", "categorical_crossentropy") { CategoricalCrossentropy() }
        add("SparseCategoricalCrossentropy", "sparse_categorical_crossentropy") { SparseCategoricalCrossentropy() }
        add("BinaryAccuracy", "binary_accuracy") { BinaryAccuracy() }
        add("CategoricalAccuracy", "categorical_accuracy") { CategoricalAccuracy() }
        add("SparseCategoricalAccuracy", "sparse_categorical_accuracy") { SparseCategoricalAccuracy() }
        add("TopKCategoricalAccuracy", "top_k_categorical_accuracy") { TopKCategoricalAccuracy() }
        add("SparseTopKCategoricalAccuracy", "sparse_top_k_categorical_accuracy") { SparseTopKCategoricalAccuracy() }
        add("F1Score", "f1_score") { F1Score() }
        add("FBetaScore", "f_beta_score") { FBetaScore() }
        for (alias, target) in ["mse": "MeanSquaredError", "MSE": "MeanSquaredError", "mae": "MeanAbsoluteError",
                                "MAE": "MeanAbsoluteError", "mape": "MeanAbsolutePercentageError",
                                "MAPE": "MeanAbsolutePercentageError", "msle": "MeanSquaredLogarithmicError",
                                "MSLE": "MeanSquaredLogarithmicError", "bce": "BinaryCrossentropy", "BCE": "BinaryCrossentropy"] {
            table[alias] = table[target]
        }
        return table
    }()

    /// Every string `named` accepts, sorted.
    public static var names: [String] {
        (Array(factories.keys) + ["accuracy", "acc", "crossentropy", "ce"]).sorted()
    }

    /// The metric for the string `name` in `compile(metrics: [...])`, named `name` as Keras
    /// names it in `History` (`"acc"` stays `"acc"`, `"mse"` stays `"mse"`).
    ///
    /// `"accuracy"` and `"acc"` (any case) resolve from the shapes as in Keras 3's
    /// `compile_utils.get_metric`: `BinaryAccuracy` when the predictions' last dimension is 1,
    /// `SparseCategoricalAccuracy` when the labels have one dimension fewer than the
    /// predictions (or a last dimension of 1 against more than 1), `CategoricalAccuracy`
    /// otherwise. Keras 3 does not look at the loss for this; `loss` is used only by
    /// `"crossentropy"` / `"ce"` (a Keras 2 name that Keras 3 no longer accepts), which gives
    /// the binary crossentropy metric when the loss is `BinaryCrossentropy` or the last
    /// dimension is 1, and otherwise the sparse or categorical one by the same shape rule.
    ///
    /// Throws `KerasError.unknownName` listing the valid names.
    public static func named(
        _ name: String, loss: (any Loss)? = nil, yTrueShape: [Int], yPredShape: [Int]
    ) throws -> any Metric {
        let lowered = name.lowercased()
        if lowered == "accuracy" || lowered == "acc" {
            switch CrossentropyKind(yTrueShape: yTrueShape, yPredShape: yPredShape) {
            case .binary: return BinaryAccuracy(name: name)
            case .sparseCategorical: return SparseCategoricalAccuracy(name: name)
            case .categorical: return CategoricalAccuracy(name: name)
            }
        }
        if lowered == "crossentropy" || lowered == "ce" {
            var kind = CrossentropyKind(yTrueShape: yTrueShape, yPredShape: yPredShape)
            if loss is Losses.BinaryCrossentropy { kind = .binary }
            switch kind {
            case .binary: return BinaryCrossentropy(name: name)
            case .sparseCategorical: return SparseCategoricalCrossentropy(name: name)
            case .categorical: return CategoricalCrossentropy(name: name)
            }
        }
        guard let make = factories[name] else {
            throw KerasError.unknownName(kind: "metric", name: name, valid: names)
        }
        let metric = make()
        (metric as? any NamedMetric)?.name = name
        return metric
    }
}

/// The metrics defined here, whose name `Metrics.named` sets.
protocol NamedMetric: Metric {
    var name: String { get set }
}

extension Metrics.MeanMetricWrapper: NamedMetric {}
extension Metrics.Mean: NamedMetric {}
extension Metrics.Sum: NamedMetric {}
extension Metrics.Precision: NamedMetric {}
extension Metrics.Recall: NamedMetric {}
extension Metrics.ConfusionMatrixCount: NamedMetric {}
extension Metrics.AUC: NamedMetric {}
extension Metrics.F1Score: NamedMetric {}
extension Metrics.FBetaScore: NamedMetric {}
