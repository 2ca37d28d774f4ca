/// Keras' losses (`keras.losses`): `Losses.MeanSquaredError()`, `Losses.named("mse")`, …
public enum Losses {}

extension Losses {
    /// `mean((yTrue - yPred)²)` over the last axis. Keras name `"mean_squared_error"` (`"mse"`).
    public struct MeanSquaredError: Loss {
        public var name: String
        public var reduction: LossReduction

        public init(reduction: LossReduction = .sumOverBatchSize, name: String = "mean_squared_error") {
            self.reduction = reduction
            self.name = name
        }

        public func perSampleLoss(yTrue: Tensor, yPred: Tensor) -> Tensor {
            LossFunctions.meanSquaredError(yTrue, yPred)
        }

        public func validate(yTrue: [Int], yPred: [Int]) throws {
            try LossShapes.requireBroadcastable(name, yTrue: yTrue, yPred: yPred)
        }
    }

    /// `mean(|yTrue - yPred|)` over the last axis. Keras name `"mean_absolute_error"` (`"mae"`).
    public struct MeanAbsoluteError: Loss {
        public var name: String
        public var reduction: LossReduction

        public init(reduction: LossReduction = .sumOverBatchSize, name: String = "mean_absolute_error") {
            self.reduction = reduction
            self.name = name
        }

        public func perSampleLoss(yTrue: Tensor, yPred: Tensor) -> Tensor {
            LossFunctions.meanAbsoluteError(yTrue, yPred)
        }

        public func validate(yTrue: [Int], yPred: [Int]) throws {
            try LossShapes.requireBroadcastable(name, yTrue: yTrue, yPred: yPred)
        }
    }

    /// `100 · mean(|(yTrue - yPred) / max(|yTrue|, ε)|)` over the last axis.
    /// Keras name `"mean_absolute_percentage_error"` (`"mape"`).
    public struct MeanAbsolutePercentageError: Loss {
        public var name: String
        public var reduction: LossReduction

        public init(reduction: LossReduction = .sumOverBatchSize, name: String = "mean_absolute_percentage_error") {
            self.reduction = reduction
            self.name = name
        }

        public func perSampleLoss(yTrue: Tensor, yPred: Tensor) -> Tensor {
            LossFunctions.meanAbsolutePercentageError(yTrue, yPred)
        }

        public func validate(yTrue: [Int], yPred: [Int]) throws {
            try LossShapes.requireBroadcastable(name, yTrue: yTrue, yPred: yPred)
        }
    }

    /// `mean((log(max(yPred, ε) + 1) - log(max(yTrue, ε) + 1))²)` over the last axis.
    /// Keras name `"mean_squared_logarithmic_error"` (`"msle"`).
    public struct MeanSquaredLogarithmicError: Loss {
        public var name: String
        public var reduction: LossReduction

        public init(reduction: LossReduction = .sumOverBatchSize, name: String = "mean_squared_logarithmic_error") {
            self.reduction = reduction
            self.name = name
        }

        public func perSampleLoss(yTrue: Tensor, yPred: Tensor) -> Tensor {
            LossFunctions.meanSquaredLogarithmicError(yTrue, yPred)
        }

        public func validate(yTrue: [Int], yPred: [Int]) throws {
            try LossShapes.requireBroadcastable(name, yTrue: yTrue, yPred: yPred)
        }
    }

    /// The negative cosine similarity along `axis`: -1 when the vectors point the same way,
    /// 0 when orthogonal or when either is zero. Keras name `"cosine_similarity"`.
    public struct CosineSimilarity: Loss {
        public var name: String
        public var reduction: LossReduction
        public var axis: Int

        public init(axis: Int = -1, reduction: LossReduction = .sumOverBatchSize, name: String = "cosine_similarity") {
            self.axis = axis
            self.reduction = reduction
            self.name = name
        }

        public func perSampleLoss(yTrue: Tensor, yPred: Tensor) -> Tensor {
            -LossFunctions.cosineSimilarity(yTrue, yPred, axis: axis)
        }

        public func validate(yTrue: [Int], yPred: [Int]) throws {
            try LossShapes.requireBroadcastable(name, yTrue: yTrue, yPred: yPred)
        }
    }

    /// Quadratic for errors up to `delta`, linear beyond: `0.5·e²` or `δ·|e| - 0.5·δ²`, averaged
    /// over the last axis. Keras name `"huber_loss"` (string `"huber"`).
    public struct Huber: Loss {
        public var name: String
        public var reduction: LossReduction
        public var delta: Float

        public init(delta: Float = 1, reduction: LossReduction = .sumOverBatchSize, name: String = "huber_loss") {
            self.delta = delta
            self.reduction = reduction
            self.name = name
        }

        public func perSampleLoss(yTrue: Tensor, yPred: Tensor) -> Tensor {
            LossFunctions.huber(yTrue, yPred, delta: delta)
        }

        public func validate(yTrue: [Int], yPred: [Int]) throws {
            try LossShapes.requireBroadcastable(name, yTrue: yTrue, yPred: yPred)
        }
    }

    /// `mean(log(cosh(yPred - yTrue)))` over the last axis, computed without overflow.
    /// Keras name `"log_cosh"`.
    public struct LogCosh: Loss {
        public var name: String
        public var reduction: LossReduction

        public init(reduction: LossReduction = .sumOverBatchSize, name: String = "log_cosh") {
            self.reduction = reduction
            self.name = name
        }

        public func perSampleLoss(yTrue: Tensor, yPred: Tensor) -> Tensor {
            LossFunctions.logCosh(yTrue, yPred)
        }

        public func validate(yTrue: [Int], yPred: [Int]) throws {
            try LossShapes.requireBroadcastable(name, yTrue: yTrue, yPred: yPred)
        }
    }
}
