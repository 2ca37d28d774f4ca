/// Scales each sample to unit L2 norm along `axis`: `x / max(‖x‖, 1e-12)`.
public final class UnitNormalization: Layer {
    public let axis: Int

    public init(axis: Int = -1, inputShape: [Int]? = nil, name: String? = nil) {
        self.axis = axis
        super.init(name: name, inputShape: inputShape)
    }

    public override func call(_ input: Tensor, training: Bool) throws -> Tensor {
        // Keras: x · min(rsqrt(Σx²), 1 / ε), ε = 1e-12.
        input * input.square().sum(axes: [axis], keepDims: true).rsqrt().minimum(Tensor(1e12))
    }

    public override class var recordsBuildConfig: Bool { false }

    public override func getConfig() throws -> [ConfigField] { try super.getConfig() + [ConfigField("axis", .int(axis))] }

    /// The layer a Keras config describes.
    public convenience init(config: ConfigReader) throws {
        self.init(axis: try config.normalizationAxis(), inputShape: try config.declaredInputShape(), name: config.layerName)
    }
}
