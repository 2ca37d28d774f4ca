import ArgumentParser
import Foundation
import Keras
import KerasPlot

/// `keras plot`: training curves from a CSV log.
struct Plot: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot",
        abstract: "Draw the training curves of a CSV log (from CSVLogger or keras train) as SVG or HTML.",
        discussion: "Drawing a model's graph (plot_model) is not available yet: it waits for Functional models.")

    @Argument(help: "A CSV log with an 'epoch' column and one column per metric.")
    var log: String

    @Option(name: .shortAndLong, help: "The picture to write: .svg or .html.")
    var output = "training.svg"

    @Option(help: "A title over the curves.")
    var title: String?

    func run() throws {
        try requireFile(log)
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
