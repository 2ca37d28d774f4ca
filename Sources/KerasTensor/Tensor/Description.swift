import Foundation

extension Tensor: CustomStringConvertible, CustomDebugStringConvertible {
    /// The scalars laid out like numpy prints an array: `[[0. 1.]\n [1. 0.]]`.
    public var description: String {
        // numpy prints a 0-d array as its scalar (`3.0`) and any empty array as `[]`.
        if rank == 0 { return kind == .integer ? ScalarFormat.integer(scalar) : scalar.description }
        if count == 0 { return "[]" }
        let summarize = count > 1000
        let shown = summarize ? summarizedScalars() : scalars
        let format = ScalarFormat(shown, integer: kind == .integer)
        var text = ""
        appendNested(to: &text, axis: 0, offset: 0, indent: 1, format: format, summarize: summarize)
        return text
    }

    public var debugDescription: String { "Tensor(shape: \(shape), \(description))" }

    private func appendNested(
        to text: inout String, axis: Int, offset: Int, indent: Int, format: ScalarFormat, summarize: Bool
    ) {
        let size = shape[axis]
        let stride = shape[(axis + 1)...].reduce(1, *)
        let indices: [Int?] = summarize && size > 6
            ? Array(0..<3) + [nil] + Array((size - 3)..<size) : Array(0..<size)
        text += "["
        for (position, index) in indices.enumerated() {
            if position > 0 {
                if axis == rank - 1 { text += " " } else {
                    text += String(repeating: "\n", count: rank - axis - 1)
                    text += String(repeating: " ", count: indent)
                }
            }
            guard let index else { text += "..."; continue }
            if axis == rank - 1 {
                text += format.padded(storage.base[offset + index])
            } else {
                appendNested(to: &text, axis: axis + 1, offset: offset + index * stride,
                             indent: indent + 1, format: format, summarize: summarize)
            }
        }
        text += "]"
    }

    /// The scalars that a summarized print shows (the first and last three along each axis).
    private func summarizedScalars() -> [Float] {
        let strides = self.strides
        var result: [Float] = []
        func visit(_ axis: Int, _ offset: Int) {
            let size = shape[axis]
            let indices = size > 6 ? Array(0..<3) + Array((size - 3)..<size) : Array(0..<size)
            for index in indices {
                if axis == rank - 1 { result.append(storage.base[offset + index]) } else {
                    visit(axis + 1, offset + index * strides[axis])
                }
            }
        }
        if count > 0 { visit(0, 0) }
        return result
    }
}

/// How numpy formats the scalars of one array: one notation and width for all of them.
struct ScalarFormat {
    private let scientific: Bool
    private let integral: Bool
    private let decimals: Int
    private let width: Int

    init(_ values: [Float], integer: Bool = false) {
        if integer {
            self = ScalarFormat(scientific: false, integral: true, decimals: -1,
                                width: values.map { ScalarFormat.integer($0).count }.max() ?? 0)
            return
        }
        let finite = values.filter { $0.isFinite }
        let magnitudes = finite.map { Swift.abs($0) }.filter { $0 > 0 }
        let largest = magnitudes.max() ?? 0, smallest = magnitudes.min() ?? 0
        let scientific = largest >= 1e8 || (smallest > 0 && (smallest < 1e-4 || largest / smallest > 1e3))
        let integral = finite.allSatisfy { $0 == $0.rounded() }
        // The fewest decimals (up to 8) that print every value exactly.
        var decimals = 0
        if scientific || !integral {
            for value in finite { decimals = Swift.max(decimals, ScalarFormat.digits(value, scientific: scientific)) }
        }
        let unpadded = ScalarFormat(scientific: scientific, integral: integral, decimals: decimals, width: 0)
        self = ScalarFormat(scientific: scientific, integral: integral, decimals: decimals,
                            width: values.map { unpadded.format($0).count }.max() ?? 0)
    }

    private init(scientific: Bool, integral: Bool, decimals: Int, width: Int) {
        self.scientific = scientific
        self.integral = integral
        self.decimals = decimals
        self.width = width
    }

    /// The fewest decimals (up to 8) that print `value` exactly.
    private static func digits(_ value: Float, scientific: Bool) -> Int {
        var digits = 0
        while digits < 8, Float(String(format: scientific ? "%.\(digits)e" : "%.\(digits)f", value)) != value { digits += 1 }
        return digits
    }

    func padded(_ value: Float) -> String {
        let text = format(value)
        return String(repeating: " ", count: max(0, width - text.count)) + text
    }

    /// A whole number as numpy prints an integer: `3`, `-12`.
    static func integer(_ value: Float) -> String {
        guard value.isFinite else { return value.isNaN ? "nan" : value < 0 ? "-inf" : "inf" }
        return Int(exactly: value).map(String.init) ?? String(format: "%.0f", value)
    }

    private func format(_ value: Float) -> String {
        if decimals < 0 { return ScalarFormat.integer(value) }
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        // Like numpy: scientific scalars share their number of decimals (`1.0e-05 1.5e+00`);
        // positional ones print their own and are padded with spaces (`1.  0.5`).
        if scientific {
            let text = String(format: "%.\(decimals)e", value)
            return decimals > 0 ? text : text.replacingOccurrences(of: "e", with: ".e")
        }
        let own = integral ? 0 : ScalarFormat.digits(value, scientific: false)
        return String(format: "%.\(own)f", value) + (own == 0 ? "." : "")
            + String(repeating: " ", count: decimals - own)
    }
}
