// Writes an HDF5Group as the simplest HDF5 file that h5py and Keras read: superblock version 0,
// version 1 object headers, old-style groups (a version 1 B-tree of symbol table nodes and a
// local heap of names), contiguous datasets, and attributes whose strings are variable-length
// UTF-8 in a global heap (as h5py writes Python `str`) or fixed-length (numpy bytes arrays).

struct HDF5Writer {
    /// Symbol table node capacity is 2 × leaf K entries; a B-tree node has up to 2 × internal K children.
    static let leafK = 4, internalK = 16
    static let undefined = -1
    static let maxMessageSize = 0xFFF8

    private var out: [UInt8] = []
    /// Where each variable-length string is: global heap collection and object index.
    private var heapIDs: [String: (collection: Int, index: Int)] = [:]

    static func encode(_ root: HDF5Group) throws -> [UInt8] {
        var writer = HDF5Writer()
        writer.out.reserveCapacity(dataBytes(root) + (1 << 20))
        writer.out += [UInt8](repeating: 0, count: 96)
        var strings: [String] = []
        try collectStrings(root, into: &strings)
        writer.writeGlobalHeaps(strings)
        let (header, tree, heap) = try writer.writeGroup(root, path: "/")
        writer.writeSuperblock(root: header, tree: tree, heap: heap)
        return writer.out
    }

    /// The bytes of the datasets' values, to allocate the file once.
    private static func dataBytes(_ group: HDF5Group) -> Int {
        group.members.reduce(0) { total, member in
            switch member.node {
            case .group(let child): return total + dataBytes(child) + 1024
            case .dataset(let dataset): return total + dataset.array.bytes.count + 512
            }
        }
    }

    // MARK: Bytes

    private mutating func align8() {
        while out.count % 8 != 0 { out.append(0) }
    }

    private static func put(_ value: Int, _ size: Int, into bytes: inout [UInt8]) {
        bytes.appendLittleEndian(value, byteCount: size)
    }

    private static func patch(_ value: Int, _ size: Int, at offset: Int, in bytes: inout [UInt8]) {
        let bits = UInt64(bitPattern: Int64(value))
        for i in 0..<size { bytes[offset + i] = UInt8(truncatingIfNeeded: bits >> (8 * UInt64(i))) }
    }

    private static func padded(_ bytes: [UInt8]) -> [UInt8] {
        bytes + [UInt8](repeating: 0, count: (8 - bytes.count % 8) % 8)
    }

    // MARK: Superblock

    private mutating func writeSuperblock(root: Int, tree: Int, heap: Int) {
        var s: [UInt8] = HDF5Superblock.signature
        s += [0, 0, 0, 0, 0, 8, 8, 0]
        Self.put(Self.leafK, 2, into: &s)
        Self.put(Self.internalK, 2, into: &s)
        Self.put(0, 4, into: &s)  // Flags.
        Self.put(0, 8, into: &s)  // Base address.
        Self.put(Self.undefined, 8, into: &s)  // Free-space info.
        Self.put(out.count, 8, into: &s)  // End of file.
        Self.put(Self.undefined, 8, into: &s)  // Driver info.
        // The root group's symbol table entry, with its B-tree and heap cached (as the library writes it).
        Self.put(0, 8, into: &s)
        Self.put(root, 8, into: &s)
        Self.put(1, 4, into: &s)
        Self.put(0, 4, into: &s)
        Self.put(tree, 8, into: &s)
        Self.put(heap, 8, into: &s)
        out.replaceSubrange(0..<96, with: s)
    }

    // MARK: Strings in the global heap

    /// The attribute strings that are stored as variable-length strings, in tree order.
    private static func collectStrings(_ group: HDF5Group, into strings: inout [String]) throws {
        func add(_ attributes: [(name: String, value: HDF5Attribute)]) {
            for (_, value) in attributes {
                switch value {
                case .string(let string): strings.append(string)
                case .strings(let list) where !fitsFixedLength(list): strings += list
                default: break
                }
            }
        }
        add(group.attributes)
        for (_, node) in group.members {
            switch node {
            case .group(let child): try collectStrings(child, into: &strings)
            case .dataset(let dataset): add(dataset.attributes)
            }
        }
    }

    /// Whether a string array can be a fixed-length attribute, as Keras 2 writes `layer_names`:
    /// small enough (an attribute message holds at most 64 KiB) and without NUL characters (the
    /// padding). Others are written as variable-length strings.
    private static func fitsFixedLength(_ strings: [String]) -> Bool {
        let width = max(1, strings.map(\.utf8.count).max() ?? 1)
        return width * strings.count <= 60_000 && !strings.contains { $0.utf8.contains(0) }
    }

    /// Global heap collections holding each distinct string once.
    private mutating func writeGlobalHeaps(_ strings: [String]) {
        var unique: [String] = []
        var seen = Set<String>()
        for string in strings where seen.insert(string).inserted { unique.append(string) }
        var start = 0
        while start < unique.count {
            let batch = unique[start..<min(start + 65_000, unique.count)]
            start += batch.count
            align8()
            let collection = out.count
            var heap: [UInt8] = Array("GCOL".utf8) + [1, 0, 0, 0]
            Self.put(0, 8, into: &heap)  // Size, patched below.
            for (i, string) in batch.enumerated() {
                let bytes = Array(string.utf8)
                Self.put(i + 1, 2, into: &heap)
                Self.put(0, 2, into: &heap)  // Reference count, as h5py leaves it.
                Self.put(0, 4, into: &heap)
                Self.put(bytes.count, 8, into: &heap)
                heap += Self.padded(bytes)
                heapIDs[string] = (collection, i + 1)
            }
            // The rest is free space (object 0); the library reads collections of at least 4 KiB.
            let size = max(4096, heap.count + 16)
            Self.put(0, 8, into: &heap)
            Self.put(size - heap.count + 8, 8, into: &heap)
            heap += [UInt8](repeating: 0, count: size - heap.count)
            Self.patch(size, 8, at: 8, in: &heap)
            out += heap
        }
    }

    // MARK: Groups

    /// Writes the members, then the group's names, symbol table nodes, B-tree and object header.
    private mutating func writeGroup(_ group: HDF5Group, path: String) throws -> (header: Int, tree: Int, heap: Int) {
        var entries: [(name: [UInt8], address: Int)] = []
        for (name, node) in group.members {
            guard !name.isEmpty, !name.contains("/"), !name.utf8.contains(0), name != "." else {
                throw KerasError.invalidData("HDF5: invalid member name '\(name)' in group '\(path)' (empty, '.', or containing '/' or NUL)")
            }
            let childPath = path == "/" ? "/" + name : path + "/" + name
            switch node {
            case .group(let child): entries.append((Array(name.utf8), try writeGroup(child, path: childPath).header))
            case .dataset(let dataset): entries.append((Array(name.utf8), try writeDataset(dataset, path: childPath)))
            }
        }
        entries.sort { $0.name.lexicographicallyPrecedes($1.name) }
        for i in entries.indices.dropFirst() where entries[i].name == entries[i - 1].name {
            throw KerasError.invalidData("HDF5: two members named '\(String(decoding: entries[i].name, as: UTF8.self))' in group '\(path)'")
        }

        // Local heap: the empty string at offset 0, then the names.
        var names: [UInt8] = [0]
        var nameOffsets: [Int] = []
        for entry in entries {
            nameOffsets.append(names.count)
            names += entry.name + [0]
        }
        names = Self.padded(names)
        align8()
        let heap = out.count
        out += Array("HEAP".utf8) + [0, 0, 0, 0]
        Self.put(names.count, 8, into: &out)
        Self.put(1, 8, into: &out)  // No free block (H5HL_FREE_NULL).
        Self.put(heap + 32, 8, into: &out)
        out += names

        // Symbol table nodes of up to 2 × leaf K entries each.
        let perNode = 2 * Self.leafK
        let nodeSize = 8 + perNode * 40
        var leaves: [(address: Int, lastName: Int)] = []
        var start = 0
        while start < entries.count {
            let end = min(start + perNode, entries.count)
            align8()
            let address = out.count
            var node: [UInt8] = Array("SNOD".utf8) + [1, 0]
            Self.put(end - start, 2, into: &node)
            for i in start..<end {
                Self.put(nameOffsets[i], 8, into: &node)
                Self.put(entries[i].address, 8, into: &node)
                node += [UInt8](repeating: 0, count: 24)  // Nothing cached.
            }
            node += [UInt8](repeating: 0, count: nodeSize - node.count)
            out += node
            leaves.append((address, nameOffsets[end - 1]))
            start = end
        }
        let tree = writeBTree(children: leaves)
        let header = try writeObjectHeader(symbolTable(tree: tree, heap: heap) + attributeMessages(group.attributes, path: path))
        return (header, tree, heap)
    }

    private func symbolTable(tree: Int, heap: Int) -> [(Int, [UInt8])] {
        var data: [UInt8] = []
        Self.put(tree, 8, into: &data)
        Self.put(heap, 8, into: &data)
        return [(HDF5MessageType.symbolTable, data)]
    }

    /// Writes the levels of a group B-tree over `children` (symbol table nodes with the heap
    /// offset of their last name), bottom up; returns the root's address.
    private mutating func writeBTree(children: [(address: Int, lastName: Int)]) -> Int {
        let fanout = 2 * Self.internalK
        let nodeSize = 24 + fanout * 8 + (fanout + 1) * 8
        var level = 0
        var current = children
        repeat {
            let count = max(1, (current.count + fanout - 1) / fanout)
            align8()
            let first = out.count
            var parents: [(address: Int, lastName: Int)] = []
            for n in 0..<count {
                let slice = current[min(n * fanout, current.count)..<min((n + 1) * fanout, current.count)]
                var node: [UInt8] = Array("TREE".utf8) + [0, UInt8(level)]
                Self.put(slice.count, 2, into: &node)
                Self.put(n == 0 ? Self.undefined : first + (n - 1) * nodeSize, 8, into: &node)
                Self.put(n == count - 1 ? Self.undefined : first + (n + 1) * nodeSize, 8, into: &node)
                // Key 0 is the empty name before everything; key i + 1 is child i's last name.
                Self.put(n == 0 ? 0 : current[n * fanout - 1].lastName, 8, into: &node)
                for child in slice {
                    Self.put(child.address, 8, into: &node)
                    Self.put(child.lastName, 8, into: &node)
                }
                node += [UInt8](repeating: 0, count: nodeSize - node.count)
                out += node
                parents.append((first + n * nodeSize, slice.last?.lastName ?? 0))
            }
            current = parents
            level += 1
        } while current.count > 1
        return current[0].address
    }

    // MARK: Datasets

    private mutating func writeDataset(_ dataset: HDF5Dataset, path: String) throws -> Int {
        let array = dataset.array
        let type = array.type
        guard type.byteOrder != .bigEndian, let count = ArrayIO.elementCount(array.shape), count * type.byteCount == array.bytes.count else {
            throw KerasError.invalidData("HDF5: dataset '\(path)' of shape \(ArrayIO.pythonShape(array.shape)) and type \(type.name) "
                                         + "has \(array.bytes.count) bytes")
        }
        align8()
        let address = array.bytes.isEmpty ? Self.undefined : out.count
        out += array.bytes
        var layout: [UInt8] = [3, 1]
        Self.put(address, 8, into: &layout)
        Self.put(array.bytes.count, 8, into: &layout)
        let messages: [(Int, [UInt8])] = [
            (HDF5MessageType.dataspace, Self.dataspace(array.shape)),
            (HDF5MessageType.datatype, Self.datatype(type)),
            (HDF5MessageType.fillValue, [2, 2, 2, 1, 0, 0, 0, 0]),
            (HDF5MessageType.layout, layout),
        ]
        return try writeObjectHeader(messages + attributeMessages(dataset.attributes, path: path))
    }

    // MARK: Object headers and messages

    /// A version 1 object header holding `messages`; returns its address.
    private mutating func writeObjectHeader(_ messages: [(type: Int, data: [UInt8])]) throws -> Int {
        var body: [UInt8] = []
        for (type, data) in messages {
            let data = Self.padded(data)
            Self.put(type, 2, into: &body)
            Self.put(data.count, 2, into: &body)
            body += [type == HDF5MessageType.datatype ? 1 : 0, 0, 0, 0]
            body += data
        }
        align8()
        let address = out.count
        out += [1, 0]
        Self.put(messages.count, 2, into: &out)
        Self.put(1, 4, into: &out)  // Reference count.
        Self.put(body.count, 4, into: &out)
        out += [0, 0, 0, 0]
        out += body
        return address
    }

    private func attributeMessages(_ attributes: [(name: String, value: HDF5Attribute)], path: String) throws -> [(Int, [UInt8])] {
        var seen = Set<String>()
        return try attributes.map { name, value in
            guard !name.isEmpty, !name.utf8.contains(0), seen.insert(name).inserted else {
                throw KerasError.invalidData("HDF5: attribute name '\(name)' of '\(path)' is empty, repeated or contains NUL")
            }
            let (type, shape, data) = try attributeValue(value, name: name, path: path)
            let nameBytes = Array(name.utf8) + [0]
            let space = Self.dataspace(shape)
            var message: [UInt8] = [1, 0]
            Self.put(nameBytes.count, 2, into: &message)
            Self.put(type.count, 2, into: &message)
            Self.put(space.count, 2, into: &message)
            message += Self.padded(nameBytes) + Self.padded(type) + Self.padded(space) + data
            guard message.count <= Self.maxMessageSize else {
                throw KerasError.invalidData("HDF5: attribute '\(name)' of '\(path)' takes \(message.count) bytes; "
                                             + "an HDF5 attribute holds at most 64 KiB (split it, as Keras does for layer_names)")
            }
            return (HDF5MessageType.attribute, message)
        }
    }

    private func attributeValue(_ value: HDF5Attribute, name: String, path: String) throws -> ([UInt8], [Int], [UInt8]) {
        switch value {
        case .string(let string):
            return (Self.variableString, [], vlenReference(string))
        case .strings(let strings) where Self.fitsFixedLength(strings):
            let encoded = strings.map { Array($0.utf8) }
            let width = max(1, encoded.map(\.count).max() ?? 1)
            let utf8 = encoded.contains { $0.contains { $0 >= 0x80 } }
            var type: [UInt8] = [0x13, utf8 ? 0x11 : 0x01, 0, 0]  // Null-padded, ASCII or UTF-8.
            Self.put(width, 4, into: &type)
            var data: [UInt8] = []
            for bytes in encoded { data += bytes + [UInt8](repeating: 0, count: width - bytes.count) }
            return (type, [strings.count], data)
        case .strings(let strings):
            return (Self.variableString, [strings.count], strings.flatMap(vlenReference))
        case .array(let array):
            guard array.type.byteOrder != .bigEndian, let count = ArrayIO.elementCount(array.shape),
                  count * array.type.byteCount == array.bytes.count else {
                throw KerasError.invalidData("HDF5: attribute '\(name)' of '\(path)' has \(array.bytes.count) bytes "
                                             + "for shape \(ArrayIO.pythonShape(array.shape))")
            }
            return (Self.datatype(array.type), array.shape, array.bytes)
        }
    }

    /// Length, global heap collection and index of a variable-length string.
    private func vlenReference(_ string: String) -> [UInt8] {
        let id = heapIDs[string]!
        var data: [UInt8] = []
        Self.put(string.utf8.count, 4, into: &data)
        Self.put(id.collection, 8, into: &data)
        Self.put(id.index, 4, into: &data)
        return data
    }

    /// A variable-length UTF-8 string type, as h5py writes `str` (base type: unsigned byte).
    static let variableString: [UInt8] = [0x19, 0x01, 0x01, 0x00, 16, 0, 0, 0,
                                          0x10, 0, 0, 0, 1, 0, 0, 0, 0, 0, 8, 0]

    /// Dataspace version 1: scalar (rank 0) or simple, without maximum dimensions.
    static func dataspace(_ shape: [Int]) -> [UInt8] {
        var data: [UInt8] = [1, UInt8(shape.count), 0, 0, 0, 0, 0, 0]
        for dimension in shape { put(dimension, 8, into: &data) }
        return data
    }

    static func datatype(_ type: ScalarType) -> [UInt8] {
        var data: [UInt8] = []
        switch type.kind {
        case .bool:
            // h5py's bool: enum {FALSE = 0, TRUE = 1} of a signed byte.
            data = [0x18, 2, 0, 0, 1, 0, 0, 0]
            data += [0x10, 0x08, 0, 0, 1, 0, 0, 0, 0, 0, 8, 0]
            data += padded(Array("FALSE".utf8) + [0]) + padded(Array("TRUE".utf8) + [0])
            data += [0, 1]
        case .signedInteger, .unsignedInteger:
            data = [0x10, type.kind == .signedInteger ? 0x08 : 0, 0, 0]
            put(type.byteCount, 4, into: &data)
            put(0, 2, into: &data)
            put(8 * type.byteCount, 2, into: &data)
        case .float:
            let (exponentBits, mantissaBits, bias): (Int, Int, Int) =
                type.byteCount == 2 ? (5, 10, 15) : type.byteCount == 4 ? (8, 23, 127) : (11, 52, 1023)
            let bits = 8 * type.byteCount
            data = [0x11, 0x20, UInt8(bits - 1), 0]
            put(type.byteCount, 4, into: &data)
            put(0, 2, into: &data)
            put(bits, 2, into: &data)
            data += [UInt8(mantissaBits), UInt8(exponentBits), 0, UInt8(mantissaBits)]
            put(bias, 4, into: &data)
        }
        return data
    }
}
