/// numpy broadcasting: shapes are aligned on their last axes; a dimension of 1 stretches.
enum Broadcasting {
    /// The shape two operands broadcast to, or `nil` when they are incompatible.
    static func shape(_ a: [Int], _ b: [Int]) -> [Int]? {
        let rank = max(a.count, b.count)
        var result = [Int](repeating: 1, count: rank)
        for axis in 0..<rank {
            let x = axis - (rank - a.count) >= 0 ? a[axis - (rank - a.count)] : 1
            let y = axis - (rank - b.count) >= 0 ? b[axis - (rank - b.count)] : 1
            guard x == y || x == 1 || y == 1 else { return nil }
            result[axis] = x == 1 ? y : x
        }
        return result
    }

    /// The broadcast shape, stopping with a message naming `op` and both shapes when there is none.
    static func shape(_ a: [Int], _ b: [Int], op: String) -> [Int] {
        guard let result = shape(a, b) else {
            preconditionFailure("\(op): shapes \(a) and \(b) cannot be broadcast together")
        }
        return result
    }

    /// Strides of `shape` read as `target` (0 along broadcast axes).
    static func strides(of shape: [Int], broadcastTo target: [Int]) -> [Int] {
        let own = Tensor.strides(of: shape)
        let offset = target.count - shape.count
        return target.indices.map { axis in
            let source = axis - offset
            return source >= 0 && shape[source] != 1 ? own[source] : 0
        }
    }

    /// An iteration plan for a broadcast binary operation: the result as `outer` rows of
    /// `inner` scalars, where the operands advance by `innerStrideA/B` (0 or 1) along a row
    /// and their row starts are given by `rowOffsets`.
    struct Plan {
        var inner: Int
        var innerStrideA: Int
        var innerStrideB: Int
        var outerShape: [Int]
        var outerStridesA: [Int]
        var outerStridesB: [Int]

        init(_ a: [Int], _ b: [Int], result: [Int]) {
            var stridesA = Broadcasting.strides(of: a, broadcastTo: result)
            var stridesB = Broadcasting.strides(of: b, broadcastTo: result)
            var shape = result
            // Merge adjacent axes where both operands are contiguous across the boundary.
            var axis = shape.count - 1
            while axis > 0 {
                let mergeable = stridesA[axis - 1] == stridesA[axis] * shape[axis]
                    && stridesB[axis - 1] == stridesB[axis] * shape[axis]
                if mergeable {
                    shape[axis - 1] *= shape[axis]
                    stridesA[axis - 1] = stridesA[axis]
                    stridesB[axis - 1] = stridesB[axis]
                    shape.remove(at: axis); stridesA.remove(at: axis); stridesB.remove(at: axis)
                }
                axis -= 1
            }
            if shape.isEmpty { shape = [1]; stridesA = [0]; stridesB = [0] }
            inner = shape.removeLast()
            innerStrideA = stridesA.removeLast()
            innerStrideB = stridesB.removeLast()
            outerShape = shape
            outerStridesA = stridesA
            outerStridesB = stridesB
        }

        var rowCount: Int { outerShape.reduce(1, *) }

        /// The operands' offsets at the start of row `row`.
        @inline(__always)
        func offsets(ofRow row: Int) -> (Int, Int) {
            var remainder = row
            var offsetA = 0, offsetB = 0
            for axis in outerShape.indices.reversed() {
                let index = remainder % outerShape[axis]
                remainder /= outerShape[axis]
                offsetA += index * outerStridesA[axis]
                offsetB += index * outerStridesB[axis]
            }
            return (offsetA, offsetB)
        }
    }
}

extension Tensor {
    /// This tensor repeated along broadcast axes to `shape` (numpy's `broadcast_to`).
    public func broadcast(to shape: [Int]) -> Tensor {
        if self.shape == shape { return self }
        precondition(Broadcasting.shape(self.shape, shape) == shape,
                     "broadcast(to:): shape \(self.shape) cannot be broadcast to \(shape)")
        let zero = Tensor(repeating: 0, shape: shape)
        return zero + self
    }

    /// Sums broadcast axes away so that the result has `shape`: the gradient of broadcasting.
    public func sum(toShape shape: [Int]) -> Tensor {
        if self.shape == shape { return self }
        let offset = rank - shape.count
        var axes = Array(0..<offset)
        for axis in shape.indices where shape[axis] == 1 && self.shape[axis + offset] != 1 {
            axes.append(axis + offset)
        }
        return sum(axes: axes).reshaped(to: shape)
    }
}
