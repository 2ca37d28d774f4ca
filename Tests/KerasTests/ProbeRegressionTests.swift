import Foundation
import Testing
@testable import Keras

// Issue 14's probe findings: what a careless or hostile caller did to the public API that
// crashed the process or gave a misleading result. Each test reproduces one finding; the
// findings that trapped are now thrown errors, checked here by their messages.

@Suite("Probe findings", .freshLayerNames) struct ProbeRegressionTests {
    typealias F = FormatFixtures

    /// A small compiled classifier: 3 features, `classes` softmax outputs.
    static func classifier(classes: Int = 10, loss: String = "sparse_categorical_crossentropy",
                           optimizer: Optimizer = Adam()) throws -> Sequential {
        let model = Sequential([Dense(4, activation: .relu, inputShape: [3]), Dense(classes, activation: .softmax)])
        try model.compile(optimizer: optimizer, loss: loss, metrics: ["accuracy"])
        return model
    }

    static let x = Tensor(shape: [4, 3], scalars: (0..<12).map { Float($0) / 12 })

    /// A `.keras` file of `members` (name, bytes), stored.
    static func writeZip(_ members: [(String, [UInt8])], to url: URL) throws {
        try FileIO.writeAtomically(url) { writer in
            try ZipArchive.write(members.map { name, bytes in
                ZipArchive.StoredMember(name: name, size: bytes.count, crc: CRC32.checksum(bytes)) { try $0.write(bytes) }
            }, to: writer, name: url.path)
        }
    }

    /// `model` saved as `.keras`, with its config.json edited by `edit`.
    static func hostileKeras(_ model: Model, in folder: URL, _ edit: (String) -> String) throws -> URL {
        let url = folder.appendingPathComponent("hostile-\(UUID().uuidString).keras")
        try model.save(url.path)
        let archive = try KerasArchive(url)
        let config = edit(String(decoding: try archive.member("config.json"), as: UTF8.self))
        try writeZip([("metadata.json", try archive.member("metadata.json")), ("config.json", Array(config.utf8)),
                      ("model.weights.h5", try archive.member("model.weights.h5"))], to: url)
        return url
    }

    // MARK: 1. Hostile sizes in a .keras file

    @Test func hostileKerasSizesThrowNamingTheLayer() throws {
        let folder = try F.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let dense = Sequential([Dense(4, inputShape: [3], name: "big")])
        for units in ["1000000000000", "4611686018427387904"] {
            let url = try Self.hostileKeras(dense, in: folder) { $0.replacingOccurrences(of: "\"units\": 4", with: "\"units\": \(units)") }
            expectKerasError(mentioning: ["layer 'big'", "kernel", "fits in memory"]) { _ = try Keras.loadModel(url.path) }
        }
        let reshape = Sequential([Reshape([3, 1], inputShape: [3], name: "shaper")])
        let url = try Self.hostileKeras(reshape, in: folder) {
            $0.replacingOccurrences(of: "\"target_shape\": [3, 1]", with: "\"target_shape\": [4611686018427387904, 4611686018427387904, 0]")
        }
        expectKerasError(mentioning: ["shaper", "4611686018427387904"]) { _ = try Keras.loadModel(url.path) }
    }

    // MARK: 2. IMDB / Reuters

    @Test func textDatasetsRefuseWordIdsBeyondRangeAndHugeIndexFrom() throws {
        let huge = withUnsafeBytes(of: Int64.max.littleEndian) { Array($0) }
        let sequence = Pickle.Array(shape: [1], scalarType: ScalarType(descr: "<i8")!, isFortranOrder: false, data: huge)
        let members: [String: NumPy.Member] = [
            "x": .objects(shape: [1], items: [.array(sequence)]),
            "y": .numbers(LoadedArray(tensor: Tensor([1]), scalarType: .uint8)),
        ]
        expectKerasError(mentioning: ["x[0]", "not a word index"]) {
            _ = try Datasets.sequencesAndLabels(members, "x", "y", url: URL(fileURLWithPath: "/tmp/probe.npz"))
        }
        let listMembers: [String: NumPy.Member] = ["x": .objects(shape: [1], items: [.list([.int(.max - 1)])]), "y": members["y"]!]
        expectKerasError(mentioning: ["not a word index"]) {
            _ = try Datasets.sequencesAndLabels(listMembers, "x", "y", url: URL(fileURLWithPath: "/tmp/probe.npz"))
        }
        let imdb = DatasetFixtures.url("imdb.npz").path
        expectKerasError(mentioning: ["indexFrom", "\(Int.max)"]) { _ = try Datasets.imdb(path: imdb, options: .init(indexFrom: .max), directories: []) }
        expectKerasError(mentioning: ["indexFrom"]) {
            _ = try Datasets.reuters(path: DatasetFixtures.url("reuters.npz").path, testSplit: 0.2, options: .init(indexFrom: .max), directories: [])
        }
    }

    // MARK: 3. Pickles: linear time, and a budget

    /// `[` then `count` single APPENDs of a memoized list: quadratic before (each APPEND copied
    /// the list), linear now. The time limit only catches a return of the quadratic reader
    /// (over a minute for this size: 65 s for 100,000 in a release build); no speed is measured here.
    @Test(.timeLimit(.minutes(1))) func pickleSingleAppendsAreLinear() throws {
        let count = 100_000
        var bytes: [UInt8] = [0x80, 2, UInt8(ascii: "]"), UInt8(ascii: "q"), 0]
        bytes.reserveCapacity(count * 3 + 8)
        for i in 0..<count { bytes += [UInt8(ascii: "K"), UInt8(i % 256), UInt8(ascii: "a")] }
        bytes.append(UInt8(ascii: "."))
        let value = try bytes.withUnsafeBytes { try Pickle.load($0, name: "appends.pkl") }
        guard case .list(let items) = value else { Issue.record("not a list: \(value.kind)"); return }
        #expect(items.count == count)
        if case .int(let last) = items[count - 1] { #expect(last == (count - 1) % 256) }
    }

    /// A list of 1,000 items referenced 60,000 times: 60 million values from 126 KB.
    @Test func pickleMemoReferenceBombThrows() throws {
        var bytes: [UInt8] = [0x80, 2, UInt8(ascii: "]"), UInt8(ascii: "q"), 0, UInt8(ascii: "(")]
        for i in 0..<1000 { bytes += [UInt8(ascii: "K"), UInt8(i % 256)] }
        bytes += [UInt8(ascii: "e"), UInt8(ascii: "(")]
        for _ in 0..<60_000 { bytes += [UInt8(ascii: "h"), 0] }
        bytes += [UInt8(ascii: "l"), UInt8(ascii: ".")]
        F.expectInvalidData(["bomb.pkl", "more than"]) { _ = try bytes.withUnsafeBytes { try Pickle.load($0, name: "bomb.pkl") } }
    }

    // MARK: 4. Saved state that loads, then crashes later

    @Test func damagedOptimizerStateIsRefusedWhenLoading() throws {
        let folder = try F.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = try Self.classifier(classes: 3)
        try model.fit(Self.x, Tensor([0, 1, 2, 1]), epochs: 1, verbose: 0)
        let path = folder.appendingPathComponent("w.weights.h5")
        try model.saveWeights(path.path)
        for iteration in [HDF5Array.int64(.max), HDF5Array(Tensor(.nan)), HDF5Array.int64(-3)] {
            var root = try HDF5File.read(path)
            root.setDataset("optimizer/vars/0", HDF5Dataset(iteration))
            let damaged = folder.appendingPathComponent("damaged.weights.h5")
            try HDF5File.write(root, to: damaged)
            expectKerasError(mentioning: ["iteration count", "damaged"]) { try model.loadWeights(damaged.path) }
        }
        #expect(model.optimizer?.iterations == 1, "nothing was loaded")
    }

    @Test func backupWithAnAbsurdEpochThrows() throws {
        let folder = try F.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = try Self.classifier(classes: 3)
        try model.fit(Self.x, Tensor([0, 1, 2, 1]), epochs: 1, verbose: 0)
        var root = try WeightsLayout.tree(of: model)
        root.setAttribute("epoch", .array(.int64(.max)))
        try HDF5File.write(root, to: folder.appendingPathComponent("latest.weights.h5"))
        let backup = try BackupAndRestore(backupDirectory: folder.path)
        expectKerasError(mentioning: ["epoch", "\(Int64.max)"]) {
            try model.fit(Self.x, Tensor([0, 1, 2, 1]), epochs: 3, verbose: 0, callbacks: [backup])
        }
    }

    // MARK: 5. Sparse labels out of range

    @Test(arguments: [Float(12), -1, 2.5, 1e30])
    func outOfRangeSparseLabelsThrowNamingLabelAndClasses(_ label: Float) throws {
        let model = try Self.classifier()
        let y = Tensor([1, 2, label, 3])
        expectKerasError(mentioning: ["label \(label)", "10 classes"]) { try model.fit(Self.x, y, epochs: 1, verbose: 0) }
        expectKerasError(mentioning: ["label \(label)", "10 classes"]) { try model.evaluate(Self.x, y, verbose: 0) }
        expectKerasError(mentioning: ["label \(label)", "10 classes"]) { try model.trainOnBatch(Self.x, y) }
    }

    // MARK: 6. ModelCheckpoint templates

    @Test func checkpointTemplatesRefuseNaNIntegersAndAbsurdWidths() throws {
        expectKerasError(mentioning: ["larger than 255"]) { _ = try ModelCheckpoint("m{epoch:99999999999999999999d}.keras") }
        expectKerasError(mentioning: ["larger than 255"]) { _ = try ModelCheckpoint("m{loss:.1000f}.keras") }
        let checkpoint = try ModelCheckpoint("m{epoch:02d}-{loss:03d}.keras")
        expectKerasError(mentioning: ["{loss:03d}", "nan"]) { _ = try checkpoint.path(epoch: 0, logs: ["loss": .nan]) }
        expectKerasError(mentioning: ["{loss:03d}"]) { _ = try checkpoint.path(epoch: 0, logs: ["loss": 1e30]) }
        #expect(try checkpoint.path(epoch: 4, logs: ["loss": 7]) == "m05-007.keras")
    }

    // MARK: 7. Other user mistakes that trapped

    @Test func batchSizeMaxMakesOneBatch() throws {
        let model = try Self.classifier(classes: 3)
        let y = Tensor([0, 1, 2, 1])
        try model.fit(Self.x, y, epochs: 1, batchSize: .max, verbose: 0)
        #expect(try model.predict(Self.x, batchSize: .max).shape == [4, 3])
        #expect(try model.evaluate(Self.x, y, batchSize: .max, verbose: 0).loss.isFinite)
    }

    final class WeightedBatches: BatchSource {
        var batchCount: Int { 1 }
        func batch(at index: Int) throws -> Batch {
            Batch(x: ProbeRegressionTests.x, y: Tensor([0, 1, 2, 1]), sampleWeight: Tensor([1, 1]))
        }
    }

    @Test func sampleWeightsOfTheWrongLengthThrowEverywhere() throws {
        let model = try Self.classifier(classes: 3)
        let y = Tensor([0, 1, 2, 1]), weights = Tensor([1, 2])
        expectKerasError(mentioning: ["evaluate sampleWeight", "[4]", "[2]"]) { try model.evaluate(Self.x, y, verbose: 0, sampleWeight: weights) }
        expectKerasError(mentioning: ["testOnBatch sampleWeight"]) { _ = try model.testOnBatch(Self.x, y, sampleWeight: weights) }
        expectKerasError(mentioning: ["trainOnBatch sampleWeight"]) { try model.trainOnBatch(Self.x, y, sampleWeight: weights) }
        expectKerasError(mentioning: ["batch 0 sampleWeight"]) { try model.fit(WeightedBatches(), epochs: 1, verbose: 0) }
        expectKerasError(mentioning: ["batch 0 sampleWeight"]) { try model.evaluate(WeightedBatches(), verbose: 0) }
    }

    @Test func hugeClassWeightLabelsAndSizesThrow() throws {
        let model = try Self.classifier(classes: 1, loss: "binary_crossentropy")
        expectKerasError(mentioning: ["classWeight", "label 1e+20"]) {
            try model.fit(Self.x, Tensor([0, 1, 1e20, 0]), epochs: 1, verbose: 0, classWeight: [0: 1, 1: 2])
        }
        expectKerasError(mentioning: ["toCategorical", "fits in memory"]) { _ = try toCategorical(Tensor([1, 2]), numClasses: .max) }
        let encoding = CategoryEncoding(numTokens: .max, outputMode: .oneHot)
        expectKerasError(mentioning: ["fits in memory"]) { _ = try encoding(Tensor([1, 2])) }
        let huge = Sequential([Dense(1_000_000_000, inputShape: [1000], name: "huge")])
        expectKerasError(mentioning: ["weight 'kernel' of layer 'huge'", "fits in memory", "TB"]) { try huge.build(inputShape: [nil, 1000]) }
    }

    // MARK: 8. Silent NaN training

    @Test func nanSampleWeightsAndInvalidLearningRatesAreRefused() throws {
        let model = try Self.classifier(classes: 3)
        let y = Tensor([0, 1, 2, 1])
        expectKerasError(mentioning: ["fit", "sampleWeight contains NaN"]) {
            try model.fit(Self.x, y, epochs: 1, verbose: 0, sampleWeight: Tensor([1, .nan, 1, 1]))
        }
        #expect(model.getWeights().allSatisfy { $0.allFinite })
        for rate in [Float(-0.1), .nan, .infinity] {
            let bad = try Self.classifier(classes: 3, optimizer: SGD(learningRate: rate))
            expectKerasError(mentioning: ["learning rate", "\(rate)"]) { try bad.fit(Self.x, y, epochs: 1, verbose: 0) }
            expectKerasError(mentioning: ["learning rate"]) { try SGD().setLearningRate(rate) }
        }
    }

    // MARK: 9. Messages of the checks that stay in release builds

    /// The package's `precondition` keeps its message in release builds (Swift's drops it there;
    /// checked by hand with `swiftc -O`). Run in a child process: the check stops it.
    @Test func internalChecksSayWhatBrokeWhenTheyStop() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor([1, 2]).reshaped(to: [3])
        }.map { result in
            let output = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(output.contains("reshaped(to:)"), "\(output.prefix(300))")
        }
    }

    // MARK: 10. Duplicate zip members

    @Test func aKerasFileWithTwoConfigsIsRefused() throws {
        let folder = try F.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = Sequential([Dense(2, inputShape: [3])])
        let url = folder.appendingPathComponent("twice.keras")
        try model.save(url.path)
        let archive = try KerasArchive(url)
        let other = Sequential([Dense(5, inputShape: [3])])
        try Self.writeZip([("metadata.json", try archive.member("metadata.json")), ("config.json", try archive.member("config.json")),
                           ("config.json", Array(try other.serialized().json.utf8)),
                           ("model.weights.h5", try archive.member("model.weights.h5"))], to: url)
        F.expectInvalidData(["two members are named 'config.json'"]) { _ = try Keras.loadModel(url.path) }
    }

    // MARK: 11. Side effects of saving

    @Test func savingCleansLeftoversFollowsLinksAndKeepsTheMode() throws {
        let folder = try F.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = Sequential([Dense(2, inputShape: [3])])
        let target = folder.appendingPathComponent("model.keras")
        // A leftover of a killed save (a process id that does not run) goes; one of a running process stays.
        let dead = folder.appendingPathComponent(".model.keras.tmp-2147483646-12345")
        let alive = folder.appendingPathComponent(".model.keras.tmp-\(getppid())-777")
        try F.write([1, 2, 3], to: dead)
        try F.write([4, 5, 6], to: alive)
        try model.save(target.path)
        #expect(!FileManager.default.fileExists(atPath: dead.path))
        #expect(FileManager.default.fileExists(atPath: alive.path))

        // Saving over a link writes the file it points to; the link stays a link.
        let link = folder.appendingPathComponent("current.keras")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: "model.keras")
        chmod(target.path, 0o600)
        let other = Sequential([Dense(7, inputShape: [3])])
        try other.save(link.path)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link.path) == "model.keras")
        #expect(try Keras.loadModel(target.path).layers[0].weights[0].shape == [3, 7])
        var info = stat()
        #expect(stat(target.path, &info) == 0 && info.st_mode & 0o777 == 0o600, "the file keeps mode 0600")
    }

    // MARK: 12. CSV

    @Test func aNULInsideACSVFieldIsAnError() throws {
        let folder = try F.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("nul.csv")
        try F.write(Array("1,2\n5".utf8) + [0] + Array("999,3\n".utf8), to: url)
        F.expectInvalidData(["line 2", "column 0", "NUL"]) { _ = try CSV.load(url) }
    }

    // MARK: 13. Small ones

    @Test func smallMisleadingMessagesAndResults() throws {
        let model = try Self.classifier(classes: 3)
        expectKerasError(mentioning: ["predict", "scalar"]) { _ = try model.predict(Tensor(3)) }

        let accuracy = Metrics.SparseCategoricalAccuracy()
        accuracy.update(yTrue: Tensor([0, 1, 2]), yPred: Tensor(repeating: .nan, shape: [3, 3]))
        #expect(accuracy.result() == 0, "NaN predictions match no class")
        let categorical = Metrics.CategoricalAccuracy()
        categorical.update(yTrue: Tensor([[1, 0], [0, 1]]), yPred: Tensor(repeating: .nan, shape: [2, 2]))
        #expect(categorical.result() == 0)
        let binary = Metrics.BinaryAccuracy()
        binary.update(yTrue: Tensor([0, 0]), yPred: Tensor([.nan, .nan]))
        #expect(binary.result() == 0)

        let folder = try F.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let empty = folder.appendingPathComponent("empty.keras")
        try F.write([], to: empty)
        F.expectInvalidData(["empty", "0 bytes"]) { _ = try Keras.loadModel(empty.path) }
    }
}
