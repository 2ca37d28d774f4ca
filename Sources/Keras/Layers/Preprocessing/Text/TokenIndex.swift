import Foundation

/// The vocabulary of a lookup layer and everything Keras' `IndexLookup` does with it: the index
/// layout, `adapt`, `set_vocabulary`, looking tokens up and back, and the output encodings.
/// `StringLookup`, `IntegerLookup` and `TextVectorization` each hold one.
///
/// Indices: in `int` mode with a mask token, 0 is the mask; then `numOovIndices` indices for
/// tokens not in the vocabulary (hashed among them when there are several); then the tokens.
/// The other modes have no mask index: a mask token in their input adds nothing.
struct TokenIndex<Token: VocabularyToken> {
    /// The owning layer, for errors: `Layer 'string_lookup' (StringLookup)`.
    let owner: String
    let maxTokens: Int?
    let numOovIndices: Int
    let maskToken: Token?
    let oovToken: Token
    let outputMode: TokenOutputMode
    let padToMaxTokens: Bool
    let invert: Bool
    /// The OOV index (among `0..<numOovIndices`) of a token not in the vocabulary.
    let oovBucket: (Token, Int) -> Int
    /// The vocabulary given when the layer was created (Keras' `input_vocabulary`); `adapt` refuses then.
    let givenVocabulary: [Token]?
    /// The idf weights given when the layer was created.
    let givenIdfWeights: [Float]?

    /// The tokens, without the mask and OOV tokens, in index order.
    private(set) var tokens: [Token] = []
    private var positions: [Token: Int] = [:]
    /// One inverse document frequency per index (`tf_idf` only), special indices included.
    var idfWeights: [Float]?
    /// Whether a vocabulary was set or learned (the bag modes need its size).
    private(set) var hasVocabulary = false
    /// The vocabulary size a saved config records (Keras' `vocabulary_size`), which gives the
    /// output size while the vocabulary itself is still to be loaded from the file's assets.
    var recordedVocabularySize: Int?

    init(owner: String, maxTokens: Int?, numOovIndices: Int, maskToken: Token?, oovToken: Token, outputMode: TokenOutputMode,
         padToMaxTokens: Bool, invert: Bool, vocabulary: [Token]?, idfWeights: [Float]?,
         oovBucket: @escaping (Token, Int) -> Int) throws {
        self.owner = owner
        self.maxTokens = maxTokens
        self.numOovIndices = numOovIndices
        self.maskToken = maskToken
        self.oovToken = oovToken
        self.outputMode = outputMode
        self.padToMaxTokens = padToMaxTokens
        self.invert = invert
        self.oovBucket = oovBucket
        givenVocabulary = vocabulary
        givenIdfWeights = idfWeights
        if let maxTokens, maxTokens <= 1 {
            throw KerasError.invalidArgument(name: "maxTokens of \(owner)", value: "\(maxTokens)", expected: "nil or more than 1")
        }
        if padToMaxTokens && maxTokens == nil {
            throw KerasError.invalidArgument(name: "padToMaxTokens of \(owner)", value: "true", expected: "false unless maxTokens is set")
        }
        guard numOovIndices >= 0 else {
            throw KerasError.invalidArgument(name: "numOovIndices of \(owner)", value: "\(numOovIndices)", expected: "0 or more")
        }
        if invert && outputMode != .int {
            throw KerasError.invalidArgument(name: "outputMode of \(owner)", value: outputMode.rawValue,
                                             expected: "int when invert is true (an inverted lookup outputs tokens)")
        }
        if idfWeights != nil && outputMode != .tfIdf {
            throw KerasError.invalidArgument(name: "idfWeights of \(owner)", value: "given", expected: "nil unless outputMode is tf_idf")
        }
        if outputMode == .tfIdf && vocabulary != nil && idfWeights == nil {
            throw KerasError.invalidArgument(name: "idfWeights of \(owner)", value: "nil",
                                             expected: "one weight per vocabulary token: tf_idf with a given vocabulary needs idfWeights")
        }
        if let vocabulary { try setVocabulary(vocabulary, idfWeights: idfWeights) }
    }

    /// The first OOV index: 1 when index 0 is the mask, else 0.
    var oovStart: Int { maskToken != nil && outputMode == .int ? 1 : 0 }
    /// The index of the first token.
    var tokenStart: Int { oovStart + numOovIndices }
    /// The number of indices: mask, OOV and tokens.
    var vocabularySize: Int { tokenStart + tokens.count }

    /// The vocabulary in index order; with `includeSpecialTokens`, the mask and OOV tokens first,
    /// so that a token's position is its index.
    func vocabulary(includeSpecialTokens: Bool = true) -> [Token] {
        guard includeSpecialTokens else { return tokens }
        return (oovStart == 1 ? [maskToken!] : []) + Array(repeating: oovToken, count: numOovIndices) + tokens
    }

    /// The length of the bag and one-hot vectors: `maxTokens` when padded, else the vocabulary size.
    func depth() throws -> Int {
        if padToMaxTokens, let maxTokens { return maxTokens }
        guard hasVocabulary else {
            throw KerasError.invalidState(
                "\(owner) has no vocabulary yet: with outputMode \(outputMode.rawValue) and padToMaxTokens false the output size "
                    + "is the vocabulary size. Call adapt(_:) on training data first, or pass vocabulary:.")
        }
        return vocabularySize
    }

    // MARK: - Setting and learning the vocabulary

    /// Keras' `set_vocabulary`: the tokens (optionally after the mask and OOV tokens, in index
    /// order), and for `tf_idf` one weight per given token.
    mutating func setVocabulary(_ vocabulary: [Token], idfWeights: [Float]?) throws {
        if outputMode == .tfIdf && idfWeights == nil {
            throw KerasError.invalidArgument(name: "idfWeights of \(owner)", value: "nil", expected: "one weight per vocabulary token for tf_idf")
        }
        if outputMode != .tfIdf && idfWeights != nil {
            throw KerasError.invalidArgument(name: "idfWeights of \(owner)", value: "given", expected: "nil unless outputMode is tf_idf")
        }
        guard !vocabulary.isEmpty else {
            throw KerasError.invalidArgument(name: "vocabulary of \(owner)", value: "[]", expected: "at least one token")
        }
        let specials = self.vocabulary(includeSpecialTokens: true).prefix(tokenStart)
        let foundSpecials = vocabulary.count >= tokenStart && Array(vocabulary.prefix(tokenStart)) == Array(specials)
        let given = foundSpecials ? Array(vocabulary.dropFirst(tokenStart)) : vocabulary
        var seen: [Token: Int] = [:]
        for token in given { seen[token, default: 0] += 1 }
        let repeated = seen.filter { $0.value > 1 }.map(\.key)
        guard repeated.isEmpty else {
            throw KerasError.invalidArgument(name: "vocabulary of \(owner)", value: "repeats \(repeated.map(\.text).sorted())",
                                             expected: "each token once")
        }
        let specialTokens: [(Token?, String)] = [(maskToken, "mask"), (oovToken, "OOV")]
        for (special, kind) in specialTokens where special != nil && seen[special!] != nil {
            throw KerasError.invalidArgument(
                name: "vocabulary of \(owner)", value: "holds the \(kind) token '\(special!.text)' among its tokens",
                expected: "no mask or OOV tokens, or exactly \(Array(specials).map { "'\($0.text)'" }) at the start")
        }
        if let maxTokens, tokenStart + given.count > maxTokens {
            throw KerasError.invalidArgument(name: "vocabulary of \(owner)", value: "\(tokenStart + given.count) indices",
                                             expected: "at most maxTokens = \(maxTokens), mask and OOV indices included")
        }
        if let idfWeights {
            guard idfWeights.count == vocabulary.count else {
                throw KerasError.invalidArgument(name: "idfWeights of \(owner)", value: "\(idfWeights.count) weights",
                                                 expected: "one per vocabulary entry (\(vocabulary.count))")
            }
            let front = foundSpecials ? [] : Array(repeating: idfWeights.reduce(0, +) / Float(idfWeights.count), count: tokenStart)
            self.idfWeights = padded(front + idfWeights)
        }
        setTokens(given)
    }

    /// Keras' `adapt`: every token of `documents` counted; the most frequent first, ties in
    /// reverse sort order (as numpy's `lexsort(...)[::-1]`); the mask and OOV tokens left out;
    /// at most `maxTokens` indices in all. For `tf_idf`, each token's weight is
    /// `log(1 + documents / (1 + documents holding it))`, the special indices their mean.
    mutating func adapt(_ documents: [[Token]]) throws {
        if givenVocabulary != nil {
            throw KerasError.invalidState("\(owner) was given its vocabulary, so it cannot adapt; create it without vocabulary: to learn one.")
        }
        var counts: [Token: Int] = [:], documentCounts: [Token: Int] = [:]
        for document in documents {
            for token in document { counts[token, default: 0] += 1 }
            if outputMode == .tfIdf { for token in Set(document) { documentCounts[token, default: 0] += 1 } }
        }
        guard !counts.isEmpty else { return }
        if let maskToken { counts[maskToken] = nil }
        counts[oovToken] = nil
        var learned = counts.sorted { a, b in a.value != b.value ? a.value > b.value : b.key.sortsBefore(a.key) }.map(\.key)
        if let maxTokens { learned = Array(learned.prefix(Swift.max(0, maxTokens - tokenStart))) }
        if outputMode == .tfIdf {
            let total = Double(documents.count)
            let weights = learned.map { Float(log(1 + total / (1 + Double(documentCounts[$0] ?? 0)))) }
            let mean = weights.isEmpty ? Float.nan : weights.reduce(0, +) / Float(weights.count)
            idfWeights = padded(Array(repeating: mean, count: tokenStart) + weights)
        }
        setTokens(learned)
    }

    /// `weights` followed by zeros up to `maxTokens` when padding to it.
    private func padded(_ weights: [Float]) -> [Float] {
        guard padToMaxTokens, let maxTokens, weights.count < maxTokens else { return weights }
        return weights + Array(repeating: 0, count: maxTokens - weights.count)
    }

    private mutating func setTokens(_ tokens: [Token]) {
        self.tokens = tokens
        positions = Dictionary(uniqueKeysWithValues: tokens.enumerated().map { ($1, $0) })
        hasVocabulary = true
    }

    // MARK: - Looking up

    /// The index of `token`; `nil` for the mask token outside `int` mode (it adds nothing).
    func index(of token: Token) throws -> Int? {
        guard hasVocabulary else {
            throw KerasError.invalidState("\(owner) has no vocabulary yet. Call adapt(_:) on training data first, or pass vocabulary:.")
        }
        if let maskToken, token == maskToken { return outputMode == .int ? 0 : nil }
        if let position = positions[token] { return tokenStart + position }
        switch numOovIndices {
        case 0:
            throw KerasError.invalidData(
                "\(owner): '\(token.text)' is not in the vocabulary, and numOovIndices is 0. "
                    + "Add it to the vocabulary, or set numOovIndices: 1 to map unknown tokens to an OOV index.")
        case 1: return oovStart
        default: return oovStart + oovBucket(token, numOovIndices)
        }
    }

    /// The token at `index` (an inverted lookup): the mask token at a mask index, the OOV token
    /// for OOV indices and indices outside the vocabulary.
    func token(at index: Int) -> Token {
        if let maskToken, index == 0 { return maskToken }
        let position = index - tokenStart
        return position >= 0 && position < tokens.count ? tokens[position] : oovToken
    }

    /// The layer's output for tokens laid out in `shape` (rank 1 or 2).
    func encode(_ tokens: [Token], shape: [Int]) throws -> Tensor {
        let indices = try tokens.map { try index(of: $0) }
        guard outputMode != .int else { return TokenEncoding.encode(indices, shape: shape, depth: 0, mode: .int, idf: nil) }
        return TokenEncoding.encode(indices, shape: shape, depth: try depth(), mode: outputMode, idf: try idfForBags())
    }

    /// One bag per row of tokens (`[rows, depth]`), in a bag mode: `TextVectorization`'s
    /// output for split strings.
    func bags(_ rows: [[Token]]) throws -> Tensor {
        let indices = try rows.map { try $0.map { try index(of: $0) } }
        let depth = try depth()
        return Tensor(shape: [rows.count, depth], scalars: TokenEncoding.bags(indices, depth: depth, mode: outputMode, idf: try idfForBags()))
    }

    /// The idf weights in `tf_idf` mode (an error before they are known), else `nil`.
    private func idfForBags() throws -> [Float]? {
        guard outputMode == .tfIdf else { return nil }
        guard let idfWeights else {
            throw KerasError.invalidState("\(owner) has no idf weights yet; call adapt(_:) first, or give vocabulary: and idfWeights:.")
        }
        return idfWeights
    }

    /// The output size of the bag and one-hot modes when known (for output shapes).
    var knownDepth: Int? { (try? depth()) ?? recordedVocabularySize }
}
