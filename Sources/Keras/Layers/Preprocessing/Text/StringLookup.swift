/// Maps strings to integer indices through a vocabulary, as Keras' `StringLookup`: learned with
/// `adapt`, or given. Unknown strings go to the OOV index (`[UNK]`), or, with several OOV
/// indices, to one picked by hashing the string (FarmHash, as TensorFlow).
///
/// ```swift
/// let lookup = try StringLookup(vocabulary: ["a", "b", "c", "d"])
/// try lookup([["a", "c", "d"], ["d", "z", "b"]])      // [[1, 3, 4], [4, 0, 2]]
/// let words = try StringLookup(outputMode: .multiHot)
/// try words.adapt(["cat", "dog", "cat"])               // vocabulary ["[UNK]", "cat", "dog"]
/// ```
/// Inputs are `[String]` (one token per sample) or `[[String]]` (rows of equal length); the output
/// is a tensor of indices (`int`, printed as integers) or of encodings (`outputMode`). With
/// `invert: true` the layer maps indices back: `tokens(at:)`. Strings are not tensors here, so
/// the layer runs before a model: feed its output to `fit` and `predict`.
public final class StringLookup: IndexLookup<String> {
    /// - Parameters:
    ///   - maxTokens: the most indices, mask and OOV included; `adapt` keeps the most frequent tokens.
    ///   - numOovIndices: indices for unknown strings; 0 makes an unknown string an error.
    ///   - maskToken: a string that maps to index 0 in `int` mode (padding) and adds nothing otherwise.
    ///   - vocabulary: the tokens, most useful first (optionally preceded by the mask and OOV tokens).
    ///   - idfWeights: one weight per vocabulary token, for `tf_idf` with a given vocabulary.
    ///   - salt: keys the hashing of unknown strings (SipHash, as TensorFlow's strong hash).
    public init(maxTokens: Int? = nil, numOovIndices: Int = 1, maskToken: String? = nil, oovToken: String = "[UNK]",
                vocabulary: [String]? = nil, idfWeights: [Float]? = nil, invert: Bool = false,
                outputMode: TokenOutputMode = .int, padToMaxTokens: Bool = false, salt: [UInt64]? = nil,
                name: String? = nil) throws {
        try super.init(maxTokens: maxTokens, numOovIndices: numOovIndices, maskToken: maskToken, oovToken: oovToken,
                       vocabulary: vocabulary, idfWeights: idfWeights, invert: invert, outputMode: outputMode,
                       padToMaxTokens: padToMaxTokens, salt: salt, oovBucket: StringLookup.bucket, name: name)
    }

    /// The bucket of `string` among `count`: FarmHash, or SipHash keyed by `salt`.
    static func bucket(_ string: String, _ count: Int, salt: [UInt64]?) -> Int {
        let hash = salt.map { SipHash.hash(string, key: ($0[0], $0[1])) } ?? FarmHash.fingerprint64(string)
        return Int(hash % UInt64(count))
    }

    /// The indices (or encodings) of one token per sample: `[n]` in `int` mode.
    public func callAsFunction(_ tokens: [String]) throws -> Tensor {
        try lookUp(tokens, shape: [tokens.count])
    }

    /// The indices (or encodings) of rows of tokens: `[n, m]` in `int` mode.
    public func callAsFunction(_ rows: [[String]]) throws -> Tensor {
        try lookUp(rows.flatMap { $0 }, shape: try rectangularShape(rows, layer: self))
    }

    /// The tokens at `indices`, row-major (the layer must have `invert: true`): the OOV token
    /// for indices outside the vocabulary.
    public func tokens(at indices: Tensor) throws -> [String] {
        guard invert else {
            throw KerasError.invalidState("Layer '\(name)' (StringLookup) maps strings to indices; create it with invert: true to map indices back.")
        }
        return try indices.toIntArray().map { index.token(at: $0) }
    }

    /// Strings are not tensors: a tensor reaching this layer is a mistake, explained.
    public override func call(_ input: Tensor, training: Bool) throws -> Tensor {
        throw KerasError.invalidArgument(
            name: "input of layer '\(name)' (StringLookup)", value: "a tensor of shape \(input.shape)",
            expected: invert ? "indices through tokens(at:)" : "strings: call the layer on [String] or [[String]] and give its output to the model")
    }

    public override func getConfig() throws -> [ConfigField] {
        try super.getConfig().filter { $0.key != "vocabulary_dtype" } + [ConfigField("encoding", .string("utf-8"))]
    }

    /// The layer a Keras config describes.
    public convenience init(config: ConfigReader) throws {
        let arguments = try IndexLookupConfig<String>(config)
        try self.init(maxTokens: arguments.maxTokens, numOovIndices: arguments.numOovIndices, maskToken: arguments.maskToken,
                      oovToken: arguments.oovToken ?? "[UNK]", vocabulary: arguments.vocabulary, idfWeights: arguments.idfWeights,
                      invert: arguments.invert, outputMode: arguments.outputMode, padToMaxTokens: arguments.padToMaxTokens,
                      salt: arguments.salt, name: config.layerName)
        index.recordedVocabularySize = try config.optionalInt("vocabulary_size")
    }
}

/// The shape `[rows, columns]` of equal-length rows, or an error naming `layer`.
func rectangularShape<T>(_ rows: [[T]], layer: Layer) throws -> [Int] {
    let width = rows.first?.count ?? 0
    if let ragged = rows.firstIndex(where: { $0.count != width }) {
        throw KerasError.invalidData(
            "Layer '\(layer.name)' (\(type(of: layer).kerasClassName)): row \(ragged) has \(rows[ragged].count) tokens but row 0 has \(width); "
                + "rows must have equal lengths (pad them with the mask token).")
    }
    return [rows.count, width]
}
