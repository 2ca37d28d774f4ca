/// Shifts and scales inputs to mean 0 and variance 1 per feature, as Keras' `Normalization`:
/// `(x - mean) / max(sqrt(variance), 1e-7)`, or with `invert` the reverse,
/// `mean + x * max(sqrt(variance), 1e-7)`.
///
/// The statistics are either learned from data with `adapt(_:)` (before `fit`), or given:
///
/// ```swift
/// let normalizer = Normalization()          // one mean and variance per feature (the last axis)
/// try normalizer.adapt(xTrain)
/// let model = Sequential([normalizer, Dense(units: 12, activation: .relu), Dense(units: 1)])
///
/// Normalization(mean: 3, variance: 2)       // fixed statistics: no weights, no adapt
/// ```
///
/// `axis` picks the axes that keep their own statistics (`-1`: the last axis, one mean per
/// feature); the others are averaged over. `axis: nil` gives one scalar mean and variance;
/// `Normalization(axes: [1, 2])` keeps several axes. The adapted statistics are non-trainable
/// weights `mean` and `variance` of the kept axes' shape, plus Keras' scalar `count` (kept for
/// Keras' weight layout; Keras 3 never updates it, so it stays 0). `summary()` counts all three as
/// non-trainable parameters, as Keras does. Gradients flow to the inputs, not to the statistics.
///
/// Unlike Keras, which silently uses mean 0 and variance 1, calling an unadapted layer
/// (no `adapt`, no `mean:`/`variance:`, no weights set) throws.
public final class Normalization: Layer {
    /// Keras' `backend.epsilon()`: the smallest standard deviation divided by.
    public static let epsilon: Float = 1e-7

    /// The axes that keep their own statistics, as given (negative values count from the end).
    public let axes: [Int]
    /// Whether the layer undoes the normalization instead.
    public let invert: Bool
    /// The statistics given at creation, if any.
    public let givenMean: Tensor?
    public let givenVariance: Tensor?

    /// The adapted mean (Keras' `adapt_mean`), once built without given statistics.
    public private(set) var adaptedMean: Variable?
    /// The adapted population variance (Keras' `adapt_variance`).
    public private(set) var adaptedVariance: Variable?
    /// Keras' legacy `count` weight: a scalar that stays 0.
    public private(set) var count: Variable?

    /// The kept axes, non-negative and sorted, once built.
    public private(set) var keptAxes: [Int] = []
    /// The input shape with reduced axes set to 1: the shape statistics broadcast from.
    private var broadcastShape: [Int] = []
    /// The given statistics broadcast to `broadcastShape`.
    private var fixedMean: Tensor?
    private var fixedVariance: Tensor?
    private var hasStatistics = false

    /// - Parameters:
    ///   - axis: the axis with separate statistics per index (`-1`, the features); `nil` for
    ///     one scalar mean and variance.
    ///   - mean, variance: fixed statistics instead of `adapt`; both or neither. They broadcast
    ///     to the kept axes, aligned from the right.
    ///   - invert: turn normalized values back into the original scale.
    public convenience init(axis: Int? = -1, mean: Tensor? = nil, variance: Tensor? = nil, invert: Bool = false,
                            inputShape: [Int]? = nil, name: String? = nil) {
        self.init(axes: axis.map { [$0] } ?? [], mean: mean, variance: variance, invert: invert,
                  inputShape: inputShape, name: name)
    }

    /// A layer keeping separate statistics for each index of several `axes` (`[]`: one scalar).
    public init(axes: [Int], mean: Tensor? = nil, variance: Tensor? = nil, invert: Bool = false,
                inputShape: [Int]? = nil, name: String? = nil) {
        self.axes = axes
        self.invert = invert
        givenMean = mean
        givenVariance = variance
        super.init(name: name, inputShape: inputShape)
    }

    /// Whether the layer has statistics to normalize with: adapted, given, or set as weights.
    public var isAdapted: Bool {
        if hasStatistics { return true }
        guard let adaptedMean, let adaptedVariance else { return false }
        // Weights assigned from outside (a model's `setWeights`, a restore) count as statistics.
        return adaptedMean.value.scalars.contains { $0 != 0 } || adaptedVariance.value.scalars.contains { $0 != 1 }
    }

    /// The mean used by `call`, shaped to broadcast against inputs (Keras' `layer.mean`).
    public var mean: Tensor? {
        fixedMean ?? adaptedMean.map { $0.value.reshaped(to: broadcastShape) }
    }

    /// The variance used by `call`, shaped to broadcast against inputs (Keras' `layer.variance`).
    public var variance: Tensor? {
        fixedVariance ?? adaptedVariance.map { $0.value.reshaped(to: broadcastShape) }
    }

    // MARK: - Building

    /// The kept axes for inputs of `rank`, checked.
    private func resolveAxes(rank: Int) throws -> [Int] {
        for axis in axes where axis < -rank || axis >= rank {
            throw KerasError.invalidArgument(
                name: "Normalization(axis:) of layer '\(name)'", value: "\(axes.count == 1 ? "\(axes[0])" : "\(axes)")",
                expected: "axes in -\(rank)..<\(rank) for inputs of rank \(rank)")
        }
        return Set(axes.map { $0 < 0 ? $0 + rank : $0 }).sorted()
    }

    public override func build(inputShape: [Int?]) throws {
        if (givenMean == nil) != (givenVariance == nil) {
            throw KerasError.invalidArgument(
                name: "Normalization '\(name)' mean/variance", value: givenMean == nil ? "variance only" : "mean only",
                expected: "both mean: and variance:, or neither (then call adapt(_:))")
        }
        let kept = try resolveAxes(rank: inputShape.count)
        var shape: [Int] = []
        for axis in 0..<inputShape.count {
            guard kept.contains(axis) else { shape.append(1); continue }
            guard let size = inputShape[axis] else {
                throw KerasError.invalidArgument(
                    name: "Normalization(axis:) of layer '\(name)'", value: "\(axis)",
                    expected: "an axis of known size, but inputs are \(formatShape(inputShape))"
                        + (axis == 0 ? " and axis 0 is the batch axis: adapt(_:) the layer on data first, or use axis: nil for one scalar mean"
                                     : ": give the model an inputShape:, or adapt(_:) the layer first"))
            }
            shape.append(size)
        }
        keptAxes = kept
        broadcastShape = shape
        let statisticsShape = kept.map { shape[$0] }
        if let givenMean, let givenVariance {
            (fixedMean, fixedVariance) = try broadcastGiven(givenMean, givenVariance, statisticsShape: statisticsShape)
            hasStatistics = true
        } else {
            adaptedMean = try addWeight(name: "mean", shape: statisticsShape, initializer: .zeros, trainable: false)
            adaptedVariance = try addWeight(name: "variance", shape: statisticsShape, initializer: .ones, trainable: false)
            count = try addWeight(name: "count", shape: [], initializer: .zeros, trainable: false)
        }
    }

    /// Keras' broadcasting of given statistics: a scalar everywhere, otherwise the dimensions
    /// aligned from the right with the kept axes.
    private func broadcastGiven(_ mean: Tensor, _ variance: Tensor, statisticsShape: [Int]) throws -> (Tensor, Tensor) {
        guard mean.shape == variance.shape else {
            throw KerasError.shapeMismatch(
                context: "Layer '\(name)' (Normalization) variance", expected: formatShape(mean.shape.map { $0 }),
                got: formatShape(variance.shape.map { $0 }), fix: "Give mean: and variance: the same shape.")
        }
        var expanded = [Int](repeating: 1, count: broadcastShape.count)
        var compatible = mean.rank <= keptAxes.count
        if compatible {
            for i in stride(from: 1, through: mean.rank, by: 1) {
                let axis = keptAxes[keptAxes.count - i], size = mean.shape[mean.rank - i]
                expanded[axis] = size
                if size != 1 && size != broadcastShape[axis] { compatible = false }
            }
        }
        guard compatible else {
            throw KerasError.shapeMismatch(
                context: "Layer '\(name)' (Normalization) mean and variance", expected: formatShape(statisticsShape.map { $0 }),
                got: formatShape(mean.shape.map { $0 }),
                fix: "They must broadcast to the kept axes \(keptAxes): give one value per index, or a scalar.")
        }
        return (mean.detached.reshaped(to: expanded).broadcast(to: broadcastShape),
                variance.detached.reshaped(to: expanded).broadcast(to: broadcastShape))
    }

    // MARK: - Adapting

    /// Computes the mean and population variance of `data` over every axis but the kept ones,
    /// as Keras' `adapt` does on an array, and stores them as the layer's weights. Builds the
    /// layer from the data's shape when needed.
    public func adapt(_ data: Tensor) throws {
        try adapt(batches: [data])
    }

    /// `adapt` over batches (Keras' `adapt` on a dataset or a list of arrays): the statistics of
    /// all batches together, merged batch by batch as Keras does.
    public func adapt(batches: [Tensor]) throws {
        guard givenMean == nil && givenVariance == nil else {
            throw KerasError.invalidState(
                "Layer '\(name)' (Normalization) was given mean: and variance:, so it has nothing to adapt. "
                    + "Create it without them to learn the statistics with adapt(_:).")
        }
        guard let first = batches.first else {
            throw KerasError.invalidData("Layer '\(name)' (Normalization): adapt(batches:) got no batches; pass at least one.")
        }
        if !isBuilt {
            let kept = try resolveAxes(rank: first.rank)
            let shape: [Int?] = first.shape.enumerated().map { axis, size in axis == 0 && !kept.contains(0) ? nil : size }
            try buildIfNeeded(inputShape: shape)
        }
        guard let adaptedMean, let adaptedVariance else {
            throw KerasError.invalidState("Layer '\(name)' (Normalization) has no statistics weights to adapt.")
        }
        var totalMean = [Double](repeating: 0, count: adaptedMean.shape.reduce(1, *))
        var totalVariance = totalMean
        var totalCount = 0
        for batch in batches {
            try checkShape(of: batch, call: "adapt")
            let (mean, variance, count) = try moments(of: batch)
            if batches.count == 1 {
                (totalMean, totalVariance) = (mean, variance)
                break
            }
            // Keras' merge of batch statistics (the lack-of-fit sum of squares).
            totalCount += count
            let batchWeight = Double(count) / Double(totalCount), existingWeight = 1 - batchWeight
            for j in totalMean.indices {
                let newMean = totalMean[j] * existingWeight + mean[j] * batchWeight
                let shiftOld = totalMean[j] - newMean, shiftNew = mean[j] - newMean
                totalVariance[j] = (totalVariance[j] + shiftOld * shiftOld) * existingWeight
                    + (variance[j] + shiftNew * shiftNew) * batchWeight
                totalMean[j] = newMean
            }
        }
        adaptedMean.assign(Tensor(shape: adaptedMean.shape, scalars: totalMean.map { Float($0) }))
        adaptedVariance.assign(Tensor(shape: adaptedVariance.shape, scalars: totalVariance.map { Float($0) }))
        hasStatistics = true
    }

    /// The mean and population variance of `data` for each index of the kept axes (in
    /// `Double`), and how many values each was taken over.
    private func moments(of data: Tensor) throws -> (mean: [Double], variance: [Double], count: Int) {
        let reduced = (0..<data.rank).filter { !keptAxes.contains($0) }
        let keptCount = keptAxes.reduce(1) { $0 * data.shape[$1] }
        let count = reduced.reduce(1) { $0 * data.shape[$1] }
        guard count > 0 else {
            throw KerasError.invalidData("Layer '\(name)' (Normalization): adapt got no samples (data shape \(data.shape)).")
        }
        // Reduced axes first, kept axes last: row r, column j is the r-th value of statistic j.
        let rows = data.detached.transposed(reduced + keptAxes).scalars
        var mean = [Double](repeating: 0, count: keptCount), variance = mean
        for r in 0..<count {
            for j in 0..<keptCount { mean[j] += Double(rows[r * keptCount + j]) }
        }
        for j in 0..<keptCount { mean[j] /= Double(count) }
        for r in 0..<count {
            for j in 0..<keptCount {
                let deviation = Double(rows[r * keptCount + j]) - mean[j]
                variance[j] += deviation * deviation
            }
        }
        for j in 0..<keptCount { variance[j] /= Double(count) }
        guard mean.allSatisfy(\.isFinite) && variance.allSatisfy(\.isFinite) else {
            throw KerasError.invalidData("Layer '\(name)' (Normalization): adapt data contains NaN or infinite values; clean or impute them first.")
        }
        return (mean, variance, count)
    }

    /// Checks that `input` has the built rank and the built sizes on the kept axes.
    private func checkShape(of input: Tensor, call: String) throws {
        let fits = input.rank == broadcastShape.count && keptAxes.allSatisfy { input.shape[$0] == broadcastShape[$0] }
        guard !fits else { return }
        let built = builtInputShape ?? broadcastShape.map { $0 }
        let got: [Int?] = input.shape.enumerated().map { axis, size in axis == 0 && !keptAxes.contains(0) ? nil : size }
        throw shapeError(
            expected: formatShape(built), got: got,
            fix: call == "adapt"
                ? "The layer was built for sizes \(keptAxes.map { broadcastShape[$0] }) on axes \(keptAxes); adapt on data of that shape, or create a new layer."
                : "The layer's statistics are for sizes \(keptAxes.map { broadcastShape[$0] }) on axes \(keptAxes); reshape the data or adapt a new layer.")
    }

    // MARK: - Calling

    public override func setWeights(_ values: [Tensor]) throws {
        try super.setWeights(values)
        hasStatistics = true
    }

    public override func call(_ input: Tensor, training: Bool) throws -> Tensor {
        guard isBuilt else { throw KerasError.invalidState("Layer '\(name)' was called before it was built.") }
        try checkShape(of: input, call: "call")
        guard isAdapted, let mean, let variance else {
            throw KerasError.invalidState(
                "Layer '\(name)' (Normalization) has no mean and variance yet. Call adapt(_:) on the training "
                    + "data before using it (before fit), or create it with mean: and variance:.")
        }
        hasStatistics = true
        let scale = variance.sqrt().maximum(Tensor(Normalization.epsilon))
        return invert ? mean + input * scale : (input - mean) / scale
    }

    // MARK: - Configuration

    public override func getConfig() throws -> [ConfigField] {
        func statistic(_ tensor: Tensor?) -> ConfigValue {
            guard let tensor else { return .null }
            return tensor.rank == 0 ? .float(tensor.scalar) : .floats(tensor.scalars)
        }
        return try super.getConfig() + [
            ConfigField("axis", .array(axes.map(ConfigValue.int))),
            ConfigField("invert", .bool(invert)),
            ConfigField("mean", statistic(givenMean)),
            ConfigField("variance", statistic(givenVariance)),
        ]
    }

    /// The layer a Keras config describes (`axis` an integer, a list, or `null`).
    public convenience init(config: ConfigReader) throws {
        let axes: [Int]
        switch config.value("axis") {
        case nil: axes = []
        case .array?: axes = try config.intArray("axis")
        default: axes = [try config.int("axis")]
        }
        func statistic(_ key: String) throws -> Tensor? {
            guard let value = config.value(key) else { return nil }
            if case .array = value { return Tensor(try config.floatArray(key)) }
            return Tensor(try config.float(key))
        }
        self.init(axes: axes, mean: try statistic("mean"), variance: try statistic("variance"),
                  invert: try config.bool("invert", default: false), inputShape: try config.declaredInputShape(),
                  name: config.layerName)
    }
}
