// Metrics that average a loss function over the epoch (Keras' regression, probabilistic and
// hinge metrics).

extension Metrics {
    /// The mean of `(yTrue - yPred)²`. Keras name `"mean_squared_error"`.
    public final class MeanSquaredError: MeanMetricWrapper {
        public init(name: String = "mean_squared_error") {
            super.init(name: name, function: LossFunctions.meanSquaredError)
        }
    }

    /// The mean of `|yTrue - yPred|`. Keras name `"mean_absolute_error"`.
    public final class MeanAbsoluteError: MeanMetricWrapper {
        public init(name: String = "mean_absolute_error") {
            super.init(name: name, function: LossFunctions.meanAbsoluteError)
        }
    }

    /// The mean absolute percentage error. Keras name `"mean_absolute_percentage_error"`.
    public final class MeanAbsolutePercentageError: MeanMetricWrapper {
        public init(name: String = "mean_absolute_percentage_error") {
            super.init(name: name, function: LossFunctions.meanAbsolutePercentageError)
        }
    }

    /// The mean squared logarithmic error. Keras name `"mean_squared_logarithmic_error"`.
    public final class MeanSquaredLogarithmicError: MeanMetricWrapper {
        public init(name: String = "mean_squared_logarithmic_error") {
            super.init(name: name, function: LossFunctions.meanSquaredLogarithmicError)
        }
    }

    /// The square root of the (weighted) mean of `(yTrue - yPred)²` over everything added.
    /// Keras name `"root_mean_squared_error"`.
    public final class RootMeanSquaredError: MeanMetricWrapper {
        public init(name: String = "root_mean_squared_error") {
            super.init(name: name) { yTrue, yPred in
                let (t, p) = LossShapes.squeezeOrExpandToSameRank(yTrue, yPred)
                return (p - t).square()
            }
        }

        public override func result() -> Float { state.mean.squareRoot() }
    }

    /// The mean cosine similarity along `axis` (positive: 1 when the vectors point the same
    /// way). Keras name `"cosine_similarity"`.
    public final class CosineSimilarity: MeanMetricWrapper {
        public let axis: Int

        public init(name: String = "cosine_similarity", axis: Int = -1) {
            self.axis = axis
            super.init(name: name) { LossFunctions.cosineSimilarity($0, $1, axis: axis) }
        }
    }

    /// The mean of `log(cosh(yPred - yTrue))`. Keras name `"logcosh"`.
    public final class LogCoshError: MeanMetricWrapper {
        public init(name: String = "logcosh") {
            super.init(name: name, function: LossFunctions.logCosh)
        }
    }

    /// The mean binary crossentropy. Keras name `"binary_crossentropy"`.
    public final class BinaryCrossentropy: MeanMetricWrapper {
        public let fromLogits: Bool
        public let labelSmoothing: Float

        public init(name: String = "binary_crossentropy", fromLogits: Bool = false, labelSmoothing: Float = 0) {
            self.fromLogits = fromLogits
            self.labelSmoothing = labelSmoothing
            super.init(name: name) { yTrue, yPred in
                let (t, p) = LossShapes.squeezeOrExpandToSameRank(yTrue, yPred)
                return LossFunctions.binaryCrossentropy(t, p, fromLogits: fromLogits, labelSmoothing: labelSmoothing)
            }
        }
    }

    /// The mean categorical crossentropy. Keras name `"categorical_crossentropy"`.
    public final class CategoricalCrossentropy: MeanMetricWrapper {
        public let fromLogits: Bool
        public let labelSmoothing: Float
        public let axis: Int

        public init(name: String = "categorical_crossentropy", fromLogits: Bool = false, labelSmoothing: Float = 0, axis: Int = -1) {
            self.fromLogits = fromLogits
            self.labelSmoothing = labelSmoothing
            self.axis = axis
            super.init(name: name) {
                LossFunctions.categoricalCrossentropy($0, $1, fromLogits: fromLogits, labelSmoothing: labelSmoothing, axis: axis)
            }
        }
    }

    /// The mean sparse categorical crossentropy; entries labelled `ignoreClass` do not count.
    /// Keras name `"sparse_categorical_crossentropy"`.
    public final class SparseCategoricalCrossentropy: MeanMetricWrapper {
        public let fromLogits: Bool
        public let ignoreClass: Int?

        public init(name: String = "sparse_categorical_crossentropy", fromLogits: Bool = false, ignoreClass: Int? = nil) {
            self.fromLogits = fromLogits
            self.ignoreClass = ignoreClass
            super.init(name: name) { yTrue, yPred in
                LossFunctions.sparseCategoricalCrossentropy(yTrue, yPred, fromLogits: fromLogits, ignoreClass: ignoreClass).loss
            }
        }

        public override func update(yTrue: Tensor, yPred: Tensor, sampleWeight: Tensor?) {
            let (values, mask) = LossFunctions.sparseCategoricalCrossentropy(
                yTrue.detached, yPred.detached, fromLogits: fromLogits, ignoreClass: ignoreClass)
            // As Keras' `reduce_to_samplewise_values`: the mask of ignored entries only applies
            // when there are sample weights; without, ignored entries count as 0.
            guard let mask, let sampleWeight else {
                state.add(values, sampleWeight: sampleWeight)
                return
            }
            let (m, w) = LossShapes.squeezeOrExpandToSameRank(mask, sampleWeight.detached)
            let weight = w * m
            state.add(values, sampleWeight: weight)
        }
    }

    /// The mean Kullback-Leibler divergence. Keras name `"kl_divergence"`.
    public final class KLDivergence: MeanMetricWrapper {
        public init(name: String = "kl_divergence") {
            super.init(name: name, function: LossFunctions.klDivergence)
        }
    }

    /// The mean Poisson loss. Keras name `"poisson"`.
    public final class Poisson: MeanMetricWrapper {
        public init(name: String = "poisson") {
            super.init(name: name, function: LossFunctions.poisson)
        }
    }

    /// The mean hinge loss. Keras name `"hinge"`.
    public final class Hinge: MeanMetricWrapper {
        public init(name: String = "hinge") {
            super.init(name: name, function: LossFunctions.hinge)
        }
    }

    /// The mean squared hinge loss. Keras name `"squared_hinge"`.
    public final class SquaredHinge: MeanMetricWrapper {
        public init(name: String = "squared_hinge") {
            super.init(name: name, function: LossFunctions.squaredHinge)
        }
    }

    /// The mean categorical hinge loss. Keras name `"categorical_hinge"`.
    public final class CategoricalHinge: MeanMetricWrapper {
        public init(name: String = "categorical_hinge") {
            super.init(name: name, function: LossFunctions.categoricalHinge)
        }
    }
}
