import ArgumentParser
import Keras

/// `keras evaluate`: the loss and metrics of a saved model on data.
struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a saved model's loss and metrics on data (the test part of a named dataset).")

    @Argument(help: "A saved model (.keras or .h5) with its compile settings.")
    var model: String

    @OptionGroup var data: DataOptions

    @Option(help: "The loss, when the file has no compile settings (a Keras name such as mse).")
    var loss: String?

    @Option(help: "Metrics, when the file has no compile settings (repeatable).")
    var metric: [String] = []

    @Option(help: "Samples per batch.")
    var batchSize = 32

    @Option(help: "0 silent, 1 Keras' progress bar.")
    var verbose = 1

    func run() throws {
        try requireFile(model)
        let model = try Keras.loadModel(self.model)
        if let loss {
            try model.compile(optimizer: "adam", loss: loss, metrics: metric)
        } else if model.loss == nil {
            throw ValidationError("\(self.model) has no compile settings: give --loss (and --metric).")
        }
        let (x, y) = try data.load(.test, needTargets: true)
        let (inputs, targets) = try adapt(x, y, to: model)
        let result = try model.evaluate(inputs, targets!, batchSize: batchSize, verbose: verbose)
        print(result.keys.map { "\($0): \(result[$0])" }.joined(separator: " - "))
    }
}
