// PNG images (8-bit grey, grey + alpha, RGB and RGBA, not interlaced): writing with `Deflate`,
// reading with `Inflate`. Enough to save image grids and plots and to read such files back.

import Foundation

/// PNG files, in Swift.
public enum PNG {
    /// An 8-bit image: `pixels` holds `height` rows of `width` pixels of `channels` bytes each
    /// (1 grey, 2 grey + alpha, 3 RGB, 4 RGBA), top row first.
    public struct Image: Equatable, Sendable {
        public var width: Int
        public var height: Int
        public var channels: Int
        public var pixels: [UInt8]

        /// An image from its pixels; the pixel count must match `width · height · channels`.
        public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) throws {
            guard width > 0, height > 0, (1...4).contains(channels) else {
                throw KerasError.invalidArgument(name: "PNG.Image", value: "\(width)×\(height)×\(channels)",
                                                 expected: "a positive width and height and 1 to 4 channels")
            }
            guard pixels.count == width * height * channels else {
                throw KerasError.invalidArgument(name: "pixels", value: "\(pixels.count) bytes",
                                                 expected: "\(width)·\(height)·\(channels) = \(width * height * channels) bytes")
            }
            (self.width, self.height, self.channels, self.pixels) = (width, height, channels, pixels)
        }
    }

    private static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    private static let colourTypes: [Int: UInt8] = [1: 0, 2: 4, 3: 2, 4: 6]

    /// The PNG file bytes of `image`. Each row takes the filter with the smallest sum of
    /// absolute differences, libpng's heuristic.
    public static func encode(_ image: Image) -> [UInt8] {
        let rowBytes = image.width * image.channels
        var filtered = [UInt8](repeating: 0, count: (rowBytes + 1) * image.height)
        var candidate = [UInt8](repeating: 0, count: rowBytes)
        let zeroRow = [UInt8](repeating: 0, count: rowBytes)
        image.pixels.withUnsafeBufferPointer { pixels in
            zeroRow.withUnsafeBufferPointer { zero in
                for y in 0..<image.height {
                    let row = UnsafeBufferPointer(rebasing: pixels[(y * rowBytes)..<((y + 1) * rowBytes)])
                    let above = y == 0 ? zero : UnsafeBufferPointer(rebasing: pixels[((y - 1) * rowBytes)..<(y * rowBytes)])
                    var bestCost = Int.max
                    for filter in 0..<5 {
                        var cost = 0
                        for i in 0..<rowBytes {
                            let value = row[i] &- predictor(filter, row, above, i, image.channels)
                            candidate[i] = value
                            cost += value < 128 ? Int(value) : 256 - Int(value)
                        }
                        if cost < bestCost {
                            bestCost = cost
                            let start = y * (rowBytes + 1)
                            filtered[start] = UInt8(filter)
                            filtered.replaceSubrange((start + 1)...(start + rowBytes), with: candidate)
                        }
                    }
                }
            }
        }
        var file = signature
        var header = bigEndian(UInt32(image.width)) + bigEndian(UInt32(image.height))
        header += [8, colourTypes[image.channels]!, 0, 0, 0]
        appendChunk("IHDR", header, to: &file)
        appendChunk("IDAT", Deflate.zlib(filtered), to: &file)
        appendChunk("IEND", [], to: &file)
        return file
    }

    /// Writes `image` as a PNG file at `url`, atomically.
    public static func write(_ image: Image, to url: URL) throws {
        let bytes = encode(image)
        try FileIO.writeAtomically(url) { try $0.write(bytes) }
    }

    /// Reads the PNG file at `url`.
    public static func read(_ url: URL) throws -> Image {
        try decode(FileIO.read(url), name: url.path)
    }

    /// Decodes PNG bytes: 8-bit greyscale, grey + alpha, RGB or RGBA, not interlaced. Checks
    /// every chunk's CRC-32; other kinds of PNG and damaged files throw naming `name` and the problem.
    /// An image of more than `maxPixels` pixels throws before anything is inflated (a few bytes
    /// can claim a huge image: give untrusted input a limit).
    public static func decode(_ bytes: [UInt8], name: String = "PNG data", maxPixels: Int = 1 << 48) throws -> Image {
        func fail(_ problem: String) -> KerasError { KerasError.invalidData("\(name): \(problem)") }
        guard bytes.count >= 8, Array(bytes[0..<8]) == signature else { throw fail("not a PNG file (bad signature)") }
        var offset = 8
        var header: [UInt8] = []
        var data: [UInt8] = []
        var ended = false
        while offset < bytes.count && !ended {
            guard bytes.count - offset >= 12 else { throw fail("truncated chunk at byte \(offset)") }
            let length = Int(readBigEndian(bytes, offset))
            guard length <= bytes.count - offset - 12 else { throw fail("truncated chunk at byte \(offset)") }
            let type = String(decoding: bytes[(offset + 4)..<(offset + 8)], as: UTF8.self)
            let body = Array(bytes[(offset + 8)..<(offset + 8 + length)])
            let stored = readBigEndian(bytes, offset + 8 + length)
            let computed = bytes.withUnsafeBytes { CRC32.checksum(UnsafeRawBufferPointer(rebasing: $0[(offset + 4)..<(offset + 8 + length)])) }
            guard stored == computed else { throw fail("CRC-32 mismatch in chunk \(type) at byte \(offset)") }
            switch type {
            case "IHDR": header = body
            case "IDAT": data += body
            case "IEND": ended = true
            default: break
            }
            offset += 12 + length
        }
        guard header.count == 13 else { throw fail("missing or malformed IHDR chunk") }
        let width = Int(readBigEndian(header, 0)), height = Int(readBigEndian(header, 4))
        guard header[8] == 8, let channels = colourTypes.first(where: { $0.value == header[9] })?.key else {
            throw fail("bit depth \(header[8]) with colour type \(header[9]) is not supported (8-bit grey, grey+alpha, RGB, RGBA are)")
        }
        guard header[12] == 0 else { throw fail("interlaced PNG files are not supported") }
        guard width > 0, height > 0, width <= 1 << 24, height <= 1 << 24 else { throw fail("invalid size \(width)×\(height)") }
        guard width * height <= maxPixels else { throw fail("\(width)×\(height) pixels is more than the limit of \(maxPixels)") }
        let rowBytes = width * channels
        let raw = try Inflate.zlib(data, name: name, maxOutputBytes: (rowBytes + 1) * height)
        guard raw.count == (rowBytes + 1) * height else { throw fail("image data holds \(raw.count) bytes, not \((rowBytes + 1) * height)") }
        var pixels = [UInt8](repeating: 0, count: rowBytes * height)
        let zeroRow = [UInt8](repeating: 0, count: rowBytes)
        try pixels.withUnsafeMutableBufferPointer { pixels in
            try zeroRow.withUnsafeBufferPointer { zero in
                for y in 0..<height {
                    let filter = Int(raw[y * (rowBytes + 1)])
                    guard filter < 5 else { throw fail("unknown filter \(filter) on row \(y)") }
                    let above = y == 0 ? zero : UnsafeBufferPointer(rebasing: pixels[((y - 1) * rowBytes)..<(y * rowBytes)])
                    let row = UnsafeBufferPointer(rebasing: pixels[(y * rowBytes)..<((y + 1) * rowBytes)])
                    for i in 0..<rowBytes {
                        pixels[y * rowBytes + i] = raw[y * (rowBytes + 1) + 1 + i] &+ predictor(filter, row, above, i, channels)
                    }
                }
            }
        }
        return try Image(width: width, height: height, channels: channels, pixels: pixels)
    }

    /// The value PNG filter `filter` predicts for byte `i` of `row` (bytes before `i` final).
    @inline(__always)
    private static func predictor(_ filter: Int, _ row: UnsafeBufferPointer<UInt8>, _ above: UnsafeBufferPointer<UInt8>,
                                  _ i: Int, _ stride: Int) -> UInt8 {
        let a = i >= stride ? Int(row[i - stride]) : 0
        let b = Int(above[i])
        let c = i >= stride ? Int(above[i - stride]) : 0
        switch filter {
        case 1: return UInt8(a)
        case 2: return UInt8(b)
        case 3: return UInt8((a + b) / 2)
        case 4:
            let p = a + b - c
            let pa = abs(p - a), pb = abs(p - b), pc = abs(p - c)
            return UInt8(pa <= pb && pa <= pc ? a : pb <= pc ? b : c)
        default: return 0
        }
    }

    private static func appendChunk(_ type: String, _ body: [UInt8], to file: inout [UInt8]) {
        let typed = Array(type.utf8) + body
        file += bigEndian(UInt32(body.count)) + typed + bigEndian(CRC32.checksum(typed))
    }

    private static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    private static func readBigEndian(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
    }
}
