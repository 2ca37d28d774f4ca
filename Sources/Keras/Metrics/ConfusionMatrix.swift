import Foundation

/// True/false positive/negative totals at each threshold (and, for multi-label AUC, each
/// label), index `threshold · labels + label`, in double precision.
struct ConfusionCounts {
    var truePositives: [Double]
    var falsePositives: [Double]
    var trueNegatives: [Double]
    var falseNegatives: [Double]

    init(count: Int) {
        truePositives = Array(repeating: 0, count: count)
        falsePositives = truePositives
        trueNegatives = truePositives
        falseNegatives = truePositives
    }

    mutating func reset() { self = ConfusionCounts(count: truePositives.count) }

    /// `a / b`, or 0 where `b` is 0 (Keras' `divide_no_nan`).
    @inline(__always)
    static func divideNoNaN(_ a: Double, _ b: Double) -> Double { b == 0 ? 0 : a / b }
}

/// Keras' `update_confusion_matrix_variables` (`metrics/metrics_utils.py`): counts, with
/// sample weights, how many predictions above each threshold are labelled positive or not.
struct ConfusionMatrixUpdater {
    /// The thresholds, as `Float` like Keras' float32 tensors.
    var thresholds: [Float]
    /// Whether the thresholds are `i / (n - 1)`: Keras then buckets the predictions (clipped
    /// to `[0, 1]`) instead of comparing them with every threshold.
    var evenlyDistributed: Bool
    var topK: Int? = nil
    var classID: Int? = nil
    var multiLabel = false
    /// Weights of the labels (the last axis), non-multi-label only.
    var labelWeights: [Float]? = nil

    init(thresholds: [Double], topK: Int? = nil, classID: Int? = nil) {
        self.thresholds = thresholds.map { Float($0) }
        self.evenlyDistributed = ConfusionMatrixUpdater.isEvenlyDistributed(thresholds)
        self.topK = topK
        self.classID = classID
    }

    /// Keras' `is_evenly_distributed_thresholds`: at least 3 and `allclose` to `i / (n - 1)`.
    static func isEvenlyDistributed(_ thresholds: [Double]) -> Bool {
        let n = thresholds.count
        guard n >= 3 else { return false }
        return thresholds.enumerated().allSatisfy { i, t in
            let even = Double(Float(i) / Float(n - 1))
            return Swift.abs(t - even) <= 1e-7 + 1e-5 * Swift.abs(even)
        }
    }

    /// Keras' `_filter_top_k`: all but the `k` largest scores of each row (the lower index
    /// first on ties) become -1e10.
    static func filterTopK(_ x: Tensor, k: Int) -> Tensor {
        let width = x.shape.last ?? 1
        var result = x
        result.withUnsafeMutableBufferPointer { buffer in
            var order = [Int](repeating: 0, count: width)
            for row in 0..<(width == 0 ? 0 : buffer.count / width) {
                let base = row * width
                for j in 0..<width { order[j] = j }
                order.sort { buffer[base + $0] > buffer[base + $1] || (buffer[base + $0] == buffer[base + $1] && $0 < $1) }
                for j in order.dropFirst(k) { buffer[base + j] = -1e10 }
            }
        }
        return result
    }

    /// Adds a batch to `counts`.
    func update(_ counts: inout ConfusionCounts, yTrue: Tensor, yPred: Tensor, sampleWeight: Tensor?) {
        var (p, t) = LossShapes.squeezeOrExpandToSameRank(yPred.detached, yTrue.detached)
        var weight: Tensor? = nil
        if let sampleWeight {
            (_, weight) = LossShapes.squeezeOrExpandToSameRank(t, sampleWeight.detached.expandingShape(at: -1), expandRank1: false)
        }
        if let topK { p = Self.filterTopK(p, k: topK) }
        if let classID {
            precondition(p.rank >= 2, "Metric with classID: predictions must have shape (samples, classes), got \(p.shape)")
            t = t.slice(axis: -1, classID..<(classID + 1))
            p = p.slice(axis: -1, classID..<(classID + 1))
        }
        precondition(t.count == p.count, "Metric: labels of shape \(yTrue.shape) do not match predictions of shape \(yPred.shape)")
        if let w = weight {
            precondition(LossShapes.broadcast(w.shape, p.shape) == p.shape,
                         "Metric: sample weights of shape \(sampleWeight!.shape) do not broadcast to predictions of shape \(p.shape)")
            weight = w.broadcast(to: p.shape)
        }
        let labels = multiLabel ? (p.shape.last ?? 1) : 1
        let lastDimension = p.rank == 0 ? 1 : p.shape[p.rank - 1]
        let n = thresholds.count
        precondition(counts.truePositives.count == n * labels)

        t.withUnsafeBufferPointer { t in
            p.withUnsafeBufferPointer { p in
                let w = weight.map { Array($0.scalars) }
                let labelWeights = self.labelWeights
                @inline(__always) func weightAt(_ i: Int) -> Double {
                    var value = w.map { Double($0[i]) } ?? 1
                    if let labelWeights { value *= Double(labelWeights[i % lastDimension]) }
                    return value
                }
                if evenlyDistributed {
                    // Bucket i holds predictions in (t_{i}, t_{i+1}]; a prediction counts as
                    // positive at every threshold up to its bucket.
                    let withEpsilon = thresholds.first! < 0 || thresholds.last! > 1
                    var trueBuckets = [Double](repeating: 0, count: n * labels)
                    var falseBuckets = trueBuckets
                    var totalTrue = [Double](repeating: 0, count: labels)
                    var totalFalse = totalTrue
                    let scale = Float(n - 1)
                    for i in 0..<p.count {
                        let label = i % labels
                        let weight = weightAt(i)
                        let positive = t[i] != 0
                        if positive { totalTrue[label] += weight } else { totalFalse[label] += weight }
                        let score = Swift.min(Swift.max(p[i], 0), 1)
                        guard !score.isNaN else { continue }
                        var bucket = Int((score * scale).rounded(.up)) - 1
                        if withEpsilon { bucket = Swift.max(bucket, 0) }
                        guard bucket >= 0 else { continue }
                        if positive { trueBuckets[bucket * labels + label] += weight } else { falseBuckets[bucket * labels + label] += weight }
                    }
                    for label in 0..<labels {
                        var tp = 0.0, fp = 0.0
                        for j in stride(from: n - 1, through: 0, by: -1) {
                            tp += trueBuckets[j * labels + label]
                            fp += falseBuckets[j * labels + label]
                            let index = j * labels + label
                            counts.truePositives[index] += tp
                            counts.falsePositives[index] += fp
                            counts.falseNegatives[index] += totalTrue[label] - tp
                            counts.trueNegatives[index] += totalFalse[label] - fp
                        }
                    }
                } else {
                    for i in 0..<p.count {
                        let label = i % labels
                        let weight = weightAt(i)
                        let positive = t[i] != 0
                        let score = p[i]
                        for (j, threshold) in thresholds.enumerated() {
                            let index = j * labels + label
                            switch (positive, score > threshold) {
                            case (true, true): counts.truePositives[index] += weight
                            case (true, false): counts.falseNegatives[index] += weight
                            case (false, true): counts.falsePositives[index] += weight
                            case (false, false): counts.trueNegatives[index] += weight
                            }
                        }
                    }
                }
            }
        }
    }
}

