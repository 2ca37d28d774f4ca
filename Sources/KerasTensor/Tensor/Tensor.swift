/// An n-dimensional array of `Float` scalars in row-major order.
///
/// `Tensor` is a value type with copy-on-write storage: assigning or passing a tensor is cheap,
/// and mutating one never changes another. Operations broadcast like numpy. While a
/// `GradientTape` records, operations on tracked tensors are remembered for differentiation.
public struct Tensor: Sendable {
    /// The size of each dimension; `[]` for a scalar.
    public internal(set) var shape: [Int]
    @usableFromInline var storage: TensorStorage
    /// The autodiff node that produced this tensor, when it was recorded on a tape.
    var node: AutodiffNode?
    /// Whether the scalars stand for whole numbers (`argmax`, `astype(.integer)`): only printing differs.
    public internal(set) var kind: ScalarKind = .float

    @usableFromInline
    init(shape: [Int], storage: TensorStorage) {
        self.shape = shape
        self.storage = storage
        self.node = nil
    }

    /// A tensor of the given shape whose scalars are not initialised: internal, for kernels.
    @usableFromInline
    init(uninitializedShape shape: [Int]) {
        self.init(shape: shape, storage: TensorStorage(count: shape.reduce(1, *)))
    }

    /// Creates a tensor of `shape` from `scalars` in row-major order.
    public init(shape: [Int], scalars: [Float]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor(shape:scalars:): negative dimension in \(shape)")
        let count = shape.reduce(1, *)
        precondition(count == scalars.count,
                      "Tensor(shape:scalars:): shape \(shape) holds \(count) scalars but \(scalars.count) were given")
        self.init(uninitializedShape: shape)
        scalars.withUnsafeBufferPointer { storage.base.update(from: $0.baseAddress!, count: count) }
    }

    /// Creates a rank-0 tensor holding `value`.
    public init(_ value: Float) {
        self.init(uninitializedShape: [])
        storage.base[0] = value
    }

    /// Creates a rank-1 tensor from `scalars`.
    public init(_ scalars: [Float]) {
        self.init(shape: [scalars.count], scalars: scalars)
    }

    /// Creates a tensor of `shape` filled with `value`.
    public init(repeating value: Float, shape: [Int]) {
        self.init(uninitializedShape: shape)
        storage.base.initialize(repeating: value, count: storage.count)
    }

    /// The number of dimensions.
    @inlinable public var rank: Int { shape.count }

    /// The number of scalars.
    @inlinable public var count: Int { storage.count }

    /// The scalars in row-major order.
    public var scalars: [Float] {
        Array(UnsafeBufferPointer(start: storage.base, count: count))
    }

    /// The only scalar of a one-element tensor (numpy's `item()`).
    public var scalar: Float {
        precondition(count == 1, "Tensor.scalar: tensor of shape \(shape) has \(count) scalars, not 1")
        return storage.base[0]
    }

    /// Calls `body` with the scalars in row-major order.
    @inlinable
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: storage.base, count: storage.count))
    }

    /// Calls `body` with the scalars for mutation, copying them first if the storage is shared.
    @inlinable
    public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        return try body(UnsafeMutableBufferPointer(start: storage.base, count: storage.count))
    }

    /// The strides, in scalars, of each dimension.
    var strides: [Int] { Tensor.strides(of: shape) }

    static func strides(of shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var stride = 1
        for axis in shape.indices.reversed() {
            strides[axis] = stride
            stride *= shape[axis]
        }
        return strides
    }

    /// Resolves a possibly negative axis against `rank`, stopping with a message naming `op`.
    static func normalize(axis: Int, rank: Int, op: String) -> Int {
        let resolved = axis < 0 ? axis + rank : axis
        precondition(resolved >= 0 && resolved < rank, "\(op): axis \(axis) is out of range for rank \(rank)")
        return resolved
    }
}

extension Tensor: Equatable {
    /// Two tensors are equal when their shapes and scalars are equal.
    public static func == (lhs: Tensor, rhs: Tensor) -> Bool {
        guard lhs.shape == rhs.shape else { return false }
        if lhs.storage === rhs.storage { return true }
        for i in 0..<lhs.count where lhs.storage.base[i] != rhs.storage.base[i] { return false }
        return true
    }
}

extension Float {
    /// The scalar of a one-element tensor.
    public init(_ tensor: Tensor) { self = tensor.scalar }
}
