/// What went wrong in a call to the Keras API, with a message that says how to fix it.
public enum KerasError: Error, Equatable, CustomStringConvertible {
    /// A tensor of the wrong shape reached `context` (a layer, a loss, an argument).
    case shapeMismatch(context: String, expected: String, got: String, fix: String)
    /// A string name (`"adam"`, `"mse"`, …) that is not known; lists the valid ones.
    case unknownName(kind: String, name: String, valid: [String])
    /// An argument outside its valid range.
    case invalidArgument(name: String, value: String, expected: String)
    /// A call made in the wrong order, such as `fit` before `compile`.
    case invalidState(String)
    /// Data that cannot be used: NaN, empty, mismatched sample counts.
    case invalidData(String)

    public var description: String {
        switch self {
        case let .shapeMismatch(context, expected, got, fix):
            return "\(context): expected shape \(expected), got \(got). \(fix)"
        case let .unknownName(kind, name, valid):
            return "Unknown \(kind) '\(name)'. Valid names: \(valid.joined(separator: ", "))."
        case let .invalidArgument(name, value, expected):
            return "Invalid argument \(name) = \(value): expected \(expected)."
        case let .invalidState(message), let .invalidData(message):
            return message
        }
    }
}

/// Formats a Keras shape with `None` for unknown dimensions: `(None, 784)`.
func formatShape(_ shape: [Int?]) -> String {
    let parts = shape.map { $0.map(String.init) ?? "None" }
    return "(" + parts.joined(separator: ", ") + (shape.count == 1 ? ",)" : ")")
}
