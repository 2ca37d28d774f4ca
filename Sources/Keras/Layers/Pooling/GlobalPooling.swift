/// The global pooling layers `GlobalMaxPooling1D/2D/3D` and `GlobalAveragePooling1D/2D/3D`:
/// the maximum or the mean over all spatial axes, per channel: `(batch, channels)`, or with
/// `keepdims` `(batch, 1, …, 1, channels)`.
open class BaseGlobalPooling: SpatialLayer {
    open class var reduction: BasePooling.Reduction { .max }
    /// Whether the spatial axes stay, with size 1.
    public let keepdims: Bool

    public init(keepdims: Bool = false, dataFormat: DataFormat = .channelsLast, inputShape: [Int]? = nil, name: String? = nil) {
        self.keepdims = keepdims
        super.init(dataFormat: dataFormat, name: name, inputShape: inputShape)
    }

    public override func outputShape(channelsLast inputShape: [Int?]) throws -> [Int?] {
        let spatial: [Int?] = keepdims ? Array(repeating: 1, count: spatialRank) : []
        return [inputShape[0]] + spatial + [inputShape.last ?? nil]
    }

    public override func call(channelsLast input: Tensor, training: Bool) throws -> Tensor {
        let axes = Array(1...spatialRank)
        switch Self.reduction {
        case .max: return input.max(axes: axes, keepDims: keepdims)
        case .average: return input.mean(axes: axes, keepDims: keepdims)
        }
    }

    /// A mask of steps `(batch, steps)`: `GlobalAveragePooling1D` averages the unmasked steps
    /// only, as Keras does; the max pooling layers ignore it. No mask goes on (the steps are gone).
    public override func call(_ inputs: [Tensor], masks: [Tensor?], training: Bool) throws -> [Tensor] {
        guard Self.reduction == .average, spatialRank == 1, let mask = masks.first ?? nil else {
            return try super.call(inputs, masks: masks, training: training)
        }
        let input = try single(inputs, "tensors"), axis = dataFormat == .channelsLast ? 1 : 2
        guard input.rank == 3, mask.shape == [input.shape[0], input.shape[axis]] else {
            throw shapeError(expected: "a mask of shape (batch, steps) for the input \(input.shape)", got: mask.shape.map { $0 },
                             fix: "Masks mark steps: one value per sample and step.")
        }
        let weights = mask.reshaped(to: dataFormat == .channelsLast ? [input.shape[0], input.shape[1], 1] : [input.shape[0], 1, input.shape[2]])
        return [(input * weights).sum(axes: [axis], keepDims: keepdims) / weights.sum(axes: [axis], keepDims: keepdims)]
    }

    public override func computeMask(_ inputs: [Tensor], masks: [Tensor?]) throws -> [Tensor?] { [nil] }

    // MARK: - Configuration

    public override class var recordsBuildConfig: Bool { false }

    public override func getConfig() throws -> [ConfigField] {
        try super.getConfig() + [ConfigField("data_format", .string(dataFormat.rawValue)), ConfigField("keepdims", .bool(keepdims))]
    }

    /// The layer a Keras config describes.
    public convenience init(config: ConfigReader) throws {
        self.init(keepdims: try config.bool("keepdims", default: false), dataFormat: try config.dataFormat(),
                  inputShape: try config.declaredInputShape(), name: config.layerName)
    }
}

/// The maximum over the steps of `(batch, steps, channels)`.
public final class GlobalMaxPooling1D: BaseGlobalPooling { public override class var spatialRank: Int { 1 } }
/// The maximum over the rows and columns of `(batch, rows, columns, channels)`.
public final class GlobalMaxPooling2D: BaseGlobalPooling { public override class var spatialRank: Int { 2 } }
/// The maximum over the spatial axes of `(batch, depth, rows, columns, channels)`.
public final class GlobalMaxPooling3D: BaseGlobalPooling { public override class var spatialRank: Int { 3 } }

/// The mean over the steps of `(batch, steps, channels)`. With a mask (from
/// `Embedding(maskZero: true)`, say), the mean of the unmasked steps only, as Keras; a sample
/// whose every step is masked gives NaN, as in Keras.
public final class GlobalAveragePooling1D: BaseGlobalPooling {
    public override class var spatialRank: Int { 1 }
    public override class var reduction: BasePooling.Reduction { .average }

    public override func call(_ inputs: [Tensor], masks: [Tensor?], training: Bool) throws -> [Tensor] {
        guard let mask = masks.first ?? nil else { return try super.call(inputs, masks: masks, training: training) }
        let input = try single(inputs, "tensors")
        let stepsAxis = dataFormat == .channelsLast ? 1 : 2
        let weights = mask.detached.expandingShape(at: dataFormat == .channelsLast ? 2 : 1)
        return [(input * weights).sum(axes: [stepsAxis], keepDims: keepdims) / weights.sum(axes: [stepsAxis], keepDims: keepdims)]
    }
}
/// The mean over the rows and columns of `(batch, rows, columns, channels)`.
public final class GlobalAveragePooling2D: BaseGlobalPooling {
    public override class var spatialRank: Int { 2 }
    public override class var reduction: BasePooling.Reduction { .average }
}
/// The mean over the spatial axes of `(batch, depth, rows, columns, channels)`.
public final class GlobalAveragePooling3D: BaseGlobalPooling {
    public override class var spatialRank: Int { 3 }
    public override class var reduction: BasePooling.Reduction { .average }
}
