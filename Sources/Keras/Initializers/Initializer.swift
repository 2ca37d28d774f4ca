import Foundation

/// How a new weight is filled: `.glorotUniform` (Dense's kernel default), `.zeros`, `"he_normal"`, …
///
/// Without a seed, initializers draw from the global generator that `Keras.setRandomSeed(_:)` sets.
public struct Initializer: Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    enum Kind: String, CaseIterable, Sendable {
        case zeros, ones, constant
        case randomNormal = "random_normal", randomUniform = "random_uniform", truncatedNormal = "truncated_normal"
        case glorotUniform = "glorot_uniform", glorotNormal = "glorot_normal"
        case heUniform = "he_uniform", heNormal = "he_normal"
        case lecunUniform = "lecun_uniform", lecunNormal = "lecun_normal"
        case orthogonal, identity
    }

    let kind: Kind?
    /// The Keras name, or the unknown string that was given.
    public let name: String
    var value: Float = 0
    var mean: Float = 0
    var scale: Float = 0.05
    var minValue: Float = -0.05
    var maxValue: Float = 0.05
    var gain: Float = 1
    var seed: UInt64?

    init(_ kind: Kind, seed: UInt64? = nil) {
        self.kind = kind
        self.name = kind.rawValue
        self.seed = seed
    }

    public init(stringLiteral name: String) {
        if let kind = Kind(rawValue: Initializer.aliases[name] ?? name) {
            self.init(kind)
        } else {
            self.init(unknown: name)
        }
    }

    /// The initializer named `name`, or a `KerasError.unknownName` listing the valid names.
    public init(named name: String) throws {
        self.init(stringLiteral: name)
        try validate()
    }

    /// Throws when this initializer was made from a string that names none.
    public func validate() throws {
        guard kind != nil else {
            throw KerasError.unknownName(kind: "initializer", name: name, valid: Kind.allCases.map(\.rawValue))
        }
    }

    /// Keras' other names: its short aliases and the class names a saved config uses.
    static let aliases: [String: String] = [
        "uniform": "random_uniform", "normal": "random_normal", "one": "ones", "zero": "zeros",
        "Zeros": "zeros", "Ones": "ones", "Constant": "constant", "RandomNormal": "random_normal",
        "RandomUniform": "random_uniform", "TruncatedNormal": "truncated_normal",
        "GlorotUniform": "glorot_uniform", "GlorotNormal": "glorot_normal", "HeUniform": "he_uniform",
        "HeNormal": "he_normal", "LecunUniform": "lecun_uniform", "LecunNormal": "lecun_normal",
        "Orthogonal": "orthogonal", "OrthogonalInitializer": "orthogonal",
        "Identity": "identity", "IdentityInitializer": "identity",
    ]

    public var description: String { name }

    private init(unknown name: String) {
        kind = nil
        self.name = name
    }

    public static let zeros = Initializer(.zeros)
    public static let ones = Initializer(.ones)
    public static func constant(_ value: Float) -> Initializer {
        var result = Initializer(.constant)
        result.value = value
        return result
    }
    public static func randomNormal(mean: Float = 0, standardDeviation: Float = 0.05, seed: UInt64? = nil) -> Initializer {
        var result = Initializer(.randomNormal, seed: seed)
        (result.mean, result.scale) = (mean, standardDeviation)
        return result
    }
    public static func randomUniform(minValue: Float = -0.05, maxValue: Float = 0.05, seed: UInt64? = nil) -> Initializer {
        var result = Initializer(.randomUniform, seed: seed)
        (result.minValue, result.maxValue) = (minValue, maxValue)
        return result
    }
    public static func truncatedNormal(mean: Float = 0, standardDeviation: Float = 0.05, seed: UInt64? = nil) -> Initializer {
        var result = Initializer(.truncatedNormal, seed: seed)
        (result.mean, result.scale) = (mean, standardDeviation)
        return result
    }
    public static let glorotUniform = Initializer(.glorotUniform)
    public static let glorotNormal = Initializer(.glorotNormal)
    public static let heUniform = Initializer(.heUniform)
    public static let heNormal = Initializer(.heNormal)
    public static let lecunUniform = Initializer(.lecunUniform)
    public static let lecunNormal = Initializer(.lecunNormal)
    public static let orthogonal = Initializer(.orthogonal)
    public static func glorotUniform(seed: UInt64?) -> Initializer { Initializer(.glorotUniform, seed: seed) }
    public static func glorotNormal(seed: UInt64?) -> Initializer { Initializer(.glorotNormal, seed: seed) }
    public static func heUniform(seed: UInt64?) -> Initializer { Initializer(.heUniform, seed: seed) }
    public static func heNormal(seed: UInt64?) -> Initializer { Initializer(.heNormal, seed: seed) }
    public static func lecunUniform(seed: UInt64?) -> Initializer { Initializer(.lecunUniform, seed: seed) }
    public static func lecunNormal(seed: UInt64?) -> Initializer { Initializer(.lecunNormal, seed: seed) }
    public static func orthogonal(gain: Float = 1, seed: UInt64? = nil) -> Initializer {
        var result = Initializer(.orthogonal, seed: seed)
        result.gain = gain
        return result
    }
    /// The identity matrix times `gain` (2-D weights only; rectangular ones get ones on the diagonal).
    public static let identity = Initializer(.identity)
    public static func identity(gain: Float) -> Initializer {
        var result = Initializer(.identity)
        result.gain = gain
        return result
    }

    /// Keras' fan-in and fan-out: the last two axes, times the receptive field of a conv kernel.
    static func fans(_ shape: [Int]) -> (fanIn: Float, fanOut: Float) {
        switch shape.count {
        case 0: return (1, 1)
        case 1: return (Float(shape[0]), Float(shape[0]))
        case 2: return (Float(shape[0]), Float(shape[1]))
        default:
            let receptive = shape.dropLast(2).reduce(1, *)
            return (Float(shape[shape.count - 2] * receptive), Float(shape[shape.count - 1] * receptive))
        }
    }

    /// A new tensor of `shape` filled by this initializer.
    public func callAsFunction(_ shape: [Int]) throws -> Tensor {
        try validate()
        if kind == .orthogonal && shape.count < 2 {
            throw KerasError.invalidArgument(name: "orthogonal initializer shape", value: "\(shape)",
                                             expected: "a shape of rank 2 or more")
        }
        if kind == .identity && shape.count != 2 {
            throw KerasError.invalidArgument(name: "identity initializer shape", value: "\(shape)",
                                             expected: "a 2-D shape")
        }
        if let seed {
            var generator = RandomGenerator(seed: seed)
            return make(shape, &generator)
        }
        return RandomGenerator.withGlobal { make(shape, &$0) }
    }

    private func make(_ shape: [Int], _ generator: inout RandomGenerator) -> Tensor {
        // As Keras' VarianceScaling: a fan below 1 (an empty weight) counts as 1.
        let (fanIn, fanOut) = Initializer.fans(shape)
        let fanAverage = Swift.max(1, (fanIn + fanOut) / 2), fanIn1 = Swift.max(1, fanIn)
        // The standard deviation of a normal truncated at two standard deviations.
        let truncation: Float = 0.87962566103423978
        switch kind! {
        case .zeros: return .zeros(shape)
        case .ones: return .ones(shape)
        case .constant: return .full(shape, value)
        case .randomNormal: return .randomNormal(shape, mean: mean, standardDeviation: scale, using: &generator)
        case .randomUniform: return .randomUniform(shape, lower: minValue, upper: maxValue, using: &generator)
        case .truncatedNormal: return .randomTruncatedNormal(shape, mean: mean, standardDeviation: scale, using: &generator)
        case .glorotUniform:
            let limit = (3 / fanAverage).squareRoot()
            return .randomUniform(shape, lower: -limit, upper: limit, using: &generator)
        case .glorotNormal:
            return .randomTruncatedNormal(shape, standardDeviation: (1 / fanAverage).squareRoot() / truncation, using: &generator)
        case .heUniform:
            let limit = (6 / fanIn1).squareRoot()
            return .randomUniform(shape, lower: -limit, upper: limit, using: &generator)
        case .heNormal:
            return .randomTruncatedNormal(shape, standardDeviation: (2 / fanIn1).squareRoot() / truncation, using: &generator)
        case .lecunUniform:
            let limit = (3 / fanIn1).squareRoot()
            return .randomUniform(shape, lower: -limit, upper: limit, using: &generator)
        case .lecunNormal:
            return .randomTruncatedNormal(shape, standardDeviation: (1 / fanIn1).squareRoot() / truncation, using: &generator)
        case .orthogonal:
            return orthogonalMatrix(shape, &generator)
        case .identity:
            return gain * Tensor.eye(shape[0], shape[1])
        }
    }

    /// An orthogonal matrix (rows or columns orthonormal) from the QR decomposition of a normal matrix.
    private func orthogonalMatrix(_ shape: [Int], _ generator: inout RandomGenerator) -> Tensor {
        let columns = shape.last!, rows = shape.dropLast().reduce(1, *)
        let (m, n) = rows < columns ? (columns, rows) : (rows, columns)
        // Modified Gram–Schmidt on the n columns of an m×n normal matrix, in double precision.
        var q = (0..<n).map { _ in (0..<m).map { _ in Double(generator.nextNormal()) } }
        for j in 0..<n {
            for i in 0..<j {
                let projection = zip(q[i], q[j]).reduce(0) { $0 + $1.0 * $1.1 }
                for r in 0..<m { q[j][r] -= projection * q[i][r] }
            }
            let norm = q[j].reduce(0) { $0 + $1 * $1 }.squareRoot()
            for r in 0..<m { q[j][r] /= norm }
        }
        var scalars = [Float](repeating: 0, count: rows * columns)
        for row in 0..<rows {
            for column in 0..<columns {
                // q holds columns of an m×n matrix; transpose when the weight is wide.
                let value = rows < columns ? q[row][column] : q[column][row]
                scalars[row * columns + column] = gain * Float(value)
            }
        }
        return Tensor(shape: shape, scalars: scalars)
    }
}
