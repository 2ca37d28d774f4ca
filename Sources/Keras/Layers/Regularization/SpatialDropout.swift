/// The layers `SpatialDropout1D/2D/3D`: dropout of whole channels (each channel of each sample
/// kept or zeroed for every position), the rest scaled by `1 / (1 − rate)`, while training.
open class BaseSpatialDropout: RandomNoiseLayer {
    open class var spatialRank: Int { 2 }
    public let rate: Float
    public let dataFormat: DataFormat

    public init(_ rate: Float, dataFormat: DataFormat = .channelsLast, seed: UInt64? = nil, inputShape: [Int]? = nil, name: String? = nil) {
        self.rate = rate
        self.dataFormat = dataFormat
        super.init(seed: seed, inputShape: inputShape, name: name)
    }

    public override func perturbed(_ input: Tensor) throws -> Tensor {
        try check(rate, "rate", in: 0..<1)
        guard input.rank == Self.spatialRank + 2 else {
            throw shapeError(expected: "rank \(Self.spatialRank + 2)", got: [nil] + input.shape.dropFirst().map { $0 },
                             fix: "Use the variant of SpatialDropout for the input's rank.")
        }
        guard rate > 0 else { return input }
        // One mask scalar per (sample, channel), broadcast over the positions.
        var maskShape = Array(repeating: 1, count: input.rank)
        maskShape[0] = input.shape[0]
        let channelAxis = dataFormat == .channelsLast ? input.rank - 1 : 1
        maskShape[channelAxis] = input.shape[channelAxis]
        return input * Tensor.ones(maskShape).dropout(rate: rate, using: &generator)
    }

    public override func getConfig() throws -> [ConfigField] {
        // Keras' own order: rate, seed, then the base fields.
        var fields = [ConfigField("rate", .float(rate)), seedConfig] + (try super.getConfig()).filter { $0.key != "trainable" }
        if Self.spatialRank > 1 { fields.append(ConfigField("data_format", .string(dataFormat.rawValue))) }
        return fields
    }

    /// The layer a Keras config describes.
    public convenience init(config: ConfigReader) throws {
        self.init(try config.float("rate"), dataFormat: try config.dataFormat(), seed: try config.seed(),
                  inputShape: try config.declaredInputShape(), name: config.layerName)
    }
}

/// Drops whole feature maps of `(batch, steps, channels)`.
public final class SpatialDropout1D: BaseSpatialDropout { public override class var spatialRank: Int { 1 } }
/// Drops whole feature maps of `(batch, rows, columns, channels)`.
public final class SpatialDropout2D: BaseSpatialDropout { public override class var spatialRank: Int { 2 } }
/// Drops whole feature maps of `(batch, depth, rows, columns, channels)`.
public final class SpatialDropout3D: BaseSpatialDropout { public override class var spatialRank: Int { 3 } }
