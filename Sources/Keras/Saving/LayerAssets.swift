/// A layer that saves state beside its weights, as Keras' lookup layers do: files in a
/// `.keras` archive (`save_assets` / `load_assets`: the learned vocabulary,
/// `assets/<layer path>/vocabulary.txt`) and arrays saved by name in the weights file
/// (`save_own_variables`: `<layer path>/vars/idf_weights` in `tf_idf` mode).
protocol LayerAssets: Layer {
    /// The files to save, by name; none when the config already holds everything.
    func savedAssets() throws -> [(name: String, bytes: [UInt8])]
    /// Restores the layer from the files saved under its path, by name.
    func loadAssets(_ files: [String: [UInt8]]) throws
    /// The arrays to save by name, at paths below the layer's (`vars/idf_weights`).
    func namedArrays() -> [(path: String, value: Tensor)]
    /// Restores them from the arrays of the layer's `vars` group, by name (before `loadAssets`).
    func loadNamedArrays(_ arrays: [String: Tensor]) throws
}

extension TokenIndex {
    /// The learned vocabulary as Keras saves it: one token per line, special tokens first. A
    /// vocabulary given in the config is not saved again; nor is an empty one.
    func vocabularyAsset() throws -> [(name: String, bytes: [UInt8])] {
        guard givenVocabulary == nil, hasVocabulary else { return [] }
        return [("vocabulary.txt", Array(vocabulary().map(\.text).joined(separator: "\n").utf8))]
    }

    /// Sets the vocabulary from a saved `vocabulary.txt` (Keras' `load_assets`).
    mutating func loadVocabularyAsset(_ files: [String: [UInt8]]) throws {
        guard givenVocabulary == nil, let bytes = files["vocabulary.txt"] else { return }
        var lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        while lines.last == "" { lines.removeLast() }
        let tokens = try lines.map { line -> Token in
            guard let token = Token(line: line) else {
                throw KerasError.invalidData("\(owner): vocabulary.txt holds '\(line)', which is not a token of this layer")
            }
            return token
        }
        var weights: [Float]?
        if outputMode == .tfIdf {
            guard let idfWeights, idfWeights.count >= tokens.count else {
                throw KerasError.invalidData("\(owner): the file has a tf_idf vocabulary of \(tokens.count) tokens but "
                                             + "\(idfWeights?.count ?? 0) idf weights (vars/idf_weights)")
            }
            weights = Array(idfWeights.prefix(tokens.count))
        }
        try setVocabulary(tokens, idfWeights: weights)
    }

    /// The idf weights as Keras saves them (`tf_idf` only).
    var idfArray: Tensor? {
        guard outputMode == .tfIdf, let idfWeights else { return nil }
        return Tensor(idfWeights)
    }

    /// Restores saved idf weights; the vocabulary they go with comes next, from the assets.
    mutating func restoreIdfWeights(_ arrays: [String: Tensor]) {
        guard outputMode == .tfIdf, let weights = arrays["idf_weights"] else { return }
        idfWeights = weights.scalars
    }
}

extension IndexLookup: LayerAssets {
    func savedAssets() throws -> [(name: String, bytes: [UInt8])] { try index.vocabularyAsset() }
    func loadAssets(_ files: [String: [UInt8]]) throws { try index.loadVocabularyAsset(files) }
    func namedArrays() -> [(path: String, value: Tensor)] { index.idfArray.map { [("vars/idf_weights", $0)] } ?? [] }
    func loadNamedArrays(_ arrays: [String: Tensor]) throws { index.restoreIdfWeights(arrays) }
}

extension TextVectorization: LayerAssets {
    /// The vocabulary, twice as Keras writes it: for the layer and for its inner `StringLookup`.
    func savedAssets() throws -> [(name: String, bytes: [UInt8])] {
        try index.vocabularyAsset().flatMap { [$0, ("_lookup_layer/\($0.name)", $0.bytes)] }
    }
    func loadAssets(_ files: [String: [UInt8]]) throws { try index.loadVocabularyAsset(files) }
    /// The idf weights, twice as Keras writes them: for the layer and for its inner `StringLookup`.
    func namedArrays() -> [(path: String, value: Tensor)] {
        index.idfArray.map { [("vars/idf_weights", $0), ("_lookup_layer/vars/idf_weights", $0)] } ?? []
    }
    func loadNamedArrays(_ arrays: [String: Tensor]) throws { index.restoreIdfWeights(arrays) }
}
