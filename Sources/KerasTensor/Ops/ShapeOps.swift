// Reshaping, transposing, joining and splitting.

extension Tensor {
    /// The same scalars with a new shape; one dimension may be -1 and is then inferred.
    public func reshaped(to newShape: [Int]) -> Tensor {
        let resolved = Tensor.resolve(newShape, count: count, op: "reshaped(to:)")
        if resolved == shape { return self }
        var result = Tensor(shape: resolved, storage: storage)
        result.kind = kind
        guard Tensor.isRecording(self) else { return result }
        let original = shape
        result = result.recorded(from: self) { g in g.reshaped(to: original) }
        return result
    }

    /// numpy's `reshape`: the same as `reshaped(to:)`.
    public func reshape(_ newShape: [Int]) -> Tensor { reshaped(to: newShape) }

    static func resolve(_ shape: [Int], count: Int, op: String) -> [Int] {
        let unknown = shape.indices.filter { shape[$0] == -1 }
        precondition(unknown.count <= 1 && shape.allSatisfy { $0 >= -1 },
                     "\(op): shape \(shape) may hold at most one -1 and no other negative size")
        var resolved = shape
        let known = shape.filter { $0 != -1 }.reduce(1, *)
        if let axis = unknown.first {
            precondition(known > 0 && count % known == 0,
                         "\(op): cannot reshape \(count) scalars into \(shape)")
            resolved[axis] = count / known
        }
        precondition(resolved.reduce(1, *) == count,
                     "\(op): cannot reshape \(count) scalars into \(shape)")
        return resolved
    }

    /// The axes reordered: axis `i` of the result is axis `permutation[i]` of `self`.
    public func transposed(_ permutation: [Int]) -> Tensor {
        precondition(permutation.sorted() == Array(0..<rank),
                     "transposed(_:): \(permutation) is not a permutation of the axes of shape \(shape)")
        if permutation == Array(0..<rank) { return self }
        let newShape = permutation.map { shape[$0] }
        let result = Tensor(uninitializedShape: newShape)
        let sourceStrides = strides
        let permutedStrides = permutation.map { sourceStrides[$0] }
        let source = storage.base, destination = result.storage.base
        // Copy row by row of the result; the last axis reads with a fixed stride.
        let inner = newShape.last ?? 1, innerStride = permutedStrides.last ?? 1
        let rows = count / Swift.max(inner, 1)
        let outerShape = Array(newShape.dropLast()), outerStrides = Array(permutedStrides.dropLast())
        Parallel.forEachChunk(rows, cost: inner, kind: .copy) { range in
            var index = [Int](repeating: 0, count: outerShape.count)
            for row in range {
                var remainder = row, offset = 0
                for axis in outerShape.indices.reversed() {
                    index[axis] = remainder % outerShape[axis]
                    remainder /= outerShape[axis]
                    offset += index[axis] * outerStrides[axis]
                }
                let out = destination + row * inner
                for j in 0..<inner { out[j] = source[offset + j * innerStride] }
            }
        }
        guard Tensor.isRecording(self) else { return result }
        var inverse = [Int](repeating: 0, count: rank)
        for (i, p) in permutation.enumerated() { inverse[p] = i }
        return result.recorded(from: self) { g in g.transposed(inverse) }
    }

    /// The last two axes swapped (all axes reversed for rank ≤ 2, as numpy's `.T`).
    public func transposed() -> Tensor {
        rank < 2 ? self : transposed(Array(0..<(rank - 2)) + [rank - 1, rank - 2])
    }

    /// numpy's `.T`: all axes reversed.
    public var T: Tensor { transposed(Array((0..<rank).reversed())) }

    /// Removes axes of size 1 (`axes` of them, or all when `nil`).
    public func squeezed(axes: [Int]? = nil) -> Tensor {
        let remove = axes.map { resolved($0, op: "squeezed(axes:)") } ?? shape.indices.filter { shape[$0] == 1 }
        for axis in remove {
            precondition(shape[axis] == 1, "squeezed(axes:): axis \(axis) of shape \(shape) has size \(shape[axis]), not 1")
        }
        return reshaped(to: shape.indices.filter { !remove.contains($0) }.map { shape[$0] })
    }

    /// Inserts an axis of size 1 at `axis` (negative counts from the end of the result).
    public func expandingShape(at axis: Int) -> Tensor {
        let position = Tensor.normalize(axis: axis, rank: rank + 1, op: "expandingShape(at:)")
        var newShape = shape
        newShape.insert(1, at: position)
        return reshaped(to: newShape)
    }

    /// Joins tensors along an existing axis; all other dimensions must agree.
    public static func concatenate(_ tensors: [Tensor], axis: Int = 0) -> Tensor {
        precondition(!tensors.isEmpty, "concatenate: needs at least one tensor")
        let first = tensors[0]
        let axis = normalize(axis: axis, rank: first.rank, op: "concatenate")
        for tensor in tensors {
            precondition(tensor.rank == first.rank && tensor.shape.indices.allSatisfy { $0 == axis || tensor.shape[$0] == first.shape[$0] },
                         "concatenate: shapes \(tensors.map(\.shape)) differ outside axis \(axis)")
        }
        var shape = first.shape
        shape[axis] = tensors.reduce(0) { $0 + $1.shape[axis] }
        let result = Tensor(uninitializedShape: shape)
        let outer = shape[..<axis].reduce(1, *), inner = shape[(axis + 1)...].reduce(1, *)
        let rowLength = shape[axis] * inner
        var column = 0
        for tensor in tensors {
            let length = tensor.shape[axis] * inner
            for o in 0..<outer {
                (result.storage.base + o * rowLength + column).update(from: tensor.storage.base + o * length, count: length)
            }
            column += length
        }
        guard isRecording(tensors) else { return result }
        let sizes = tensors.map { $0.shape[axis] }
        return result.recorded(from: tensors) { g, needed in
            let parts = g.split(sizes: sizes, axis: axis)
            return zip(parts, needed).map { $1 ? $0 : nil }
        }
    }

    /// Joins equally shaped tensors along a new axis.
    public static func stack(_ tensors: [Tensor], axis: Int = 0) -> Tensor {
        precondition(!tensors.isEmpty, "stack: needs at least one tensor")
        let shape = tensors[0].shape
        precondition(tensors.allSatisfy { $0.shape == shape }, "stack: shapes \(tensors.map(\.shape)) differ")
        let position = normalize(axis: axis, rank: shape.count + 1, op: "stack")
        return concatenate(tensors.map { $0.expandingShape(at: position) }, axis: position)
    }

    /// Cuts along `axis` into pieces of the given sizes.
    public func split(sizes: [Int], axis: Int = 0) -> [Tensor] {
        let axis = Tensor.normalize(axis: axis, rank: rank, op: "split")
        precondition(sizes.reduce(0, +) == shape[axis] && sizes.allSatisfy { $0 >= 0 },
                     "split: sizes \(sizes) do not add up to dimension \(shape[axis]) of shape \(shape)")
        var start = 0
        return sizes.map { size in
            defer { start += size }
            return slice(axis: axis, start..<(start + size))
        }
    }

    /// Cuts along `axis` into `count` equal pieces.
    public func split(count: Int, axis: Int = 0) -> [Tensor] {
        let axisIndex = Tensor.normalize(axis: axis, rank: rank, op: "split")
        precondition(count > 0 && shape[axisIndex] % count == 0,
                     "split: dimension \(shape[axisIndex]) of shape \(shape) does not divide into \(count) pieces")
        return split(sizes: Array(repeating: shape[axisIndex] / count, count: count), axis: axisIndex)
    }
}
