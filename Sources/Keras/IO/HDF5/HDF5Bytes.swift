// Bounds-checked little-endian reading of an HDF5 file's bytes, with the file's sizes of
// addresses ("offsets") and lengths. Every read past the end throws `invalidData`.

/// The bytes of an HDF5 file being read and what every structure in it needs to decode.
struct HDF5Source {
    let bytes: [UInt8]
    /// The file's name in error messages.
    let name: String
    /// Bytes of an address (2, 4 or 8) and of a length.
    var offsetSize = 8
    var lengthSize = 8
    /// Addresses in the file are relative to this.
    var base = 0

    func fail(_ problem: String) -> KerasError {
        KerasError.invalidData("\(name): \(problem)")
    }

    /// A cursor at file address `address` (relative to the base), limited to `count` bytes when given.
    func cursor(at address: Int, count: Int? = nil, what: String) throws -> HDF5Cursor {
        let (start, overflow) = base.addingReportingOverflow(address)
        guard !overflow, address >= 0, start <= bytes.count else {
            throw fail("\(what) at address \(address) is past the end of the file (\(bytes.count) bytes)")
        }
        var end = bytes.count
        if let count {
            guard count >= 0, count <= bytes.count - start else {
                throw fail("\(what) at address \(address) (\(count) bytes) runs past the end of the file")
            }
            end = start + count
        }
        return HDF5Cursor(source: self, position: start, end: end, what: what)
    }

    /// A cursor over `bytes` that are not in the file (a decoded heap object, a message).
    func cursor(over data: [UInt8], what: String) -> HDF5Cursor {
        let source = HDF5Source(bytes: data, name: name, offsetSize: offsetSize, lengthSize: lengthSize, base: 0)
        return HDF5Cursor(source: source, position: 0, end: data.count, what: what)
    }

    /// The bytes at `address`, `count` of them.
    func slice(at address: Int, count: Int, what: String) throws -> ArraySlice<UInt8> {
        var c = try cursor(at: address, count: count, what: what)
        return try c.take(count)
    }
}

/// A position in an HDF5Source's bytes that reads forward up to an end.
struct HDF5Cursor {
    let source: HDF5Source
    var position: Int
    let end: Int
    /// What is being read, for error messages.
    let what: String

    var remaining: Int { end - position }

    func fail(_ problem: String) -> KerasError {
        source.fail("\(what): \(problem)")
    }

    private mutating func need(_ count: Int) throws {
        guard count >= 0, count <= end - position else {
            throw fail("truncated (needs \(count) bytes at byte \(position), has \(max(0, end - position)))")
        }
    }

    mutating func u8() throws -> Int {
        try need(1)
        defer { position += 1 }
        return Int(source.bytes[position])
    }

    mutating func u16() throws -> Int { Int(try unsigned(2)) }
    mutating func u32() throws -> Int { Int(try unsigned(4)) }

    /// A little-endian unsigned integer of `size` bytes (up to 8).
    mutating func unsigned(_ size: Int) throws -> UInt64 {
        guard size >= 0, size <= 8 else { throw fail("invalid integer size \(size)") }
        try need(size)
        var value: UInt64 = 0
        for i in 0..<size { value |= UInt64(source.bytes[position + i]) << (8 * UInt64(i)) }
        position += size
        return value
    }

    /// An unsigned integer of `size` bytes that must fit an `Int`.
    mutating func int(_ size: Int, _ field: String) throws -> Int {
        let value = try unsigned(size)
        guard value <= UInt64(Int.max) else { throw fail("\(field) \(value) is too large") }
        return Int(value)
    }

    /// An address; nil for the undefined address (all bits set).
    mutating func address() throws -> Int? {
        let size = source.offsetSize
        let value = try unsigned(size)
        let undefined: UInt64 = size == 8 ? .max : (1 << UInt64(8 * size)) - 1
        if value == undefined { return nil }
        guard value <= UInt64(Int.max / 2) else { throw fail("address \(value) is too large") }
        return Int(value)
    }

    /// A length field.
    mutating func length(_ field: String = "length") throws -> Int {
        let value = try unsigned(source.lengthSize)
        guard value <= UInt64(Int.max / 2) else { throw fail("\(field) \(value) is too large") }
        return Int(value)
    }

    mutating func take(_ count: Int) throws -> ArraySlice<UInt8> {
        try need(count)
        defer { position += count }
        return source.bytes[position..<position + count]
    }

    mutating func skip(_ count: Int) throws {
        try need(count)
        position += count
    }

    /// Checks a four-byte signature such as `TREE`.
    mutating func signature(_ expected: String) throws {
        let found = try take(4)
        guard found.elementsEqual(expected.utf8) else {
            throw fail("bad signature (expected '\(expected)', found \(found.map { String($0, radix: 16) }.joined(separator: " ")))")
        }
    }

    /// A null-terminated string (at most up to the end).
    mutating func cString() throws -> String {
        var stop = position
        while stop < end && source.bytes[stop] != 0 { stop += 1 }
        guard stop < end else { throw fail("unterminated string") }
        defer { position = stop + 1 }
        return String(decoding: source.bytes[position..<stop], as: UTF8.self)
    }

    /// Moves to the next multiple of `alignment` counted from `origin`.
    mutating func align(_ alignment: Int, from origin: Int) throws {
        let misalignment = (position - origin) % alignment
        if misalignment != 0 { try skip(min(alignment - misalignment, remaining)) }
    }
}

/// The smallest number of bytes that encode `value` (H5VM_limit_enc_size).
func hdf5EncodedSize(_ value: UInt64) -> Int {
    value == 0 ? 1 : (63 - value.leadingZeroBitCount) / 8 + 1
}
