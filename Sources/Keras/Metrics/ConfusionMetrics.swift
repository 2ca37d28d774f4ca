import Foundation

// Metrics counted from the confusion matrix: precision, recall, AUC and the raw counts.

extension Metrics {
    /// `TP / (TP + FP)`: the fraction of positive predictions (`yPred > threshold`) that are
    /// labelled positive (nonzero). Keras name `"precision"` (then `"precision_1"`, … for later
    /// unnamed ones).
    ///
    /// With several `thresholds`, `resultValues()` has one precision per threshold and
    /// `result()` is the first. `topK` counts only the `k` highest scores of each row as
    /// predicted positive; `classID` restricts the metric to one class (column).
    public final class Precision: Metric {
        public var name: String
        public let thresholds: [Float]
        public let topK: Int?
        public let classID: Int?
        let updater: ConfusionMatrixUpdater
        var counts: ConfusionCounts

        public init(thresholds: [Float]? = nil, topK: Int? = nil, classID: Int? = nil, name: String? = nil) {
            let values = ConfusionMetricSupport.thresholds(thresholds, topK: topK, metric: "Precision")
            self.thresholds = values.map { Float($0) }
            self.topK = topK
            self.classID = classID
            updater = ConfusionMatrixUpdater(thresholds: values, topK: topK, classID: classID)
            counts = ConfusionCounts(count: values.count)
            self.name = name ?? Metrics.autoName("precision")
        }

        public func update(yTrue: Tensor, yPred: Tensor, sampleWeight: Tensor?) {
            updater.update(&counts, yTrue: yTrue, yPred: yPred, sampleWeight: sampleWeight)
        }

        public func resultValues() -> [Float] {
            zip(counts.truePositives, counts.falsePositives).map { Float(ConfusionCounts.divideNoNaN($0, $0 + $1)) }
        }

        public func result() -> Float { resultValues()[0] }
        public func reset() { counts.reset() }
    }

    /// `TP / (TP + FN)`: the fraction of positive labels predicted positive
    /// (`yPred > threshold`). Keras name `"recall"`; arguments as `Precision`.
    public final class Recall: Metric {
        public var name: String
        public let thresholds: [Float]
        public let topK: Int?
        public let classID: Int?
        let updater: ConfusionMatrixUpdater
        var counts: ConfusionCounts

        public init(thresholds: [Float]? = nil, topK: Int? = nil, classID: Int? = nil, name: String? = nil) {
            let values = ConfusionMetricSupport.thresholds(thresholds, topK: topK, metric: "Recall")
            self.thresholds = values.map { Float($0) }
            self.topK = topK
            self.classID = classID
            updater = ConfusionMatrixUpdater(thresholds: values, topK: topK, classID: classID)
            counts = ConfusionCounts(count: values.count)
            self.name = name ?? Metrics.autoName("recall")
        }

        public func update(yTrue: Tensor, yPred: Tensor, sampleWeight: Tensor?) {
            updater.update(&counts, yTrue: yTrue, yPred: yPred, sampleWeight: sampleWeight)
        }

        public func resultValues() -> [Float] {
            zip(counts.truePositives, counts.falseNegatives).map { Float(ConfusionCounts.divideNoNaN($0, $0 + $1)) }
        }

        public func result() -> Float { resultValues()[0] }
        public func reset() { counts.reset() }
    }

    /// Which count of the confusion matrix a `ConfusionMatrixCount` metric reports.
    public enum ConfusionCondition: String, Sendable {
        case truePositives = "true_positives", falsePositives = "false_positives"
        case trueNegatives = "true_negatives", falseNegatives = "false_negatives"
    }

    /// The weighted number of true positives, false positives, true negatives or false
    /// negatives at `thresholds` (default 0.5): Keras' `TruePositives`, `FalsePositives`,
    /// `TrueNegatives`, `FalseNegatives` (names `"true_positives"`, …).
    public final class ConfusionMatrixCount: Metric {
        public var name: String
        public let condition: ConfusionCondition
        let updater: ConfusionMatrixUpdater
        var counts: ConfusionCounts

        public init(_ condition: ConfusionCondition, thresholds: [Float]? = nil, name: String? = nil) {
            let values = ConfusionMetricSupport.thresholds(thresholds, topK: nil, metric: condition.rawValue)
            self.condition = condition
            updater = ConfusionMatrixUpdater(thresholds: values)
            counts = ConfusionCounts(count: values.count)
            self.name = name ?? Metrics.autoName(condition.rawValue)
        }

        public func update(yTrue: Tensor, yPred: Tensor, sampleWeight: Tensor?) {
            updater.update(&counts, yTrue: yTrue, yPred: yPred, sampleWeight: sampleWeight)
        }

        public func resultValues() -> [Float] {
            let values: [Double]
            switch condition {
            case .truePositives: values = counts.truePositives
            case .falsePositives: values = counts.falsePositives
            case .trueNegatives: values = counts.trueNegatives
            case .falseNegatives: values = counts.falseNegatives
            }
            return values.map { Float($0) }
        }

        public func result() -> Float { resultValues()[0] }
        public func reset() { counts.reset() }
    }

    /// The area under the ROC (or precision-recall) curve, approximated with a Riemann sum
    /// over `numThresholds` evenly spaced thresholds, as Keras' `AUC`. Keras name `"auc"`.
    ///
    /// Predictions are probabilities (or logits with `fromLogits`); labels are 0/1 (any
    /// nonzero label is positive). With `multiLabel`, an AUC is computed per label (column)
    /// and averaged, weighted by `labelWeights` if given; otherwise all entries are pooled,
    /// each weighted by the weight of its label.
    public final class AUC: Metric {
        /// Which curve's area is computed.
        public enum Curve: String, Sendable { case roc = "ROC", pr = "PR", prGain = "PRGAIN" }
        /// How the area of each interval is estimated.
        public enum SummationMethod: String, Sendable { case interpolation, minoring, majoring }

        public var name: String
        public let numThresholds: Int
        public let curve: Curve
        public let summationMethod: SummationMethod
        public let multiLabel: Bool
        public let labelWeights: [Float]?
        public let fromLogits: Bool
        /// The thresholds, including the end points just below 0 and just above 1.
        public let thresholds: [Float]
        var updater: ConfusionMatrixUpdater
        var counts: ConfusionCounts?
        var labelCount = 1

        public init(
            numThresholds: Int = 200, curve: Curve = .roc, summationMethod: SummationMethod = .interpolation,
            name: String? = nil, thresholds: [Float]? = nil, multiLabel: Bool = false, numLabels: Int? = nil,
            labelWeights: [Float]? = nil, fromLogits: Bool = false
        ) {
            var inner: [Double]
            var evenly: Bool
            if let thresholds {
                precondition(thresholds.allSatisfy { (0...1).contains($0) }, "AUC: thresholds must be in [0, 1], got \(thresholds)")
                inner = thresholds.map(Double.init).sorted()
                evenly = ConfusionMatrixUpdater.isEvenlyDistributed([0] + inner + [1])
                self.numThresholds = thresholds.count + 2
            } else {
                precondition(numThresholds > 1, "AUC: numThresholds must be greater than 1, got \(numThresholds)")
                inner = (0..<(numThresholds - 2)).map { Double($0 + 1) / Double(numThresholds - 1) }
                evenly = true
                self.numThresholds = numThresholds
            }
            let epsilon = Double(LossFunctions.epsilon)
            let all = [0 - epsilon] + inner + [1 + epsilon]
            self.thresholds = all.map { Float($0) }
            updater = ConfusionMatrixUpdater(thresholds: all)
            updater.evenlyDistributed = evenly
            updater.multiLabel = multiLabel
            if !multiLabel { updater.labelWeights = labelWeights }
            self.curve = curve
            self.summationMethod = summationMethod
            self.multiLabel = multiLabel
            self.labelWeights = labelWeights
            self.fromLogits = fromLogits
            if !multiLabel {
                precondition(numLabels == nil, "AUC: numLabels is needed only when multiLabel is true")
                counts = ConfusionCounts(count: self.numThresholds)
            } else if let numLabels {
                labelCount = numLabels
                counts = ConfusionCounts(count: self.numThresholds * numLabels)
            }
            self.name = name ?? Metrics.autoName("auc")
        }

        public func update(yTrue: Tensor, yPred: Tensor, sampleWeight: Tensor?) {
            if counts == nil {
                precondition(yPred.rank == 2, "AUC: predictions must have rank 2 with multiLabel, got shape \(yPred.shape)")
                labelCount = yPred.shape[1]
                counts = ConfusionCounts(count: numThresholds * labelCount)
            }
            let predictions = fromLogits ? yPred.detached.sigmoid() : yPred
            updater.update(&counts!, yTrue: yTrue, yPred: predictions, sampleWeight: sampleWeight)
        }

        public func reset() { counts?.reset() }

        public func result() -> Float {
            guard let counts else { return 0 }
            let labels = labelCount
            var byLabel = [Double](repeating: 0, count: labels)
            for label in 0..<labels {
                func column(_ values: [Double]) -> [Double] { (0..<numThresholds).map { values[$0 * labels + label] } }
                byLabel[label] = Self.area(
                    tp: column(counts.truePositives), fp: column(counts.falsePositives),
                    tn: column(counts.trueNegatives), fn: column(counts.falseNegatives),
                    curve: curve, summation: summationMethod)
            }
            guard multiLabel else { return Float(byLabel[0]) }
            if let labelWeights {
                let weights = labelWeights.map(Double.init)
                return Float(ConfusionCounts.divideNoNaN(zip(byLabel, weights).reduce(0) { $0 + $1.0 * $1.1 }, weights.reduce(0, +)))
            }
            return Float(byLabel.reduce(0, +) / Double(labels))
        }

        /// The area for one label from the counts at each threshold (Keras' `AUC.result`).
        static func area(tp: [Double], fp: [Double], tn: [Double], fn: [Double],
                         curve: Curve, summation: SummationMethod) -> Double {
            let n = tp.count
            if curve == .pr && summation == .interpolation {
                // Davis & Goadrich interpolation of precision between thresholds.
                var total = 0.0
                for i in 0..<(n - 1) {
                    let dtp = tp[i] - tp[i + 1]
                    let p0 = tp[i] + fp[i], p1 = tp[i + 1] + fp[i + 1]
                    let dp = p0 - p1
                    let slope = ConfusionCounts.divideNoNaN(dtp, Swift.max(dp, 0))
                    let intercept = tp[i + 1] - slope * p1
                    let ratio = p0 > 0 && p1 > 0 ? ConfusionCounts.divideNoNaN(p0, Swift.max(p1, 0)) : 1
                    total += ConfusionCounts.divideNoNaN(slope * (dtp + intercept * Foundation.log(ratio)), Swift.max(tp[i + 1] + fn[i + 1], 0))
                }
                return total
            }
            let recall = (0..<n).map { ConfusionCounts.divideNoNaN(tp[$0], tp[$0] + fn[$0]) }
            let x: [Double], y: [Double]
            switch curve {
            case .roc:
                x = (0..<n).map { ConfusionCounts.divideNoNaN(fp[$0], fp[$0] + tn[$0]) }
                y = recall
            case .pr:
                x = recall
                y = (0..<n).map { ConfusionCounts.divideNoNaN(tp[$0], tp[$0] + fp[$0]) }
            case .prGain:
                let scale = (0..<n).map { ConfusionCounts.divideNoNaN(tp[$0] + fn[$0], tn[$0] + fp[$0]) }
                x = (0..<n).map { tp[$0] == 0 ? 0 : Swift.max(1 - scale[$0] * ConfusionCounts.divideNoNaN(fn[$0], tp[$0]), 0) }
                y = (0..<n).map { tp[$0] == 0 ? 1 : 1 - scale[$0] * ConfusionCounts.divideNoNaN(fp[$0], tp[$0]) }
            }
            var total = 0.0
            for i in 0..<(n - 1) {
                let height: Double
                switch summation {
                case .interpolation: height = (y[i] + y[i + 1]) / 2
                case .minoring: height = Swift.min(y[i], y[i + 1])
                case .majoring: height = Swift.max(y[i], y[i + 1])
                }
                total += (x[i] - x[i + 1]) * height
            }
            return total
        }
    }
}

enum ConfusionMetricSupport {
    /// Keras' `parse_init_thresholds`: the default is 0.5 (or -1e10 with `topK`); each must be
    /// in `[0, 1]`.
    static func thresholds(_ thresholds: [Float]?, topK: Int?, metric: String) -> [Double] {
        if let thresholds {
            precondition(!thresholds.isEmpty, "\(metric): thresholds must not be empty")
            precondition(thresholds.allSatisfy { (0...1).contains($0) }, "\(metric): thresholds must be in [0, 1], got \(thresholds)")
            return thresholds.map(Double.init)
        }
        return [topK == nil ? 0.5 : -1e10]
    }
}
