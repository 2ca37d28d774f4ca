import Foundation
import Keras

/// `keras-bench cnn`: Keras' Fashion-MNIST convnet (the `examples cnn` model) epoch, and the
/// GFLOP/s of its convolutions forward and backward next to the GEMM on the same shapes.
/// Compare with Tools/bench/compare_cnn_epoch.py (TensorFlow-Keras and PyTorch, same data).
enum ConvNetBenchmark {
    /// Fashion-MNIST scaled to [0, 1] (Debian's files or the Keras cache), else random images of its shape.
    static func data() throws -> (Tensor, Tensor) {
        if let ((x, y), _) = try? Datasets.fashionMNIST() {
            return (x.reshaped(to: [60000, 28, 28, 1]) / 255, try toCategorical(y, numClasses: 10))
        }
        var generator = RandomGenerator(seed: 2)
        let labels = Tensor((0..<60000).map { _ in Float(Int.random(in: 0..<10, using: &generator)) })
        return (Tensor.randomUniform([60000, 28, 28, 1], seed: 1), Tensor.eye(10).gathering(labels))
    }

    /// The model compiled and warmed up on 10 batches.
    static func model() throws -> (Sequential, Tensor, Tensor) {
        Keras.setRandomSeed(0)
        let (x, y) = try data()
        let model = Sequential([
            Input(shape: [28, 28, 1]), Conv2D(32, 3, activation: .relu), MaxPooling2D(), Conv2D(64, 3, activation: .relu),
            MaxPooling2D(), Flatten(), Dropout(0.5), Dense(units: 10, activation: .softmax),
        ])
        try model.compile(optimizer: "adam", loss: "categorical_crossentropy", metrics: ["accuracy"])
        try model.fit(x[0..<1280], y[0..<1280], epochs: 1, batchSize: 128, verbose: 0)
        return (model, x, y)
    }

    /// `keras-bench cnn [rounds]`: epochs (best of `rounds`), peak memory, and the convolutions' rates.
    static func run(rounds: Int) throws {
        let (model, x, y) = try model()
        var times: [Double] = []
        for _ in 0..<rounds {
            let start = DispatchTime.now()
            try model.fit(x, y, epochs: 1, batchSize: 128, verbose: 0)
            times.append(TrainingBenchmark.seconds(start))
        }
        print("cnn_epoch_rounds_s " + times.map { String(format: "%.3f", $0) }.joined(separator: " "))
        print(String(format: "cnn_epoch_s %.3f", times.min() ?? .nan))
        print(String(format: "cnn_peak_rss_mb %.0f", peakResidentMegabytes()))
        convolutionRates()
    }

    /// `keras-bench cnn serve`: one epoch per line of standard input, its seconds printed;
    /// `memory` prints the peak resident size in MB.
    static func serve() throws {
        let (model, x, y) = try model()
        print("ready")
        fflush(nil)
        while let line = readLine(), line != "quit" {
            if line == "memory" {
                print(String(format: "%.0f", peakResidentMegabytes()))
            } else {
                let start = DispatchTime.now()
                try model.fit(x, y, epochs: 1, batchSize: 128, verbose: 0)
                print(String(format: "%.4f", TrainingBenchmark.seconds(start)))
            }
            fflush(nil)
        }
    }

    /// The best time of `body` over `repeats` calls.
    static func best(_ repeats: Int, _ body: () -> Void) -> Double {
        var best = Double.infinity
        for _ in 0..<repeats {
            let start = DispatchTime.now()
            body()
            best = min(best, TrainingBenchmark.seconds(start))
        }
        return best
    }

    /// GFLOP/s of the convnet's two convolutions (batch 128), forward and backward (input and
    /// kernel gradients), next to the GEMMs of the same shapes alone.
    static func convolutionRates() {
        print("layer                     pass      conv_ms  conv_GFLOP/s  gemm_ms  gemm_GFLOP/s")
        for (name, image, channels, filters, needInput) in [("conv2d   28x28x1 -> 32", 28, 1, 32, false), ("conv2d_1 13x13x32 -> 64", 13, 32, 64, true)] {
            let x = Tensor.randomUniform([128, image, image, channels], seed: 3)
            let kernel = Tensor.randomUniform([3, 3, channels, filters], seed: 4), bias = Tensor.zeros([filters])
            let rows = 128 * (image - 2) * (image - 2), width = 9 * channels
            let flops = 2.0 * Double(rows * width * filters)
            let forward = best(20) { _ = x.convolution(kernel, bias: bias, relu: true) }
            let columns = Tensor.randomUniform([rows, width], seed: 5), matrix = kernel.reshaped(to: [width, filters])
            let gemmForward = best(20) { _ = columns.matmul(matrix) }
            let g = Tensor.randomUniform([128, image - 2, image - 2, filters], seed: 6)
            let backward = best(10) {
                let tape = GradientTape()
                let (input, k) = (tape.watch(x), tape.watch(kernel))
                let y = tape.record { (input.convolution(k, bias: bias, relu: true) * g).sum() }
                _ = tape.gradient(of: y, wrt: needInput ? [input, k] : [k])
            }
            let gRows = g.reshaped(to: [rows, filters])
            let gemmBackward = best(10) {
                if needInput { _ = gRows.matmul(matrix, transposeB: true) }
                _ = columns.matmul(gRows, transposeA: true)
            }
            let backwardFlops = flops * (needInput ? 2 : 1)
            for (pass, conv, gemm, work) in [("forward", forward, gemmForward, flops), ("backward", backward, gemmBackward, backwardFlops)] {
                print(String(format: "%@  %-8@ %8.2f  %12.1f  %7.2f  %12.1f", name.padding(toLength: 24, withPad: " ", startingAt: 0), pass,
                             conv * 1000, work / conv / 1e9, gemm * 1000, work / gemm / 1e9))
            }
        }
    }
}
