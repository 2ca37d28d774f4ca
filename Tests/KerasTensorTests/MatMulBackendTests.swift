import Testing
@testable import KerasTensor

/// Deterministic generator for test matrices.
private struct SplitMix64 {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func float() -> Float { Float(next() >> 40) / Float(1 << 24) * 2 - 1 }
    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }
}

/// One GEMM problem with padded leading dimensions and sentinel-filled padding.
private struct Problem: CustomStringConvertible {
    let transposeA: Bool, transposeB: Bool
    let m: Int, n: Int, k: Int
    let alpha: Float, beta: Float
    let lda: Int, ldb: Int, ldc: Int
    var a: [Float], b: [Float], c: [Float]

    init(_ tA: Bool, _ tB: Bool, _ m: Int, _ n: Int, _ k: Int, alpha: Float = 1, beta: Float = 0,
         pad: Int = 0, seed: UInt64 = 1, nanC: Bool = false) {
        transposeA = tA; transposeB = tB
        self.m = m; self.n = n; self.k = k; self.alpha = alpha; self.beta = beta
        lda = (tA ? m : k) + pad
        ldb = (tB ? k : n) + pad * 2
        ldc = n + pad * 3
        var g = SplitMix64(state: seed &* 7919 &+ UInt64(m * 131 + n * 17 + k))
        a = (0..<((tA ? k : m) * lda)).map { _ in g.float() }
        b = (0..<((tB ? n : k) * ldb)).map { _ in g.float() }
        c = (0..<(m * ldc)).map { _ in g.float() }
        if nanC { for i in c.indices { c[i] = .nan } }
    }

    var description: String {
        "\(transposeA ? "T" : "N")\(transposeB ? "T" : "N") m=\(m) n=\(n) k=\(k) "
            + "alpha=\(alpha) beta=\(beta) lda=\(lda) ldb=\(ldb) ldc=\(ldc)"
    }

    /// Runs `body` on copies of the operands and compares with a double-precision reference.
    /// Padding columns of C (beyond n) must be left untouched.
    func check(
        _ label: String,
        sourceLocation: SourceLocation = #_sourceLocation,
        _ body: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void
    ) {
        var out = c
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                out.withUnsafeMutableBufferPointer { pc in
                    body(pa.baseAddress!, pb.baseAddress!, pc.baseAddress!)
                }
            }
        }
        var worst = 0.0, failures = 0
        for i in 0..<m {
            for j in 0..<ldc {
                let got = out[i * ldc + j]
                if j >= n {
                    if got.bitPattern != c[i * ldc + j].bitPattern { failures += 1 }
                    continue
                }
                var s = 0.0, mag = 0.0
                for p in 0..<k {
                    let x = Double(transposeA ? a[p * lda + i] : a[i * lda + p])
                    let y = Double(transposeB ? b[j * ldb + p] : b[p * ldb + j])
                    s += x * y
                    mag += abs(x * y)
                }
                let old = beta == 0 ? 0 : Double(beta) * Double(c[i * ldc + j])
                let want = Double(alpha) * s + old
                let tol = 1e-5 * (abs(Double(alpha)) * mag + abs(old)) + 1e-6
                let err = abs(Double(got) - want)
                if !(err <= tol) { failures += 1 }
                if err.isNaN { worst = .infinity } else { worst = max(worst, err / tol) }
            }
        }
        #expect(failures == 0, "\(label) \(self): \(failures) wrong elements (worst err/tol \(worst))",
                sourceLocation: sourceLocation)
    }
}

/// Shapes covering 1, odd sizes, sizes around the micro-tile (MR ∈ {4, 6, 8, 12}, NR ∈ {12, 16, 32})
/// and beyond the cache blocks in each dimension (MC ≈ 120–132, KC = 256), kept small enough for
/// debug builds (unoptimised C).
private let edgeShapes: [(Int, Int, Int)] = [
    (1, 1, 1), (1, 7, 5), (5, 1, 9), (3, 5, 1), (2, 3, 4), (10, 12, 8),
    (7, 13, 17), (12, 32, 16), (13, 33, 31), (11, 31, 33), (25, 47, 20),
    (24, 64, 7), (6, 17, 64), (36, 20, 70), (49, 65, 3),
]
private let blockShapes: [(Int, Int, Int)] = [
    (140, 40, 20),  // m beyond MC
    (20, 36, 300),  // k beyond KC
    (137, 33, 259),  // m and k beyond their blocks, ragged tiles everywhere
    (3, 4100, 3),  // n beyond NC (2048 or 4096)
    (100, 5, 40), (130, 10, 270),  // narrow C: computed as C^T (transposed tile stores)
]
private let scalings: [(Float, Float)] = [(1, 0), (1, 1), (-0.5, 0.25), (2, -1)]

@Suite("MatMul backend", .serialized)
struct MatMulBackendTests {
    static let kernels = MatMulKernel.allCases.filter(\.isSupported)

    @Test("built-in kernels, all paths, edge shapes", arguments: kernels)
    func builtInEdgeShapes(kernel: MatMulKernel) {
        var seed: UInt64 = 1
        for (m, n, k) in edgeShapes {
            for tA in [false, true] {
                for tB in [false, true] {
                    let (alpha, beta) = scalings[Int(seed % 4)]
                    seed += 1
                    let p = Problem(tA, tB, m, n, k, alpha: alpha, beta: beta,
                                    pad: Int(seed % 3), seed: seed)
                    for (path, threads) in [(BuiltInGEMMPath.direct, 1), (.direct, 2), (.packed, 1),
                                            (.packed, 2), (.automatic, 0)] {
                        p.check("\(kernel) \(path) threads=\(threads)") { a, b, c in
                            builtInSGEMM(
                                kernel: kernel, path: path, threads: threads,
                                transposeA: tA, transposeB: tB, m: m, n: n, k: k,
                                alpha: alpha, a: a, lda: p.lda, b: b, ldb: p.ldb,
                                beta: beta, c: c, ldc: p.ldc)
                        }
                    }
                }
            }
        }
    }

    @Test("built-in kernels beyond the cache blocks", arguments: kernels)
    func builtInBlockShapes(kernel: MatMulKernel) {
        var seed: UInt64 = 100
        for (m, n, k) in blockShapes {
            for tA in [false, true] {
                for tB in [false, true] {
                    let (alpha, beta) = scalings[Int(seed % 4)]
                    seed += 1
                    let p = Problem(tA, tB, m, n, k, alpha: alpha, beta: beta, pad: 1, seed: seed)
                    let threads = seed % 2 == 0 ? 1 : 2
                    p.check("\(kernel) packed threads=\(threads)") { a, b, c in
                        builtInSGEMM(
                            kernel: kernel, path: .packed, threads: threads,
                            transposeA: tA, transposeB: tB, m: m, n: n, k: k,
                            alpha: alpha, a: a, lda: p.lda, b: b, ldb: p.ldb,
                            beta: beta, c: c, ldc: p.ldc)
                    }
                }
            }
        }
    }

    @Test("BLAS path (direct cblas_sgemm)", .enabled(if: MatMulBackend.blasLibrary != nil))
    func blasDirect() {
        var seed: UInt64 = 200
        for (m, n, k) in edgeShapes + [(70, 40, 140)] {
            for tA in [false, true] {
                for tB in [false, true] {
                    let (alpha, beta) = scalings[Int(seed % 4)]
                    seed += 1
                    let p = Problem(tA, tB, m, n, k, alpha: alpha, beta: beta,
                                    pad: Int(seed % 3), seed: seed)
                    p.check("BLAS") { a, b, c in
                        let ok = blasSGEMM(
                            transposeA: tA, transposeB: tB, m: m, n: n, k: k,
                            alpha: alpha, a: a, lda: p.lda, b: b, ldb: p.ldb,
                            beta: beta, c: c, ldc: p.ldc)
                        #expect(ok)
                    }
                }
            }
        }
    }

    @Test("engine sgemm with each preference", arguments: [MatMulPreference.builtIn, .blas, .automatic])
    func routed(preference: MatMulPreference) {
        let saved = MatMulBackend.preferred
        defer { MatMulBackend.preferred = saved }
        MatMulBackend.preferred = preference
        switch preference {
        case .builtIn: #expect(MatMulBackend.active == .builtIn)
        case .blas:
            #expect(MatMulBackend.active == (MatMulBackend.blasLibrary != nil ? .blas : .builtIn))
        case .automatic: break
        }
        #expect(!MatMulBackend.reason.isEmpty)
        var seed: UInt64 = 300
        for (m, n, k) in [(10, 12, 8), (1, 40, 30), (37, 45, 53), (64, 96, 120), (70, 40, 140),
                          (10, 300, 100)] {
            for tA in [false, true] {
                for tB in [false, true] {
                    let (alpha, beta) = scalings[Int(seed % 4)]
                    seed += 1
                    let p = Problem(tA, tB, m, n, k, alpha: alpha, beta: beta, pad: 2, seed: seed)
                    p.check("sgemm(\(preference), active \(MatMulBackend.active))") { a, b, c in
                        sgemm(
                            transposeA: tA, transposeB: tB, m: m, n: n, k: k,
                            alpha: alpha, a: a, lda: p.lda, b: b, ldb: p.ldb,
                            beta: beta, c: c, ldc: p.ldc)
                    }
                }
            }
        }
    }

    @Test("beta = 0 never reads C; k = 0 and alpha = 0 only scale C")
    func betaAndDegenerate() {
        for kernel in Self.kernels {
            for (m, n, k) in [(5, 7, 3), (13, 33, 40)] {
                let p = Problem(false, true, m, n, k, alpha: 1.5, beta: 0, pad: 1, nanC: true)
                for path in [BuiltInGEMMPath.direct, .packed] {
                    p.check("\(kernel) \(path) NaN in C") { a, b, c in
                        builtInSGEMM(
                            kernel: kernel, path: path, transposeA: false, transposeB: true,
                            m: m, n: n, k: k, alpha: 1.5, a: a, lda: p.lda, b: b, ldb: p.ldb,
                            beta: 0, c: c, ldc: p.ldc)
                    }
                }
            }
        }
        // k = 0: C = beta * C.
        let z = Problem(false, false, 4, 6, 0, alpha: 1, beta: 0.5, pad: 1)
        z.check("k=0") { a, b, c in
            sgemm(transposeA: false, transposeB: false, m: 4, n: 6, k: 0, alpha: 1,
                  a: a, lda: max(1, z.lda), b: b, ldb: z.ldb, beta: 0.5, c: c, ldc: z.ldc)
        }
        // alpha = 0: C = beta * C (A and B not used).
        let y = Problem(true, false, 40, 50, 60, alpha: 0, beta: -2, pad: 1)
        y.check("alpha=0") { a, b, c in
            sgemm(transposeA: true, transposeB: false, m: 40, n: 50, k: 60, alpha: 0,
                  a: a, lda: y.lda, b: b, ldb: y.ldb, beta: -2, c: c, ldc: y.ldc)
        }
        // m = 0 / n = 0: nothing is written.
        let a: [Float] = [1, 2, 3], b: [Float] = [4, 5, 6]
        var c: [Float] = [7, 8, 9]
        sgemm(transposeA: false, transposeB: false, m: 1, n: 0, k: 3, alpha: 1, a: a, lda: 3,
              b: b, ldb: 1, beta: 0, c: &c, ldc: 1)
        sgemm(transposeA: false, transposeB: false, m: 0, n: 1, k: 3, alpha: 1, a: a, lda: 3,
              b: b, ldb: 1, beta: 0, c: &c, ldc: 1)
        #expect(c == [7, 8, 9])
    }

    @Test("concurrent callers share the worker pool safely")
    func concurrentCallers() async {
        let m = 96, n = 100, k = 110
        let p = Problem(false, false, m, n, k, alpha: 1, beta: 0, pad: 0, seed: 9)
        var expected = p.c
        p.a.withUnsafeBufferPointer { a in
            p.b.withUnsafeBufferPointer { b in
                expected.withUnsafeMutableBufferPointer { c in
                    builtInSGEMM(path: .packed, threads: 1, transposeA: false, transposeB: false,
                                 m: m, n: n, k: k, alpha: 1, a: a.baseAddress!, lda: p.lda,
                                 b: b.baseAddress!, ldb: p.ldb, beta: 0, c: c.baseAddress!,
                                 ldc: p.ldc)
                }
            }
        }
        let want = expected
        let results = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<6 {
                group.addTask {
                    var allSame = true
                    for _ in 0..<5 {
                        var out = [Float](repeating: 0, count: m * n)
                        p.a.withUnsafeBufferPointer { a in
                            p.b.withUnsafeBufferPointer { b in
                                out.withUnsafeMutableBufferPointer { c in
                                    builtInSGEMM(
                                        path: .packed, threads: 2, transposeA: false,
                                        transposeB: false, m: m, n: n, k: k, alpha: 1,
                                        a: a.baseAddress!, lda: p.lda, b: b.baseAddress!,
                                        ldb: p.ldb, beta: 0, c: c.baseAddress!, ldc: p.ldc)
                                }
                            }
                        }
                        // Same blocking whether or not the pool was free: results are bitwise equal.
                        allSame = allSame && out == want
                    }
                    return allSame
                }
            }
            var all: [Bool] = []
            for await r in group { all.append(r) }
            return all
        }
        #expect(results.allSatisfy { $0 })
    }

    @Test("public API reports the path and the reason")
    func api() {
        let saved = MatMulBackend.preferred
        defer { MatMulBackend.preferred = saved }
        #expect(MatMulKernel.portable.isSupported)
        #expect(MatMulBackend.kernel.isSupported)
        #expect(MatMulBackend.threads >= 1)
        #expect(MatMulPreference(environmentValue: "builtin") == .builtIn)
        #expect(MatMulPreference(environmentValue: "BLAS") == .blas)
        #expect(MatMulPreference(environmentValue: "auto") == .automatic)
        #expect(MatMulPreference(environmentValue: "bogus") == nil)

        MatMulBackend.preferred = .builtIn
        #expect(MatMulBackend.active == .builtIn)
        #expect(MatMulBackend.reason.contains("forced"))
        #expect(MatMulBackend.description.contains(MatMulBackend.kernel.description))

        MatMulBackend.preferred = .automatic
        let active = MatMulBackend.active
        let reason = MatMulBackend.reason
        if let lib = MatMulBackend.blasLibrary {
            #expect(reason.contains(lib.vendor))
            if MatMulBackend.isOptimizedBuild {
                #expect(MatMulBackend.calibration != nil)
            } else {
                #expect(active == .blas)  // debug build: no calibration, BLAS preferred
            }
        } else {
            #expect(active == .builtIn)
            #expect(reason.contains("no BLAS"))
        }
    }

    @Test("forcing a kernel is reflected and reversible")
    func forceKernel() {
        let detected = MatMulBackend.kernel
        defer { MatMulBackend.setKernel(nil) }
        #expect(MatMulBackend.setKernel(.portable))
        #expect(MatMulBackend.kernel == .portable)
        MatMulBackend.setKernel(nil)
        #expect(MatMulBackend.kernel == detected)
        for k in MatMulKernel.allCases where !k.isSupported {
            #expect(!MatMulBackend.setKernel(k))
        }
    }
}
