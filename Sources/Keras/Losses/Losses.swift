// Looking losses up by their Keras string names.

extension Losses {
    /// Snake-case names and aliases, as `keras.losses.get` accepts them (plus Keras 2's
    /// `"logcosh"` and `"kullback_leibler_divergence"`). A loss made from one of these strings
    /// carries the string as its name, as Keras' `compile` does.
    static let functionNames: [String: @Sendable (String) -> any Loss] = [
        "mean_squared_error": { MeanSquaredError(name: $0) },
        "mse": { MeanSquaredError(name: $0) },
        "MSE": { MeanSquaredError(name: $0) },
        "mean_absolute_error": { MeanAbsoluteError(name: $0) },
        "mae": { MeanAbsoluteError(name: $0) },
        "MAE": { MeanAbsoluteError(name: $0) },
        "mean_absolute_percentage_error": { MeanAbsolutePercentageError(name: $0) },
        "mape": { MeanAbsolutePercentageError(name: $0) },
        "MAPE": { MeanAbsolutePercentageError(name: $0) },
        "mean_squared_logarithmic_error": { MeanSquaredLogarithmicError(name: $0) },
        "msle": { MeanSquaredLogarithmicError(name: $0) },
        "MSLE": { MeanSquaredLogarithmicError(name: $0) },
        "binary_crossentropy": { BinaryCrossentropy(name: $0) },
        "bce": { BinaryCrossentropy(name: $0) },
        "BCE": { BinaryCrossentropy(name: $0) },
        "categorical_crossentropy": { CategoricalCrossentropy(name: $0) },
        "sparse_categorical_crossentropy": { SparseCategoricalCrossentropy(name: $0) },
        "hinge": { Hinge(name: $0) },
        "squared_hinge": { SquaredHinge(name: $0) },
        "categorical_hinge": { CategoricalHinge(name: $0) },
        "huber": { Huber(name: $0) },
        "log_cosh": { LogCosh(name: $0) },
        "logcosh": { LogCosh(name: $0) },
        "kl_divergence": { KLDivergence(name: $0) },
        "kld": { KLDivergence(name: $0) },
        "KLD": { KLDivergence(name: $0) },
        "kullback_leibler_divergence": { KLDivergence(name: $0) },
        "poisson": { Poisson(name: $0) },
        "cosine_similarity": { CosineSimilarity(name: $0) },
    ]

    /// Class names, which give the loss with its default name (`"Huber"` → `"huber_loss"`).
    static let classNames: [String: @Sendable () -> any Loss] = [
        "MeanSquaredError": { MeanSquaredError() },
        "MeanAbsoluteError": { MeanAbsoluteError() },
        "MeanAbsolutePercentageError": { MeanAbsolutePercentageError() },
        "MeanSquaredLogarithmicError": { MeanSquaredLogarithmicError() },
        "BinaryCrossentropy": { BinaryCrossentropy() },
        "CategoricalCrossentropy": { CategoricalCrossentropy() },
        "SparseCategoricalCrossentropy": { SparseCategoricalCrossentropy() },
        "Hinge": { Hinge() },
        "SquaredHinge": { SquaredHinge() },
        "CategoricalHinge": { CategoricalHinge() },
        "Huber": { Huber() },
        "LogCosh": { LogCosh() },
        "KLDivergence": { KLDivergence() },
        "Poisson": { Poisson() },
        "CosineSimilarity": { CosineSimilarity() },
    ]

    /// Every string `named` accepts, sorted.
    public static var names: [String] {
        (Array(functionNames.keys) + Array(classNames.keys)).sorted()
    }

    /// The loss with Keras name `name` (`"mse"`, `"binary_crossentropy"`, `"Huber"`, …), with
    /// Keras' default arguments. Snake-case names and aliases name the loss after the string.
    ///
    /// `"crossentropy"` and `"ce"` (any case) give a `Crossentropy`, which picks the binary,
    /// sparse or categorical crossentropy from the shapes it sees; with the shapes known,
    /// `named(_:yTrueShape:yPredShape:)` gives the concrete loss.
    /// Throws `KerasError.unknownName` listing the valid names.
    public static func named(_ name: String) throws -> any Loss {
        if let make = functionNames[name] { return make(name) }
        if let make = classNames[name] { return make() }
        if ["crossentropy", "ce"].contains(name.lowercased()) { return Crossentropy(name: name) }
        throw KerasError.unknownName(kind: "loss", name: name, valid: names + ["crossentropy", "ce"])
    }

    /// The loss named `name`, resolving `"crossentropy"` / `"ce"` as Keras 3's `compile` does:
    /// binary crossentropy when the predictions' last dimension is 1, sparse categorical when
    /// the labels have one dimension fewer than the predictions (or a last dimension of 1
    /// against more than 1), categorical otherwise. The loss is named after the string.
    public static func named(_ name: String, yTrueShape: [Int], yPredShape: [Int]) throws -> any Loss {
        guard ["crossentropy", "ce"].contains(name.lowercased()) else { return try named(name) }
        switch CrossentropyKind(yTrueShape: yTrueShape, yPredShape: yPredShape) {
        case .binary: return BinaryCrossentropy(name: name)
        case .sparseCategorical: return SparseCategoricalCrossentropy(name: name)
        case .categorical: return CategoricalCrossentropy(name: name)
        }
    }
}

extension Losses {
    /// The crossentropy that fits the shapes of each batch, as Keras' `"crossentropy"` string:
    /// binary when the predictions' last dimension is 1, sparse categorical when the labels
    /// have one dimension fewer (or a last dimension of 1 against more than 1), categorical
    /// otherwise. Keras resolves it once from the first batch; the shapes do not change after.
    public struct Crossentropy: Loss {
        public var name: String
        public var reduction: LossReduction
        public var fromLogits: Bool

        public init(fromLogits: Bool = false, reduction: LossReduction = .sumOverBatchSize, name: String = "crossentropy") {
            self.fromLogits = fromLogits
            self.reduction = reduction
            self.name = name
        }

        /// The concrete loss for labels and predictions of these shapes.
        public func resolved(yTrueShape: [Int], yPredShape: [Int]) -> any Loss {
            switch CrossentropyKind(yTrueShape: yTrueShape, yPredShape: yPredShape) {
            case .binary: return BinaryCrossentropy(fromLogits: fromLogits, reduction: reduction, name: name)
            case .sparseCategorical: return SparseCategoricalCrossentropy(fromLogits: fromLogits, reduction: reduction, name: name)
            case .categorical: return CategoricalCrossentropy(fromLogits: fromLogits, reduction: reduction, name: name)
            }
        }

        public func perSampleLossAndMask(yTrue: Tensor, yPred: Tensor) -> (loss: Tensor, mask: Tensor?) {
            resolved(yTrueShape: yTrue.shape, yPredShape: yPred.shape).perSampleLossAndMask(yTrue: yTrue, yPred: yPred)
        }

        public func perSampleLoss(yTrue: Tensor, yPred: Tensor) -> Tensor {
            perSampleLossAndMask(yTrue: yTrue, yPred: yPred).loss
        }

        public func validate(yTrue: [Int], yPred: [Int]) throws {
            try resolved(yTrueShape: yTrue, yPredShape: yPred).validate(yTrue: yTrue, yPred: yPred)
        }
    }
}

extension Losses {
    /// A loss from a function of labels and predictions, as Keras' `LossFunctionWrapper` (what
    /// `compile(loss=my_function)` makes): the function returns one value per sample, and
    /// calling the loss applies sample weights and `reduction`.
    ///
    /// ```swift
    /// let cubic = Losses.LossFunctionWrapper(name: "cubic") { yTrue, yPred in
    ///     (yPred - yTrue).abs().pow(3).mean(axis: -1)
    /// }
    /// ```
    /// Labels and predictions reach the function after Keras' rank alignment (a trailing axis
    /// of size 1 squeezed or added); no other shape check is made.
    public struct LossFunctionWrapper: Loss {
        public var name: String
        public var reduction: LossReduction
        let function: @Sendable (Tensor, Tensor) -> Tensor

        public init(
            name: String, reduction: LossReduction = .sumOverBatchSize,
            _ function: @escaping @Sendable (_ yTrue: Tensor, _ yPred: Tensor) -> Tensor
        ) {
            self.name = name
            self.reduction = reduction
            self.function = function
        }

        public func perSampleLoss(yTrue: Tensor, yPred: Tensor) -> Tensor {
            function(yTrue, yPred)
        }
    }
}

/// Which of the binary, sparse categorical or categorical variants fits labels and predictions
/// of these shapes: Keras' `is_binary_or_sparse_categorical` (`trainers/compile_utils.py`).
enum CrossentropyKind: Equatable {
    case binary, sparseCategorical, categorical

    init(yTrueShape: [Int], yPredShape: [Int]) {
        let isBinary = yPredShape.last == 1
        let isSparse = yTrueShape.count < yPredShape.count
            || (yTrueShape.last == 1 && (yPredShape.last ?? 0) > 1)
        self = isBinary ? .binary : isSparse ? .sparseCategorical : .categorical
    }
}
