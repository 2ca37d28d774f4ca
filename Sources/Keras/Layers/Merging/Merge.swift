/// The base of the layers that combine several tensors of one shape scalar by scalar (Keras'
/// `Merge`): `Add`, `Subtract`, `Multiply`, `Average`, `Maximum`, `Minimum`. Shapes broadcast
/// as in numpy; masks combine with a logical and.
///
/// ```swift
/// let sum = try Add()([a, b])
/// ```
open class Merge: Layer {
    /// The smallest number of inputs the layer takes.
    open class var minimumInputs: Int { 1 }
    /// The largest number of inputs the layer takes (`Int.max` for any).
    open class var maximumInputs: Int { .max }

    public init(name: String? = nil) {
        super.init(name: name)
    }

    /// Combines the inputs, all of one broadcastable shape.
    open func merge(_ inputs: [Tensor]) -> Tensor { inputs[0] }

    open override func build(inputShapes: [[Int?]]) throws {
        _ = try outputShapes(forInputShapes: inputShapes)
    }

    open override func outputShapes(forInputShapes inputShapes: [[Int?]]) throws -> [[Int?]] {
        let (low, high) = (Self.minimumInputs, Self.maximumInputs)
        guard inputShapes.count >= low, inputShapes.count <= high else {
            let expected = low == high ? "exactly \(low)" : "at least \(low)"
            throw KerasError.invalidArgument(name: "Layer '\(name)' (\(Self.kerasClassName)) inputs", value: "\(inputShapes.count) tensors",
                                             expected: "\(expected) tensors in a list: \(Self.kerasClassName)()([a, b])")
        }
        var result = inputShapes[0]
        for shape in inputShapes.dropFirst() {
            guard let merged = Self.broadcast(result, shape) else {
                throw shapeError(expected: "shapes that broadcast together (\(inputShapes.map(formatShape).joined(separator: ", ")) do not)",
                                 got: shape, fix: "Give every input the same shape (or 1 where it should repeat); reshape or add a Dense first.")
            }
            result = merged
        }
        return [result]
    }

    /// Two shapes broadcast together, or `nil` when they do not; `nil` dimensions stay unknown.
    static func broadcast(_ a: [Int?], _ b: [Int?]) -> [Int?]? {
        let rank = max(a.count, b.count)
        let a = Array(repeating: 1, count: rank - a.count) + a, b = Array(repeating: 1, count: rank - b.count) + b
        var result: [Int?] = []
        for (x, y) in zip(a, b) {
            switch (x, y) {
            case let (x?, y?) where x == y || y == 1: result.append(x)
            case let (1?, y): result.append(y)
            case let (x, 1?): result.append(x)
            case (nil, _), (_, nil): result.append(x ?? y)
            default: return nil
            }
        }
        return result
    }

    open override func call(_ inputs: [Tensor], masks: [Tensor?], training: Bool) throws -> [Tensor] {
        _ = try outputShapes(forInputShapes: inputs.map { [nil] + $0.shape.dropFirst().map { Optional($0) } })
        return [merge(inputs)]
    }

    /// The inputs' masks combined: a step counts where every input has it.
    open override func computeMask(_ inputs: [Tensor], masks: [Tensor?]) throws -> [Tensor?] {
        let given = masks.compactMap { $0 }
        guard var mask = given.first else { return [nil] }
        for other in given.dropFirst() { mask = mask * other }
        return [mask]
    }
}
