// ZIP archives, as far as `.npz` files need them: reading stored and deflated members through
// the central directory (ZIP64 included), and writing stored members.

/// One member of a ZIP archive, from its central directory record.
struct ZipEntry {
    var name: String
    var flags: Int
    var method: Int
    var crc: UInt32
    var compressedSize: Int
    var uncompressedSize: Int
    var localHeaderOffset: Int
    /// Where the member's data must end: the next member's local header, or the central directory.
    var dataLimit = Int.max
}

enum ZipArchive {
    static let localHeaderSignature = 0x0403_4B50
    static let centralHeaderSignature = 0x0201_4B50
    static let endSignature = 0x0605_4B50
    static let zip64EndSignature = 0x0606_4B50
    static let zip64LocatorSignature = 0x0706_4B50

    /// The members listed in the central directory of the archive `bytes`.
    static func entries(_ bytes: UnsafeRawBufferPointer, name: String) throws -> [ZipEntry] {
        func fail(_ problem: String) -> KerasError { KerasError.invalidData("\(name): \(problem)") }
        let view = ByteView(bytes)
        let count = bytes.count
        guard count >= 22 else { throw fail("too short to be a ZIP archive (\(count) bytes)") }

        // The end-of-central-directory record: 22 bytes plus a comment of at most 65535.
        var end = -1
        var candidate = count - 22
        let lowest = max(0, count - 22 - 0xFFFF)
        while candidate >= lowest {
            if view.u32(candidate) == endSignature && candidate + 22 + view.u16(candidate + 20) <= count {
                end = candidate
                break
            }
            candidate -= 1
        }
        guard end >= 0 else {
            throw fail(view.u32(0) == localHeaderSignature
                ? "truncated ZIP archive: the end of the central directory is missing"
                : "not a ZIP archive (no end-of-central-directory record)")
        }
        var disk = view.u16(end + 4), directoryDisk = view.u16(end + 6)
        var entryCount = view.u16(end + 10)
        var directorySize = view.u32(end + 12), directoryOffset = view.u32(end + 16)
        var directoryLimit = end
        if entryCount == 0xFFFF || directorySize == 0xFFFF_FFFF || directoryOffset == 0xFFFF_FFFF
            || disk == 0xFFFF || directoryDisk == 0xFFFF {
            // ZIP64: a locator just before the record points to the ZIP64 end record.
            guard end >= 20, view.u32(end - 20) == zip64LocatorSignature else {
                throw fail("ZIP64 archive without a ZIP64 end-of-central-directory locator")
            }
            let recordOffset64 = view.u64(end - 12)
            guard end - 20 >= 56, recordOffset64 <= UInt64(end - 20 - 56) else {
                throw fail("ZIP64 end-of-central-directory record offset \(recordOffset64) is out of range")
            }
            let record = Int(recordOffset64)
            guard view.u32(record) == zip64EndSignature else {
                throw fail("bad ZIP64 end-of-central-directory record signature")
            }
            disk = view.u32(record + 16)
            directoryDisk = view.u32(record + 20)
            let entries64 = view.u64(record + 32), size64 = view.u64(record + 40), offset64 = view.u64(record + 48)
            guard entries64 <= UInt64(count), size64 <= UInt64(count), offset64 <= UInt64(count) else {
                throw fail("ZIP64 central directory values are out of range")
            }
            entryCount = Int(entries64)
            directorySize = Int(size64)
            directoryOffset = Int(offset64)
            directoryLimit = record
        }
        guard disk == 0, directoryDisk == 0 else { throw fail("multi-disk ZIP archives are not supported") }
        guard directoryOffset <= directoryLimit, directorySize <= directoryLimit - directoryOffset else {
            throw fail("central directory (offset \(directoryOffset), \(directorySize) bytes) lies outside the file")
        }
        // Each record takes at least 46 bytes: a count the directory cannot hold is a lie.
        guard entryCount <= directorySize / 46 else {
            throw fail("the archive claims \(entryCount) members but its central directory holds at most \(directorySize / 46)")
        }

        var entries: [ZipEntry] = []
        entries.reserveCapacity(entryCount)
        var p = directoryOffset
        let directoryEnd = directoryOffset + directorySize
        for index in 0..<entryCount {
            guard directoryEnd - p >= 46 else { throw fail("central directory record \(index) is truncated") }
            guard view.u32(p) == centralHeaderSignature else {
                throw fail("bad signature in central directory record \(index)")
            }
            let nameLength = view.u16(p + 28), extraLength = view.u16(p + 30), commentLength = view.u16(p + 32)
            guard directoryEnd - p - 46 >= nameLength + extraLength + commentLength else {
                throw fail("central directory record \(index) is truncated")
            }
            let nameBytes = UnsafeRawBufferPointer(rebasing: bytes[(p + 46)..<(p + 46 + nameLength)])
            var entry = ZipEntry(
                name: String(decoding: nameBytes, as: UTF8.self),
                flags: view.u16(p + 8), method: view.u16(p + 10), crc: UInt32(view.u32(p + 16)),
                compressedSize: view.u32(p + 20), uncompressedSize: view.u32(p + 24),
                localHeaderOffset: view.u32(p + 42))
            let entryDisk = view.u16(p + 34)
            // ZIP64 extra field: the 64-bit values of the fields that hold all ones, in this order.
            var e = p + 46 + nameLength
            let extraEnd = e + extraLength
            while extraEnd - e >= 4 {
                let id = view.u16(e), size = view.u16(e + 2)
                guard extraEnd - e - 4 >= size else { throw fail("bad extra field in central directory record \(index)") }
                if id == 0x0001 {
                    var q = e + 4
                    func next64() throws -> Int {
                        guard e + 4 + size - q >= 8 else { throw fail("short ZIP64 extra field in record \(index)") }
                        let value = view.u64(q)
                        q += 8
                        guard value <= UInt64(Int.max) else { throw fail("ZIP64 size out of range in record \(index)") }
                        return Int(value)
                    }
                    if entry.uncompressedSize == 0xFFFF_FFFF { entry.uncompressedSize = try next64() }
                    if entry.compressedSize == 0xFFFF_FFFF { entry.compressedSize = try next64() }
                    if entry.localHeaderOffset == 0xFFFF_FFFF { entry.localHeaderOffset = try next64() }
                }
                e += 4 + size
            }
            guard entryDisk == 0 || entryDisk == 0xFFFF else { throw fail("multi-disk ZIP archives are not supported") }
            entries.append(entry)
            p += 46 + nameLength + extraLength + commentLength
        }
        // Two members of one name would be read differently by different readers (the first
        // here, the last by Python's zipfile): such an archive is refused.
        var names = Set<String>()
        for entry in entries where !names.insert(entry.name).inserted {
            throw fail("two members are named '\(entry.name)'; a reader could take either")
        }
        // Members may not share or overlap their data, as small ZIP bombs do (Python's zipfile
        // refuses them too): each one's data ends by the next local header or the directory.
        let order = entries.indices.sorted { entries[$0].localHeaderOffset < entries[$1].localHeaderOffset }
        for (rank, index) in order.enumerated() {
            entries[index].dataLimit = rank + 1 < order.count ? entries[order[rank + 1]].localHeaderOffset : directoryOffset
        }
        return entries
    }

    /// Calls `body` with the uncompressed bytes of `entry`, checking sizes and the CRC-32.
    static func withContents<R>(of entry: ZipEntry, in bytes: UnsafeRawBufferPointer, name: String,
                                _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        let member = "\(name), member '\(entry.name)'"
        func fail(_ problem: String) -> KerasError { KerasError.invalidData("\(member): \(problem)") }
        let view = ByteView(bytes)
        let offset = entry.localHeaderOffset
        guard offset <= bytes.count - 30 else { throw fail("local header offset \(offset) is outside the file") }
        guard view.u32(offset) == localHeaderSignature else { throw fail("bad local header signature") }
        guard entry.flags & 1 == 0 else { throw fail("encrypted members are not supported") }
        let dataStart = offset + 30 + view.u16(offset + 26) + view.u16(offset + 28)
        guard dataStart <= bytes.count, entry.compressedSize <= bytes.count - dataStart else {
            throw fail("data (\(entry.compressedSize) bytes at offset \(dataStart)) runs past the end of the file")
        }
        guard entry.compressedSize <= entry.dataLimit - dataStart else {
            throw fail("data (\(entry.compressedSize) bytes at offset \(dataStart)) overlaps the next member or the "
                        + "central directory at offset \(entry.dataLimit) (a ZIP bomb?)")
        }
        guard entry.uncompressedSize <= MemoryBudget.bytes else {
            throw fail("it declares \(MemoryBudget.describe(Double(entry.uncompressedSize))), more than this process can allocate "
                        + "(\(MemoryBudget.describe(Double(MemoryBudget.bytes))))")
        }
        let data = UnsafeRawBufferPointer(rebasing: bytes[dataStart..<(dataStart + entry.compressedSize)])
        func checked(_ contents: UnsafeRawBufferPointer) throws -> R {
            let crc = CRC32.checksum(contents)
            guard crc == entry.crc else {
                throw fail("CRC-32 mismatch: the directory says \(Inflate.hex(entry.crc)), the data gives \(Inflate.hex(crc))")
            }
            return try body(contents)
        }
        switch entry.method {
        case 0:
            guard entry.compressedSize == entry.uncompressedSize else {
                throw fail("stored member with compressed size \(entry.compressedSize) and size \(entry.uncompressedSize)")
            }
            return try checked(data)
        case 8:
            let (bound, overflow) = entry.compressedSize.multipliedReportingOverflow(by: 1032)
            guard overflow || entry.uncompressedSize <= bound + 1024 else {
                throw fail("the directory claims \(entry.uncompressedSize) bytes from \(entry.compressedSize) compressed bytes, "
                            + "more than DEFLATE can produce")
            }
            let output = InflateOutput(expectedCount: entry.uncompressedSize, limit: entry.uncompressedSize, name: member)
            _ = try Inflater.inflate(data, into: output)
            guard output.count == entry.uncompressedSize else {
                throw fail("decompressed to \(output.count) bytes, the directory says \(entry.uncompressedSize)")
            }
            return try checked(UnsafeRawBufferPointer(start: output.base, count: output.count))
        default:
            throw fail("compression method \(entry.method) is not supported (only stored and deflated)")
        }
    }

    /// A member to write: its name, size, CRC-32, and a closure that writes exactly `size` bytes.
    struct StoredMember {
        var name: String
        var size: Int
        var crc: UInt32
        var write: (FileWriter) throws -> Void
    }

    /// Writes an archive of stored (uncompressed) members, dated 1980-01-01 as NumPy's are.
    static func write(_ members: [StoredMember], to writer: FileWriter, name: String) throws {
        var central: [UInt8] = []
        guard members.count < 0xFFFF else {
            throw KerasError.invalidArgument(name: "arrays", value: "\(members.count) arrays", expected: "fewer than 65535")
        }
        for member in members {
            let offset = writer.offset
            let nameBytes = Array(member.name.utf8)
            let isASCII = nameBytes.allSatisfy { $0 < 0x80 }
            guard offset + 30 + nameBytes.count + member.size < 0xFFFF_FFFF, nameBytes.count <= 0xFFFF else {
                throw KerasError.invalidArgument(
                    name: "arrays", value: "\(name)",
                    expected: "an archive under 4 GiB (save larger arrays one by one with NumPy.save)")
            }
            var header: [UInt8] = []
            func common(_ buffer: inout [UInt8]) {
                buffer.appendLittleEndian(20, byteCount: 2)                    // version needed: 2.0
                buffer.appendLittleEndian(isASCII ? 0 : 0x0800, byteCount: 2)  // flags: UTF-8 name
                buffer.appendLittleEndian(0, byteCount: 2)                     // method: stored
                buffer.appendLittleEndian(0, byteCount: 2)                     // time 00:00:00
                buffer.appendLittleEndian(0x21, byteCount: 2)                  // date 1980-01-01
                buffer.appendLittleEndian(Int(member.crc), byteCount: 4)
                buffer.appendLittleEndian(member.size, byteCount: 4)
                buffer.appendLittleEndian(member.size, byteCount: 4)
                buffer.appendLittleEndian(nameBytes.count, byteCount: 2)
                buffer.appendLittleEndian(0, byteCount: 2)                     // extra field length
            }
            header.appendLittleEndian(localHeaderSignature, byteCount: 4)
            common(&header)
            header += nameBytes
            try writer.write(header)
            let before = writer.offset
            try member.write(writer)
            precondition(writer.offset - before == member.size, "ZipArchive.write: member size mismatch")

            central.appendLittleEndian(centralHeaderSignature, byteCount: 4)
            central.appendLittleEndian(3 << 8 | 20, byteCount: 2)             // made by: Unix, 2.0
            common(&central)
            central.appendLittleEndian(0, byteCount: 2)                       // comment length
            central.appendLittleEndian(0, byteCount: 2)                       // disk
            central.appendLittleEndian(0, byteCount: 2)                       // internal attributes
            central.appendLittleEndian(0o100644 << 16, byteCount: 4)          // external attributes: regular file, rw-r--r--
            central.appendLittleEndian(offset, byteCount: 4)
            central += nameBytes
        }
        let directoryOffset = writer.offset
        guard directoryOffset + central.count < 0xFFFF_FFFF else {
            throw KerasError.invalidArgument(
                name: "arrays", value: "\(name)", expected: "an archive under 4 GiB (save larger arrays one by one with NumPy.save)")
        }
        var end: [UInt8] = []
        end.appendLittleEndian(endSignature, byteCount: 4)
        end.appendLittleEndian(0, byteCount: 2)
        end.appendLittleEndian(0, byteCount: 2)
        end.appendLittleEndian(members.count, byteCount: 2)
        end.appendLittleEndian(members.count, byteCount: 2)
        end.appendLittleEndian(central.count, byteCount: 4)
        end.appendLittleEndian(directoryOffset, byteCount: 4)
        end.appendLittleEndian(0, byteCount: 2)
        try writer.write(central)
        try writer.write(end)
    }
}
