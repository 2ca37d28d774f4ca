import ArgumentParser
import Foundation
import Keras

/// `keras predict`: a saved model's outputs for inputs from a CSV or .npy file.
struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a saved model's predictions for inputs in a CSV or .npy file.",
        discussion: "The output format follows the output file's extension: .csv or .npy.")

    @Argument(help: "A saved model (.keras or .h5).")
    var model: String

    @Argument(help: "The inputs: a .csv file (one sample per row) or a .npy file.")
    var input: String

    @Option(name: .shortAndLong, help: "Where to write the predictions (.csv or .npy); '-' prints CSV.")
    var output = "-"

    @Flag(help: "The input CSV file's first row holds column names.")
    var header = false

    @Flag(help: "Write the most probable class of each sample instead of the model's outputs.")
    var classes = false

    @Option(help: "Samples per batch.")
    var batchSize = 32

    func run() throws {
        try requireFile(model)
        try requireFile(input)
        let model = try Keras.loadModel(self.model, compile: false)
        let x: Tensor
        switch URL(fileURLWithPath: input).pathExtension.lowercased() {
        case "npy": x = try NumPy.load(input)
        case "csv", "txt": x = try CSV.load(input, hasHeader: header).values
        default: throw ValidationError("\(input): inputs must be a .csv or .npy file")
        }
        var predictions = try model.predict(try adapt(x, nil, to: model).x, batchSize: batchSize)
        if classes {
            predictions = predictions.argmax(axis: -1)
        }
        if predictions.rank == 1 { predictions = predictions.reshaped(to: [predictions.shape[0], 1]) }
        if output == "-" {
            let scalars = predictions.scalars, width = predictions.shape.dropFirst().reduce(1, *)
            for row in 0..<predictions.shape[0] {
                print(scalars[(row * width)..<((row + 1) * width)].map { classes ? String(Int($0)) : "\($0)" }.joined(separator: ","))
            }
            return
        }
        switch URL(fileURLWithPath: output).pathExtension.lowercased() {
        case "npy": try NumPy.save(predictions, to: output)
        case "csv": try CSV.save(predictions, to: output)
        default: throw ValidationError("--output \(output): write a .csv or .npy file, or '-'")
        }
    }
}
