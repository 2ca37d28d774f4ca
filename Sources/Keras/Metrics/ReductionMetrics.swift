import Foundation

// Mean, Sum and MeanMetricWrapper: the running averages most metrics are made of.

extension Metrics {
    /// Keras' `auto_name`: the first metric of a kind gets the plain name (`"auc"`), later
    /// ones `"auc_1"`, `"auc_2"`, … (metrics whose Keras default name is `None`).
    static func autoName(_ base: String) -> String {
        nameCounters.withLock { counters in
            let count = counters[base, default: 0]
            counters[base] = count + 1
            return count == 0 ? base : "\(base)_\(count)"
        }
    }

    /// Forgets the names handed out by `autoName`, as Keras' `clear_session()` does.
    public static func resetAutoNames() {
        nameCounters.withLock { $0 = [:] }
    }

    private static let nameCounters = Locked<[String: Int]>([:])

    /// A value guarded by a lock.
    final class Locked<Value>: @unchecked Sendable {
        private var value: Value
        private let lock = NSLock()

        init(_ value: Value) { self.value = value }

        func withLock<R>(_ body: (inout Value) -> R) -> R {
            lock.lock()
            defer { lock.unlock() }
            return body(&value)
        }
    }
}

/// The state of Keras' `Mean` (or `Sum`): a weighted total and the total weight, in double
/// precision.
struct MeanAccumulator {
    var total: Double = 0
    var count: Double = 0

    var mean: Float { count == 0 ? 0 : Float(total / count) }

    mutating func reset() { total = 0; count = 0 }

    /// Adds `values` with Keras' `reduce_to_samplewise_values`: values are reduced (`mean`, or
    /// `sum` for `Sum`) to the rank of the weights, weighted, then reduced to one value per
    /// sample; the count grows by the total weight (per sample), or by the number of samples.
    mutating func add(_ values: Tensor, sampleWeight: Tensor?, reduceBySum: Bool = false) {
        let values = values.detached
        guard var weight = sampleWeight?.detached else {
            let sum = values.withUnsafeBufferPointer { Self.sum($0) }
            if values.rank == 0 {
                total += sum
                count += 1
            } else {
                let inner = values.shape.dropFirst().reduce(1, *)
                total += reduceBySum || inner == 0 ? sum : sum / Double(inner)
                count += Double(values.shape[0])
            }
            return
        }
        var v = values
        (v, weight) = LossShapes.squeezeOrExpandToSameRank(v, weight)
        // Fast path: one value and one weight per sample.
        if v.shape == weight.shape && v.rank <= 1 {
            v.withUnsafeBufferPointer { v in
                weight.withUnsafeBufferPointer { w in
                    for i in v.indices {
                        total += Double(v[i]) * Double(w[i])
                        count += Double(w[i])
                    }
                }
            }
            return
        }
        func reduce(_ x: Tensor, _ axes: [Int]) -> Tensor {
            axes.isEmpty ? x : reduceBySum ? x.sum(axes: axes) : x.mean(axes: axes)
        }
        let weightRank = weight.rank
        if v.rank > weightRank { v = reduce(v, Array(weightRank..<v.rank)) }
        precondition(LossShapes.broadcast(weight.shape, v.shape) == v.shape,
                     "Metric: sample weights of shape \(weight.shape) do not broadcast to values of shape \(v.shape)")
        var w = weight.broadcast(to: v.shape)
        v = v * w
        if weightRank > 1 { w = reduce(w, Array(1..<weightRank)) }
        if v.rank > 1 { v = reduce(v, Array(1..<v.rank)) }
        total += v.withUnsafeBufferPointer { Self.sum($0) }
        count += w.withUnsafeBufferPointer { Self.sum($0) }
    }

    static func sum(_ buffer: UnsafeBufferPointer<Float>) -> Double {
        var sum = 0.0
        for x in buffer { sum += Double(x) }
        return sum
    }
}

extension Metrics {
    /// The weighted mean of the values given (Keras' `Mean`), as used for the loss in the
    /// progress bar: `update(batchLoss, weight: batchSize)`.
    ///
    /// As a `Metric`, `update(yTrue:yPred:sampleWeight:)` averages `yPred` and ignores `yTrue`.
    public final class Mean: Metric {
        public var name: String
        var state = MeanAccumulator()

        public init(name: String = "mean") { self.name = name }

        /// Adds values: with sample weights, their weighted mean (per sample) counts with the
        /// weights' total; without, each sample counts once.
        public func update(_ values: Tensor, sampleWeight: Tensor? = nil) {
            state.add(values, sampleWeight: sampleWeight)
        }

        /// Adds one value with a weight.
        public func update(_ value: Float, weight: Float = 1) {
            state.total += Double(value) * Double(weight)
            state.count += Double(weight)
        }

        public func update(yTrue: Tensor, yPred: Tensor, sampleWeight: Tensor?) {
            update(yPred, sampleWeight: sampleWeight)
        }

        public func result() -> Float { state.mean }
        public func reset() { state.reset() }
    }

    /// The weighted sum of the values given (Keras' `Sum`).
    ///
    /// As a `Metric`, `update(yTrue:yPred:sampleWeight:)` sums `yPred` and ignores `yTrue`.
    public final class Sum: Metric {
        public var name: String
        var state = MeanAccumulator()

        public init(name: String = "sum") { self.name = name }

        public func update(_ values: Tensor, sampleWeight: Tensor? = nil) {
            state.add(values, sampleWeight: sampleWeight, reduceBySum: true)
        }

        public func update(yTrue: Tensor, yPred: Tensor, sampleWeight: Tensor?) {
            update(yPred, sampleWeight: sampleWeight)
        }

        public func result() -> Float { Float(state.total) }
        public func reset() { state.reset() }
    }

    /// The mean of a function of labels and predictions (Keras' `MeanMetricWrapper`): every
    /// metric that averages a per-sample value, such as accuracy or a loss, is one.
    ///
    /// ```swift
    /// let error = Metrics.MeanMetricWrapper(name: "max_error") { yTrue, yPred in
    ///     (yTrue - yPred).abs().max(axis: -1)
    /// }
    /// ```
    public class MeanMetricWrapper: Metric {
        public var name: String
        let function: (Tensor, Tensor) -> Tensor
        var state = MeanAccumulator()

        /// `function` maps labels and predictions to values (one per sample or more), which are
        /// averaged with Keras' rules for sample weights.
        public init(name: String, function: @escaping (_ yTrue: Tensor, _ yPred: Tensor) -> Tensor) {
            self.name = name
            self.function = function
        }

        /// A metric that averages `loss`'s per-sample values; named after the loss unless
        /// `name` is given.
        public convenience init(loss: any Loss, name: String? = nil) {
            self.init(name: name ?? loss.name) { yTrue, yPred in
                let (t, p) = LossShapes.squeezeOrExpandToSameRank(yTrue, yPred)
                return loss.perSampleLoss(yTrue: t, yPred: p)
            }
        }

        public func update(yTrue: Tensor, yPred: Tensor, sampleWeight: Tensor?) {
            state.add(function(yTrue.detached, yPred.detached), sampleWeight: sampleWeight)
        }

        public func result() -> Float { state.mean }
        public func reset() { state.reset() }
    }
}
