/// How `TextVectorization` cleans each string before splitting it (Keras' `standardize`).
public enum TextStandardization: Sendable {
    /// ASCII letters lowercased, then ASCII punctuation removed (Keras' default).
    case lowerAndStripPunctuation
    /// ASCII letters lowercased. As Keras (`tf.strings.lower` without an encoding), other
    /// letters keep their case: "Straße" → "straße", "ÜBER" → "Über".
    case lower
    /// The ASCII punctuation `!"#$%&()*+,-./:;<=>?@[\]^_`{|}~'` removed; nothing else.
    case stripPunctuation
    /// Your own function of one string (Keras' callable `standardize`). It cannot be saved in
    /// a Keras config; saving a model with one throws.
    case custom(@Sendable (String) -> String)

    /// The standardization a Keras config names (`nil` for none).
    init?(kerasName: String?, layer: String) throws {
        switch kerasName {
        case nil: return nil
        case "lower_and_strip_punctuation": self = .lowerAndStripPunctuation
        case "lower": self = .lower
        case "strip_punctuation": self = .stripPunctuation
        case let name?:
            throw KerasError.unknownName(kind: "standardize of \(layer) (custom functions are given in Swift)", name: name,
                                         valid: ["lower_and_strip_punctuation", "lower", "strip_punctuation"])
        }
    }

    /// Its name in a Keras config; `nil` for a custom function.
    var kerasName: String? {
        switch self {
        case .lowerAndStripPunctuation: "lower_and_strip_punctuation"
        case .lower: "lower"
        case .stripPunctuation: "strip_punctuation"
        case .custom: nil
        }
    }

    /// `text` standardized.
    func apply(_ text: String) -> String {
        switch self {
        case .lowerAndStripPunctuation: TextStandardization.stripPunctuation(TextStandardization.lowercaseASCII(text))
        case .lower: TextStandardization.lowercaseASCII(text)
        case .stripPunctuation: TextStandardization.stripPunctuation(text)
        case .custom(let function): function(text)
        }
    }

    /// Keras' punctuation: `[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']`, all ASCII.
    private static let punctuation: Set<UInt8> = Set(Array(##"!"#$%&()*+,-./:;<=>?@[\]^_`{|}~'"##.utf8))

    private static func lowercaseASCII(_ text: String) -> String {
        String(decoding: text.utf8.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }, as: UTF8.self)
    }

    private static func stripPunctuation(_ text: String) -> String {
        String(decoding: text.utf8.filter { !punctuation.contains($0) }, as: UTF8.self)
    }
}
