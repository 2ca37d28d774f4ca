// DEFLATE decoding (RFC 1951): stored, fixed-Huffman and dynamic-Huffman blocks, decoded with
// two-level lookup tables over a 64-bit bit buffer. The gzip (RFC 1952) and zlib (RFC 1950)
// wrappers are in Compression.swift; ZIP members use the raw stream.

/// The growable output of a decompression, with slack past the end so that match copies may
/// write eight bytes at a time.
final class InflateOutput {
    private(set) var base: UnsafeMutablePointer<UInt8>
    /// Bytes written so far.
    var count = 0
    /// Bytes that fit without growing (the slack is extra).
    private(set) var capacity: Int
    /// The most bytes this output may hold; more is an error.
    let limit: Int
    /// The name of the data in error messages.
    let name: String
    static let slack = 16

    init(expectedCount: Int, limit: Int, name: String) {
        self.limit = limit
        self.name = name
        capacity = max(0, min(max(expectedCount, 256), limit))
        base = .allocate(capacity: capacity + InflateOutput.slack)
    }

    deinit { base.deallocate() }

    /// Makes room for `extra` more bytes, or throws when that would pass `limit`.
    func reserve(_ extra: Int) throws {
        let (needed, overflow) = count.addingReportingOverflow(extra)
        if !overflow && needed <= capacity { return }
        guard !overflow, needed <= limit else {
            throw KerasError.invalidData("\(name): the decompressed data is larger than the \(limit) bytes expected")
        }
        let doubled = capacity > Int.max / 4 ? Int.max / 2 : capacity * 2
        let newCapacity = min(max(doubled, needed), limit)
        let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity + InflateOutput.slack)
        newBase.update(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    /// A copy of the bytes written from `start` on.
    func bytes(from start: Int = 0) -> [UInt8] {
        let length = count - start
        return [UInt8](unsafeUninitializedCapacity: length) { buffer, initialized in
            if length > 0 { buffer.baseAddress!.update(from: base + start, count: length) }
            initialized = length
        }
    }
}

/// Table layout and constants of the DEFLATE decoder.
///
/// A table entry is a `UInt32`: bits 0–4 hold the number of bits the code takes, bits 5–7 the
/// kind, bits 8–11 the number of extra bits (or, for a subtable link, the subtable's index
/// width), bits 16–31 the value (literal byte, length or distance base, or subtable offset).
enum InflateTables {
    static let literal: UInt32 = 0, length: UInt32 = 1, endOfBlock: UInt32 = 2, subtable: UInt32 = 3, invalid: UInt32 = 4
    static let invalidEntry: UInt32 = invalid << 5

    static let literalBits = 10, distanceBits = 8, codeLengthBits = 7
    /// Room for the primary table and one subtable per code longer than the primary width.
    static let literalTableSize = (1 << 10) + 288 * (1 << 5)
    static let distanceTableSize = (1 << 8) + 32 * (1 << 7)
    static let codeLengthTableSize = 1 << 7

    static let lengthBase: [UInt32] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
                                       35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    static let lengthExtra: [UInt32] = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
                                        3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    static let distanceBase: [UInt32] = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193,
                                         257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145,
                                         8193, 12289, 16385, 24577]
    static let distanceExtra: [UInt32] = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6,
                                          7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]
    /// The order in which a dynamic block lists the code-length code's lengths.
    static let codeLengthOrder: [Int] = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

    /// Entry payloads (without the code length) for the 288 literal/length symbols.
    static let literalPayload: [UInt32] = (0..<288).map { symbol in
        switch symbol {
        case 0..<256: return UInt32(symbol) << 16 | literal << 5
        case 256: return endOfBlock << 5
        case 257...285:
            let i = symbol - 257
            return lengthBase[i] << 16 | lengthExtra[i] << 8 | length << 5
        default: return invalid << 5
        }
    }
    /// Entry payloads for the 32 distance symbols (30 and 31 never occur in valid data).
    static let distancePayload: [UInt32] = (0..<32).map { symbol in
        symbol < 30 ? distanceBase[symbol] << 16 | distanceExtra[symbol] << 8 | length << 5 : invalid << 5
    }
    /// Entry payloads for the 19 code-length symbols.
    static let codeLengthPayload: [UInt32] = (0..<19).map { UInt32($0) << 16 | literal << 5 }

    /// Fills `table` for the canonical Huffman code with `lengths`, or returns what is wrong
    /// with the code. A code with no symbols gives a table of invalid entries; an incomplete
    /// code is accepted, as zlib does, only when `allowIncomplete` and it is a single 1-bit code.
    static func build(lengths: UnsafePointer<UInt8>, count: Int, payload: UnsafePointer<UInt32>,
                      primaryBits: Int, table: UnsafeMutablePointer<UInt32>, capacity: Int,
                      allowIncomplete: Bool) -> String? {
        var counts = (0..<16).map { _ in 0 }
        for i in 0..<count { counts[Int(lengths[i])] += 1 }
        let primarySize = 1 << primaryBits
        table.update(repeating: invalidEntry, count: primarySize)
        var maxLength = 15
        while maxLength > 0 && counts[maxLength] == 0 { maxLength -= 1 }
        if maxLength == 0 { return nil }
        var left = 1
        for length in 1...15 {
            left = left << 1 - counts[length]
            if left < 0 { return "over-subscribed Huffman code" }
        }
        if left > 0 && !(allowIncomplete && maxLength == 1) { return "incomplete Huffman code" }

        var next = [Int](repeating: 0, count: 16)
        var code = 0
        counts[0] = 0
        for length in 1...15 {
            code = (code + counts[length - 1]) << 1
            next[length] = code
        }
        let subBits = max(0, maxLength - primaryBits)
        let subSize = 1 << subBits
        var used = primarySize
        for symbol in 0..<count {
            let length = Int(lengths[symbol])
            if length == 0 { continue }
            var code = next[length]
            next[length] += 1
            var reversed = 0
            for _ in 0..<length {
                reversed = reversed << 1 | code & 1
                code >>= 1
            }
            let entry = payload[symbol] | UInt32(length)
            if length <= primaryBits {
                var i = reversed
                while i < primarySize {
                    table[i] = entry
                    i += 1 << length
                }
            } else {
                let prefix = reversed & (primarySize - 1)
                let sub: Int
                if (table[prefix] >> 5) & 7 == subtable {
                    sub = Int(table[prefix] >> 16)
                } else {
                    sub = used
                    used += subSize
                    guard used <= capacity else { return "Huffman table overflow" }
                    (table + sub).update(repeating: invalidEntry, count: subSize)
                    table[prefix] = UInt32(sub) << 16 | UInt32(subBits) << 8 | subtable << 5 | UInt32(primaryBits)
                }
                var i = reversed >> primaryBits
                while i < subSize {
                    table[sub + i] = entry
                    i += 1 << (length - primaryBits)
                }
            }
        }
        return nil
    }
}

/// Decodes one raw DEFLATE stream into an `InflateOutput`.
struct Inflater {
    private let input: UnsafePointer<UInt8>
    private let inputCount: Int
    /// The next input byte to load into the bit buffer. It may run past `inputCount`
    /// (zero bytes stand in there) until more bits are used than the input holds.
    private var position = 0
    /// Unused bits, least significant first. Bits above `bitCount` are either zero or the
    /// stream's next bits, so loading the same bytes again is harmless.
    private var bitBuffer: UInt64 = 0
    private var bitCount = 0
    private let output: InflateOutput
    /// Where this stream's output starts: matches may not reach before it.
    private let streamStart: Int
    private let literalTable: UnsafeMutablePointer<UInt32>
    private let distanceTable: UnsafeMutablePointer<UInt32>
    private let codeLengthTable: UnsafeMutablePointer<UInt32>
    private let lengths: UnsafeMutablePointer<UInt8>
    private var tablesAreFixed = false

    /// Decodes the DEFLATE stream at the start of `input`, appending to `output`; returns how
    /// many input bytes the stream took.
    static func inflate(_ input: UnsafeRawBufferPointer, into output: InflateOutput) throws -> Int {
        let literalTable = UnsafeMutablePointer<UInt32>.allocate(capacity: InflateTables.literalTableSize)
        let distanceTable = UnsafeMutablePointer<UInt32>.allocate(capacity: InflateTables.distanceTableSize)
        let codeLengthTable = UnsafeMutablePointer<UInt32>.allocate(capacity: InflateTables.codeLengthTableSize)
        let lengths = UnsafeMutablePointer<UInt8>.allocate(capacity: 320)
        defer {
            literalTable.deallocate()
            distanceTable.deallocate()
            codeLengthTable.deallocate()
            lengths.deallocate()
        }
        // A one-byte stand-in keeps the pointer valid for an empty input.
        var empty: UInt8 = 0
        return try withUnsafePointer(to: &empty) { emptyPointer in
            let base = input.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? emptyPointer
            var inflater = Inflater(input: base, inputCount: input.count, output: output, streamStart: output.count,
                                    literalTable: literalTable, distanceTable: distanceTable,
                                    codeLengthTable: codeLengthTable, lengths: lengths)
            return try inflater.run()
        }
    }

    private init(input: UnsafePointer<UInt8>, inputCount: Int, output: InflateOutput, streamStart: Int,
                 literalTable: UnsafeMutablePointer<UInt32>, distanceTable: UnsafeMutablePointer<UInt32>,
                 codeLengthTable: UnsafeMutablePointer<UInt32>, lengths: UnsafeMutablePointer<UInt8>) {
        self.input = input
        self.inputCount = inputCount
        self.output = output
        self.streamStart = streamStart
        self.literalTable = literalTable
        self.distanceTable = distanceTable
        self.codeLengthTable = codeLengthTable
        self.lengths = lengths
    }

    private func corrupt(_ problem: String) -> KerasError {
        KerasError.invalidData("\(output.name): corrupt DEFLATE data: \(problem)")
    }

    private func truncated() -> KerasError {
        KerasError.invalidData("\(output.name): the compressed data is truncated")
    }

    // MARK: Bits

    /// Fills the bit buffer to at least 56 bits.
    @inline(__always)
    private mutating func refill() throws {
        if position &+ 8 <= inputCount {
            let word = UInt64(littleEndian: UnsafeRawPointer(input + position).loadUnaligned(as: UInt64.self))
            bitBuffer |= word &<< UInt64(bitCount)
            position &+= (63 &- bitCount) &>> 3
            bitCount |= 56
        } else {
            try refillNearEnd()
        }
    }

    private mutating func refillNearEnd() throws {
        while bitCount <= 56 {
            let byte: UInt64 = position < inputCount ? UInt64(input[position]) : 0
            bitBuffer |= byte &<< UInt64(bitCount)
            position += 1
            bitCount += 8
        }
        if position * 8 - bitCount > inputCount * 8 { throw truncated() }
    }

    /// Takes `count` (at most 32) bits; the caller has refilled.
    @inline(__always)
    private mutating func bits(_ count: Int) -> Int {
        let value = Int(truncatingIfNeeded: bitBuffer) & ((1 &<< count) &- 1)
        bitBuffer &>>= UInt64(count)
        bitCount &-= count
        return value
    }

    /// Decodes one symbol with `table`; an invalid code takes no bits and returns an entry of kind invalid.
    @inline(__always)
    private mutating func decode(_ table: UnsafeMutablePointer<UInt32>, primaryBits: Int) -> UInt32 {
        var entry = table[Int(truncatingIfNeeded: bitBuffer) & ((1 &<< primaryBits) &- 1)]
        if (entry &>> 5) & 7 == InflateTables.subtable {
            let subBits = Int((entry &>> 8) & 0xF)
            let index = Int(truncatingIfNeeded: bitBuffer &>> UInt64(primaryBits)) & ((1 &<< subBits) &- 1)
            entry = table[Int(entry &>> 16) &+ index]
        }
        let length = Int(entry & 31)
        bitBuffer &>>= UInt64(length)
        bitCount &-= length
        return entry
    }

    /// Moves to the next byte boundary and gives unused whole bytes back to the input.
    private mutating func alignToByte() {
        _ = bits(bitCount & 7)
        position -= bitCount >> 3
        bitBuffer = 0
        bitCount = 0
    }

    // MARK: Blocks

    private mutating func run() throws -> Int {
        var isFinal = false
        repeat {
            try refill()
            isFinal = bits(1) == 1
            switch bits(2) {
            case 0:
                try storedBlock()
            case 1:
                if !tablesAreFixed { buildFixedTables() }
                try huffmanBlock()
            case 2:
                try readDynamicTables()
                try huffmanBlock()
            default:
                throw corrupt("invalid block type 3")
            }
            if position * 8 - bitCount > inputCount * 8 { throw truncated() }
        } while !isFinal
        alignToByte()
        guard position <= inputCount else { throw truncated() }
        return position
    }

    private mutating func storedBlock() throws {
        alignToByte()
        guard position <= inputCount, inputCount - position >= 4 else { throw truncated() }
        let length = Int(input[position]) | Int(input[position + 1]) << 8
        let complement = Int(input[position + 2]) | Int(input[position + 3]) << 8
        guard length == complement ^ 0xFFFF else {
            throw corrupt("stored block length \(length) does not match its complement")
        }
        position += 4
        guard inputCount - position >= length else { throw truncated() }
        try output.reserve(length)
        (output.base + output.count).update(from: input + position, count: length)
        output.count += length
        position += length
    }

    private mutating func buildFixedTables() {
        for i in 0..<288 { lengths[i] = i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8 }
        _ = InflateTables.literalPayload.withUnsafeBufferPointer {
            InflateTables.build(lengths: lengths, count: 288, payload: $0.baseAddress!, primaryBits: InflateTables.literalBits,
                                table: literalTable, capacity: InflateTables.literalTableSize, allowIncomplete: false)
        }
        for i in 0..<32 { lengths[i] = 5 }
        _ = InflateTables.distancePayload.withUnsafeBufferPointer {
            InflateTables.build(lengths: lengths, count: 32, payload: $0.baseAddress!, primaryBits: InflateTables.distanceBits,
                                table: distanceTable, capacity: InflateTables.distanceTableSize, allowIncomplete: false)
        }
        tablesAreFixed = true
    }

    private mutating func readDynamicTables() throws {
        tablesAreFixed = false
        try refill()
        let literalCount = bits(5) + 257, distanceCount = bits(5) + 1, codeLengthCount = bits(4) + 4
        guard literalCount <= 286, distanceCount <= 30 else { throw corrupt("too many length or distance symbols") }
        lengths.update(repeating: 0, count: 19)
        for i in 0..<codeLengthCount {
            try refill()
            lengths[InflateTables.codeLengthOrder[i]] = UInt8(bits(3))
        }
        if let problem = InflateTables.codeLengthPayload.withUnsafeBufferPointer({
            InflateTables.build(lengths: lengths, count: 19, payload: $0.baseAddress!, primaryBits: InflateTables.codeLengthBits,
                                table: codeLengthTable, capacity: InflateTables.codeLengthTableSize, allowIncomplete: false)
        }) {
            throw corrupt("\(problem) in the code-length code")
        }
        let total = literalCount + distanceCount
        var i = 0
        while i < total {
            try refill()
            let entry = decode(codeLengthTable, primaryBits: InflateTables.codeLengthBits)
            guard (entry >> 5) & 7 == InflateTables.literal else { throw corrupt("invalid code-length code") }
            let symbol = Int(entry >> 16)
            if symbol < 16 {
                lengths[i] = UInt8(symbol)
                i += 1
                continue
            }
            var value: UInt8 = 0
            let repeatCount: Int
            switch symbol {
            case 16:
                guard i > 0 else { throw corrupt("a repeated code length with no previous length") }
                value = lengths[i - 1]
                repeatCount = 3 + bits(2)
            case 17: repeatCount = 3 + bits(3)
            default: repeatCount = 11 + bits(7)
            }
            guard i + repeatCount <= total else { throw corrupt("code lengths run past the symbol count") }
            (lengths + i).update(repeating: value, count: repeatCount)
            i += repeatCount
        }
        guard lengths[256] != 0 else { throw corrupt("no end-of-block code") }
        if let problem = InflateTables.literalPayload.withUnsafeBufferPointer({
            InflateTables.build(lengths: lengths, count: literalCount, payload: $0.baseAddress!,
                                primaryBits: InflateTables.literalBits, table: literalTable,
                                capacity: InflateTables.literalTableSize, allowIncomplete: true)
        }) {
            throw corrupt("\(problem) in the literal/length code")
        }
        if let problem = InflateTables.distancePayload.withUnsafeBufferPointer({
            InflateTables.build(lengths: lengths + literalCount, count: distanceCount, payload: $0.baseAddress!,
                                primaryBits: InflateTables.distanceBits, table: distanceTable,
                                capacity: InflateTables.distanceTableSize, allowIncomplete: true)
        }) {
            throw corrupt("\(problem) in the distance code")
        }
    }

    /// Decodes symbols until the end-of-block code. The bit buffer holds at least 56 bits after
    /// a refill, enough for a length code, its extra bits, a distance code and its extra bits
    /// (15 + 5 + 15 + 13 = 48 bits), or for three literals (45). The loop keeps the bit state in
    /// local variables.
    private mutating func huffmanBlock() throws {
        let literalTable = self.literalTable, distanceTable = self.distanceTable
        let input = self.input, inputCount = self.inputCount
        let literalMask = (1 << InflateTables.literalBits) - 1, distanceMask = (1 << InflateTables.distanceBits) - 1
        var out = output.base
        var count = output.count
        var capacity = output.capacity
        var buffer = bitBuffer, available = bitCount, position = self.position
        defer {
            output.count = count
            bitBuffer = buffer
            bitCount = available
            self.position = position
        }

        @inline(__always) func lookup(_ table: UnsafeMutablePointer<UInt32>, _ primaryBits: Int, _ mask: Int) -> UInt32 {
            var entry = table[Int(truncatingIfNeeded: buffer) & mask]
            if (entry &>> 5) & 7 == InflateTables.subtable {
                let index = Int(truncatingIfNeeded: buffer &>> UInt64(primaryBits)) & ((1 &<< Int((entry &>> 8) & 0xF)) &- 1)
                entry = table[Int(entry &>> 16) &+ index]
            }
            let length = Int(entry & 31)
            buffer &>>= UInt64(length)
            available &-= length
            return entry
        }

        while true {
            if position &+ 8 <= inputCount {
                let word = UInt64(littleEndian: UnsafeRawPointer(input + position).loadUnaligned(as: UInt64.self))
                buffer |= word &<< UInt64(available)
                position &+= (63 &- available) &>> 3
                available |= 56
            } else {
                bitBuffer = buffer
                bitCount = available
                self.position = position
                try refillNearEnd()
                buffer = bitBuffer
                available = bitCount
                position = self.position
            }
            var entry = lookup(literalTable, InflateTables.literalBits, literalMask)
            var kind = (entry &>> 5) & 7
            if kind == InflateTables.literal {
                if count &+ 3 > capacity {
                    // Near the end of the room: one literal at a time, so that exact limits hold.
                    if count >= capacity {
                        output.count = count
                        try output.reserve(1)
                        out = output.base
                        capacity = output.capacity
                    }
                    out[count] = UInt8(truncatingIfNeeded: entry &>> 16)
                    count &+= 1
                    continue
                }
                // Up to two more literals from the same refill.
                out[count] = UInt8(truncatingIfNeeded: entry &>> 16)
                count &+= 1
                entry = lookup(literalTable, InflateTables.literalBits, literalMask)
                kind = (entry &>> 5) & 7
                if kind == InflateTables.literal {
                    out[count] = UInt8(truncatingIfNeeded: entry &>> 16)
                    count &+= 1
                    entry = lookup(literalTable, InflateTables.literalBits, literalMask)
                    kind = (entry &>> 5) & 7
                    if kind == InflateTables.literal {
                        out[count] = UInt8(truncatingIfNeeded: entry &>> 16)
                        count &+= 1
                        continue
                    }
                }
                if kind == InflateTables.length && available < 33 {
                    // Too few bits left for the match's extra bits, distance code and extra bits.
                    if position &+ 8 <= inputCount {
                        let word = UInt64(littleEndian: UnsafeRawPointer(input + position).loadUnaligned(as: UInt64.self))
                        buffer |= word &<< UInt64(available)
                        position &+= (63 &- available) &>> 3
                        available |= 56
                    } else {
                        bitBuffer = buffer
                        bitCount = available
                        self.position = position
                        try refillNearEnd()
                        buffer = bitBuffer
                        available = bitCount
                        position = self.position
                    }
                }
            }
            if kind == InflateTables.endOfBlock { return }
            guard kind == InflateTables.length else { throw corrupt("invalid literal/length code") }
            let extra = Int((entry &>> 8) & 0xF)
            let length = Int(entry &>> 16) &+ (Int(truncatingIfNeeded: buffer) & ((1 &<< extra) &- 1))
            buffer &>>= UInt64(extra)
            available &-= extra
            let distanceEntry = lookup(distanceTable, InflateTables.distanceBits, distanceMask)
            guard (distanceEntry &>> 5) & 7 == InflateTables.length else { throw corrupt("invalid distance code") }
            let distanceExtra = Int((distanceEntry &>> 8) & 0xF)
            let distance = Int(distanceEntry &>> 16) &+ (Int(truncatingIfNeeded: buffer) & ((1 &<< distanceExtra) &- 1))
            buffer &>>= UInt64(distanceExtra)
            available &-= distanceExtra
            guard distance <= count &- streamStart else {
                throw corrupt("a match reaches \(distance) bytes back, before the start of the data")
            }
            if count &+ length > capacity {
                output.count = count
                try output.reserve(length)
                out = output.base
                capacity = output.capacity
            }
            let destination = out + count
            let source = destination - distance
            if distance >= 8 {
                // Eight bytes at a time; may write up to 7 bytes into the slack past the match.
                var i = 0
                while i < length {
                    UnsafeMutableRawPointer(destination + i).storeBytes(
                        of: UnsafeRawPointer(source + i).loadUnaligned(as: UInt64.self), as: UInt64.self)
                    i &+= 8
                }
            } else if distance == 1 {
                destination.update(repeating: source.pointee, count: length)
            } else {
                for i in 0..<length { destination[i] = source[i] }
            }
            count &+= length
        }
    }
}
