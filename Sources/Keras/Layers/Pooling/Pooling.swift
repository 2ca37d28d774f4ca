/// The pooling layers `MaxPooling1D/2D/3D` and `AveragePooling1D/2D/3D`: the maximum or the
/// mean of each window of `poolSize`, per channel (strides default to the pool size; with
/// `same` padding the padding is ignored, as in Keras).
///
/// ```swift
/// MaxPooling2D()                       // 2×2 windows, stride 2
/// AveragePooling1D(3, strides: 1, padding: .same)
/// ```
open class BasePooling: SpatialLayer {
    /// What a window reduces to.
    public enum Reduction: Sendable { case max, average }
    open class var reduction: Reduction { .max }

    public let poolSize: SpatialSize
    /// The step between windows; the pool size when `nil`.
    public let strides: SpatialSize?
    public let padding: WindowPadding

    public init(poolSize: SpatialSize = 2, strides: SpatialSize? = nil, padding: WindowPadding = .valid,
                dataFormat: DataFormat = .channelsLast, inputShape: [Int]? = nil, name: String? = nil) {
        self.poolSize = poolSize
        self.strides = strides
        self.padding = padding
        super.init(dataFormat: dataFormat, name: name, inputShape: inputShape)
    }

    /// `MaxPooling2D(3)`: the pool size unlabeled, as Keras' positional argument.
    public convenience init(_ poolSize: SpatialSize, strides: SpatialSize? = nil, padding: WindowPadding = .valid,
                            dataFormat: DataFormat = .channelsLast, inputShape: [Int]? = nil, name: String? = nil) {
        self.init(poolSize: poolSize, strides: strides, padding: padding, dataFormat: dataFormat, inputShape: inputShape, name: name)
    }

    private func window() throws -> (size: [Int], strides: [Int]) {
        guard padding != .causal else {
            throw KerasError.invalidArgument(name: "\(Self.kerasClassName) '\(name)' padding", value: "causal", expected: "valid or same")
        }
        let size = try resolve(poolSize, "poolSize")
        return (size, try strides.map { try resolve($0, "strides") } ?? size)
    }

    public override func build(channelsLast inputShape: [Int?]) throws { _ = try window() }

    public override func outputShape(channelsLast inputShape: [Int?]) throws -> [Int?] {
        let (size, strides) = try window()
        let grid = inputShape.dropFirst().dropLast().enumerated().map { axis, extent in
            extent.map { Tensor.slidingWindowPositions(image: $0, window: size[axis], stride: strides[axis], padding: padding) }
        }
        return [inputShape[0]] + grid + [inputShape.last ?? nil]
    }

    public override func call(channelsLast input: Tensor, training: Bool) throws -> Tensor {
        let (size, strides) = try window()
        switch Self.reduction {
        case .max: return input.maxPool(size: size, strides: strides, padding: padding)
        case .average: return input.averagePool(size: size, strides: strides, padding: padding)
        }
    }

    // MARK: - Configuration

    public override class var recordsBuildConfig: Bool { false }

    public override func getConfig() throws -> [ConfigField] {
        let (size, strides) = try window()
        return try super.getConfig() + [
            ConfigField("pool_size", .ints(size)),
            ConfigField("padding", .string(padding.rawValue)),
            ConfigField("strides", .ints(strides)),
            ConfigField("data_format", .string(dataFormat.rawValue)),
        ]
    }

    /// The layer a Keras config describes.
    public convenience init(config: ConfigReader) throws {
        self.init(poolSize: try config.spatialSize("pool_size") ?? 2, strides: try config.spatialSize("strides"),
                  padding: try config.windowPadding(), dataFormat: try config.dataFormat(),
                  inputShape: try config.declaredInputShape(), name: config.layerName)
    }
}

/// Max pooling over `(batch, steps, channels)`.
public final class MaxPooling1D: BasePooling { public override class var spatialRank: Int { 1 } }
/// Max pooling over `(batch, rows, columns, channels)`.
public final class MaxPooling2D: BasePooling { public override class var spatialRank: Int { 2 } }
/// Max pooling over `(batch, depth, rows, columns, channels)`.
public final class MaxPooling3D: BasePooling { public override class var spatialRank: Int { 3 } }

/// Average pooling over `(batch, steps, channels)`.
public final class AveragePooling1D: BasePooling {
    public override class var spatialRank: Int { 1 }
    public override class var reduction: Reduction { .average }
}
/// Average pooling over `(batch, rows, columns, channels)`.
public final class AveragePooling2D: BasePooling {
    public override class var spatialRank: Int { 2 }
    public override class var reduction: Reduction { .average }
}
/// Average pooling over `(batch, depth, rows, columns, channels)`.
public final class AveragePooling3D: BasePooling {
    public override class var spatialRank: Int { 3 }
    public override class var reduction: Reduction { .average }
}
