/// Turns strings into token indices or bag-of-words vectors, as Keras' `TextVectorization`:
/// each string is standardized, split into tokens, optionally extended with n-grams, and looked
/// up in a vocabulary learned with `adapt` (or given).
///
/// ```swift
/// let vectorizer = try TextVectorization(maxTokens: 10_000, outputSequenceLength: 200)
/// try vectorizer.adapt(trainingTexts)            // most frequent tokens first, as Keras orders them
/// let x = try vectorizer(trainingTexts)          // [n, 200] indices; 0 pads, 1 is "[UNK]"
/// let model = Sequential([Embedding(10_000, 64, maskZero: true), GlobalAveragePooling1D(), Dense(1, activation: .sigmoid)])
/// try model.fit(x, labels)
/// ```
/// Strings are not tensors in this package, so the layer runs before the model: its output is
/// what `fit` and `predict` take. In `int` mode index 0 is padding (the mask token `""`) and 1
/// the OOV token `"[UNK]"`; the other modes give one vector per string (`multiHot`, `count`,
/// `tfIdf`) with index 0 for `"[UNK]"`.
public final class TextVectorization: Layer {
    /// How each string is cleaned; `nil` leaves it as it is.
    public let standardize: TextStandardization?
    /// How a string becomes tokens; `nil` makes each string one token.
    public let split: TextSplit?
    /// The n-gram widths added to the tokens (`ngrams: 2` is `[1, 2]`), or `nil`.
    public let ngramWidths: [Int]?
    /// In `int` mode, every output row padded with 0 or truncated to this length; otherwise
    /// rows are padded to the longest string of the call.
    public let outputSequenceLength: Int?
    var index: TokenIndex<String>
    /// `ngrams` as it was given (an integer or widths), for the config.
    private let ngramsConfig: ConfigValue

    /// - Parameters:
    ///   - maxTokens: the most indices, padding and OOV included; `adapt` keeps the most frequent tokens.
    ///   - ngrams: add all n-grams up to this width (Keras' integer `ngrams`); or give `ngramWidths`.
    ///   - vocabulary: the tokens, most useful first (optionally preceded by `""` and `"[UNK]"`).
    ///   - idfWeights: one weight per vocabulary token, for `tfIdf` with a given vocabulary.
    public init(maxTokens: Int? = nil, standardize: TextStandardization? = .lowerAndStripPunctuation,
                split: TextSplit? = .whitespace, ngrams: Int? = nil, ngramWidths: [Int]? = nil,
                outputMode: TokenOutputMode = .int, outputSequenceLength: Int? = nil, padToMaxTokens: Bool = false,
                vocabulary: [String]? = nil, idfWeights: [Float]? = nil, name: String? = nil) throws {
        let name = name ?? LayerNames.unique(for: "text_vectorization")
        let owner = "Layer '\(name)' (TextVectorization)"
        if ngrams != nil && ngramWidths != nil {
            throw KerasError.invalidArgument(name: "ngrams of \(owner)", value: "both ngrams and ngramWidths", expected: "one of them")
        }
        let widths = ngramWidths ?? ngrams.map { Array(1...Swift.max(1, $0)) }
        if let widths, widths.contains(where: { $0 < 1 }) || (ngrams ?? 1) < 1 {
            throw KerasError.invalidArgument(name: "ngrams of \(owner)", value: "\(ngrams.map(String.init) ?? "\(widths)")",
                                             expected: "positive n-gram widths")
        }
        if widths != nil && split == nil {
            throw KerasError.invalidArgument(name: "ngrams of \(owner)", value: "given with split: nil",
                                             expected: "a split: n-grams join consecutive tokens of one string")
        }
        if outputMode != .int && outputSequenceLength != nil {
            throw KerasError.invalidArgument(name: "outputSequenceLength of \(owner)", value: "\(outputSequenceLength!)",
                                             expected: "nil unless outputMode is int (the other modes give one vector per string)")
        }
        if let outputSequenceLength, outputSequenceLength < 1 {
            throw KerasError.invalidArgument(name: "outputSequenceLength of \(owner)", value: "\(outputSequenceLength)", expected: "a positive length")
        }
        if outputMode == .oneHot && split != nil {
            throw KerasError.invalidArgument(name: "outputMode of \(owner)", value: "one_hot with a split",
                                             expected: "multi_hot or count for split strings; one_hot needs split: nil (one token per string)")
        }
        self.standardize = standardize
        self.split = split
        self.ngramWidths = widths
        ngramsConfig = ngramWidths.map { .array($0.map(ConfigValue.int)) } ?? ngrams.map(ConfigValue.int) ?? .null
        self.outputSequenceLength = outputSequenceLength
        index = try TokenIndex(owner: owner, maxTokens: maxTokens, numOovIndices: 1, maskToken: "", oovToken: "[UNK]",
                               outputMode: outputMode, padToMaxTokens: padToMaxTokens, invert: false, vocabulary: vocabulary,
                               idfWeights: idfWeights, oovBucket: { _, _ in 0 })
        super.init(name: name)
    }

    public var maxTokens: Int? { index.maxTokens }
    public var outputMode: TokenOutputMode { index.outputMode }
    public var padToMaxTokens: Bool { index.padToMaxTokens }
    /// The inverse document frequencies by index (`tfIdf`), once known.
    public var idfWeights: [Float]? { index.idfWeights }

    /// The tokens of one string: standardized, split, with its n-grams.
    public func tokens(of text: String) -> [String] {
        let standardized = standardize?.apply(text) ?? text
        let tokens = split?.apply(standardized) ?? [standardized]
        return ngramWidths.map { TextSplit.ngrams(tokens, widths: $0) } ?? tokens
    }

    /// Learns the vocabulary (and for `tfIdf` the document frequencies) from `texts`, as
    /// Keras' `adapt`: the most frequent tokens first, ties in reverse byte order.
    public func adapt(_ texts: [String]) throws {
        try index.adapt(texts.map(tokens(of:)))
    }

    /// The vocabulary in index order; with `includeSpecialTokens`, `""` and `"[UNK]"` first
    /// (in `int` mode), so that a token's position is its index.
    public func getVocabulary(includeSpecialTokens: Bool = true) -> [String] {
        index.vocabulary(includeSpecialTokens: includeSpecialTokens)
    }

    /// The number of indices, padding and OOV included.
    public func vocabularySize() -> Int { index.vocabularySize }

    /// Replaces the vocabulary (Keras' `set_vocabulary`); `idfWeights` for `tfIdf` only.
    public func setVocabulary(_ vocabulary: [String], idfWeights: [Float]? = nil) throws {
        try index.setVocabulary(vocabulary, idfWeights: idfWeights)
    }

    /// The vectors of `texts`: `[n, length]` indices in `int` mode (`[n]` with `split: nil`),
    /// `[n, depth]` otherwise.
    public func callAsFunction(_ texts: [String]) throws -> Tensor {
        let tokenRows = texts.map(tokens(of:))
        guard outputMode == .int else { return try index.bags(tokenRows) }
        let rows = try tokenRows.map { try $0.map { try index.index(of: $0) } }
        if split == nil && outputSequenceLength == nil {
            return Tensor(shape: [texts.count], scalars: rows.map { Float($0[0] ?? 0) }).astype(.integer)
        }
        let length = outputSequenceLength ?? rows.map(\.count).max() ?? 0
        var scalars = [Float](repeating: 0, count: texts.count * length)
        for (row, indices) in rows.enumerated() {
            for (column, index) in indices.prefix(length).enumerated() { scalars[row * length + column] = Float(index ?? 0) }
        }
        return Tensor(shape: [texts.count, length], scalars: scalars).astype(.integer)
    }

    /// Strings are not tensors: a tensor reaching this layer is a mistake, explained.
    public override func call(_ input: Tensor, training: Bool) throws -> Tensor {
        throw KerasError.invalidArgument(
            name: "input of layer '\(name)' (TextVectorization)", value: "a tensor of shape \(input.shape)",
            expected: "strings: call the layer on [String] (vectorizer(texts)) and give its output to the model's fit and predict")
    }

    public override func outputShape(forInputShape inputShape: [Int?]) throws -> [Int?] {
        let batch = inputShape.first ?? nil
        guard outputMode == .int else { return [batch, index.knownDepth] }
        return split == nil && outputSequenceLength == nil ? [batch] : [batch, outputSequenceLength]
    }

    // MARK: - Configuration

    public override func getConfig() throws -> [ConfigField] {
        for (argument, isCustom) in [("standardize", standardize?.kerasName == nil && standardize != nil),
                                     ("split", split?.kerasName == nil && split != nil)] where isCustom {
            throw KerasError.invalidArgument(
                name: "\(argument) of layer '\(name)' (TextVectorization)", value: "a Swift function",
                expected: "a named \(argument) to save in a Keras config; save the model without this layer, or use a named one")
        }
        return try super.getConfig() + [
            ConfigField("max_tokens", maxTokens.map(ConfigValue.int) ?? .null),
            ConfigField("standardize", standardize?.kerasName.map(ConfigValue.string) ?? .null),
            ConfigField("split", split?.kerasName.map(ConfigValue.string) ?? .null),
            ConfigField("ngrams", ngramsConfig),
            ConfigField("output_mode", .string(outputMode.rawValue)),
            ConfigField("output_sequence_length", outputSequenceLength.map(ConfigValue.int) ?? .null),
            ConfigField("pad_to_max_tokens", .bool(padToMaxTokens)),
            ConfigField("sparse", .bool(false)),
            ConfigField("ragged", .bool(false)),
            ConfigField("vocabulary", index.givenVocabulary.map { .array($0.map(ConfigValue.string)) } ?? .null),
            ConfigField("idf_weights", index.givenIdfWeights.map { .floats($0) } ?? .null),
            ConfigField("encoding", .string("utf-8")),
            ConfigField("vocabulary_size", .int(vocabularySize())),
        ]
    }

    /// The layer a Keras config describes.
    public convenience init(config: ConfigReader) throws {
        let context = config.context
        let ngrams: Int?, widths: [Int]?
        switch config.value("ngrams") {
        case .array?: (ngrams, widths) = (nil, try config.intArray("ngrams"))
        case .some: (ngrams, widths) = (try config.int("ngrams"), nil)
        case nil: (ngrams, widths) = (nil, nil)
        }
        if case .array(let items)? = config.value("vocabulary"), items.contains(where: { $0.stringValue == nil }) {
            throw KerasError.invalidArgument(name: "\(context).vocabulary", value: "a list with non-strings", expected: "a list of strings")
        }
        let vocabulary: [String]? = if case .array(let items)? = config.value("vocabulary") { items.compactMap(\.stringValue) } else { nil }
        try self.init(
            maxTokens: try config.optionalInt("max_tokens"),
            standardize: try TextStandardization(kerasName: try config.optionalString("standardize"), layer: context),
            split: try TextSplit(kerasName: try config.optionalString("split"), layer: context),
            ngrams: ngrams, ngramWidths: widths,
            outputMode: try TokenOutputMode(kerasName: try config.string("output_mode", default: "int"), layer: context),
            outputSequenceLength: try config.optionalInt("output_sequence_length"),
            padToMaxTokens: try config.bool("pad_to_max_tokens", default: false), vocabulary: vocabulary,
            idfWeights: config.value("idf_weights") == nil ? nil : try config.floatArray("idf_weights"), name: config.layerName)
        index.recordedVocabularySize = try config.optionalInt("vocabulary_size")
    }
}
