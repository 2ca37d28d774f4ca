// The members of a group, in all the ways HDF5 stores them: old-style symbol tables (a version 1
// B-tree of symbol table nodes whose names are in a local heap), link messages in the object
// header (compact), and links in a fractal heap indexed by a version 2 B-tree (dense).

/// A hard link from a group to an object.
struct HDF5Link {
    var name: String
    var address: Int
    /// The creation order, when the group tracks it.
    var order: Int
}

enum HDF5Groups {
    /// The hard links of the group whose header is `header`: by creation order when the group
    /// tracks it, otherwise by name (h5py's order). Soft and external links are left out.
    static func links(_ header: HDF5ObjectHeader, source: HDF5Source) throws -> [HDF5Link] {
        var links: [HDF5Link] = []
        var tracked = false
        if let table = header.first(HDF5MessageType.symbolTable) {
            var c = source.cursor(over: table.data, what: "symbol table message")
            guard let tree = try c.address(), let heap = try c.address() else { throw c.fail("undefined address") }
            links = try symbolTable(tree: tree, heap: heap, source: source)
        }
        for message in header.all(HDF5MessageType.link) {
            if let link = try link(message.data, source: source) { links.append(link) }
        }
        if let info = header.first(HDF5MessageType.linkInfo) {
            var c = source.cursor(over: info.data, what: "link info message")
            let version = try c.u8()
            guard version == 0 else { throw c.fail("unsupported link info version \(version)") }
            let flags = try c.u8()
            tracked = flags & 0x01 != 0
            if flags & 0x01 != 0 { try c.skip(8) }
            let heapAddress = try c.address()
            let nameIndex = try c.address()
            if let heapAddress, let nameIndex {
                let heap = try HDF5FractalHeap(source: source, address: heapAddress)
                for record in try HDF5BTreeV2.records(source: source, address: nameIndex) {
                    // Type 5 record: name hash (4 bytes), heap ID (7 bytes).
                    guard record.count >= 5 else { throw source.fail("link name record of \(record.count) bytes") }
                    if let link = try link(try heap.object(record.dropFirst(4)), source: source) { links.append(link) }
                }
            }
        }
        if tracked {
            links.sort { $0.order < $1.order }
        } else {
            links.sort { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        }
        return links
    }

    /// A link message; nil for soft and external links.
    static func link(_ data: [UInt8], source: HDF5Source) throws -> HDF5Link? {
        var c = source.cursor(over: data, what: "link message")
        let version = try c.u8()
        guard version == 1 else { throw c.fail("unsupported link message version \(version)") }
        let flags = try c.u8()
        let type = flags & 0x08 != 0 ? try c.u8() : 0
        let order = flags & 0x04 != 0 ? Int(truncatingIfNeeded: try c.unsigned(8)) : 0
        if flags & 0x10 != 0 { try c.skip(1) }
        let nameLength = try c.int(1 << (flags & 3), "link name length")
        let name = String(decoding: try c.take(nameLength), as: UTF8.self)
        guard type == 0 else { return nil }
        guard let address = try c.address() else { throw c.fail("link '\(name)' has no address") }
        return HDF5Link(name: name, address: address, order: order)
    }

    /// The entries of an old-style group.
    static func symbolTable(tree: Int, heap: Int, source: HDF5Source) throws -> [HDF5Link] {
        var h = try source.cursor(at: heap, what: "local heap at \(heap)")
        try h.signature("HEAP")
        try h.skip(4)
        let dataSize = try h.length("local heap size")
        _ = try h.length()
        guard let dataAddress = try h.address() else { throw h.fail("undefined data address") }
        let names = try source.cursor(at: dataAddress, count: dataSize, what: "local heap data at \(dataAddress)")
        var links: [HDF5Link] = []
        var visited = Set<Int>()
        try walkBTreeV1(at: tree, type: 0, keySize: source.lengthSize, source: source, visited: &visited) { _, node in
            var s = try source.cursor(at: node, what: "symbol table node at \(node)")
            try s.signature("SNOD")
            try s.skip(2)
            let count = try s.u16()
            for _ in 0..<count {
                let nameOffset = try s.length("link name offset")
                guard let object = try s.address() else { throw s.fail("undefined object address") }
                try s.skip(24)  // Cache type, reserved, scratch pad.
                var n = names
                guard nameOffset < dataSize else { throw n.fail("name offset \(nameOffset) is past the heap's \(dataSize) bytes") }
                n.position += nameOffset
                links.append(HDF5Link(name: try n.cString(), address: object, order: links.count))
            }
        }
        return links
    }

    /// Calls `visit(key before the child, child address)` for each leaf entry of a version 1
    /// B-tree of `type` (0 groups, 1 chunks), in order.
    static func walkBTreeV1(at address: Int, type: Int, keySize: Int, source: HDF5Source, visited: inout Set<Int>,
                            level expected: Int? = nil, _ visit: (ArraySlice<UInt8>, Int) throws -> Void) throws {
        guard visited.insert(address).inserted else { throw source.fail("B-tree nodes form a loop at \(address)") }
        var c = try source.cursor(at: address, what: "B-tree node at \(address)")
        try c.signature("TREE")
        let nodeType = try c.u8()
        let level = try c.u8()
        let entries = try c.u16()
        guard nodeType == type else { throw c.fail("B-tree node of type \(nodeType), expected \(type)") }
        if let expected, level != expected { throw c.fail("B-tree node at level \(level), expected \(expected)") }
        _ = try c.address()
        _ = try c.address()
        for _ in 0..<entries {
            let key = try c.take(keySize)
            guard let child = try c.address() else { throw c.fail("undefined child address") }
            if level == 0 {
                try visit(key, child)
            } else {
                try walkBTreeV1(at: child, type: type, keySize: keySize, source: source, visited: &visited, level: level - 1, visit)
            }
        }
    }
}
