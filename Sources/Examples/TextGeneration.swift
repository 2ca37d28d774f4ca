import Foundation
import Keras

/// Keras' character-level text generation with an LSTM, on the GNU GPL version 3: the text of
/// `/usr/share/common-licenses/GPL-3`, which every Debian system has (package `base-files`).
/// An `Embedding` of the characters replaces the example's one-hot vectors (the same model,
/// less memory); after training, it writes text one sampled character at a time.
enum TextGenerationExample {
    static let corpus = "/usr/share/common-licenses/GPL-3"

    static func run(epochs: Int = 20) throws {
        Keras.setRandomSeed(4)
        let text = Array(try String(contentsOfFile: corpus, encoding: .utf8).lowercased()
            .split(whereSeparator: \.isWhitespace).joined(separator: " "))
        let characters = Array(Set(text)).sorted()
        let index = Dictionary(uniqueKeysWithValues: characters.enumerated().map { ($1, Float($0)) })
        let codes = text.map { index[$0]! }
        print("\(corpus): \(text.count) characters, \(characters.count) distinct")

        let length = 40, step = 3
        let starts = Array(stride(from: 0, to: codes.count - length, by: step))
        let x = Tensor(shape: [starts.count, length], scalars: starts.flatMap { codes[$0..<($0 + length)] })
        let y = Tensor(shape: [starts.count, 1], scalars: starts.map { codes[$0 + length] })
        print("\(starts.count) sequences of \(length) characters")

        let model = Sequential([
            Embedding(characters.count, 32, inputShape: [length]),
            LSTM(128),
            Dense(units: characters.count, activation: .softmax),
        ])
        try model.compile(optimizer: RMSprop(learningRate: 0.01), loss: "sparse_categorical_crossentropy")
        model.summary()
        var generator = RandomGenerator(seed: 9)
        for epoch in 1...epochs {
            try model.fit(x, y, epochs: 1, batchSize: 128, verbose: epoch == epochs ? 1 : 2)
        }
        let seedStart = Int(generator.next() % UInt64(codes.count - length))
        for temperature: Float in [0.2, 0.5, 1.0] {
            var window = Array(codes[seedStart..<(seedStart + length)])
            var generated = ""
            for _ in 0..<300 {
                let probabilities = try model.predict(Tensor(shape: [1, length], scalars: window)).scalars
                let next = sample(probabilities, temperature: temperature, using: &generator)
                generated.append(characters[next])
                window = Array(window.dropFirst()) + [Float(next)]
            }
            print("\n--- temperature \(temperature), seed \"\(String(text[seedStart..<(seedStart + length)]))\"\n\(generated)")
        }
    }

    /// An index drawn from `probabilities` sharpened (temperature < 1) or flattened (> 1).
    static func sample(_ probabilities: [Float], temperature: Float, using generator: inout RandomGenerator) -> Int {
        let weights = probabilities.map { Foundation.exp(Foundation.log(Swift.max($0, 1e-12)) / temperature) }
        var threshold = Float(Double(generator.next() >> 11) / Double(1 << 53)) * weights.reduce(0, +)
        for (index, weight) in weights.enumerated() {
            threshold -= weight
            if threshold <= 0 { return index }
        }
        return weights.count - 1
    }
}
