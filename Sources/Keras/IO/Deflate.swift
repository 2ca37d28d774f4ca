// Compression into DEFLATE (RFC 1951) in its zlib wrapper (RFC 1950), as PNG needs it.

/// Compresses bytes into a zlib stream, in Swift: greedy LZ77 matching over a 32 KiB window
/// with hash chains, coded with DEFLATE's fixed Huffman code in one block.
///
/// That is far simpler than zlib's dynamic codes and compresses images with flat regions and
/// repeated rows (plots, digits) nearly as well; `Inflate.zlib` and every PNG reader read it.
public enum Deflate {
    /// The zlib stream (header, DEFLATE data, Adler-32) of `data`.
    public static func zlib(_ data: [UInt8]) -> [UInt8] {
        data.withUnsafeBytes { input in
            var writer = BitWriter(capacity: input.count / 2 + 64)
            writer.bytes += [0x78, 0x01]  // 32 KiB window, DEFLATE, fastest-level hint; (0x7801 % 31 == 0)
            compress(input, into: &writer)
            writer.flushToByte()
            let adler = Adler32.update(1, input)
            writer.bytes += [UInt8(adler >> 24), UInt8(adler >> 16 & 0xFF), UInt8(adler >> 8 & 0xFF), UInt8(adler & 0xFF)]
            return writer.bytes
        }
    }

    private static let windowSize = 1 << 15
    private static let hashBits = 15
    private static let maxChain = 48
    private static let minMatch = 3, maxMatch = 258

    /// One final block with the fixed Huffman code.
    static func compress(_ input: UnsafeRawBufferPointer, into writer: inout BitWriter) {
        writer.write(0b011, count: 3)  // BFINAL = 1, BTYPE = 01 (fixed Huffman)
        let count = input.count
        var head = [Int32](repeating: -1, count: 1 << hashBits)
        var previous = [Int32](repeating: -1, count: windowSize)
        let codes = FixedCode.shared
        head.withUnsafeMutableBufferPointer { head in
            previous.withUnsafeMutableBufferPointer { previous in
                @inline(__always) func hash(_ p: Int) -> Int {
                    let v = Int(input[p]) | Int(input[p + 1]) << 8 | Int(input[p + 2]) << 16
                    return (v &* 0x9E37_79B1) >> (32 - hashBits) & ((1 << hashBits) - 1)
                }
                @inline(__always) func insert(_ p: Int) {
                    guard p + minMatch <= count else { return }
                    let h = hash(p)
                    previous[p & (windowSize - 1)] = head[h]
                    head[h] = Int32(p)
                }
                var p = 0
                while p < count {
                    var bestLength = 0, bestDistance = 0
                    if p + minMatch <= count {
                        var candidate = Int(head[hash(p)])
                        var chain = maxChain
                        let limit = min(maxMatch, count - p)
                        while candidate >= 0 && p - candidate <= windowSize && chain > 0 {
                            if input[candidate + bestLength] == input[p + bestLength] || bestLength == 0 {
                                var length = 0
                                while length < limit && input[candidate + length] == input[p + length] { length += 1 }
                                if length > bestLength {
                                    bestLength = length
                                    bestDistance = p - candidate
                                    if length == limit { break }
                                }
                            }
                            let next = Int(previous[candidate & (windowSize - 1)])
                            guard next < candidate else { break }
                            candidate = next
                            chain -= 1
                        }
                    }
                    if bestLength >= minMatch {
                        codes.writeLength(bestLength, into: &writer)
                        codes.writeDistance(bestDistance, into: &writer)
                        for q in p..<(p + bestLength) { insert(q) }
                        p += bestLength
                    } else {
                        codes.writeLiteral(Int(input[p]), into: &writer)
                        insert(p)
                        p += 1
                    }
                }
            }
        }
        codes.writeLiteral(256, into: &writer)  // end of block
    }
}

/// DEFLATE's fixed Huffman code (RFC 1951 §3.2.6), bit-reversed for LSB-first output.
struct FixedCode: Sendable {
    static let shared = FixedCode()
    static let lengthBase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    static let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    static let distanceBase = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025,
                               1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
    static let distanceExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]

    /// Code and bit count of each literal/length symbol 0...287.
    let literal: [(code: UInt32, bits: Int)]
    /// The length symbol index (0...28) of each match length 0...258.
    let lengthSymbol: [UInt8]
    /// The distance symbol of distances 1...256 (`[d - 1]`) and of larger ones by `(d - 1) >> 7` (`[256 + …]`).
    let distanceSymbol: [UInt8]

    init() {
        func reversed(_ code: Int, _ bits: Int) -> UInt32 {
            var r: UInt32 = 0
            for i in 0..<bits where code >> i & 1 == 1 { r |= 1 << UInt32(bits - 1 - i) }
            return r
        }
        literal = (0..<288).map { symbol in
            switch symbol {
            case 0...143: (reversed(0x30 + symbol, 8), 8)
            case 144...255: (reversed(0x190 + symbol - 144, 9), 9)
            case 256...279: (reversed(symbol - 256, 7), 7)
            default: (reversed(0xC0 + symbol - 280, 8), 8)
            }
        }
        lengthSymbol = (0...258).map { length in
            UInt8(FixedCode.lengthBase.lastIndex { $0 <= max(length, 3) }!)
        }
        distanceSymbol = (0..<512).map { i in
            let distance = i < 256 ? i + 1 : ((i - 256) << 7) + 1
            return UInt8(FixedCode.distanceBase.lastIndex { $0 <= distance }!)
        }
    }

    @inline(__always) func writeLiteral(_ symbol: Int, into writer: inout BitWriter) {
        let (code, bits) = literal[symbol]
        writer.write(code, count: bits)
    }

    @inline(__always) func writeLength(_ length: Int, into writer: inout BitWriter) {
        let index = Int(lengthSymbol[length])
        writeLiteral(257 + index, into: &writer)
        let extra = FixedCode.lengthExtra[index]
        if extra > 0 { writer.write(UInt32(length - FixedCode.lengthBase[index]), count: extra) }
    }

    @inline(__always) func writeDistance(_ distance: Int, into writer: inout BitWriter) {
        let index = Int(distance <= 256 ? distanceSymbol[distance - 1] : distanceSymbol[256 + ((distance - 1) >> 7)])
        // Fixed distance codes are 5 bits, written most significant bit first.
        var reversed: UInt32 = 0
        for i in 0..<5 where index >> i & 1 == 1 { reversed |= 1 << UInt32(4 - i) }
        writer.write(reversed, count: 5)
        let extra = FixedCode.distanceExtra[index]
        if extra > 0 { writer.write(UInt32(distance - FixedCode.distanceBase[index]), count: extra) }
    }
}

/// Bits packed least significant first, as DEFLATE orders them.
struct BitWriter {
    var bytes: [UInt8] = []
    private var accumulator: UInt64 = 0
    private var filled = 0

    init(capacity: Int) { bytes.reserveCapacity(capacity) }

    @inline(__always) mutating func write(_ value: UInt32, count: Int) {
        accumulator |= UInt64(value) << UInt64(filled)
        filled += count
        while filled >= 8 {
            bytes.append(UInt8(truncatingIfNeeded: accumulator))
            accumulator >>= 8
            filled -= 8
        }
    }

    /// Pads the last byte with zero bits.
    mutating func flushToByte() {
        if filled > 0 { bytes.append(UInt8(truncatingIfNeeded: accumulator)) }
        accumulator = 0
        filled = 0
    }
}
