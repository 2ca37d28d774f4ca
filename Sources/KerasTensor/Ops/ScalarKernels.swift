import Foundation

// The scalar functions of the hot elementwise operations, as kernels the loops inline.

struct AddKernel: BinaryKernel { @inline(__always) func callAsFunction(_ x: Float, _ y: Float) -> Float { x + y } }
struct SubtractKernel: BinaryKernel { @inline(__always) func callAsFunction(_ x: Float, _ y: Float) -> Float { x - y } }
struct MultiplyKernel: BinaryKernel { @inline(__always) func callAsFunction(_ x: Float, _ y: Float) -> Float { x * y } }
struct DivideKernel: BinaryKernel { @inline(__always) func callAsFunction(_ x: Float, _ y: Float) -> Float { x / y } }

/// 1 where `x < y` etc., else 0; `lessOrEqual` and `equal` select the comparison.
struct CompareKernel: BinaryKernel {
    enum Comparison { case equal, notEqual, less, lessOrEqual, greater, greaterOrEqual }
    let comparison: Comparison
    @inline(__always) func callAsFunction(_ x: Float, _ y: Float) -> Float {
        let holds: Bool
        switch comparison {
        case .equal: holds = x == y
        case .notEqual: holds = x != y
        case .less: holds = x < y
        case .lessOrEqual: holds = x <= y
        case .greater: holds = x > y
        case .greaterOrEqual: holds = x >= y
        }
        return holds ? 1 : 0
    }
}

/// `y` where the mask `x` is nonzero (or zero, when `inverted`), else 0.
struct MaskKernel: BinaryKernel {
    let inverted: Bool
    @inline(__always) func callAsFunction(_ mask: Float, _ y: Float) -> Float { (mask != 0) != inverted ? y : 0 }
}

struct NegateKernel: UnaryKernel { @inline(__always) func callAsFunction(_ x: Float) -> Float { -x } }
struct SquareKernel: UnaryKernel { @inline(__always) func callAsFunction(_ x: Float) -> Float { x * x } }
struct AbsoluteKernel: UnaryKernel { @inline(__always) func callAsFunction(_ x: Float) -> Float { Swift.abs(x) } }
struct SignKernel: UnaryKernel { @inline(__always) func callAsFunction(_ x: Float) -> Float { x > 0 ? 1 : (x < 0 ? -1 : 0) } }
struct ReluKernel: UnaryKernel { @inline(__always) func callAsFunction(_ x: Float) -> Float { Swift.max(x, 0) } }
struct ExpKernel: UnaryKernel { @inline(__always) func callAsFunction(_ x: Float) -> Float { Foundation.exp(x) } }
struct LogKernel: UnaryKernel { @inline(__always) func callAsFunction(_ x: Float) -> Float { Foundation.log(x) } }
struct TanhKernel: UnaryKernel { @inline(__always) func callAsFunction(_ x: Float) -> Float { Foundation.tanh(x) } }

/// `sqrt`, written so that it vectorises: on Linux `Float.squareRoot()` of a possibly negative
/// value becomes a call to libm for the NaN case, which keeps the loop scalar.
struct SquareRootKernel: UnaryKernel {
    @inline(__always) func callAsFunction(_ x: Float) -> Float { x >= 0 ? Swift.max(x, 0).squareRoot() : .nan }
}

/// `1 / (1 + exp(-x))`, without overflow for large negative `x`.
struct SigmoidKernel: UnaryKernel {
    @inline(__always) func callAsFunction(_ x: Float) -> Float {
        let e = Foundation.exp(-Swift.abs(x))
        return x >= 0 ? 1 / (1 + e) : e / (1 + e)
    }
}

/// `min(max(x, lower), upper)`.
struct ClipKernel: UnaryKernel {
    let lower: Float, upper: Float
    @inline(__always) func callAsFunction(_ x: Float) -> Float { Swift.min(Swift.max(x, lower), upper) }
}
