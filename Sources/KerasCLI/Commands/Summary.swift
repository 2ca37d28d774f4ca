import ArgumentParser
import Foundation
import Keras

/// `keras summary`: Keras' `model.summary()` table of a saved model.
struct Summary: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the summary table of a saved model (swift-keras or Python Keras).",
        discussion: "Reads .keras, .h5 and model JSON files; a .weights.h5 file holds no architecture.")

    @Argument(help: "A .keras, .h5 or .json model file.")
    var file: String

    func run() throws {
        try requireFile(file)
        if file.lowercased().hasSuffix(".weights.h5") {
            throw ValidationError("\(file) holds weights only, no architecture: summarise the .keras, .h5 or .json model file")
        }
        let model = file.lowercased().hasSuffix(".json")
            ? try Keras.modelFromJSON(try String(contentsOfFile: file, encoding: .utf8))
            : try Keras.loadModel(file, compile: false)
        print(model.summaryText(), terminator: "")
    }
}
