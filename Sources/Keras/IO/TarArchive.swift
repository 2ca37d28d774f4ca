// Tar archives (POSIX ustar, pax and GNU), as far as reading the files of a dataset archive
// such as `cifar-10-python.tar.gz` needs: member names and where their data lies.

/// The members of a tar archive held in memory. Nothing is extracted to disk, so member names
/// cannot escape a folder; links and devices are listed but have no data.
enum TarArchive {
    /// One member: its path inside the archive and the byte range of its data.
    struct Entry {
        var name: String
        /// Whether the member is a regular file (the others are folders, links and the like).
        var isFile: Bool
        var data: Range<Int>
    }

    /// The members of the archive `bytes`, in order; `name` names the archive in errors.
    ///
    /// Reads ustar headers (with their `prefix` field), pax extended headers (`path`, `size`)
    /// and GNU long names, checks every header's checksum, and stops at the first zero block.
    static func entries(_ bytes: UnsafeRawBufferPointer, name: String) throws -> [Entry] {
        func fail(_ problem: String, at offset: Int) -> KerasError {
            KerasError.invalidData("\(name): \(problem) (tar header at byte \(offset))")
        }
        var entries: [Entry] = []
        var offset = 0
        // Overrides for the next member, from a pax extended header or a GNU long name.
        var nextName: String?
        var nextSize: Int?
        while true {
            guard bytes.count - offset >= 512 else {
                if offset == bytes.count && !entries.isEmpty { return entries }
                throw fail(offset == 0 ? "empty or too short to be a tar archive" : "truncated tar archive", at: offset)
            }
            let header = UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + 512)])
            if header.allSatisfy({ $0 == 0 }) {
                guard !entries.isEmpty || nextName != nil else { throw fail("no members", at: offset) }
                return entries
            }
            let stored = try number(header, 148, 8, name: "checksum", fail: { fail($0, at: offset) })
            var unsigned = 0, signed = 0
            for (i, byte) in header.enumerated() {
                let value = (148..<156).contains(i) ? 0x20 : byte
                unsigned += Int(value)
                signed += Int(Int8(bitPattern: value))
            }
            guard stored == unsigned || stored == signed else {
                throw fail(entries.isEmpty && nextName == nil ? "not a tar archive (bad header checksum)" : "bad header checksum",
                           at: offset)
            }
            var size = try number(header, 124, 12, name: "size", fail: { fail($0, at: offset) })
            if let override = nextSize { size = override }
            let dataStart = offset + 512
            guard size <= bytes.count - dataStart else {
                throw fail("member data (\(size) bytes) runs past the end of the archive", at: offset)
            }
            let data = UnsafeRawBufferPointer(rebasing: bytes[dataStart..<(dataStart + size)])
            let type = header[156]
            switch type {
            case UInt8(ascii: "x"):  // pax extended header for the next member
                (nextName, nextSize) = try paxRecords(data, current: (nextName, nextSize), fail: { fail($0, at: offset) })
            case UInt8(ascii: "L"):  // GNU long name of the next member
                nextName = string(data)
            case UInt8(ascii: "g"), UInt8(ascii: "K"):  // pax global header, GNU long link name
                break
            default:
                var path = string(UnsafeRawBufferPointer(rebasing: header[0..<100]))
                let magic = UnsafeRawBufferPointer(rebasing: header[257..<263])
                if magic.elementsEqual("ustar\0".utf8) {
                    let prefix = string(UnsafeRawBufferPointer(rebasing: header[345..<500]))
                    if !prefix.isEmpty { path = prefix + "/" + path }
                }
                path = nextName ?? path
                while path.hasPrefix("./") { path.removeFirst(2) }
                while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
                entries.append(Entry(name: path, isFile: type == 0 || type == UInt8(ascii: "0") || type == UInt8(ascii: "7"),
                                     data: dataStart..<(dataStart + size)))
                nextName = nil
                nextSize = nil
            }
            // Data is padded to whole blocks; the padding of the last member may be cut off.
            let padded = (size + 511) / 512 * 512
            offset = min(dataStart + padded, bytes.count)
        }
    }

    /// A NUL-terminated field as text.
    private static func string(_ field: UnsafeRawBufferPointer) -> String {
        String(decoding: field.prefix { $0 != 0 }, as: UTF8.self)
    }

    /// A numeric header field: octal digits (space or NUL padded), or GNU's base-256 for large values.
    private static func number(_ header: UnsafeRawBufferPointer, _ start: Int, _ width: Int, name: String,
                               fail: (String) -> KerasError) throws -> Int {
        let field = UnsafeRawBufferPointer(rebasing: header[start..<(start + width)])
        if field[0] & 0x80 != 0 {
            guard field[0] == 0x80, field[1..<(width - 7)].allSatisfy({ $0 == 0 }) else {
                throw fail("\(name) field out of range")
            }
            var value = 0
            for byte in field[(width - 7)...] { value = value << 8 | Int(byte) }
            return value
        }
        var value = 0
        var digits = 0
        for byte in field {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                guard value <= Int.max >> 3 else { throw fail("\(name) field out of range") }
                value = value << 3 | Int(byte - UInt8(ascii: "0"))
                digits += 1
            case UInt8(ascii: " ") where digits == 0:
                continue
            case 0, UInt8(ascii: " "):
                return value
            default:
                throw fail("bad \(name) field")
            }
        }
        return value
    }

    /// The `path` and `size` records of a pax extended header (`"<length> <key>=<value>\n"` each).
    private static func paxRecords(_ data: UnsafeRawBufferPointer, current: (String?, Int?),
                                   fail: (String) -> KerasError) throws -> (String?, Int?) {
        var (path, size) = current
        var p = 0
        while p < data.count {
            guard let space = data[p...].firstIndex(of: UInt8(ascii: " ")),
                  let length = Int(String(decoding: data[p..<space], as: UTF8.self)),
                  length > space - p + 1, length <= data.count - p, data[p + length - 1] == UInt8(ascii: "\n")
            else { throw fail("bad pax extended header record") }
            let record = data[(space + 1)..<(p + length - 1)]
            guard let equals = record.firstIndex(of: UInt8(ascii: "=")) else { throw fail("bad pax extended header record") }
            let key = String(decoding: record[record.startIndex..<equals], as: UTF8.self)
            let value = String(decoding: record[(equals + 1)...], as: UTF8.self)
            switch key {
            case "path": path = value
            case "size":
                guard let number = Int(value), number >= 0 else { throw fail("bad pax size '\(value)'") }
                size = number
            default: break
            }
            p += length
        }
        return (path, size)
    }
}
