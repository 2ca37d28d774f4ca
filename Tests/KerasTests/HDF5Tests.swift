import Foundation
import Testing
@testable import Keras

// The HDF5 reader and writer. Fixtures come from h5py and real Keras
// (Tools/fixtures/make_hdf5_fixtures.py writes Tests/Fixtures/hdf5/, with each file's tree as
// h5py reads it in JSON); Swift must read every value bit for bit. Files Swift writes are read
// back by Swift, and by h5py when KERAS_PYTHON_TESTS=1; corrupted fixtures must always throw.

enum HDF5Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/hdf5")
    static let tools = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Tools/fixtures")

    static let names = ["types", "layouts", "groups", "latest", "small_addresses", "superblock2", "dense.weights", "legacy"]

    static func url(_ name: String) -> URL { directory.appendingPathComponent(name + ".h5") }

    /// The tree a JSON file of `hdf5_tree.py` describes.
    static func expected(_ name: String) throws -> HDF5Group {
        let data = try Data(contentsOf: directory.appendingPathComponent(name + ".json"))
        return try tree(fromJSON: data)
    }

    static func tree(fromJSON data: Data) throws -> HDF5Group {
        guard case .group(let root) = try node(JSONSerialization.jsonObject(with: data)) else {
            throw KerasError.invalidData("the JSON root is not a group")
        }
        return root
    }

    static func node(_ json: Any) throws -> HDF5Node {
        let object = json as! [String: Any]
        let attributes = (object["attrs"] as! [[Any]]).map { pair in (pair[0] as! String, attribute(pair[1])) }
        if object["kind"] as! String == "group" {
            var group = HDF5Group()
            group.attributes = attributes.map { (name: $0.0, value: $0.1) }
            for pair in object["members"] as! [[Any]] {
                group.members.append((pair[0] as! String, try node(pair[1])))
            }
            return .group(group)
        }
        return .dataset(HDF5Dataset(try array(object), attributes: attributes.map { (name: $0.0, value: $0.1) }))
    }

    static func attribute(_ json: Any) -> HDF5Attribute {
        let object = json as! [String: Any]
        switch object["kind"] as! String {
        case "string": return .string(object["value"] as! String)
        case "strings": return .strings(object["value"] as! [String])
        default: return .array(try! array(object))
        }
    }

    static func array(_ object: [String: Any]) throws -> HDF5Array {
        let descr = object["dtype"] as! String
        let type = ScalarType(descr: descr)!
        let hex = Array((object["hex"] as! String).utf8)
        var bytes: [UInt8] = []
        var i = 0
        while i < hex.count {
            bytes.append(UInt8(String(decoding: hex[i..<i + 2], as: UTF8.self), radix: 16)!)
            i += 2
        }
        return try HDF5Array(type: type, shape: object["shape"] as! [Int], bytes: bytes)
    }

    /// The first difference between two trees, as a path and what differs; nil when equal.
    static func difference(_ a: HDF5Group, _ b: HDF5Group, path: String = "") -> String? {
        if a.attributes.map(\.name) != b.attributes.map(\.name) {
            return "\(path)/: attributes \(a.attributes.map(\.name)) vs \(b.attributes.map(\.name))"
        }
        for (x, y) in zip(a.attributes, b.attributes) where x.value != y.value {
            return "\(path)/ attribute \(x.name): \(describe(x.value)) vs \(describe(y.value))"
        }
        if a.members.map(\.name) != b.members.map(\.name) {
            return "\(path)/: members \(a.members.map(\.name)) vs \(b.members.map(\.name))"
        }
        for (x, y) in zip(a.members, b.members) {
            switch (x.node, y.node) {
            case (.group(let g), .group(let h)):
                if let difference = difference(g, h, path: path + "/" + x.name) { return difference }
            case (.dataset(let d), .dataset(let e)):
                if d.array != e.array {
                    return "\(path)/\(x.name): \(d.array.type) \(d.array.shape) \(d.array.bytes.prefix(16)) vs "
                        + "\(e.array.type) \(e.array.shape) \(e.array.bytes.prefix(16))"
                }
                if d != e { return "\(path)/\(x.name): attributes differ" }
            default:
                return "\(path)/\(x.name): a group and a dataset"
            }
        }
        return nil
    }

    static func describe(_ attribute: HDF5Attribute) -> String {
        switch attribute {
        case .string(let s): return "string(\(s.prefix(60)))"
        case .strings(let s): return "strings(\(s.prefix(5)))"
        case .array(let a): return "array(\(a.type) \(a.shape) \(a.bytes.prefix(16)))"
        }
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("swift-keras-hdf5-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A tree with every kind of value the writer supports.
    static func sample() throws -> HDF5Group {
        var root = HDF5Group()
        root.setAttribute("backend", .string("tensorflow"))
        root.setAttribute("keras_version", .string("3.15.1 ✓"))
        root.setAttribute("empty_string", .string(""))
        root.setAttribute("model_config", .string(String(repeating: "{\"layer\": 1}, ", count: 2000)))
        root.setAttribute("layer_names", .strings(["dense", "dropout", "dense_1", ""]))
        root.setAttribute("many_names", .strings((0..<3000).map { "layer_name_\($0)_" + String(repeating: "x", count: 20) }))
        root.setAttribute("no_names", .strings([]))
        root.setAttribute("shape", .array(try HDF5Array(type: ScalarType(kind: .signedInteger, byteCount: 8, byteOrder: .littleEndian),
                                                        shape: [2], bytes: [3, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0])))
        root.setDataset("layers/dense/vars/0", HDF5Dataset(HDF5Array(Tensor(shape: [2, 3], scalars: [1, -2, 3.5, 0, .infinity, -0.0]))))
        root.setDataset("layers/dense/vars/1", HDF5Dataset(HDF5Array(Tensor(shape: [3], scalars: [0.5, 0.25, 0.125]))))
        root.setDataset("optimizer/vars/0", HDF5Dataset(.int64(-42)))
        root.setDataset("flags", HDF5Dataset(try HDF5Array(type: .bool, shape: [2, 2], bytes: [1, 0, 0, 1]),
                                             attributes: [("unit", .string("none")), ("scale", .array(HDF5Array(Tensor(2))))]))
        root.setDataset("empty", HDF5Dataset(try HDF5Array(type: .float64, shape: [0, 4], bytes: [])))
        for (type, width) in [(ScalarType.uint8, 1), (.int8, 1)] {
            root.setDataset("ints/\(type.name)", HDF5Dataset(try HDF5Array(type: type, shape: [3], bytes: [0, 127, 255].map { UInt8($0) })))
            _ = width
        }
        for kind in [ScalarType.Kind.signedInteger, .unsignedInteger] {
            for size in [2, 4, 8] {
                let type = ScalarType(kind: kind, byteCount: size, byteOrder: .littleEndian)
                root.setDataset("ints/\(type.name)", HDF5Dataset(try HDF5Array(type: type, shape: [2], bytes: (0..<2 * size).map { UInt8($0 * 37 % 256) })))
            }
        }
        root.setGroup("empty_group", HDF5Group())
        var many = HDF5Group()
        for i in (0..<700).reversed() { many.setDataset("w\(i)", HDF5Dataset(.int64(Int64(i)))) }
        root.setGroup("many", many)
        return root
    }
}

@Suite struct HDF5ReaderTests {
    @Test(arguments: HDF5Fixtures.names)
    func readsFixturesBitForBit(_ name: String) throws {
        let read = try HDF5File.read(HDF5Fixtures.url(name))
        let expected = try HDF5Fixtures.expected(name)
        let difference = HDF5Fixtures.difference(read, expected)
        #expect(difference == nil, "\(name).h5: \(difference ?? "")")
        #expect(read == expected)
    }

    @Test func kerasWeightsFileHasTheLayerVariables() throws {
        let root = try HDF5File.read(HDF5Fixtures.url("dense.weights"))
        let kernel = try root.dataset("layers/dense/vars/0").array
        #expect(kernel.shape == [4, 3] && kernel.type == .float32)
        #expect(try kernel.tensor().shape == [4, 3])
        #expect(try root.dataset("layers/dense_1/vars/1").array.shape == [2])
        #expect(try root.dataset("optimizer/vars/0").array.scalarInt == 1)  // One step of fit.
        let legacy = try HDF5File.read(HDF5Fixtures.url("legacy"))
        guard case .strings(let names)? = try legacy.group("model_weights").attribute("layer_names") else {
            Issue.record("layer_names is not a string array")
            return
        }
        #expect(names == ["input_layer", "dense", "dropout", "dense_1"] || names == ["dense", "dropout", "dense_1"])
        guard case .string(let config)? = legacy.attribute("model_config") else {
            Issue.record("model_config is not a string")
            return
        }
        #expect(config.contains("\"Sequential\""))
    }

    @Test func errorsNameTheFileAndTheProblem() throws {
        let missing = URL(fileURLWithPath: "/nonexistent/model.weights.h5")
        #expect(throws: KerasError.self) { try HDF5File.read(missing) }
        #expect(throws: KerasError.invalidData("weights.h5: not an HDF5 file (no HDF5 signature)")) {
            try HDF5File.decode(Array("not hdf5 at all".utf8), name: "weights.h5")
        }
        let root = try HDF5File.read(HDF5Fixtures.url("types"))
        #expect(throws: KerasError.self) { try root.dataset("a/b") }
        #expect(throws: KerasError.self) { try root.group("cube") }
        #expect(throws: KerasError.self) { try root.dataset("nope") }
    }
}

@Suite struct HDF5TreeTests {
    @Test func pathsCreateAndFindNestedMembers() throws {
        var root = HDF5Group()
        root.setDataset("a/b/c", HDF5Dataset(.int64(3)))
        root.setDataset("a/d", HDF5Dataset(.int64(4)))
        #expect(root.members.map(\.name) == ["a"])
        #expect(try root.group("a").members.map(\.name) == ["b", "d"])
        #expect(try root.dataset("a/b/c").array.scalarInt == 3)
        #expect(try root.dataset("/a/d").array.scalarInt == 4)
        root["a/b/c"] = nil
        #expect(try root.group("a/b").members.isEmpty)
        root["a/d"] = .dataset(HDF5Dataset(.int64(5)))
        #expect(try root.dataset("a/d").array.scalarInt == 5)
        root.setAttribute("x", .string("1"))
        root.setAttribute("x", .string("2"))
        #expect(root.attributes.count == 1 && root.attribute("x") == .string("2"))
    }

    @Test func arraysCheckTheirBytesAndConvert() throws {
        #expect(throws: KerasError.self) { try HDF5Array(type: .float32, shape: [2], bytes: [0, 0, 0]) }
        let big = try HDF5Array(type: ScalarType(kind: .signedInteger, byteCount: 2, byteOrder: .bigEndian), shape: [2], bytes: [0x01, 0x02, 0xFF, 0xFE])
        #expect(big.bytes == [0x02, 0x01, 0xFE, 0xFF] && big.type.byteOrder == .littleEndian)
        #expect(try big.tensor().scalars == [258, -2])
        #expect(HDF5Array.int64(-7).scalarInt == -7)
        #expect(HDF5Array.int64(.max).scalarInt == Int.max)
        #expect(HDF5Array(Tensor(1.5)).scalarInt == nil)
        #expect(try HDF5Array(Tensor(shape: [2, 1], scalars: [1, 2])).tensor().scalars == [1, 2])
        #expect(try HDF5Array(type: .bool, shape: [3], bytes: [0, 1, 2]).tensor().scalars == [0, 1, 1])
    }
}

@Suite struct HDF5WriterTests {
    @Test func roundTripsThroughSwift() throws {
        let sample = try HDF5Fixtures.sample()
        let directory = try HDF5Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("sample.h5")
        try HDF5File.write(sample, to: url)
        let read = try HDF5File.read(url)
        let expected = HDF5Group.sortedByName(sample)
        let difference = HDF5Fixtures.difference(read, expected)
        #expect(difference == nil, "\(difference ?? "")")
        #expect(read == expected)
    }

    @Test(arguments: HDF5Fixtures.names)
    func rewritesFixtures(_ name: String) throws {
        let read = try HDF5File.read(HDF5Fixtures.url(name))
        let again = try HDF5File.decode(try HDF5File.encode(read), name: "rewritten \(name).h5")
        #expect(again == HDF5Group.sortedByName(read))
    }

    @Test func rejectsWhatHDF5CannotHold() throws {
        var root = HDF5Group()
        root.members = [("x", .dataset(HDF5Dataset(.int64(1)))), ("x", .dataset(HDF5Dataset(.int64(2))))]
        #expect(throws: KerasError.self) { try HDF5File.encode(root) }
        root.members = [("a/b", .group(HDF5Group()))]
        #expect(throws: KerasError.self) { try HDF5File.encode(root) }
        root = HDF5Group()
        var array = HDF5Array.int64(1)
        array.bytes.removeLast()
        root.setDataset("bad", HDF5Dataset(array))
        #expect(throws: KerasError.self) { try HDF5File.encode(root) }
    }

    /// h5py's view (Tools/fixtures/hdf5_tree.py) of a file Swift wrote.
    static func h5pyTree(_ url: URL) throws -> HDF5Group {
        try HDF5Fixtures.tree(fromJSON: try Python.run(script: "Tools/fixtures/hdf5_tree.py", [url.path]))
    }

    @Test(.enabled(if: Python.checksEnabled, "set KERAS_PYTHON_TESTS=1 with python3 (or KERAS_PYTHON), h5py and numpy installed"))
    func h5pyReadsWhatSwiftWrites() throws {
        let directory = try HDF5Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var trees = [("sample", try HDF5Fixtures.sample())]
        for name in HDF5Fixtures.names { trees.append((name, try HDF5File.read(HDF5Fixtures.url(name)))) }
        for (name, tree) in trees {
            let url = directory.appendingPathComponent(name + ".h5")
            try HDF5File.write(tree, to: url)
            let seen = try Self.h5pyTree(url)
            let expected = HDF5Group.sortedByName(tree)
            let difference = HDF5Fixtures.difference(seen, expected)
            #expect(difference == nil, "\(name): \(difference ?? "")")
        }
    }
}

@Suite struct HDF5CorruptionTests {
    /// Every truncation and byte flip either reads or throws `invalidData`; never crashes or hangs.
    @Test(arguments: HDF5Fixtures.names)
    func damagedFilesThrow(_ name: String) throws {
        let bytes = Array(try Data(contentsOf: HDF5Fixtures.url(name)))
        func check(_ damaged: [UInt8], _ what: String) {
            do {
                _ = try HDF5File.decode(damaged, name: "damaged.h5")
            } catch let error as KerasError {
                if case .invalidData(let message) = error {
                    #expect(message.hasPrefix("damaged.h5"), "\(what): \(message)")
                } else {
                    Issue.record("\(what): \(error)")
                }
            } catch {
                Issue.record("\(what): \(error)")
            }
        }
        var lengths = Set(stride(from: 0, to: bytes.count, by: max(1, bytes.count / 150)))
        lengths.formUnion([1, 7, 8, 9, 95, 96, 97, bytes.count - 1])
        var truncatedFailures = 0
        for length in lengths.sorted() where length < bytes.count {
            check(Array(bytes.prefix(length)), "truncated to \(length)")
            if (try? HDF5File.decode(Array(bytes.prefix(length)), name: "t")) == nil { truncatedFailures += 1 }
        }
        #expect(truncatedFailures > lengths.count / 2)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: state >> 33)
        }
        for round in 0..<400 {
            var damaged = bytes
            for _ in 0..<(1 + round % 4) {
                let position = next() % damaged.count
                damaged[position] = round % 3 == 0 ? 0xFF : UInt8(truncatingIfNeeded: next())
            }
            check(damaged, "round \(round)")
        }
    }

    @Test func linkCyclesAndLoopsThrow() throws {
        // A group whose symbol table lists the group itself.
        var root = HDF5Group()
        root.setGroup("child", HDF5Group())
        var bytes = try HDF5File.encode(root)
        let root2 = try HDF5File.decode(bytes, name: "ok.h5")
        #expect(root2 == root)
        // The root's address (superblock bytes 64–71) is also the child's: point the child's
        // symbol table entry at the root.
        let rootAddress = bytes[64..<72]
        let childAddress = try childObjectAddress(bytes)
        for i in 0..<(bytes.count - 8) where bytes[i..<i + 8].elementsEqual(childAddress) && i != 64 {
            bytes.replaceSubrange(i..<i + 8, with: rootAddress)
        }
        #expect(throws: KerasError.self) { try HDF5File.decode(bytes, name: "cycle.h5") }
    }

    @Test func linksCannotMultiplyTheTree() throws {
        // Forty nested groups, each with members "a" (the next group) and "b"; pointing every "b"
        // at the same object as its "a" makes 2^40 paths through a small file.
        var group = HDF5Group()
        group.setDataset("a", HDF5Dataset(.int64(0)))
        group.setDataset("b", HDF5Dataset(.int64(1)))
        for _ in 0..<40 {
            var parent = HDF5Group()
            parent.setGroup("a", group)
            parent.setDataset("b", HDF5Dataset(.int64(1)))
            group = parent
        }
        var bytes = try HDF5File.encode(group)
        #expect(try HDF5File.decode(bytes, name: "chain.h5") == group)
        var patched = 0
        for i in 0..<(bytes.count - 64) where bytes[i..<i + 4].elementsEqual("SNOD".utf8) && bytes[i + 6] == 2 {
            bytes.replaceSubrange((i + 56)..<(i + 64), with: Array(bytes[(i + 16)..<(i + 24)]))
            patched += 1
        }
        #expect(patched == 41)
        #expect(throws: KerasError.self) { try HDF5File.decode(bytes, name: "links.h5") }
    }

    private func childObjectAddress(_ bytes: [UInt8]) throws -> ArraySlice<UInt8> {
        // The only SNOD's first entry: name offset (8 bytes), then the object address.
        guard let snod = (0..<bytes.count - 4).first(where: { bytes[$0..<$0 + 4].elementsEqual("SNOD".utf8) }) else {
            throw KerasError.invalidData("no SNOD")
        }
        var found: ArraySlice<UInt8> = []
        // The root's own SNOD lists 'child'; it comes last (the root is written last).
        var index = snod
        while let next = (index..<bytes.count - 4).first(where: { bytes[$0..<$0 + 4].elementsEqual("SNOD".utf8) }) {
            found = bytes[(next + 16)..<(next + 24)]
            index = next + 4
        }
        return found
    }
}
