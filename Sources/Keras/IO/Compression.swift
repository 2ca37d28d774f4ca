// The gzip (RFC 1952) and zlib (RFC 1950) wrappers around DEFLATE, with their checksums.

/// Decompression of DEFLATE data (RFC 1951), bare or in its gzip and zlib wrappers, in Swift:
/// nothing beyond the toolchain is needed.
///
/// Every malformed input throws `KerasError.invalidData` naming `name` and the problem: bad
/// magic bytes, invalid Huffman codes, matches reaching before the data, truncation, checksum
/// or length mismatches, or output beyond `maxOutputBytes`.
public enum Inflate {
    /// Decompresses a gzip file's bytes (one or more members, as `gzip -d` and Python's `gzip`
    /// read them; zero padding after the last member is ignored).
    public static func gzip(_ data: [UInt8], name: String = "gzip data", maxOutputBytes: Int = .max) throws -> [UInt8] {
        try data.withUnsafeBytes { try gzip($0, name: name, limit: maxOutputBytes).bytes() }
    }

    /// Decompresses a zlib stream (the wrapper of PNG and `zlib.compress`), checking its Adler-32.
    public static func zlib(_ data: [UInt8], name: String = "zlib data", maxOutputBytes: Int = .max) throws -> [UInt8] {
        try data.withUnsafeBytes { try zlib($0, name: name, limit: maxOutputBytes).bytes() }
    }

    /// Decompresses a raw DEFLATE stream (a ZIP member's data); bytes after the stream are an error.
    public static func raw(_ data: [UInt8], name: String = "DEFLATE data", maxOutputBytes: Int = .max) throws -> [UInt8] {
        try data.withUnsafeBytes { input in
            let output = InflateOutput(expectedCount: initialCapacity(compressed: input.count, hint: nil, limit: maxOutputBytes),
                                       limit: maxOutputBytes, name: name)
            let consumed = try Inflater.inflate(input, into: output)
            guard consumed == input.count else {
                throw KerasError.invalidData("\(name): \(input.count - consumed) bytes after the end of the DEFLATE stream")
            }
            return output.bytes()
        }
    }

    /// Whether `bytes` start with the gzip magic number.
    static func isGzip(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }

    /// DEFLATE expands at most 1032 times: a size hint beyond that is a lie and is not allocated.
    static func initialCapacity(compressed: Int, hint: Int?, limit: Int) -> Int {
        let (bound, overflow) = compressed.multipliedReportingOverflow(by: 1032)
        let ceiling = overflow ? limit : min(bound + 1024, limit)
        return min(hint ?? compressed * 4, ceiling)
    }

    static func gzip(_ input: UnsafeRawBufferPointer, name: String, limit: Int) throws -> InflateOutput {
        func fail(_ problem: String) -> KerasError { KerasError.invalidData("\(name): \(problem)") }
        let count = input.count
        guard count > 0 else { throw fail("empty file, not gzip data") }
        let hint = count >= 18 ? ByteView(input).u32(count - 4) : nil
        let output = InflateOutput(expectedCount: initialCapacity(compressed: count, hint: hint, limit: limit),
                                   limit: limit, name: name)
        let view = ByteView(input)
        var offset = 0
        var member = 0
        while offset < count {
            let location = member == 0 ? "" : " (member \(member + 1), at byte \(offset))"
            guard count - offset >= 2, input[offset] == 0x1F, input[offset + 1] == 0x8B else {
                throw fail(member == 0 ? "not gzip data (bad magic number)" : "data after the gzip stream is not gzip\(location)")
            }
            guard count - offset >= 10 else { throw fail("truncated gzip header\(location)") }
            guard input[offset + 2] == 8 else { throw fail("unknown gzip compression method \(input[offset + 2])\(location)") }
            let flags = input[offset + 3]
            guard flags & 0xE0 == 0 else { throw fail("reserved gzip header flags are set\(location)") }
            var p = offset + 10
            if flags & 0x04 != 0 {
                guard count - p >= 2 else { throw fail("truncated gzip header\(location)") }
                let extraLength = view.u16(p)
                p += 2
                guard count - p >= extraLength else { throw fail("truncated gzip header\(location)") }
                p += extraLength
            }
            for flag: UInt8 in [0x08, 0x10] where flags & flag != 0 {
                while p < count && input[p] != 0 { p += 1 }
                guard p < count else { throw fail("truncated gzip header\(location)") }
                p += 1
            }
            if flags & 0x02 != 0 {
                guard count - p >= 2 else { throw fail("truncated gzip header\(location)") }
                let stored = view.u16(p)
                let computed = Int(CRC32.checksum(UnsafeRawBufferPointer(rebasing: input[offset..<p])) & 0xFFFF)
                guard stored == computed else { throw fail("gzip header checksum mismatch\(location)") }
                p += 2
            }
            let start = output.count
            p += try Inflater.inflate(UnsafeRawBufferPointer(rebasing: input[p...]), into: output)
            guard count - p >= 8 else { throw fail("truncated: the gzip trailer (CRC-32 and length) is missing\(location)") }
            let storedCRC = UInt32(view.u32(p)), storedSize = UInt32(view.u32(p + 4))
            let crc = CRC32.checksum(UnsafeRawBufferPointer(start: output.base + start, count: output.count - start))
            guard crc == storedCRC else {
                throw fail("CRC-32 mismatch: the trailer says \(hex(storedCRC)), the data gives \(hex(crc))\(location)")
            }
            guard storedSize == UInt32(truncatingIfNeeded: output.count - start) else {
                throw fail("length mismatch: the trailer says \(storedSize) bytes (mod 2^32), the data has \(output.count - start)\(location)")
            }
            offset = p + 8
            member += 1
            var next = offset
            while next < count && input[next] == 0 { next += 1 }
            if next == count { break }
        }
        return output
    }

    static func zlib(_ input: UnsafeRawBufferPointer, name: String, limit: Int) throws -> InflateOutput {
        func fail(_ problem: String) -> KerasError { KerasError.invalidData("\(name): \(problem)") }
        guard input.count >= 2 else { throw fail("truncated zlib header") }
        let cmf = Int(input[0]), flg = Int(input[1])
        guard cmf & 0x0F == 8, cmf >> 4 <= 7, (cmf << 8 | flg) % 31 == 0 else { throw fail("not zlib data (bad header)") }
        guard flg & 0x20 == 0 else { throw fail("zlib data with a preset dictionary is not supported") }
        let output = InflateOutput(expectedCount: initialCapacity(compressed: input.count, hint: nil, limit: limit),
                                   limit: limit, name: name)
        let p = 2 + (try Inflater.inflate(UnsafeRawBufferPointer(rebasing: input[2...]), into: output))
        guard input.count - p >= 4 else { throw fail("truncated: the Adler-32 checksum is missing") }
        let stored = UInt32(input[p]) << 24 | UInt32(input[p + 1]) << 16 | UInt32(input[p + 2]) << 8 | UInt32(input[p + 3])
        let computed = Adler32.update(1, UnsafeRawBufferPointer(start: output.base, count: output.count))
        guard stored == computed else {
            throw fail("Adler-32 mismatch: the stream says \(hex(stored)), the data gives \(hex(computed))")
        }
        guard p + 4 == input.count else { throw fail("\(input.count - p - 4) bytes after the end of the zlib stream") }
        return output
    }

    static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
    }
}

/// Little-endian reads from a byte buffer; the caller checks the bounds.
struct ByteView {
    let bytes: UnsafeRawBufferPointer
    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    func u16(_ offset: Int) -> Int { Int(bytes[offset]) | Int(bytes[offset + 1]) << 8 }
    func u32(_ offset: Int) -> Int { u16(offset) | u16(offset + 2) << 16 }
    func u64(_ offset: Int) -> UInt64 { UInt64(u32(offset)) | UInt64(u32(offset + 4)) << 32 }
}
