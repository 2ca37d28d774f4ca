import CKernels
import KerasTensor

/// One matmul shape: C (m×n) = op(A) · op(B), k the inner dimension.
struct MatMulShape {
    let label: String
    let m: Int, n: Int, k: Int
    let transposeA: Bool, transposeB: Bool
    var flops: Double { 2 * Double(m) * Double(n) * Double(k) }
}

private let shapes: [MatMulShape] = [
    MatMulShape(label: "(128×784)·(784×512)  dense fwd", m: 128, n: 512, k: 784,
                transposeA: false, transposeB: false),
    MatMulShape(label: "(128×512)·(512×10)   dense fwd", m: 128, n: 10, k: 512,
                transposeA: false, transposeB: false),
    MatMulShape(label: "(784×128)·(128×512)  Aᵀ·B dW", m: 784, n: 512, k: 128,
                transposeA: true, transposeB: false),
    MatMulShape(label: "(128×512)·(512×784)  A·Bᵀ dX", m: 128, n: 784, k: 512,
                transposeA: false, transposeB: true),
    MatMulShape(label: "1024³", m: 1024, n: 1024, k: 1024, transposeA: false, transposeB: false),
    MatMulShape(label: "2048³", m: 2048, n: 2048, k: 2048, transposeA: false, transposeB: false),
]

func printBenchHeader() {
    print("keras-bench tensor: swift-keras tensor engine")
    print("OPENBLAS_CORETYPE: \(environment("OPENBLAS_CORETYPE") ?? "(unset)")"
        + "   OPENBLAS_NUM_THREADS: \(environment("OPENBLAS_NUM_THREADS") ?? "(unset)")"
        + "   KERAS_MATMUL: \(environment("KERAS_MATMUL") ?? "(unset)")")
    print("built-in kernel: \(MatMulBackend.kernel), \(MatMulBackend.threads) threads")
    if let lib = MatMulBackend.blasLibrary {
        print("BLAS: \(lib)")
    } else {
        print("BLAS: none found")
    }
    let t0 = nowNS()
    let active = MatMulBackend.active  // loads the BLAS and calibrates if still pending
    let ms = (nowNS() - t0) / 1e6
    print("active path: \(active) — \(MatMulBackend.reason)")
    if let cal = MatMulBackend.calibration {
        print("  (calibration took \(format(ms, decimals: 1)) ms)")
        _ = cal
    }
}

/// GFLOP/s table: the built-in kernel (all threads), the engine's sgemm on its active path, the
/// engine's sgemm with the BLAS forced, and the BLAS's cblas_sgemm called directly (dlopen),
/// interleaved round by round.
func runMatMulBenchmarks(rounds: Int = 5) {
    let threads = MatMulBackend.threads
    let blas = MatMulBackend.blasLibrary
    let blasName = blas?.vendor ?? "BLAS"
    let activeName = MatMulBackend.active == .blas ? "BLAS" : "built-in"
    let preferred = MatMulBackend.preferred
    defer { MatMulBackend.preferred = preferred }
    func withBLASForced(_ body: () -> Double) -> Double {
        MatMulBackend.preferred = .blas
        defer { MatMulBackend.preferred = preferred }
        return body()
    }

    print("")
    print("Matmul, GFLOP/s (best of \(rounds) rounds; each round the median of several calls)")
    print("  built-in: keras_sgemm, \(threads) threads   sgemm: the engine's entry point "
        + "(active path: \(activeName))   sgemm→BLAS: same, BLAS forced   "
        + "\(blasName): its cblas_sgemm called directly")
    let short = String(blasName.prefix(8))
    let header = pad("shape", 32) + pad("built-in", 10, right: true) + pad("sgemm", 9, right: true)
        + pad("sgemm→BLAS", 12, right: true) + pad(short, 10, right: true)
        + pad("built-in/\(short)", 19, right: true) + pad("sgemm/\(short)", 16, right: true)
        + pad("→BLAS/\(short)", 16, right: true)
    print(header)
    print(String(repeating: "-", count: header.count))

    for shape in shapes {
        let aCount = shape.m * shape.k, bCount = shape.k * shape.n
        let a = FloatBuffer(count: aCount, seed: 1), b = FloatBuffer(count: bCount, seed: 2)
        let c = FloatBuffer(count: shape.m * shape.n, seed: 3)
        let lda = shape.transposeA ? shape.m : shape.k
        let ldb = shape.transposeB ? shape.k : shape.n
        let tA: Int32 = shape.transposeA ? 1 : 0, tB: Int32 = shape.transposeB ? 1 : 0
        // Enough calls per round for ~30 ms, at least 3.
        let calls = max(3, min(200, Int(30e-3 * 150e9 / shape.flops)))

        let builtIn = {
            keras_sgemm_ex(-1, Int32(KERAS_GEMM_PATH_AUTO), Int32(threads), tA, tB,
                           shape.m, shape.n, shape.k, 1, a.pointer, lda, b.pointer, ldb,
                           0, c.pointer, shape.n)
        }
        let engine = {
            MatMulBackend.sgemm(
                transposeA: shape.transposeA, transposeB: shape.transposeB,
                m: shape.m, n: shape.n, k: shape.k, a: a.pointer, lda: lda,
                b: b.pointer, ldb: ldb, c: c.pointer, ldc: shape.n)
        }
        let direct = {
            keras_blas_sgemm(tA, tB, shape.m, shape.n, shape.k, 1, a.pointer, lda, b.pointer,
                             ldb, 0, c.pointer, shape.n)
        }
        var best = [Double](repeating: .infinity, count: 4)
        builtIn()
        engine()
        if blas != nil {
            direct()
            pause(milliseconds: 200)
        }
        for _ in 0..<rounds {
            best[0] = min(best[0], medianSeconds(samples: calls, builtIn))
            best[1] = min(best[1], medianSeconds(samples: calls, engine))
            if blas != nil {
                // OpenBLAS's threads keep spinning for a while after a call: let them go idle
                // before timing the built-in kernel again (and after the active path, if BLAS).
                best[2] = min(best[2], withBLASForced { medianSeconds(samples: calls, engine) })
                best[3] = min(best[3], medianSeconds(samples: calls, direct))
                pause(milliseconds: 200)
            }
        }
        let g = best.map { shape.flops / $0 * 1e-9 }
        var line = pad(shape.label, 32) + pad(format(g[0]), 10, right: true)
            + pad(format(g[1]), 9, right: true)
        if blas != nil {
            line += pad(format(g[2]), 12, right: true) + pad(format(g[3]), 10, right: true)
                + pad(format(g[0] / g[3], decimals: 2), 19, right: true)
                + pad(format(g[1] / g[3], decimals: 2), 16, right: true)
                + pad(format(g[2] / g[3], decimals: 2), 16, right: true)
        }
        print(line)
    }

    // Tiny product: the 8→12 layer of the seeds' networks on a batch of 10.
    let m = 10, n = 12, k = 8
    let a = FloatBuffer(count: m * k, seed: 4), b = FloatBuffer(count: k * n, seed: 5)
    let c = FloatBuffer(count: m * n, seed: 6)
    var tiny = [Double](repeating: .infinity, count: 4)
    let tinyEngine = {
        MatMulBackend.sgemm(m: m, n: n, k: k, a: a.pointer, lda: k, b: b.pointer, ldb: n,
                            c: c.pointer, ldc: n)
    }
    for _ in 0..<rounds {
        tiny[0] = min(tiny[0], medianSeconds(samples: 50, callsPerSample: 2000) {
            keras_sgemm_ex(-1, Int32(KERAS_GEMM_PATH_AUTO), 0, 0, 0, m, n, k, 1, a.pointer, k,
                           b.pointer, n, 0, c.pointer, n)
        })
        tiny[1] = min(tiny[1], medianSeconds(samples: 50, callsPerSample: 2000, tinyEngine))
        if blas != nil {
            tiny[2] = min(tiny[2], withBLASForced {
                medianSeconds(samples: 50, callsPerSample: 2000, tinyEngine)
            })
            tiny[3] = min(tiny[3], medianSeconds(samples: 50, callsPerSample: 2000) {
                keras_blas_sgemm(0, 0, m, n, k, 1, a.pointer, k, b.pointer, n, 0, c.pointer, n)
            })
        }
    }
    var line = pad("(10×8)·(8×12), ns/call", 32) + pad(format(tiny[0] * 1e9), 10, right: true)
        + pad(format(tiny[1] * 1e9), 9, right: true)
    if blas != nil {
        line += pad(format(tiny[2] * 1e9), 12, right: true)
            + pad(format(tiny[3] * 1e9), 10, right: true)
            + pad(format(tiny[3] / tiny[0], decimals: 2), 19, right: true)
            + pad(format(tiny[3] / tiny[1], decimals: 2), 16, right: true)
            + pad(format(tiny[3] / tiny[2], decimals: 2), 16, right: true)
    }
    print(line)
    print("(ratios > 1: faster than \(blasName); for the tiny product, ratios of time per call. "
        + "The engine's tiny products never reach the BLAS: they take the direct path.)")
}
