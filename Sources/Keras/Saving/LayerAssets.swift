/// A layer that keeps files beside its weights in a `.keras` archive, as Keras' `save_assets` /
/// `load_assets`: the lookup layers' learned vocabulary, `assets/<layer path>/vocabulary.txt`.
protocol LayerAssets: Layer {
    /// The files to save, by name; none when the config already holds everything.
    func savedAssets() throws -> [(name: String, bytes: [UInt8])]
    /// Restores the layer from the files saved under its path, by name.
    func loadAssets(_ files: [String: [UInt8]]) throws
}

extension TokenIndex {
    /// The learned vocabulary as Keras saves it: one token per line, special tokens first. A
    /// vocabulary given in the config is not saved again; nor is an empty one.
    func vocabularyAsset() throws -> [(name: String, bytes: [UInt8])] {
        guard givenVocabulary == nil, hasVocabulary else { return [] }
        if outputMode == .tfIdf {
            throw KerasError.invalidArgument(
                name: "\(owner) outputMode", value: "tf_idf with an adapted vocabulary",
                expected: "a mode other than tf_idf to save it in a .keras file (its idf weights are not saved yet); "
                    + "or create the layer with vocabulary: and idfWeights:, which the config holds")
        }
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
        if outputMode == .tfIdf {
            throw KerasError.invalidData("\(owner): loading an adapted tf_idf vocabulary (with its idf weights) is not supported yet")
        }
        try setVocabulary(tokens, idfWeights: nil)
    }
}

extension IndexLookup: LayerAssets {
    func savedAssets() throws -> [(name: String, bytes: [UInt8])] { try index.vocabularyAsset() }
    func loadAssets(_ files: [String: [UInt8]]) throws { try index.loadVocabularyAsset(files) }
}

extension TextVectorization: LayerAssets {
    /// The vocabulary, twice as Keras writes it: for the layer and for its inner `StringLookup`.
    func savedAssets() throws -> [(name: String, bytes: [UInt8])] {
        try index.vocabularyAsset().flatMap { [$0, ("_lookup_layer/\($0.name)", $0.bytes)] }
    }
    func loadAssets(_ files: [String: [UInt8]]) throws { try index.loadVocabularyAsset(files) }
}
