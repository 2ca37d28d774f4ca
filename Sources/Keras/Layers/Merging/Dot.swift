/// The dot product of two inputs along `axes` (one axis for both, or one each), per sample:
/// `(batch, d)·(batch, d)` gives `(batch, 1)`; `(batch, n, d)·(batch, m, d)` along axes 2
/// gives `(batch, n, m)`. With `normalize`, the inputs are L2-normalised along those axes
/// first, which makes it the cosine similarity.
public final class Dot: Merge {
    public let axes: [Int]
    public let normalize: Bool

    public init(axes: Int, normalize: Bool = false, name: String? = nil) {
        self.axes = [axes, axes]
        self.normalize = normalize
        super.init(name: name)
    }

    public init(axes: (Int, Int), normalize: Bool = false, name: String? = nil) {
        self.axes = [axes.0, axes.1]
        self.normalize = normalize
        super.init(name: name)
    }

    public override class var minimumInputs: Int { 2 }
    public override class var maximumInputs: Int { 2 }

    /// The contracted axis of each input, counted from 0 (the batch), checked against the shapes.
    private func resolvedAxes(_ shapes: [[Int?]]) throws -> (Int, Int) {
        let ranks = shapes.map(\.count)
        let a = axes[0] < 0 ? axes[0] + ranks[0] : axes[0], b = axes[1] < 0 ? axes[1] + ranks[1] : axes[1]
        guard ranks[0] == ranks[1], ranks[0] == 2 || ranks[0] == 3, a >= 1, a < ranks[0], b >= 1, b < ranks[1] else {
            throw shapeError(expected: "two inputs of rank 2 or 3 with axes \(axes) among their sample axes",
                             got: shapes[1], fix: "Dot takes (batch, d) or (batch, n, d) inputs; flatten or reshape others first.")
        }
        if let x = shapes[0][a], let y = shapes[1][b], x != y {
            throw shapeError(expected: "equal sizes on the contracted axes (\(shapes.map(formatShape).joined(separator: " · ")))",
                             got: shapes[1], fix: "Choose axes of equal size, or project one input with a Dense first.")
        }
        return (a, b)
    }

    public override func outputShapes(forInputShapes inputShapes: [[Int?]]) throws -> [[Int?]] {
        guard inputShapes.count == 2 else { return try super.outputShapes(forInputShapes: inputShapes) }
        let (a, b) = try resolvedAxes(inputShapes)
        if inputShapes[0].count == 2 { return [[inputShapes[0][0], 1]] }
        return [[inputShapes[0][0], inputShapes[0][3 - a], inputShapes[1][3 - b]]]
    }

    public override func call(_ inputs: [Tensor], masks: [Tensor?], training: Bool) throws -> [Tensor] {
        let (a, b) = try resolvedAxes(inputs.map { [nil] + $0.shape.dropFirst().map { Optional($0) } })
        var (x, y) = (inputs[0], inputs[1])
        if normalize {
            x = x / (x.square().sum(axis: a, keepDims: true) + 1e-12).sqrt()
            y = y / (y.square().sum(axis: b, keepDims: true) + 1e-12).sqrt()
        }
        if x.rank == 2 { return [(x * y).sum(axis: 1, keepDims: true)] }
        // Contracted axes last, then (batch, n, 1, d) · (batch, 1, m, d) summed over d.
        if a == 1 { x = x.transposed([0, 2, 1]) }
        if b == 1 { y = y.transposed([0, 2, 1]) }
        return [(x.expandingShape(at: 2) * y.expandingShape(at: 1)).sum(axis: 3)]
    }

    public override func computeMask(_ inputs: [Tensor], masks: [Tensor?]) throws -> [Tensor?] { [nil] }

    // MARK: - Configuration

    public override func getConfig() throws -> [ConfigField] {
        let axesValue: ConfigValue = axes[0] == axes[1] ? .int(axes[0]) : .array(axes.map { .int($0) })
        return try super.getConfig() + [ConfigField("axes", axesValue), ConfigField("normalize", .bool(normalize))]
    }

    /// The layer a Keras config describes.
    public convenience init(config: ConfigReader) throws {
        let normalize = try config.bool("normalize", default: false)
        if let single = config.value("axes")?.intValue {
            self.init(axes: single, normalize: normalize, name: config.layerName)
        } else {
            let pair = try config.intArray("axes")
            guard pair.count == 2 else {
                throw KerasError.invalidArgument(name: "\(config.context).axes", value: "\(pair)", expected: "one axis or two")
            }
            self.init(axes: (pair[0], pair[1]), normalize: normalize, name: config.layerName)
        }
    }
}
