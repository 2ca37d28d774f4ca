import Foundation

extension ConfigValue {
    /// Parses JSON as Python's `json.loads` reads Keras files: object keys keep their order,
    /// integers stay integers, and `NaN` / `Infinity` / `-Infinity` are accepted.
    ///
    /// - Parameter source: a name for the text (a file, `"config.json"`) used in errors.
    public init(json: String, source: String = "JSON") throws {
        var parser = JSONParser(bytes: Array(json.utf8), source: source)
        self = try parser.parseDocument()
    }
}

/// A recursive-descent JSON parser with a depth limit, so hostile files cannot exhaust the stack.
private struct JSONParser {
    let bytes: [UInt8]
    let source: String
    var position = 0
    var depth = 0
    static let maximumDepth = 512

    init(bytes: [UInt8], source: String) {
        self.bytes = bytes
        self.source = source
    }

    func fail(_ problem: String) -> KerasError {
        .invalidData("\(source): \(problem) at byte \(position)")
    }

    mutating func parseDocument() throws -> ConfigValue {
        let value = try parseValue()
        skipWhitespace()
        guard position == bytes.count else { throw fail("unexpected text after the JSON value") }
        return value
    }

    mutating func skipWhitespace() {
        while position < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[position]) { position += 1 }
    }

    mutating func consume(_ literal: String) -> Bool {
        let utf8 = Array(literal.utf8)
        guard position + utf8.count <= bytes.count, Array(bytes[position..<position + utf8.count]) == utf8 else {
            return false
        }
        position += utf8.count
        return true
    }

    mutating func parseValue() throws -> ConfigValue {
        skipWhitespace()
        guard position < bytes.count else { throw fail("unexpected end of JSON") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try nested { try $0.parseObject() }
        case UInt8(ascii: "["): return try nested { try $0.parseArray() }
        case UInt8(ascii: "\""): return .string(try parseString())
        default:
            if consume("null") { return .null }
            if consume("true") { return .bool(true) }
            if consume("false") { return .bool(false) }
            if consume("NaN") { return .double(.nan) }
            if consume("Infinity") { return .double(.infinity) }
            if consume("-Infinity") { return .double(-.infinity) }
            return try parseNumber()
        }
    }

    mutating func nested(_ body: (inout JSONParser) throws -> ConfigValue) throws -> ConfigValue {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maximumDepth else { throw fail("JSON nested deeper than \(Self.maximumDepth) levels") }
        return try body(&self)
    }

    mutating func parseObject() throws -> ConfigValue {
        position += 1
        var fields: [ConfigField] = []
        skipWhitespace()
        if consume("}") { return .object(fields) }
        while true {
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw fail("expected a key") }
            let key = try parseString()
            skipWhitespace()
            guard consume(":") else { throw fail("expected ':'") }
            fields.append(ConfigField(key, try parseValue()))
            skipWhitespace()
            if consume(",") { continue }
            if consume("}") { return .object(fields) }
            throw fail("expected ',' or '}'")
        }
    }

    mutating func parseArray() throws -> ConfigValue {
        position += 1
        var values: [ConfigValue] = []
        skipWhitespace()
        if consume("]") { return .array(values) }
        while true {
            values.append(try parseValue())
            skipWhitespace()
            if consume(",") { continue }
            if consume("]") { return .array(values) }
            throw fail("expected ',' or ']'")
        }
    }

    mutating func parseString() throws -> String {
        position += 1
        var scalars = String.UnicodeScalarView()
        var run = position
        func flush(_ parser: JSONParser, upTo end: Int) throws {
            guard let text = String(validating: parser.bytes[run..<end], as: UTF8.self) else {
                throw parser.fail("invalid UTF-8 in a string")
            }
            scalars.append(contentsOf: text.unicodeScalars)
        }
        while true {
            guard position < bytes.count else { throw fail("unterminated string") }
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                try flush(self, upTo: position)
                position += 1
                return String(scalars)
            }
            guard byte >= 0x20 else { throw fail("control character in a string") }
            guard byte == UInt8(ascii: "\\") else {
                position += 1
                continue
            }
            try flush(self, upTo: position)
            position += 1
            guard position < bytes.count else { throw fail("unterminated escape") }
            let escape = bytes[position]
            position += 1
            switch escape {
            case UInt8(ascii: "\""): scalars.append("\"")
            case UInt8(ascii: "\\"): scalars.append("\\")
            case UInt8(ascii: "/"): scalars.append("/")
            case UInt8(ascii: "b"): scalars.append("\u{08}")
            case UInt8(ascii: "f"): scalars.append("\u{0C}")
            case UInt8(ascii: "n"): scalars.append("\n")
            case UInt8(ascii: "r"): scalars.append("\r")
            case UInt8(ascii: "t"): scalars.append("\t")
            case UInt8(ascii: "u"):
                var code = try parseHex4()
                if (0xD800..<0xDC00).contains(code), consume("\\u") {
                    let low = try parseHex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw fail("invalid surrogate pair") }
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                }
                scalars.append(Unicode.Scalar(code) ?? "\u{FFFD}")
            default:
                throw fail("invalid escape")
            }
            run = position
        }
    }

    mutating func parseHex4() throws -> UInt32 {
        guard position + 4 <= bytes.count,
              let text = String(bytes: bytes[position..<position + 4], encoding: .ascii),
              let code = UInt32(text, radix: 16) else { throw fail("invalid \\u escape") }
        position += 4
        return code
    }

    mutating func parseNumber() throws -> ConfigValue {
        let start = position
        var isInteger = true
        while position < bytes.count {
            let byte = bytes[position]
            if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+") {
                position += 1
            } else if byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
                isInteger = false
                position += 1
            } else {
                break
            }
        }
        guard position > start, let text = String(bytes: bytes[start..<position], encoding: .ascii) else {
            throw fail("unexpected character")
        }
        if isInteger, let value = Int(text) { return .int(value) }
        guard let value = Double(text) else { throw fail("invalid number '\(text)'") }
        return .double(value)
    }
}
