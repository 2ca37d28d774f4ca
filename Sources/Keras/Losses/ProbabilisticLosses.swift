extension Losses {
    /// Crossentropy between 0/1 labels and predicted probabilities (or logits), averaged over
    /// `axis`. Keras name `"binary_crossentropy"`.
    ///
    /// From probabilities, predictions are clipped to `[1e-7, 1 - 1e-7]`; from logits it uses
    /// `max(x, 0) - x·z + log(1 + exp(-|x|))`. Label smoothing moves labels towards 0.5:
    /// `z·(1 - s) + 0.5·s`.
    public struct BinaryCrossentropy: Loss {
        public var name: String
        public var reduction: LossReduction
        public var fromLogits: Bool
        public var labelSmoothing: Float
        public var axis: Int

        public init(
            fromLogits: Bool = false, labelSmoothing: Float = 0, axis: Int = -1,
            reduction: LossReduction = .sumOverBatchSize, name: String = "binary_crossentropy"
        ) {
            self.fromLogits = fromLogits
            self.labelSmoothing = labelSmoothing
            self.axis = axis
            self.reduction = reduction
            self.name = name
        }

        public func perSampleLoss(yTrue: Tensor, yPred: Tensor) -> Tensor {
            let (t, p) = LossFunctions.aligned(yTrue, yPred)
            return LossFunctions.binaryCrossentropy(t, p, fromLogits: fromLogits, labelSmoothing: labelSmoothing, axis: axis)
        }

        public func validate(yTrue: [Int], yPred: [Int]) throws {
            try Losses.validateLabelSmoothing(name, labelSmoothing)
            try Losses.validateBinary(name, yTrue: yTrue, yPred: yPred)
        }
    }

    /// Crossentropy between one-hot (or soft) labels and predicted class probabilities (or
    /// logits) along `axis`. Keras name `"categorical_crossentropy"`.
    ///
    /// From probabilities, predictions are renormalised to sum to 1 and clipped to
    /// `[1e-7, 1 - 1e-7]`; from logits it uses log-sum-exp. Label smoothing mixes the labels
    /// with the uniform distribution: `y·(1 - s) + s / classes`.
    public struct CategoricalCrossentropy: Loss {
        public var name: String
        public var reduction: LossReduction
        public var fromLogits: Bool
        public var labelSmoothing: Float
        public var axis: Int

        public init(
            fromLogits: Bool = false, labelSmoothing: Float = 0, axis: Int = -1,
            reduction: LossReduction = .sumOverBatchSize, name: String = "categorical_crossentropy"
        ) {
            self.fromLogits = fromLogits
            self.labelSmoothing = labelSmoothing
            self.axis = axis
            self.reduction = reduction
            self.name = name
        }

        public func perSampleLoss(yTrue: Tensor, yPred: Tensor) -> Tensor {
            let (t, p) = LossFunctions.aligned(yTrue, yPred)
            return LossFunctions.categoricalCrossentropy(t, p, fromLogits: fromLogits, labelSmoothing: labelSmoothing, axis: axis)
        }

        public func validate(yTrue: [Int], yPred: [Int]) throws {
            try Losses.validateLabelSmoothing(name, labelSmoothing)
            try Losses.validateCategorical(name, yTrue: yTrue, yPred: yPred)
        }
    }

    /// Crossentropy between integer class labels and predicted class probabilities (or
    /// logits) on the last axis. Keras name `"sparse_categorical_crossentropy"`.
    ///
    /// Labels have the predictions' shape without the class axis (or with it of size 1).
    /// With `ignoreClass`, samples of that label add nothing and the mean is taken over the
    /// others.
    public struct SparseCategoricalCrossentropy: Loss {
        public var name: String
        public var reduction: LossReduction
        public var fromLogits: Bool
        public var ignoreClass: Int?

        public init(
            fromLogits: Bool = false, ignoreClass: Int? = nil,
            reduction: LossReduction = .sumOverBatchSize, name: String = "sparse_categorical_crossentropy"
        ) {
            self.fromLogits = fromLogits
            self.ignoreClass = ignoreClass
            self.reduction = reduction
            self.name = name
        }

        public func perSampleLoss(yTrue: Tensor, yPred: Tensor) -> Tensor {
            perSampleLossAndMask(yTrue: yTrue, yPred: yPred).loss
        }

        public func perSampleLossAndMask(yTrue: Tensor, yPred: Tensor) -> (loss: Tensor, mask: Tensor?) {
            LossFunctions.sparseCategoricalCrossentropy(yTrue, yPred, fromLogits: fromLogits, ignoreClass: ignoreClass)
        }

        public func validate(yTrue: [Int], yPred: [Int]) throws {
            try Losses.validateSparse(name, yTrue: yTrue, yPred: yPred)
        }

        /// The shapes, and every label a class index of the predictions (or `ignoreClass`), as Keras raises.
        public func validate(yTrue: Tensor, yPred: Tensor) throws {
            try validate(yTrue: yTrue.shape, yPred: yPred.shape)
            let classes = yPred.shape.last ?? 1
            let ignored = ignoreClass.map(Float.init)
            try yTrue.withUnsafeBufferPointer { labels in
                for (sample, label) in labels.enumerated() where label != ignored {
                    _ = try DataChecks.classIndex(label, sample: sample, classes: classes, context: "Loss '\(name)'")
                }
            }
        }
    }

    /// `Σ yTrue · log(yTrue / yPred)` over the last axis, both clipped to `[1e-7, 1]`.
    /// Keras name `"kl_divergence"` (`"kld"`).
    public struct KLDivergence: Loss {
        public var name: String
        public var reduction: LossReduction

        public init(reduction: LossReduction = .sumOverBatchSize, name: String = "kl_divergence") {
            self.reduction = reduction
            self.name = name
        }

        public func perSampleLoss(yTrue: Tensor, yPred: Tensor) -> Tensor {
            let (t, p) = LossFunctions.aligned(yTrue, yPred)
            return LossFunctions.klDivergence(t, p)
        }

        public func validate(yTrue: [Int], yPred: [Int]) throws {
            try LossShapes.requireBroadcastable(name, yTrue: yTrue, yPred: yPred)
        }
    }

    /// `mean(yPred - yTrue · log(yPred + 1e-7))` over the last axis. Keras name `"poisson"`.
    public struct Poisson: Loss {
        public var name: String
        public var reduction: LossReduction

        public init(reduction: LossReduction = .sumOverBatchSize, name: String = "poisson") {
            self.reduction = reduction
            self.name = name
        }

        public func perSampleLoss(yTrue: Tensor, yPred: Tensor) -> Tensor {
            let (t, p) = LossFunctions.aligned(yTrue, yPred)
            return LossFunctions.poisson(t, p)
        }

        public func validate(yTrue: [Int], yPred: [Int]) throws {
            try LossShapes.requireBroadcastable(name, yTrue: yTrue, yPred: yPred)
        }
    }
}

// MARK: - Shape checks of the crossentropies

extension Losses {
    /// Throws unless a label smoothing factor is in `[0, 1]`, as Keras requires.
    static func validateLabelSmoothing(_ name: String, _ labelSmoothing: Float) throws {
        guard (0...1).contains(labelSmoothing) else {
            throw KerasError.invalidArgument(name: "\(name) labelSmoothing", value: "\(labelSmoothing)", expected: "a value in [0, 1]")
        }
    }

    static func validateBinary(_ name: String, yTrue: [Int], yPred: [Int]) throws {
        guard !LossShapes.areEqual(yTrue, yPred) else { return } // every step: no message unless it fails
        let f = LossShapes.format
        var fix = "Give one 0/1 label per output unit: labels of shape \(f(yPred))."
        if let classes = yPred.last, classes > 1, yTrue.count == yPred.count - 1 || (yTrue.count == yPred.count && yTrue.last == 1) {
            fix = "The labels look like integer class indices and the model outputs \(classes) units: use "
                + "sparse_categorical_crossentropy with a softmax output, or one-hot encode the labels with toCategorical."
        } else if yPred.last == 1, let columns = yTrue.last, columns > 1, yTrue.count == yPred.count {
            fix = "The labels have \(columns) columns but the model outputs one probability: give the last layer \(columns) "
                + "units (sigmoid for multi-label, softmax with categorical_crossentropy for one-hot classes)."
        }
        try LossShapes.requireEqual(name, yTrue: yTrue, yPred: yPred, fix: fix)
    }

    static func validateCategorical(_ name: String, yTrue: [Int], yPred: [Int]) throws {
        guard !LossShapes.areEqual(yTrue, yPred) else { return }
        let f = LossShapes.format
        var fix = "Give one-hot labels of shape \(f(yPred)), or change the last layer to \(yTrue.last ?? 1) units."
        if let classes = yPred.last, classes > 1,
           yTrue.count == yPred.count - 1 || (yTrue.count == yPred.count && yTrue.last == 1) {
            fix = "The labels look like integer class indices: use sparse_categorical_crossentropy, "
                + "or one-hot encode them with toCategorical(y, numClasses: \(classes))."
        }
        try LossShapes.requireEqual(name, yTrue: yTrue, yPred: yPred, fix: fix)
    }

    static func validateSparse(_ name: String, yTrue: [Int], yPred: [Int]) throws {
        let f = LossShapes.format
        let expected = Array(yPred.dropLast())
        var labels = yTrue
        if labels.count == yPred.count, labels.last == 1 { labels.removeLast() }
        if labels == expected && !yPred.isEmpty { return }
        var fix = "Give one integer class index per sample: labels of shape \(f(expected))."
        if yTrue == yPred, (yPred.last ?? 1) > 1 {
            fix = "The labels look one-hot encoded: use categorical_crossentropy, or pass the class indices (argmax) instead."
        }
        throw KerasError.shapeMismatch(
            context: "Loss '\(name)'", expected: "integer labels of shape \(f(expected)) for predictions of shape \(f(yPred))",
            got: "labels of shape \(f(yTrue))", fix: fix)
    }
}
