// Reads a whole HDF5 file into an HDF5Group: objects, attributes and dataset values.
// Objects reached by several links are read once; a link back to an enclosing group, deep
// nesting and data larger than the file can hold throw instead of looping or exhausting memory.

final class HDF5Reader {
    let source: HDF5Source
    private let rootAddress: Int
    /// Objects read so far, with the nodes and bytes they expand to (charged again when another
    /// link reaches them, so that links cannot multiply a small file into a huge tree).
    private var objects: [Int: (node: HDF5Node?, nodes: Int, bytes: Int)] = [:]
    /// Groups and datasets the tree may still have.
    private var nodeBudget: Int
    private var enclosing = Set<Int>()
    private var globalHeaps: [Int: [Int: ArraySlice<UInt8>]] = [:]
    /// Bytes of values the file may still expand to (compression and fill values make more
    /// bytes than the file has, but not without bound).
    private var budget: Int
    static let maxDepth = 64

    init(bytes: [UInt8], name: String) throws {
        let superblock = try HDF5Superblock(bytes: bytes, name: name)
        source = superblock.source
        rootAddress = superblock.rootAddress
        let (product, overflow) = bytes.count.multipliedReportingOverflow(by: 1032)
        budget = overflow ? .max : product + (1 << 20)
        nodeBudget = bytes.count + 10_000
    }

    func readRoot() throws -> HDF5Group {
        guard case .group(let root)? = try readObject(at: rootAddress, path: "/") else {
            throw source.fail("the root object is not a group")
        }
        return root
    }

    /// The group or dataset at `address`; nil for objects that are neither (committed datatypes).
    private func readObject(at address: Int, path: String) throws -> HDF5Node? {
        if let known = objects[address] {
            try charge(nodes: known.nodes, bytes: known.bytes, path: path)
            return known.node
        }
        guard !enclosing.contains(address) else { throw source.fail("'\(path)' links back to a group that contains it") }
        let (bytesBefore, nodesBefore) = (budget, nodeBudget)
        try charge(nodes: 1, bytes: 0, path: path)
        guard enclosing.count < Self.maxDepth else { throw source.fail("groups nested more than \(Self.maxDepth) deep at '\(path)'") }
        enclosing.insert(address)
        defer { enclosing.remove(address) }
        let header = try HDF5ObjectHeader(source: source, address: address)
        let node: HDF5Node?
        if header.first(HDF5MessageType.layout) != nil {
            node = .dataset(try readDataset(header, path: path))
        } else if header.first(HDF5MessageType.symbolTable) != nil || header.first(HDF5MessageType.linkInfo) != nil
                    || header.first(HDF5MessageType.link) != nil {
            var group = HDF5Group()
            group.attributes = try readAttributes(header, path: path)
            for link in try HDF5Groups.links(header, source: source) {
                let childPath = path == "/" ? "/" + link.name : path + "/" + link.name
                if let child = try readObject(at: link.address, path: childPath) {
                    group.members.append((link.name, child))
                }
            }
            node = .group(group)
        } else if header.first(HDF5MessageType.datatype) != nil {
            node = nil
        } else {
            throw source.fail("'\(path)' (object header at \(address)) is neither a group nor a dataset")
        }
        objects[address] = (node, nodesBefore - nodeBudget, bytesBefore - budget)
        return node
    }

    private func charge(nodes: Int, bytes: Int, path: String) throws {
        guard nodes <= nodeBudget, bytes <= budget else {
            throw source.fail("'\(path)': the links of the file make a tree larger than the file can hold")
        }
        nodeBudget -= nodes
        budget -= bytes
    }

    // MARK: Datasets

    private func readDataset(_ header: HDF5ObjectHeader, path: String) throws -> HDF5Dataset {
        func fail(_ problem: String) -> KerasError { source.fail("dataset '\(path)': \(problem)") }
        guard let spaceMessage = header.first(HDF5MessageType.dataspace) else { throw fail("no dataspace message") }
        guard let typeMessage = header.first(HDF5MessageType.datatype) else { throw fail("no datatype message") }
        var c = source.cursor(over: spaceMessage.data, what: "dataset '\(path)' dataspace")
        let dims = try HDF5Dataspace.decode(&c)
        let type = try datatype(typeMessage, path: path)
        guard let scalarType = type.scalarType else {
            throw fail("holds \(type.description) values; only numbers and bools can be read")
        }
        let shape = dims ?? [0]
        let total = try byteCount(shape, elementSize: type.size, path: path)
        c = source.cursor(over: header.first(HDF5MessageType.layout)!.data, what: "dataset '\(path)' layout")
        let layout = try HDF5Layout(&c, rank: shape.count)
        var fill = [UInt8](repeating: 0, count: type.size)
        if let message = header.first(HDF5MessageType.fillValue) ?? header.first(HDF5MessageType.fillValueOld),
           let value = try HDF5FillValue.decode(message, source: source), value.count == type.size {
            fill = value
        }
        var filters: [HDF5Filter] = []
        if let message = header.first(HDF5MessageType.filterPipeline) {
            var f = source.cursor(over: message.data, what: "dataset '\(path)' filter pipeline")
            filters = try HDF5Filter.pipeline(&f)
        }
        let bytes: [UInt8]
        switch layout {
        case .compact(let data):
            guard data.count >= total else { throw fail("compact data of \(data.count) bytes, needs \(total)") }
            bytes = Array(data.prefix(total))
        case .contiguous(let address, _):
            if let address, total > 0 {
                bytes = Array(try source.slice(at: address, count: total, what: "dataset '\(path)' data"))
            } else {
                bytes = filled(fill, count: total)
            }
        case .chunked(let chunkDims, let index, _):
            bytes = try readChunks(shape: shape, chunk: chunkDims, index: index, filters: filters, fill: fill, total: total, path: path)
        }
        let array = try HDF5Array(type: scalarType, shape: shape, bytes: bytes)
        return HDF5Dataset(array, attributes: try readAttributes(header, path: path))
    }

    /// The bytes of `shape` elements of `elementSize`, charged to the budget.
    private func byteCount(_ shape: [Int], elementSize: Int, path: String) throws -> Int {
        guard let count = ArrayIO.elementCount(shape) else { throw source.fail("'\(path)': invalid shape \(ArrayIO.pythonShape(shape))") }
        let (total, overflow) = count.multipliedReportingOverflow(by: elementSize)
        guard !overflow, total <= budget else {
            throw source.fail("'\(path)': shape \(ArrayIO.pythonShape(shape)) is larger than the file can hold")
        }
        budget -= total
        return total
    }

    private func filled(_ fill: [UInt8], count: Int) -> [UInt8] {
        if fill.allSatisfy({ $0 == 0 }) { return [UInt8](repeating: 0, count: count) }
        var bytes = [UInt8]()
        bytes.reserveCapacity(count)
        while bytes.count + fill.count <= count { bytes += fill }
        return bytes
    }

    /// The datatype of a datatype message, following a shared (committed) datatype.
    private func datatype(_ message: HDF5Message, path: String) throws -> HDF5Datatype {
        if message.isShared {
            return try sharedDatatype(message.data, path: path)
        }
        var c = source.cursor(over: message.data, what: "'\(path)' datatype")
        return try HDF5Datatype(&c)
    }

    private func sharedDatatype(_ data: [UInt8], path: String) throws -> HDF5Datatype {
        var c = source.cursor(over: data, what: "'\(path)' shared datatype")
        let version = try c.u8()
        let type = try c.u8()
        switch version {
        case 1: try c.skip(6)
        case 2: break
        case 3 where type == 2: break
        default: throw c.fail("unsupported shared message (version \(version), type \(type))")
        }
        guard let address = try c.address() else { throw c.fail("undefined address") }
        let header = try HDF5ObjectHeader(source: source, address: address)
        guard let message = header.first(HDF5MessageType.datatype), !message.isShared else {
            throw c.fail("the committed datatype at \(address) has no datatype")
        }
        var t = source.cursor(over: message.data, what: "'\(path)' committed datatype")
        return try HDF5Datatype(&t)
    }

    // MARK: Chunks

    private func readChunks(shape: [Int], chunk: [Int], index: HDF5Layout.ChunkIndex, filters: [HDF5Filter],
                            fill: [UInt8], total: Int, path: String) throws -> [UInt8] {
        func fail(_ problem: String) -> KerasError { source.fail("dataset '\(path)': \(problem)") }
        let rank = shape.count
        let elementSize = fill.count
        guard rank > 0, chunk.count == rank, chunk.allSatisfy({ $0 > 0 }) else { throw fail("invalid chunk shape \(chunk)") }
        var output = filled(fill, count: total)
        guard total > 0 else { return output }
        let chunkCount = try byteCount(chunk, elementSize: 1, path: path)
        let chunkBytes = chunkCount * elementSize
        let grid = zip(shape, chunk).map { ($0 + $1 - 1) / $1 }

        var placed = Set<[Int]>()
        func place(_ offsets: [Int], stored: ArraySlice<UInt8>, mask: Int) throws {
            guard offsets.count == rank, zip(offsets, zip(shape, chunk)).allSatisfy({ $0 >= 0 && $0 < $1.0 && $0 % $1.1 == 0 }) else {
                throw fail("chunk at \(offsets) is outside the dataset's shape \(shape)")
            }
            // Each chunk once: repeated entries could otherwise inflate one stored chunk without bound.
            guard placed.insert(offsets).inserted else { throw fail("two chunks at \(offsets)") }
            let data = filters.isEmpty ? Array(stored)
                : try HDF5Filter.decode(stored, filters: filters, mask: mask, elementSize: elementSize,
                                        expectedCount: chunkBytes, source: source)
            guard data.count >= chunkBytes else { throw fail("chunk at \(offsets) has \(data.count) bytes, expected \(chunkBytes)") }
            copy(data, chunkAt: offsets, into: &output)
        }

        /// Copies a whole chunk's rows that fall inside the dataset.
        func copy(_ data: [UInt8], chunkAt origin: [Int], into output: inout [UInt8]) {
            let rowLength = min(chunk[rank - 1], shape[rank - 1] - origin[rank - 1]) * elementSize
            var index = [Int](repeating: 0, count: rank)  // Position within the chunk (last axis 0).
            data.withUnsafeBytes { input in
                output.withUnsafeMutableBytes { out in
                    outer: while true {
                        var inside = true
                        var target = 0, sourceOffset = 0
                        for axis in 0..<rank {
                            let position = origin[axis] + index[axis]
                            if position >= shape[axis] { inside = false }
                            target = target * shape[axis] + position
                            sourceOffset = sourceOffset * chunk[axis] + index[axis]
                        }
                        if inside {
                            (out.baseAddress! + target * elementSize).copyMemory(from: input.baseAddress! + sourceOffset * elementSize,
                                                                                   byteCount: rowLength)
                        }
                        var axis = rank - 2
                        while axis >= 0 {
                            index[axis] += 1
                            if index[axis] < chunk[axis] && origin[axis] + index[axis] < shape[axis] { continue outer }
                            index[axis] = 0
                            axis -= 1
                        }
                        break
                    }
                }
            }
        }

        /// The origin of chunk number `n` in row-major order over the grid.
        func origin(_ n: Int) -> [Int] {
            var n = n
            var offsets = [Int](repeating: 0, count: rank)
            for axis in stride(from: rank - 1, through: 0, by: -1) {
                offsets[axis] = n % grid[axis] * chunk[axis]
                n /= grid[axis]
            }
            return offsets
        }
        let gridCount = grid.reduce(1, *)

        switch index {
        case .bTreeV1(let address):
            guard let address else { return output }
            var visited = Set<Int>()
            try HDF5Groups.walkBTreeV1(at: address, type: 1, keySize: 8 + 8 * (rank + 1), source: source, visited: &visited) { key, child in
                var k = source.cursor(over: Array(key), what: "chunk key")
                let size = try k.u32()
                let mask = try k.u32()
                var offsets: [Int] = []
                for _ in 0..<rank { offsets.append(try k.int(8, "chunk offset")) }
                try place(offsets, stored: try source.slice(at: child, count: size, what: "chunk of '\(path)'"), mask: mask)
            }
        case .single(let address, let filteredSize, let mask):
            guard let address else { return output }
            try place([Int](repeating: 0, count: rank), stored: try source.slice(at: address, count: filteredSize ?? chunkBytes, what: "chunk of '\(path)'"),
                      mask: mask)
        case .implicit(let address):
            guard let address else { return output }
            for n in 0..<gridCount {
                try place(origin(n), stored: try source.slice(at: address + n * chunkBytes, count: chunkBytes, what: "chunk of '\(path)'"), mask: 0)
            }
        case .fixedArray(let address):
            guard let address else { return output }
            for (n, entry) in try fixedArray(at: address, path: path).enumerated() where n < gridCount {
                guard let chunkAddress = entry.address else { continue }
                try place(origin(n), stored: try source.slice(at: chunkAddress, count: entry.size ?? chunkBytes, what: "chunk of '\(path)'"),
                          mask: entry.mask)
            }
        case .unsupported(let name):
            throw fail("uses an \(name), which swift-keras does not read; rewrite it with h5py's default libver")
        }
        return output
    }

    /// The entries of a fixed-array chunk index (not paged).
    private func fixedArray(at address: Int, path: String) throws -> [(address: Int?, size: Int?, mask: Int)] {
        var c = try source.cursor(at: address, what: "fixed array index of '\(path)'")
        try c.signature("FAHD")
        try c.skip(1)
        let client = try c.u8()
        let entrySize = try c.u8()
        let pageBits = try c.u8()
        let count = try c.length("fixed array size")
        guard let block = try c.address() else { return [] }
        guard pageBits < 32, count <= 1 << pageBits else { throw c.fail("paged fixed arrays are not supported") }
        let sizeBytes = entrySize - source.offsetSize - 4
        guard client == 0 ? entrySize == source.offsetSize : (1...8).contains(sizeBytes) else {
            throw c.fail("invalid entry size \(entrySize)")
        }
        guard count <= (source.bytes.count / max(entrySize, 1)) else { throw c.fail("\(count) entries do not fit in the file") }
        var b = try source.cursor(at: block, what: "fixed array data block of '\(path)'")
        try b.signature("FADB")
        try b.skip(2 + source.offsetSize)
        var entries: [(address: Int?, size: Int?, mask: Int)] = []
        for _ in 0..<count {
            let chunk = try b.address()
            if client == 0 {
                entries.append((chunk, nil, 0))
            } else {
                let size = try b.int(sizeBytes, "chunk size")
                entries.append((chunk, size, try b.u32()))
            }
        }
        return entries
    }

    // MARK: Attributes

    private func readAttributes(_ header: HDF5ObjectHeader, path: String) throws -> [(name: String, value: HDF5Attribute)] {
        var found: [(name: String, value: HDF5Attribute, order: Int)] = []
        for message in header.all(HDF5MessageType.attribute) {
            let (name, value) = try attribute(message.data, path: path)
            found.append((name, value, message.creationOrder ?? found.count))
        }
        var tracked = false
        if let info = header.first(HDF5MessageType.attributeInfo) {
            var c = source.cursor(over: info.data, what: "'\(path)' attribute info")
            let version = try c.u8()
            guard version == 0 else { throw c.fail("unsupported attribute info version \(version)") }
            let flags = try c.u8()
            tracked = flags & 0x01 != 0
            if flags & 0x01 != 0 { try c.skip(2) }
            if let heapAddress = try c.address(), let nameIndex = try c.address() {
                let heap = try HDF5FractalHeap(source: source, address: heapAddress)
                for record in try HDF5BTreeV2.records(source: source, address: nameIndex) {
                    // Type 8 record: heap ID (8 bytes), message flags, creation order (4 bytes), name hash.
                    guard record.count >= 13 else { throw source.fail("attribute name record of \(record.count) bytes") }
                    let start = record.startIndex
                    guard record[start + 8] & 0x02 == 0 else { throw source.fail("'\(path)': shared attributes are not supported") }
                    var o = source.cursor(over: Array(record[(start + 9)..<(start + 13)]), what: "attribute record")
                    let order = try o.u32()
                    let (name, value) = try attribute(try heap.object(record.prefix(8)), path: path)
                    found.append((name, value, order))
                }
            }
        }
        if tracked {
            found.sort { $0.order < $1.order }
        } else {
            found.sort { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        }
        return found.map { ($0.name, $0.value) }
    }

    private func attribute(_ data: [UInt8], path: String) throws -> (String, HDF5Attribute) {
        var c = source.cursor(over: data, what: "attribute of '\(path)'")
        let version = try c.u8()
        guard (1...3).contains(version) else { throw c.fail("unsupported attribute message version \(version)") }
        let flags = try c.u8()
        let nameSize = try c.u16()
        let typeSize = try c.u16()
        let spaceSize = try c.u16()
        if version == 3 { try c.skip(1) }
        let padded = { (size: Int) in version == 1 ? (size + 7) / 8 * 8 : size }
        var n = source.cursor(over: Array(try c.take(nameSize)), what: "attribute name")
        let name = n.remaining > 0 ? try n.cString() : ""
        try c.skip(padded(nameSize) - nameSize)
        let typeBytes = Array(try c.take(typeSize))
        try c.skip(padded(typeSize) - typeSize)
        let type: HDF5Datatype
        if flags & 0x01 != 0 {
            type = try sharedDatatype(typeBytes, path: path + " attribute '\(name)'")
        } else {
            var t = source.cursor(over: typeBytes, what: "attribute '\(name)' of '\(path)' datatype")
            type = try HDF5Datatype(&t)
        }
        guard flags & 0x02 == 0 else { throw c.fail("attribute '\(name)' has a shared dataspace, which is not supported") }
        var s = source.cursor(over: Array(try c.take(spaceSize)), what: "attribute '\(name)' of '\(path)' dataspace")
        let dims = try HDF5Dataspace.decode(&s)
        try c.skip(min(padded(spaceSize) - spaceSize, c.remaining))
        let shape = dims ?? [0]
        let where_ = "attribute '\(name)' of '\(path)'"
        let total = try byteCount(shape, elementSize: type.size, path: where_)
        let count = total / type.size
        let values = try c.take(total)
        switch type.kind {
        case .number, .bool:
            return (name, .array(try HDF5Array(type: type.scalarType!, shape: shape, bytes: Array(values))))
        case .fixedString(let spacePadded):
            var strings: [String] = []
            for i in 0..<count {
                var field = values.dropFirst(i * type.size).prefix(type.size)
                if let end = field.firstIndex(of: 0) { field = field[..<end] }
                if spacePadded { while field.last == 0x20 { field = field.dropLast() } }
                strings.append(String(decoding: field, as: UTF8.self))
            }
            return (name, dims == [] ? .string(strings[0]) : .strings(strings))
        case .variableString:
            guard type.size >= 4 + source.offsetSize + 4 else { throw c.fail("\(where_): invalid variable-length size \(type.size)") }
            var strings: [String] = []
            var v = source.cursor(over: Array(values), what: where_)
            for i in 0..<count {
                v.position = i * type.size
                let length = try v.u32()
                let collection = try v.address()
                let index = try v.u32()
                if length == 0 {
                    strings.append("")
                    continue
                }
                guard let collection else { throw v.fail("string \(i) has no heap address") }
                let object = try globalHeapObject(collection: collection, index: index, what: where_)
                guard length <= object.count else { throw v.fail("string \(i) of \(length) bytes is longer than its heap object") }
                strings.append(String(decoding: object.prefix(length), as: UTF8.self))
            }
            return (name, dims == [] ? .string(strings[0]) : .strings(strings))
        case .unsupported(let description):
            throw c.fail("\(where_) holds \(description) values, which swift-keras does not read")
        }
    }

    /// Object `index` of the global heap collection at `collection` (collections are read once).
    private func globalHeapObject(collection: Int, index: Int, what: String) throws -> ArraySlice<UInt8> {
        if globalHeaps[collection] == nil {
            var c = try source.cursor(at: collection, what: "global heap at \(collection)")
            try c.signature("GCOL")
            try c.skip(4)
            let size = try c.length("global heap size")
            // Collection and object headers, and object data, are each padded to 8 bytes (H5HG).
            let headerSize = (8 + source.lengthSize + 7) / 8 * 8
            guard size >= headerSize else { throw c.fail("collection of \(size) bytes") }
            var h = try source.cursor(at: collection, count: size, what: "global heap at \(collection)")
            try h.skip(headerSize)
            var objects: [Int: ArraySlice<UInt8>] = [:]
            while h.remaining >= 8 + source.lengthSize {
                let id = try h.u16()
                try h.skip(6)
                let size = try h.length("global heap object size")
                if id == 0 { break }
                try h.skip(headerSize - 8 - source.lengthSize)
                objects[id] = try h.take(size)
                try h.skip(min((8 - size % 8) % 8, h.remaining))
            }
            globalHeaps[collection] = objects
        }
        guard let object = globalHeaps[collection]?[index] else {
            throw source.fail("\(what): no object \(index) in the global heap at \(collection)")
        }
        return object
    }
}
