import Foundation

/// Keras' loss functions (`keras.losses.mean_squared_error`, …): one value per sample, the
/// last axis reduced away, written with differentiable tensor operations. The loss types and
/// the metrics that average a loss share these.
enum LossFunctions {
    /// Keras' fuzz factor, `keras.backend.epsilon()`.
    static let epsilon: Float = 1e-7
    /// `1 - epsilon` rounded to `Float` as Keras does it (in double precision, then to float32).
    static let oneMinusEpsilon = Float(1.0 - 1e-7)

    static func aligned(_ yTrue: Tensor, _ yPred: Tensor) -> (Tensor, Tensor) {
        LossShapes.squeezeOrExpandToSameRank(yTrue, yPred)
    }

    // MARK: Regression

    static func meanSquaredError(_ yTrue: Tensor, _ yPred: Tensor) -> Tensor {
        let (t, p) = aligned(yTrue, yPred)
        return (t - p).square().mean(axis: -1)
    }

    static func meanAbsoluteError(_ yTrue: Tensor, _ yPred: Tensor) -> Tensor {
        let (t, p) = aligned(yTrue, yPred)
        return (t - p).abs().mean(axis: -1)
    }

    static func meanAbsolutePercentageError(_ yTrue: Tensor, _ yPred: Tensor) -> Tensor {
        let (t, p) = aligned(yTrue, yPred)
        let difference = ((t - p) / t.abs().maximum(Tensor(epsilon))).abs()
        return 100 * difference.mean(axis: -1)
    }

    static func meanSquaredLogarithmicError(_ yTrue: Tensor, _ yPred: Tensor) -> Tensor {
        let (t, p) = aligned(yTrue, yPred)
        let first = (p.maximum(Tensor(epsilon)) + 1).log()
        let second = (t.maximum(Tensor(epsilon)) + 1).log()
        return (first - second).square().mean(axis: -1)
    }

    /// `x / ‖x‖` along `axis`, as Keras' `normalize`: `x · min(rsqrt(Σx²), 1/ε)`.
    static func l2Normalized(_ x: Tensor, axis: Int) -> Tensor {
        let inverseNorm = x.square().sum(axis: axis, keepDims: true).rsqrt()
        return x * inverseNorm.minimum(Tensor(1 / epsilon))
    }

    /// The cosine similarity along `axis` (the loss is its negative).
    static func cosineSimilarity(_ yTrue: Tensor, _ yPred: Tensor, axis: Int) -> Tensor {
        let (t, p) = aligned(yTrue, yPred)
        return (l2Normalized(t, axis: axis) * l2Normalized(p, axis: axis)).sum(axis: axis)
    }

    static func huber(_ yTrue: Tensor, _ yPred: Tensor, delta: Float) -> Tensor {
        let (t, p) = aligned(yTrue, yPred)
        let error = p - t
        let absolute = error.abs()
        let quadratic = 0.5 * error.square()
        let linear = delta * absolute - 0.5 * delta * delta
        return Tensor.where(absolute .<= Tensor(delta), quadratic, linear).mean(axis: -1)
    }

    /// `log(cosh(x))` computed as `x + softplus(-2x) - log 2`, which does not overflow.
    static func logCosh(_ yTrue: Tensor, _ yPred: Tensor) -> Tensor {
        let (t, p) = aligned(yTrue, yPred)
        let x = p - t
        return (x + (-2 * x).softplus() - Float(Foundation.log(2.0))).mean(axis: -1)
    }

    // MARK: Hinge

    /// Labels that are all 0 or 1 become -1 or 1; others are kept (Keras decides per batch).
    static func hingeLabels(_ yTrue: Tensor) -> Tensor {
        let isBinary = yTrue.withUnsafeBufferPointer { $0.allSatisfy { $0 == 0 || $0 == 1 } }
        return isBinary ? 2 * yTrue - 1 : yTrue
    }

    static func hinge(_ yTrue: Tensor, _ yPred: Tensor) -> Tensor {
        let (t, p) = aligned(hingeLabels(yTrue), yPred)
        return (1 - t * p).maximum(Tensor(0)).mean(axis: -1)
    }

    static func squaredHinge(_ yTrue: Tensor, _ yPred: Tensor) -> Tensor {
        let (t, p) = aligned(hingeLabels(yTrue), yPred)
        return (1 - t * p).maximum(Tensor(0)).square().mean(axis: -1)
    }

    static func categoricalHinge(_ yTrue: Tensor, _ yPred: Tensor) -> Tensor {
        let positive = (yTrue * yPred).sum(axis: -1)
        let negative = ((1 - yTrue) * yPred).max(axis: -1)
        return (negative - positive + 1).maximum(Tensor(0))
    }

    // MARK: Probabilistic

    static func klDivergence(_ yTrue: Tensor, _ yPred: Tensor) -> Tensor {
        let t = yTrue.clip(epsilon, 1)
        let p = yPred.clip(epsilon, 1)
        return (t * (t / p).log()).sum(axis: -1)
    }

    static func poisson(_ yTrue: Tensor, _ yPred: Tensor) -> Tensor {
        (yPred - yTrue * (yPred + epsilon).log()).mean(axis: -1)
    }

    /// Elementwise binary crossentropy. From logits `x` and labels `z`:
    /// `max(x, 0) - x·z + log(1 + exp(-|x|))`, written with `where` so that the gradient at
    /// `x = 0` is `sigmoid(0) - z` as in TensorFlow.
    static func elementwiseBinaryCrossentropy(_ yTrue: Tensor, _ yPred: Tensor, fromLogits: Bool) -> Tensor {
        // A sigmoid's output computed on a tape: work from its logits, as TensorFlow does.
        if !fromLogits, let logits = yPred.logits(ofActivation: "sigmoid") {
            return elementwiseBinaryCrossentropy(yTrue, logits, fromLogits: true)
        }
        if fromLogits {
            let x = yPred
            let nonNegative = x .>= Tensor(0)
            let positivePart = Tensor.where(nonNegative, x, Tensor(0))
            let negativeAbsolute = Tensor.where(nonNegative, -x, x)
            return positivePart - x * yTrue + negativeAbsolute.exp().log1p()
        }
        let output = yPred.clip(epsilon, oneMinusEpsilon)
        return -(yTrue * output.log() + (1 - yTrue) * (1 - output).log())
    }

    static func binaryCrossentropy(
        _ yTrue: Tensor, _ yPred: Tensor, fromLogits: Bool, labelSmoothing: Float, axis: Int = -1
    ) -> Tensor {
        var t = yTrue
        if labelSmoothing != 0 { t = t * (1 - labelSmoothing) + 0.5 * labelSmoothing }
        return elementwiseBinaryCrossentropy(t, yPred, fromLogits: fromLogits).mean(axis: axis)
    }

    static func categoricalCrossentropy(
        _ yTrue: Tensor, _ yPred: Tensor, fromLogits: Bool, labelSmoothing: Float, axis: Int = -1
    ) -> Tensor {
        // A softmax's output computed on a tape: work from its logits, as TensorFlow does.
        if !fromLogits, axis == -1 || axis == yPred.rank - 1, let logits = yPred.logits(ofActivation: "softmax") {
            return categoricalCrossentropy(yTrue, logits, fromLogits: true, labelSmoothing: labelSmoothing, axis: axis)
        }
        var t = yTrue
        if labelSmoothing != 0, let classes = t.shape.last {
            t = t * (1 - labelSmoothing) + labelSmoothing / Float(classes)
        }
        if fromLogits {
            // softmax_cross_entropy_with_logits: Σ t · (logsumexp(x) - x), fused on the last axis.
            if t.shape == yPred.shape, axis == -1 || axis == yPred.rank - 1 {
                return Tensor.softmaxCrossEntropy(logits: yPred, labels: t)
            }
            return (t * (yPred.logSumExp(axis: axis, keepDims: true) - yPred)).sum(axis: axis)
        }
        let output = (yPred / yPred.sum(axis: axis, keepDims: true)).clip(epsilon, oneMinusEpsilon)
        return -(t * output.log()).sum(axis: axis)
    }

    /// One-hot rows for integer labels: `labels.count` rows of `classes` scalars.
    static func oneHot(_ labels: Tensor, classes: Int, shape: [Int], context: String) -> Tensor {
        var result = Tensor(repeating: 0, shape: shape)
        labels.withUnsafeBufferPointer { labels in
            result.withUnsafeMutableBufferPointer { out in
                for (row, value) in labels.enumerated() {
                    let index = Int(value)
                    precondition(Float(index) == value && index >= 0 && index < classes,
                                 "\(context): label \(value) is not a class index in 0..<\(classes)")
                    out[row * classes + index] = 1
                }
            }
        }
        return result
    }

    /// Sparse categorical crossentropy over the last axis, with Keras' `ignore_class` mask.
    /// From probabilities, TensorFlow takes `log(clip(p))` as logits, so the loss is
    /// `logsumexp(log p) - log p[label]`.
    static func sparseCategoricalCrossentropy(
        _ yTrue: Tensor, _ yPred: Tensor, fromLogits: Bool, ignoreClass: Int?
    ) -> (loss: Tensor, mask: Tensor?) {
        var labels = yTrue.detached
        if labels.rank == yPred.rank, labels.shape.last == 1 { labels = labels.squeezed(axes: [-1]) }
        let classes = yPred.shape.last ?? 1
        let resultShape = Array(yPred.shape.dropLast())
        precondition(labels.count * classes == yPred.count,
                     "sparse_categorical_crossentropy: labels of shape \(labels.shape) do not match predictions of shape \(yPred.shape)")
        let softmaxLogits = fromLogits ? nil : yPred.logits(ofActivation: "softmax")
        var predictions = softmaxLogits ?? yPred
        var valid: Tensor? = nil
        if let ignoreClass {
            let ignored = Float(ignoreClass)
            let mask = labels.constantMap { $0 != ignored ? 1 : 0 }.reshaped(to: resultShape)
            labels = labels.constantMap { $0 != ignored ? $0 : 0 }
            predictions = Tensor.where(mask.expandingShape(at: -1), predictions, Tensor(0))
            valid = mask
        }
        let logits = fromLogits || softmaxLogits != nil ? predictions : predictions.clip(epsilon, oneMinusEpsilon).log()
        let oneHot = oneHot(labels, classes: classes, shape: yPred.shape, context: "sparse_categorical_crossentropy")
        var loss = Tensor.softmaxCrossEntropy(logits: logits, labels: oneHot)
        if let valid { loss = Tensor.where(valid, loss, Tensor(0)) }
        return (loss, valid)
    }
}
