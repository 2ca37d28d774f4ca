// Dense storage of links and attributes (HDF5 1.8+): the messages live in a fractal heap, and
// a version 2 B-tree indexes them by name hash. The reader walks the B-tree's records and looks
// each heap ID up in the heap.

/// A fractal heap: objects addressed by heap IDs, in direct blocks under indirect blocks.
struct HDF5FractalHeap {
    let source: HDF5Source
    let idLength: Int
    let tableWidth: Int
    let startBlockSize: Int
    let maxDirectBlockSize: Int
    /// Bytes of a heap offset (the heap's maximum size in bits, rounded up to bytes).
    let offsetBytes: Int
    let maxManagedSize: Int
    let filtered: Bool
    /// The direct blocks: heap offset where each starts, its size and file address.
    private(set) var blocks: [(offset: Int, size: Int, address: Int)] = []

    init(source: HDF5Source, address: Int) throws {
        self.source = source
        var c = try source.cursor(at: address, what: "fractal heap at \(address)")
        try c.signature("FRHP")
        let version = try c.u8()
        guard version == 0 else { throw c.fail("unsupported fractal heap version \(version)") }
        idLength = try c.u16()
        let filterLength = try c.u16()
        filtered = filterLength > 0
        _ = try c.u8()  // Flags.
        maxManagedSize = try c.u32()
        _ = try c.length()  // Next huge object ID.
        _ = try c.address()  // Huge objects' B-tree.
        _ = try c.length()  // Free space in managed blocks.
        _ = try c.address()  // Free-space manager.
        for _ in 0..<8 { _ = try c.length() }  // Managed, allocated, iterator, counts and sizes.
        tableWidth = try c.u16()
        startBlockSize = try c.length("starting block size")
        maxDirectBlockSize = try c.length("maximum direct block size")
        let maxHeapBits = try c.u16()
        _ = try c.u16()  // Starting number of rows in the root indirect block.
        let root = try c.address()
        let rootRows = try c.u16()
        guard tableWidth > 0, tableWidth <= 65536, startBlockSize > 0, startBlockSize.nonzeroBitCount == 1,
              maxDirectBlockSize >= startBlockSize, maxDirectBlockSize.nonzeroBitCount == 1, maxHeapBits > 0, maxHeapBits <= 64 else {
            throw c.fail("invalid heap geometry")
        }
        guard !filtered else { throw c.fail("filtered fractal heaps are not supported") }
        offsetBytes = (maxHeapBits + 7) / 8
        guard let root else { return }
        if rootRows == 0 {
            blocks.append((0, startBlockSize, root))
        } else {
            var visited = Set<Int>()
            try collect(indirect: root, rows: rootRows, heapOffset: 0, depth: 0, visited: &visited)
        }
        blocks.sort { $0.offset < $1.offset }
    }

    /// The size of the blocks of row `row`.
    private func rowBlockSize(_ row: Int) -> Int {
        row <= 1 ? startBlockSize : startBlockSize << (row - 1)
    }

    private mutating func collect(indirect address: Int, rows: Int, heapOffset: Int, depth: Int, visited: inout Set<Int>) throws {
        guard depth < 16, visited.insert(address).inserted, rows <= 64 else {
            throw source.fail("fractal heap: indirect blocks nested too deeply or in a loop")
        }
        var c = try source.cursor(at: address, what: "fractal heap indirect block at \(address)")
        try c.signature("FHIB")
        try c.skip(1 + source.offsetSize + offsetBytes)  // Version, heap address, block offset.
        let maxDirectRows = (maxDirectBlockSize.trailingZeroBitCount - startBlockSize.trailingZeroBitCount) + 2
        var offset = heapOffset
        for row in 0..<rows {
            let size = rowBlockSize(row)
            guard size > 0, size < Int.max / 2 / tableWidth else { throw c.fail("heap row \(row) is too large") }
            for _ in 0..<tableWidth {
                let child = try c.address()
                if row < maxDirectRows {
                    if let child { blocks.append((offset, size, child)) }
                } else if let child {
                    let childRows = size.trailingZeroBitCount - (startBlockSize.trailingZeroBitCount + tableWidth.trailingZeroBitCount) + 1
                    guard childRows > 0 else { throw c.fail("invalid indirect block size") }
                    try collect(indirect: child, rows: childRows, heapOffset: offset, depth: depth + 1, visited: &visited)
                }
                offset += size
                guard blocks.count < 1 << 20 else { throw c.fail("too many heap blocks") }
            }
        }
    }

    /// The object a heap ID names.
    func object(_ id: ArraySlice<UInt8>) throws -> [UInt8] {
        guard let first = id.first else { throw source.fail("fractal heap: empty heap ID") }
        let type = (first >> 4) & 0x03
        var c = source.cursor(over: Array(id.dropFirst()), what: "fractal heap ID")
        switch type {
        case 0:  // Managed: offset and length.
            let offset = try c.int(offsetBytes, "heap offset")
            // H5HF: the smaller of the bytes of a direct block offset and of the largest object's size.
            let lengthBytes = min((maxDirectBlockSize.trailingZeroBitCount + 7) / 8, hdf5EncodedSize(UInt64(maxManagedSize)))
            let length = try c.int(lengthBytes, "heap object length")
            guard let block = blocks.last(where: { $0.offset <= offset }), offset - block.offset < block.size,
                  length <= block.size - (offset - block.offset) else {
                throw source.fail("fractal heap: object at heap offset \(offset) (\(length) bytes) is in no block")
            }
            return Array(try source.slice(at: block.address + (offset - block.offset), count: length, what: "fractal heap object"))
        case 2:  // Tiny: the object is in the ID.
            let length = Int(first & 0x0F) + 1
            return Array(try c.take(min(length, c.remaining)))
        default:
            throw source.fail("fractal heap: huge objects are not supported")
        }
    }
}

/// A version 2 B-tree: its records, in key order.
enum HDF5BTreeV2 {
    static func records(source: HDF5Source, address: Int) throws -> [ArraySlice<UInt8>] {
        var c = try source.cursor(at: address, what: "version 2 B-tree at \(address)")
        try c.signature("BTHD")
        try c.skip(2)  // Version, type.
        let nodeSize = try c.u32()
        let recordSize = try c.u16()
        let depth = try c.u16()
        try c.skip(2)
        let root = try c.address()
        let rootCount = try c.u16()
        _ = try c.length()
        guard recordSize > 0, nodeSize > 10 + recordSize, depth < 32 else { throw c.fail("invalid B-tree geometry") }
        guard let root else { return [] }
        // Sizes of the child-pointer fields, as the library computes them (H5B2hdr.c).
        var maxRecords = [(nodeSize - 10) / recordSize]
        var cumulative = [UInt64(maxRecords[0])]
        var cumulativeSize = [hdf5EncodedSize(cumulative[0])]
        let recordCountSize = hdf5EncodedSize(UInt64(maxRecords[0]))
        if depth > 0 {
            for level in 1...depth {
                let pointer = source.offsetSize + recordCountSize + cumulativeSize[level - 1]
                let count = (nodeSize - (10 + pointer)) / (recordSize + pointer)
                guard count > 0 else { throw c.fail("invalid B-tree geometry") }
                maxRecords.append(count)
                let (product, overflow) = UInt64(count + 1).multipliedReportingOverflow(by: cumulative[level - 1])
                let total = overflow ? UInt64.max : product &+ UInt64(count)
                cumulative.append(total < product ? .max : total)
                cumulativeSize.append(hdf5EncodedSize(cumulative[level]))
            }
        }
        var result: [ArraySlice<UInt8>] = []
        var visited = Set<Int>()
        func visit(_ address: Int, count: Int, level: Int) throws {
            guard visited.insert(address).inserted else { throw source.fail("version 2 B-tree: nodes form a loop") }
            guard count <= maxRecords[level] else { throw source.fail("version 2 B-tree: node with \(count) records") }
            var n = try source.cursor(at: address, count: min(nodeSize, source.bytes.count - source.base - address), what: "version 2 B-tree node")
            try n.signature(level == 0 ? "BTLF" : "BTIN")
            try n.skip(2)
            var records: [ArraySlice<UInt8>] = []
            for _ in 0..<count { records.append(try n.take(recordSize)) }
            if level == 0 {
                result += records
                return
            }
            var children: [(Int, Int)] = []
            for _ in 0...count {
                guard let child = try n.address() else { throw n.fail("undefined child node") }
                let childCount = try n.int(recordCountSize, "record count")
                if level > 1 { _ = try n.unsigned(cumulativeSize[level - 1]) }
                children.append((child, childCount))
            }
            for (i, child) in children.enumerated() {
                try visit(child.0, count: child.1, level: level - 1)
                if i < records.count { result.append(records[i]) }
            }
        }
        try visit(root, count: rootCount, level: depth)
        return result
    }
}
