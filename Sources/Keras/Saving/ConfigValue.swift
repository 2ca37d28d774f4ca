import Foundation

/// A value in a Keras config (`get_config()`), as `config.json` in a `.keras` file holds it:
/// the one JSON model for layers, optimizers, losses, metrics and whole models.
///
/// Objects keep their keys in order, so that `json` writes them in Keras' order.
public indirect enum ConfigValue: Sendable, Equatable, CustomStringConvertible {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([ConfigValue])
    case object([ConfigField])

    /// A `Float` hyperparameter as Keras writes the Python float the user typed:
    /// `Float(0.9)` becomes `0.9`, not `0.8999999761581421`.
    public static func float(_ value: Float) -> ConfigValue {
        guard value.isFinite, let double = Double(value.description) else { return .double(Double(value)) }
        return .double(double)
    }

    /// An optional `Float` hyperparameter: `null` when absent.
    public static func float(_ value: Float?) -> ConfigValue {
        value.map { .float($0) } ?? .null
    }

    /// The value under `key` of an object; `nil` for other values and missing keys.
    public subscript(key: String) -> ConfigValue? {
        guard case let .object(fields) = self else { return nil }
        return fields.first { $0.key == key }?.value
    }

    /// The number held by an `.int` or `.double`.
    public var doubleValue: Double? {
        switch self {
        case let .int(value): return Double(value)
        case let .double(value): return value
        default: return nil
        }
    }

    /// The integer held by an `.int`, or by a `.double` with no fractional part.
    public var intValue: Int? {
        switch self {
        case let .int(value): return value
        case let .double(value) where value.rounded() == value && abs(value) < 1e15: return Int(value)
        default: return nil
        }
    }

    public var boolValue: Bool? {
        if case let .bool(value) = self { return value }
        return nil
    }

    public var stringValue: String? {
        if case let .string(value) = self { return value }
        return nil
    }

    public var isNull: Bool { self == .null }

    /// JSON as Python's `json.dumps` writes it (`", "` and `": "` separators, keys in order).
    public var json: String {
        switch self {
        case .null: return "null"
        case let .bool(value): return value ? "true" : "false"
        case let .int(value): return String(value)
        case let .double(value): return Self.pythonRepr(value)
        case let .string(value): return Self.quoted(value)
        case let .array(values): return "[" + values.map(\.json).joined(separator: ", ") + "]"
        case let .object(fields):
            return "{" + fields.map { Self.quoted($0.key) + ": " + $0.value.json }.joined(separator: ", ") + "}"
        }
    }

    public var description: String { json }

    /// Python's `repr` of a float: shortest round-trip digits, `1.0`, `1e-07`, `NaN`, `Infinity`.
    static func pythonRepr(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "Infinity" : "-Infinity" }
        // Swift's description is also the shortest round-trip form and uses the same
        // exponent thresholds as Python (below 1e-4 and from 1e16 on).
        return value.description
    }

    static func quoted(_ string: String) -> String {
        var result = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value > 0x7e {
                    // Python's json.dumps escapes non-ASCII by default (ensure_ascii=True).
                    if scalar.value > 0xFFFF {
                        let v = scalar.value - 0x10000
                        result += String(format: "\\u%04x\\u%04x", 0xD800 + (v >> 10), 0xDC00 + (v & 0x3FF))
                    } else {
                        result += String(format: "\\u%04x", scalar.value)
                    }
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }
}

/// One key of a config object.
public struct ConfigField: Sendable, Equatable {
    public var key: String
    public var value: ConfigValue
    public init(_ key: String, _ value: ConfigValue) {
        self.key = key
        self.value = value
    }
}

extension ConfigValue: Codable {
    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        if let keyed = try? decoder.container(keyedBy: Key.self) {
            self = .object(try keyed.allKeys.map {
                ConfigField($0.stringValue, try keyed.decode(ConfigValue.self, forKey: $0))
            })
            return
        }
        if var unkeyed = try? decoder.unkeyedContainer() {
            var values: [ConfigValue] = []
            while !unkeyed.isAtEnd { values.append(try unkeyed.decode(ConfigValue.self)) }
            self = .array(values)
            return
        }
        let single = try decoder.singleValueContainer()
        if single.decodeNil() {
            self = .null
        } else if let value = try? single.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? single.decode(Int.self) {
            self = .int(value)
        } else if let value = try? single.decode(Double.self) {
            self = .double(value)
        } else {
            self = .string(try single.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .null:
            var single = encoder.singleValueContainer()
            try single.encodeNil()
        case let .bool(value):
            var single = encoder.singleValueContainer()
            try single.encode(value)
        case let .int(value):
            var single = encoder.singleValueContainer()
            try single.encode(value)
        case let .double(value):
            var single = encoder.singleValueContainer()
            try single.encode(value)
        case let .string(value):
            var single = encoder.singleValueContainer()
            try single.encode(value)
        case let .array(values):
            var unkeyed = encoder.unkeyedContainer()
            for value in values { try unkeyed.encode(value) }
        case let .object(fields):
            var keyed = encoder.container(keyedBy: Key.self)
            for field in fields { try keyed.encode(field.value, forKey: Key(stringValue: field.key)) }
        }
    }
}

extension ConfigValue {
    /// A shape as Keras writes it: `[null, 784]`.
    public static func shape(_ shape: [Int?]) -> ConfigValue {
        .array(shape.map { $0.map(ConfigValue.int) ?? .null })
    }

    /// A list of `Float` values (Keras' `mean`, `bin_boundaries`, …).
    public static func floats(_ values: [Float]) -> ConfigValue { .array(values.map { .float($0) }) }
}

extension ConfigValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByNilLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(nilLiteral: ()) { self = .null }
}
