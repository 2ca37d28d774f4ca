import Foundation

/// A token a vocabulary holds: a `String` (`StringLookup`, `TextVectorization`) or an `Int64`
/// (`IntegerLookup`). Says how Keras orders tokens of equal count and how it writes them.
public protocol VocabularyToken: Hashable, Sendable {
    /// Whether `self` sorts before `other` as numpy sorts the tokens: strings by their UTF-8
    /// bytes, integers by value. `adapt` lists tokens of equal count in the reverse of this order.
    func sortsBefore(_ other: Self) -> Bool
    /// The token in a Keras config.
    var configValue: ConfigValue { get }
    /// The token a Keras config holds, or `nil` when it is not one.
    init?(configValue: ConfigValue)
    /// The token on one line of a saved `vocabulary.txt`.
    init?(line: String)
    /// The token as `tf.strings.as_string` writes it (what FarmHash hashes for an integer).
    var text: String { get }
}

extension String: VocabularyToken {
    public func sortsBefore(_ other: String) -> Bool { utf8.lexicographicallyPrecedes(other.utf8) }
    public var configValue: ConfigValue { .string(self) }
    public init?(configValue: ConfigValue) {
        guard let string = configValue.stringValue else { return nil }
        self = string
    }
    public init?(line: String) { self = line }
    public var text: String { self }
}

extension Int64: VocabularyToken {
    public func sortsBefore(_ other: Int64) -> Bool { self < other }
    public var configValue: ConfigValue { .int(Int(self)) }
    public init?(configValue: ConfigValue) {
        guard let value = configValue.intValue else { return nil }
        self = Int64(value)
    }
    public init?(line: String) {
        guard let value = Int64(line.trimmingCharacters(in: .whitespaces)) else { return nil }
        self = value
    }
    public var text: String { String(self) }
}
