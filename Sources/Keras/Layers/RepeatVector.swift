/// Repeats its input `n` times along a new time axis (Keras' `RepeatVector`): `[batch, features]`
/// becomes `[batch, n, features]`, e.g. to feed an encoder's summary to a decoder at every step.
public final class RepeatVector: Layer {
    /// Keras drops the mask here: the steps change.
    public override class var supportsMasking: Bool { false }

    public let n: Int

    public init(_ n: Int, inputShape: [Int]? = nil, name: String? = nil) {
        self.n = n
        super.init(name: name, inputShape: inputShape)
    }

    public override func outputShape(forInputShape inputShape: [Int?]) throws -> [Int?] {
        guard inputShape.count == 2 else {
            throw shapeError(expected: "(batch, features)", got: inputShape, fix: "RepeatVector repeats vectors; flatten first.")
        }
        return [inputShape[0], n, inputShape[1]]
    }

    public override func call(_ input: Tensor, training: Bool) throws -> Tensor {
        guard input.rank == 2, n > 0 else {
            throw shapeError(expected: "(batch, features) and n > 0", got: input.shape.map { $0 }, fix: "RepeatVector repeats vectors n ≥ 1 times.")
        }
        return Tensor.concatenate(Array(repeating: input.expandingShape(at: 1), count: n), axis: 1)
    }

    // MARK: - Configuration

    public override class var recordsBuildConfig: Bool { false }

    public override func getConfig() throws -> [ConfigField] { try super.getConfig() + [ConfigField("n", .int(n))] }

    /// The layer a Keras config describes.
    public convenience init(config: ConfigReader) throws {
        self.init(try config.positiveInt("n"), inputShape: try config.declaredInputShape(), name: config.layerName)
    }
}
