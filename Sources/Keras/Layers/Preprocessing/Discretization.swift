/// Buckets continuous values by ranges, as Keras' `Discretization`: each value becomes the index
/// of its bin (or a one-hot, multi-hot or count encoding of the bins).
///
/// ```swift
/// Discretization(binBoundaries: [0, 1, 2])   // bins (-inf, 0), [0, 1), [1, 2), [2, inf): 0…3
///
/// let bucketer = Discretization(numBins: 4)  // boundaries at approximate quantiles of the data
/// try bucketer.adapt(ages)
/// ```
///
/// `adapt` follows Keras' approximate-quantile algorithm step for step (the same summaries,
/// merges and interpolations, so the same boundaries), including its quirks: fewer distinct
/// values than bins give fewer boundaries, and for a few bin counts (49, 98, …) numpy's
/// `arange` yields one boundary more than asked. Values equal to a boundary go to the bin above
/// it; NaN goes to the last bin. Outputs carry no gradient.
public final class Discretization: Layer {
    /// Keras drops the mask here.
    public override class var supportsMasking: Bool { false }

    public enum OutputMode: String, Sendable, CaseIterable {
        /// The bin index of each value, same shape as the input.
        case int
        /// One vector per value (see `CategoryEncoding`).
        case oneHot = "one_hot"
        /// One vector per sample, 1 for each bin present.
        case multiHot = "multi_hot"
        /// One vector per sample, how many values fell in each bin.
        case count
    }

    /// The inner bin edges, ascending; `nil` until `adapt` when created with `numBins`.
    public private(set) var binBoundaries: [Float]?
    /// The number of bins `adapt` aims for, when created with it.
    public let numBins: Int?
    /// The error tolerance of `adapt`'s quantile approximation.
    public let epsilon: Double
    public let outputMode: OutputMode

    /// Fixed bins: `binBoundaries` ascending; `adapt` is not used.
    public init(binBoundaries: [Float], outputMode: OutputMode = .int, inputShape: [Int]? = nil, name: String? = nil) {
        self.binBoundaries = binBoundaries
        numBins = nil
        epsilon = 0.01
        self.outputMode = outputMode
        super.init(name: name, inputShape: inputShape)
    }

    /// Bins learned with `adapt`: `numBins` bins of about equal counts, to within `epsilon`.
    public init(numBins: Int, epsilon: Double = 0.01, outputMode: OutputMode = .int, inputShape: [Int]? = nil,
                name: String? = nil) {
        binBoundaries = nil
        self.numBins = numBins
        self.epsilon = epsilon
        self.outputMode = outputMode
        super.init(name: name, inputShape: inputShape)
    }

    /// The number of bins: one more than the boundaries, or `numBins` before `adapt`.
    public var depth: Int { binBoundaries.map { $0.count + 1 } ?? numBins ?? 1 }

    public override func build(inputShape: [Int?]) throws {
        try validate()
    }

    private func validate() throws {
        if let numBins, numBins < 1 {
            throw KerasError.invalidArgument(name: "Discretization(numBins:) of layer '\(name)'", value: "\(numBins)", expected: "at least 1 bin")
        }
        guard epsilon > 0 && epsilon <= 1 else {
            throw KerasError.invalidArgument(name: "Discretization(epsilon:) of layer '\(name)'", value: "\(epsilon)",
                                             expected: "a tolerance in (0, 1], such as 0.01")
        }
        if let binBoundaries, numBins == nil {
            guard binBoundaries.allSatisfy(\.isFinite), zip(binBoundaries, binBoundaries.dropFirst()).allSatisfy({ $0 <= $1 }) else {
                throw KerasError.invalidArgument(name: "Discretization(binBoundaries:) of layer '\(name)'", value: "\(binBoundaries)",
                                                 expected: "finite boundaries in ascending order")
            }
        }
    }

    public override func outputShape(forInputShape inputShape: [Int?]) throws -> [Int?] {
        guard let mode = outputMode.encoding else { return inputShape }
        return try categoricalOutputShape(inputShape, depth: depth, mode: mode, layer: self)
    }

    // MARK: - Adapting

    /// Learns bin boundaries at approximate quantiles of every value of `data`, as Keras does.
    public func adapt(_ data: Tensor) throws {
        try adapt(batches: [data])
    }

    /// `adapt` over batches (Keras' `adapt` on a dataset or a list of arrays): each batch is
    /// summarized and merged into the running summary.
    public func adapt(batches: [Tensor]) throws {
        guard let numBins else {
            throw KerasError.invalidState(
                "Layer '\(name)' (Discretization) was created with binBoundaries:, so it has nothing to adapt. "
                    + "Create it with numBins: to learn the boundaries from data.")
        }
        try validate()
        guard batches.contains(where: { $0.count > 0 }) else {
            throw KerasError.invalidData("Layer '\(name)' (Discretization): adapt got no values; pass data with at least one value.")
        }
        var merged = QuantileSummary()
        for batch in batches {
            let values = batch.scalars
            guard values.allSatisfy({ !$0.isNaN }) else {
                throw KerasError.invalidData("Layer '\(name)' (Discretization): adapt data contains NaN; clean or impute it first.")
            }
            merged = QuantileSummary(values: values, epsilon: epsilon).merged(with: merged, epsilon: epsilon)
        }
        binBoundaries = Array(merged.compressed(epsilon: 1.0 / Double(numBins)).values.dropLast())
    }

    // MARK: - Calling

    public override func call(_ input: Tensor, training: Bool) throws -> Tensor {
        guard let binBoundaries else {
            throw KerasError.invalidState(
                "Layer '\(name)' (Discretization) has no bin boundaries yet. Call adapt(_:) on training data "
                    + "before using it, or create it with binBoundaries:.")
        }
        let indices = input.scalars.map { Float(Discretization.bucket(of: $0, in: binBoundaries)) }
        let binned = Tensor(shape: input.shape, scalars: indices)
        guard let mode = outputMode.encoding else { return binned }
        return try encodeCategorical(binned, depth: binBoundaries.count + 1, mode: mode, countWeights: nil, layer: self)
    }

    /// The number of boundaries not above `value` (C++'s `upper_bound`, as TensorFlow's
    /// `Bucketize`): bin `i` holds `boundaries[i - 1] <= value < boundaries[i]`.
    static func bucket(of value: Float, in boundaries: [Float]) -> Int {
        var low = 0, high = boundaries.count
        while low < high {
            let middle = (low + high) / 2
            if value < boundaries[middle] { high = middle } else { low = middle + 1 }
        }
        return low
    }

    // MARK: - Configuration

    public override func getConfig() throws -> [ConfigField] {
        try super.getConfig() + [
            ConfigField("bin_boundaries", binBoundaries.map { .floats($0) } ?? .null),
            ConfigField("num_bins", numBins.map(ConfigValue.int) ?? .null),
            ConfigField("epsilon", .double(epsilon)),
            ConfigField("output_mode", .string(outputMode.rawValue)),
            ConfigField("sparse", .bool(false)),
        ]
    }

    /// The layer a Keras config describes: fixed boundaries, or a number of bins to adapt.
    public convenience init(config: ConfigReader) throws {
        let mode = try config.string("output_mode", default: "int")
        guard let outputMode = OutputMode(rawValue: mode) else {
            throw KerasError.unknownName(kind: "Discretization output_mode", name: mode, valid: OutputMode.allCases.map(\.rawValue))
        }
        let shape = try config.declaredInputShape()
        if config.value("bin_boundaries") != nil {
            self.init(binBoundaries: try config.floatArray("bin_boundaries"), outputMode: outputMode, inputShape: shape,
                      name: config.layerName)
        } else {
            self.init(numBins: try config.positiveInt("num_bins"), epsilon: Double(try config.float("epsilon", default: 0.01)),
                      outputMode: outputMode, inputShape: shape, name: config.layerName)
        }
    }
}

extension Discretization.OutputMode {
    var encoding: CategoricalEncoding? {
        switch self {
        case .int: return nil
        case .oneHot: return .oneHot
        case .multiHot: return .multiHot
        case .count: return .count
        }
    }
}

/// Keras' quantile summary (`keras/src/layers/preprocessing/discretization.py`): sorted values
/// with weights (how many data values each stands for), in float32 as Keras keeps them, with the
/// intermediate arithmetic in float64 where numpy does it.
struct QuantileSummary {
    var values: [Float] = []
    var weights: [Float] = []

    init() {}

    init(values: [Float], weights: [Float]) {
        self.values = values
        self.weights = weights
    }

    /// Keras' `summarize`: every `step`-th sorted value, weighing `step` each.
    init(values data: [Float], epsilon: Double) {
        let sorted = data.sorted()
        let numBuckets = 1.0 / epsilon
        let increment = Double(sorted.count) / numBuckets
        let step = Swift.max(increment, 1)
        let start = Int(step - 1), stride = Int(step)
        values = Swift.stride(from: start, to: sorted.count, by: stride).map { sorted[$0] }
        weights = Array(repeating: Float(step), count: values.count)
    }

    /// Keras' `merge_summaries(self, other)`: both together, sorted by value, then compressed.
    func merged(with other: QuantileSummary, epsilon: Double) -> QuantileSummary {
        let allValues = values + other.values, allWeights = weights + other.weights
        // numpy's argsort; ties keep their order (only ties of unequal weight could tell).
        let order = allValues.indices.sorted { (allValues[$0], $0) < (allValues[$1], $1) }
        return QuantileSummary(values: order.map { allValues[$0] }, weights: order.map { allWeights[$0] })
            .compressed(epsilon: epsilon)
    }

    /// Keras' `compress_summary`: values interpolated at cumulative-weight fractions
    /// `epsilon, 2·epsilon, …`, unless the summary is already that small.
    func compressed(epsilon: Double) -> QuantileSummary {
        if Double(values.count) * epsilon < 1 { return self }
        // numpy's arange(0.0, 1.0, epsilon): ceil(1 / epsilon) values i·epsilon.
        let count = Int((1.0 / epsilon).rounded(.up))
        let percents = (0..<count).map { epsilon + Double($0) * epsilon }
        var cumulative = [Float](repeating: 0, count: weights.count)
        var running: Float = 0
        for (i, weight) in weights.enumerated() {
            running += weight
            cumulative[i] = running
        }
        let total = cumulative[cumulative.count - 1]
        let fractions = cumulative.map { Double($0 / total) }
        let newValues = QuantileSummary.interpolate(percents, fractions, values.map(Double.init))
        let newCumulative = QuantileSummary.interpolate(percents, fractions, cumulative.map(Double.init))
        let newWeights = newCumulative.indices.map { newCumulative[$0] - ($0 == 0 ? 0 : newCumulative[$0 - 1]) }
        return QuantileSummary(values: newValues.map { Float($0) }, weights: newWeights.map { Float($0) })
    }

    /// numpy's `interp(x, xp, fp)` (as numpy computes it, for increasing `xp`).
    static func interpolate(_ x: [Double], _ xp: [Double], _ fp: [Double]) -> [Double] {
        let last = xp.count - 1
        return x.map { value in
            if value.isNaN { return value }
            if value < xp[0] { return fp[0] }
            if value >= xp[last] { return fp[last] }
            // The largest j with xp[j] <= value < xp[j + 1].
            var low = 0, high = last
            while high - low > 1 {
                let middle = (low + high) / 2
                if xp[middle] <= value { low = middle } else { high = middle }
            }
            if xp[low] == value { return fp[low] }
            let slope = (fp[low + 1] - fp[low]) / (xp[low + 1] - xp[low])
            return slope * (value - xp[low]) + fp[low]
        }
    }
}
