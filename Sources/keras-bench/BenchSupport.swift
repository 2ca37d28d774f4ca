import CKernels

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Nanoseconds since an arbitrary origin (monotonic).
func nowNS() -> Double { keras_now_ns() }

/// Sleeps (lets BLAS worker threads that spin after a call go idle before the next measurement).
func pause(milliseconds: Int) { usleep(useconds_t(milliseconds * 1000)) }

/// The process's peak resident memory in MB (what the epoch comparisons report next to Keras').
func peakResidentMegabytes() -> Double {
    var usage = rusage()
    #if os(Linux)
    getrusage(RUSAGE_SELF.rawValue, &usage)
    #else
    getrusage(RUSAGE_SELF, &usage)
    #endif
    return Double(usage.ru_maxrss) / 1024
}

func environment(_ name: String) -> String? {
    guard let v = getenv(name) else { return nil }
    return String(cString: v)
}

/// Median seconds per call of `body`, over `samples` timings of `callsPerSample` calls each.
func medianSeconds(samples: Int, callsPerSample: Int = 1, _ body: () -> Void) -> Double {
    var times: [Double] = []
    times.reserveCapacity(samples)
    for _ in 0..<samples {
        let t0 = nowNS()
        for _ in 0..<callsPerSample { body() }
        times.append((nowNS() - t0) / Double(callsPerSample))
    }
    times.sort()
    return times[times.count / 2] * 1e-9
}

/// Fixed-width columns.
func pad(_ s: String, _ width: Int, right: Bool = false) -> String {
    let n = s.count
    if n >= width { return s }
    let fill = String(repeating: " ", count: width - n)
    return right ? fill + s : s + fill
}

func format(_ x: Double, decimals: Int = 1) -> String {
    guard x.isFinite else { return "-" }
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let r = (x * scale).rounded() / scale
    var s = String(r)
    if decimals == 0, s.hasSuffix(".0") { s.removeLast(2) }
    if let dot = s.firstIndex(of: ".") {
        let frac = s.distance(from: dot, to: s.endIndex) - 1
        if frac < decimals { s += String(repeating: "0", count: decimals - frac) }
    } else if decimals > 0 {
        s += "." + String(repeating: "0", count: decimals)
    }
    return s
}

/// A buffer of `count` floats filled with a deterministic pattern in [-1, 1).
final class FloatBuffer {
    let pointer: UnsafeMutablePointer<Float>
    let count: Int
    init(count: Int, seed: UInt32 = 1) {
        self.count = count
        pointer = .allocate(capacity: max(count, 1))
        var s = seed &* 2_654_435_761
        for i in 0..<count {
            s = s &* 1_664_525 &+ 1_013_904_223
            pointer[i] = Float(s >> 8) / Float(1 << 24) * 2 - 1
        }
    }
    deinit { pointer.deallocate() }
}
