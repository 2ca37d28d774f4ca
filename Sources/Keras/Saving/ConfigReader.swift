import Foundation

/// Reads typed values out of a config object (a layer's, an optimizer's, …), throwing
/// `KerasError`s that name the object and the key. Missing keys and `null` read the same.
///
/// Custom layers read their arguments with it in the closure they register with
/// `CustomObjects.register(layer:)`.
public struct ConfigReader {
    /// The config object.
    public let config: ConfigValue
    /// What the config describes, for errors: `"Dense 'dense_1'"`.
    public let context: String

    public init(_ config: ConfigValue, context: String) {
        self.config = config
        self.context = context
    }

    private func invalid(_ key: String, _ value: ConfigValue, _ expected: String) -> KerasError {
        .invalidArgument(name: "\(context).\(key)", value: value.json, expected: expected)
    }

    /// The value under `key`, or `nil` when it is missing or `null`.
    public func value(_ key: String) -> ConfigValue? {
        guard let value = config[key], !value.isNull else { return nil }
        return value
    }

    public func optionalFloat(_ key: String) throws -> Float? {
        guard let value = value(key) else { return nil }
        guard let number = value.doubleValue else { throw invalid(key, value, "a number") }
        return Float(number)
    }

    public func float(_ key: String, default fallback: Float? = nil) throws -> Float {
        if let result = try optionalFloat(key) { return result }
        guard let fallback else { throw KerasError.invalidData("\(context) config is missing '\(key)'") }
        return fallback
    }

    public func int(_ key: String, default fallback: Int? = nil) throws -> Int {
        guard let value = value(key) else {
            guard let fallback else { throw KerasError.invalidData("\(context) config is missing '\(key)'") }
            return fallback
        }
        guard let number = value.intValue else { throw invalid(key, value, "an integer") }
        return number
    }

    public func positiveInt(_ key: String) throws -> Int {
        let result = try int(key)
        guard result > 0 else { throw invalid(key, .int(result), "> 0") }
        return result
    }

    public func bool(_ key: String, default fallback: Bool) throws -> Bool {
        guard let value = value(key) else { return fallback }
        guard let flag = value.boolValue else { throw invalid(key, value, "true or false") }
        return flag
    }

    public func string(_ key: String, default fallback: String? = nil) throws -> String {
        guard let value = value(key) else {
            guard let fallback else { throw KerasError.invalidData("\(context) config is missing '\(key)'") }
            return fallback
        }
        guard let string = value.stringValue else { throw invalid(key, value, "a string") }
        return string
    }

    public func intArray(_ key: String) throws -> [Int] {
        try list(key, of: "integers") { $0.intValue }
    }

    public func floatArray(_ key: String) throws -> [Float] {
        try list(key, of: "numbers") { $0.doubleValue.map(Float.init) }
    }

    /// The list under `key`, each item converted by `element` (nil: not the expected kind).
    private func list<T>(_ key: String, of kind: String, _ element: (ConfigValue) -> T?) throws -> [T] {
        guard let value = value(key), case let .array(items) = value else {
            throw KerasError.invalidData("\(context) config is missing the list '\(key)'")
        }
        return try items.map { item in
            guard let converted = element(item) else { throw invalid(key, value, "a list of \(kind)") }
            return converted
        }
    }

    public func optionalString(_ key: String) throws -> String? {
        guard value(key) != nil else { return nil }
        return try string(key)
    }

    public func optionalInt(_ key: String) throws -> Int? {
        guard value(key) != nil else { return nil }
        return try int(key)
    }

    /// A shape as Keras writes it, `[null, 784]`: `nil` entries for unknown dimensions.
    public func shape(_ key: String) throws -> [Int?]? {
        guard let value = value(key) else { return nil }
        guard case let .array(items) = value else { throw invalid(key, value, "a list of dimensions") }
        return try items.map { item in
            if item.isNull { return nil }
            guard let dimension = item.intValue, dimension >= 0 else { throw invalid(key, value, "a list of dimensions") }
            return dimension
        }
    }

    /// A shape whose every dimension is known.
    public func knownShape(_ key: String) throws -> [Int]? {
        guard let shape = try shape(key) else { return nil }
        let known = shape.compactMap { $0 }
        guard known.count == shape.count else {
            throw invalid(key, value(key) ?? .null, "a list of known dimensions (no null)")
        }
        return known
    }
}
