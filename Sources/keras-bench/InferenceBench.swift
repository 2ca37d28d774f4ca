import Foundation
import Keras

/// `keras-bench inference`: seed 002's MNIST MLP on one sample and on 32, by the direct call
/// `model(x)` and by `predict`: the fastest of many calls, after warm-up (compare
/// `Tools/bench/pytorch_mlp_reference.py`, whose direct call is `predict_call_ms`).
enum InferenceBenchmark {
    static func run() throws {
        Keras.setRandomSeed(0)
        let mlp = Sequential([Dense(units: 512, activation: .relu, inputShape: [784]), Dropout(0.2),
                              Dense(units: 10, activation: .softmax)])
        let x = Tensor.randomUniform([32, 784], seed: 1)
        for (name, rows) in [("one", 1), ("batch", 32)] {
            let sample = x[0..<rows]
            print("predict_call_ms_\(name) " + String(format: "%.4f", try fastest { _ = try mlp(sample) } * 1000))
            print("predict_ms_\(name) " + String(format: "%.4f", try fastest { _ = try mlp.predict(sample) } * 1000))
        }
    }

    /// The fastest of 2000 calls of `body`, after 50 calls of warm-up.
    static func fastest(_ body: () throws -> Void) throws -> Double {
        for _ in 0..<50 { try body() }
        var best = Double.infinity
        for _ in 0..<2000 {
            let start = DispatchTime.now()
            try body()
            best = min(best, TrainingBenchmark.seconds(start))
        }
        return best
    }
}
