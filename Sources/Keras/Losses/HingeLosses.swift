extension Losses {
    /// `mean(max(1 - yTrue·yPred, 0))` over the last axis. Labels should be -1 or 1; labels
    /// that are all 0 or 1 are converted to -1 or 1 first. Keras name `"hinge"`.
    public struct Hinge: Loss {
        public var name: String
        public var reduction: LossReduction

        public init(reduction: LossReduction = .sumOverBatchSize, name: String = "hinge") {
            self.reduction = reduction
            self.name = name
        }

        public func perSampleLoss(yTrue: Tensor, yPred: Tensor) -> Tensor {
            LossFunctions.hinge(yTrue, yPred)
        }

        public func validate(yTrue: [Int], yPred: [Int]) throws {
            try LossShapes.requireBroadcastable(name, yTrue: yTrue, yPred: yPred)
        }
    }

    /// `mean(max(1 - yTrue·yPred, 0)²)` over the last axis, with the labels of `Hinge`.
    /// Keras name `"squared_hinge"`.
    public struct SquaredHinge: Loss {
        public var name: String
        public var reduction: LossReduction

        public init(reduction: LossReduction = .sumOverBatchSize, name: String = "squared_hinge") {
            self.reduction = reduction
            self.name = name
        }

        public func perSampleLoss(yTrue: Tensor, yPred: Tensor) -> Tensor {
            LossFunctions.squaredHinge(yTrue, yPred)
        }

        public func validate(yTrue: [Int], yPred: [Int]) throws {
            try LossShapes.requireBroadcastable(name, yTrue: yTrue, yPred: yPred)
        }
    }

    /// `max(max((1 - yTrue)·yPred) - Σ yTrue·yPred + 1, 0)` for one-hot labels.
    /// Keras name `"categorical_hinge"`.
    public struct CategoricalHinge: Loss {
        public var name: String
        public var reduction: LossReduction

        public init(reduction: LossReduction = .sumOverBatchSize, name: String = "categorical_hinge") {
            self.reduction = reduction
            self.name = name
        }

        public func perSampleLoss(yTrue: Tensor, yPred: Tensor) -> Tensor {
            LossFunctions.categoricalHinge(yTrue, yPred)
        }

        public func validate(yTrue: [Int], yPred: [Int]) throws {
            try LossShapes.requireBroadcastable(name, yTrue: yTrue, yPred: yPred)
        }
    }
}
