/// Marks the time steps whose features all equal `maskValue` as padding (Keras' `Masking`):
/// the layers after it that read masks (recurrent layers) skip them. Outputs the input with
/// those steps zeroed.
///
/// ```swift
/// Sequential([Masking(maskValue: 0, inputShape: [20, 8]), LSTM(32)])
/// ```
public final class Masking: Layer {
    public let maskValue: Float

    public init(maskValue: Float = 0, inputShape: [Int]? = nil, name: String? = nil) {
        self.maskValue = maskValue
        super.init(name: name, inputShape: inputShape)
    }

    /// 1 for the steps with some feature other than `maskValue`, else 0: `[batch, time]`.
    private func stepMask(_ input: Tensor) -> Tensor {
        (input.detached .!= Tensor(maskValue)).max(axis: -1)
    }

    public override func call(_ input: Tensor, training: Bool) throws -> Tensor {
        guard input.rank >= 2 else {
            throw shapeError(expected: "(batch, time, features)", got: input.shape.map { $0 }, fix: "Masking reads sequences.")
        }
        return input * stepMask(input).expandingShape(at: -1)
    }

    public override func computeMask(_ inputs: [Tensor], masks: [Tensor?]) throws -> [Tensor?] {
        [stepMask(inputs[0])]
    }

    // MARK: - Configuration

    public override class var recordsBuildConfig: Bool { false }

    public override func getConfig() throws -> [ConfigField] {
        try super.getConfig() + [ConfigField("mask_value", .float(maskValue))]
    }

    /// The layer a Keras config describes.
    public convenience init(config: ConfigReader) throws {
        self.init(maskValue: try config.float("mask_value", default: 0), inputShape: try config.declaredInputShape(),
                  name: config.layerName)
    }
}
