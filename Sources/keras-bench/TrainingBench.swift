import Foundation
import Keras

/// `keras-bench training`: the seeds' workloads timed end to end through the Keras API, in the
/// words of Tools/bench/keras_training_reference.py so the two can be compared line by line.
enum TrainingBenchmark {
    static func seconds(_ start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }

    /// Seed 002's MLP (60000×784, batch 128, adam, dropout), compiled and warmed up on 10 batches.
    static func mnistMLP() throws -> (Sequential, Tensor, Tensor) {
        Keras.setRandomSeed(0)
        let x = Tensor.randomUniform([60000, 784], seed: 1)
        var generator = RandomGenerator(seed: 2)
        let labels = Tensor((0..<60000).map { _ in Float(Int.random(in: 0..<10, using: &generator)) })
        let y = Tensor.eye(10).gathering(labels)
        let mlp = Sequential([Dense(units: 512, activation: .relu, inputShape: [784]), Dropout(0.2), Dense(units: 10, activation: .softmax)])
        try mlp.compile(optimizer: "adam", loss: "categorical_crossentropy", metrics: ["accuracy"])
        try mlp.fit(x[0..<1280], y[0..<1280], epochs: 1, batchSize: 128, verbose: 0)
        return (mlp, x, y)
    }

    /// `keras-bench mlp [rounds]`: only the MNIST-MLP epoch, each round's time and the best
    /// (compare `keras_training_reference.py mlp`).
    static func runMLP(rounds: Int) throws {
        let (mlp, x, y) = try mnistMLP()
        var times: [Double] = [], cpuTimes: [Double] = []
        let steps = StepTimer()
        for _ in 0..<rounds {
            let (start, cpuStart) = (DispatchTime.now(), processCPUSeconds())
            try mlp.fit(x, y, epochs: 1, batchSize: 128, verbose: 0, callbacks: [steps])
            times.append(seconds(start))
            cpuTimes.append(processCPUSeconds() - cpuStart)
        }
        print("mnist_mlp_epoch_rounds_s " + times.map { String(format: "%.4f", $0) }.joined(separator: " "))
        print("mnist_mlp_epoch_cpu_s " + cpuTimes.map { String(format: "%.4f", $0) }.joined(separator: " "))
        // Single steps are short enough that many run undisturbed on a loaded machine.
        let sorted = steps.durations.sorted(), percentile = { (p: Double) in sorted[Int(p * Double(sorted.count - 1))] * 1000 }
        print(String(format: "mnist_mlp_step_ms min %.3f p10 %.3f median %.3f", percentile(0), percentile(0.1), percentile(0.5)))
        print("matmul " + MatMulBackend.description)
        print(String(format: "mnist_mlp_epoch_s %.4f", times.min() ?? .nan))
    }

    /// `keras-bench mlp serve`: one MNIST-MLP epoch for each line read from standard input,
    /// printing its seconds; Tools/bench/compare_mlp_epoch.py alternates these with Keras' epochs.
    static func serveMLP() throws {
        let (mlp, x, y) = try mnistMLP()
        print("ready")
        fflush(nil)
        while let line = readLine(), line != "quit" {
            let start = DispatchTime.now()
            try mlp.fit(x, y, epochs: 1, batchSize: 128, verbose: 0)
            print(String(format: "%.4f", seconds(start)))
            fflush(nil)
        }
    }

    /// User and system CPU time of the process so far (all threads).
    static func processCPUSeconds() -> Double {
        var usage = rusage()
        #if os(Linux)
        getrusage(RUSAGE_SELF.rawValue, &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    /// `keras-bench tiny [rounds]`: seed 004's Pima model (768×8, batch 10, adam: one epoch) and
    /// seed 003's XOR (1000 epochs of its four samples, SGD), each the best of `rounds`: models so
    /// small that the time is the framework's own work per step, not arithmetic.
    static func runTinyModels(rounds: Int, xorRounds: Int) throws {
        let pimaX = Tensor.randomUniform([768, 8], seed: 3)
        let pimaY = Tensor.randomUniform([768, 1], seed: 4) .> 0.65
        let pima = Sequential([Dense(units: 12, activation: .relu, inputShape: [8]), Dense(units: 1, activation: .sigmoid)])
        try pima.compile(optimizer: "adam", loss: "binary_crossentropy", metrics: ["accuracy"])
        try pima.fit(pimaX, pimaY, epochs: 1, batchSize: 10, verbose: 0)
        var best = Double.infinity
        for _ in 0..<rounds {
            let start = DispatchTime.now()
            try pima.fit(pimaX, pimaY, epochs: 1, batchSize: 10, verbose: 0)
            best = min(best, seconds(start))
        }
        print(String(format: "pima_epoch_s %.4f", best))

        let xorX = Tensor(shape: [4, 2], scalars: [0, 0, 0, 1, 1, 0, 1, 1]), xorY = Tensor(shape: [4, 1], scalars: [0, 1, 1, 0])
        let xor = Sequential([Dense(units: 10, inputDim: 2), Activation("tanh"), Dense(units: 1), Activation("sigmoid")])
        try xor.compile(optimizer: SGD(learningRate: 0.1), loss: "binary_crossentropy", metrics: ["accuracy"])
        try xor.fit(xorX, xorY, epochs: 10, verbose: 0)
        best = .infinity
        for _ in 0..<xorRounds {
            let start = DispatchTime.now()
            try xor.fit(xorX, xorY, epochs: 1000, verbose: 0)
            best = min(best, seconds(start))
        }
        print(String(format: "xor_1000_epochs_s %.4f", best))
    }

    static func run() throws {

        let (mlp, x, y) = try mnistMLP()
        var best = Double.infinity
        for _ in 0..<3 {
            let start = DispatchTime.now()
            try mlp.fit(x, y, epochs: 1, batchSize: 128, verbose: 0)
            best = min(best, seconds(start))
        }
        print(String(format: "mnist_mlp_epoch_s %.4f", best))

        // The same epoch from a batch source (data served on demand, prepared in the background).
        let source = TensorSource(x: x, y: y, batchSize: 128)
        best = .infinity
        for _ in 0..<3 {
            let start = DispatchTime.now()
            try mlp.fit(source, epochs: 1, verbose: 0)
            best = min(best, seconds(start))
        }
        print(String(format: "mnist_mlp_epoch_batch_source_s %.4f", best))

        try runTinyModels(rounds: 5, xorRounds: 3)

        // 10 000 samples through the MNIST MLP (a test set), batches of 32.
        best = .infinity
        for _ in 0..<5 {
            let start = DispatchTime.now()
            _ = try mlp.predict(x[0..<10000])
            best = min(best, seconds(start))
        }
        print(String(format: "predict_10000_s %.4f", best))

        // One sample through the MNIST MLP: `predict`, and the direct call.
        let one = x[0..<1]
        best = .infinity
        for _ in 0..<200 {
            let start = DispatchTime.now()
            _ = try mlp.predict(one)
            best = min(best, seconds(start))
        }
        print(String(format: "predict_one_ms %.3f", best * 1000))
        best = .infinity
        for _ in 0..<200 {
            let start = DispatchTime.now()
            _ = try mlp(one)
            best = min(best, seconds(start))
        }
        print(String(format: "predict_call_ms %.3f", best * 1000))

        var usage = rusage()
        #if os(Linux)
        getrusage(RUSAGE_SELF.rawValue, &usage)
        print("peak_rss_mb \(usage.ru_maxrss / 1024)")
        #else
        getrusage(RUSAGE_SELF, &usage)
        print("peak_rss_mb \(usage.ru_maxrss / 1024 / 1024)")
        #endif
    }
}

/// Batches cut from tensors on demand, as a `PyDataset` reading from disk would serve them.
final class TensorSource: BatchSource, @unchecked Sendable {
    let x: Tensor, y: Tensor, batchSize: Int
    init(x: Tensor, y: Tensor, batchSize: Int) { (self.x, self.y, self.batchSize) = (x, y, batchSize) }
    var batchCount: Int { (x.shape[0] + batchSize - 1) / batchSize }
    func batch(at index: Int) throws -> Batch {
        let range = (index * batchSize)..<min(x.shape[0], (index + 1) * batchSize)
        return Batch(x: x[range], y: y[range])
    }
}

/// Records the time between the ends of consecutive training steps.
final class StepTimer: Callback, @unchecked Sendable {
    private(set) var durations: [Double] = []
    private var last: UInt64?
    override func onEpochBegin(_ epoch: Int, logs: [String: Float]) throws { last = nil }
    override func onTrainBatchEnd(_ batch: Int, logs: [String: Float]) throws {
        let now = DispatchTime.now().uptimeNanoseconds
        if let last { durations.append(Double(now - last) / 1e9) }
        last = now
    }
}
