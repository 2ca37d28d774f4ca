// Literals and conversions to and from Swift arrays.

extension Tensor: ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral, ExpressibleByArrayLiteral {
    public init(floatLiteral value: Float) { self.init(value) }
    public init(integerLiteral value: Int) { self.init(Float(value)) }

    /// `[[0, 1], [1, 0]]`: the elements (scalars or equally shaped tensors) stacked on a new first axis.
    public init(arrayLiteral elements: Tensor...) {
        self = elements.isEmpty ? Tensor(shape: [0], scalars: []) : Tensor.stack(elements)
    }
}

extension Tensor {
    /// A rank-1 tensor of the integers in `values`, converted to `Float`.
    public init(_ values: [Int]) {
        self.init(values.map(Float.init))
    }

    /// A rank-2 tensor from equally long rows.
    public init(_ rows: [[Float]]) {
        let width = rows.first?.count ?? 0
        precondition(rows.allSatisfy { $0.count == width }, "Tensor(_: [[Float]]): rows have different lengths")
        self.init(shape: [rows.count, width], scalars: rows.flatMap { $0 })
    }

    /// A rank-3 tensor from equally shaped matrices.
    public init(_ matrices: [[[Float]]]) {
        let parts = matrices.map { Tensor($0) }
        self = parts.isEmpty ? Tensor(shape: [0, 0, 0], scalars: []) : Tensor.stack(parts)
    }
}

extension Array where Element == Float {
    /// The scalars of `tensor` in row-major order.
    public init(_ tensor: Tensor) { self = tensor.scalars }
}

extension Array where Element == [Float] {
    /// The rows of a rank-2 tensor.
    public init(_ tensor: Tensor) {
        precondition(tensor.rank == 2, "[[Float]](_:): expected a rank-2 tensor, got shape \(tensor.shape)")
        let (rows, columns) = (tensor.shape[0], tensor.shape[1])
        self = tensor.withUnsafeBufferPointer { buffer in
            (0..<rows).map { [Float](buffer[($0 * columns)..<(($0 + 1) * columns)]) }
        }
    }
}
