import Foundation
import Testing
@testable import Keras

// CIFAR-10 and CIFAR-100 from small archives in the real layout (Python 2 pickles in a tar.gz,
// Tools/fixtures/make_dataset_fixtures.py), compared with what Keras 3's own loader reads from
// them; the pickle and tar readers on Python 3 pickles and on corrupt input.

@Suite struct CIFARTests {
    typealias F = FormatFixtures
    typealias D = DatasetFixtures

    /// Compares a split with the fixture's summary of what Keras read.
    static func check(_ split: Datasets.Split, _ summary: [String: Any], _ label: String,
                      sourceLocation: SourceLocation = #_sourceLocation) throws {
        let (x, y) = split
        #expect(x.shape == summary["x_shape"] as? [Int], "\(label)", sourceLocation: sourceLocation)
        #expect(y.shape == summary["y_shape"] as? [Int], "\(label)", sourceLocation: sourceLocation)
        let values = x.scalars.map { Int($0) }
        #expect(Array(values.prefix(64)) == summary["x_head"] as? [Int], "\(label)", sourceLocation: sourceLocation)
        #expect(values.reduce(0, +) == summary["x_sum"] as? Int, "\(label)", sourceLocation: sourceLocation)
        let checksum = values.enumerated().reduce(0) { $0 + $1.element * ($1.offset % 251 + 1) }
        #expect(checksum == summary["x_checksum"] as? Int, "\(label)", sourceLocation: sourceLocation)
        #expect(y.scalars.map { Int($0) } == summary["y"] as? [Int], "\(label)", sourceLocation: sourceLocation)
    }

    @Test func cifar10ReadsKerasCacheLayoutsLikeKeras() throws {
        let expected = try #require(D.expected["cifar10"] as? [String: Any])
        let archive = try FileIO.read(D.url("cifar-10-python.tar.gz"))
        #expect(archive.withUnsafeBytes { SHA256.hexDigest($0) } == expected["sha256"] as? String)
        // Keras 3's download name, Keras 2's, and the original name.
        for name in ["cifar-10-batches-py-target_archive", "cifar-10-batches-py.tar.gz", "cifar-10-python.tar.gz"] {
            let cache = try F.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: cache) }
            try F.write(archive, to: cache.appendingPathComponent(name))
            let (train, test) = try Datasets.cifar10(directories: [cache.appendingPathComponent("missing"), cache])
            try Self.check(train, try #require(expected["train"] as? [String: Any]), "\(name) train")
            try Self.check(test, try #require(expected["test"] as? [String: Any]), "\(name) test")
        }
        // Extracted as Keras 3 does (`cifar-10-batches-py-target/cifar-10-batches-py/`).
        let cache = try F.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: cache) }
        let folder = cache.appendingPathComponent("cifar-10-batches-py-target/cifar-10-batches-py")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let unzipped = try Inflate.gzip(archive)
        try unzipped.withUnsafeBytes { tar in
            for entry in try TarArchive.entries(tar, name: "fixture") where entry.isFile {
                try F.write(Array(tar[entry.data]), to: cache.appendingPathComponent("cifar-10-batches-py-target/" + entry.name))
            }
        }
        let (train, test) = try Datasets.cifar10(directories: [cache])
        try Self.check(train, try #require(expected["train"] as? [String: Any]), "extracted train")
        try Self.check(test, try #require(expected["test"] as? [String: Any]), "extracted test")

        // Nowhere and offline: the error says what to put where.
        let empty = cache.appendingPathComponent("empty")
        F.expectInvalidData(["CIFAR-10 is not on this machine", "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",
                             "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce",
                             "save it as \(empty.path)/cifar-10-batches-py-target_archive"]) {
            _ = try Datasets.cifar10(directories: [empty])
        }
    }

    @Test func cifar100ReadsFineAndCoarseLabelsLikeKeras() throws {
        let expected = try #require(D.expected["cifar100"] as? [String: Any])
        let cache = try F.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: cache) }
        try F.write(try FileIO.read(D.url("cifar-100-python.tar.gz")), to: cache.appendingPathComponent("cifar-100-python-target_archive"))
        for mode in ["fine", "coarse"] {
            let summary = try #require(expected[mode] as? [String: Any])
            let (train, test) = try Datasets.cifar100(labelMode: mode, directories: [cache])
            try Self.check(train, try #require(summary["train"] as? [String: Any]), "\(mode) train")
            try Self.check(test, try #require(summary["test"] as? [String: Any]), "\(mode) test")
        }
        #expect(throws: KerasError.invalidArgument(name: "labelMode", value: "\"medium\"", expected: "\"fine\" or \"coarse\"")) {
            _ = try Datasets.cifar100(labelMode: "medium", directories: [cache])
        }
        // A CIFAR-10 archive under CIFAR-100's name: the error says it is the wrong archive.
        try F.write(try FileIO.read(D.url("cifar-10-python.tar.gz")), to: cache.appendingPathComponent("cifar-100-python-target_archive"))
        F.expectInvalidData(["has no cifar-100-python/train", "Delete it"]) { _ = try Datasets.cifar100(labelMode: "fine", directories: [cache]) }
    }

    @Test func corruptArchivesAndBatchesThrow() throws {
        let archive = try FileIO.read(D.url("cifar-10-python.tar.gz"))
        let cache = try F.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: cache) }
        let url = cache.appendingPathComponent("cifar-10-batches-py-target_archive")
        func load(_ bytes: [UInt8], _ fragments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws {
            try F.write(bytes, to: url)
            F.expectInvalidData([url.path] + fragments, sourceLocation: sourceLocation) { _ = try Datasets.cifar10(directories: [cache]) }
        }
        for length in stride(from: 0, to: archive.count, by: 1777) { try load(Array(archive[..<length]), []) }
        var flipped = archive
        flipped[archive.count / 2] ^= 0x10
        try load(flipped, [])

        // The tar inside: truncated anywhere, a damaged header.
        let tar = try Inflate.gzip(archive)
        for length in [1, 511, 512, 1024, 1500, tar.count / 3, tar.count / 2] { try load(F.gzipStored(Array(tar[..<length])), []) }
        var badHeader = tar
        badHeader[512 + 3] ^= 1  // the name of the first file: the checksum no longer matches
        try load(F.gzipStored(badHeader), ["bad header checksum", "byte 512"])

        // Every truncation of a batch pickle throws, naming the member.
        let pickle = try tar.withUnsafeBytes { raw in
            let entry = try #require(try TarArchive.entries(raw, name: "t").first { $0.name.hasSuffix("data_batch_1") })
            return Array(raw[entry.data])
        }
        for length in 0..<min(pickle.count, 400) {
            F.expectInvalidData(["batch"]) { _ = try Array(pickle[..<length]).withUnsafeBytes { try Pickle.load($0, name: "batch") } }
        }
        F.expectInvalidData(["batch", "truncated"]) {
            _ = try Array(pickle.dropLast(100)).withUnsafeBytes { try Pickle.load($0, name: "batch") }
        }
    }

    // MARK: Pickle and tar readers

    @Test func picklesOfPython3ReadAsPythonWroteThem() throws {
        let plain = try #require(D.expected["plain"] as? [String: Any])
        for name in ["plain_protocol3.pkl", "plain_protocol4.pkl"] {
            let value = try FileIO.read(D.url(name)).withUnsafeBytes { try Pickle.load($0, name: name) }
            guard case .list(let ints)? = value["ints"] else { Issue.record("\(name): ints"); continue }
            #expect(ints.map { if case .int(let v) = $0 { v } else { Int.min } } == plain["ints"] as? [Int], "\(name)")
            guard case .list(let floats)? = value["floats"] else { Issue.record("\(name): floats"); continue }
            #expect(floats.map { if case .float(let v) = $0 { v } else { .nan } } == plain["floats"] as? [Double], "\(name)")
            guard case .tuple(let flags)? = value["flags"], flags.count == 3, case .bool(true) = flags[0],
                  case .bool(false) = flags[1], case .none = flags[2] else { Issue.record("\(name): flags"); continue }
            guard case .string(let text)? = value["text"], case .bytes(let bytes)? = value["bytes"] else { Issue.record("\(name)"); continue }
            #expect(text == plain["text"] as? String && bytes == (plain["bytes"] as? [Int])?.map(UInt8.init))
            guard case .list(let nested)? = value["nested"]?["k"], nested.count == 2 else { Issue.record("\(name): nested"); continue }
            guard case .array(let f4)? = value["f4"], case .array(let i2)? = value["i2"], case .array(let empty)? = value["empty"],
                  case .array(let bools)? = value["bools"] else { Issue.record("\(name): arrays"); continue }
            #expect(f4.shape == [2, 3] && f4.scalarType == .float32 && f4.tensor.scalars == (plain["f4"] as? [Double])?.map(Float.init))
            #expect(i2.scalarType.descr == ">i2" && i2.isFortranOrder && i2.shape == plain["i2_shape"] as? [Int])
            #expect(i2.tensor.scalars == (plain["i2"] as? [Int])?.map(Float.init))
            #expect(empty.shape == [0, 3] && bools.tensor.scalars == [1, 0])
        }
        // Protocol 2 pickles of Python 3 bytes go through `_codecs.encode`, which Keras refuses too.
        F.expectInvalidData(["refusing the global _codecs.encode"]) {
            _ = try FileIO.read(D.url("plain_protocol2.pkl")).withUnsafeBytes { try Pickle.load($0, name: "p2") }
        }
    }

    @Test func picklesThatCallAnythingOrAreMalformedThrow() {
        func load(_ text: String, _ fragments: [String], sourceLocation: SourceLocation = #_sourceLocation) {
            load(Array(text.utf8), fragments, sourceLocation: sourceLocation)
        }
        func load(_ bytes: [UInt8], _ fragments: [String], sourceLocation: SourceLocation = #_sourceLocation) {
            F.expectInvalidData(["evil.pkl"] + fragments, sourceLocation: sourceLocation) {
                _ = try bytes.withUnsafeBytes { try Pickle.load($0, name: "evil.pkl") }
            }
        }
        load("cos\nsystem\n(S'echo hi'\ntR.", ["refusing the global os.system"])
        load([0x80, 2] + Array("cbuiltins\neval\n".utf8), ["refusing the global builtins.eval"])
        load([0x80, 9], ["protocol 9"])
        load([0x80, 2, UInt8(ascii: "K"), 1, UInt8(ascii: "K"), 2, UInt8(ascii: ".")], ["left on the stack"])
        load([0x80, 2, UInt8(ascii: ".")], ["stack underflow"])
        load([0x80, 2, UInt8(ascii: "h"), 5, UInt8(ascii: ".")], ["memo key 5"])
        load([0x80, 2, UInt8(ascii: "K"), 1, UInt8(ascii: "a"), UInt8(ascii: ".")], ["not a list"])
        load([0x80, 2, UInt8(ascii: "("), UInt8(ascii: "K"), 1, UInt8(ascii: "d"), UInt8(ascii: ".")], ["odd number"])
        load([0x80, 2] + [UInt8](repeating: UInt8(ascii: "]"), count: 1) + [UInt8](repeating: 0x85, count: 200) + [UInt8(ascii: ".")],
             ["nested more than 100 deep"])
        load([0x80, 2, 0x8C, 2, 0xFF, 0xFE, UInt8(ascii: ".")], ["invalid UTF-8"])
        load([0x80, 2, UInt8(ascii: "T"), 0xFF, 0xFF, 0xFF, 0x7F], ["truncated"])
        load([0x80, 2, UInt8(ascii: "I")], ["unsupported opcode 0x49"])
        // An array whose data does not fill its shape.
        let array = "\u{80}\u{02}cnumpy.core.multiarray\n_reconstruct\ncnumpy\nndarray\nK\u{00}\u{85}U\u{01}b\u{87}R"
            + "(K\u{01}K\u{02}\u{85}cnumpy\ndtype\nU\u{02}u1K\u{00}K\u{01}\u{87}R(K\u{03}U\u{01}|NNNJ\u{FF}\u{FF}\u{FF}\u{FF}J\u{FF}\u{FF}\u{FF}\u{FF}K\u{00}tb\u{89}U\u{01}atb."
        load(array.unicodeScalars.map { UInt8($0.value) }, ["shape (2,)", "with 1 bytes"])
        let good = array.replacingOccurrences(of: "U\u{01}atb.", with: "U\u{02}\u{07}\u{09}tb.").unicodeScalars.map { UInt8($0.value) }
        let value = try? good.withUnsafeBytes { try Pickle.load($0, name: "good.pkl") }
        guard case .array(let decoded)? = value else { Issue.record("the hand-made array pickle does not read"); return }
        #expect(decoded.tensor == Tensor([7, 9]) && decoded.scalarType == .uint8)
    }

    @Test func tarHeadersOfEveryKindRead() throws {
        // The fixtures: GNU (CIFAR-10) and pax (CIFAR-100) headers.
        for (file, folder) in [("cifar-10-python.tar.gz", "cifar-10-batches-py"), ("cifar-100-python.tar.gz", "cifar-100-python")] {
            let tar = try Inflate.gzip(try FileIO.read(D.url(file)))
            let entries = try tar.withUnsafeBytes { try TarArchive.entries($0, name: file) }
            #expect(entries.first?.name == folder && entries.first?.isFile == false, "\(file)")
            #expect(entries.dropFirst().allSatisfy { $0.isFile && $0.name.hasPrefix(folder + "/") }, "\(file)")
        }
        // A pax `path` record and a GNU long name longer than the 100-byte name field, made by Python's tarfile.
        guard Python.hasNumPy else { return }
        let folder = try F.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let long = String(repeating: "d/", count: 80) + "file.txt"
        try Python.run(program: """
        import io, tarfile
        for fmt, name in [(tarfile.PAX_FORMAT, 'pax'), (tarfile.GNU_FORMAT, 'gnu'), (tarfile.USTAR_FORMAT, 'ustar')]:
            with tarfile.open(\(String(reflecting: folder.path)) + '/' + name + '.tar', 'w', format=fmt) as tar:
                for path in [\(String(reflecting: long)) if fmt != tarfile.USTAR_FORMAT else 'p/' * 60 + 'f', 'short']:
                    data = path.encode() * 3
                    info = tarfile.TarInfo(path)
                    info.size = len(data)
                    tar.addfile(info, io.BytesIO(data))
        """)
        for name in ["pax", "gnu", "ustar"] {
            let tar = try FileIO.read(folder.appendingPathComponent(name + ".tar"))
            let entries = try tar.withUnsafeBytes { try TarArchive.entries($0, name: name) }
            let expectedFirst = name == "ustar" ? String(repeating: "p/", count: 60) + "f" : long
            #expect(entries.map(\.name) == [expectedFirst, "short"], "\(name)")
            for entry in entries {
                #expect(Array(tar[entry.data]) == Array((entry.name + entry.name + entry.name).utf8), "\(name)")
            }
        }
    }
}
