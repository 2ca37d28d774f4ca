import Foundation
import Keras
import KerasTensor

/// `keras-bench profile [epochs]`: where the time of seed 002's MNIST-MLP training step goes.
///
/// The engine marks its work by kind (`StepProfile`): matrix products, the optimizer, elementwise
/// passes, copies, allocation, synchronisation (waking the worker threads and waiting for the
/// last chunk); the rest is "other" (autodiff bookkeeping, small operations, the training loop).
/// The marks time the calling thread only: a parallel loop counts as the kind of work it does
/// while the caller works, and as synchronisation while it waits.
///
/// Then the step's matrix products alone, on the same shapes, each the fastest of many calls:
/// the floor the step is compared with.
enum ProfileBenchmark {
    static func run(epochs: Int) throws {
        print("cpu " + cpuDescription())
        print("matmul " + MatMulBackend.description)
        let (mlp, x, y) = try TrainingBenchmark.mnistMLP()
        let steps = (x.shape[0] + 127) / 128
        var best: (seconds: Double, kinds: [StepProfile.Kind: Double])?
        for _ in 0..<epochs {
            let start = DispatchTime.now()
            StepProfile.start()
            try mlp.fit(x, y, epochs: 1, batchSize: 128, verbose: 0)
            let kinds = StepProfile.stop()
            let seconds = TrainingBenchmark.seconds(start)
            if seconds < best?.seconds ?? .infinity { best = (seconds, kinds) }
        }
        guard let best else { return }
        print(String(format: "epoch %.4f s (the fastest of %d), %d steps, %.3f ms per step", best.seconds, epochs, steps,
                     best.seconds / Double(steps) * 1000))
        print("kind              ms/step   share  vs gemm")
        let gemm = best.kinds[.gemm] ?? 0
        for kind in StepProfile.Kind.allCases {
            let seconds = best.kinds[kind] ?? 0
            print(pad(kind.name, 16) + String(format: " %8.3f %6.1f %% %6.1f %%", seconds / Double(steps) * 1000,
                                              100 * seconds / best.seconds, 100 * seconds / gemm))
        }
        let isolated = isolatedProductSeconds()
        print(String(format: "outside the products: %.1f %% of the products' time in the step", 100 * (best.seconds - gemm) / gemm))
        print(String(format: "the step's products alone: %.3f ms per step; epoch / their time: %.3f",
                     isolated * 1000, best.seconds / (isolated * Double(steps))))
    }

    /// Seconds for the matrix products of one training step (batch 128), each run alone, the
    /// fastest of 30 calls: the forward products of both layers, and the backward ones
    /// (`Tensor.affine`'s: the input gradient of the second layer, both kernel gradients).
    static func isolatedProductSeconds() -> Double {
        // (transposeA, transposeB, m, n, k)
        let products: [(Bool, Bool, Int, Int, Int)] = [
            (false, false, 128, 512, 784), (false, false, 128, 10, 512),
            (false, true, 128, 512, 10), (true, false, 512, 10, 128), (true, false, 784, 512, 128),
        ]
        var total = 0.0
        for (transposeA, transposeB, m, n, k) in products {
            let a = FloatBuffer(count: m * k), b = FloatBuffer(count: k * n, seed: 2), c = FloatBuffer(count: m * n)
            var fastest = Double.infinity
            for _ in 0..<30 {
                let start = nowNS()
                MatMulBackend.sgemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                                    a: a.pointer, lda: transposeA ? m : k, b: b.pointer, ldb: transposeB ? k : n,
                                    c: c.pointer, ldc: n)
                fastest = min(fastest, nowNS() - start)
            }
            total += fastest / 1e9
        }
        return total
    }

    /// The CPU's model name and its vector extensions, from /proc/cpuinfo (Linux).
    static func cpuDescription() -> String {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return "unknown" }
        let lines = info.split(separator: "\n")
        let model = lines.first { $0.hasPrefix("model name") }?.split(separator: ":", maxSplits: 1).last?
            .trimmingCharacters(in: .whitespaces) ?? "unknown"
        let flags = Set(lines.first { $0.hasPrefix("flags") }?.split(separator: " ").map(String.init) ?? [])
        let vector = ["avx2", "fma", "avx512f"].filter(flags.contains)
        return "\(model) (\(vector.isEmpty ? "no AVX2" : vector.joined(separator: ", ")); \(ProcessInfo.processInfo.activeProcessorCount) cores)"
    }
}
