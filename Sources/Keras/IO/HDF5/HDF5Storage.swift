// Where a dataset's values are: the data layout message (compact, contiguous or chunked), the
// filter pipeline (deflate, shuffle, Fletcher-32) and the fill value of unwritten storage.

/// A decoded data layout message.
enum HDF5Layout {
    /// How a chunked dataset finds its chunks.
    enum ChunkIndex {
        /// A version 1 B-tree (layout versions 1 to 3, and h5py's default).
        case bTreeV1(Int?)
        /// One chunk, the size of the dataset (layout version 4).
        case single(address: Int?, filteredSize: Int?, filterMask: Int)
        /// Unfiltered chunks, allocated together, in row-major order.
        case implicit(Int?)
        /// A fixed array of chunk addresses.
        case fixedArray(Int?)
        /// An index this reader does not walk (extensible array, version 2 B-tree).
        case unsupported(String)
    }

    case compact([UInt8])
    case contiguous(address: Int?, size: Int)
    case chunked(dims: [Int], index: ChunkIndex, filtered: Bool)

    init(_ c: inout HDF5Cursor, rank: Int) throws {
        let version = try c.u8()
        switch version {
        case 1, 2:
            let dimensionality = try c.u8()
            let layoutClass = try c.u8()
            try c.skip(5)
            let address = layoutClass == 0 ? nil : try c.address()
            var dims: [Int] = []
            for _ in 0..<dimensionality { dims.append(try c.u32()) }
            switch layoutClass {
            case 0:
                let size = try c.u32()
                self = .compact(Array(try c.take(size)))
            case 1:
                self = .contiguous(address: address, size: -1)
            case 2:
                guard dims.count >= rank else { throw c.fail("chunk of rank \(dims.count) for a dataset of rank \(rank)") }
                self = .chunked(dims: Array(dims.prefix(rank)), index: .bTreeV1(address), filtered: true)
            default:
                throw c.fail("unknown layout class \(layoutClass)")
            }
        case 3, 4:
            let layoutClass = try c.u8()
            switch layoutClass {
            case 0:
                let size = try c.u16()
                self = .compact(Array(try c.take(size)))
            case 1:
                let address = try c.address()
                self = .contiguous(address: address, size: try c.length("contiguous size"))
            case 2 where version == 3:
                let dimensionality = try c.u8()
                let address = try c.address()
                var dims: [Int] = []
                for _ in 0..<dimensionality { dims.append(try c.u32()) }
                guard dims.count == rank + 1 else { throw c.fail("chunk of rank \(dims.count - 1) for a dataset of rank \(rank)") }
                self = .chunked(dims: Array(dims.prefix(rank)), index: .bTreeV1(address), filtered: true)
            case 2:
                let flags = try c.u8()
                let dimensionality = try c.u8()
                let encodedSize = try c.u8()
                guard (1...8).contains(encodedSize) else { throw c.fail("invalid chunk dimension size \(encodedSize)") }
                var dims: [Int] = []
                for _ in 0..<dimensionality { dims.append(try c.int(encodedSize, "chunk dimension")) }
                guard dims.count == rank + 1 else { throw c.fail("chunk of rank \(dims.count - 1) for a dataset of rank \(rank)") }
                let indexType = try c.u8()
                let index: ChunkIndex
                switch indexType {
                case 1:
                    var filteredSize: Int? = nil
                    var mask = 0
                    if flags & 0x02 != 0 {
                        filteredSize = try c.length("filtered chunk size")
                        mask = try c.u32()
                    }
                    index = .single(address: try c.address(), filteredSize: filteredSize, filterMask: mask)
                case 2: index = .implicit(try c.address())
                case 3:
                    try c.skip(1)
                    index = .fixedArray(try c.address())
                case 4: index = .unsupported("extensible array chunk index")
                case 5: index = .unsupported("version 2 B-tree chunk index")
                default: throw c.fail("unknown chunk index type \(indexType)")
                }
                self = .chunked(dims: Array(dims.prefix(rank)), index: index, filtered: true)
            case 3:
                throw c.fail("virtual datasets are not supported")
            default:
                throw c.fail("unknown layout class \(layoutClass)")
            }
        default:
            throw c.fail("unsupported layout version \(version)")
        }
    }
}

/// One filter of a pipeline.
struct HDF5Filter {
    static let deflate = 1, shuffle = 2, fletcher32 = 3
    var id: Int
    var values: [Int]

    static func pipeline(_ c: inout HDF5Cursor) throws -> [HDF5Filter] {
        let version = try c.u8()
        let count = try c.u8()
        guard version == 1 || version == 2 else { throw c.fail("unsupported filter pipeline version \(version)") }
        guard count <= 32 else { throw c.fail("\(count) filters (at most 32)") }
        if version == 1 { try c.skip(6) }
        var filters: [HDF5Filter] = []
        for _ in 0..<count {
            let id = try c.u16()
            let nameLength = version == 1 || id >= 256 ? try c.u16() : 0
            _ = try c.u16()  // Flags.
            let valueCount = try c.u16()
            if version == 1 {
                try c.skip((nameLength + 7) / 8 * 8)
            } else {
                try c.skip(nameLength)
            }
            var values: [Int] = []
            for _ in 0..<valueCount { values.append(try c.u32()) }
            if version == 1 && valueCount % 2 == 1 { try c.skip(4) }
            filters.append(HDF5Filter(id: id, values: values))
        }
        return filters
    }

    /// Undoes `filters` (last first) on a stored chunk, skipping those whose bit is set in `mask`.
    static func decode(_ stored: ArraySlice<UInt8>, filters: [HDF5Filter], mask: Int, elementSize: Int,
                       expectedCount: Int, source: HDF5Source) throws -> [UInt8] {
        var data = Array(stored)
        for (i, filter) in filters.enumerated().reversed() where mask & (1 << i) == 0 {
            switch filter.id {
            case deflate:
                data = try Inflate.zlib(data, name: source.name + " (deflated chunk)", maxOutputBytes: expectedCount)
            case shuffle:
                let width = filter.values.first ?? elementSize
                data = unshuffle(data, width: width)
            case fletcher32:
                guard data.count >= 4 else { throw source.fail("Fletcher-32 chunk shorter than its checksum") }
                data.removeLast(4)
            default:
                let names = [4: "szip", 5: "nbit", 6: "scale-offset", 32000: "LZF", 32001: "Blosc", 32004: "LZ4", 32015: "Zstandard"]
                throw source.fail("unsupported HDF5 filter \(names[filter.id].map { "\($0) (\(filter.id))" } ?? String(filter.id)); "
                                  + "save the file with gzip compression or none")
            }
        }
        return data
    }

    /// The inverse of HDF5's byte shuffle: byte j of every element was stored together.
    static func unshuffle(_ data: [UInt8], width: Int) -> [UInt8] {
        guard width > 1, data.count >= width else { return data }
        let count = data.count / width
        var output = data
        data.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                for j in 0..<width {
                    let plane = j * count
                    for i in 0..<count { out[i * width + j] = input[plane + i] }
                }
            }
        }
        return output
    }
}

/// The fill value message (old or new): the bytes of one element, when defined.
enum HDF5FillValue {
    static func decode(_ message: HDF5Message, source: HDF5Source) throws -> [UInt8]? {
        var c = source.cursor(over: message.data, what: "fill value message")
        if message.type == HDF5MessageType.fillValueOld {
            let size = try c.u32()
            return size > 0 ? Array(try c.take(size)) : nil
        }
        let version = try c.u8()
        switch version {
        case 1, 2:
            try c.skip(2)
            let defined = try c.u8()
            guard version == 1 || defined != 0, c.remaining >= 4 else { return nil }
            let size = try c.u32()
            return size > 0 ? Array(try c.take(size)) : nil
        case 3:
            let flags = try c.u8()
            guard flags & 0x20 != 0 else { return nil }
            let size = try c.u32()
            return size > 0 ? Array(try c.take(size)) : nil
        default:
            throw c.fail("unsupported fill value version \(version)")
        }
    }
}
