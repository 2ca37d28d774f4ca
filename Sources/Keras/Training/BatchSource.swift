import Dispatch

/// One batch: inputs, and for training or evaluation, targets and optional sample weights.
/// A model with several inputs or outputs takes one array per input and per output.
public struct Batch {
    /// One array per model input.
    public var inputs: [Tensor]
    /// One array per model output; `nil` for prediction.
    public var targets: [Tensor]?
    public var sampleWeight: Tensor?

    public init(x: Tensor, y: Tensor? = nil, sampleWeight: Tensor? = nil) {
        self.init(inputs: [x], targets: y.map { [$0] }, sampleWeight: sampleWeight)
    }

    public init(inputs: [Tensor], targets: [Tensor]? = nil, sampleWeight: Tensor? = nil) {
        self.inputs = inputs
        self.targets = targets
        self.sampleWeight = sampleWeight
    }

    /// The (first) input.
    public var x: Tensor {
        get { inputs[0] }
        set { inputs[0] = newValue }
    }

    /// The (first) target.
    public var y: Tensor? {
        get { targets?.first }
        set { targets = newValue.map { [$0] } }
    }

    /// The number of samples.
    var count: Int { inputs[0].shape[0] }
}

/// Batches made on demand, for data larger than memory (Keras' `PyDataset`).
///
/// `fit`, `evaluate` and `predict` accept a source in place of tensors. While one batch trains,
/// the next is prepared on a background thread, so `batch(at:)` must be safe to call from a
/// thread other than the caller's (reading files and decoding is; mutating shared state is not).
public protocol BatchSource: AnyObject {
    /// The number of batches in one epoch.
    var batchCount: Int { get }
    /// Batch number `index`, `0..<batchCount`.
    func batch(at index: Int) throws -> Batch
    /// Called after each epoch, for instance to reshuffle samples between batches.
    func onEpochEnd()
}

extension BatchSource {
    public func onEpochEnd() {}
}

/// The batches of one pass over the data, as the training loops consume them.
protocol BatchPlan: AnyObject {
    var batchCount: Int { get }
    /// Whether each batch must still be checked (shapes, NaN); in-memory data is checked once.
    var checksEachBatch: Bool { get }
    func startEpoch(shuffled: Bool)
    func batch(_ step: Int) throws -> Batch
    func endEpoch()
}

/// In-memory tensors cut into batches; shuffling reorders samples, as Keras does.
final class TensorBatches: BatchPlan {
    let x: [Tensor], y: [Tensor]?, weights: Tensor?
    let batchSize: Int
    private var order: [Int]?

    init(x: [Tensor], y: [Tensor]?, weights: Tensor?, batchSize: Int) {
        self.x = x
        self.y = y
        self.weights = weights
        self.batchSize = batchSize
    }

    var count: Int { x[0].shape[0] }
    var batchCount: Int { count / batchSize + (count % batchSize == 0 ? 0 : 1) }
    var checksEachBatch: Bool { false }

    func startEpoch(shuffled: Bool) {
        guard shuffled else { order = nil; return }
        var indices = order ?? Array(0..<count)
        RandomGenerator.withGlobal { indices.shuffle(using: &$0) }
        order = indices
    }

    func batch(_ step: Int) throws -> Batch {
        let start = step * batchSize
        let range = start..<(start + min(batchSize, count - start))
        if range.count == count { return Batch(inputs: x, targets: y, sampleWeight: weights) }
        guard let order else {
            return Batch(inputs: x.map { $0.slice(axis: 0, range) }, targets: y?.map { $0.slice(axis: 0, range) },
                         sampleWeight: weights?.slice(axis: 0, range))
        }
        let indices = Tensor(order[range].map(Float.init))
        return Batch(inputs: x.map { $0.gathering(indices) }, targets: y?.map { $0.gathering(indices) },
                     sampleWeight: weights?.gathering(indices))
    }

    func endEpoch() {}
}

/// A user's `BatchSource`, with its batch order shuffled per epoch and the next batch
/// prepared in the background.
final class SourceBatches: BatchPlan {
    let source: any BatchSource
    private var order: [Int] = []
    private var pending: (step: Int, slot: PrefetchSlot, group: DispatchGroup)?
    private let queue = DispatchQueue(label: "keras.batch-prefetch")

    init(_ source: any BatchSource) {
        self.source = source
    }

    var batchCount: Int { source.batchCount }
    var checksEachBatch: Bool { true }

    func startEpoch(shuffled: Bool) {
        order = Array(0..<batchCount)
        if shuffled { RandomGenerator.withGlobal { order.shuffle(using: &$0) } }
        pending = nil
    }

    func batch(_ step: Int) throws -> Batch {
        let result: Result<Batch, Error>
        if let pending, pending.step == step {
            pending.group.wait()
            result = pending.slot.result!
        } else {
            result = Result { try source.batch(at: order[step]) }
        }
        pending = nil
        if step + 1 < order.count { prefetch(step + 1) }
        let batch = try result.get()
        try DataChecks.sampleWeight(batch.sampleWeight, samples: batch.x.shape.first ?? 0, call: "batch \(order[step])")
        return batch
    }

    private func prefetch(_ step: Int) {
        let slot = PrefetchSlot(), group = DispatchGroup()
        let work = UncheckedTransfer((source, order[step], slot))
        queue.async(group: group) {
            let (source, index, slot) = work.value
            slot.result = Result { try source.batch(at: index) }
        }
        pending = (step, slot, group)
    }

    func endEpoch() {
        pending?.group.wait()
        pending = nil
        source.onEpochEnd()
    }
}

/// Where a background thread leaves a prepared batch; read after the group's `wait`.
private final class PrefetchSlot: @unchecked Sendable {
    var result: Result<Batch, Error>?
}

/// Hands a value to the prefetch thread; the plan never touches it concurrently.
private struct UncheckedTransfer<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
