/// What `StringLookup` and `IntegerLookup` share (Keras' `IndexLookup`): a vocabulary of
/// tokens, learned with `adapt` or given, that maps tokens to indices (or back, with `invert`)
/// and encodes them as `outputMode` says. See `TokenIndex` for the index layout.
public class IndexLookup<Token: VocabularyToken>: Layer {
    var index: TokenIndex<Token>
    /// The salt of the OOV hashing (Keras' `salt`), when given.
    public let salt: [UInt64]?

    init(maxTokens: Int?, numOovIndices: Int, maskToken: Token?, oovToken: Token, vocabulary: [Token]?,
         idfWeights: [Float]?, invert: Bool, outputMode: TokenOutputMode, padToMaxTokens: Bool, salt: [UInt64]?,
         oovBucket: @escaping (Token, Int, [UInt64]?) -> Int, name: String?) throws {
        let name = name ?? LayerNames.unique(for: Self.kerasClassName.snakeCased)
        if let salt, salt.count != 2 {
            throw KerasError.invalidArgument(name: "salt of layer '\(name)'", value: "\(salt)", expected: "one integer, or two")
        }
        self.salt = salt
        index = try TokenIndex(
            owner: "Layer '\(name)' (\(Self.kerasClassName))", maxTokens: maxTokens, numOovIndices: numOovIndices,
            maskToken: maskToken, oovToken: oovToken, outputMode: outputMode, padToMaxTokens: padToMaxTokens, invert: invert,
            vocabulary: vocabulary, idfWeights: idfWeights, oovBucket: { oovBucket($0, $1, salt) })
        super.init(name: name)
    }

    public var maxTokens: Int? { index.maxTokens }
    public var numOovIndices: Int { index.numOovIndices }
    public var maskToken: Token? { index.maskToken }
    public var oovToken: Token { index.oovToken }
    public var outputMode: TokenOutputMode { index.outputMode }
    public var padToMaxTokens: Bool { index.padToMaxTokens }
    public var invert: Bool { index.invert }
    /// The inverse document frequencies by index (`tf_idf`), once known.
    public var idfWeights: [Float]? { index.idfWeights }

    /// The vocabulary in index order: with `includeSpecialTokens`, the mask and OOV tokens first,
    /// so that a token's position is its index (Keras' `get_vocabulary()`).
    public func getVocabulary(includeSpecialTokens: Bool = true) -> [Token] {
        index.vocabulary(includeSpecialTokens: includeSpecialTokens)
    }

    /// The number of indices, mask and OOV indices included (Keras' `vocabulary_size()`).
    public func vocabularySize() -> Int { index.vocabularySize }

    /// Replaces the vocabulary (Keras' `set_vocabulary`); `idfWeights` for `tf_idf` only.
    public func setVocabulary(_ vocabulary: [Token], idfWeights: [Float]? = nil) throws {
        try index.setVocabulary(vocabulary, idfWeights: idfWeights)
    }

    /// Learns the vocabulary from every token of `data` (one array per sample), as Keras' `adapt`.
    public func adapt(_ data: [[Token]]) throws {
        try index.adapt(data)
    }

    /// `adapt` on one token per sample.
    public func adapt(_ data: [Token]) throws {
        try index.adapt(data.map { [$0] })
    }

    /// The output of tokens laid out in `shape`, or the tokens of indices when inverting.
    func lookUp(_ tokens: [Token], shape: [Int]) throws -> Tensor {
        guard !invert else {
            throw KerasError.invalidArgument(name: "input of \(index.owner)", value: "tokens",
                                             expected: "indices: the layer has invert: true and maps indices back to tokens")
        }
        return try index.encode(tokens, shape: shape)
    }

    /// The output shape for an input of `inputShape` (Keras' `compute_output_shape`).
    public override func outputShape(forInputShape inputShape: [Int?]) throws -> [Int?] {
        guard outputMode != .int else { return inputShape }
        let depth = index.knownDepth
        if outputMode == .oneHot {
            return (inputShape.count > 1 && inputShape.last == 1 ? Array(inputShape.dropLast()) : inputShape) + [depth]
        }
        return inputShape.dropLast() + [depth]
    }

    public override class var recordsBuildConfig: Bool { false }

    // MARK: - Configuration

    /// Keras' `IndexLookup.get_config()`, the vocabulary given when created included (an adapted
    /// vocabulary goes to the saved file's assets instead, as Keras writes it).
    public override func getConfig() throws -> [ConfigField] {
        try super.getConfig() + [
            ConfigField("invert", .bool(invert)),
            ConfigField("max_tokens", maxTokens.map(ConfigValue.int) ?? .null),
            ConfigField("num_oov_indices", .int(numOovIndices)),
            ConfigField("oov_token", oovToken.configValue),
            ConfigField("mask_token", maskToken?.configValue ?? .null),
            ConfigField("output_mode", .string(outputMode.rawValue)),
            ConfigField("sparse", .bool(false)),
            ConfigField("pad_to_max_tokens", .bool(padToMaxTokens)),
            ConfigField("vocabulary_dtype", .string(Token.self == String.self ? "string" : "int64")),
            ConfigField("idf_weights", index.givenIdfWeights.map { .floats($0) } ?? .null),
            ConfigField("vocabulary", index.givenVocabulary.map { .array($0.map(\.configValue)) } ?? .null),
            ConfigField("vocabulary_size", index.hasVocabulary ? .int(vocabularySize()) : .null),
            ConfigField("oov_method", .string(oovMethodName)),
            ConfigField("salt", salt.map { .array($0.map { .int(Int(truncatingIfNeeded: $0)) }) } ?? .null),
        ]
    }

    /// How tokens beyond the vocabulary are spread over several OOV indices (Keras' `oov_method`:
    /// strings are always hashed, whatever it says).
    var oovMethodName: String { "floormod" }
}

/// The arguments every lookup config holds, read once for `StringLookup` and `IntegerLookup`.
struct IndexLookupConfig<Token: VocabularyToken> {
    let maxTokens: Int?, numOovIndices: Int, maskToken: Token?, oovToken: Token?, vocabulary: [Token]?
    let idfWeights: [Float]?, invert: Bool, outputMode: TokenOutputMode, padToMaxTokens: Bool, salt: [UInt64]?

    init(_ config: ConfigReader) throws {
        func token(_ key: String) throws -> Token? {
            guard let value = config.value(key) else { return nil }
            guard let token = Token(configValue: value) else {
                throw KerasError.invalidArgument(name: "\(config.context).\(key)", value: value.json, expected: "a token")
            }
            return token
        }
        maxTokens = try config.optionalInt("max_tokens")
        numOovIndices = try config.int("num_oov_indices", default: 1)
        maskToken = try token("mask_token")
        oovToken = try token("oov_token")
        if case .array(let items)? = config.value("vocabulary") {
            vocabulary = try items.map { item in
                guard let token = Token(configValue: item) else {
                    throw KerasError.invalidArgument(name: "\(config.context).vocabulary", value: item.json, expected: "a list of tokens")
                }
                return token
            }
        } else if let path = config.value("vocabulary") {
            throw KerasError.invalidArgument(name: "\(config.context).vocabulary", value: path.json,
                                             expected: "a list of tokens (a vocabulary file path is not read)")
        } else {
            vocabulary = nil
        }
        idfWeights = config.value("idf_weights") == nil ? nil : try config.floatArray("idf_weights")
        invert = try config.bool("invert", default: false)
        outputMode = try TokenOutputMode(kerasName: try config.string("output_mode", default: "int"), layer: config.context)
        padToMaxTokens = try config.bool("pad_to_max_tokens", default: false)
        if config.value("salt") == nil {
            salt = nil
        } else if case .array? = config.value("salt") {
            salt = try config.intArray("salt").map { UInt64(truncatingIfNeeded: $0) }
        } else {
            let value = UInt64(truncatingIfNeeded: try config.int("salt"))
            salt = [value, value]
        }
    }
}
