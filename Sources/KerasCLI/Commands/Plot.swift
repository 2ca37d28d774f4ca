import ArgumentParser
import Foundation
import Keras
import KerasPlot

/// `keras plot`: training curves from a CSV log.
struct Plot: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot",
        abstract: "Draw the training curves of a CSV log, or the graph of a model (plot_model), as SVG or HTML.",
        discussion: "A .csv file (from CSVLogger or keras train) gives the curves; a .keras, .h5 or .json model its layer graph.")

    @Argument(help: "A CSV log with an 'epoch' column and one column per metric, or a model file.")
    var log: String

    @Option(name: .shortAndLong, help: "The picture to write: .svg or .html.")
    var output = "training.svg"

    @Option(help: "A title over the curves.")
    var title: String?

    func run() throws {
        try requireFile(log)
        if ["keras", "h5", "json"].contains(URL(fileURLWithPath: log).pathExtension.lowercased()) {
            let model = log.lowercased().hasSuffix(".json")
                ? try Keras.modelFromJSON(try String(contentsOfFile: log, encoding: .utf8))
                : try Keras.loadModel(log, compile: false)
            try plotModel(model, to: output)
            print("Wrote \(output).")
            return
        }
        let table = try CSV.load(log, hasHeader: true)
        let names = table.columnNames
        guard let epochColumn = names.firstIndex(of: "epoch"), names.count > 1 else {
            throw ValidationError("\(log): expected a header with 'epoch' and metric columns (as CSVLogger writes), found \(names.joined(separator: ","))")
        }
        let rows = table.values.shape[0], columns = names.count, scalars = table.values.scalars
        func column(_ index: Int) -> [Float] { (0..<rows).map { scalars[$0 * columns + index] } }
        var values: [String: [Float]] = [:]
        for (index, name) in names.enumerated() where index != epochColumn { values[name] = column(index) }
        let figure = KerasPlot.Plot.history(values, epochs: column(epochColumn).map { Int($0) + 1 }, title: title)
        try figure.write(to: URL(fileURLWithPath: output))
        print("Wrote \(output).")
    }
}
