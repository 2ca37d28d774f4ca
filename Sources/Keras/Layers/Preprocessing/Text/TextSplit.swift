/// How `TextVectorization` cuts a standardized string into tokens (Keras' `split`).
public enum TextSplit: Sendable {
    /// At runs of ASCII whitespace (space, tab, newline, vertical tab, form feed, carriage
    /// return), leading and trailing whitespace dropped, as `tf.strings.split`. Other spaces
    /// (U+00A0, U+3000) stay inside tokens, as in Keras.
    case whitespace
    /// Into Unicode scalars (code points, as `tf.strings.unicode_split`), not grapheme clusters.
    case character
    /// Your own function of one string (Keras' callable `split`). It cannot be saved in a Keras
    /// config; saving a model with one throws.
    case custom(@Sendable (String) -> [String])

    /// The split a Keras config names (`nil` for none: each string is one token).
    init?(kerasName: String?, layer: String) throws {
        switch kerasName {
        case nil: return nil
        case "whitespace": self = .whitespace
        case "character": self = .character
        case let name?:
            throw KerasError.unknownName(kind: "split of \(layer) (custom functions are given in Swift)", name: name,
                                         valid: ["whitespace", "character"])
        }
    }

    /// Its name in a Keras config; `nil` for a custom function.
    var kerasName: String? {
        switch self {
        case .whitespace: "whitespace"
        case .character: "character"
        case .custom: nil
        }
    }

    /// The tokens of `text`.
    func apply(_ text: String) -> [String] {
        switch self {
        case .whitespace:
            return text.utf8.split(whereSeparator: { [9, 10, 11, 12, 13, 32].contains($0) }).map { String(decoding: $0, as: UTF8.self) }
        case .character:
            return text.unicodeScalars.map { String($0) }
        case .custom(let function):
            return function(text)
        }
    }

    /// The n-grams of `tokens` for each width in order (all 1-grams, then all 2-grams, …),
    /// joined by a space, as `tf.strings.ngrams`; a width longer than the tokens adds nothing.
    static func ngrams(_ tokens: [String], widths: [Int]) -> [String] {
        widths.flatMap { width in
            tokens.count < width ? [] : (0...(tokens.count - width)).map { tokens[$0..<$0 + width].joined(separator: " ") }
        }
    }
}
