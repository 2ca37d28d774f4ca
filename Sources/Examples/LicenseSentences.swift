import Foundation
import Keras

/// Text classification from raw strings: which license a sentence comes from, the GNU GPL 3 or
/// the Apache License 2.0 (both in `/usr/share/common-licenses`, Debian's `base-files`).
/// A `TextVectorization` adapted on the training sentences sits first in the model, so `fit`,
/// `evaluate` and `predict` take `[String]`, and the saved `.keras` file keeps its vocabulary.
enum LicenseSentencesExample {
    static let sources = [("/usr/share/common-licenses/GPL-3", Float(0)), ("/usr/share/common-licenses/Apache-2.0", Float(1))]

    static func run() throws {
        Keras.setRandomSeed(3)
        var samples: [(String, Float)] = []
        for (path, label) in sources {
            let text = try String(contentsOfFile: path, encoding: .utf8).split(whereSeparator: \.isWhitespace).joined(separator: " ")
            let sentences = text.split(whereSeparator: { ".;:".contains($0) }).map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { $0.split(separator: " ").count >= 5 }
            print("\(path): \(sentences.count) sentences")
            samples += sentences.map { ($0, label) }
        }
        var generator = RandomGenerator(seed: 7)
        for i in stride(from: samples.count - 1, to: 0, by: -1) { samples.swapAt(i, Int(generator.next() % UInt64(i + 1))) }
        let split = samples.count * 4 / 5
        let (train, test) = (Array(samples[..<split]), Array(samples[split...]))

        let vectorizer = try TextVectorization(maxTokens: 4000, outputSequenceLength: 48)
        try vectorizer.adapt(train.map(\.0))
        print("vocabulary: \(vectorizer.vocabularySize()) entries, first \(vectorizer.getVocabulary().prefix(8))")
        let model = Sequential([
            vectorizer,
            Embedding(4000, 16, maskZero: true),
            GlobalAveragePooling1D(),
            Dense(units: 1, activation: .sigmoid),
        ])
        try model.compile(optimizer: Adam(learningRate: 0.01), loss: "binary_crossentropy", metrics: ["accuracy"])
        // GPL-3 has about four times as many sentences: weight the classes to balance them.
        let apache = Float(train.filter { $0.1 == 1 }.count), gpl = Float(train.count) - apache
        let classWeight = [0: Float(train.count) / (2 * gpl), 1: Float(train.count) / (2 * apache)]
        try model.fit(train.map(\.0), Tensor(train.map(\.1)), epochs: 30, batchSize: 32, verbose: 0, classWeight: classWeight)
        let majority = max(test.filter { $0.1 == 0 }.count, test.filter { $0.1 == 1 }.count)
        let result = try model.evaluate(test.map(\.0), Tensor(test.map(\.1)), verbose: 0)
        print(String(format: "held-out accuracy %.3f on %d sentences (always guessing the larger license: %.3f)",
                     result["accuracy"], test.count, Double(majority) / Double(test.count)))

        let file = FileManager.default.temporaryDirectory.appendingPathComponent("license-sentences.keras").path
        try model.save(file)
        let loaded = try Keras.loadModel(file) as! Sequential
        let examples = ["Licensed under the Apache License, Version 2.0", "you may convey a covered work in object code form",
                        "the software is provided without warranty"]
        for (text, score) in zip(examples, try loaded.predict(examples).scalars) {
            print(String(format: "%.3f", score) + "  \(text)  (\(score > 0.5 ? "Apache-2.0" : "GPL-3"))")
        }
    }
}
