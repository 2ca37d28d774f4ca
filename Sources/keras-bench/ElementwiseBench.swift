import KerasTensor

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Bandwidth of a 10-million-element elementwise op (`x + y`) and sum reduction (`x.sum()`)
/// through the public `Tensor` API, next to `memcpy` of the same bytes.
///
/// GB/s counts the bytes each operation must move: `x + y` reads 2 × 40 MB and writes 40 MB
/// (120 MB); `sum()` reads 40 MB; `memcpy` of one 40 MB tensor's bytes reads 40 MB and writes
/// 40 MB (80 MB). "vs memcpy" compares those GB/s figures.
func runElementwiseBenchmarks(rounds: Int = 5) {
    let count = 10_000_000
    let bytes = Double(count * MemoryLayout<Float>.size)
    let x = Tensor(shape: [count], scalars: (0..<count).map { Float($0 % 1000) * 1e-3 })
    let y = Tensor(shape: [count], scalars: (0..<count).map { Float($0 % 777) * 1e-3 })

    let src = UnsafeMutableRawPointer.allocate(byteCount: Int(bytes), alignment: 64)
    let dst = UnsafeMutableRawPointer.allocate(byteCount: Int(bytes), alignment: 64)
    defer { src.deallocate(); dst.deallocate() }
    memset(src, 1, Int(bytes))
    memset(dst, 0, Int(bytes))

    var sink: Float = 0
    var tAdd = Double.infinity, tSum = Double.infinity, tCopy = Double.infinity
    // Warm-up.
    sink += (x + y).sum().scalars[0]
    for _ in 0..<rounds {
        tAdd = min(tAdd, medianSeconds(samples: 7) {
            let z = x + y
            sink += z.count == count ? 0 : 1
        })
        tSum = min(tSum, medianSeconds(samples: 7) {
            sink += x.sum().scalars[0]
        })
        tCopy = min(tCopy, medianSeconds(samples: 7) {
            memcpy(dst, src, Int(bytes))
        })
    }

    print("Elementwise and reduction, 10M Float32 (best of \(rounds) rounds, median of 7 calls)")
    let header = pad("operation", 34) + pad("ms", 10, right: true)
        + pad("bytes moved", 14, right: true) + pad("GB/s", 10, right: true)
        + pad("vs memcpy", 12, right: true)
    print(header)
    print(String(repeating: "-", count: header.count))
    let copyGBs = 2 * bytes / tCopy * 1e-9
    func row(_ label: String, _ t: Double, _ moved: Double) {
        let gbs = moved / t * 1e-9
        print(pad(label, 34) + pad(format(t * 1e3, decimals: 2), 10, right: true)
            + pad("\(Int(moved / 1e6)) MB", 14, right: true) + pad(format(gbs), 10, right: true)
            + pad(format(gbs / copyGBs, decimals: 2), 12, right: true))
    }
    row("memcpy 40 MB", tCopy, 2 * bytes)
    row("Tensor x + y (new tensor)", tAdd, 3 * bytes)
    row("Tensor x.sum()", tSum, bytes)
    if sink == .infinity { print(sink) }  // keep the results alive
}
