import Foundation
import Keras

/// `keras-bench rnn`: the recurrent benchmark of issue 12, Embedding(10000, 128) → LSTM(128)
/// (or GRU(128)) → Dense(1, sigmoid), sequences of 100 steps, batch 64, adam; the same model as
/// Tools/bench/rnn_reference.py builds in Keras and PyTorch.
///
///     keras-bench rnn [lstm|gru] [rounds]          synthetic data, each epoch's seconds and the steps'
///     keras-bench rnn [lstm|gru] serve data.npz    one epoch per line of input (Tools/bench/compare_rnn_epoch.py)
enum RecurrentBenchmark {
    static let (vocabulary, length, batchSize, samples) = (10_000, 100, 64, 6_400)

    static func model(_ kind: String) throws -> Sequential {
        Keras.setRandomSeed(0)
        let recurrent: Layer = kind == "gru" ? GRU(128) : LSTM(128)
        let model = Sequential([Embedding(vocabulary, 128, inputShape: [length]), recurrent, Dense(units: 1, activation: .sigmoid)])
        try model.compile(optimizer: "adam", loss: "binary_crossentropy", metrics: ["accuracy"])
        return model
    }

    /// The benchmark's data when no file is given: random tokens and labels.
    static func syntheticData() -> (Tensor, Tensor) {
        var generator = RandomGenerator(seed: 7)
        let tokens = (0..<(samples * length)).map { _ in Float(generator.next() % UInt64(vocabulary)) }
        let labels = (0..<samples).map { _ in Float(generator.next() % 2) }
        return (Tensor(shape: [samples, length], scalars: tokens), Tensor(shape: [samples, 1], scalars: labels))
    }

    static func run(_ arguments: [String]) throws {
        let kind = arguments.first ?? "lstm"
        guard kind == "lstm" || kind == "gru" else { throw KerasError.invalidArgument(name: "keras-bench rnn", value: kind, expected: "lstm or gru") }
        let model = try model(kind)
        let (x, y): (Tensor, Tensor)
        if arguments.dropFirst().first == "serve", let path = arguments.dropFirst(2).first {
            let arrays = try NumPy.loadArchive(path)
            (x, y) = (arrays["x"]!, arrays["y"]!)
        } else {
            (x, y) = syntheticData()
        }
        try model.fit(x[0..<(2 * batchSize)], y[0..<(2 * batchSize)], epochs: 1, batchSize: batchSize, verbose: 0)
        if arguments.dropFirst().first == "serve" {
            print("ready")
            fflush(nil)
            while let line = readLine(), line != "quit" {
                if line == "memory" {
                    print(String(format: "%.1f", peakResidentMegabytes()))
                } else {
                    let start = DispatchTime.now()
                    try model.fit(x, y, epochs: 1, batchSize: batchSize, verbose: 0)
                    print(String(format: "%.4f", TrainingBenchmark.seconds(start)))
                }
                fflush(nil)
            }
            return
        }
        let rounds = arguments.dropFirst().first.flatMap { Int($0) } ?? 3
        let steps = StepTimer()
        var times: [Double] = []
        for _ in 0..<rounds {
            let start = DispatchTime.now()
            try model.fit(x, y, epochs: 1, batchSize: batchSize, verbose: 0, callbacks: [steps])
            times.append(TrainingBenchmark.seconds(start))
        }
        let sorted = steps.durations.sorted()
        print("\(kind)_epoch_rounds_s " + times.map { String(format: "%.3f", $0) }.joined(separator: " "))
        print(String(format: "\(kind)_step_ms min %.2f median %.2f", sorted[0] * 1000, sorted[sorted.count / 2] * 1000))
        print(String(format: "\(kind)_peak_rss_mb %.1f", peakResidentMegabytes()))
        print(String(format: "\(kind)_epoch_s %.3f (%d samples, batch %d, %d steps)", times.min() ?? .nan, samples, batchSize, length))
    }
}
