/// The upsampling layers `UpSampling1D/2D/3D`: each spatial position repeated `size` times per
/// axis (`UpSampling2D` can also interpolate bilinearly).
open class BaseUpSampling: SpatialLayer {
    /// How new positions get their values.
    public enum Interpolation: String, Sendable { case nearest, bilinear }
    public let size: SpatialSize
    public let interpolation: Interpolation

    public init(size: SpatialSize = 2, interpolation: Interpolation = .nearest, dataFormat: DataFormat = .channelsLast,
                inputShape: [Int]? = nil, name: String? = nil) {
        self.size = size
        self.interpolation = interpolation
        super.init(dataFormat: dataFormat, name: name, inputShape: inputShape)
    }

    /// `UpSampling2D(3)`: the size unlabeled.
    public convenience init(_ size: SpatialSize, interpolation: Interpolation = .nearest, dataFormat: DataFormat = .channelsLast,
                            inputShape: [Int]? = nil, name: String? = nil) {
        self.init(size: size, interpolation: interpolation, dataFormat: dataFormat, inputShape: inputShape, name: name)
    }

    public override func build(channelsLast inputShape: [Int?]) throws { _ = try resolve(size, "size") }

    public override func outputShape(channelsLast inputShape: [Int?]) throws -> [Int?] {
        let factors = try resolve(size, "size")
        return [inputShape[0]] + inputShape.dropFirst().dropLast().enumerated().map { axis, extent in extent.map { $0 * factors[axis] } }
            + [inputShape.last ?? nil]
    }

    public override func call(channelsLast input: Tensor, training: Bool) throws -> Tensor {
        let factors = try resolve(size, "size")
        return interpolation == .bilinear ? input.upsampledLinear(factors: factors) : input.upsampledNearest(factors: factors)
    }

    public override class var recordsBuildConfig: Bool { false }

    public override func getConfig() throws -> [ConfigField] {
        let factors = try resolve(size, "size")
        switch spatialRank {
        case 1: return try super.getConfig() + [ConfigField("size", .int(factors[0]))]
        case 2: return try super.getConfig() + [ConfigField("size", .ints(factors)), ConfigField("data_format", .string(dataFormat.rawValue)),
                                                ConfigField("interpolation", .string(interpolation.rawValue))]
        default: return try super.getConfig() + [ConfigField("size", .ints(factors)), ConfigField("data_format", .string(dataFormat.rawValue))]
        }
    }

    /// The layer a Keras config describes.
    public convenience init(config: ConfigReader) throws {
        let mode = try config.string("interpolation", default: "nearest")
        guard let interpolation = Interpolation(rawValue: mode) else {
            throw KerasError.invalidArgument(name: "\(config.context).interpolation", value: mode, expected: "nearest or bilinear")
        }
        self.init(size: try config.spatialSize("size") ?? 2, interpolation: interpolation, dataFormat: try config.dataFormat(),
                  inputShape: try config.declaredInputShape(), name: config.layerName)
    }
}

/// Repeats each step of `(batch, steps, features)` `size` times.
public final class UpSampling1D: BaseUpSampling { public override class var spatialRank: Int { 1 } }
/// Repeats (or interpolates) the rows and columns of `(batch, rows, columns, channels)`.
public final class UpSampling2D: BaseUpSampling { public override class var spatialRank: Int { 2 } }
/// Repeats the positions of `(batch, depth, rows, columns, channels)`.
public final class UpSampling3D: BaseUpSampling { public override class var spatialRank: Int { 3 } }
