// How large a tensor can be: sizes from users and from files are checked before allocation.

import Foundation

/// The memory a tensor may take. A size that overflows, or asks for more than this process can
/// allocate, throws an error naming what asked for it, instead of stopping the process while
/// allocating (a hostile file, `Dense(units: 1_000_000_000)`, `toCategorical(numClasses: .max)`).
enum MemoryBudget {
    /// The bytes this process may allocate: the machine's physical memory, or less under an
    /// address-space or data-segment limit (`ulimit -v`, `ulimit -d`).
    static let bytes: Int = {
        var budget = Int(clamping: ProcessInfo.processInfo.physicalMemory)
        var limit = rlimit()
        #if os(Linux)
        let resources = [__rlimit_resource_t(RLIMIT_AS.rawValue), __rlimit_resource_t(RLIMIT_DATA.rawValue)]
        #else
        let resources = [RLIMIT_AS, RLIMIT_DATA]
        #endif
        for resource in resources where getrlimit(resource, &limit) == 0 && limit.rlim_cur != rlim_t.max {
            budget = Swift.min(budget, Int(clamping: limit.rlim_cur))
        }
        return budget
    }()

    /// The number of `Float` scalars of `shape`, or an error naming `what` when the shape is
    /// negative, overflows, or needs more memory than `bytes`.
    @discardableResult
    static func check(_ shape: [Int], for what: @autoclosure () -> String, fix: String = "") throws -> Int {
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw KerasError.invalidArgument(name: what(), value: "shape \(shape)", expected: "sizes of 0 or more")
        }
        // The sizes other than 0 must multiply without overflow even when a 0 empties the tensor:
        // later layers multiply them too.
        let product = shape.filter { $0 != 0 }.reduce(into: Optional(1)) { product, size in
            product = product.flatMap { $0.multipliedReportingOverflow(by: size) }.flatMap { $0.overflow ? nil : $0.partialValue }
        }
        let count = shape.contains(0) ? product.map { _ in 0 } : product
        guard let count, count <= bytes / MemoryLayout<Float>.stride else {
            let needed = count.map { describe(Double($0) * 4) } ?? "more bytes than a 64-bit address can count"
            throw KerasError.invalidArgument(
                name: what(), value: "shape \(shape)",
                expected: "a size that fits in memory: it needs \(needed), this process can allocate \(describe(Double(bytes)))"
                    + (fix.isEmpty ? "" : ". " + fix))
        }
        return count
    }

    /// `12.0 GB`, `512.0 MB`.
    static func describe(_ bytes: Double) -> String {
        let units = ["bytes", "KB", "MB", "GB", "TB", "PB", "EB"]
        var value = bytes, unit = 0
        while value >= 1000 && unit < units.count - 1 { value /= 1000; unit += 1 }
        return unit == 0 ? "\(Int(value)) bytes" : String(format: "%.1f %@", value, units[unit])
    }
}
