/// Joins its inputs along `axis` (the last by default); the other dimensions must agree.
///
/// ```swift
/// let joined = try Concatenate()([image, features])
/// ```
public final class Concatenate: Merge {
    public let axis: Int

    public init(axis: Int = -1, name: String? = nil) {
        self.axis = axis
        super.init(name: name)
    }

    public override class var minimumInputs: Int { 2 }

    public override func outputShapes(forInputShapes inputShapes: [[Int?]]) throws -> [[Int?]] {
        guard inputShapes.count >= 2 else { return try super.outputShapes(forInputShapes: inputShapes) }
        let rank = inputShapes[0].count
        let axis = self.axis < 0 ? self.axis + rank : self.axis
        guard axis >= 1, axis < rank, inputShapes.allSatisfy({ $0.count == rank }) else {
            throw shapeError(expected: "inputs of one rank with axis \(self.axis) among their sample axes",
                             got: inputShapes.first { $0.count != rank } ?? inputShapes[0],
                             fix: "Concatenate inputs of the same rank along a sample axis (-1 joins features).")
        }
        var result = inputShapes[0]
        for shape in inputShapes.dropFirst() {
            for index in 0..<rank where index != axis {
                guard let a = result[index], let b = shape[index] else { result[index] = result[index] ?? shape[index]; continue }
                guard a == b else {
                    throw shapeError(expected: "the same dimensions except on axis \(self.axis) (\(inputShapes.map(formatShape).joined(separator: ", ")))",
                                     got: shape, fix: "Reshape the inputs so that only the joined axis differs.")
                }
            }
            result[axis] = result[axis].flatMap { a in shape[axis].map { a + $0 } }
        }
        return [result]
    }

    public override func merge(_ inputs: [Tensor]) -> Tensor { Tensor.concatenate(inputs, axis: axis) }

    /// Masks of the joined steps, as Keras 3 computes them: the inputs' masks (all-true where an
    /// input has none), joined along the axis, or, when the features are joined, a step counts
    /// where any input has it.
    public override func computeMask(_ inputs: [Tensor], masks: [Tensor?]) throws -> [Tensor?] {
        guard masks.contains(where: { $0 != nil }) else { return [nil] }
        let rank = inputs[0].rank
        let axis = self.axis < 0 ? self.axis + rank : self.axis
        let full = zip(inputs, masks).map { input, mask in mask ?? Tensor(repeating: 1, shape: Array(input.shape.dropLast())) }
        return axis == rank - 1 ? [full.dropFirst().reduce(full[0]) { $0.maximum($1) }] : [Tensor.concatenate(full, axis: axis)]
    }

    // MARK: - Configuration

    public override func getConfig() throws -> [ConfigField] {
        try super.getConfig() + [ConfigField("axis", .int(axis))]
    }

    /// The layer a Keras config describes.
    public convenience init(config: ConfigReader) throws {
        self.init(axis: try config.int("axis", default: -1), name: config.layerName)
    }
}
