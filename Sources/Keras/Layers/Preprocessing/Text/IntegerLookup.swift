/// Maps integers (category ids, held as whole-number `Float`s) to contiguous indices through a
/// vocabulary, as Keras' `IntegerLookup`: learned with `adapt`, or given. Unknown values go to
/// the OOV index (token -1), or, with several OOV indices, to `value mod numOovIndices`
/// (`oovMethod: "farmhash"` hashes the value's decimal text instead).
///
/// ```swift
/// let lookup = try IntegerLookup(vocabulary: [12, 36, 1138, 42])
/// try lookup(Tensor([[12, 1138, 42], [42, 1000, 36]]))    // [[1, 3, 4], [4, 0, 2]]
/// let back = try IntegerLookup(vocabulary: [12, 36, 1138, 42], invert: true)
/// try back(Tensor([[1, 3, 4]]))                            // [[12, 1138, 42]]
/// ```
/// Unlike `StringLookup` it takes tensors, so it can sit inside a model.
public final class IntegerLookup: IndexLookup<Int64> {
    /// `"floormod"` (the default) or `"farmhash"`: how unknown values spread over several OOV indices.
    public let oovMethod: String

    public init(maxTokens: Int? = nil, numOovIndices: Int = 1, maskToken: Int64? = nil, oovToken: Int64 = -1,
                vocabulary: [Int64]? = nil, idfWeights: [Float]? = nil, invert: Bool = false,
                outputMode: TokenOutputMode = .int, padToMaxTokens: Bool = false, oovMethod: String = "floormod",
                salt: [UInt64]? = nil, name: String? = nil) throws {
        guard ["floormod", "farmhash"].contains(oovMethod) else {
            throw KerasError.unknownName(kind: "IntegerLookup oovMethod", name: oovMethod, valid: ["floormod", "farmhash"])
        }
        if salt != nil && oovMethod != "farmhash" {
            throw KerasError.invalidArgument(name: "salt of IntegerLookup", value: "given", expected: "nil unless oovMethod is \"farmhash\"")
        }
        self.oovMethod = oovMethod
        let hashes = oovMethod == "farmhash"
        try super.init(maxTokens: maxTokens, numOovIndices: numOovIndices, maskToken: maskToken, oovToken: oovToken,
                       vocabulary: vocabulary, idfWeights: idfWeights, invert: invert, outputMode: outputMode,
                       padToMaxTokens: padToMaxTokens, salt: salt, oovBucket: { value, count, salt in
                           hashes ? StringLookup.bucket(value.text, count, salt: salt)
                               : Int(((value % Int64(count)) + Int64(count)) % Int64(count))
                       }, name: name)
    }

    override var oovMethodName: String { oovMethod }

    /// Learns the vocabulary from the values of `data` (each row a sample), as Keras' `adapt`.
    public func adapt(_ data: Tensor) throws {
        let values = try integers(data)
        let width = data.rank >= 2 ? data.shape.dropFirst().reduce(1, *) : 1
        try adapt(stride(from: 0, to: values.count, by: Swift.max(width, 1)).map { Array(values[$0..<$0 + width]) })
    }

    /// The indices (or encodings) of the values, or with `invert` the values at the indices.
    public override func call(_ input: Tensor, training: Bool) throws -> Tensor {
        let values = try integers(input)
        guard input.rank <= 2 || outputMode == .int else {
            throw shapeError(expected: "(batch,) or (batch, values)", got: input.shape.map { $0 },
                             fix: "\(outputMode.rawValue) encodes inputs of rank 1 or 2; reshape to (batch, values) first.")
        }
        if invert {
            return Tensor(shape: input.shape, scalars: values.map { Float(index.token(at: Int($0))) }).astype(.integer)
        }
        return try index.encode(values, shape: input.rank == 0 ? [1] : input.shape)
    }

    /// The values of `tensor` as integers, or an error naming the first that is not one.
    private func integers(_ tensor: Tensor) throws -> [Int64] {
        try tensor.scalars.map { value in
            guard value.isFinite, value.rounded(.towardZero) == value else {
                throw KerasError.invalidData("Layer '\(name)' (IntegerLookup): input value \(value) is not a whole number; "
                                             + "IntegerLookup maps integer ids (use Discretization for continuous values).")
            }
            return Int64(value)
        }
    }

    /// The layer a Keras config describes.
    public convenience init(config: ConfigReader) throws {
        let arguments = try IndexLookupConfig<Int64>(config)
        try self.init(maxTokens: arguments.maxTokens, numOovIndices: arguments.numOovIndices, maskToken: arguments.maskToken,
                      oovToken: arguments.oovToken ?? -1, vocabulary: arguments.vocabulary, idfWeights: arguments.idfWeights,
                      invert: arguments.invert, outputMode: arguments.outputMode, padToMaxTokens: arguments.padToMaxTokens,
                      oovMethod: try config.string("oov_method", default: "floormod"), salt: arguments.salt, name: config.layerName)
        index.recordedVocabularySize = try config.optionalInt("vocabulary_size")
    }
}
