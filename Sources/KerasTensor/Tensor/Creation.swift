// Tensors made from a shape and a rule: zeros, ones, identity, ranges.

extension Tensor {
    /// A tensor of zeros.
    public static func zeros(_ shape: [Int]) -> Tensor { Tensor(repeating: 0, shape: shape) }

    /// A tensor of ones.
    public static func ones(_ shape: [Int]) -> Tensor { Tensor(repeating: 1, shape: shape) }

    /// A tensor filled with `value`.
    public static func full(_ shape: [Int], _ value: Float) -> Tensor { Tensor(repeating: value, shape: shape) }

    /// A tensor of zeros shaped like `other`.
    public static func zeros(like other: Tensor) -> Tensor { zeros(other.shape) }

    /// A tensor of ones shaped like `other`.
    public static func ones(like other: Tensor) -> Tensor { ones(other.shape) }

    /// The `n`×`m` matrix with ones on the diagonal (`m` defaults to `n`).
    public static func eye(_ n: Int, _ m: Int? = nil) -> Tensor {
        let columns = m ?? n
        var result = zeros([n, columns])
        result.withUnsafeMutableBufferPointer { buffer in
            for i in 0..<Swift.min(n, columns) { buffer[i * columns + i] = 1 }
        }
        return result
    }

    /// `start, start + step, …` below `end` (numpy's `arange`).
    public static func arange(_ start: Float = 0, _ end: Float, step: Float = 1) -> Tensor {
        precondition(step != 0, "arange: step must not be 0")
        let count = Swift.max(0, Int((Double(end - start) / Double(step)).rounded(.up)))
        return Tensor((0..<count).map { start + Float($0) * step })
    }

    /// `0, step, 2·step, …` below `end` (numpy's `arange(stop)`).
    public static func arange(_ end: Float, step: Float = 1) -> Tensor { arange(0, end, step: step) }

    /// `count` evenly spaced values from `start` to `end`, both included (numpy's `linspace`).
    public static func linspace(_ start: Float, _ end: Float, count: Int) -> Tensor {
        precondition(count >= 0, "linspace: count must not be negative, got \(count)")
        if count == 1 { return Tensor([start]) }
        let step = (Double(end) - Double(start)) / Double(count - 1)
        return Tensor((0..<count).map { $0 == count - 1 ? end : Float(Double(start) + Double($0) * step) })
    }
}
