/// A loss: how far predictions are from labels, as a differentiable scalar to minimise.
///
/// Conforming types compute one value per sample (`perSampleLoss`); calling the loss applies
/// sample weights and Keras' default reduction, `sum_over_batch_size`:
///
/// ```swift
/// let loss = Losses.BinaryCrossentropy(fromLogits: true)
/// let value = loss(yTrue, yPred)                      // a scalar Tensor
/// let weighted = loss(yTrue, yPred, sampleWeight: w)  // sum(loss · w) / batch size
/// ```
public protocol Loss: Sendable, LossRepresentable {
    /// The Keras name, such as `"mean_squared_error"`, used in configs and messages.
    var name: String { get }

    /// The loss of each sample: the last axis of the inputs reduced away (Keras' convention),
    /// written with differentiable tensor operations.
    func perSampleLoss(yTrue: Tensor, yPred: Tensor) -> Tensor

    /// Throws a `KerasError.shapeMismatch` naming the loss when labels of shape `yTrue`
    /// cannot be compared with predictions of shape `yPred`.
    func validate(yTrue: [Int], yPred: [Int]) throws

    /// Throws when labels `yTrue` cannot be compared with predictions `yPred`: their shapes
    /// (`validate(yTrue:yPred:)` of the shapes, the default), and for losses that read labels as
    /// class indices, their values. What `fit`, `evaluate` and `trainOnBatch` check on each batch.
    func validate(yTrue: Tensor, yPred: Tensor) throws

    /// How the per-sample losses become one value. Defaults to `.sumOverBatchSize`.
    var reduction: LossReduction { get }

    /// The per-sample losses and, where some entries do not count (Keras' mask, as set by
    /// `ignoreClass`), a 0/1 mask of the same shape. Defaults to `perSampleLoss` with no mask.
    func perSampleLossAndMask(yTrue: Tensor, yPred: Tensor) -> (loss: Tensor, mask: Tensor?)
}

/// How a loss reduces its per-sample values (Keras' `reduction` argument).
public enum LossReduction: String, Sendable, CaseIterable {
    /// The sum of the weighted losses divided by the number of loss values (Keras' default;
    /// the sample weights do not enter the divisor).
    case sumOverBatchSize = "sum_over_batch_size"
    /// The same as `sumOverBatchSize`.
    case mean
    /// The sum of the weighted losses divided by the sum of the sample weights.
    case meanWithSampleWeight = "mean_with_sample_weight"
    /// The sum of the weighted losses.
    case sum
    /// No reduction: the weighted per-sample losses.
    case none
}

extension Loss {
    public var reduction: LossReduction { .sumOverBatchSize }

    public func perSampleLossAndMask(yTrue: Tensor, yPred: Tensor) -> (loss: Tensor, mask: Tensor?) {
        (perSampleLoss(yTrue: yTrue, yPred: yPred), nil)
    }

    /// By default nothing is checked: a custom loss may pair labels and predictions of any
    /// shapes. The losses defined here check their shapes.
    public func validate(yTrue: [Int], yPred: [Int]) throws {}

    public func validate(yTrue: Tensor, yPred: Tensor) throws {
        try validate(yTrue: yTrue.shape, yPred: yPred.shape)
    }

    /// The loss of a batch as a scalar tensor (unless `reduction` is `.none`), differentiable
    /// with respect to `yPred`.
    ///
    /// As in Keras: a trailing axis of size 1 is squeezed or added so that labels and
    /// predictions have the same rank; the per-sample losses are multiplied by `sampleWeight`
    /// (broadcast, e.g. one weight per sample) and reduced by `reduction`. With the default
    /// `sum_over_batch_size` the result is `sum(loss · weight) / number of loss values`.
    /// Stops with the message of `validate` when the shapes cannot be compared.
    public func callAsFunction(_ yTrue: Tensor, _ yPred: Tensor, sampleWeight: Tensor? = nil) -> Tensor {
        do {
            try validate(yTrue: yTrue.shape, yPred: yPred.shape)
        } catch {
            preconditionFailure("\(error)")
        }
        let (alignedTrue, alignedPred) = LossShapes.squeezeOrExpandToSameRank(yTrue, yPred)
        let (values, mask) = perSampleLossAndMask(yTrue: alignedTrue, yPred: alignedPred)
        return LossReducer.reduceWeighted(values, sampleWeight: sampleWeight, mask: mask, reduction: reduction)
    }
}

// MARK: - Keras' shape rules and reductions

/// Keras' `squeeze_or_expand_to_same_rank` and the shape checks built on it.
enum LossShapes {
    /// The shapes after Keras' `squeeze_or_expand_to_same_rank`: when the ranks differ by one
    /// and the longer shape ends in 1, that axis is squeezed away (or, with `expandRank1` and a
    /// rank-1 partner, the partner gets a trailing 1).
    static func squeezeOrExpand(_ a: [Int], _ b: [Int], expandRank1: Bool = true) -> ([Int], [Int]) {
        var a = a, b = b
        if a.count == b.count { return (a, b) }
        if a.count == b.count + 1, a.last == 1 {
            if b.count == 1 && expandRank1 { b.append(1) } else { a.removeLast() }
        }
        if b.count == a.count + 1, b.last == 1 {
            if a.count == 1 && expandRank1 { a.append(1) } else { b.removeLast() }
        }
        return (a, b)
    }

    /// The tensors reshaped by `squeezeOrExpand` (gradients flow through the reshape).
    static func squeezeOrExpandToSameRank(_ a: Tensor, _ b: Tensor, expandRank1: Bool = true) -> (Tensor, Tensor) {
        let (sa, sb) = squeezeOrExpand(a.shape, b.shape, expandRank1: expandRank1)
        return (sa == a.shape ? a : a.reshaped(to: sa), sb == b.shape ? b : b.reshaped(to: sb))
    }

    /// The broadcast shape of two shapes, or nil.
    static func broadcast(_ a: [Int], _ b: [Int]) -> [Int]? {
        let rank = Swift.max(a.count, b.count)
        var result = [Int](repeating: 1, count: rank)
        for axis in 0..<rank {
            let x = axis - (rank - a.count) >= 0 ? a[axis - (rank - a.count)] : 1
            let y = axis - (rank - b.count) >= 0 ? b[axis - (rank - b.count)] : 1
            guard x == y || x == 1 || y == 1 else { return nil }
            result[axis] = x == 1 ? y : x
        }
        return result
    }

    static func format(_ shape: [Int]) -> String { formatShape(shape.map { Optional($0) }) }

    /// Throws unless the shapes broadcast together after `squeezeOrExpand`.
    static func requireBroadcastable(_ name: String, yTrue: [Int], yPred: [Int]) throws {
        let (t, p) = squeezeOrExpand(yTrue, yPred)
        guard broadcast(t, p) == nil else { return }
        throw KerasError.shapeMismatch(
            context: "Loss '\(name)'", expected: "labels shaped like the predictions \(format(yPred))",
            got: "labels of shape \(format(yTrue))",
            fix: "Give one label per prediction: reshape the labels to \(format(yPred)), or change the model's last layer to output the shape of the labels.")
    }

    /// Whether labels of shape `yTrue` fit predictions of shape `yPred` (after squeezing or expanding a last axis of 1).
    static func areEqual(_ yTrue: [Int], _ yPred: [Int]) -> Bool {
        let (t, p) = squeezeOrExpand(yTrue, yPred)
        return t == p
    }

    /// Throws unless the shapes are equal after `squeezeOrExpand` (Keras' crossentropies).
    static func requireEqual(_ name: String, yTrue: [Int], yPred: [Int], fix: String) throws {
        guard !areEqual(yTrue, yPred) else { return }
        throw KerasError.shapeMismatch(
            context: "Loss '\(name)'", expected: "labels of the same shape as the predictions \(format(yPred))",
            got: "labels of shape \(format(yTrue))", fix: fix)
    }
}

/// Keras' `reduce_weighted_values`: mask and sample weights applied, then the reduction.
enum LossReducer {
    static func reduceWeighted(_ values: Tensor, sampleWeight: Tensor?, mask: Tensor?, reduction: LossReduction) -> Tensor {
        var weight = sampleWeight
        if let mask {
            // Masked entries get weight 0; with a mean-type reduction the others get
            // total / valid, so that the sum divided by all entries is the mean over valid ones.
            var floatMask = mask
            if reduction == .sumOverBatchSize || reduction == .mean {
                let valid = mask.withUnsafeBufferPointer { $0.reduce(Float(0)) { $0 + ($1 != 0 ? 1 : 0) } }
                let scale: Float = valid == 0 ? 0 : Float(mask.count) / valid
                floatMask = mask.constantMap { $0 != 0 ? scale : 0 }
            }
            if let w = weight {
                let (m, sw) = LossShapes.squeezeOrExpandToSameRank(floatMask, w)
                weight = sw * m
            } else {
                weight = floatMask
            }
        }
        var values = values
        if let w = weight {
            let (v, sw) = LossShapes.squeezeOrExpandToSameRank(values, w)
            values = v * sw
        }
        if reduction == .none || values.rank == 0 || values.shape == [0] { return values }
        let total = values.sum()
        switch reduction {
        case .sum, .none:
            return total
        case .sumOverBatchSize, .mean, .meanWithSampleWeight:
            var divisor = Float(values.count)
            if reduction == .meanWithSampleWeight, let w = weight {
                divisor = w.withUnsafeBufferPointer { $0.reduce(Float(0), +) }
            }
            return divisor == 0 ? Tensor(0) : total * (1 / divisor)
        }
    }
}

extension Tensor {
    /// `transform` applied to each scalar, with no gradient: for constants such as masks.
    func constantMap(_ transform: (Float) -> Float) -> Tensor {
        var result = self.detached
        result.withUnsafeMutableBufferPointer { buffer in
            for i in buffer.indices { buffer[i] = transform(buffer[i]) }
        }
        return result
    }
}
