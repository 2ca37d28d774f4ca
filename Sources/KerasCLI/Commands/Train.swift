import ArgumentParser
import Foundation
import Keras
import KerasPlot

/// `keras train`: fit a model, then save it, its History as CSV and an HTML report.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a model and save it, its history (CSV) and a report (HTML).",
        discussion: """
            MODEL is a saved model (.keras, .h5) to train further, a JSON file (Keras' model.to_json(), \
            or a short description: {"input_shape": [784], "layers": [{"Dense": {"units": 10, \
            "activation": "softmax"}}], "optimizer": "adam", "loss": "categorical_crossentropy", \
            "metrics": ["accuracy"]}), or an example: \(ModelSource.examples.map { "\($0.name) (\($0.summary))" }.joined(separator: "; ")).
            Inputs are reshaped to the model's input when only the layout differs (28×28 → 784), and class \
            indices are one-hot encoded for categorical_crossentropy.
            """)

    @Argument(help: "A .keras/.h5/.json model file, or an example name.")
    var model: String

    @OptionGroup var data: DataOptions

    @Option(help: "Passes over the training data.")
    var epochs = 5

    @Option(help: "Samples per gradient step.")
    var batchSize = 32

    @Option(help: "The fraction of the training samples held out for validation.")
    var validationSplit: Float = 0

    @Flag(help: "Validate on the test part of a named dataset or .npz (instead of --validation-split).")
    var validateOnTest = false

    @Option(help: "Seeds weights, shuffling and dropout, for a repeatable run.")
    var seed: UInt64?

    @Option(name: .shortAndLong, help: "Where to save the trained model (.keras or .h5).")
    var output = "model.keras"

    @Option(help: "Where to write the History, one row per epoch (CSVLogger).")
    var log = "training.csv"

    @Option(help: "Where to write the HTML report with the training curves.")
    var report = "training.html"

    @Option(help: "0 silent, 1 Keras' progress bar, 2 one line per epoch.")
    var verbose = 1

    func run() throws {
        if let seed { Keras.setRandomSeed(seed) }
        let source = try ModelSource(model)
        var data = data
        if data.dataset == nil, data.csv == nil, data.xFile == nil, data.npz == nil { data.dataset = source.defaultDataset }
        let (x, y) = try data.load(.train, needTargets: true)
        let model = source.model
        let (inputs, targets) = try adapt(x, y, to: model)
        var validation: (Tensor, Tensor)?
        if validateOnTest {
            let test = try data.load(.test, needTargets: true)
            let adapted = try adapt(test.x, test.y, to: model)
            validation = (adapted.x, adapted.y!)
        }
        if verbose > 0 { model.summary() }
        try model.fit(inputs, targets!, epochs: epochs, batchSize: batchSize, verbose: verbose,
                      callbacks: [CSVLogger(log), HTMLReport(path: report, title: "Training \(self.model)")],
                      validationSplit: validation == nil ? validationSplit : 0, validationData: validation)
        try model.save(output)
        print("Saved the model to \(output), the history to \(log), the report to \(report).")
    }
}
