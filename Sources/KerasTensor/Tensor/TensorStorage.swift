import Foundation

/// The heap buffer behind a `Tensor`: 64-byte aligned, uninitialised on creation.
///
/// Tensors share a storage until one of them is mutated (copy-on-write), so passing a tensor
/// around never copies its scalars.
@usableFromInline
final class TensorStorage: @unchecked Sendable {
    @usableFromInline let base: UnsafeMutablePointer<Float>
    @usableFromInline let count: Int

    @usableFromInline
    init(count: Int) {
        self.count = count
        base = StepProfile.measure(.allocation) {
            BufferPool.allocate(byteCount: max(count, 1) * MemoryLayout<Float>.stride)
                .bindMemory(to: Float.self, capacity: max(count, 1))
        }
    }

    /// A new storage holding a copy of this one's scalars.
    @usableFromInline
    func copy() -> TensorStorage {
        let result = TensorStorage(count: count)
        result.base.update(from: base, count: count)
        return result
    }

    deinit {
        StepProfile.measure(.allocation) {
            BufferPool.release(UnsafeMutableRawPointer(base), byteCount: max(count, 1) * MemoryLayout<Float>.stride)
        }
    }
}

/// Keeps large freed buffers for reuse.
///
/// Training allocates the same large sizes every step; a fresh large allocation comes from the
/// kernel as untouched pages, and faulting them in costs several times the work of the
/// operation itself. Buffers of 256 KiB to 16 MiB are kept, up to 64 MiB in all, by exact
/// size: a training step's temporaries, not a data set's copies (freed, those go back to the
/// system, so that a program's peak memory is its data and one step's temporaries).
enum BufferPool {
    static let minimumBytes = 1 << 18
    static let maximumBytes = 1 << 24
    static let capacityBytes = 1 << 26
    private static let lock = NSLock()
    nonisolated(unsafe) private static var free: [Int: [UnsafeMutableRawPointer]] = [:]
    nonisolated(unsafe) private static var cachedBytes = 0

    static func allocate(byteCount: Int) -> UnsafeMutableRawPointer {
        if byteCount >= minimumBytes && byteCount <= maximumBytes {
            lock.lock()
            let reused = free[byteCount]?.popLast()
            if reused != nil { cachedBytes -= byteCount }
            lock.unlock()
            if let reused { return reused }
        }
        return UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: 64)
    }

    static func release(_ pointer: UnsafeMutableRawPointer, byteCount: Int) {
        if byteCount >= minimumBytes && byteCount <= maximumBytes {
            lock.lock()
            let kept = cachedBytes + byteCount <= capacityBytes
            if kept {
                free[byteCount, default: []].append(pointer)
                cachedBytes += byteCount
            }
            lock.unlock()
            if kept { return }
        }
        pointer.deallocate()
    }
}
