// Object headers (versions 1 and 2, with continuation blocks): the list of messages that
// describes a group or a dataset, and the superblock that locates the root group.

/// The message types the reader uses.
enum HDF5MessageType {
    static let dataspace = 0x01, linkInfo = 0x02, datatype = 0x03, fillValueOld = 0x04, fillValue = 0x05
    static let link = 0x06, layout = 0x08, filterPipeline = 0x0B, attribute = 0x0C
    static let continuation = 0x10, symbolTable = 0x11, attributeInfo = 0x15
}

/// One message of an object header.
struct HDF5Message {
    var type: Int
    var flags: Int
    /// The creation order, when the header tracks it (version 2 headers).
    var creationOrder: Int?
    var data: [UInt8]

    /// Whether the message is stored elsewhere (a shared, committed datatype).
    var isShared: Bool { flags & 0x02 != 0 }
}

/// The decoded object header of a group, dataset or committed datatype.
struct HDF5ObjectHeader {
    var messages: [HDF5Message] = []

    func first(_ type: Int) -> HDF5Message? { messages.first { $0.type == type } }
    func all(_ type: Int) -> [HDF5Message] { messages.filter { $0.type == type } }

    /// The most continuation blocks one header may have: more is a corrupt (or looping) file.
    static let maxBlocks = 4096

    init(source: HDF5Source, address: Int) throws {
        let probe = try source.cursor(at: address, what: "object header at \(address)")
        guard probe.remaining >= 4 else { throw probe.fail("truncated") }
        if source.bytes[probe.position..<probe.position + 4].elementsEqual("OHDR".utf8) {
            try readVersion2(source: source, address: address)
        } else {
            try readVersion1(source: source, address: address)
        }
    }

    private mutating func readVersion1(source: HDF5Source, address: Int) throws {
        var c = try source.cursor(at: address, what: "object header at \(address)")
        let version = try c.u8()
        guard version == 1 else { throw c.fail("unsupported object header version \(version)") }
        try c.skip(1)
        let messageCount = try c.u16()
        try c.skip(4)
        let size = try c.u32()
        try c.skip(4)  // Padding to eight bytes.
        var blocks = [(start: address + 16, count: size)]
        var seen = Set<Int>()
        var index = 0
        var parsed = 0
        while index < blocks.count {
            let block = blocks[index]
            index += 1
            guard seen.insert(block.start).inserted, blocks.count <= Self.maxBlocks else {
                throw source.fail("object header at \(address): its continuation blocks form a loop")
            }
            var m = try source.cursor(at: block.start, count: block.count, what: "object header at \(address)")
            while m.remaining >= 8 && parsed < messageCount {
                parsed += 1
                let type = try m.u16()
                let size = try m.u16()
                let flags = try m.u8()
                try m.skip(3)
                let data = Array(try m.take(size))
                try m.align(8, from: block.start)
                try add(HDF5Message(type: type, flags: flags, creationOrder: nil, data: data), source: source, blocks: &blocks)
            }
        }
    }

    private mutating func readVersion2(source: HDF5Source, address: Int) throws {
        var c = try source.cursor(at: address, what: "object header at \(address)")
        try c.signature("OHDR")
        let version = try c.u8()
        guard version == 2 else { throw c.fail("unsupported object header version \(version)") }
        let headerFlags = try c.u8()
        if headerFlags & 0x20 != 0 { try c.skip(16) }
        if headerFlags & 0x10 != 0 { try c.skip(4) }
        let size = try c.int(1 << (headerFlags & 3), "first chunk size")
        var blocks = [(start: c.position - source.base, count: size)]
        var seen = Set<Int>()
        var index = 0
        let tracksOrder = headerFlags & 0x04 != 0
        while index < blocks.count {
            let block = blocks[index]
            index += 1
            guard seen.insert(block.start).inserted, blocks.count <= Self.maxBlocks else {
                throw source.fail("object header at \(address): its continuation blocks form a loop")
            }
            var m = try source.cursor(at: block.start, count: block.count, what: "object header at \(address)")
            if index > 1 {
                try m.signature("OCHK")
                guard m.remaining >= 4 else { throw m.fail("truncated continuation block") }
                m = try source.cursor(at: block.start + 4, count: block.count - 8, what: "object header at \(address)")
            }
            let headerSize = tracksOrder ? 6 : 4
            while m.remaining >= headerSize {
                let type = try m.u8()
                let size = try m.u16()
                let flags = try m.u8()
                let order = tracksOrder ? try m.u16() : nil
                let data = Array(try m.take(size))
                try add(HDF5Message(type: type, flags: flags, creationOrder: order, data: data), source: source, blocks: &blocks)
            }
        }
    }

    private mutating func add(_ message: HDF5Message, source: HDF5Source, blocks: inout [(start: Int, count: Int)]) throws {
        if message.type == HDF5MessageType.continuation {
            var c = source.cursor(over: message.data, what: "continuation message")
            guard let target = try c.address() else { throw c.fail("undefined address") }
            let length = try c.length()
            blocks.append((target, length))
        } else if message.type != 0 {
            messages.append(message)
        }
    }
}

/// The superblock (versions 0 to 3): sizes of addresses and lengths, and the root group.
struct HDF5Superblock {
    static let signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]

    var rootAddress: Int
    var source: HDF5Source

    /// Finds the superblock (at 0, 512, 1024, 2048… as HDF5 allows a user block) and reads it.
    init(bytes: [UInt8], name: String) throws {
        var start = 0
        while true {
            guard start + 8 <= bytes.count else {
                throw KerasError.invalidData("\(name): not an HDF5 file (no HDF5 signature)")
            }
            if bytes[start..<start + 8].elementsEqual(Self.signature) { break }
            start = start == 0 ? 512 : start * 2
        }
        var source = HDF5Source(bytes: bytes, name: name)
        var c = try source.cursor(at: start + 8, what: "superblock")
        let version = try c.u8()
        switch version {
        case 0, 1:
            try c.skip(4)  // Free-space, root symbol table and shared header versions, reserved.
            source.offsetSize = try c.u8()
            source.lengthSize = try c.u8()
            try c.skip(1)
            try c.skip(4)  // Group leaf and internal node K.
            try c.skip(4)  // Flags.
            if version == 1 { try c.skip(4) }
        case 2, 3:
            source.offsetSize = try c.u8()
            source.lengthSize = try c.u8()
            try c.skip(1)
        default:
            throw c.fail("unsupported superblock version \(version)")
        }
        guard [2, 4, 8].contains(source.offsetSize), [2, 4, 8].contains(source.lengthSize) else {
            throw c.fail("unsupported address size \(source.offsetSize) or length size \(source.lengthSize)")
        }
        c = HDF5Cursor(source: source, position: c.position, end: c.end, what: "superblock")
        let base = try c.address() ?? 0
        guard base <= bytes.count else { throw c.fail("base address \(base) is past the end of the file") }
        if version < 2 {
            _ = try c.address()  // Free-space info.
            _ = try c.address()  // End of file.
            _ = try c.address()  // Driver info.
            _ = try c.address()  // Root entry's link name offset.
            guard let root = try c.address() else { throw c.fail("no root group") }
            rootAddress = root
        } else {
            _ = try c.address()  // Superblock extension.
            _ = try c.address()  // End of file.
            guard let root = try c.address() else { throw c.fail("no root group") }
            rootAddress = root
        }
        source.base = base
        self.source = source
    }
}
