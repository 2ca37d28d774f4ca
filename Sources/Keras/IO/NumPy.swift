// NumPy's `.npy` and `.npz` files: `np.load`, `np.save`, `np.savez`.

import Foundation

/// Reading and writing NumPy's array files, as `np.load`, `np.save` and `np.savez` do.
///
/// `.npy` files of format versions 1, 2 and 3 are read, in C or Fortran order, with the types
/// `bool`, `int8`…`int64`, `uint8`…`uint64`, `float16`, `float32` and `float64` in either byte
/// order; values become `Float` (see `ScalarType`). `.npz` archives (`np.savez` and
/// `np.savez_compressed`) are read member by member. Writing produces `<f4` arrays, and `.npz`
/// archives with stored members, that NumPy reads back exactly.
///
/// Every malformed, truncated or hostile file throws `KerasError.invalidData` naming the file
/// and the problem; nothing is allocated from a header's claims before the file is known to
/// hold the data.
public enum NumPy {
    // MARK: Loading

    /// The array in the `.npy` file at `url`, as `Float`.
    public static func load(_ url: URL) throws -> Tensor {
        try loadArray(url).tensor
    }

    /// The array in the `.npy` file at `path`, as `Float`.
    public static func load(_ path: String) throws -> Tensor {
        try load(URL(fileURLWithPath: path))
    }

    /// The array in the `.npy` file at `url` with the type the file stored.
    public static func loadArray(_ url: URL) throws -> LoadedArray {
        let bytes = try FileIO.read(url)
        return try bytes.withUnsafeBytes { try decode($0, name: url.path) }
    }

    /// The arrays in the `.npz` archive at `url`, keyed as `np.load(path)` keys them (member names
    /// without `.npy`). Members that are not `.npy` files are left out.
    public static func loadArchive(_ url: URL) throws -> [String: Tensor] {
        try loadArchiveArrays(url).mapValues(\.tensor)
    }

    /// The arrays in the `.npz` archive at `path`.
    public static func loadArchive(_ path: String) throws -> [String: Tensor] {
        try loadArchive(URL(fileURLWithPath: path))
    }

    /// The arrays in the `.npz` archive at `url` with the types the archive stored.
    public static func loadArchiveArrays(_ url: URL) throws -> [String: LoadedArray] {
        let bytes = try FileIO.read(url)
        return try bytes.withUnsafeBytes { try decodeArchive($0, name: url.path) }
    }

    // MARK: Saving

    /// Writes `tensor` to `url` as a `.npy` file of `<f4` values (`np.save`), atomically.
    public static func save(_ tensor: Tensor, to url: URL) throws {
        try FileIO.writeAtomically(url) { writer in
            try writer.write(header(shape: tensor.shape))
            try writeScalars(tensor, to: writer)
        }
    }

    /// Writes `tensor` to `path` as a `.npy` file.
    public static func save(_ tensor: Tensor, to path: String) throws {
        try save(tensor, to: URL(fileURLWithPath: path))
    }

    /// Writes `arrays` to `url` as an uncompressed `.npz` archive (`np.savez`), atomically; the
    /// members are `<key>.npy`, in the order of the keys sorted.
    public static func saveArchive(_ arrays: [String: Tensor], to url: URL) throws {
        try saveArchive(arrays.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, to: url)
    }

    /// Writes `arrays` to `url` as an uncompressed `.npz` archive, members in the order given.
    public static func saveArchive(_ arrays: [(name: String, tensor: Tensor)], to url: URL) throws {
        var seen = Set<String>()
        for (name, _) in arrays {
            guard !name.isEmpty, seen.insert(name).inserted else {
                throw KerasError.invalidArgument(name: "arrays", value: "'\(name)'", expected: "distinct, non-empty names")
            }
        }
        let members = arrays.map { name, tensor in
            let head = header(shape: tensor.shape)
            var crc = CRC32.checksum(head)
            tensor.withUnsafeBufferPointer { scalars in
                crc = littleEndianBytes(scalars) { CRC32.update(crc, $0) }
            }
            return ZipArchive.StoredMember(name: name + ".npy", size: head.count + 4 * tensor.count, crc: crc) { writer in
                try writer.write(head)
                try writeScalars(tensor, to: writer)
            }
        }
        try FileIO.writeAtomically(url) { writer in
            try ZipArchive.write(members, to: writer, name: url.path)
        }
    }

    /// Writes `arrays` to `path` as an uncompressed `.npz` archive.
    public static func saveArchive(_ arrays: [String: Tensor], to path: String) throws {
        try saveArchive(arrays, to: URL(fileURLWithPath: path))
    }

    // MARK: Decoding

    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // \x93NUMPY

    /// Decodes a whole `.npy` file; `name` names it in errors.
    static func decode(_ bytes: UnsafeRawBufferPointer, name: String) throws -> LoadedArray {
        func fail(_ problem: String) -> KerasError { KerasError.invalidData("\(name): \(problem)") }
        let (header, dataStart) = try decodeHeader(bytes, name: name)
        guard let type = ScalarType(descr: header.descr) else {
            throw fail("unsupported dtype '\(header.descr)': only bool, integer and float types can be read")
        }
        guard let count = ArrayIO.elementCount(header.shape) else {
            throw fail("shape \(ArrayIO.pythonShape(header.shape)) has too many elements")
        }
        let (byteCount, overflow) = count.multipliedReportingOverflow(by: type.byteCount)
        let available = bytes.count - dataStart
        guard !overflow, byteCount <= available else {
            throw fail("truncated: shape \(ArrayIO.pythonShape(header.shape)) of \(type.descr) needs "
                        + (overflow ? "more bytes than can exist" : "\(byteCount) bytes") + ", the file has \(available)")
        }
        guard byteCount == available else {
            throw fail("\(available - byteCount) unexpected bytes after the array data of shape "
                        + "\(ArrayIO.pythonShape(header.shape)) (\(type.descr))")
        }
        let data = bytes.baseAddress! + dataStart
        let shape = header.shape
        try MemoryBudget.check(shape, for: "\(name): the array (as Float)")
        let tensor: Tensor
        if header.fortranOrder && shape.count > 1 && count > 0 {
            // Convert in file order, then permute the column-major values into row-major order.
            let columnMajor = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                type.convert(data, count: count, to: buffer.baseAddress!)
                initialized = count
            }
            tensor = ArrayIO.makeTensor(shape: shape) { destination, _ in
                columnMajor.withUnsafeBufferPointer { ArrayIO.fortranToC($0.baseAddress!, shape: shape, into: destination) }
            }
        } else {
            tensor = ArrayIO.makeTensor(shape: shape) { destination, n in type.convert(data, count: n, to: destination) }
        }
        return LoadedArray(tensor: tensor, scalarType: type, isFortranOrder: header.fortranOrder)
    }

    /// The header of the `.npy` file `bytes` and where its data starts.
    static func decodeHeader(_ bytes: UnsafeRawBufferPointer, name: String) throws -> (NumPyHeader, dataStart: Int) {
        func fail(_ problem: String) -> KerasError { KerasError.invalidData("\(name): \(problem)") }
        guard bytes.count >= 10 else { throw fail("too short to be a .npy file (\(bytes.count) bytes)") }
        guard bytes.prefix(6).elementsEqual(magic) else { throw fail("not a .npy file (bad magic string)") }
        let major = Int(bytes[6]), minor = Int(bytes[7])
        let view = ByteView(bytes)
        let headerLength: Int, headerStart: Int
        switch major {
        case 1:
            headerLength = view.u16(8)
            headerStart = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw fail("truncated .npy header") }
            headerLength = view.u32(8)
            headerStart = 12
        default:
            throw fail("unsupported .npy format version \(major).\(minor)")
        }
        guard headerLength <= bytes.count - headerStart else {
            throw fail("truncated .npy header: it claims \(headerLength) bytes, the file has \(bytes.count - headerStart) left")
        }
        let header = try NumPyHeader.parse(UnsafeRawBufferPointer(rebasing: bytes[headerStart..<(headerStart + headerLength)]),
                                           name: name)
        return (header, headerStart + headerLength)
    }

    /// A member of a `.npz` archive: numbers, or the objects of a `dtype=object` array (pickled).
    enum Member {
        case numbers(LoadedArray)
        case objects(shape: [Int], items: [Pickle.Value])
    }

    /// Decodes a `.npy` file of numbers or of objects. Objects are read by the restricted
    /// unpickler (as Keras' `npz_utils.load_npz` does), never by running code.
    static func decodeMember(_ bytes: UnsafeRawBufferPointer, name: String) throws -> Member {
        let (header, dataStart) = try decodeHeader(bytes, name: name)
        guard header.descr.hasPrefix("|O") else { return .numbers(try decode(bytes, name: name)) }  // "|O", or "|O8" from old NumPy
        let value = try Pickle.load(UnsafeRawBufferPointer(rebasing: bytes[dataStart...]), name: name)
        guard case .objectArray(let shape, let items) = value, shape == header.shape else {
            throw KerasError.invalidData("\(name): the pickled data is \(value.kind), not the object array of shape "
                                         + "\(ArrayIO.pythonShape(header.shape)) the header announces")
        }
        return .objects(shape: shape, items: items)
    }

    /// The members of a `.npz` archive of numbers and object arrays (IMDB's, Reuters').
    static func loadArchiveMembers(_ url: URL) throws -> [String: Member] {
        let bytes = try FileIO.read(url)
        return try bytes.withUnsafeBytes { bytes in
            var members: [String: Member] = [:]
            for entry in try ZipArchive.entries(bytes, name: url.path) where entry.name.hasSuffix(".npy") {
                members[String(entry.name.dropLast(4))] = try ZipArchive.withContents(of: entry, in: bytes, name: url.path) {
                    try decodeMember($0, name: "\(url.path), member '\(entry.name)'")
                }
            }
            return members
        }
    }

    /// Decodes the `.npy` members of a `.npz` archive.
    static func decodeArchive(_ bytes: UnsafeRawBufferPointer, name: String) throws -> [String: LoadedArray] {
        let entries = try ZipArchive.entries(bytes, name: name)
        var arrays: [String: LoadedArray] = [:]
        for entry in entries where entry.name.hasSuffix(".npy") && !entry.name.hasSuffix("/") {
            let key = String(entry.name.dropLast(4))
            guard arrays[key] == nil else {
                throw KerasError.invalidData("\(name): the archive holds member '\(entry.name)' twice")
            }
            arrays[key] = try ZipArchive.withContents(of: entry, in: bytes, name: name) { contents in
                try decode(contents, name: "\(name), member '\(entry.name)'")
            }
        }
        return arrays
    }

    // MARK: Encoding

    /// The `.npy` header of a C-order `<f4` array of `shape`, byte for byte as `np.save` writes it.
    static func header(shape: [Int]) -> [UInt8] {
        var dictionary = "{'descr': '<f4', 'fortran_order': False, 'shape': \(ArrayIO.pythonShape(shape)), }"
        // NumPy leaves room to grow the first axis in place.
        if let first = shape.first { dictionary += String(repeating: " ", count: max(0, 21 - String(first).count)) }
        var length = dictionary.utf8.count + 1
        // Version 1 unless its 16-bit length cannot hold the padded header (as NumPy chooses).
        let version: UInt8 = length + 64 - (10 + length) % 64 > 0xFFFF ? 2 : 1
        let prefixLength = version == 1 ? 10 : 12
        let padding = 64 - (prefixLength + length) % 64
        length += padding
        var bytes = magic + [version, 0]
        bytes += version == 1
            ? [UInt8(length & 0xFF), UInt8(length >> 8)]
            : [UInt8(length & 0xFF), UInt8((length >> 8) & 0xFF), UInt8((length >> 16) & 0xFF), UInt8(length >> 24)]
        bytes += Array(dictionary.utf8) + [UInt8](repeating: 0x20, count: padding) + [0x0A]
        return bytes
    }

    /// Writes the scalars of `tensor` as little-endian `Float32`.
    static func writeScalars(_ tensor: Tensor, to writer: FileWriter) throws {
        try tensor.withUnsafeBufferPointer { scalars in
            try littleEndianBytes(scalars) { try writer.write($0) }
        }
    }

    /// Calls `body` with `scalars` as little-endian bytes (the scalars themselves on a
    /// little-endian machine; a swapped copy, in chunks, elsewhere).
    static func littleEndianBytes<R>(_ scalars: UnsafeBufferPointer<Float>, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        #if _endian(big)
        var result: R? = nil
        let swapped = scalars.map { $0.bitPattern.littleEndian }
        result = try swapped.withUnsafeBytes(body)
        return result!
        #else
        return try body(UnsafeRawBufferPointer(scalars))
        #endif
    }
}

/// The dictionary at the head of a `.npy` file: `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`.
struct NumPyHeader {
    var descr: String
    var fortranOrder: Bool
    var shape: [Int]

    /// A Python literal, as far as `.npy` headers use them.
    indirect enum Value {
        case string(String)
        case bool(Bool)
        case integer(Int)
        case none
        case tuple([Value])
        case list([Value])
        case dictionary([(String, Value)])
    }

    /// Parses the header text (ASCII; Latin-1 or UTF-8 inside strings) of a `.npy` file.
    static func parse(_ text: UnsafeRawBufferPointer, name: String) throws -> NumPyHeader {
        var parser = Parser(text: text, name: name)
        let value = try parser.value(depth: 0)
        parser.skipSpace()
        guard parser.position == text.count else { throw parser.fail("unexpected text after the header dictionary") }
        guard case .dictionary(let items) = value else { throw parser.fail("the header is not a dictionary") }
        let keys = items.map(\.0)
        guard Set(keys) == ["descr", "fortran_order", "shape"], keys.count == 3 else {
            throw parser.fail("the header must have exactly the keys 'descr', 'fortran_order' and 'shape', not \(keys.sorted())")
        }
        var header = NumPyHeader(descr: "", fortranOrder: false, shape: [])
        for (key, value) in items {
            switch (key, value) {
            case ("descr", .string(let descr)): header.descr = descr
            case ("descr", _):
                throw parser.fail("unsupported dtype: structured arrays (a list of fields) cannot be read")
            case ("fortran_order", .bool(let flag)): header.fortranOrder = flag
            case ("shape", .tuple(let dimensions)):
                if dimensions.count > 64 { throw parser.fail("shape has \(dimensions.count) dimensions; NumPy allows 64") }
                for dimension in dimensions {
                    guard case .integer(let size) = dimension, size >= 0 else {
                        throw parser.fail("shape must be a tuple of non-negative integers")
                    }
                    header.shape.append(size)
                }
            default:
                throw parser.fail("bad value for '\(key)'")
            }
        }
        return header
    }

    private struct Parser {
        let text: UnsafeRawBufferPointer
        let name: String
        var position = 0

        func fail(_ problem: String) -> KerasError {
            KerasError.invalidData("\(name): bad .npy header: \(problem)")
        }

        mutating func skipSpace() {
            while position < text.count, [0x20, 0x09, 0x0A, 0x0D].contains(text[position]) { position += 1 }
        }

        mutating func expect(_ character: Character) throws {
            skipSpace()
            guard position < text.count, text[position] == character.asciiValue! else {
                throw fail("expected '\(character)' at byte \(position)")
            }
            position += 1
        }

        /// Consumes `character` if it is next.
        mutating func accept(_ character: Character) -> Bool {
            skipSpace()
            if position < text.count && text[position] == character.asciiValue! {
                position += 1
                return true
            }
            return false
        }

        mutating func value(depth: Int) throws -> Value {
            guard depth < 16 else { throw fail("nested too deeply") }
            skipSpace()
            guard position < text.count else { throw fail("unexpected end of the header") }
            let c = text[position]
            switch c {
            case UInt8(ascii: "{"):
                position += 1
                var items: [(String, Value)] = []
                while !accept("}") {
                    guard case .string(let key) = try value(depth: depth + 1) else { throw fail("dictionary keys must be strings") }
                    try expect(":")
                    items.append((key, try value(depth: depth + 1)))
                    if accept("}") { break }
                    try expect(",")
                }
                return .dictionary(items)
            case UInt8(ascii: "("), UInt8(ascii: "["):
                position += 1
                let close: Character = c == UInt8(ascii: "(") ? ")" : "]"
                var items: [Value] = []
                var trailingComma = false
                if !accept(close) {
                    while true {
                        items.append(try value(depth: depth + 1))
                        if accept(close) { break }
                        try expect(",")
                        if accept(close) {
                            trailingComma = true
                            break
                        }
                    }
                }
                // `(3)` is the integer 3 in Python; `(3,)` is a tuple.
                if close == ")" && items.count == 1 && !trailingComma { return items[0] }
                return close == ")" ? .tuple(items) : .list(items)
            case UInt8(ascii: "'"), UInt8(ascii: "\""):
                position += 1
                var bytes: [UInt8] = []
                while true {
                    guard position < text.count else { throw fail("unterminated string") }
                    var b = text[position]
                    position += 1
                    if b == c { break }
                    if b == UInt8(ascii: "\\") {
                        guard position < text.count else { throw fail("unterminated string") }
                        b = text[position]
                        position += 1
                    }
                    bytes.append(b)
                }
                return .string(String(decoding: bytes, as: UTF8.self))
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                var negative = false
                if c == UInt8(ascii: "-") {
                    negative = true
                    position += 1
                }
                var number = 0
                var digits = 0
                while position < text.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(text[position]) {
                    let (shifted, o1) = number.multipliedReportingOverflow(by: 10)
                    let (sum, o2) = shifted.addingReportingOverflow(Int(text[position] - UInt8(ascii: "0")))
                    guard !o1, !o2 else { throw fail("integer too large") }
                    number = sum
                    digits += 1
                    position += 1
                }
                guard digits > 0 else { throw fail("expected a number at byte \(position)") }
                // Python 2 long integers: `3L`.
                if position < text.count, text[position] == UInt8(ascii: "L") || text[position] == UInt8(ascii: "l") {
                    position += 1
                }
                return .integer(negative ? -number : number)
            default:
                var word: [UInt8] = []
                while position < text.count, (text[position] >= 0x41 && text[position] <= 0x5A)
                        || (text[position] >= 0x61 && text[position] <= 0x7A) || text[position] == 0x5F {
                    word.append(text[position])
                    position += 1
                }
                switch String(decoding: word, as: UTF8.self) {
                case "True": return .bool(true)
                case "False": return .bool(false)
                case "None": return .none
                default: throw fail("unexpected text at byte \(position - word.count)")
                }
            }
        }
    }
}

/// Helpers shared by the array file formats.
enum ArrayIO {
    /// The number of elements of `shape`, or nil when a dimension is negative or the product of
    /// the non-zero dimensions overflows: NumPy refuses such a shape even when it is empty, and
    /// `Tensor` multiplies all the dimensions in order.
    static func elementCount(_ shape: [Int]) -> Int? {
        guard shape.allSatisfy({ $0 >= 0 }) else { return nil }
        var count = 1
        for dimension in shape where dimension != 0 {
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            if overflow { return nil }
            count = product
        }
        return shape.contains(0) ? 0 : count
    }

    /// A Python-style shape: `(60000, 28, 28)`, `(3,)`, `()`.
    static func pythonShape(_ shape: [Int]) -> String {
        "(" + shape.map(String.init).joined(separator: ", ") + (shape.count == 1 ? ",)" : ")")
    }

    /// A tensor of `shape` whose scalars `fill` writes, all of them.
    static func makeTensor(shape: [Int], _ fill: (UnsafeMutablePointer<Float>, Int) throws -> Void) rethrows -> Tensor {
        var tensor = Tensor(repeating: 0, shape: shape)
        try tensor.withUnsafeMutableBufferPointer { buffer in
            if let base = buffer.baseAddress, buffer.count > 0 { try fill(base, buffer.count) }
        }
        return tensor
    }

    /// Copies column-major `source` of `shape` into row-major `destination`.
    static func fortranToC(_ source: UnsafePointer<Float>, shape: [Int], into destination: UnsafeMutablePointer<Float>) {
        let rank = shape.count
        var strides = [Int](repeating: 1, count: rank)
        for axis in 1..<rank { strides[axis] = strides[axis - 1] * shape[axis - 1] }
        let count = shape.reduce(1, *)
        var index = [Int](repeating: 0, count: rank)
        var offset = 0
        let last = rank - 1, lastStride = strides[last], lastSize = shape[last]
        var j = 0
        while j < count {
            // A whole row of the last axis at a time.
            var o = offset
            for k in 0..<lastSize {
                destination[j + k] = source[o]
                o += lastStride
            }
            j += lastSize
            var axis = last - 1
            while axis >= 0 {
                index[axis] += 1
                offset += strides[axis]
                if index[axis] < shape[axis] { break }
                offset -= strides[axis] * shape[axis]
                index[axis] = 0
                axis -= 1
            }
        }
    }
}
