// Delimited text tables of numbers, in the manner of `numpy.loadtxt` and a minimal `pandas.read_csv`.

import Foundation

/// Reading and writing tables of numbers as delimited text (CSV).
///
/// Reading follows `numpy.loadtxt` with a little of `pandas.read_csv`: a chosen delimiter (or
/// runs of whitespace), an optional header row, rows skipped at the start, columns chosen by
/// index or header name, `#` comments, blank lines ignored, RFC 4180 double-quoted fields.
/// Every value must be a number (`1`, `-2.5`, `1e-3`, `nan`, `inf`); empty fields and `NA` read
/// as NaN, as pandas reads them. Gzip-compressed files are recognised by their magic number.
public enum CSV {
    /// A column to read: by position (negative counts from the end) or by header name.
    public enum Column: Hashable, Sendable, ExpressibleByIntegerLiteral, ExpressibleByStringLiteral {
        case index(Int)
        case name(String)

        public init(integerLiteral value: Int) { self = .index(value) }
        public init(stringLiteral value: String) { self = .name(value) }
    }

    /// A table read from a file.
    public struct Table: Sendable {
        /// The values, of shape `(rows, columns)`.
        public var values: Tensor
        /// The header names of the columns read, or their positions (`"0"`, `"1"`…) without a header.
        public var columnNames: [String]
    }

    /// Reads the table at `url`.
    ///
    /// - Parameters:
    ///   - delimiter: the field separator; `nil` splits on runs of spaces and tabs (no quoting).
    ///   - hasHeader: whether the first row (after `skipRows`) holds the column names.
    ///   - skipRows: lines to skip at the start of the file, before the header, comments included.
    ///   - columns: the columns to read, in the order wanted; `nil` reads all of them.
    ///   - comment: the character that starts a comment running to the end of the line, or `nil`.
    /// - Returns: the values as a `(rows, columns)` tensor, always two-dimensional, and the column names.
    public static func load(_ url: URL, delimiter: Character? = ",", hasHeader: Bool = false, skipRows: Int = 0,
                            columns: [Column]? = nil, comment: Character? = "#") throws -> Table {
        let options = try Options(delimiter: delimiter, comment: comment, skipRows: skipRows)
        let bytes = try FileIO.read(url)
        return try bytes.withUnsafeBytes { raw in
            if Inflate.isGzip(raw) {
                let output = try Inflate.gzip(raw, name: url.path, limit: .max)
                return try decode(UnsafeRawBufferPointer(start: output.base, count: output.count), name: url.path,
                                  options: options, hasHeader: hasHeader, columns: columns)
            }
            return try decode(raw, name: url.path, options: options, hasHeader: hasHeader, columns: columns)
        }
    }

    /// Reads the table at `path`.
    public static func load(_ path: String, delimiter: Character? = ",", hasHeader: Bool = false, skipRows: Int = 0,
                            columns: [Column]? = nil, comment: Character? = "#") throws -> Table {
        try load(URL(fileURLWithPath: path), delimiter: delimiter, hasHeader: hasHeader, skipRows: skipRows,
                 columns: columns, comment: comment)
    }

    /// Writes `tensor` to `url` as delimited text, atomically: a rank-2 tensor row by row, a
    /// rank-1 tensor as one column (as `numpy.savetxt`), each value in its shortest exact form
    /// (`0.1`, `1e-05`, `nan`). `header`, when given, becomes the first row (read it back with
    /// `hasHeader: true`); names are quoted when they need it.
    public static func save(_ tensor: Tensor, to url: URL, delimiter: Character = ",", header: [String]? = nil) throws {
        guard let d = delimiter.asciiValue, d != 0x22, d != 0x0A, d != 0x0D else {
            throw KerasError.invalidArgument(name: "delimiter", value: "\"\(delimiter)\"",
                                             expected: "one ASCII character other than a quote or a line break")
        }
        guard tensor.rank <= 2 else {
            throw KerasError.invalidArgument(name: "tensor", value: "a tensor of shape \(ArrayIO.pythonShape(tensor.shape))",
                                             expected: "a tensor of rank 1 or 2")
        }
        let columnCount = tensor.rank == 2 ? tensor.shape[1] : 1
        let rowCount = tensor.rank == 0 ? 1 : tensor.shape[0]
        if let header, header.count != columnCount {
            throw KerasError.invalidArgument(name: "header", value: "\(header.count) names",
                                             expected: "one name per column (\(columnCount))")
        }
        let separator = String(delimiter)
        var text = ""
        if let header {
            text += header.map { name -> String in
                let needsQuotes = name.contains(delimiter) || name.contains("\"") || name.contains("\n") || name.contains("\r")
                    || name.first == " " || name.last == " " || name.first == "#"
                return needsQuotes ? "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : name
            }.joined(separator: separator) + "\n"
        }
        tensor.withUnsafeBufferPointer { scalars in
            for row in 0..<rowCount {
                for column in 0..<columnCount {
                    if column > 0 { text += separator }
                    text += scalars[row * columnCount + column].description
                }
                text += "\n"
            }
        }
        try FileIO.writeAtomically(url) { try $0.write(Array(text.utf8)) }
    }

    /// Writes `tensor` to `path` as delimited text.
    public static func save(_ tensor: Tensor, to path: String, delimiter: Character = ",", header: [String]? = nil) throws {
        try save(tensor, to: URL(fileURLWithPath: path), delimiter: delimiter, header: header)
    }

    // MARK: Parsing

    struct Options {
        /// The delimiter byte, or nil for runs of whitespace.
        var delimiter: UInt8?
        var comment: UInt8?
        var skipRows: Int

        init(delimiter: Character?, comment: Character?, skipRows: Int) throws {
            if let delimiter {
                guard let d = delimiter.asciiValue, d != 0x22, d != 0x0A, d != 0x0D else {
                    throw KerasError.invalidArgument(name: "delimiter", value: "\"\(delimiter)\"",
                                                     expected: "one ASCII character other than a quote or a line break, or nil for whitespace")
                }
                self.delimiter = d
            }
            if let comment {
                guard let c = comment.asciiValue, c != 0x0A, c != 0x0D, c != 0x22, c != self.delimiter else {
                    throw KerasError.invalidArgument(name: "comment", value: "\"\(comment)\"",
                                                     expected: "one ASCII character, not the delimiter, a quote or a line break")
                }
                self.comment = c
            }
            guard skipRows >= 0 else {
                throw KerasError.invalidArgument(name: "skipRows", value: "\(skipRows)", expected: "0 or more")
            }
            self.skipRows = skipRows
        }
    }

    /// A field's bytes: `start..<end` of the text, inside the quotes when `quoted`.
    struct Field {
        var start: Int
        var end: Int
        var quoted: Bool
    }

    static func decode(_ text: UnsafeRawBufferPointer, name: String, options: Options, hasHeader: Bool,
                       columns: [Column]?) throws -> Table {
        let n = text.count
        var p = 0
        var line = 1
        // Skip the first lines (UTF-8 byte-order mark included).
        if n >= 3 && text[0] == 0xEF && text[1] == 0xBB && text[2] == 0xBF { p = 3 }
        for _ in 0..<options.skipRows where p < n {
            while p < n && text[p] != 0x0A { p += 1 }
            p += 1
            line += 1
        }

        var fields: [Field] = []
        var header: [String]? = nil
        var fieldCount: Int? = nil
        var selected: [Int] = []
        var values: [Float] = []
        var rows = 0

        func fail(_ line: Int, _ problem: String) -> KerasError {
            KerasError.invalidData("\(name), line \(line): \(problem)")
        }
        func string(_ field: Field) -> String {
            let raw = String(decoding: UnsafeRawBufferPointer(rebasing: text[field.start..<field.end]), as: UTF8.self)
            return field.quoted ? raw.replacingOccurrences(of: "\"\"", with: "\"") : raw
        }
        func resolveColumns(count: Int) throws {
            fieldCount = count
            guard let columns else {
                selected = Array(0..<count)
                return
            }
            selected = try columns.map { column in
                switch column {
                case .index(let i):
                    let resolved = i < 0 ? i + count : i
                    guard resolved >= 0 && resolved < count else {
                        throw KerasError.invalidArgument(name: "columns", value: "\(i)",
                                                         expected: "a column index in -\(count)..<\(count) (\(name) has \(count) columns)")
                    }
                    return resolved
                case .name(let wanted):
                    guard let header else {
                        throw KerasError.invalidArgument(name: "columns", value: "\"\(wanted)\"",
                                                         expected: "column indices, or hasHeader: true to choose columns by name")
                    }
                    let matches = header.indices.filter { header[$0] == wanted }
                    guard matches.count == 1 else {
                        throw KerasError.invalidArgument(
                            name: "columns", value: "\"\(wanted)\"",
                            expected: matches.isEmpty ? "one of the header names \(header)" : "a header name that appears once")
                    }
                    return matches[0]
                }
            }
        }

        while p < n {
            let recordLine = line
            fields.removeAll(keepingCapacity: true)
            // One record: fields up to an unquoted line break.
            var atEnd = false
            if let delimiter = options.delimiter {
                while !atEnd {
                    while p < n && (text[p] == 0x20 || text[p] == 0x09) && text[p] != delimiter { p += 1 }
                    var field: Field
                    if p < n && text[p] == 0x22 {
                        p += 1
                        let start = p
                        while true {
                            guard p < n else { throw fail(recordLine, "unterminated quoted field") }
                            if text[p] == 0x22 {
                                if p + 1 < n && text[p + 1] == 0x22 {
                                    p += 2
                                    continue
                                }
                                break
                            }
                            if text[p] == 0x0A { line += 1 }
                            p += 1
                        }
                        field = Field(start: start, end: p, quoted: true)
                        p += 1
                        while p < n && (text[p] == 0x20 || text[p] == 0x09 || text[p] == 0x0D) && text[p] != delimiter { p += 1 }
                        guard p == n || text[p] == delimiter || text[p] == 0x0A || text[p] == options.comment else {
                            throw fail(recordLine, "text after the closing quote of field \(fields.count + 1)")
                        }
                    } else {
                        let start = p
                        while p < n && text[p] != delimiter && text[p] != 0x0A && text[p] != options.comment { p += 1 }
                        var end = p
                        while end > start && (text[end - 1] == 0x20 || text[end - 1] == 0x09 || text[end - 1] == 0x0D) { end -= 1 }
                        field = Field(start: start, end: end, quoted: false)
                    }
                    fields.append(field)
                    if p < n && text[p] == delimiter {
                        p += 1
                    } else {
                        atEnd = true
                    }
                }
            } else {
                while true {
                    while p < n && (text[p] == 0x20 || text[p] == 0x09 || text[p] == 0x0D) { p += 1 }
                    if p == n || text[p] == 0x0A || text[p] == options.comment { break }
                    let start = p
                    while p < n && text[p] != 0x20 && text[p] != 0x09 && text[p] != 0x0D && text[p] != 0x0A
                            && text[p] != options.comment { p += 1 }
                    fields.append(Field(start: start, end: p, quoted: false))
                }
            }
            // The rest of the line: a comment, then the line break.
            while p < n && text[p] != 0x0A { p += 1 }
            if p < n {
                p += 1
                line += 1
            }
            // Blank and comment-only lines are not rows.
            if fields.isEmpty || (fields.count == 1 && !fields[0].quoted && fields[0].start == fields[0].end) { continue }

            if hasHeader && header == nil {
                header = fields.map(string)
                try resolveColumns(count: fields.count)
                continue
            }
            if fieldCount == nil { try resolveColumns(count: fields.count) }
            guard fields.count == fieldCount else {
                throw fail(recordLine, "\(fields.count) fields where the \(header == nil ? "first row has" : "header has") \(fieldCount!)")
            }
            for column in selected {
                let field = fields[column]
                let value: Double
                if field.start == field.end {
                    value = .nan
                } else {
                    let raw = String(decoding: UnsafeRawBufferPointer(rebasing: text[field.start..<field.end]), as: UTF8.self)
                    let trimmed = field.quoted ? raw.trimmingCharacters(in: .whitespaces) : raw
                    // Double(_:) would stop at a NUL byte and read "5\09" as 5.
                    if trimmed.utf8.contains(0) {
                        let label = header.map { " ('\($0[column])')" } ?? ""
                        throw fail(recordLine, "column \(column)\(label): the field holds a NUL byte; it is not a number")
                    } else if let number = Double(trimmed) {
                        value = number
                    } else if trimmed.isEmpty || trimmed == "NA" || trimmed == "N/A" {
                        value = .nan
                    } else {
                        let label = header.map { " ('\($0[column])')" } ?? ""
                        throw fail(recordLine, "column \(column)\(label): '\(raw.prefix(40))' is not a number")
                    }
                }
                values.append(Float(value))
            }
            rows += 1
        }
        if fieldCount == nil {
            // No rows and no header: nothing says how many columns there are.
            selected = columns.map { Array(0..<$0.count) } ?? []
        }
        let names = selected.map { header?[$0] ?? String($0) }
        return Table(values: Tensor(shape: [rows, selected.count], scalars: values), columnNames: names)
    }
}
