import Foundation
import Testing
@testable import Keras

// The file formats of the datasets issue: DEFLATE (gzip, zlib, raw), .npy, .npz, IDX and CSV.
// Fixtures come from real numpy and zlib (Tools/fixtures/make_numpy_fixtures.py writes
// Tests/Fixtures/numpy/); hand-made and corrupted inputs check that bad data always throws.

/// The fixtures of Tests/Fixtures/numpy and helpers shared with DatasetTests.
enum FormatFixtures {
    struct ArrayExpectation: Decodable {
        var file: String?
        var shape: [Int]
        var descr: String
        var bits: [UInt32]
        var fortran: Bool?
    }

    struct Archive: Decodable {
        var file: String
        var arrays: [String: ArrayExpectation]
    }

    struct Stream: Decodable {
        var file: String
        var wrapper: String
        var size: Int
        var crc32: UInt32
        var empty: Bool
    }

    struct Permutation: Decodable {
        var seed: UInt32
        var count: Int
        var head: [Int]
        var weighted_sum: Int
    }

    struct Categorical: Decodable {
        var labels: [Float]
        var shape: [Int]
        var num_classes: Int?
        var result_shape: [Int]
        var result: [Float]

        enum CodingKeys: String, CodingKey { case labels, shape, num_classes, result_shape, result }

        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            shape = try c.decode([Int].self, forKey: .shape)
            num_classes = try c.decodeIfPresent(Int.self, forKey: .num_classes)
            result_shape = try c.decode([Int].self, forKey: .result_shape)
            result = try c.decode([Float].self, forKey: .result)
            // Labels nest as deep as their shape: flatten them.
            if let flat = try? c.decode([Float].self, forKey: .labels) {
                labels = flat
            } else if let nested = try? c.decode([[Float]].self, forKey: .labels) {
                labels = nested.flatMap { $0 }
            } else {
                labels = [try c.decode(Float.self, forKey: .labels)]
            }
        }
    }

    struct Normalize: Decodable {
        var x: [Float]
        var shape: [Int]
        var axis: Int
        var order: OrderValue
        var result: [Float]

        struct OrderValue: Decodable {
            var value: Double
            init(from decoder: Decoder) throws {
                let c = try decoder.singleValueContainer()
                if let text = try? c.decode(String.self), text == "inf" { value = .infinity } else { value = try c.decode(Double.self) }
            }
        }
    }

    struct PadSequences: Decodable {
        var sequences: [[Int]]
        var maxlen: Int?
        var padding: String
        var truncating: String
        var value: Float
        var shape: [Int]
        var result: [Float]
    }

    struct KerasUtils: Decodable {
        var to_categorical: [Categorical]
        var normalize: [Normalize]
        var pad_sequences: [PadSequences]
    }

    struct Expected: Decodable {
        var npy: [ArrayExpectation]
        var npz: [Archive]
        var deflate: [Stream]
        var idx: [ArrayExpectation]
        var random_state_permutations: [Permutation]
        var keras_utils: KerasUtils?
    }

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/numpy")

    static let expected: Expected = {
        do {
            return try JSONDecoder().decode(Expected.self, from: Data(contentsOf: directory.appendingPathComponent("expected.json")))
        } catch {
            fatalError("Cannot read Tests/Fixtures/numpy/expected.json (run Tools/fixtures/make_numpy_fixtures.py): \(error)")
        }
    }()

    static func url(_ name: String) -> URL { directory.appendingPathComponent(name) }

    static func bytes(_ name: String) -> [UInt8] {
        [UInt8]((try? Data(contentsOf: url(name))) ?? Data())
    }

    /// A new empty folder for one test.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("keras-format-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func write(_ bytes: [UInt8], to url: URL) throws {
        try Data(bytes).write(to: url)
    }

    /// `data` in a gzip member of stored blocks, with a correct trailer.
    static func gzipStored(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 255]
        var offset = 0
        repeat {
            let length = min(65535, data.count - offset)
            let final: UInt8 = offset + length == data.count ? 1 : 0
            out += [final, UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8((~length >> 8) & 0xFF)]
            out += data[offset..<(offset + length)]
            offset += length
        } while offset < data.count
        let crc = CRC32.checksum(data)
        out += littleEndian32(Int(crc)) + littleEndian32(data.count)
        return out
    }

    static func littleEndian32(_ value: Int) -> [UInt8] {
        (0..<4).map { UInt8((value >> (8 * $0)) & 0xFF) }
    }

    /// An IDX file of unsigned bytes.
    static func idxBytes(shape: [Int], values: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0, 0, 8, UInt8(shape.count)]
        for dimension in shape { out += (0..<4).reversed().map { UInt8((dimension >> (8 * $0)) & 0xFF) } }
        return out + values
    }

    static func bitPatterns(_ tensor: Tensor) -> [UInt32] { tensor.scalars.map(\.bitPattern) }

    /// Runs `body`, which must throw `KerasError.invalidData` whose message contains every one of `fragments`.
    static func expectInvalidData(_ fragments: [String] = [], sourceLocation: SourceLocation = #_sourceLocation,
                                  _ body: () throws -> Void) {
        do {
            try body()
            Issue.record("expected KerasError.invalidData containing \(fragments), but nothing was thrown", sourceLocation: sourceLocation)
        } catch let KerasError.invalidData(message) {
            for fragment in fragments where !message.contains(fragment) {
                Issue.record("message \"\(message)\" does not contain \"\(fragment)\"", sourceLocation: sourceLocation)
            }
        } catch {
            Issue.record("expected KerasError.invalidData, got \(error)", sourceLocation: sourceLocation)
        }
    }

}

/// Writes DEFLATE bit streams by hand: bits least significant first, Huffman codes most significant first.
struct BitWriter {
    var bytes: [UInt8] = []
    var bitCount = 0

    mutating func bits(_ value: Int, _ count: Int) {
        for i in 0..<count {
            if bitCount % 8 == 0 { bytes.append(0) }
            if (value >> i) & 1 == 1 { bytes[bytes.count - 1] |= UInt8(1 << (bitCount % 8)) }
            bitCount += 1
        }
    }

    mutating func code(_ value: Int, _ count: Int) {
        for i in (0..<count).reversed() { bits((value >> i) & 1, 1) }
    }
}

@Suite struct FileFormatTests {
    typealias F = FormatFixtures

    // MARK: DEFLATE

    @Test func inflateDecodesZlibsStreamsInEveryWrapper() throws {
        let source = F.bytes("deflate_source.bin")
        #expect(source.count > 30000)
        #expect(F.expected.deflate.count >= 9)
        for stream in F.expected.deflate {
            let data = F.bytes(stream.file)
            let output: [UInt8]
            switch stream.wrapper {
            case "gzip": output = try Inflate.gzip(data, name: stream.file)
            case "zlib": output = try Inflate.zlib(data, name: stream.file)
            default: output = try Inflate.raw(data, name: stream.file)
            }
            #expect(output.count == stream.size, "\(stream.file)")
            #expect(CRC32.checksum(output) == stream.crc32, "\(stream.file)")
            if !stream.empty { #expect(output == source, "\(stream.file)") }
        }
    }

    @Test func fixturesCoverStoredFixedAndDynamicBlocks() {
        // The first block's type sits in bits 1–2 of the first DEFLATE byte.
        func firstBlockType(_ bytes: [UInt8], at offset: Int) -> Int { Int(bytes[offset] >> 1) & 3 }
        #expect(firstBlockType(F.bytes("stored.gz"), at: 10) == 0)
        #expect(firstBlockType(F.bytes("fixed.zlib"), at: 2) == 1)
        #expect(firstBlockType(F.bytes("dynamic.zlib"), at: 2) == 2)
    }

    @Test func checksumsMatchKnownValues() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum([]) == 0)
        let text = Array("Wikipedia".utf8)
        #expect(text.withUnsafeBytes { Adler32.update(1, $0) } == 0x11E6_0398)
        // Slicing-by-8 agrees with the bytewise path at every length and alignment.
        let data = (0..<100).map { UInt8(($0 * 37 + 11) & 0xFF) }
        for start in 0..<9 {
            for end in stride(from: start, through: data.count, by: 7) {
                let slice = Array(data[start..<end])
                var bytewise: UInt32 = 0
                for byte in slice { bytewise = [byte].withUnsafeBytes { CRC32.update(bytewise, $0) } }
                #expect(CRC32.checksum(slice) == bytewise)
            }
        }
    }

    @Test func everyTruncationOfACompressedStreamThrows() {
        for name in ["dynamic.gz", "fixed.zlib", "stored.gz", "header_fields.gz"] {
            let data = F.bytes(name)
            var lengths = Set(stride(from: 0, to: data.count, by: 211))
            lengths.formUnion(0..<min(40, data.count))
            lengths.formUnion(max(0, data.count - 40)..<data.count)
            for length in lengths.sorted() {
                let prefix = Array(data[..<length])
                F.expectInvalidData([name]) {
                    _ = name.hasSuffix(".gz") ? try Inflate.gzip(prefix, name: name) : try Inflate.zlib(prefix, name: name)
                }
            }
        }
    }

    @Test func corruptedBytesThrowOrDecodeIdentically() {
        // Flipped bytes must never crash; the CRC catches what the decoder does not (the gzip
        // header's time, flags and OS bytes are not checked, so those may still decode).
        let data = F.bytes("dynamic.gz"), source = F.bytes("deflate_source.bin")
        var generator = RandomGenerator(seed: 11)
        var thrown = 0
        for _ in 0..<300 {
            var corrupted = data
            let index = Int(generator.next() % UInt64(data.count))
            corrupted[index] ^= UInt8(1 + generator.next() % 255)
            do {
                let output = try Inflate.gzip(corrupted)
                #expect(output == source, "byte \(index) corrupted yet decoded to different data")
            } catch is KerasError {
                thrown += 1
            } catch {
                Issue.record("unexpected error \(error)")
            }
        }
        #expect(thrown > 250)
    }

    @Test func handMadeBadStreamsThrowTheirProblem() {
        // Block type 3.
        F.expectInvalidData(["invalid block type"]) { _ = try Inflate.raw([0x07]) }
        // A stored block whose length and complement disagree.
        F.expectInvalidData(["does not match its complement"]) { _ = try Inflate.raw([0x01, 0x05, 0x00, 0x00, 0x00]) }
        // A stored block longer than the data.
        F.expectInvalidData(["truncated"]) { _ = try Inflate.raw([0x01, 0x05, 0x00, 0xFA, 0xFF, 1, 2]) }
        // A fixed block whose first symbol is a match: nothing to copy from.
        var w = BitWriter()
        w.bits(1, 1)
        w.bits(1, 2)
        w.code(0b0000001, 7)  // length 3
        w.code(0, 5)          // distance 1
        w.code(0, 7)          // end of block
        F.expectInvalidData(["before the start of the data"]) { _ = try Inflate.raw(w.bytes) }
        // Fixed literal/length symbol 286 (code 11000110) is invalid.
        w = BitWriter()
        w.bits(1, 1)
        w.bits(1, 2)
        w.code(0b1100_0110, 8)
        F.expectInvalidData(["invalid literal/length code"]) { _ = try Inflate.raw(w.bytes + [0, 0]) }
        // Distance symbol 30 is invalid.
        w = BitWriter()
        w.bits(1, 1)
        w.bits(1, 2)
        w.code(0x30 + 65, 8)  // literal 'A'
        w.code(0b0000001, 7)  // length 3
        w.code(30, 5)
        F.expectInvalidData(["invalid distance code"]) { _ = try Inflate.raw(w.bytes + [0, 0]) }

        func dynamicHeader(_ codeLengths: [Int: Int], count: Int) -> BitWriter {
            var w = BitWriter()
            w.bits(1, 1)
            w.bits(2, 2)
            w.bits(0, 5)  // 257 literal/length codes
            w.bits(0, 5)  // 1 distance code
            w.bits(count - 4, 4)
            for symbol in InflateTables.codeLengthOrder.prefix(count) { w.bits(codeLengths[symbol] ?? 0, 3) }
            return w
        }
        // Four code-length codes of length 1: over-subscribed.
        w = dynamicHeader([16: 1, 17: 1, 18: 1, 0: 1], count: 4)
        F.expectInvalidData(["over-subscribed"]) { _ = try Inflate.raw(w.bytes + [0, 0, 0, 0]) }
        // One code-length code of length 2: incomplete.
        w = dynamicHeader([18: 2], count: 4)
        F.expectInvalidData(["incomplete"]) { _ = try Inflate.raw(w.bytes + [0, 0, 0, 0]) }
        // A complete code-length code (symbols 1 and 18, one bit each) giving literals 0 and 1
        // but no end-of-block code.
        w = dynamicHeader([18: 1, 1: 1], count: 18)
        w.code(0, 1)         // length 1 for symbol 0
        w.code(0, 1)         // length 1 for symbol 1
        w.code(1, 1)         // 18: zeros
        w.bits(127, 7)       // 138 of them
        w.code(1, 1)
        w.bits(118 - 11, 7)  // 118 more: 258 lengths in all
        F.expectInvalidData(["no end-of-block code"]) { _ = try Inflate.raw(w.bytes + [0, 0, 0, 0]) }
        // A repeat (16) with no previous length.
        w = dynamicHeader([16: 1, 18: 1], count: 4)
        w.code(0, 1)
        F.expectInvalidData(["no previous length"]) { _ = try Inflate.raw(w.bytes + [0, 0, 0, 0]) }
    }

    @Test func wrapperChecksAndLimitsThrow() {
        let gz = F.bytes("dynamic.gz")
        var badCRC = gz
        badCRC[gz.count - 8] ^= 0xFF
        F.expectInvalidData(["CRC-32 mismatch", "crc.gz"]) { _ = try Inflate.gzip(badCRC, name: "crc.gz") }
        var badSize = gz
        badSize[gz.count - 4] ^= 0x01
        F.expectInvalidData(["length mismatch"]) { _ = try Inflate.gzip(badSize) }
        F.expectInvalidData(["not gzip"]) { _ = try Inflate.gzip([0x50, 0x4B, 3, 4] + gz) }
        F.expectInvalidData(["empty"]) { _ = try Inflate.gzip([]) }
        F.expectInvalidData(["data after the gzip stream is not gzip"]) { _ = try Inflate.gzip(gz + [1, 2, 3]) }
        var badMethod = gz
        badMethod[2] = 7
        F.expectInvalidData(["compression method"]) { _ = try Inflate.gzip(badMethod) }
        var badHeaderCRC = F.bytes("header_fields.gz")
        badHeaderCRC[5] ^= 1  // the modification time is covered by the header CRC
        F.expectInvalidData(["header checksum"]) { _ = try Inflate.gzip(badHeaderCRC) }
        // A stream that inflates beyond the limit (a "zip bomb").
        F.expectInvalidData(["larger than the 1000 bytes"]) { _ = try Inflate.gzip(gz, maxOutputBytes: 1000) }
        // A limit of exactly the output size is enough, for every kind of block.
        let size = F.bytes("deflate_source.bin").count
        for name in ["dynamic.gz", "stored.gz", "two_members.gz"] {
            #expect(throws: Never.self) { _ = try Inflate.gzip(F.bytes(name), maxOutputBytes: size) }
            F.expectInvalidData(["larger than"]) { _ = try Inflate.gzip(F.bytes(name), maxOutputBytes: size - 1) }
        }
        #expect(throws: Never.self) { _ = try Inflate.zlib(F.bytes("fixed.zlib"), maxOutputBytes: size) }

        let zz = F.bytes("dynamic.zlib")
        var badAdler = zz
        badAdler[zz.count - 1] ^= 0xFF
        F.expectInvalidData(["Adler-32 mismatch"]) { _ = try Inflate.zlib(badAdler) }
        F.expectInvalidData(["not zlib data"]) { _ = try Inflate.zlib([0x78, 0x9B] + zz.dropFirst(2)) }
        F.expectInvalidData(["preset dictionary"]) { _ = try Inflate.zlib([0x78, 0xBB, 0, 0, 0, 0]) }
        F.expectInvalidData(["after the end of the zlib stream"]) { _ = try Inflate.zlib(zz + [0]) }
        F.expectInvalidData(["after the end of the DEFLATE stream"]) { _ = try Inflate.raw(F.bytes("rle.deflate") + [9]) }
    }

    // MARK: .npy

    @Test func numpyFilesReadBitForBit() throws {
        #expect(F.expected.npy.count >= 25)
        for expectation in F.expected.npy {
            let file = expectation.file!
            let loaded = try NumPy.loadArray(F.url(file))
            #expect(loaded.tensor.shape == expectation.shape, "\(file)")
            #expect(loaded.scalarType.descr == expectation.descr, "\(file)")
            #expect(loaded.isFortranOrder == (expectation.fortran ?? false), "\(file)")
            #expect(F.bitPatterns(loaded.tensor) == expectation.bits, "\(file)")
        }
    }

    @Test func scalarTypesParseAndName() {
        #expect(ScalarType(descr: "<f4") == .float32)
        #expect(ScalarType(descr: "|u1")?.name == "uint8")
        #expect(ScalarType(descr: ">i8")?.name == "int64")
        #expect(ScalarType(descr: "|b1") == .bool)
        #expect(ScalarType(descr: "=f8") == .float64)
        for unsupported in ["<c8", "|O", "<U5", "|S3", "<M8[ns]", "<f16", "|V8", "<i3", "|i4", "f4", ""] {
            #expect(ScalarType(descr: unsupported) == nil, "\(unsupported)")
        }
        #expect(ScalarType.halfToFloat(0x3C00) == 1)
        #expect(ScalarType.halfToFloat(0x0001) == Float(bitPattern: 0x3380_0000))  // 2^-24
        #expect(ScalarType.halfToFloat(0xFC00) == -.infinity)
    }

    @Test func savedFilesMatchNumPysBytes() throws {
        let folder = try F.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let cases: [(String, Tensor)] = [
            ("save_reference_2d.npy", Tensor(shape: [2, 3], scalars: [0, 0.25, 0.5, 0.75, 1, 1.25])),
            ("save_reference_scalar.npy", Tensor(1.5)),
            ("save_reference_empty.npy", Tensor(shape: [0, 4], scalars: [])),
        ]
        for (name, tensor) in cases {
            let url = folder.appendingPathComponent(name)
            try NumPy.save(tensor, to: url)
            #expect(try FileIO.read(url) == F.bytes(name), "\(name)")
        }
    }

    @Test func npyRoundTripsKeepShapesAndBits() throws {
        let folder = try F.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        var generator = RandomGenerator(seed: 3)
        let shapes: [[Int]] = [[], [0], [1], [7], [3, 0, 2], [2, 3, 4], [1, 1, 1, 1, 5], [130, 3]]
        for (i, shape) in shapes.enumerated() {
            let count = shape.reduce(1, *)
            var scalars = (0..<count).map { _ in generator.nextNormal() * 100 }
            if count > 3 { scalars[0] = .nan; scalars[1] = -.infinity; scalars[2] = -0.0 }
            let tensor = Tensor(shape: shape, scalars: scalars)
            let url = folder.appendingPathComponent("a\(i).npy")
            try NumPy.save(tensor, to: url)
            let loaded = try NumPy.loadArray(url)
            #expect(loaded.tensor.shape == shape)
            #expect(loaded.scalarType == .float32)
            #expect(F.bitPatterns(loaded.tensor) == F.bitPatterns(tensor))
        }
        // Saving over a file replaces it, and leaves no temporary file behind.
        let url = folder.appendingPathComponent("a0.npy")
        try NumPy.save(Tensor([1, 2, 3]), to: url.path)
        #expect(try NumPy.load(url.path) == Tensor([1, 2, 3]))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.contains(".tmp") }
        #expect(leftovers.isEmpty)
    }

    @Test func writingToAMissingFolderThrowsAndLeavesNothing() throws {
        let folder = try F.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let missing = folder.appendingPathComponent("no/such/folder/x.npy")
        #expect(throws: KerasError.self) { try NumPy.save(Tensor([1]), to: missing) }
        #expect(throws: KerasError.self) { try NumPy.load(folder.appendingPathComponent("absent.npy")) }
        #expect(throws: KerasError.self) { try NumPy.load(folder) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    }

    /// A small valid `.npy` file with `header` (a Python dict literal) and `data`.
    static func npy(_ header: String, data: [UInt8], version: UInt8 = 1) -> [UInt8] {
        let text = Array((header + "\n").utf8)
        let length = version == 1 ? [UInt8(text.count & 0xFF), UInt8(text.count >> 8)] : F.littleEndian32(text.count)
        return NumPy.magic + [version, 0] + length + text + data
    }

    @Test func malformedNpyFilesThrow() throws {
        let good = F.bytes("f4.npy")
        #expect(throws: Never.self) { try good.withUnsafeBytes { _ = try NumPy.decode($0, name: "good.npy") } }
        func decode(_ bytes: [UInt8], _ fragments: [String], sourceLocation: SourceLocation = #_sourceLocation) {
            F.expectInvalidData(["bad.npy"] + fragments, sourceLocation: sourceLocation) {
                _ = try bytes.withUnsafeBytes { try NumPy.decode($0, name: "bad.npy") }
            }
        }
        // Every truncation.
        for length in 0..<good.count { decode(Array(good[..<length]), []) }
        decode(good + [0], ["unexpected bytes after the array data"])
        var badMagic = good
        badMagic[1] = UInt8(ascii: "n")
        decode(badMagic, ["bad magic"])
        var badVersion = good
        badVersion[6] = 4
        decode(badVersion, ["format version 4.0"])
        var longHeader = good
        longHeader[8] = 0xFF
        longHeader[9] = 0xFF
        decode(longHeader, ["truncated .npy header"])

        let four: [UInt8] = [0, 0, 128, 63]  // one float32 1.0
        #expect(throws: Never.self) {
            try Self.npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", data: four).withUnsafeBytes {
                _ = try NumPy.decode($0, name: "ok.npy")
            }
        }
        let bad: [(String, [String])] = [
            ("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", ["truncated", "8 bytes", "has 4"]),
            ("{'descr': '<f4', 'fortran_order': False, 'shape': (9223372036854775807, 2), }", ["too many elements"]),
            ("{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904,), }", ["more bytes than can exist"]),
            ("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }", ["integer too large"]),
            ("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }", ["non-negative"]),
            ("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", ["unsupported dtype '<c8'"]),
            ("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", ["unsupported dtype"]),
            ("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", ["structured"]),
            ("{'descr': '<f4', 'fortran_order': 0, 'shape': (1,), }", ["bad value for 'fortran_order'"]),
            ("{'descr': '<f4', 'shape': (1,), }", ["exactly the keys"]),
            ("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'extra': 1}", ["exactly the keys"]),
            ("{'descr': '<f4', 'descr': '<f4', 'shape': (1,), }", ["exactly the keys"]),
            ("{'descr': '<f4', 'fortran_order': False, 'shape': [1], }", ["bad value for 'shape'"]),
            ("{'descr': '<f4', 'fortran_order': False, 'shape': 1, }", ["bad value for 'shape'"]),
            ("('descr', '<f4')", ["not a dictionary"]),
            ("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), } x", ["unexpected text"]),
            ("{'descr': '<f4', 'fortran_order': False, 'shape': (1,)", ["expected ','"]),
            ("{'descr': '<f4', 'fortran_order': False, 'shape': (1,", ["unexpected end"]),
            ("{'descr: '<f4'}", ["expected ':'"]),
            ("{'descr': '<f4', 'fortran_order': Maybe, 'shape': (1,), }", ["unexpected text"]),
            (String(repeating: "(", count: 10_000), ["nested too deeply"]),
            ("{'descr': '<f4', 'fortran_order': False, 'shape': (" + String(repeating: "1, ", count: 65) + "), }",
             ["65 dimensions"]),
        ]
        for (header, fragments) in bad { decode(Self.npy(header, data: four), fragments) }
        // Python 2 headers (long integers) and version 2 headers still read.
        for (header, version) in [("{'descr': '<f4', 'fortran_order': False, 'shape': (1L,), }", UInt8(1)),
                                  ("{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (1,)}", 2),
                                  ("{'descr':'<f4','fortran_order':True,'shape':(1,)}", 3)] {
            let tensor = try Self.npy(header, data: four, version: version).withUnsafeBytes { try NumPy.decode($0, name: "ok.npy").tensor }
            #expect(tensor == Tensor([1]))
        }
    }

    // MARK: .npz

    @Test func numpyArchivesReadBitForBit() throws {
        #expect(F.expected.npz.count == 2)
        for archive in F.expected.npz {
            let arrays = try NumPy.loadArchiveArrays(F.url(archive.file))
            #expect(Set(arrays.keys) == Set(archive.arrays.keys), "\(archive.file)")
            for (key, expectation) in archive.arrays {
                guard let loaded = arrays[key] else { continue }
                #expect(loaded.tensor.shape == expectation.shape, "\(archive.file) \(key)")
                #expect(loaded.scalarType.descr == expectation.descr, "\(archive.file) \(key)")
                #expect(loaded.isFortranOrder == (expectation.fortran ?? false), "\(archive.file) \(key)")
                #expect(F.bitPatterns(loaded.tensor) == expectation.bits, "\(archive.file) \(key)")
            }
        }
        // The compressed archive's members really are deflated.
        let bytes = F.bytes("archive_deflated.npz")
        let entries = try bytes.withUnsafeBytes { try ZipArchive.entries($0, name: "archive_deflated.npz") }
        #expect(entries.allSatisfy { $0.method == 8 })
        #expect(try NumPy.loadArchive(F.url("archive_stored.npz").path)["scalar"] == Tensor(-4.5))
    }

    @Test func npzRoundTrips() throws {
        let folder = try F.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        var generator = RandomGenerator(seed: 5)
        let arrays: [String: Tensor] = [
            "x": Tensor(shape: [4, 3], scalars: (0..<12).map { _ in generator.nextNormal() }),
            "y": Tensor([1, 0, 1, 1]),
            "scalar": Tensor(7),
            "empty": Tensor(shape: [0, 5], scalars: []),
            "naïve name": Tensor([1, 2]),
        ]
        let url = folder.appendingPathComponent("data.npz")
        try NumPy.saveArchive(arrays, to: url)
        let loaded = try NumPy.loadArchiveArrays(url)
        #expect(Set(loaded.keys) == Set(arrays.keys))
        for (key, tensor) in arrays {
            #expect(loaded[key]?.tensor == tensor, "\(key)")
            #expect(loaded[key]?.scalarType == .float32)
        }
        // Members in the order given; duplicate or empty names are refused.
        try NumPy.saveArchive([("b", Tensor([1])), ("a", Tensor([2]))], to: url)
        let entries = try FileIO.read(url).withUnsafeBytes { try ZipArchive.entries($0, name: "data.npz") }
        #expect(entries.map(\.name) == ["b.npy", "a.npy"])
        #expect(throws: KerasError.self) { try NumPy.saveArchive([("a", Tensor([1])), ("a", Tensor([2]))], to: url) }
        #expect(throws: KerasError.self) { try NumPy.saveArchive([("", Tensor([1]))], to: url) }
    }

    @Test func malformedArchivesThrow() throws {
        let stored = F.bytes("archive_stored.npz")
        func decode(_ bytes: [UInt8], _ fragments: [String], sourceLocation: SourceLocation = #_sourceLocation) {
            F.expectInvalidData(["bad.npz"] + fragments, sourceLocation: sourceLocation) {
                _ = try bytes.withUnsafeBytes { try NumPy.decodeArchive($0, name: "bad.npz") }
            }
        }
        // Truncations.
        var lengths = Set(stride(from: 0, to: stored.count, by: 997))
        lengths.formUnion(max(0, stored.count - 60)..<stored.count)
        for length in lengths { decode(Array(stored[..<length]), []) }
        decode([1, 2, 3], ["too short"])
        decode([UInt8](repeating: 7, count: 100), ["not a ZIP archive"])

        let view = stored.withUnsafeBytes { raw in (0..<(stored.count - 21)).last { ByteView(raw).u32($0) == 0x0605_4B50 }! }
        let end = view
        func patched(_ offset: Int, _ value: Int, width: Int = 4, in bytes: [UInt8]? = nil) -> [UInt8] {
            var copy = bytes ?? stored
            for i in 0..<width { copy[offset + i] = UInt8((value >> (8 * i)) & 0xFF) }
            return copy
        }
        let directoryOffset = stored.withUnsafeBytes { ByteView($0).u32(end + 16) }
        decode(patched(end + 16, 0x7FFF_0000), ["central directory", "outside the file"])
        decode(patched(end + 12, 0x7FFF_0000), ["outside the file"])
        decode(patched(end + 10, 0xFFFE, width: 2), ["claims 65534 members"])
        decode(patched(end + 4, 1, width: 2), ["multi-disk"])
        // The first central record: its local header offset, sizes, method, flags and CRC.
        decode(patched(directoryOffset, 0x1234_5678), ["bad signature in central directory record 0"])
        decode(patched(directoryOffset + 42, 0x7FFF_FFF0), ["local header offset"])
        decode(patched(directoryOffset + 20, 0x7FFF_FFF0), ["runs past the end of the file"])
        decode(patched(directoryOffset + 10, 12, width: 2), ["compression method 12"])
        decode(patched(directoryOffset + 8, 1, width: 2), ["encrypted"])
        decode(patched(directoryOffset + 16, 0), ["CRC-32 mismatch"])
        decode(patched(directoryOffset + 24, 5), ["stored member"])
        decode(patched(0, 0), ["bad local header signature"])
        // A byte of the first member's data changed: the CRC catches it.
        var flipped = stored
        flipped[200] ^= 0x40
        decode(flipped, ["CRC-32 mismatch"])

        // Deflated members: corrupt data and lying sizes.
        let deflated = F.bytes("archive_deflated.npz")
        let dEnd = deflated.withUnsafeBytes { raw in (0..<(deflated.count - 21)).last { ByteView(raw).u32($0) == 0x0605_4B50 }! }
        let dDirectory = deflated.withUnsafeBytes { ByteView($0).u32(dEnd + 16) }
        decode(patched(dDirectory + 24, 0x7FFF_FFFF, in: deflated), ["more than DEFLATE can produce"])
        decode(patched(dDirectory + 24, 10, in: deflated), ["larger than the 10 bytes"])
        let size = deflated.withUnsafeBytes { ByteView($0).u32(dDirectory + 24) }
        decode(patched(dDirectory + 24, size + 1, in: deflated), ["decompressed to"])
        var corrupt = deflated
        for i in 100..<140 { corrupt[i] = UInt8(i * 7 & 0xFF) }
        decode(corrupt, [])

        // A member that is not a .npy inside: the npy error names the member.
        let folder = try F.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("inner.npz")
        try NumPy.saveArchive(["a": Tensor([1, 2])], to: url)
        var inner = try FileIO.read(url)
        let entries = try inner.withUnsafeBytes { try ZipArchive.entries($0, name: "x") }
        let dataStart = 30 + entries[0].name.utf8.count
        #expect(inner[dataStart] == 0x93)
        inner[dataStart + 1] = 0
        // Fix the CRC so that the npy decoder sees the damage.
        let crc = CRC32.checksum(Array(inner[dataStart..<(dataStart + entries[0].compressedSize)]))
        let innerEnd = inner.withUnsafeBytes { raw in (0..<(inner.count - 21)).last { ByteView(raw).u32($0) == 0x0605_4B50 }! }
        let innerDirectory = inner.withUnsafeBytes { ByteView($0).u32(innerEnd + 16) }
        inner = patched(innerDirectory + 16, Int(crc), in: inner)
        inner = patched(14, Int(crc), in: inner)
        decode(inner, ["member 'a.npy'", "bad magic"])
    }

    @Test func zip64CentralDirectoriesRead() throws {
        // Rewrite a stored archive's end record as ZIP64: all-ones fields, a ZIP64 end record and locator.
        let stored = F.bytes("archive_stored.npz")
        let end = stored.withUnsafeBytes { raw in (0..<(stored.count - 21)).last { ByteView(raw).u32($0) == 0x0605_4B50 }! }
        let (count, size, offset) = stored.withUnsafeBytes { raw in
            (ByteView(raw).u16(end + 10), ByteView(raw).u32(end + 12), ByteView(raw).u32(end + 16))
        }
        func le(_ value: Int, _ width: Int) -> [UInt8] { (0..<width).map { UInt8((value >> (8 * $0)) & 0xFF) } }
        var archive = Array(stored[..<end])
        let record = archive.count
        archive += le(0x0606_4B50, 4) + le(44, 8) + le(45, 2) + le(45, 2) + le(0, 4) + le(0, 4)
        archive += le(count, 8) + le(count, 8) + le(size, 8) + le(offset, 8)
        archive += le(0x0706_4B50, 4) + le(0, 4) + le(record, 8) + le(1, 4)
        archive += le(0x0605_4B50, 4) + le(0, 2) + le(0, 2) + le(0xFFFF, 2) + le(0xFFFF, 2)
        archive += le(0xFFFF_FFFF, 4) + le(0xFFFF_FFFF, 4) + le(0, 2)
        let arrays = try archive.withUnsafeBytes { try NumPy.decodeArchive($0, name: "zip64.npz") }
        #expect(arrays.count == F.expected.npz[0].arrays.count)
        var broken = archive
        broken[archive.count - 22 - 20] = 0  // the locator's signature
        F.expectInvalidData(["ZIP64"]) { _ = try broken.withUnsafeBytes { try NumPy.decodeArchive($0, name: "zip64.npz") } }
    }

    // MARK: IDX

    @Test func idxFilesOfEveryTypeRead() throws {
        #expect(F.expected.idx.count == 8)
        for expectation in F.expected.idx {
            let file = expectation.file!
            let loaded = try IDX.loadArray(F.url(file))
            #expect(loaded.tensor.shape == expectation.shape, "\(file)")
            #expect(loaded.scalarType.descr == expectation.descr, "\(file)")
            #expect(F.bitPatterns(loaded.tensor) == expectation.bits, "\(file)")
        }
        #expect(try IDX.load(F.url("labels.idx1-ubyte").path) == Tensor([3, 1, 4, 1, 5, 9]))
    }

    @Test func malformedIdxFilesThrow() throws {
        let good = F.idxBytes(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        func decode(_ bytes: [UInt8], _ fragments: [String], sourceLocation: SourceLocation = #_sourceLocation) {
            F.expectInvalidData(["bad.idx"] + fragments, sourceLocation: sourceLocation) {
                _ = try bytes.withUnsafeBytes { try IDX.decode($0, name: "bad.idx") }
            }
        }
        let tensor = try good.withUnsafeBytes { try IDX.decode($0, name: "good.idx").tensor }
        #expect(tensor == Tensor([[1, 2, 3], [4, 5, 6]]))
        for length in 0..<good.count { decode(Array(good[..<length]), []) }
        decode(good + [7], ["1 unexpected bytes"])
        decode([1] + good.dropFirst(), ["bad magic"])
        decode([0, 0, 0x0A] + good.dropFirst(3), ["unknown IDX type code 0xa"])
        decode(F.idxBytes(shape: [0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF], values: []), ["too many elements"])
        decode(F.idxBytes(shape: [60000, 28, 28], values: [1, 2, 3]), ["truncated", "47040000 bytes", "has 3"])
        // Gzip-compressed, and a corrupt gzip.
        let gz = F.gzipStored(good)
        #expect(try gz.withUnsafeBytes { try IDX.decode($0, name: "good.idx.gz").tensor } == tensor)
        var badGz = gz
        badGz[badGz.count - 6] ^= 1
        decode(badGz, ["CRC-32 mismatch"])
        decode(Array(gz.dropLast(3)), ["truncated"])
    }

    // MARK: Fuzz findings

    /// The inputs in Tools/fuzz/regressions, each of which once crashed a reader: the first byte picks
    /// the reader as in the fuzz harness (Tools/fuzz/FuzzMain.swift), and each must now throw `invalidData`.
    @Test func fuzzRegressionsThrowInsteadOfCrashing() throws {
        let folder = F.directory.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Tools/fuzz/regressions")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(names.contains("npy-empty-shape-overflow") && names.contains("npz-overlapping-members"))
        for name in names {
            let bytes = try FileIO.read(folder.appendingPathComponent(name))
            let input = Array(bytes.dropFirst())
            let decode: (UnsafeRawBufferPointer) throws -> Void
            switch bytes.first.map({ Int($0) % 12 }) {
            case 0: decode = { _ = try NumPy.decode($0, name: name) }
            case 1: decode = { _ = try NumPy.decodeArchive($0, name: name) }
            case 2: decode = { _ = try IDX.decode($0, name: name) }
            case 5: decode = { _ = try Inflate.gzip($0, name: name, limit: 1 << 22) }
            case 6: decode = { _ = try Inflate.zlib($0, name: name, limit: 1 << 22) }
            case 10: decode = { _ = try TarArchive.entries($0, name: name) }
            case 11: decode = { _ = try Pickle.load($0, name: name) }
            default:
                Issue.record("\(name): no test for fuzz mode \(bytes.first ?? 0) yet; add one here")
                continue
            }
            F.expectInvalidData([name]) { try input.withUnsafeBytes { try decode($0) } }
        }
    }

    // MARK: CSV

    func csv(_ text: String, delimiter: Character? = ",", hasHeader: Bool = false, skipRows: Int = 0,
             columns: [CSV.Column]? = nil, comment: Character? = "#") throws -> CSV.Table {
        let options = try CSV.Options(delimiter: delimiter, comment: comment, skipRows: skipRows)
        return try Array(text.utf8).withUnsafeBytes {
            try CSV.decode($0, name: "t.csv", options: options, hasHeader: hasHeader, columns: columns)
        }
    }

    @Test func csvReadsLikeLoadtxtAndReadCSV() throws {
        var table = try csv("6,148,72\n1,85,66\n")
        #expect(table.values == Tensor([[6, 148, 72], [1, 85, 66]]))
        #expect(table.columnNames == ["0", "1", "2"])

        let text = """
        # a comment line
        name only line to skip
        "age", glucose ,"outcome, 0/1"
        50, 148.5, 1  # trailing comment

        31,"85",0\r
        -2.5e1,nan,-inf
        """
        table = try csv(text, hasHeader: true, skipRows: 2)
        #expect(table.columnNames == ["age", "glucose", "outcome, 0/1"])
        #expect(table.values.shape == [3, 3])
        let s = table.values.scalars
        #expect(Array(s[0..<6]) == [50, 148.5, 1, 31, 85, 0])
        #expect(s[6] == -25 && s[7].isNaN && s[8] == -.infinity)

        table = try csv(text, hasHeader: true, skipRows: 2, columns: ["outcome, 0/1", 0, -2])
        #expect(table.columnNames == ["outcome, 0/1", "age", "glucose"])
        #expect(Array(table.values.scalars[0..<3]) == [1, 50, 148.5])

        // Whitespace-delimited, tabs and runs of spaces; empty fields and NA are NaN.
        table = try csv("1  2\t3\n  4 5 6  \n", delimiter: nil)
        #expect(table.values == Tensor([[1, 2, 3], [4, 5, 6]]))
        table = try csv("a;b\n1;\nNA;2\n", delimiter: ";", hasHeader: true)
        #expect(table.values.scalars[0] == 1 && table.values.scalars[1].isNaN && table.values.scalars[2].isNaN)
        // Quotes: escaped quotes and line breaks inside a header name.
        table = try csv("\"say \"\"hi\"\"\",\"two\nlines\"\n1,2\n", hasHeader: true)
        #expect(table.columnNames == ["say \"hi\"", "two\nlines"])
        // Only a header: no rows, the columns known.
        #expect(try csv("a,b\n", hasHeader: true).values.shape == [0, 2])
        #expect(try csv("").values.shape == [0, 0])
        // No comments: '#' is then data (and not a number).
        F.expectInvalidData(["line 1", "'#1' is not a number"]) { _ = try csv("#1,2\n", comment: nil) }
    }

    @Test func badCSVThrowsWithLineAndColumn() throws {
        F.expectInvalidData(["t.csv, line 3", "3 fields where the first row has 2"]) { _ = try csv("1,2\n3,4\n5,6,7\n") }
        F.expectInvalidData(["line 2", "column 1 ('b')", "'x' is not a number"]) { _ = try csv("a,b\n1,x\n", hasHeader: true) }
        F.expectInvalidData(["unterminated quoted field"]) { _ = try csv("1,\"2\n") }
        F.expectInvalidData(["text after the closing quote"]) { _ = try csv("\"1\"2,3\n") }
        #expect(throws: KerasError.self) { _ = try csv("1,2\n", columns: [5]) }
        #expect(throws: KerasError.self) { _ = try csv("1,2\n", columns: ["a"]) }
        #expect(throws: KerasError.self) { _ = try csv("a,b\n1,2\n", hasHeader: true, columns: ["c"]) }
        #expect(throws: KerasError.self) { _ = try csv("a,a\n1,2\n", hasHeader: true, columns: ["a"]) }
        #expect(throws: KerasError.self) { _ = try csv("1\n", delimiter: "\"") }
        #expect(throws: KerasError.self) { _ = try csv("1\n", delimiter: "é") }
        #expect(throws: KerasError.self) { _ = try csv("1\n", skipRows: -1) }
        #expect(throws: KerasError.self) { _ = try csv("1\n", delimiter: ",", comment: ",") }
    }

    @Test func csvRoundTripsThroughFiles() throws {
        let folder = try F.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let tensor = Tensor(shape: [3, 3], scalars: [0.1, -2, 1e-5, .nan, .infinity, 3.4028235e38, 6, 7.25, -0.0])
        let url = folder.appendingPathComponent("t.csv")
        try CSV.save(tensor, to: url, header: ["a", "b, c", "\"d\""])
        let table = try CSV.load(url, hasHeader: true)
        #expect(table.columnNames == ["a", "b, c", "\"d\""])
        #expect(F.bitPatterns(table.values) == F.bitPatterns(tensor))
        try CSV.save(Tensor([1, 2, 3]), to: url.path, delimiter: "\t")
        #expect(try CSV.load(url.path, delimiter: "\t").values == Tensor([[1], [2], [3]]))
        // A gzip-compressed CSV reads too.
        let gzURL = folder.appendingPathComponent("t.csv.gz")
        try F.write(F.gzipStored(Array("1,2\n3,4\n".utf8)), to: gzURL)
        #expect(try CSV.load(gzURL).values == Tensor([[1, 2], [3, 4]]))
        #expect(throws: KerasError.self) { try CSV.save(Tensor(shape: [1, 1, 1], scalars: [1]), to: url) }
        #expect(throws: KerasError.self) { try CSV.save(tensor, to: url, header: ["a"]) }
    }

    // MARK: NumPy reads our files

    @Test(.enabled(if: Python.hasNumPy, "python3 with numpy is not available"))
    func numpyReadsWhatWeWrite() throws {
        let folder = try F.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        var generator = RandomGenerator(seed: 9)
        let matrix = Tensor(shape: [5, 4], scalars: (0..<20).map { _ in generator.nextNormal() })
        let arrays: [String: Tensor] = ["matrix": matrix, "scalar": Tensor(2.5), "empty": Tensor(shape: [0, 3], scalars: [])]
        try NumPy.save(matrix, to: folder.appendingPathComponent("m.npy"))
        try NumPy.saveArchive(arrays, to: folder.appendingPathComponent("a.npz"))
        try CSV.save(matrix, to: folder.appendingPathComponent("m.csv"), header: ["a", "b", "c", "d"])
        let output = try Python.run(program: """
        import json, numpy as np
        folder = \(String(reflecting: folder.path))
        def bits(a): return np.ascontiguousarray(a, dtype=np.float32).reshape(-1).view(np.uint32).tolist()
        m = np.load(folder + '/m.npy')
        z = np.load(folder + '/a.npz')
        c = np.loadtxt(folder + '/m.csv', delimiter=',', skiprows=1, dtype=np.float64).astype(np.float32)
        print(json.dumps({'npy': [m.dtype.str, list(m.shape), bits(m)],
                          'npz': {k: [z[k].dtype.str, list(z[k].shape), bits(z[k])] for k in z.files},
                          'csv': [list(c.shape), bits(c)]}))
        """)
        struct Result: Decodable {
            var npy: [Entry]
            var npz: [String: [Entry]]
            var csv: [Entry]
            enum Entry: Decodable {
                case text(String), numbers([UInt32])
                init(from decoder: Decoder) throws {
                    let c = try decoder.singleValueContainer()
                    if let s = try? c.decode(String.self) { self = .text(s) } else { self = .numbers(try c.decode([UInt32].self)) }
                }
                var numbers: [UInt32] { if case .numbers(let n) = self { return n } else { return [] } }
                var text: String { if case .text(let s) = self { return s } else { return "" } }
            }
        }
        let result = try JSONDecoder().decode(Result.self, from: Data(output.utf8))
        #expect(result.npy[0].text == "<f4")
        #expect(result.npy[1].numbers == [5, 4])
        #expect(result.npy[2].numbers == F.bitPatterns(matrix))
        #expect(Set(result.npz.keys) == Set(arrays.keys))
        for (key, tensor) in arrays {
            #expect(result.npz[key]?[0].text == "<f4")
            #expect(result.npz[key]?[1].numbers == tensor.shape.map(UInt32.init))
            #expect(result.npz[key]?[2].numbers == F.bitPatterns(tensor))
        }
        #expect(result.csv[0].numbers == [5, 4])
        #expect(result.csv[1].numbers == F.bitPatterns(matrix))
    }
}
