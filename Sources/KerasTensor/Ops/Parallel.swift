import CKernels
import Foundation

/// Splits data-parallel loops over the machine's cores.
package enum Parallel {
    /// The number of threads large loops use (the matmul's: usable cores or `KERAS_NUM_THREADS`).
    package static var threadCount: Int { Int(keras_gemm_threads()) }

    /// Below this much work per thread (in additions), a loop runs on the calling thread.
    static let minimumWorkPerThread = 1 << 16

    /// `0..<count` cut into one contiguous chunk per thread that is worth starting.
    /// `cost` scales the work per element (a transcendental function costs more than an addition).
    @inline(__always)
    static func chunks(_ count: Int, cost: Int = 1) -> [Range<Int>] {
        let threads = min(threadCount, count * cost / minimumWorkPerThread)
        guard threads > 1 else { return [0..<count] }
        // Chunks are multiples of 16 elements so that no two threads share a cache line.
        let size = ((count + threads - 1) / threads + 15) & ~15
        return stride(from: 0, to: count, by: size).map { $0..<min(count, $0 + size) }
    }

    /// Runs `body` over `0..<count` in contiguous chunks, on several threads when it pays.
    /// The time counts as `kind` in a step profile.
    @inline(__always)
    static func forEachChunk(_ count: Int, cost: Int = 1, kind: StepProfile.Kind = .elementwise, _ body: (Range<Int>) -> Void) {
        StepProfile.measure(kind) {
            if count * cost < 2 * minimumWorkPerThread || threadCount == 1 {
                body(0..<count)
                return
            }
            let ranges = chunks(count, cost: cost)
            perform(ranges.count) { body(ranges[$0]) }
        }
    }

    /// Runs `body(0)`, …, `body(iterations - 1)` concurrently and returns when all are done.
    /// The caller guarantees the iterations touch disjoint memory.
    ///
    /// The iterations run on the GEMM's worker threads (`keras_parallel_for`): one pool for
    /// every loop, so that workers still spinning after a matmul take the next loop at once
    /// instead of competing for the cores with a second pool.
    package static func perform(_ iterations: Int, _ body: (Int) -> Void) {
        withoutActuallyEscaping(body) { body in
            withUnsafePointer(to: body) { pointer in
                keras_parallel_for(Int32(iterations), { context, index in
                    context!.assumingMemoryBound(to: ((Int) -> Void).self).pointee(Int(index))
                }, UnsafeMutableRawPointer(mutating: pointer))
            }
        }
    }
}
