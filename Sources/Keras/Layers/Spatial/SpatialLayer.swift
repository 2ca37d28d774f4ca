/// Where the channels are in an image batch (Keras' `data_format`).
public enum DataFormat: String, Sendable {
    /// `(batch, spatial..., channels)`: Keras' default, and the layout the engine computes in.
    case channelsLast = "channels_last"
    /// `(batch, channels, spatial...)`.
    case channelsFirst = "channels_first"
}

/// A size per spatial axis, written as one number for every axis (`3`) or one per axis
/// (`[3, 5]`), as Keras' `kernel_size`, `strides` and `pool_size` accept.
public struct SpatialSize: Sendable, Equatable, ExpressibleByIntegerLiteral, ExpressibleByArrayLiteral {
    /// One value (for every axis) or one per axis.
    public let values: [Int]

    public init(_ values: [Int]) { self.values = values }
    public init(integerLiteral value: Int) { values = [value] }
    public init(arrayLiteral values: Int...) { self.values = values }

    /// The size of each of `rank` axes, or `nil` when the count does not fit.
    func resolved(rank: Int) -> [Int]? {
        values.count == 1 ? Array(repeating: values[0], count: rank) : values.count == rank ? values : nil
    }
}

/// The base of the layers over images with 1 to 3 spatial axes (convolutions, pooling,
/// padding, …): they compute on channels-last batches, and this class turns `channels_first`
/// inputs around for them and checks the input's rank.
///
/// A family such as `Conv1D` / `Conv2D` / `Conv3D` is one subclass with a rank per class.
open class SpatialLayer: Layer {
    /// Keras drops the mask here: the steps change.
    open override class var supportsMasking: Bool { false }

    /// The number of spatial axes of this class's inputs.
    open class var spatialRank: Int { 2 }
    /// Where the channels are in the inputs and outputs.
    public let dataFormat: DataFormat

    public init(dataFormat: DataFormat = .channelsLast, name: String? = nil, inputShape: [Int]? = nil, trainable: Bool = true) {
        self.dataFormat = dataFormat
        super.init(name: name, inputShape: inputShape, trainable: trainable)
    }

    /// The number of spatial axes of this layer's inputs.
    public var spatialRank: Int { Self.spatialRank }

    /// Builds for a channels-last input shape `(batch, spatial..., channels)`.
    open func build(channelsLast inputShape: [Int?]) throws {}

    /// The channels-last output shape for a channels-last input shape.
    open func outputShape(channelsLast inputShape: [Int?]) throws -> [Int?] { inputShape }

    /// The forward pass on a channels-last batch.
    open func call(channelsLast input: Tensor, training: Bool) throws -> Tensor { input }

    public override func build(inputShape: [Int?]) throws {
        try build(channelsLast: try channelsLast(inputShape))
    }

    public override func outputShape(forInputShape inputShape: [Int?]) throws -> [Int?] {
        fromChannelsLast(try outputShape(channelsLast: try channelsLast(inputShape)))
    }

    public override func call(_ input: Tensor, training: Bool) throws -> Tensor {
        let shape = try channelsLast([nil] + input.shape.dropFirst().map { $0 })
        guard dataFormat == .channelsFirst else { return try call(channelsLast: input, training: training) }
        let rank = shape.count
        let output = try call(channelsLast: input.transposed([0] + Array(2..<rank) + [1]), training: training)
        return output.transposed([0, output.rank - 1] + Array(1..<(output.rank - 1)))
    }

    /// `shape` in channels-last order, after checking its rank.
    private func channelsLast(_ shape: [Int?]) throws -> [Int?] {
        guard shape.count == spatialRank + 2 else {
            let axes = (["batch"] + Array(repeating: "…", count: spatialRank) + ["channels"]).joined(separator: ", ")
            throw shapeError(expected: "rank \(spatialRank + 2): (\(dataFormat == .channelsLast ? axes : "batch, channels, …"))",
                             got: shape, fix: "Reshape the input, or use the \(spatialRank == 1 ? "2D" : "1D") variant of the layer.")
        }
        guard dataFormat == .channelsFirst else { return shape }
        return [shape[0]] + shape.dropFirst(2) + [shape[1]]
    }

    private func fromChannelsLast(_ shape: [Int?]) -> [Int?] {
        guard dataFormat == .channelsFirst, shape.count > 2 else { return shape }
        return [shape[0], shape[shape.count - 1]] + shape[1..<(shape.count - 1)]
    }

    /// The size of each spatial axis given as `size`, after checking it (positive, one or `spatialRank` values).
    func resolve(_ size: SpatialSize, _ argument: String, allowZero: Bool = false) throws -> [Int] {
        guard let values = size.resolved(rank: spatialRank), values.allSatisfy({ allowZero ? $0 >= 0 : $0 > 0 }) else {
            throw KerasError.invalidArgument(name: "\(Self.kerasClassName) '\(name)' \(argument)", value: "\(size.values)",
                                             expected: "one or \(spatialRank) \(allowZero ? "non-negative" : "positive") integers")
        }
        return values
    }
}

extension ConfigReader {
    /// A spatial size stored as one integer or a list (`kernel_size`, `strides`, `pool_size`, …).
    func spatialSize(_ key: String) throws -> SpatialSize? {
        guard let value = value(key) else { return nil }
        if let number = value.intValue { return SpatialSize([number]) }
        return SpatialSize(try intArray(key))
    }

    /// `data_format` (`channels_last` when absent).
    func dataFormat() throws -> DataFormat {
        let format = try string("data_format", default: "channels_last")
        guard let result = DataFormat(rawValue: format) else {
            throw KerasError.invalidArgument(name: "\(context).data_format", value: format, expected: "channels_last or channels_first")
        }
        return result
    }

    /// `padding` of a sliding window (`valid`, `same`, `causal`).
    func windowPadding(_ key: String = "padding") throws -> WindowPadding {
        let padding = try string(key, default: "valid").lowercased()
        guard let result = WindowPadding(rawValue: padding) else {
            throw KerasError.invalidArgument(name: "\(context).\(key)", value: padding, expected: "valid, same or causal")
        }
        return result
    }
}

extension ConfigValue {
    /// A list of integers.
    static func ints(_ values: [Int]) -> ConfigValue { .array(values.map { .int($0) }) }
}
