// F-beta and F1 scores (Keras 3's `FBetaScore`, `F1Score`).

extension Metrics {
    /// How the per-class scores of `FBetaScore` / `F1Score` are combined.
    public enum ScoreAverage: String, Sendable {
        /// Counts pooled over all classes, then one score.
        case micro
        /// The unweighted mean of the per-class scores.
        case macro
        /// The mean of the per-class scores weighted by each class's (weighted) label total.
        case weighted
    }

    /// The F-beta score `(1 + β²)·P·R / (β²·P + R)` per class, from labels and predictions of
    /// shape `(samples, classes)`. Keras name `"fbeta_score"`.
    ///
    /// With no `threshold`, the highest-scoring class of each row (ties included, zero scores
    /// excluded) is the prediction; otherwise every score above `threshold`. With no
    /// `average`, Keras' result is one score per class: `resultValues()` returns them and
    /// `result()` their unweighted mean (the single score for one class, e.g. a sigmoid output).
    public final class FBetaScore: Metric {
        public var name: String
        public let average: ScoreAverage?
        public let beta: Float
        public let threshold: Float?
        var state: FScoreState

        public init(average: ScoreAverage? = nil, beta: Float = 1, threshold: Float? = nil, name: String = "fbeta_score") {
            precondition(beta > 0, "FBetaScore: beta must be > 0, got \(beta)")
            if let threshold { precondition(threshold > 0 && threshold <= 1, "FBetaScore: threshold must be in (0, 1], got \(threshold)") }
            self.average = average
            self.beta = beta
            self.threshold = threshold
            self.name = name
            state = FScoreState(average: average, beta: Double(beta), threshold: threshold)
        }

        public func update(yTrue: Tensor, yPred: Tensor, sampleWeight: Tensor?) {
            state.update(yTrue: yTrue, yPred: yPred, sampleWeight: sampleWeight, metric: name)
        }

        public func resultValues() -> [Float] { state.scores().map { Float($0) } }
        public func result() -> Float { state.scalarResult() }
        public func reset() { state.reset() }
    }

    /// The F1 score `2·P·R / (P + R)`: `FBetaScore` with β = 1. Keras name `"f1_score"`.
    ///
    /// `Metrics.named("f1_score", …)` gives Keras' default: no threshold (the argmax class
    /// of each row is predicted), no averaging. For a single sigmoid output this predicts
    /// positive for every nonzero score; pass `threshold: 0.5` for the usual binary F1.
    public final class F1Score: Metric {
        public var name: String
        public let average: ScoreAverage?
        public let threshold: Float?
        var state: FScoreState

        public init(average: ScoreAverage? = nil, threshold: Float? = nil, name: String = "f1_score") {
            if let threshold { precondition(threshold > 0 && threshold <= 1, "F1Score: threshold must be in (0, 1], got \(threshold)") }
            self.average = average
            self.threshold = threshold
            self.name = name
            state = FScoreState(average: average, beta: 1, threshold: threshold)
        }

        public func update(yTrue: Tensor, yPred: Tensor, sampleWeight: Tensor?) {
            state.update(yTrue: yTrue, yPred: yPred, sampleWeight: sampleWeight, metric: name)
        }

        public func resultValues() -> [Float] { state.scores().map { Float($0) } }
        public func result() -> Float { state.scalarResult() }
        public func reset() { state.reset() }
    }
}

/// The counts behind Keras' `FBetaScore`, per class (or pooled for `micro`).
struct FScoreState {
    let average: Metrics.ScoreAverage?
    let beta: Double
    let threshold: Float?
    var truePositives: [Double] = []
    var falsePositives: [Double] = []
    var falseNegatives: [Double] = []
    var labelTotals: [Double] = []

    init(average: Metrics.ScoreAverage?, beta: Double, threshold: Float?) {
        self.average = average
        self.beta = beta
        self.threshold = threshold
    }

    mutating func reset() {
        for i in truePositives.indices {
            truePositives[i] = 0; falsePositives[i] = 0; falseNegatives[i] = 0; labelTotals[i] = 0
        }
    }

    mutating func update(yTrue: Tensor, yPred: Tensor, sampleWeight: Tensor?, metric: String) {
        precondition(yTrue.rank == 2 && yPred.rank == 2 && yTrue.shape == yPred.shape,
                     "\(metric): expects labels and predictions of shape (samples, classes), got \(yTrue.shape) and \(yPred.shape)")
        let (rows, classes) = (yPred.shape[0], yPred.shape[1])
        let slots = average == .micro ? 1 : classes
        if truePositives.isEmpty {
            truePositives = Array(repeating: 0, count: slots)
            falsePositives = truePositives; falseNegatives = truePositives; labelTotals = truePositives
        }
        precondition(truePositives.count == slots, "\(metric): the number of classes changed from \(truePositives.count) to \(slots)")
        var weights: [Float]? = nil
        if let sampleWeight {
            precondition(sampleWeight.count == rows, "\(metric): expects one sample weight per row, got shape \(sampleWeight.shape)")
            weights = sampleWeight.scalars
        }
        yTrue.withUnsafeBufferPointer { t in
            yPred.withUnsafeBufferPointer { p in
                for row in 0..<rows {
                    let base = row * classes
                    let weight = weights.map { Double($0[row]) } ?? 1
                    var rowMax = -Float.infinity
                    if threshold == nil { for j in 0..<classes { rowMax = Swift.max(rowMax, p[base + j]) } }
                    for j in 0..<classes {
                        let score = p[base + j]
                        let predicted: Double
                        if let threshold {
                            predicted = score > threshold ? 1 : 0
                        } else {
                            predicted = score >= rowMax && Swift.abs(score) > 1e-9 ? 1 : 0
                        }
                        let label = Double(t[base + j])
                        let slot = slots == 1 ? 0 : j
                        truePositives[slot] += predicted * label * weight
                        falsePositives[slot] += predicted * (1 - label) * weight
                        falseNegatives[slot] += (1 - predicted) * label * weight
                        labelTotals[slot] += label * weight
                    }
                }
            }
        }
    }

    /// The score of each slot, with Keras' epsilons.
    func perSlotScores() -> [Double] {
        let epsilon = Double(LossFunctions.epsilon), beta2 = beta * beta
        return truePositives.indices.map { i in
            let precision = truePositives[i] / (truePositives[i] + falsePositives[i] + epsilon)
            let recall = truePositives[i] / (truePositives[i] + falseNegatives[i] + epsilon)
            return precision * recall / (beta2 * precision + recall + epsilon) * (1 + beta2)
        }
    }

    /// Keras' result: the averaged score, or one score per class when `average` is nil.
    func scores() -> [Double] {
        let scores = perSlotScores()
        guard !scores.isEmpty else { return [0] }
        switch average {
        case nil: return scores
        case .micro?, .macro?: return [scores.reduce(0, +) / Double(scores.count)]
        case .weighted?:
            let total = labelTotals.reduce(0, +) + Double(LossFunctions.epsilon)
            return [zip(scores, labelTotals).reduce(0) { $0 + $1.0 * $1.1 / total }]
        }
    }

    func scalarResult() -> Float {
        let values = scores()
        return Float(values.reduce(0, +) / Double(values.count))
    }
}
