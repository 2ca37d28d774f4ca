import Foundation

// Elementwise functions, each with its derivative. Pullbacks are written with tensor
// operations, so they are themselves differentiable.

extension Tensor {
    /// Applies `function` and, when recording, the chain rule with `derivative(input, output)`.
    ///
    /// While a tape records the backward pass too (higher-order gradients), the output handed to
    /// `derivative` is recomputed by `recomputed` as a recorded operation: the saved output would
    /// be a constant there, and the derivative of the derivative would be wrong.
    @inline(__always)
    private func unary<Kernel: UnaryKernel>(
        cost: Int = 1, _ function: Kernel, recomputed: ((Tensor) -> Tensor)? = nil,
        derivative: @escaping (_ input: Tensor, _ output: Tensor) -> Tensor
    ) -> Tensor {
        let result = map(cost: cost, function)
        guard Tensor.isRecording(self) else { return result }
        let input = self
        return result.recorded(from: input) { g in
            let output = Tensor.isRecording(input) ? recomputed?(input) ?? result.detached : result.detached
            return g * derivative(input, output)
        }
    }

    public func exp() -> Tensor { unary(cost: 8, ExpKernel(), recomputed: { $0.exp() }) { _, y in y } }
    public func log() -> Tensor { unary(cost: 8, LogKernel()) { x, _ in 1 / x } }
    public func log1p() -> Tensor { unary(cost: 8, ClosureKernel(function: Foundation.log1p)) { x, _ in 1 / (1 + x) } }
    public func sqrt() -> Tensor { unary(cost: 4, SquareRootKernel(), recomputed: { $0.sqrt() }) { _, y in 0.5 / y } }
    /// `1 / sqrt(x)`.
    public func rsqrt() -> Tensor {
        unary(cost: 4, ClosureKernel { 1 / Foundation.sqrt($0) }, recomputed: { $0.rsqrt() }) { _, y in -0.5 * y * y * y }
    }
    public func square() -> Tensor { unary(SquareKernel()) { x, _ in 2 * x } }
    public func abs() -> Tensor { unary(AbsoluteKernel()) { x, _ in x.sign() } }
    /// -1, 0 or 1 by the sign of each scalar; its gradient is zero.
    public func sign() -> Tensor { map(SignKernel()) }
    public func tanh() -> Tensor { unary(cost: 8, TanhKernel(), recomputed: { $0.tanh() }) { _, y in 1 - y.square() } }
    /// `1 / (1 + exp(-x))`, computed without overflow.
    public func sigmoid() -> Tensor {
        unary(cost: 8, SigmoidKernel(), recomputed: { $0.sigmoid() }) { _, y in y * (1 - y) }
    }
    /// `max(x, 0)`.
    public func relu() -> Tensor { unary(ReluKernel()) { x, _ in x .> 0 } }
    /// `log(1 + exp(x))`, computed without overflow.
    public func softplus() -> Tensor {
        unary(cost: 8, ClosureKernel { Swift.max($0, 0) + Foundation.log1p(Foundation.exp(-Swift.abs($0))) }) { x, _ in x.sigmoid() }
    }
    /// The Gauss error function.
    public func erf() -> Tensor {
        unary(cost: 8, ClosureKernel(function: Foundation.erf)) { x, _ in Float(2 / Double.pi.squareRoot()) * (-x.square()).exp() }
    }
    /// Each scalar limited to `lower...upper`; the gradient passes only inside the range.
    public func clipped(to range: ClosedRange<Float>) -> Tensor {
        let (lower, upper) = (range.lowerBound, range.upperBound)
        return unary(ClipKernel(lower: lower, upper: upper)) { x, _ in
            x.map { $0 >= lower && $0 <= upper ? 1 : 0 }
        }
    }
    /// Each scalar limited to `lower...upper` (numpy's `clip`).
    public func clip(_ lower: Float, _ upper: Float) -> Tensor { clipped(to: lower...upper) }
}

// Free functions, so formulas read as in numpy: `1 / (1 + exp(-z))`.
public func exp(_ x: Tensor) -> Tensor { x.exp() }
public func log(_ x: Tensor) -> Tensor { x.log() }
public func log1p(_ x: Tensor) -> Tensor { x.log1p() }
public func sqrt(_ x: Tensor) -> Tensor { x.sqrt() }
public func rsqrt(_ x: Tensor) -> Tensor { x.rsqrt() }
public func square(_ x: Tensor) -> Tensor { x.square() }
public func abs(_ x: Tensor) -> Tensor { x.abs() }
public func sign(_ x: Tensor) -> Tensor { x.sign() }
public func tanh(_ x: Tensor) -> Tensor { x.tanh() }
public func sigmoid(_ x: Tensor) -> Tensor { x.sigmoid() }
public func relu(_ x: Tensor) -> Tensor { x.relu() }
public func softplus(_ x: Tensor) -> Tensor { x.softplus() }
public func erf(_ x: Tensor) -> Tensor { x.erf() }
public func clip(_ x: Tensor, _ lower: Float, _ upper: Float) -> Tensor { x.clip(lower, upper) }
