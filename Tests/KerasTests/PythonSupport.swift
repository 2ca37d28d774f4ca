import Foundation
@testable import Keras

/// Running real Python (numpy, h5py, Keras, TensorBoard) from tests, to check our files
/// against the libraries that define them.
enum Python {
    /// Whether the checks that need Python packages beyond numpy run (`KERAS_PYTHON_TESTS=1`, set by CI).
    static let checksEnabled = ProcessInfo.processInfo.environment["KERAS_PYTHON_TESTS"] == "1"
    /// The interpreter: `$KERAS_PYTHON` (CI's virtual environment), or `python3`.
    static let interpreter = ProcessInfo.processInfo.environment["KERAS_PYTHON"] ?? "python3"
    /// The repository root, for the scripts under `Tools/`.
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    /// Whether the interpreter has numpy (checked once).
    static let hasNumPy: Bool = (try? run(["-c", "import numpy"])) != nil
    /// Whether the interpreter has TensorFlow, which Keras' text layers need (checked once).
    static let hasTensorFlow: Bool = checksEnabled && (try? run(["-c", "import tensorflow"])) != nil

    /// Runs a script of the repository (`Tools/…`) with arguments; returns its standard output.
    @discardableResult
    static func run(script: String, _ arguments: [String]) throws -> Data {
        try run([repository.appendingPathComponent(script).path] + arguments)
    }

    /// Runs a Python program given as text; returns its standard output as text.
    @discardableResult
    static func run(program: String) throws -> String {
        String(decoding: try run(["-c", program]), as: UTF8.self)
    }

    /// Runs the interpreter with `arguments`; returns its standard output. Throws with the end
    /// of its standard error when it fails. Reads retry on EINTR (Foundation's
    /// `readDataToEndOfFile` traps when a signal interrupts it).
    static func run(_ arguments: [String]) throws -> Data {
        let errorFile = FileManager.default.temporaryDirectory.appendingPathComponent("swift-keras-python-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errorFile) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [interpreter] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = try FileHandle(forWritingTo: errorFile)
        try process.run()
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = read(output.fileHandleForReading.fileDescriptor, &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            data.append(contentsOf: buffer[0..<count])
        }
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let message = String(decoding: (try? FileIO.read(errorFile)) ?? [], as: UTF8.self)
            throw KerasError.invalidState("\(interpreter) \(arguments.first ?? "") failed: \(message.suffix(2000))")
        }
        return data
    }
}
