// `keras.utils.pad_sequences`.

/// Where `padSequences` pads or truncates a sequence: at its start or its end.
public enum SequencePadding: String, Sendable {
    /// At the start (Keras' `"pre"`, the default for both padding and truncating).
    case pre
    /// At the end (Keras' `"post"`).
    case post
}

/// Pads sequences to the same length (`keras.utils.pad_sequences`).
///
/// Returns a `(sequences.count, maxLength)` tensor. Sequences longer than `maxLength` lose
/// values at the start (`truncating: .pre`) or the end (`.post`); shorter ones are filled with
/// `value` at the start (`padding: .pre`) or the end (`.post`).
///
/// - Parameters:
///   - maxLength: the length of every row; `nil` uses the longest sequence.
///   - value: the padding value.
public func padSequences(_ sequences: [[Float]], maxLength: Int? = nil, padding: SequencePadding = .pre,
                         truncating: SequencePadding = .pre, value: Float = 0) throws -> Tensor {
    let length = maxLength ?? sequences.map(\.count).max() ?? 0
    guard length >= 0 else {
        throw KerasError.invalidArgument(name: "padSequences maxLength", value: "\(length)", expected: "a length >= 0")
    }
    var result = Tensor(repeating: value, shape: [sequences.count, length])
    result.withUnsafeMutableBufferPointer { buffer in
        for (row, sequence) in sequences.enumerated() where !sequence.isEmpty {
            let kept = sequence.count > length
                ? (truncating == .pre ? sequence[(sequence.count - length)...] : sequence[..<length])
                : sequence[...]
            let start = row * length + (padding == .pre ? length - kept.count : 0)
            for (k, element) in kept.enumerated() { buffer[start + k] = element }
        }
    }
    return result
}

/// Pads sequences of integers (token indices) to the same length (`keras.utils.pad_sequences`).
public func padSequences(_ sequences: [[Int]], maxLength: Int? = nil, padding: SequencePadding = .pre,
                         truncating: SequencePadding = .pre, value: Float = 0) throws -> Tensor {
    try padSequences(sequences.map { $0.map(Float.init) }, maxLength: maxLength, padding: padding,
                 truncating: truncating, value: value)
}
