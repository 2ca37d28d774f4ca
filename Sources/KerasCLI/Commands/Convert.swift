import ArgumentParser
import Foundation
import Keras

/// `keras convert`: between Keras' model file formats.
struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Convert a model between .keras, .h5, and .weights.h5 + .json.",
        discussion: """
            The formats follow the file extensions. Writing a .weights.h5 file also writes the \
            architecture as JSON beside it (model.weights.h5 → model.json); reading one needs that \
            JSON (--architecture, or the file found beside it). Writing .json writes only the architecture.
            """)

    @Argument(help: "The model to read: .keras, .h5, or .weights.h5 (with its JSON).")
    var input: String

    @Argument(help: "The file to write: .keras, .h5, .weights.h5 or .json.")
    var output: String

    @Option(help: "The architecture JSON of a .weights.h5 input (default: the .json beside it).")
    var architecture: String?

    func run() throws {
        try requireFile(input)
        let model: Model
        if Self.isWeightsFile(input) {
            let json = architecture ?? Self.architectureFile(for: input)
            guard FileManager.default.fileExists(atPath: json) else {
                throw ValidationError("\(input) holds weights only: give its architecture with --architecture FILE.json (looked for \(json))")
            }
            model = try Keras.modelFromJSON(try String(contentsOfFile: json, encoding: .utf8))
            try model.loadWeights(input)
        } else {
            model = try Keras.loadModel(input)
        }
        let lowered = output.lowercased()
        if Self.isWeightsFile(output) {
            try model.saveWeights(output)
            let json = Self.architectureFile(for: output)
            try Data(try model.toJSON().utf8).write(to: URL(fileURLWithPath: json), options: .atomic)
            print("Wrote the weights to \(output) and the architecture to \(json).")
        } else if lowered.hasSuffix(".json") {
            try Data(try model.toJSON().utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
            print("Wrote the architecture to \(output).")
        } else {
            try model.save(output)
            print("Wrote \(output).")
        }
    }

    static func isWeightsFile(_ path: String) -> Bool { path.lowercased().hasSuffix(".weights.h5") }

    /// `model.weights.h5` → `model.json`.
    static func architectureFile(for weights: String) -> String {
        String(weights.dropLast(".weights.h5".count)) + ".json"
    }
}
