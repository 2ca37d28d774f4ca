// "Nice" axis ticks: steps of 1, 2 or 5 times a power of ten, labelled with just enough decimals.

import Foundation

/// Tick positions for an axis.
public struct Ticks: Equatable, Sendable {
    /// The tick values, ascending, all inside the domain.
    public var values: [Double]
    /// The distance between ticks.
    public var step: Double

    /// About `count` ticks at round values inside `domain`; with `integers` the step is at least 1.
    public init(domain: ClosedRange<Double>, count: Int, integers: Bool = false) {
        let span = domain.upperBound - domain.lowerBound
        guard span > 0, span.isFinite, count > 0 else {
            values = [domain.lowerBound]
            step = 1
            return
        }
        var (factor, power) = Ticks.niceStep(span / Double(max(count, 1)))
        if integers && power < 0 { (factor, power) = (1, 0) }
        // Ticks are index · factor · 10^power, divided rather than multiplied by a fraction so that 3 · 0.2 is 0.6.
        let scale = pow(10, Double(abs(power)))
        let step = power >= 0 ? factor * scale : factor / scale
        self.step = step
        let first = (domain.lowerBound / step - 1e-9).rounded(.up)
        let last = (domain.upperBound / step + 1e-9).rounded(.down)
        values = first > last ? [] : stride(from: first, through: last, by: 1).map { index in
            (power >= 0 ? index * factor * scale : index * factor / scale) + 0  // + 0 turns -0 into 0
        }
    }

    /// The step of 1, 2 or 5 times a power of ten nearest (in ratio) to `rough`, as d3 chooses
    /// it: the factor and the power.
    static func niceStep(_ rough: Double) -> (factor: Double, power: Int) {
        let power = Int(floor(log10(rough)))
        let error = rough / pow(10, Double(power))
        if error >= 50.0.squareRoot() { return (1, power + 1) }
        return (error >= 10.0.squareRoot() ? 5 : error >= 2.0.squareRoot() ? 2 : 1, power)
    }

    /// The labels: `0.25`, `1.5`, `100`; very large or small values in scientific notation.
    public var labels: [String] {
        let largest = values.map(abs).max() ?? 0
        if largest >= 1e6 || (largest > 0 && largest < 1e-4) {
            return values.map { $0 == 0 ? "0" : String(format: "%.2g", $0) }
        }
        let decimals = max(0, Int(-floor(log10(step) + 1e-9)))
        return values.map { String(format: "%.\(decimals)f", $0) }
    }
}
