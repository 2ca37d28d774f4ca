// Indexing, slicing and gathering: `x[0]`, `x[1..<3]`, `x[.all, 2]`, `x.gathering(indices)`.

/// One position in a subscript: a single index (the axis is dropped), a range, or the whole axis.
public enum TensorRange: Sendable {
    case index(Int)
    case range(Range<Int>)
    case from(Int)
    case upTo(Int)
    case all
}

/// A value that can stand in a tensor subscript: `Int`, ranges of `Int`, or `TensorRange`.
public protocol TensorRangeExpression {
    var tensorRange: TensorRange { get }
}

extension TensorRange: TensorRangeExpression { public var tensorRange: TensorRange { self } }

// So that `x[.all, 2]` finds the cases where the parameter type is `any TensorRangeExpression`.
// Disfavoured, so that `TensorRange.all` still means the case.
extension TensorRangeExpression where Self == TensorRange {
    @_disfavoredOverload public static var all: TensorRange { TensorRange.all }
    @_disfavoredOverload public static func index(_ i: Int) -> TensorRange { TensorRange.index(i) }
    @_disfavoredOverload public static func range(_ r: Range<Int>) -> TensorRange { TensorRange.range(r) }
    @_disfavoredOverload public static func from(_ i: Int) -> TensorRange { TensorRange.from(i) }
    @_disfavoredOverload public static func upTo(_ i: Int) -> TensorRange { TensorRange.upTo(i) }
}

extension Int: TensorRangeExpression { public var tensorRange: TensorRange { .index(self) } }
extension Range: TensorRangeExpression where Bound == Int { public var tensorRange: TensorRange { .range(self) } }
// A closed range through -1 (the last index) runs to the end; `upperBound + 1` would be 0.
extension ClosedRange: TensorRangeExpression where Bound == Int {
    public var tensorRange: TensorRange { upperBound == -1 ? .from(lowerBound) : .range(lowerBound..<(upperBound + 1)) }
}
extension PartialRangeFrom: TensorRangeExpression where Bound == Int { public var tensorRange: TensorRange { .from(lowerBound) } }
extension PartialRangeUpTo: TensorRangeExpression where Bound == Int { public var tensorRange: TensorRange { .upTo(upperBound) } }
extension PartialRangeThrough: TensorRangeExpression where Bound == Int {
    public var tensorRange: TensorRange { upperBound == -1 ? .all : .upTo(upperBound + 1) }
}

extension Tensor {
    /// Indexes the leading axes; negative indices count from the end, an integer drops its axis.
    public subscript(_ ranges: any TensorRangeExpression...) -> Tensor {
        precondition(ranges.count <= rank, "subscript: \(ranges.count) indices for a tensor of rank \(rank)")
        var result = self
        var dropped: [Int] = []
        for (axis, expression) in ranges.enumerated() {
            let size = shape[axis]
            func clamp(_ i: Int) -> Int { Swift.min(Swift.max(i < 0 ? i + size : i, 0), size) }
            switch expression.tensorRange {
            case .index(let i):
                let index = i < 0 ? i + size : i
                precondition(index >= 0 && index < size, "subscript: index \(i) is out of range for axis \(axis) of shape \(shape)")
                result = result.slice(axis: axis, index..<(index + 1))
                dropped.append(axis)
            case .range(let r):
                let lower = clamp(r.lowerBound)
                result = result.slice(axis: axis, lower..<Swift.max(lower, clamp(r.upperBound)))
            case .from(let i): result = result.slice(axis: axis, clamp(i)..<size)
            case .upTo(let i): result = result.slice(axis: axis, 0..<clamp(i))
            case .all: break
            }
        }
        var indexed = dropped.isEmpty ? result : result.squeezed(axes: dropped)
        indexed.kind = kind
        return indexed
    }

    /// The scalars at `range` along `axis`, other axes whole.
    public func slice(axis: Int, _ range: Range<Int>) -> Tensor {
        let axis = Tensor.normalize(axis: axis, rank: rank, op: "slice")
        precondition(range.lowerBound >= 0 && range.upperBound <= shape[axis],
                     "slice: range \(range) is out of bounds for axis \(axis) of shape \(shape)")
        if range.count == shape[axis] { return self }
        var newShape = shape
        newShape[axis] = range.count
        let result = Tensor(uninitializedShape: newShape)
        let outer = shape[..<axis].reduce(1, *), inner = shape[(axis + 1)...].reduce(1, *)
        let length = range.count * inner, sourceRow = shape[axis] * inner
        for o in 0..<outer {
            (result.storage.base + o * length).update(from: storage.base + o * sourceRow + range.lowerBound * inner, count: length)
        }
        guard Tensor.isRecording(self) else { return result }
        let fullShape = shape
        return result.recorded(from: self) { g in g.padded(into: fullShape, axis: axis, at: range.lowerBound) }
    }

    /// This tensor placed at `offset` along `axis` of a zero tensor of `shape`: the gradient of a slice.
    func padded(into shape: [Int], axis: Int, at offset: Int) -> Tensor {
        let result = Tensor(repeating: 0, shape: shape)
        let outer = shape[..<axis].reduce(1, *), inner = shape[(axis + 1)...].reduce(1, *)
        let length = self.shape[axis] * inner, rowLength = shape[axis] * inner
        for o in 0..<outer {
            (result.storage.base + o * rowLength + offset * inner).update(from: storage.base + o * length, count: length)
        }
        guard Tensor.isRecording(self) else { return result }
        let size = self.shape[axis]
        return result.recorded(from: self) { g in g.slice(axis: axis, offset..<(offset + size)) }
    }

    /// The slices at `indices` along `axis` (numpy's `take`): the result's shape is
    /// `shape[..<axis] + indices.shape + shape[(axis+1)...]`. Indices are whole numbers as `Float`.
    public func gathering(_ indices: Tensor, axis: Int = 0) -> Tensor {
        let axis = Tensor.normalize(axis: axis, rank: rank, op: "gathering")
        let size = shape[axis]
        let positions = indices.scalars.map { value -> Int in
            let index = Int(value)
            precondition(Float(index) == value && index >= -size && index < size,
                          "gathering: index \(value) is out of range for axis \(axis) of shape \(shape)")
            return index < 0 ? index + size : index
        }
        let outer = shape[..<axis].reduce(1, *), inner = shape[(axis + 1)...].reduce(1, *)
        let newShape = Array(shape[..<axis]) + indices.shape + Array(shape[(axis + 1)...])
        let result = Tensor(uninitializedShape: newShape)
        let source = storage.base, destination = result.storage.base
        // Rows picked from anywhere in a large tensor (a shuffled batch) mostly miss the caches:
        // a copied scalar costs several additions, and two threads keep more misses in flight.
        let count = positions.count
        Parallel.forEachChunk(outer * count, cost: 4 * inner, kind: .copy) { rows in
            for row in rows {
                let (o, k) = row.quotientAndRemainder(dividingBy: count)
                (destination + row * inner).update(from: source + (o * size + positions[k]) * inner, count: inner)
            }
        }
        guard Tensor.isRecording(self) else { return result }
        let fullShape = shape
        return result.recorded(from: self) { incoming in
            // Scatter-add: an index that appears twice receives both gradients.
            var gradient = Tensor(repeating: 0, shape: fullShape)
            let g = incoming.detached
            gradient.withUnsafeMutableBufferPointer { out in
                for o in 0..<outer {
                    for (k, position) in positions.enumerated() {
                        let from = g.storage.base + (o * positions.count + k) * inner
                        let to = out.baseAddress! + (o * size + position) * inner
                        for j in 0..<inner { to[j] += from[j] }
                    }
                }
            }
            // Recorded for higher-order gradients: the scatter's own pullback gathers again.
            guard Tensor.isRecording(incoming) else { return gradient }
            return gradient.recorded(from: incoming) { $0.gathering(indices, axis: axis) }
        }
    }
}

extension Tensor {
    /// The slices along `axis` in reverse order (numpy's `flip`); differentiable.
    public func flipped(axis: Int) -> Tensor {
        let axis = Tensor.normalize(axis: axis, rank: rank, op: "flipped")
        return gathering(Tensor((0..<shape[axis]).reversed().map(Float.init)), axis: axis)
    }
}
