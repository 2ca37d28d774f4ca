// Accuracy metrics: the fraction of predictions that match the labels, averaged with Keras'
// rules for sample weights.

extension Metrics {
    /// How often predictions equal labels exactly. Keras name `"accuracy"`.
    ///
    /// For classifiers, the string `"accuracy"` in `Metrics.named` picks `BinaryAccuracy`,
    /// `CategoricalAccuracy` or `SparseCategoricalAccuracy` instead.
    public final class Accuracy: MeanMetricWrapper {
        public init(name: String = "accuracy") {
            super.init(name: name, function: AccuracyFunctions.accuracy)
        }
    }

    /// How often `yPred > threshold` equals the 0/1 label. Keras name `"binary_accuracy"`.
    public final class BinaryAccuracy: MeanMetricWrapper {
        public let threshold: Float

        public init(name: String = "binary_accuracy", threshold: Float = 0.5) {
            self.threshold = threshold
            super.init(name: name) { AccuracyFunctions.binaryAccuracy($0, $1, threshold: threshold) }
        }
    }

    /// How often the predicted class (argmax) equals the one-hot label's class.
    /// Keras name `"categorical_accuracy"`.
    public final class CategoricalAccuracy: MeanMetricWrapper {
        public init(name: String = "categorical_accuracy") {
            super.init(name: name, function: AccuracyFunctions.categoricalAccuracy)
        }
    }

    /// How often the predicted class (argmax) equals the integer label.
    /// Keras name `"sparse_categorical_accuracy"`.
    public final class SparseCategoricalAccuracy: MeanMetricWrapper {
        public init(name: String = "sparse_categorical_accuracy") {
            super.init(name: name, function: AccuracyFunctions.sparseCategoricalAccuracy)
        }
    }

    /// How often the one-hot label's class is among the `k` highest predictions (ties at the
    /// boundary count as in). Keras name `"top_k_categorical_accuracy"`.
    public final class TopKCategoricalAccuracy: MeanMetricWrapper {
        public let k: Int

        public init(k: Int = 5, name: String = "top_k_categorical_accuracy") {
            self.k = k
            super.init(name: name) { yTrue, yPred in
                let targets = yTrue.argmax(axis: -1)
                return AccuracyFunctions.inTopK(targets: targets, predictions: yPred, k: k)
            }
        }
    }

    /// How often the integer label is among the `k` highest predictions; with
    /// `fromSortedIDs`, predictions are class ids sorted by score and the first `k` are checked.
    /// Keras name `"sparse_top_k_categorical_accuracy"`.
    public final class SparseTopKCategoricalAccuracy: MeanMetricWrapper {
        public let k: Int
        public let fromSortedIDs: Bool

        public init(k: Int = 5, name: String = "sparse_top_k_categorical_accuracy", fromSortedIDs: Bool = false) {
            self.k = k
            self.fromSortedIDs = fromSortedIDs
            super.init(name: name) { yTrue, yPred in
                // Keras casts the labels to int32 (truncation) unless they are sorted ids.
                let targets = fromSortedIDs ? yTrue : yTrue.constantMap { $0.rounded(.towardZero) }
                return fromSortedIDs
                    ? AccuracyFunctions.inFirstK(targets: targets, sortedIDs: yPred, k: k)
                    : AccuracyFunctions.inTopK(targets: targets, predictions: yPred, k: k)
            }
        }
    }
}

/// Keras' accuracy functions (`keras.metrics.binary_accuracy`, …): 0/1 per prediction.
enum AccuracyFunctions {
    static func accuracy(_ yTrue: Tensor, _ yPred: Tensor) -> Tensor {
        let (t, p) = LossShapes.squeezeOrExpandToSameRank(yTrue, yPred)
        return t .== p
    }

    static func binaryAccuracy(_ yTrue: Tensor, _ yPred: Tensor, threshold: Float) -> Tensor {
        let (t, p) = LossShapes.squeezeOrExpandToSameRank(yTrue, yPred)
        return ((p .> Tensor(threshold)) .== t) * (p .== p)   // a NaN prediction is wrong
    }

    /// 1 for rows of `yPred` (along the last axis) without NaN, 0 for the others: a prediction
    /// that is NaN matches no class, whatever argmax makes of it.
    static func rowsWithoutNaN(_ yPred: Tensor) -> Tensor {
        (yPred .== yPred).min(axis: -1)
    }

    static func categoricalAccuracy(_ yTrue: Tensor, _ yPred: Tensor) -> Tensor {
        var labels = yTrue.argmax(axis: -1)
        let originalShape = labels.shape
        // Labels with one axis more than the predictions: Keras squeezes the last one.
        let squeezed = labels.rank == yPred.rank && labels.shape.last == 1
        if squeezed { labels = labels.squeezed(axes: [-1]) }
        let matches = (yPred.argmax(axis: -1) .== labels) * rowsWithoutNaN(yPred)
        return squeezed ? matches.reshaped(to: originalShape) : matches
    }

    static func sparseCategoricalAccuracy(_ yTrue: Tensor, _ yPred: Tensor) -> Tensor {
        var labels = yTrue
        let originalShape = labels.shape
        let squeezed = labels.rank == yPred.rank && labels.shape.last == 1
        if squeezed { labels = labels.squeezed(axes: [-1]) }
        var matches = (yPred.argmax(axis: -1) .== labels) * rowsWithoutNaN(yPred)
        if squeezed { matches = matches.reshaped(to: originalShape) }
        if matches.rank > 1 && matches.shape.last == 1 { matches = matches.squeezed(axes: [-1]) }
        return matches
    }

    /// TensorFlow's `in_top_k`: 1 where fewer than `k` classes score strictly higher than the
    /// target class; 0 for targets out of range or rows with a non-finite score. The result has
    /// the targets' shape; predictions are read as rows of their last dimension.
    static func inTopK(targets: Tensor, predictions: Tensor, k: Int) -> Tensor {
        let classes = predictions.shape.last ?? 1
        precondition(targets.count * classes == predictions.count,
                     "top-k accuracy: \(targets.count) labels for predictions of shape \(predictions.shape)")
        var result = Tensor(repeating: 0, shape: targets.shape)
        targets.withUnsafeBufferPointer { targets in
            predictions.withUnsafeBufferPointer { scores in
                result.withUnsafeMutableBufferPointer { out in
                    for row in targets.indices {
                        let target = Int(exactly: targets[row].rounded(.towardZero)) ?? -1
                        guard target >= 0 && target < classes else { continue }
                        let base = row * classes
                        let targetScore = scores[base + target]
                        guard targetScore.isFinite else { continue }
                        var higher = 0, finite = true
                        for j in 0..<classes {
                            let score = scores[base + j]
                            if !score.isFinite { finite = false; break }
                            if score > targetScore { higher += 1 }
                        }
                        out[row] = finite && higher < k ? 1 : 0
                    }
                }
            }
        }
        return result
    }

    /// 1 where the target is among the first `k` ids of its row of sorted class ids.
    static func inFirstK(targets: Tensor, sortedIDs: Tensor, k: Int) -> Tensor {
        let width = sortedIDs.shape.last ?? 1
        precondition(targets.count * width == sortedIDs.count,
                     "top-k accuracy: \(targets.count) labels for ids of shape \(sortedIDs.shape)")
        var result = Tensor(repeating: 0, shape: targets.shape)
        targets.withUnsafeBufferPointer { targets in
            sortedIDs.withUnsafeBufferPointer { ids in
                result.withUnsafeMutableBufferPointer { out in
                    for row in targets.indices {
                        let base = row * width
                        for j in 0..<Swift.min(k, width) where ids[base + j] == targets[row] {
                            out[row] = 1
                            break
                        }
                    }
                }
            }
        }
        return result
    }
}
