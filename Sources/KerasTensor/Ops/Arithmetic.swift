import Foundation

// Broadcasting arithmetic, comparisons and selection, each with its gradient.

extension Tensor {
    public static func + (lhs: Tensor, rhs: Tensor) -> Tensor {
        let result = zipMap(lhs, rhs, op: "+", AddKernel())
        guard isRecording(lhs, rhs) else { return result }
        return result.recorded(from: lhs, rhs) { g, needA, needB in
            (needA ? g.sum(toShape: lhs.shape) : nil, needB ? g.sum(toShape: rhs.shape) : nil)
        }
    }

    public static func - (lhs: Tensor, rhs: Tensor) -> Tensor {
        let result = zipMap(lhs, rhs, op: "-", SubtractKernel())
        guard isRecording(lhs, rhs) else { return result }
        return result.recorded(from: lhs, rhs) { g, needA, needB in
            (needA ? g.sum(toShape: lhs.shape) : nil, needB ? (-g).sum(toShape: rhs.shape) : nil)
        }
    }

    public static func * (lhs: Tensor, rhs: Tensor) -> Tensor {
        let result = zipMap(lhs, rhs, op: "*", MultiplyKernel())
        guard isRecording(lhs, rhs) else { return result }
        return result.recorded(from: lhs, rhs) { g, needA, needB in
            (needA ? (g * rhs).sum(toShape: lhs.shape) : nil, needB ? (g * lhs).sum(toShape: rhs.shape) : nil)
        }
    }

    public static func / (lhs: Tensor, rhs: Tensor) -> Tensor {
        let result = zipMap(lhs, rhs, op: "/", DivideKernel())
        guard isRecording(lhs, rhs) else { return result }
        return result.recorded(from: lhs, rhs) { g, needA, needB in
            (needA ? (g / rhs).sum(toShape: lhs.shape) : nil,
             needB ? (-g * lhs / rhs.square()).sum(toShape: rhs.shape) : nil)
        }
    }

    public static prefix func - (operand: Tensor) -> Tensor {
        let result = operand.map(NegateKernel())
        guard isRecording(operand) else { return result }
        return result.recorded(from: operand) { -$0 }
    }

    public static func + (lhs: Tensor, rhs: Float) -> Tensor { lhs + Tensor(rhs) }
    public static func + (lhs: Float, rhs: Tensor) -> Tensor { Tensor(lhs) + rhs }
    public static func - (lhs: Tensor, rhs: Float) -> Tensor { lhs - Tensor(rhs) }
    public static func - (lhs: Float, rhs: Tensor) -> Tensor { Tensor(lhs) - rhs }
    public static func * (lhs: Tensor, rhs: Float) -> Tensor { lhs * Tensor(rhs) }
    public static func * (lhs: Float, rhs: Tensor) -> Tensor { Tensor(lhs) * rhs }
    public static func / (lhs: Tensor, rhs: Float) -> Tensor { lhs / Tensor(rhs) }
    public static func / (lhs: Float, rhs: Tensor) -> Tensor { Tensor(lhs) / rhs }

    // Compound assignment runs in place when nothing records and the shape does not change.
    public static func += (lhs: inout Tensor, rhs: Tensor) {
        if !zipMapInPlace(&lhs, rhs, AddKernel()) { lhs = lhs + rhs }
    }
    public static func -= (lhs: inout Tensor, rhs: Tensor) {
        if !zipMapInPlace(&lhs, rhs, SubtractKernel()) { lhs = lhs - rhs }
    }
    public static func *= (lhs: inout Tensor, rhs: Tensor) {
        if !zipMapInPlace(&lhs, rhs, MultiplyKernel()) { lhs = lhs * rhs }
    }
    public static func /= (lhs: inout Tensor, rhs: Tensor) {
        if !zipMapInPlace(&lhs, rhs, DivideKernel()) { lhs = lhs / rhs }
    }
    // Disfavoured so that `x += 1` (a literal that could be either) picks the tensor overload.
    @_disfavoredOverload public static func += (lhs: inout Tensor, rhs: Float) { lhs += Tensor(rhs) }
    @_disfavoredOverload public static func -= (lhs: inout Tensor, rhs: Float) { lhs -= Tensor(rhs) }
    @_disfavoredOverload public static func *= (lhs: inout Tensor, rhs: Float) { lhs *= Tensor(rhs) }
    @_disfavoredOverload public static func /= (lhs: inout Tensor, rhs: Float) { lhs /= Tensor(rhs) }

    /// `self` raised to `exponent`, elementwise with broadcasting.
    @_disfavoredOverload
    public func pow(_ exponent: Tensor) -> Tensor {
        let base = self
        let result = Tensor.zipMap(base, exponent, op: "pow", cost: 8) { Foundation.pow($0, $1) }
        guard Tensor.isRecording(base, exponent) else { return result }
        return result.recorded(from: base, exponent) { g, needA, needB in
            (needA ? (g * exponent * base.pow(exponent - 1)).sum(toShape: base.shape) : nil,
             // The result is recomputed when the backward pass is recorded, to stay differentiable.
             needB ? (g * (Tensor.isRecording(base, exponent) ? base.pow(exponent) : result.detached) * base.log())
                .sum(toShape: exponent.shape) : nil)
        }
    }

    /// `self` raised to a scalar power.
    public func pow(_ exponent: Float) -> Tensor { pow(Tensor(exponent)) }

    /// The elementwise minimum of two tensors; the gradient goes to the smaller (to `self` on ties).
    public func minimum(_ other: Tensor) -> Tensor {
        Tensor.where(self .<= other, self, other)
    }

    /// The elementwise maximum of two tensors; the gradient goes to the larger (to `self` on ties).
    public func maximum(_ other: Tensor) -> Tensor {
        Tensor.where(self .>= other, self, other)
    }

    /// Picks from `x` where `condition` is nonzero and from `y` elsewhere (numpy's `where`).
    public static func `where`(_ condition: Tensor, _ x: Tensor, _ y: Tensor) -> Tensor {
        let shape = Broadcasting.shape(Broadcasting.shape(condition.shape, x.shape, op: "where"), y.shape, op: "where")
        let mask = condition.broadcast(to: shape).detached
        let picked = zipMap(zipMap(mask, x, op: "where", MaskKernel(inverted: false)),
                            zipMap(mask, y, op: "where", MaskKernel(inverted: true)), op: "where", AddKernel())
        guard isRecording(x, y) else { return picked }
        return picked.recorded(from: x, y) { g, needX, needY in
            // A recorded backward pass (higher-order gradients) selects with `where` itself.
            if isRecording(g) {
                return (needX ? Tensor.where(mask, g, Tensor(0)).sum(toShape: x.shape) : nil,
                        needY ? Tensor.where(mask, Tensor(0), g).sum(toShape: y.shape) : nil)
            }
            return (needX ? zipMap(mask, g, op: "where", MaskKernel(inverted: false)).sum(toShape: x.shape) : nil,
                    needY ? zipMap(mask, g, op: "where", MaskKernel(inverted: true)).sum(toShape: y.shape) : nil)
        }
    }
}

// Comparisons give 1 where true and 0 where false; they have no gradient.
infix operator .== : ComparisonPrecedence
infix operator .!= : ComparisonPrecedence
infix operator .< : ComparisonPrecedence
infix operator .<= : ComparisonPrecedence
infix operator .> : ComparisonPrecedence
infix operator .>= : ComparisonPrecedence

extension Tensor {
    public static func .== (lhs: Tensor, rhs: Tensor) -> Tensor { zipMap(lhs, rhs, op: ".==", CompareKernel(comparison: .equal)) }
    public static func .!= (lhs: Tensor, rhs: Tensor) -> Tensor { zipMap(lhs, rhs, op: ".!=", CompareKernel(comparison: .notEqual)) }
    public static func .< (lhs: Tensor, rhs: Tensor) -> Tensor { zipMap(lhs, rhs, op: ".<", CompareKernel(comparison: .less)) }
    public static func .<= (lhs: Tensor, rhs: Tensor) -> Tensor { zipMap(lhs, rhs, op: ".<=", CompareKernel(comparison: .lessOrEqual)) }
    public static func .> (lhs: Tensor, rhs: Tensor) -> Tensor { zipMap(lhs, rhs, op: ".>", CompareKernel(comparison: .greater)) }
    public static func .>= (lhs: Tensor, rhs: Tensor) -> Tensor { zipMap(lhs, rhs, op: ".>=", CompareKernel(comparison: .greaterOrEqual)) }
}

/// `base` raised to `exponent`, elementwise.
@_disfavoredOverload
public func pow(_ base: Tensor, _ exponent: Tensor) -> Tensor { base.pow(exponent) }
/// `base` raised to a scalar power, elementwise.
public func pow(_ base: Tensor, _ exponent: Float) -> Tensor { base.pow(exponent) }
/// The elementwise minimum.
public func minimum(_ a: Tensor, _ b: Tensor) -> Tensor { a.minimum(b) }
/// The elementwise maximum.
public func maximum(_ a: Tensor, _ b: Tensor) -> Tensor { a.maximum(b) }
