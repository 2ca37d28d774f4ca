import Foundation
import Testing
@testable import Keras

/// Whole-model and weights files: real Keras files load and predict as Keras did, our files
/// load back exactly, training resumes exactly, and bad files throw.
@Suite("Saving and loading", .freshLayerNames) struct SavingTests {
    static let fixtures = ConfigTests.savingFixtures

    static func fixture(_ name: String) -> String { fixtures.appendingPathComponent(name).path }

    static func expected(_ name: String) throws -> (x: Tensor, y: Tensor) {
        let arrays = try NumPy.loadArchive(fixture("\(name).npz"))
        return (try #require(arrays["x"]), try #require(arrays["y"]))
    }

    static func maxDifference(_ a: Tensor, _ b: Tensor) -> Float {
        zip(a.scalars, b.scalars).map { abs($0 - $1) }.max() ?? 0
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("swift-keras-saving-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    // MARK: - Files written by real Keras

    @Test(arguments: ConfigTests.cases)
    func kerasFilePredictsAsKerasDid(_ name: String) throws {
        let (x, y) = try Self.expected(name)
        let model = try Keras.loadModel(Self.fixture("\(name).keras"))
        let prediction = try model.predict(x)
        #expect(prediction.shape == y.shape)
        #expect(Self.maxDifference(prediction, y) <= 1e-5, "\(name)")
        if name != "uncompiled" {
            #expect(model.optimizer?.iterations == 6, "2 epochs of 3 batches")  // 10 samples, batch 4
        }
    }

    @Test(arguments: ConfigTests.cases)
    func kerasWeightsFileLoadsIntoTheSameArchitecture(_ name: String) throws {
        let (x, y) = try Self.expected(name)
        let json = try String(contentsOf: Self.fixtures.appendingPathComponent("\(name).json"), encoding: .utf8)
        let model = try Keras.modelFromJSON(json)
        try model.loadWeights(Self.fixture("\(name).weights.h5"))
        #expect(Self.maxDifference(try model.predict(x), y) <= 1e-5, "\(name)")
    }

    @Test(arguments: ["mlp", "xor"])
    func legacyH5FilePredictsAsKerasDid(_ name: String) throws {
        let (x, y) = try Self.expected(name)
        let model = try Keras.loadModel(Self.fixture("\(name).h5"))
        #expect(Self.maxDifference(try model.predict(x), y) <= 1e-5, "\(name)")
        #expect(model.loss != nil)
    }

    @Test func keras2SeedFilesLoad() throws {
        // Seed 003: `to_json()` + `save_weights("basic_weights.h5")` from Keras 2 (tf_keras 2.21).
        let (x, y) = try Self.expected("keras2_xor")
        let json = try String(contentsOf: Self.fixtures.appendingPathComponent("keras2_xor.json"), encoding: .utf8)
        let xor = try Keras.modelFromJSON(json)
        try xor.loadWeights(Self.fixture("keras2_xor_weights.h5"))
        #expect(Self.maxDifference(try xor.predict(x), y) <= 1e-5)
        // Seed 002: `model.save("model.h5")` / ModelCheckpoint("./model.h5") and `load_model`.
        let (mx, my) = try Self.expected("keras2_mlp")
        let mlp = try Keras.loadModel(Self.fixture("keras2_mlp.h5"))
        #expect(Self.maxDifference(try mlp.predict(mx), my) <= 1e-5)
        #expect(mlp.optimizer is Adam)
        #expect(mlp.loss?.name == "categorical_crossentropy")
    }

    // MARK: - Our own files

    static func trainedModel() throws -> (Sequential, Tensor, Tensor) {
        try Keras.withRandomSeed(3) {
            let x = Tensor.randomNormal([40, 5])
            let y = try toCategorical(Tensor((0..<40).map { Float($0 % 3) }), numClasses: 3)
            let model = Sequential([Input(shape: [5]), Dense(units: 8, activation: .relu), Dropout(0.1),
                                    Dense(units: 3, activation: .softmax)])
            try model.compile(optimizer: "adam", loss: "categorical_crossentropy", metrics: ["accuracy"])
            _ = try model.fit(x, y, epochs: 2, batchSize: 8, verbose: 0, shuffle: false)
            return (model, x, y)
        }
    }

    @Test(arguments: ["model.keras", "model.h5"])
    func savedModelLoadsBackExactly(_ file: String) throws {
        let (model, x, _) = try Self.trainedModel()
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent(file).path
        try model.save(path)
        let loaded = try Keras.loadModel(path)
        #expect(try loaded.predict(x).scalars == (try model.predict(x)).scalars)
        #expect(try loaded.toJSON() == (try model.toJSON()) || file.hasSuffix(".h5"))
        if file.hasSuffix(".keras") {
            let original = try #require(model.optimizer), restored = try #require(loaded.optimizer)
            #expect(restored.iterations == original.iterations)
            #expect(restored.variables.map(\.value.scalars) == original.variables.map(\.value.scalars))
        }
    }

    @Test func saveWeightsRoundTripsAndChecksShapes() throws {
        let (model, x, _) = try Self.trainedModel()
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("w.weights.h5").path
        try model.saveWeights(path)
        let copy = try #require(try Keras.modelFromJSON(try model.toJSON()) as? Sequential)
        try copy.loadWeights(path)
        #expect(try copy.predict(x).scalars == (try model.predict(x)).scalars)

        let other = Sequential([Input(shape: [5]), Dense(units: 9), Dense(units: 3)])
        let before = other.getWeights()
        #expect(throws: KerasError.self) { try other.loadWeights(path) }
        #expect(other.getWeights().map(\.scalars) == before.map(\.scalars), "a failed load changes nothing")
        #expect(throws: KerasError.self) { try model.saveWeights(directory.appendingPathComponent("w.txt").path) }
    }

    /// Seed 003's `model.save_weights('basic_weights.h5')`: Keras 2's layout, read back by `loadWeights`.
    @Test func saveWeightsToAnH5NameWritesKeras2Layout() throws {
        let (model, x, _) = try Self.trainedModel()
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("basic_weights.h5").path
        try model.saveWeights(path)
        let root = try HDF5File.read(URL(fileURLWithPath: path))
        #expect(root.attribute("layer_names") == .strings(model.layers.map(\.name)))
        #expect(WeightsLayout.isLegacy(root))
        let copy = try #require(try Keras.modelFromJSON(try model.toJSON()) as? Sequential)
        #expect(try copy.predict(x).scalars != (try model.predict(x)).scalars)
        try copy.loadWeights(path)
        #expect(try copy.predict(x).scalars == (try model.predict(x)).scalars)
    }

    @Test func trainingResumesExactlyFromASavedModel() throws {
        func data() -> (Tensor, Tensor) {
            Keras.withRandomSeed(11) { (Tensor.randomNormal([32, 4]), Tensor.randomUniform([32, 1])) }
        }
        func model() -> Sequential {
            Keras.withRandomSeed(5) { Sequential([Input(shape: [4]), Dense(units: 6, activation: .tanh), Dense(units: 1, activation: .sigmoid)]) }
        }
        let (x, y) = data()
        let straight = model()
        try straight.compile(optimizer: "adam", loss: "binary_crossentropy")
        _ = try straight.fit(x, y, epochs: 4, batchSize: 8, verbose: 0, shuffle: false)

        let first = model()
        try first.compile(optimizer: "adam", loss: "binary_crossentropy")
        _ = try first.fit(x, y, epochs: 2, batchSize: 8, verbose: 0, shuffle: false)
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("half.keras").path
        try first.save(path)
        let resumed = try Keras.loadModel(path)
        _ = try resumed.fit(x, y, epochs: 4, batchSize: 8, verbose: 0, shuffle: false, initialEpoch: 2)
        for (a, b) in zip(resumed.getWeights(), straight.getWeights()) {
            #expect(Self.maxDifference(a, b) <= 1e-6)
        }
    }

    // MARK: - Callbacks

    @Test func checkpointPathsFormatLikePython() throws {
        let values: [String: Double] = ["epoch": 3, "val_loss": 0.123456, "accuracy": 0.5]
        #expect(try PythonFormat.format("w.{epoch:02d}-{val_loss:.2f}.keras", values: values) == "w.03-0.12.keras")
        #expect(try PythonFormat.format("{epoch}-{accuracy:.4f}-{{x}}", values: values) == "3-0.5000-{x}")
        #expect(try PythonFormat.format("{val_loss:.3e}", values: values) == "1.235e-01")
        #expect(throws: KerasError.self) { try PythonFormat.format("{nope}.keras", values: values) }
        #expect(throws: KerasError.self) { try PythonFormat.format("{epoch.keras", values: values) }
        #expect(throws: KerasError.self) { try ModelCheckpoint("m.txt") }
        #expect(throws: KerasError.self) { try ModelCheckpoint("m.keras", saveWeightsOnly: true) }
    }

    @Test func checkpointKeepsTheBestEpoch() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (x, y) = Keras.withRandomSeed(2) { (Tensor.randomNormal([30, 3]), Tensor.randomUniform([30, 1])) }
        let model = Keras.withRandomSeed(4) { Sequential([Input(shape: [3]), Dense(units: 1)]) }
        try model.compile(optimizer: SGD(learningRate: 0.05), loss: "mse")
        let best = try ModelCheckpoint(directory.appendingPathComponent("best.keras").path, monitor: "val_loss", saveBestOnly: true)
        let every = try ModelCheckpoint(directory.appendingPathComponent("e{epoch:02d}-{loss:.3f}.weights.h5").path,
                                        saveWeightsOnly: true)
        let history = try model.fit(x, y, epochs: 3, batchSize: 10, verbose: 0, callbacks: [best, every], validationSplit: 0.2)
        let losses = try #require(history.history["loss"])
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(names == ["best.keras"] + (0..<3).map { String(format: "e%02d-%.3f.weights.h5", $0 + 1, Double(losses[$0])) }.sorted())
        let valLosses = try #require(history.history["val_loss"])
        #expect(best.best == valLosses.min())
        // The best file holds the weights of the best epoch, which the epoch files also hold.
        let bestEpoch = try #require(valLosses.firstIndex(of: valLosses.min()!))
        let fromBest = try Keras.loadModel(directory.appendingPathComponent("best.keras").path)
        let fromEpoch = Sequential([Input(shape: [3]), Dense(units: 1)])
        try fromEpoch.compile(optimizer: SGD(learningRate: 0.05), loss: "mse")
        try fromEpoch.loadWeights(directory.appendingPathComponent(
            String(format: "e%02d-%.3f.weights.h5", bestEpoch + 1, Double(losses[bestEpoch]))).path)
        #expect(fromBest.getWeights().map(\.scalars) == fromEpoch.getWeights().map(\.scalars))
    }

    /// Fails `fit` at the end of one epoch, as a killed job would stop.
    final class Interrupt: Callback {
        let epoch: Int
        init(atEpoch epoch: Int) { self.epoch = epoch }
        override func onEpochEnd(_ epoch: Int, logs: [String: Float]) throws {
            if epoch == self.epoch { throw KerasError.invalidState("interrupted") }
        }
    }

    @Test func backupAndRestoreResumesAnInterruptedRun() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (x, y) = Keras.withRandomSeed(8) { (Tensor.randomNormal([24, 3]), Tensor.randomUniform([24, 1])) }
        func model() throws -> Sequential {
            let model = Keras.withRandomSeed(9) { Sequential([Input(shape: [3]), Dense(units: 4, activation: .relu), Dense(units: 1)]) }
            try model.compile(optimizer: "rmsprop", loss: "mse")
            return model
        }
        let straight = try model()
        _ = try straight.fit(x, y, epochs: 5, batchSize: 6, verbose: 0, shuffle: false)

        let job = try model()
        let backup = try BackupAndRestore(backupDirectory: directory.path)
        // The interrupt runs after the backup of epoch index 2 was written.
        #expect(throws: KerasError.self) {
            try job.fit(x, y, epochs: 5, batchSize: 6, verbose: 0, callbacks: [backup, Interrupt(atEpoch: 2)], shuffle: false)
        }
        #expect(FileManager.default.fileExists(atPath: backup.backupPath))
        let restarted = try model()  // a new process: fresh weights, same fit call
        let history = try restarted.fit(x, y, epochs: 5, batchSize: 6, verbose: 0, callbacks: [backup], shuffle: false)
        #expect(history.history["loss"]?.count == 2, "epochs 4 and 5 only")
        for (a, b) in zip(restarted.getWeights(), straight.getWeights()) { #expect(Self.maxDifference(a, b) <= 1e-6) }
        #expect(!FileManager.default.fileExists(atPath: backup.backupPath), "deleted after a completed run")
    }

    // MARK: - Bad files

    @Test func corruptAndForeignFilesThrowNamingTheFile() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let original = try Data(contentsOf: Self.fixtures.appendingPathComponent("mlp.keras"))
        let step = max(1, original.count / 97)
        for length in stride(from: 0, to: original.count, by: step) {
            let path = directory.appendingPathComponent("cut-\(length).keras").path
            try original.prefix(length).write(to: URL(fileURLWithPath: path))
            #expect(throws: KerasError.self, "truncated at \(length)") { try Keras.loadModel(path) }
        }
        var flipped = [UInt8](original)
        var generator = RandomGenerator(seed: 1)
        for round in 0..<60 {
            var bytes = flipped
            for _ in 0..<8 { bytes[Int(generator.next() % UInt64(bytes.count))] ^= UInt8(truncatingIfNeeded: generator.next() | 1) }
            let path = directory.appendingPathComponent("flip-\(round).keras").path
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            // A flip may land in padding and leave a loadable file; it must never crash.
            _ = try? Keras.loadModel(path)
        }
        flipped = []
        let text = directory.appendingPathComponent("notes.keras").path
        try Data("hello".utf8).write(to: URL(fileURLWithPath: text))
        #expect { try Keras.loadModel(text) } throws: { "\($0)".contains("notes.keras") }
        // A file for another architecture.
        let other = Sequential([Input(shape: [12]), Dense(units: 5)])
        #expect { try other.loadWeights(Self.fixture("mlp.weights.h5")) } throws: { "\($0)".contains("mlp.weights.h5") }
    }

    @Test func unsupportedLayerInAFileIsNamed() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (model, _, _) = try Self.trainedModel()
        let path = directory.appendingPathComponent("m.keras").path
        try model.save(path)
        // Rewrite config.json with a layer class this package does not have.
        let archive = try KerasArchive(URL(fileURLWithPath: path))
        let config = try archive.config().json.replacingOccurrences(of: "\"Dropout\"", with: "\"RandomRotation\"")
        let members: [(String, [UInt8])] = [("config.json", Array(config.utf8)), ("model.weights.h5", try archive.member("model.weights.h5"))]
        try FileIO.writeAtomically(URL(fileURLWithPath: path)) { writer in
            try ZipArchive.write(members.map { name, bytes in
                ZipArchive.StoredMember(name: name, size: bytes.count, crc: CRC32.checksum(bytes)) { try $0.write(bytes) }
            }, to: writer, name: path)
        }
        #expect { try Keras.loadModel(path) } throws: { "\($0)".contains("RandomRotation") }
    }
}

/// A saving process killed at a random moment never destroys the previous file.
///
/// The child process rewrites the file through the same atomic writer `save` uses, with the
/// archive's bytes prepared before `fork`: a forked copy of a multithreaded test process may
/// only make system calls and plain allocations (a lock held by another thread at the fork,
/// such as the ones date formatting takes, would never be released in the child).
@Suite("Saving survives a killed process", .freshLayerNames) struct KilledSaveTests {
    @Test func killedSaveLeavesThePreviousFile() throws {
        let directory = try SavingTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("model.keras")
        let path = url.path
        // About 16 MB of weights, so that each write takes a while.
        let model = Keras.withRandomSeed(1) { Sequential([Input(shape: [2000]), Dense(units: 2000), Dense(units: 1)]) }
        try model.save(path)
        let archive = try FileIO.read(url)
        let probe = Keras.withRandomSeed(2) { Tensor.randomNormal([3, 2000]) }
        let expected = try model.predict(probe)
        for round in 0..<4 {
            let child = fork()
            if child == 0 {
                // The child rewrites the file until it is killed.
                while true { try? FileIO.writeAtomically(url) { try $0.write(archive) } }
            }
            #expect(child > 0)
            // Kill it while a temporary file is being written, at varying points.
            let deadline = Date().addingTimeInterval(20)
            var writing = false
            while Date() < deadline {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
                if names.contains(where: { $0.hasPrefix(".model.keras.tmp-\(child)-") }) {
                    writing = true
                    break
                }
                usleep(200)
            }
            usleep(UInt32(round) * 3_000)
            kill(child, SIGKILL)
            var status: Int32 = 0
            waitpid(child, &status, 0)
            #expect(writing, "round \(round): the child never started a save")
            let loaded = try Keras.loadModel(path)
            #expect(try loaded.predict(probe).scalars == expected.scalars, "round \(round)")
        }
    }
}
