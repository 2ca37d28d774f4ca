/// A layer that takes strings: `TextVectorization`, `StringLookup`, `Hashing`. At the front of
/// a `Sequential`, it lets `fit`, `evaluate` and `predict` take `[String]`, as in Keras'
/// `Sequential([vectorizer, Embedding(...), ...])`.
public protocol StringInputLayer: Layer {
    /// The layer's tensor for one string per sample.
    func callAsFunction(_ strings: [String]) throws -> Tensor
}

extension TextVectorization: StringInputLayer {}
extension StringLookup: StringInputLayer {}
extension Hashing: StringInputLayer {}

/// Strings through a model whose first layer takes them. The engine's tensors hold numbers, so
/// the string layer runs once on the whole array, and the rest of the model trains and predicts
/// on its output in batches (in `int` mode without `outputSequenceLength`, every sequence is
/// padded to the longest of the array, not of its batch).
extension Sequential {
    /// Trains on strings: `x` goes through the first layer (`TextVectorization`, …), then training
    /// runs as `fit` on tensors.
    @discardableResult
    public func fit(
        _ x: [String], _ y: Tensor, epochs: Int = 1, batchSize: Int = 32, verbose: Int = 1, callbacks: [Callback] = [],
        validationSplit: Float = 0, validationData: ([String], Tensor)? = nil, shuffle: Bool = true,
        classWeight: [Int: Float]? = nil, sampleWeight: Tensor? = nil, initialEpoch: Int = 0
    ) throws -> History {
        let validation = try validationData.map { (try encodedStrings($0.0), $0.1) }
        return try withStrings(x) { encoded in
            try fit(encoded, y, epochs: epochs, batchSize: batchSize, verbose: verbose, callbacks: callbacks,
                    validationSplit: validationSplit, validationData: validation, shuffle: shuffle, classWeight: classWeight,
                    sampleWeight: sampleWeight, initialEpoch: initialEpoch)
        }
    }

    /// The loss and metrics on strings.
    @discardableResult
    public func evaluate(_ x: [String], _ y: Tensor, batchSize: Int = 32, verbose: Int = 1) throws -> Evaluation {
        try withStrings(x) { try evaluate($0, y, batchSize: batchSize, verbose: verbose) }
    }

    /// The model's outputs for strings.
    public func predict(_ x: [String], batchSize: Int = 32, verbose: Int = 0) throws -> Tensor {
        try withStrings(x) { try predict($0, batchSize: batchSize, verbose: verbose) }
    }

    /// The outputs for strings, called as a function: `model(["a text"])`.
    public func callAsFunction(_ x: [String]) throws -> Tensor {
        try withStrings(x) { try call([$0], masks: [nil], training: false)[0] }
    }

    /// The first layer's output for `strings`; the model is built for string inputs first.
    private func encodedStrings(_ strings: [String]) throws -> Tensor {
        guard let entrance = layers.first as? StringInputLayer else {
            throw KerasError.invalidArgument(
                name: "x of model '\(name)'", value: "strings",
                expected: "tensors, or a model whose first layer takes strings (TextVectorization, StringLookup or Hashing)"
                    + (layers.first.map { "; its first layer is '\($0.name)' (\(type(of: $0).kerasClassName))" } ?? ""))
        }
        try buildIfNeeded(inputShape: [nil])
        return try entrance(strings)
    }

    /// Runs `body` on the encoded strings with the model starting after its string layer.
    private func withStrings<R>(_ strings: [String], _ body: (Tensor) throws -> R) throws -> R {
        let encoded = try encodedStrings(strings)
        layersAppliedToInputs = 1
        defer { layersAppliedToInputs = 0 }
        return try body(encoded)
    }
}
