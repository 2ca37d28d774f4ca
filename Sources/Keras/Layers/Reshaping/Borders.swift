/// The layers that add or remove rows of zeros at the borders: `ZeroPadding1D/2D/3D` (`padding`)
/// and `Cropping1D/2D/3D` (`cropping`). Widths are `(before, after)` per spatial axis.
///
/// ```swift
/// ZeroPadding2D(padding: 1)                   // one row/column on every side
/// Cropping2D(cropping: [(2, 2), (4, 4)])
/// ```
open class BaseBorder: SpatialLayer {
    /// Whether the borders are added (padding) or removed (cropping).
    open class var removes: Bool { false }
    /// `(before, after)` per spatial axis.
    public let widths: [(before: Int, after: Int)]

    public init(_ widths: [(before: Int, after: Int)], dataFormat: DataFormat = .channelsLast, inputShape: [Int]? = nil, name: String? = nil) {
        self.widths = widths
        super.init(dataFormat: dataFormat, name: name, inputShape: inputShape)
    }

    /// The same width before and after on every axis.
    public convenience init(_ width: Int, dataFormat: DataFormat = .channelsLast, inputShape: [Int]? = nil, name: String? = nil) {
        self.init(Array(repeating: (width, width), count: Self.spatialRank), dataFormat: dataFormat, inputShape: inputShape, name: name)
    }

    private var signedWidths: [(before: Int, after: Int)] { Self.removes ? widths.map { (-$0.before, -$0.after) } : widths }

    public override func build(channelsLast inputShape: [Int?]) throws {
        guard widths.count == spatialRank, widths.allSatisfy({ $0.before >= 0 && $0.after >= 0 }) else {
            throw KerasError.invalidArgument(name: "\(Self.kerasClassName) '\(name)' \(Self.removes ? "cropping" : "padding")",
                                             value: "\(widths)", expected: "\(spatialRank) non-negative (before, after) pairs")
        }
    }

    public override func outputShape(channelsLast inputShape: [Int?]) throws -> [Int?] {
        let sizes = try zip(inputShape.dropFirst().dropLast(), signedWidths).map { extent, width -> Int? in
            guard let extent else { return nil }
            let size = extent + width.before + width.after
            guard size >= 0 else {
                throw shapeError(expected: "spatial sizes of at least the cropping \(widths)", got: inputShape, fix: "Crop less.")
            }
            return size
        }
        return [inputShape[0]] + sizes + [inputShape.last ?? nil]
    }

    public override func call(channelsLast input: Tensor, training: Bool) throws -> Tensor {
        _ = try outputShape(channelsLast: [nil] + input.shape.dropFirst().map { $0 })
        return input.zeroPadded(spatial: signedWidths)
    }

    public override class var recordsBuildConfig: Bool { false }

    public override func getConfig() throws -> [ConfigField] {
        let pairs: ConfigValue = spatialRank == 1 ? .ints([widths[0].before, widths[0].after]) : .array(widths.map { .ints([$0.before, $0.after]) })
        let format = Self.removes && spatialRank == 1 ? [] : [ConfigField("data_format", .string(dataFormat.rawValue))]
        return try super.getConfig() + [ConfigField(Self.removes ? "cropping" : "padding", pairs)] + format
    }

    /// The layer a Keras config describes: widths as one integer, one per axis, or pairs.
    public convenience init(config: ConfigReader) throws {
        let key = Self.removes ? "cropping" : "padding", rank = Self.spatialRank
        let invalid = KerasError.invalidArgument(name: "\(config.context).\(key)", value: config.value(key)?.json ?? "null",
                                                 expected: "an integer, \(rank) integers or \(rank) pairs")
        var widths: [(before: Int, after: Int)]
        switch config.value(key) {
        case let value? where value.intValue != nil: widths = Array(repeating: (value.intValue!, value.intValue!), count: rank)
        case .array(let items)? where rank == 1 && items.count == 2:
            guard let a = items[0].intValue, let b = items[1].intValue else { throw invalid }
            widths = [(a, b)]
        case .array(let items)? where items.count == rank:
            widths = try items.map { item in
                if let width = item.intValue { return (width, width) }
                guard case .array(let pair) = item, pair.count == 2, let a = pair[0].intValue, let b = pair[1].intValue else { throw invalid }
                return (a, b)
            }
        case nil: widths = Array(repeating: Self.removes ? (0, 0) : (1, 1), count: rank)
        default: throw invalid
        }
        self.init(widths, dataFormat: try config.dataFormat(), inputShape: try config.declaredInputShape(), name: config.layerName)
    }
}

/// Zeros before and after the steps of `(batch, steps, features)`.
public final class ZeroPadding1D: BaseBorder { public override class var spatialRank: Int { 1 } }
/// Rows and columns of zeros around `(batch, rows, columns, channels)`.
public final class ZeroPadding2D: BaseBorder { public override class var spatialRank: Int { 2 } }
/// Zeros around the three spatial axes of `(batch, depth, rows, columns, channels)`.
public final class ZeroPadding3D: BaseBorder { public override class var spatialRank: Int { 3 } }

/// Removes steps before and after in `(batch, steps, features)`.
public final class Cropping1D: BaseBorder {
    public override class var spatialRank: Int { 1 }
    public override class var removes: Bool { true }
}
/// Removes rows and columns at the borders of `(batch, rows, columns, channels)`.
public final class Cropping2D: BaseBorder {
    public override class var spatialRank: Int { 2 }
    public override class var removes: Bool { true }
}
/// Removes positions at the borders of `(batch, depth, rows, columns, channels)`.
public final class Cropping3D: BaseBorder {
    public override class var spatialRank: Int { 3 }
    public override class var removes: Bool { true }
}
