import Foundation

// What numpy users reach for at once: `np.round`, `astype(int)`, `list(map(int, a))`.

/// What a tensor's scalars stand for. Every tensor stores `Float`; an `.integer` tensor (from
/// `argmax`, `argmin` or `astype(.integer)`) holds whole numbers and prints as numpy prints an
/// integer array, `[3 7 1]`, instead of `[3. 7. 1.]`. Slicing and reshaping keep the kind;
/// arithmetic gives `.float` tensors.
public enum ScalarKind: Sendable, Equatable {
    case float
    case integer
}

extension Tensor {
    /// Each scalar rounded to the nearest whole number, halves to even (numpy's `round`).
    /// Its gradient is zero.
    public func rounded() -> Tensor { map { $0.rounded(.toNearestOrEven) } }

    /// The scalars converted as numpy's `astype` converts them: `.integer` truncates toward zero
    /// (`astype(int)`) and prints as integers; `.float` only changes how the tensor prints.
    /// NaN and infinities are kept as they are.
    public func astype(_ kind: ScalarKind) -> Tensor {
        var result = kind == .integer ? map { $0.isFinite ? $0.rounded(.towardZero) : $0 } : detached
        result.kind = kind
        return result
    }

    /// The scalars in row-major order as `Int`, truncated toward zero (`a.astype(int).tolist()`
    /// for a flat array). Throws when a scalar is NaN, infinite or beyond `Int`'s range.
    public func toIntArray() throws -> [Int] {
        try scalars.enumerated().map { index, value in
            guard let converted = Int(exactly: value.rounded(.towardZero)) else {
                throw TensorConversionError(value: value, index: index, shape: shape)
            }
            return converted
        }
    }
}

/// A scalar that has no `Int` value: NaN, infinite, or too large.
public struct TensorConversionError: Error, CustomStringConvertible, Equatable {
    public let value: Float
    public let index: Int
    public let shape: [Int]
    public var description: String {
        "Cannot convert scalar \(index) (\(value)) of a tensor of shape \(shape) to Int: it is not a finite number in Int's range."
    }
}

extension Array where Element == Int {
    /// The scalars of `tensor` as `Int`, truncated toward zero: `try [Int](predictions.argmax())`.
    public init(_ tensor: Tensor) throws { self = try tensor.toIntArray() }
}

/// `x.rounded()`, as `np.round(x)` reads.
public func round(_ x: Tensor) -> Tensor { x.rounded() }
