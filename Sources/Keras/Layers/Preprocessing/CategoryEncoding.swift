/// Encodes integer category indices (held in `Float` tensors) as one-hot, multi-hot or count
/// vectors of `numTokens` entries, as Keras' `CategoryEncoding`.
///
/// ```swift
/// CategoryEncoding(numTokens: 4, outputMode: .oneHot)([3, 2, 0, 1])     // 4×4, one 1 per row
/// CategoryEncoding(numTokens: 4)(Tensor([[0, 1], [0, 0], [1, 2]]))       // multi-hot: 3×4
/// ```
///
/// Keras' shapes:
/// - `.oneHot` encodes each value: `(..., n)` becomes `(..., n, numTokens)`, except that a last
///   axis of size 1 is replaced: `(batch, 1)` becomes `(batch, numTokens)`.
/// - `.multiHot` and `.count` treat the last axis as one sample: `(batch, n)` becomes
///   `(batch, numTokens)`, and a rank-1 input `(n,)` is a single sample, `(numTokens,)`.
///   Inputs of rank 3 or more are refused (Keras supports outputs up to rank 2).
///
/// Every value must be an integer in `0..<numTokens`; anything else throws (Keras' TensorFlow
/// backend silently drops values too large and truncates fractions). The output carries no
/// gradient.
public final class CategoryEncoding: Layer {
    /// Keras drops the mask here.
    public override class var supportsMasking: Bool { false }

    public enum OutputMode: String, Sendable, CaseIterable {
        /// One vector per value.
        case oneHot = "one_hot"
        /// One vector per sample, 1 where a token occurs.
        case multiHot = "multi_hot"
        /// One vector per sample, how many times each token occurs (or the sum of its weights).
        case count
    }

    public let numTokens: Int
    public let outputMode: OutputMode

    public init(numTokens: Int, outputMode: OutputMode = .multiHot, inputShape: [Int]? = nil, name: String? = nil) {
        self.numTokens = numTokens
        self.outputMode = outputMode
        super.init(name: name, inputShape: inputShape)
    }

    public override func build(inputShape: [Int?]) throws {
        guard numTokens >= 1 else {
            throw KerasError.invalidArgument(name: "CategoryEncoding(numTokens:) of layer '\(name)'", value: "\(numTokens)",
                                             expected: "at least 1 token")
        }
    }

    public override func outputShape(forInputShape inputShape: [Int?]) throws -> [Int?] {
        try categoricalOutputShape(inputShape, depth: numTokens, mode: outputMode.encoding, layer: self)
    }

    public override func call(_ input: Tensor, training: Bool) throws -> Tensor {
        try encodeCategorical(input, depth: numTokens, mode: outputMode.encoding, countWeights: nil, layer: self)
    }

    /// `.count` with weights: each occurrence adds its weight (of the input's shape) instead of 1.
    public func callAsFunction(_ input: Tensor, countWeights: Tensor) throws -> Tensor {
        guard outputMode == .count else {
            throw KerasError.invalidArgument(name: "countWeights for layer '\(name)'", value: "given",
                                             expected: "outputMode .count (it is .\(outputMode))")
        }
        guard countWeights.shape == input.shape else {
            throw shapeError(expected: formatShape(input.shape.map { $0 }), got: countWeights.shape.map { $0 },
                             fix: "countWeights needs one weight per input value.")
        }
        try buildIfNeeded(inputShape: [nil] + input.shape.dropFirst().map { $0 })
        return try encodeCategorical(input, depth: numTokens, mode: .count, countWeights: countWeights, layer: self)
    }

    // MARK: - Configuration

    public override func getConfig() throws -> [ConfigField] {
        try super.getConfig() + [ConfigField("num_tokens", .int(numTokens)), ConfigField("output_mode", .string(outputMode.rawValue))]
    }

    /// The layer a Keras config describes.
    public convenience init(config: ConfigReader) throws {
        let mode = try config.string("output_mode", default: "multi_hot")
        guard let outputMode = OutputMode(rawValue: mode) else {
            throw KerasError.unknownName(kind: "CategoryEncoding output_mode", name: mode, valid: OutputMode.allCases.map(\.rawValue))
        }
        self.init(numTokens: try config.positiveInt("num_tokens"), outputMode: outputMode,
                  inputShape: try config.declaredInputShape(), name: config.layerName)
    }
}

extension CategoryEncoding.OutputMode {
    var encoding: CategoricalEncoding {
        switch self {
        case .oneHot: return .oneHot
        case .multiHot: return .multiHot
        case .count: return .count
        }
    }
}

/// The encodings shared by `CategoryEncoding` and `Discretization` (Keras'
/// `encode_categorical_inputs`).
enum CategoricalEncoding {
    case oneHot, multiHot, count

    var kerasName: String {
        switch self {
        case .oneHot: return "one_hot"
        case .multiHot: return "multi_hot"
        case .count: return "count"
        }
    }
}

/// Keras' `compute_output_shape` of an encoding layer.
func categoricalOutputShape(_ inputShape: [Int?], depth: Int, mode: CategoricalEncoding, layer: Layer) throws -> [Int?] {
    if inputShape.isEmpty { return [depth] }
    switch mode {
    case .oneHot:
        if inputShape.count > 1 && inputShape.last == 1 { return inputShape.dropLast() + [depth] }
        return inputShape + [depth]
    case .multiHot, .count:
        guard inputShape.count <= 2 else {
            throw layer.shapeError(expected: "(samples,) or (batch, values)", got: inputShape,
                                   fix: "\(mode.kerasName) encodes inputs of rank 1 or 2; reshape to (batch, values) first.")
        }
        return inputShape.dropLast() + [depth]
    }
}

/// Encodes the integer values of `input` (checked: integers in `0..<depth`) as Keras does.
func encodeCategorical(_ input: Tensor, depth: Int, mode: CategoricalEncoding, countWeights: Tensor?,
                       layer: Layer) throws -> Tensor {
    let values = input.scalars
    for (index, value) in values.enumerated() where !(value >= 0 && value < Float(depth) && value.rounded(.towardZero) == value) {
        let position = input.rank == 0 ? "" : " at \(multiIndex(index, shape: input.shape))"
        throw KerasError.invalidData(
            "Layer '\(layer.name)' (\(type(of: layer).kerasClassName)): input value \(value)\(position) is not a category index "
                + "in 0..<\(depth). Inputs must be whole numbers from 0 to \(depth - 1); map other values first "
                + "(for instance with Discretization), or raise the number of tokens.")
    }
    let indices = values.map { Int($0) }
    var shape = input.rank == 0 ? [1] : input.shape
    let rows = mode == .oneHot ? values.count : (shape.count == 2 ? shape[0] : 1)
    try MemoryBudget.check([rows, depth], for: "output of layer '\(layer.name)' (\(depth) tokens)", fix: "Use fewer tokens.")
    let weights = countWeights?.scalars
    switch mode {
    case .oneHot:
        if shape.count > 1 && shape.last == 1 { shape.removeLast() }
        var output = [Float](repeating: 0, count: indices.count * depth)
        for (i, index) in indices.enumerated() { output[i * depth + index] = 1 }
        return Tensor(shape: shape + [depth], scalars: output)
    case .multiHot, .count:
        guard shape.count <= 2 else {
            throw layer.shapeError(expected: "(samples,) or (batch, values)", got: shape.map { $0 },
                                   fix: "\(mode.kerasName) encodes inputs of rank 1 or 2; reshape to (batch, values) first.")
        }
        let width = shape.last ?? 1, samples = shape.count == 2 ? shape[0] : 1
        var output = [Float](repeating: 0, count: samples * depth)
        for (i, index) in indices.enumerated() {
            let slot = (i / Swift.max(width, 1)) * depth + index
            if mode == .multiHot { output[slot] = 1 } else { output[slot] += weights?[i] ?? 1 }
        }
        return Tensor(shape: shape.dropLast() + [depth], scalars: output)
    }
}

/// `[i, j, …]` for the flat row-major `index` of `shape`.
private func multiIndex(_ index: Int, shape: [Int]) -> String {
    var remainder = index, parts: [Int] = []
    for size in shape.reversed() {
        parts.append(remainder % Swift.max(size, 1))
        remainder /= Swift.max(size, 1)
    }
    return "[" + parts.reversed().map(String.init).joined(separator: ", ") + "]"
}
