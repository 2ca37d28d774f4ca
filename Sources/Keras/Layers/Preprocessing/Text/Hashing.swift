/// Hashes strings or integers into `numBins` bins, as Keras' `Hashing`: FarmHash
/// `Fingerprint64` of the UTF-8 bytes (TensorFlow's `to_hash_bucket_fast`), or with a `salt`
/// keyed SipHash (`to_hash_bucket_strong`), modulo the bins. Integers are hashed as their
/// decimal text and floats truncated to integers first, as Keras does.
///
/// ```swift
/// let hashing = try Hashing(numBins: 3)
/// try hashing([["A"], ["B"], ["C"], ["D"], ["E"]])         // bins as Keras gives them
/// try Hashing(numBins: 3, maskValue: .string(""))(["", "a"]) // the mask value → 0, others 1…2
/// ```
/// With `maskValue`, bin 0 is kept for it and the others hash into `1..<numBins`.
public final class Hashing: Layer {
    /// A value that maps to bin 0: a string for string inputs, a number for tensors.
    public enum MaskValue: Equatable, Sendable {
        case string(String)
        case number(Double)
    }

    public enum OutputMode: String, Sendable, CaseIterable {
        case int, oneHot = "one_hot", multiHot = "multi_hot", count
    }

    public let numBins: Int
    public let maskValue: MaskValue?
    /// The SipHash key (Keras' `salt`: one integer is used twice).
    public let salt: [UInt64]?
    public let outputMode: OutputMode

    public init(numBins: Int, maskValue: MaskValue? = nil, salt: [UInt64]? = nil, outputMode: OutputMode = .int,
                name: String? = nil) throws {
        guard numBins > 0 else {
            throw KerasError.invalidArgument(name: "numBins of Hashing", value: "\(numBins)", expected: "a positive number of bins")
        }
        let salt = salt.map { $0.count == 1 ? [$0[0], $0[0]] : $0 }
        if let salt, salt.count != 2 {
            throw KerasError.invalidArgument(name: "salt of Hashing", value: "\(salt)", expected: "one integer or two")
        }
        self.numBins = numBins
        self.maskValue = maskValue
        self.salt = salt
        self.outputMode = outputMode
        super.init(name: name)
    }

    /// The bin of `text` (a string, or a number's decimal text); `isMask` puts it in bin 0.
    func bin(of text: String, isMask: Bool) -> Int {
        let masking = maskValue != nil && numBins > 1
        if masking && isMask { return 0 }
        let bins = UInt64(masking ? numBins - 1 : numBins)
        let hash = salt.map { SipHash.hash(text, key: ($0[0], $0[1])) } ?? FarmHash.fingerprint64(text)
        return Int(hash % bins) + (masking ? 1 : 0)
    }

    /// The bins (or their encoding) of one string per sample.
    public func callAsFunction(_ strings: [String]) throws -> Tensor {
        try encode(strings.map { bin(of: $0, isMask: maskValue == .string($0)) }, shape: [strings.count])
    }

    /// The bins (or their encoding) of rows of strings.
    public func callAsFunction(_ rows: [[String]]) throws -> Tensor {
        let shape = try rectangularShape(rows, layer: self)
        return try encode(rows.flatMap { $0 }.map { bin(of: $0, isMask: maskValue == .string($0)) }, shape: shape)
    }

    /// The bins of numbers: each truncated to an integer and hashed as its decimal text.
    public override func call(_ input: Tensor, training: Bool) throws -> Tensor {
        let bins = try input.scalars.map { value -> Int in
            guard value.isFinite, let integer = Int64(exactly: value.rounded(.towardZero)) else {
                throw KerasError.invalidData("Layer '\(name)' (Hashing): input value \(value) cannot be hashed; give finite numbers or strings.")
            }
            return bin(of: String(integer), isMask: maskValue == .number(Double(value)))
        }
        return try encode(bins, shape: input.shape)
    }

    private func encode(_ bins: [Int], shape: [Int]) throws -> Tensor {
        let indices = Tensor(shape: shape, scalars: bins.map(Float.init))
        switch outputMode {
        case .int: return indices.astype(.integer)
        case .oneHot: return try encodeCategorical(indices, depth: numBins, mode: .oneHot, countWeights: nil, layer: self)
        case .multiHot: return try encodeCategorical(indices, depth: numBins, mode: .multiHot, countWeights: nil, layer: self)
        case .count: return try encodeCategorical(indices, depth: numBins, mode: .count, countWeights: nil, layer: self)
        }
    }

    public override func outputShape(forInputShape inputShape: [Int?]) throws -> [Int?] {
        switch outputMode {
        case .int: return inputShape
        case .oneHot: return (inputShape.count > 1 && inputShape.last == 1 ? Array(inputShape.dropLast()) : inputShape) + [numBins]
        case .multiHot, .count: return inputShape.dropLast() + [numBins]
        }
    }

    public override class var recordsBuildConfig: Bool { false }

    // MARK: - Configuration

    public override func getConfig() throws -> [ConfigField] {
        let mask: ConfigValue = switch maskValue {
        case .string(let string)?: .string(string)
        case .number(let number)?: number.rounded() == number ? .int(Int(number)) : .double(number)
        case nil: .null
        }
        return try super.getConfig() + [
            ConfigField("num_bins", .int(numBins)),
            ConfigField("salt", salt.map { .array($0.map { .int(Int(truncatingIfNeeded: $0)) }) } ?? .null),
            ConfigField("mask_value", mask),
            ConfigField("output_mode", .string(outputMode.rawValue)),
            ConfigField("sparse", .bool(false)),
        ]
    }

    /// The layer a Keras config describes.
    public convenience init(config: ConfigReader) throws {
        let mask: MaskValue? = switch config.value("mask_value") {
        case .string(let string)?: .string(string)
        case let value?: value.doubleValue.map { .number($0) }
        case nil: nil
        }
        let salt: [UInt64]? = switch config.value("salt") {
        case .array?: try config.intArray("salt").map { UInt64(truncatingIfNeeded: $0) }
        case .some: [UInt64(truncatingIfNeeded: try config.int("salt"))]
        case nil: nil
        }
        let mode = try config.string("output_mode", default: "int")
        guard let outputMode = OutputMode(rawValue: mode) else {
            throw KerasError.unknownName(kind: "Hashing output_mode", name: mode, valid: OutputMode.allCases.map(\.rawValue))
        }
        try self.init(numBins: try config.positiveInt("num_bins"), maskValue: mask, salt: salt, outputMode: outputMode,
                      name: config.layerName)
    }
}
