import CKernels

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Computes `C = alpha * op(A) * op(B) + beta * C` on row-major single-precision matrices.
///
/// `op(X)` is `X` or its transpose; `lda`, `ldb`, `ldc` are row strides in elements of the
/// matrices as stored. This is the single entry point every matmul in the engine goes through.
/// When `beta == 0`, C is not read. Tiny problems take a direct path (no packing, no threads);
/// larger ones go to the path chosen by ``MatMulBackend`` (built-in packed SIMD kernel or a
/// system BLAS loaded at run time).
func sgemm(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
    alpha: Float, a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
) {
    let tA: Int32 = transposeA ? 1 : 0, tB: Int32 = transposeB ? 1 : 0
    if keras_matmul(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) != 0 { return }
    // First large matmul: choose the path (loads the BLAS and calibrates once), then retry.
    MatMulBackend.resolve()
    if keras_matmul(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) == 0 {
        keras_sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
    }
}

/// Built-in GEMM with explicit choices, bypassing the BLAS (tests and benchmarks).
func builtInSGEMM(
    kernel: MatMulKernel? = nil, path: BuiltInGEMMPath = .automatic, threads: Int = 0,
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
    alpha: Float, a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
) {
    keras_sgemm_ex(
        kernel?.cValue ?? -1, path.cValue, Int32(clamping: threads),
        transposeA ? 1 : 0, transposeB ? 1 : 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

/// Which path of the built-in GEMM to take (tests and benchmarks).
enum BuiltInGEMMPath: Sendable {
    /// The automatic policy (tiny: direct, one thread; medium: direct, threads; large: packed).
    case automatic
    /// No packing: operands read in place.
    case direct
    /// Packed and blocked.
    case packed

    var cValue: Int32 {
        switch self {
        case .automatic: Int32(KERAS_GEMM_PATH_AUTO)
        case .direct: Int32(KERAS_GEMM_PATH_DIRECT)
        case .packed: Int32(KERAS_GEMM_PATH_PACKED)
        }
    }
}

/// Calls the loaded BLAS's `cblas_sgemm` directly (no routing, no tiny path). Returns false,
/// doing nothing, if no BLAS is loaded or a size does not fit in 32 bits.
@discardableResult
func blasSGEMM(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
    alpha: Float, a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
) -> Bool {
    guard keras_blas_available() != 0 else { return false }
    let limit = Int(Int32.max)
    guard m <= limit, n <= limit, k <= limit, lda <= limit, ldb <= limit, ldc <= limit else {
        return false
    }
    keras_blas_sgemm(
        transposeA ? 1 : 0, transposeB ? 1 : 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
    return true
}

// MARK: - Public API

/// The two ways a (non-tiny) matmul can be computed.
public enum MatMulPath: String, Sendable, CustomStringConvertible {
    /// The built-in packed SIMD kernel (see ``MatMulBackend/kernel``).
    case builtIn
    /// `cblas_sgemm` of a BLAS library loaded at run time (see ``MatMulBackend/blasLibrary``).
    case blas

    public var description: String { rawValue }
}

/// How the matmul path is chosen.
public enum MatMulPreference: String, Sendable, CustomStringConvertible {
    /// Use the BLAS only where a quick calibration on first use shows it is faster.
    case automatic
    /// Always use the built-in kernel.
    case builtIn
    /// Use the BLAS whenever one is found (falls back to the built-in kernel otherwise).
    case blas

    public var description: String { rawValue }

    /// Parses the values accepted by the `KERAS_MATMUL` environment variable:
    /// `auto`/`automatic`, `builtin`/`built-in`/`native`, `blas`.
    public init?(environmentValue value: String) {
        switch value.lowercased() {
        case "auto", "automatic", "": self = .automatic
        case "builtin", "built-in", "native", "internal": self = .builtIn
        case "blas", "system": self = .blas
        default: return nil
        }
    }
}

/// Micro-kernel families of the built-in GEMM.
public enum MatMulKernel: String, Sendable, CaseIterable, CustomStringConvertible {
    case portable, avx2, avx512, neon

    /// Whether this CPU (and build) can run the kernel.
    public var isSupported: Bool { keras_gemm_kernel_supported(cValue) != 0 }
    /// e.g. "AVX-512 12x32".
    public var description: String { String(cString: keras_gemm_kernel_name(cValue)) }

    var cValue: Int32 {
        switch self {
        case .portable: Int32(KERAS_GEMM_KERNEL_PORTABLE)
        case .avx2: Int32(KERAS_GEMM_KERNEL_AVX2)
        case .avx512: Int32(KERAS_GEMM_KERNEL_AVX512)
        case .neon: Int32(KERAS_GEMM_KERNEL_NEON)
        }
    }

    init(cValue: Int32) {
        switch cValue {
        case Int32(KERAS_GEMM_KERNEL_AVX2): self = .avx2
        case Int32(KERAS_GEMM_KERNEL_AVX512): self = .avx512
        case Int32(KERAS_GEMM_KERNEL_NEON): self = .neon
        default: self = .portable
        }
    }
}

/// A BLAS library loaded at run time.
public struct BLASLibrary: Sendable, CustomStringConvertible {
    /// "OpenBLAS", "MKL", "BLIS", "Accelerate" or "BLAS" (unknown/generic).
    public let vendor: String
    /// Resolved path of the loaded file.
    public let path: String
    /// Build/configuration details where the library reports them (OpenBLAS: config and core).
    public let info: String

    public var description: String {
        info.isEmpty ? "\(vendor) (\(path))" : "\(vendor) (\(path); \(info))"
    }
}

/// Result of the one-off comparison between the BLAS and the built-in kernel.
public struct MatMulCalibration: Sendable, CustomStringConvertible {
    /// Shapes measured, as (m, n, k).
    public let shapes: [[Int]]
    /// Throughput over all shapes measured, in GFLOP/s (best of a few runs each).
    public let blasGFLOPS: Double
    public let builtInGFLOPS: Double
    /// Wall time the calibration took, in milliseconds.
    public let milliseconds: Double

    public var description: String {
        let s = shapes.map { "\($0[0])×\($0[2])·\($0[2])×\($0[1])" }.joined(separator: ", ")
        return "\(fmt(blasGFLOPS)) GFLOP/s vs built-in \(fmt(builtInGFLOPS)) GFLOP/s at \(s)"
    }
}

/// Which matmul implementation the tensor engine uses, and why.
///
/// Every matmul goes through one function. Tiny problems (such as `(10×8)·(8×12)`) always take a
/// direct path without packing or threads. Others use either the built-in SIMD kernel
/// (AVX-512, AVX2+FMA, NEON or portable C, chosen for the CPU; a multi-threaded direct path for
/// medium problems, packed and blocked for large ones) or `cblas_sgemm` from a BLAS found at run
/// time (OpenBLAS, MKL, BLIS, Accelerate, generic).
///
/// The choice follows ``preferred``, initialised from the `KERAS_MATMUL` environment variable
/// (`auto`, `builtin`, `blas`; default `auto`). With `.automatic`, the first large matmul loads
/// the BLAS, times it against the built-in kernel for a few milliseconds, and keeps the BLAS only
/// if it is clearly (10%) faster. `KERAS_BLAS_PATH` names a specific library to load;
/// `KERAS_NUM_THREADS` caps the built-in kernel's threads.
public enum MatMulBackend {
    /// The path used for non-tiny matmuls. Reading it resolves the choice if still pending
    /// (with `.automatic`, this may load the BLAS and calibrate, once).
    public static var active: MatMulPath {
        resolve()
        return keras_matmul_route() == Int32(KERAS_MATMUL_BLAS) ? .blas : .builtIn
    }

    /// Why ``active`` is what it is, e.g.
    /// "OpenBLAS (/usr/lib/…/libopenblas.so.0): 412 GFLOP/s vs built-in 380 GFLOP/s at …".
    public static var reason: String {
        resolve()
        return state.withLock { $0.reason }
    }

    /// ``active`` and ``reason`` in one line.
    public static var description: String {
        let path = active
        return "\(path == .blas ? "BLAS" : "built-in \(kernel)"): \(reason)"
    }

    /// How the path is chosen. Setting it re-decides on next use (calibrating again if needed).
    public static var preferred: MatMulPreference {
        get { state.withLock { $0.preferred } }
        set {
            state.withLock {
                $0.preferred = newValue
                $0.reason = ""
                keras_matmul_set_route(Int32(KERAS_MATMUL_UNDECIDED))
            }
        }
    }

    /// The built-in kernel's micro-kernel family (the best this CPU supports unless forced
    /// with ``setKernel(_:)``).
    public static var kernel: MatMulKernel {
        MatMulKernel(cValue: keras_gemm_kernel())
    }

    /// Forces a micro-kernel family (nil: auto-detect). Returns false if this CPU can't run it.
    @discardableResult
    public static func setKernel(_ kernel: MatMulKernel?) -> Bool {
        keras_gemm_set_kernel(kernel?.cValue ?? -1) != 0
    }

    /// Threads the built-in kernel uses for large problems (caller included). Set 0 for the
    /// default (usable CPUs, or `KERAS_NUM_THREADS`).
    public static var threads: Int {
        get { Int(keras_gemm_threads()) }
        set { keras_gemm_set_threads(Int32(clamping: newValue)) }
    }

    /// The BLAS library, loading it if not yet attempted (nil if none was found).
    public static var blasLibrary: BLASLibrary? {
        guard keras_blas_load(nil) != 0 else { return nil }
        return BLASLibrary(
            vendor: String(cString: keras_blas_vendor()),
            path: String(cString: keras_blas_path()),
            info: String(cString: keras_blas_info()))
    }

    /// What the BLAS loader tried (one line per candidate).
    public static var blasSearchLog: String {
        _ = keras_blas_load(nil)
        return String(cString: keras_blas_log())
    }

    /// The calibration result, if one was run.
    public static var calibration: MatMulCalibration? {
        state.withLock { $0.calibration }
    }

    /// Decides the path now, if still pending (also done lazily by the first large matmul).
    public static func resolve() {
        if keras_matmul_route() != Int32(KERAS_MATMUL_UNDECIDED) { return }
        state.withLock { s in
            if keras_matmul_route() != Int32(KERAS_MATMUL_UNDECIDED) { return }
            decide(&s)
        }
    }

    /// Re-runs the calibration (with `.automatic`) and re-decides the path.
    public static func recalibrate() {
        state.withLock { s in
            s.calibration = nil
            keras_matmul_set_route(Int32(KERAS_MATMUL_UNDECIDED))
            decide(&s)
        }
    }

    /// Whether the C kernels were compiled with optimisation (false in debug builds).
    static var isOptimizedBuild: Bool { keras_gemm_optimized() != 0 }

    // MARK: State

    struct State {
        var preferred: MatMulPreference
        var reason = ""
        var calibration: MatMulCalibration?
        var environmentNote = ""
    }

    static let state: BackendLock<State> = {
        var s = State(preferred: .automatic)
        if let raw = getenv("KERAS_MATMUL") {
            let value = String(cString: raw)
            if let p = MatMulPreference(environmentValue: value) {
                s.preferred = p
                if p != .automatic { s.environmentNote = " (KERAS_MATMUL=\(value))" }
            } else {
                s.environmentNote = " (ignored unknown KERAS_MATMUL=\(value))"
            }
        }
        return BackendLock(s)
    }()

    private static func decide(_ s: inout State) {
        let builtInName = "built-in \(kernel) kernel"
        switch s.preferred {
        case .builtIn:
            keras_matmul_set_route(Int32(KERAS_MATMUL_BUILTIN))
            s.reason = "\(builtInName): forced\(s.environmentNote)"
        case .blas:
            if let lib = blasLibrary {
                keras_matmul_set_route(Int32(KERAS_MATMUL_BLAS))
                s.reason = "\(lib): forced\(s.environmentNote)"
            } else {
                keras_matmul_set_route(Int32(KERAS_MATMUL_BUILTIN))
                s.reason = "\(builtInName): BLAS forced\(s.environmentNote) but no BLAS library found"
            }
        case .automatic:
            guard let lib = blasLibrary else {
                keras_matmul_set_route(Int32(KERAS_MATMUL_BUILTIN))
                s.reason = "\(builtInName): no BLAS library found"
                return
            }
            if keras_gemm_optimized() == 0 {
                // Debug build: the C kernels are unoptimised, timing them would mislead (and
                // cost seconds in every test run).
                keras_matmul_set_route(Int32(KERAS_MATMUL_BLAS))
                s.reason = "\(lib): debug build (built-in C kernels unoptimised), BLAS used without calibration"
                return
            }
            let cal = s.calibration ?? calibrate()
            s.calibration = cal
            // The BLAS must be clearly (10%) faster: a tie goes to the kernel we control, which also
            // has the direct path for small products and no spinning foreign threads.
            if cal.blasGFLOPS > cal.builtInGFLOPS * 1.10 {
                keras_matmul_set_route(Int32(KERAS_MATMUL_BLAS))
                s.reason = "\(lib): \(cal)"
            } else {
                keras_matmul_set_route(Int32(KERAS_MATMUL_BUILTIN))
                let verdict = cal.builtInGFLOPS >= cal.blasGFLOPS
                    ? "faster than" : "within 10% of (ties go to the built-in kernel)"
                s.reason = "\(builtInName): \(verdict) \(lib.vendor) (\(lib.path)): "
                    + "built-in \(fmt(cal.builtInGFLOPS)) GFLOP/s vs \(lib.vendor) "
                    + "\(fmt(cal.blasGFLOPS)) GFLOP/s"
                    + " at \(cal.shapes.map { "\($0[0])×\($0[2])·\($0[2])×\($0[1])" }.joined(separator: ", "))"
            }
        }
    }

    /// Times both implementations on representative shapes: a dense-layer forward pass
    /// (128×512·512×256) and a mid-size square product (256³). About 5 ms (release build).
    static func calibrate() -> MatMulCalibration {
        let start = keras_now_ns()
        let shapes = [[128, 256, 512], [256, 256, 256]]  // (m, n, k)
        var flops = 0.0
        var buffers: [(UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>)] = []
        for sh in shapes {
            let m = sh[0], n = sh[1], k = sh[2]
            flops += 2 * Double(m * n * k)
            let a = UnsafeMutablePointer<Float>.allocate(capacity: m * k)
            let b = UnsafeMutablePointer<Float>.allocate(capacity: k * n)
            let c = UnsafeMutablePointer<Float>.allocate(capacity: m * n)
            a.initialize(repeating: 0.5, count: m * k)  // values do not affect the timing
            b.initialize(repeating: -0.25, count: k * n)
            c.initialize(repeating: 0, count: m * n)
            buffers.append((a, b, c))
        }
        defer { for (a, b, c) in buffers { a.deallocate(); b.deallocate(); c.deallocate() } }

        /// Seconds for all shapes, each the fastest of `runs` calls after `warmUp` calls.
        func measure(
            runs: Int, warmUp: Int,
            _ gemm: (Int, Int, Int, UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void
        ) -> Double {
            var total = 0.0
            for (sh, buf) in zip(shapes, buffers) {
                var best = Double.infinity
                for run in 0..<(warmUp + runs) {
                    let t0 = keras_now_ns()
                    gemm(sh[0], sh[1], sh[2], buf.0, buf.1, buf.2)
                    let t = keras_now_ns() - t0
                    if run >= warmUp { best = min(best, t) }
                }
                total += best
            }
            return total
        }
        let builtIn = { (m: Int, n: Int, k: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>) in
            keras_sgemm_ex(-1, Int32(KERAS_GEMM_PATH_PACKED), 0, 0, 0, m, n, k, 1, a, k, b, n, 0, c, n)
        }
        let blas = { (m: Int, n: Int, k: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>) in
            keras_blas_sgemm(0, 0, m, n, k, 1, a, k, b, n, 0, c, n)
        }
        // All built-in timings before the first BLAS call: BLAS worker threads (OpenBLAS) keep
        // spinning for tens of milliseconds after each call and would steal the built-in
        // kernel's second core. The fastest of several calls filters out scheduling noise
        // (a worker thread not yet running, another process on the machine).
        let tBuiltIn = measure(runs: 3, warmUp: 1, builtIn)
        var tBLAS = measure(runs: 2, warmUp: 1, blas)
        // Close: measure more. Far apart (an unoptimised debug build, the reference BLAS): decided.
        if tBuiltIn < 3 * tBLAS && tBLAS < 3 * tBuiltIn {
            tBLAS = min(tBLAS, measure(runs: 2, warmUp: 0, blas))
        }
        return MatMulCalibration(
            shapes: shapes, blasGFLOPS: flops / tBLAS, builtInGFLOPS: flops / tBuiltIn,
            milliseconds: (keras_now_ns() - start) / 1e6)
    }
}

extension MatMulBackend {
    /// The engine's matmul on raw row-major buffers, exactly as every `Tensor` matmul runs it:
    /// `C = alpha * op(A) * op(B) + beta * C`, with `lda`/`ldb`/`ldc` the row strides as stored.
    public static func sgemm(
        transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        precondition(m >= 0 && n >= 0 && k >= 0, "sgemm: negative dimension")
        KerasTensor.sgemm(
            transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
            a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }
}

private func fmt(_ x: Double) -> String {
    let r = (x * 10).rounded() / 10
    return r >= 100 ? String(Int(r.rounded())) : String(r)
}

/// A minimal lock around a value (pthread mutex; usable on every platform the package targets).
final class BackendLock<Value>: @unchecked Sendable {
    private var value: Value
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    init(_ value: Value) {
        self.value = value
        mutex = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
