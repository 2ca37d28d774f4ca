import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Keras
import Testing

/// Runs the built `keras` program and returns its exit status, standard output and standard error.
@discardableResult
func keras(_ arguments: [String], in folder: URL? = nil, environment: [String: String] = [:]) throws -> (status: Int32, out: String, err: String) {
    let process = Process()
    process.executableURL = kerasProgram
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    if let folder { process.currentDirectoryURL = folder }
    let files = FileManager.default.temporaryDirectory.appendingPathComponent("keras-cli-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: files, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: files) }
    let (outURL, errURL) = (files.appendingPathComponent("out"), files.appendingPathComponent("err"))
    _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
    process.standardOutput = try FileHandle(forWritingTo: outURL)
    process.standardError = try FileHandle(forWritingTo: errURL)
    try process.run()
    process.waitUntilExit()
    return (process.terminationStatus, try String(contentsOf: outURL, encoding: .utf8), try String(contentsOf: errURL, encoding: .utf8))
}

/// The `keras` program built beside the test bundle.
let kerasProgram: URL = {
    let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("keras")
    return FileManager.default.isExecutableFile(atPath: beside.path) ? beside : URL(fileURLWithPath: ".build/debug/keras")
}()

/// A fresh temporary folder.
func temporaryFolder() throws -> URL {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("keras-cli-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder
}

/// A fixture of the library's tests (Tests/Fixtures).
func libraryFixture(_ path: String) -> String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures").appendingPathComponent(path).path
}

/// A fixture of these tests (Tests/KerasCLITests/Fixtures).
func cliFixture(_ path: String) -> String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").appendingPathComponent(path).path
}

@Suite("The keras command-line tool")
struct CLITests {
    @Test("--help lists every job, and shell completion is generated")
    func help() throws {
        let result = try keras(["--help"])
        #expect(result.status == 0)
        for command in ["train", "evaluate", "predict", "summary", "convert", "plot", "datasets", "serve", "bench"] {
            #expect(result.out.contains("  \(command) "), "--help lacks \(command)")
        }
        let completion = try keras(["--generate-completion-script", "bash"])
        #expect(completion.status == 0 && completion.out.contains("_keras"))
    }

    @Test("a wrong flag, a missing file and a bad model each exit non-zero with a one-line reason on stderr",
          arguments: [
              (["train", "xor", "--bogus"], 64, "--bogus"),
              (["summary", "/no/such/model.keras"], 64, "/no/such/model.keras"),
              (["predict", "/no/such/model.keras", "x.csv"], 64, "No such file"),
              (["serve", "pictures"], 64, "digits"),
              (["train", "/no/such/description.json", "--dataset", "xor"], 1, "MODEL"),
              (["train", "xor", "--dataset", "imagenet"], 1, "imagenet"),
              (["convert", libraryFixture("saving/mlp.weights.h5"), "/tmp/never.keras", "--architecture", "/no/such.json"], 64, "architecture"),
          ] as [([String], Int32, String)])
    func failures(arguments: [String], status: Int32, reason: String) throws {
        let result = try keras(arguments)
        #expect(result.status == status)
        let lines = result.err.split(separator: "\n")
        #expect(lines.count == 1, "stderr: \(result.err)")
        #expect(result.err.hasPrefix("Error: ") && result.err.contains(reason), "stderr: \(result.err)")
    }

    @Test("keras summary of files saved by Python Keras prints Keras' own table",
          arguments: ["mlp.keras", "mlp.h5", "xor.keras", "layer_zoo.keras", "keras2_mlp.h5"])
    func summary(file: String) throws {
        // Expected text: Tools/fixtures/cli_summaries.py, run with real Keras.
        let expected = try String(contentsOfFile: cliFixture("summaries/\(file).txt"), encoding: .utf8)
        let result = try keras(["summary", libraryFixture("saving/\(file)")])
        #expect(result.status == 0)
        #expect(result.out == expected)
    }

    @Test("train an example, evaluate, predict (CSV and .npy), plot the log")
    func trainEvaluatePredictPlot() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let trained = try keras(["train", "xor", "--epochs", "300", "--batch-size", "4", "--seed", "3", "--verbose", "0"], in: folder)
        #expect(trained.status == 0, "\(trained.err)")
        for file in ["model.keras", "training.csv", "training.html"] {
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(file).path), "no \(file)")
        }
        let log = try String(contentsOf: folder.appendingPathComponent("training.csv"), encoding: .utf8)
        #expect(log.hasPrefix("epoch,accuracy,loss") && log.split(separator: "\n").count == 301)

        let evaluated = try keras(["evaluate", "model.keras", "--dataset", "xor", "--verbose", "0"], in: folder)
        #expect(evaluated.status == 0, "\(evaluated.err)")
        #expect(evaluated.out.hasPrefix("loss: ") && evaluated.out.contains("accuracy: "))

        try "0,0\n0,1\n1,0\n1,1\n".write(to: folder.appendingPathComponent("x.csv"), atomically: true, encoding: .utf8)
        let predicted = try keras(["predict", "model.keras", "x.csv", "--output", "y.csv"], in: folder)
        #expect(predicted.status == 0, "\(predicted.err)")
        let model = try Keras.loadModel(folder.appendingPathComponent("model.keras").path)
        let expected = try model.predict(Tensor(shape: [4, 2], scalars: [0, 0, 0, 1, 1, 0, 1, 1]))
        let written = try CSV.load(folder.appendingPathComponent("y.csv").path).values
        #expect(written.shape == [4, 1])
        #expect(zip(written.scalars, expected.scalars).allSatisfy { abs($0 - $1) < 1e-5 })

        try NumPy.save(Tensor(shape: [4, 2], scalars: [0, 0, 0, 1, 1, 0, 1, 1]), to: folder.appendingPathComponent("x.npy"))
        let npy = try keras(["predict", "model.keras", "x.npy", "-o", "y.npy"], in: folder)
        #expect(npy.status == 0, "\(npy.err)")
        #expect(zip(try NumPy.load(folder.appendingPathComponent("y.npy").path).scalars, expected.scalars).allSatisfy { abs($0 - $1) < 1e-5 })

        let plotted = try keras(["plot", "training.csv", "-o", "curves.svg"], in: folder)
        #expect(plotted.status == 0, "\(plotted.err)")
        let svg = try String(contentsOf: folder.appendingPathComponent("curves.svg"), encoding: .utf8)
        #expect(svg.contains("<svg") && svg.contains(">Loss") && svg.contains(">Accuracy"))
        let graph = try keras(["plot", "model.keras", "-o", "model.svg"], in: folder)
        #expect(graph.status == 0, "\(graph.err)")
        #expect(try String(contentsOf: folder.appendingPathComponent("model.svg"), encoding: .utf8).contains("Dense"))
    }

    @Test("train a model from a JSON description on a CSV file")
    func trainFromDescription() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try """
            {"input_shape": [3], "layers": [{"Dense": {"units": 4, "activation": "relu"}}, {"Dense": {"units": 1}}],
             "optimizer": "adam", "loss": "mse", "metrics": ["mae"]}
            """.write(to: folder.appendingPathComponent("model.json"), atomically: true, encoding: .utf8)
        let rows = (0..<32).map { i in "\(i % 3),\(i % 5),\(i % 7),\(Double(i % 3 + i % 5) / 4)" }
        try ("a,b,c,target\n" + rows.joined(separator: "\n")).write(to: folder.appendingPathComponent("data.csv"), atomically: true, encoding: .utf8)
        let result = try keras(["train", "model.json", "--csv", "data.csv", "--header", "--target", "target", "--epochs", "3",
                                "--validation-split", "0.25", "--verbose", "0", "-o", "regression.h5"], in: folder)
        #expect(result.status == 0, "\(result.err)")
        let log = try String(contentsOf: folder.appendingPathComponent("training.csv"), encoding: .utf8)
        #expect(log.hasPrefix("epoch,loss,mae,val_loss,val_mae"))
        let model = try Keras.loadModel(folder.appendingPathComponent("regression.h5").path)
        #expect(model.countParams() == 3 * 4 + 4 + 4 + 1)
    }

    @Test("convert .keras → .h5 → .weights.h5 + JSON → .keras keeps the predictions")
    func convert() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = libraryFixture("saving/mlp.keras")
        for (input, output) in [(source, "a.h5"), ("a.h5", "b.weights.h5"), ("b.weights.h5", "c.keras")] {
            let result = try keras(["convert", input, output], in: folder)
            #expect(result.status == 0, "\(result.err)")
        }
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("b.json").path))
        let x = Tensor(shape: [2, 12], scalars: (0..<24).map { Float($0) / 24 })
        let original = try Keras.loadModel(source, compile: false).predict(x)
        let converted = try Keras.loadModel(folder.appendingPathComponent("c.keras").path, compile: false).predict(x)
        #expect(zip(original.scalars, converted.scalars).allSatisfy { abs($0 - $1) < 1e-6 })
    }

    @Test("datasets: list, where the cache is")
    func datasets() throws {
        let list = try keras(["datasets", "list"])
        #expect(list.status == 0)
        for name in ["mnist", "fashion-mnist", "cifar10", "boston-housing", "xor"] { #expect(list.out.contains(name)) }
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let location = try keras(["datasets", "where"], environment: ["KERAS_HOME": folder.path])
        #expect(location.out == folder.appendingPathComponent("datasets").path + "\n")
        let fetched = try keras(["datasets", "fetch", "xor"])
        #expect(fetched.status == 0 && fetched.out.contains("[4, 2]"))
    }

    @Test("bench hands its arguments to keras-bench")
    func bench() throws {
        let result = try keras(["bench", "help"])
        #expect(result.status == 0 && result.out.contains("usage: keras-bench"), "\(result.err)")
    }

    @Test("serve digits with --model listens on the port it prints and stops on SIGTERM")
    func serve() async throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = Sequential([Dense(units: 10, activation: .softmax, inputShape: [28, 28])])
        try model.build(inputShape: [nil, 28, 28])
        let file = folder.appendingPathComponent("digits.keras").path
        try model.save(file)

        let process = Process()
        process.executableURL = kerasProgram
        process.arguments = ["serve", "digits", "--model", file, "--port", "0"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        var line = ""
        while !line.contains("\n"), let byte = try output.fileHandleForReading.read(upToCount: 1), !byte.isEmpty {
            line += String(decoding: byte, as: UTF8.self)
        }
        let port = try #require(line.split(separator: ":").last.flatMap { Int($0.prefix { $0.isNumber }) }, "printed: \(line)")
        #expect(line.contains("http://127.0.0.1:"))
        let health = try await request(URL(string: "http://127.0.0.1:\(port)/health")!)
        #expect(health.status == 200)
        process.terminate()
        process.waitUntilExit()
        #expect(process.terminationReason == .exit || process.terminationStatus == SIGTERM)
    }
}
