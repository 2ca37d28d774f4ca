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
        let raw = UnsafeMutableRawPointer.allocate(
            byteCount: max(count, 1) * MemoryLayout<Float>.stride, alignment: 64)
        base = raw.bindMemory(to: Float.self, capacity: max(count, 1))
    }

    /// A new storage holding a copy of this one's scalars.
    @usableFromInline
    func copy() -> TensorStorage {
        let result = TensorStorage(count: count)
        result.base.update(from: base, count: count)
        return result
    }

    deinit { UnsafeMutableRawPointer(base).deallocate() }
}
