import Foundation
import Testing
@testable import Keras

/// What real Keras 3 computed for the text preprocessing layers (Tests/Fixtures/text.json, by
/// Tools/fixtures/make_text_fixtures.py), read as a `ConfigValue`.
enum TextFixtures {
    static let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/text.json")
    static let shared: ConfigValue? = {
        guard let data = try? Data(contentsOf: url) else { return nil }
        return try? ConfigValue(json: String(decoding: data, as: UTF8.self), source: "text.json")
    }()

    static func load() throws -> ConfigValue { try #require(shared, "Tests/Fixtures/text.json is missing or unreadable") }

    static var layerCases: [String] {
        guard case .array(let cases)? = shared?["layers"] else { return [] }
        return cases.compactMap { $0["id"]?.stringValue }
    }

    static func layerCase(_ id: String) throws -> ConfigValue {
        guard case .array(let cases)? = try load()["layers"], let found = cases.first(where: { $0["id"]?.stringValue == id }) else {
            throw KerasError.invalidData("no case \(id)")
        }
        return found
    }
}

/// A fixture's nested list of values as strings (row-major) with its shape, or as numbers.
private enum FixtureInput {
    case strings([String], shape: [Int])
    case numbers(Tensor)

    init(_ value: ConfigValue) {
        var shape: [Int] = []
        var level = value
        while case .array(let items) = level { shape.append(items.count); level = items.first ?? .null }
        func leaves(_ value: ConfigValue) -> [ConfigValue] {
            if case .array(let items) = value { return items.flatMap(leaves) }
            return [value]
        }
        let flat = leaves(value)
        if flat.contains(where: { $0.stringValue != nil }) {
            self = .strings(flat.compactMap(\.stringValue), shape: shape)
        } else {
            self = .numbers(Tensor(shape: shape, scalars: flat.compactMap { $0.doubleValue.map(Float.init) }))
        }
    }

    var rows: [[String]] {
        guard case .strings(let strings, let shape) = self, shape.count == 2 else { return [] }
        return (0..<shape[0]).map { Array(strings[$0 * shape[1]..<($0 + 1) * shape[1]]) }
    }
}

@Suite("Text preprocessing layers", .freshLayerNames) struct TextPreprocessingTests {
    // MARK: - Parity with Keras, layer by layer

    /// The layer of a fixture case, rebuilt from the config Keras wrote for it, adapted on the
    /// same data; then its output, vocabulary and config compared with Keras'.
    @Test(arguments: TextFixtures.layerCases)
    func layerMatchesKeras(_ id: String) throws {
        let entry = try TextFixtures.layerCase(id)
        let envelope = ConfigValue.object([ConfigField("class_name", entry["class_name"]!), ConfigField("config", entry["config"]!)])
        let layer = try Layers.deserialize(envelope)
        let input = FixtureInput(entry["input"]!)
        let adapt = entry["adapt"].flatMap { $0.isNull ? nil : FixtureInput($0) }
        var output: Tensor?
        var strings: [String]?
        switch (layer, input) {
        case (let layer as TextVectorization, .strings(let texts, _)):
            if case .strings(let corpus, _)? = adapt { try layer.adapt(corpus) }
            output = try layer(texts)
        case (let layer as StringLookup, .strings(let tokens, let shape)):
            if let adapt { try layer.adapt(adapt.rows) }
            output = shape.count == 1 ? try layer(tokens) : try layer(input.rows)
        case (let layer as StringLookup, .numbers(let indices)):
            strings = try layer.tokens(at: indices)
        case (let layer as IntegerLookup, .numbers(let values)):
            if case .numbers(let data)? = adapt { try layer.adapt(data) }
            output = try layer(values)
        case (let layer as Hashing, .strings(let tokens, let shape)):
            output = shape.count == 1 ? try layer(tokens) : try layer(input.rows)
        case (let layer as Hashing, .numbers(let values)):
            output = try layer(values)
        default:
            Issue.record("\(id): no way to run \(type(of: layer)) on this input")
            return
        }
        let shape = try #require(entry["output_shape"].flatMap { value -> [Int]? in
            guard case .array(let items) = value else { return nil }
            return items.compactMap(\.intValue)
        })
        if let strings {
            #expect(strings == entry["output_strings"].map { value -> [String] in
                guard case .array(let items) = value else { return [] }
                return items.compactMap(\.stringValue)
            })
        } else {
            let output = try #require(output)
            #expect(output.shape == shape, "\(id): shape")
            guard case .array(let expected)? = entry["output"] else { Issue.record("\(id): no output"); return }
            let values = expected.compactMap { $0.doubleValue.map(Float.init) }
            #expect(values.count == output.count)
            let worst = zip(output.scalars, values).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
            #expect(worst <= 1e-6, "\(id): largest difference \(worst)")
        }
        if case .array(let vocabulary)? = entry["vocabulary"] {
            let ours: [ConfigValue] = switch layer {
            case let layer as TextVectorization: layer.getVocabulary().map(ConfigValue.string)
            case let layer as StringLookup: layer.getVocabulary().map(ConfigValue.string)
            case let layer as IntegerLookup: layer.getVocabulary().map(\.configValue)
            default: []
            }
            #expect(ours == vocabulary, "\(id): vocabulary")
            let size = entry["vocabulary_size"]?.intValue
            let ourSize: Int? = switch layer {
            case let layer as TextVectorization: layer.vocabularySize()
            case let layer as IndexLookup<String>: layer.vocabularySize()
            case let layer as IndexLookup<Int64>: layer.vocabularySize()
            default: nil
            }
            #expect(ourSize == size, "\(id): vocabulary size")
        }
        // Our config holds what Keras' holds, with the same values (its dtype policy aside).
        guard case .object(let kerasFields)? = entry["config"], case .object(let ourFields) = try layer.serialized()["config"]! else {
            Issue.record("\(id): no config")
            return
        }
        #expect(ourFields.map(\.key) == kerasFields.map(\.key), "\(id): config keys")
        for field in kerasFields where !["dtype", "name"].contains(field.key) {
            let ours = ourFields.first { $0.key == field.key }?.value
            let same = ours == field.value || (ours?.doubleValue != nil && ours?.doubleValue == field.value.doubleValue)
                || (ours.map { "\($0.json)" } == field.value.json)
            #expect(same, "\(id): config '\(field.key)' is \(ours?.json ?? "missing"), Keras wrote \(field.value.json)")
        }
    }

    // MARK: - Hashes

    @Test func farmHashMatchesTensorFlowForEveryLength() throws {
        let fixture = try TextFixtures.load()
        guard case .array(let strings)? = fixture["hash_strings"], case .array(let fast)? = fixture["hash_fast"],
              case .array(let strong)? = fixture["hash_strong"], case .array(let key)? = fixture["hash_strong_key"] else {
            Issue.record("text.json has no hashes")
            return
        }
        let big = UInt64(Int64.max)
        let k0 = UInt64(key[0].stringValue!)!, k1 = UInt64(key[1].stringValue!)!
        #expect(strings.count > 140)
        for (index, value) in strings.enumerated() {
            let string = value.stringValue!
            #expect(FarmHash.fingerprint64(string) % big == UInt64(fast[index].stringValue!)!, "FarmHash of \(string.utf8.count) bytes")
            #expect(SipHash.hash(string, key: (k0, k1)) % big == UInt64(strong[index].stringValue!)!, "SipHash of \(string.utf8.count) bytes")
        }
    }

    // MARK: - Custom functions and misuse

    /// A Swift closure as `standardize` and `split`, as Keras takes a callable.
    @Test func customStandardizeAndSplit() throws {
        let vectorizer = try TextVectorization(
            standardize: .custom { $0.replacingOccurrences(of: "<br />", with: " ").lowercased() },
            split: .custom { $0.split(separator: ",").map(String.init) }, outputSequenceLength: 3)
        try vectorizer.adapt(["a,b<br />,b", "c,b"])
        // "b" twice; "a", "b " and "c" once each, listed in reverse byte order.
        #expect(vectorizer.getVocabulary() == ["", "[UNK]", "b", "c", "b ", "a"])
        #expect(try vectorizer(["b,zz,a"]).scalars == [2, 1, 5])
        expectKerasError(mentioning: ["standardize", "TextVectorization"]) { _ = try vectorizer.getConfig() }
    }

    @Test func misuseThrowsNamingTheLayer() throws {
        expectKerasError(mentioning: ["outputSequenceLength", "int"]) {
            _ = try TextVectorization(outputMode: .multiHot, outputSequenceLength: 4, name: "vec")
        }
        expectKerasError(mentioning: ["vec", "vocabulary", "adapt"]) {
            _ = try TextVectorization(outputMode: .multiHot, name: "vec")(["a b"])
        }
        expectKerasError(mentioning: ["idfWeights"]) { _ = try StringLookup(vocabulary: ["a"], outputMode: .tfIdf) }
        expectKerasError(mentioning: ["invert"]) { _ = try StringLookup(vocabulary: ["a"], invert: true, outputMode: .count) }
        expectKerasError(mentioning: ["repeats", "a"]) { _ = try StringLookup(vocabulary: ["a", "b", "a"]) }
        expectKerasError(mentioning: ["maxTokens"]) { _ = try StringLookup(maxTokens: 1) }
        expectKerasError(mentioning: ["cannot adapt"]) { try StringLookup(vocabulary: ["a"]).adapt(["b"]) }
        expectKerasError(mentioning: ["not in the vocabulary", "numOovIndices"]) {
            _ = try StringLookup(numOovIndices: 0, vocabulary: ["a"])(["b"])
        }
        expectKerasError(mentioning: ["row 1"]) { _ = try StringLookup(vocabulary: ["a"])([["a", "a"], ["a"]]) }
        expectKerasError(mentioning: ["strings", "TextVectorization"]) { _ = try TextVectorization()(Tensor([1, 2])) }
        expectKerasError(mentioning: ["whole number", "IntegerLookup"]) { _ = try IntegerLookup(vocabulary: [1])(Tensor([1.5])) }
        expectKerasError(mentioning: ["numBins"]) { _ = try Hashing(numBins: 0) }
    }
}

@Suite("Text models: strings in, saved files", .freshLayerNames) struct TextModelTests {
    static let texts = ["the cat sat on the mat", "a dog! a bird?", "zebra", "北京 café"]

    static func classifier() throws -> Sequential {
        let vectorizer = try TextVectorization(maxTokens: 30, outputSequenceLength: 6)
        try vectorizer.adapt(["the cat sat on the mat.", "The dog ate my homework!", "a cat, a dog & a bird", "北京 欢迎 你"])
        return Sequential([vectorizer, Embedding(30, 4, maskZero: true), GlobalAveragePooling1D(), Dense(2, activation: .softmax)])
    }

    /// `fit` and `predict` take strings when the first layer does, and give what the layers
    /// give one after the other.
    @Test func sequentialTakesStrings() throws {
        let model = try Self.classifier()
        let vectorizer = try #require(model.layers[0] as? TextVectorization)
        let predicted = try model.predict(Self.texts)
        #expect(predicted.shape == [4, 2])
        // The same as the vectorizer's output through the other layers, and as calling the model.
        let rest = Sequential(Array(model.layers.dropFirst()))
        #expect(try rest.predict(try vectorizer(Self.texts)).scalars == predicted.scalars)
        #expect(try model(Self.texts).scalars == predicted.scalars)
        try model.compile(optimizer: Adam(learningRate: 0.05), loss: "sparse_categorical_crossentropy", metrics: ["accuracy"])
        let labels = Tensor([0, 1, 0, 1])
        let history = try model.fit(Self.texts, labels, epochs: 30, batchSize: 2, verbose: 0, validationData: (Self.texts, labels))
        let losses = try #require(history.history["loss"])
        #expect(losses.last! < losses.first!)
        #expect(try model.evaluate(Self.texts, labels, verbose: 0)["accuracy"] == 1)
        expectKerasError(mentioning: ["strings", "dense"]) {
            _ = try Sequential([Dense(2, name: "dense")]).predict(["a"])
        }
    }

    /// Our `.keras` file holds the learned vocabulary as Keras does (assets), and loads back.
    @Test func savedVocabularyRoundTrips() throws {
        let model = try Self.classifier()
        let expected = try model.predict(Self.texts)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("text-\(UUID().uuidString).keras")
        defer { try? FileManager.default.removeItem(at: file) }
        try model.save(file.path)
        let archive = try KerasArchive(file)
        let vocabulary = String(decoding: try archive.member("assets/layers/text_vectorization/vocabulary.txt"), as: UTF8.self)
        #expect(vocabulary.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                == (model.layers[0] as! TextVectorization).getVocabulary())
        let loaded = try #require(try Keras.loadModel(file.path) as? Sequential)
        #expect((loaded.layers[0] as? TextVectorization)?.getVocabulary() == (model.layers[0] as! TextVectorization).getVocabulary())
        #expect(try loaded.predict(Self.texts).scalars == expected.scalars)
    }

    /// Text classifiers saved by Python Keras (indices → Embedding → masked pooling, and a
    /// tf-idf bag of words) predict here as they did there.
    @Test(arguments: [("classifier", "text_classifier.keras"), ("tfidf_classifier", "text_tfidf.keras")])
    func kerasTextClassifierPredictsTheSame(_ key: String, _ name: String) throws {
        let fixture = try TextFixtures.load()
        let classifier = try #require(fixture[key])
        let file = TextFixtures.url.deletingLastPathComponent().appendingPathComponent("saving/\(name)")
        let model = try #require(try Keras.loadModel(file.path) as? Sequential)
        guard case .array(let texts)? = classifier["texts"], case .array(let expected)? = classifier["predictions"],
              case .array(let vocabulary)? = classifier["vocabulary"] else {
            Issue.record("text.json has no \(key)")
            return
        }
        #expect((model.layers[0] as? TextVectorization)?.getVocabulary() == vocabulary.compactMap(\.stringValue))
        let predicted = try model.predict(texts.compactMap(\.stringValue))
        let worst = zip(predicted.scalars, expected.compactMap(\.doubleValue)).map { abs(Double($0) - $1) }.max() ?? 1
        #expect(predicted.count == expected.count)
        #expect(worst < 1e-6)
    }

    /// A tf-idf model keeps its vocabulary and idf weights through our `.keras` file.
    @Test func savedTfIdfRoundTrips() throws {
        let bags = try TextVectorization(maxTokens: 12, outputMode: .tfIdf)
        try bags.adapt(["the cat sat on the mat.", "The dog ate my homework!", "a cat, a dog & a bird"])
        let model = Sequential([bags, Dense(2)])
        let expected = try model.predict(Self.texts)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("tfidf-\(UUID().uuidString).keras")
        defer { try? FileManager.default.removeItem(at: file) }
        try model.save(file.path)
        let loaded = try #require(try Keras.loadModel(file.path) as? Sequential)
        let restored = try #require(loaded.layers[0] as? TextVectorization)
        #expect(restored.getVocabulary() == bags.getVocabulary())
        #expect(restored.idfWeights == bags.idfWeights)
        #expect(try loaded.predict(Self.texts).scalars == expected.scalars)
    }

    /// Python Keras (with TensorFlow, which its text layers need) loads our classifier and
    /// predicts what we predict.
    @Test(.enabled(if: Python.hasTensorFlow, "set KERAS_PYTHON_TESTS=1 with keras and tensorflow installed"))
    func pythonKerasLoadsOurTextClassifier() throws {
        let bags = try TextVectorization(maxTokens: 12, outputMode: .tfIdf)
        try bags.adapt(["the cat sat on the mat.", "The dog ate my homework!", "a cat, a dog & a bird"])
        for model in [try Self.classifier(), Sequential([bags, Dense(2)])] {
            let expected = try model.predict(Self.texts)
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("text-\(UUID().uuidString).keras")
            defer { try? FileManager.default.removeItem(at: file) }
            try model.save(file.path)
            let texts = ConfigValue.array(Self.texts.map(ConfigValue.string)).json
            let output = try Python.run(program: """
                import os, json
                os.environ["KERAS_BACKEND"] = "tensorflow"  # string inputs need it
                import numpy as np, keras, tensorflow as tf
                model = keras.saving.load_model(\(ConfigValue.string(file.path).json))
                print(json.dumps([float(v) for v in np.asarray(model.predict(tf.constant(\(texts)), verbose=0)).reshape(-1)]))
                """)
            let values = try ConfigValue(json: output.trimmingCharacters(in: .whitespacesAndNewlines), source: "python")
            guard case .array(let python) = values else { Issue.record("python printed \(output)"); return }
            let worst = zip(expected.scalars, python.compactMap(\.doubleValue)).map { abs(Double($0) - $1) }.max() ?? 1
            #expect(python.count == expected.count)
            #expect(worst < 1e-5, "\(model.layers[0].name)")
        }
    }
}
