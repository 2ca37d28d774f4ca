// Where a command's samples come from: a named dataset, a CSV file, or NumPy files.

import ArgumentParser
import Foundation
import Keras

/// The data options shared by `train`, `evaluate` and `predict`.
struct DataOptions: ParsableArguments {
    @Option(help: "A named dataset: \(NamedDataset.allNames). Images are scaled to 0…1.")
    var dataset: String?

    @Option(help: "A CSV file of samples, one per row (the target is one column, see --target).")
    var csv: String?

    @Option(help: "The CSV column holding the target: a number from 0, or a name with --header (default: the last column).")
    var target: String?

    @Flag(help: "The CSV file's first row holds column names.")
    var header = false

    @Option(name: .customLong("x"), help: "Inputs as a .npy file.")
    var xFile: String?

    @Option(name: .customLong("y"), help: "Targets as a .npy file.")
    var yFile: String?

    @Option(help: "A .npz archive with arrays x and y (or x_train, y_train, x_test, y_test).")
    var npz: String?

    /// Which part of a named dataset or `.npz` archive to use.
    enum Part: String { case train, test }

    /// Samples read from the chosen source; `y` is nil when the source has no targets.
    func load(_ part: Part, needTargets: Bool) throws -> (x: Tensor, y: Tensor?) {
        let sources = [dataset, csv, xFile, npz].compactMap { $0 }
        guard sources.count == 1 else {
            throw ValidationError(sources.isEmpty ? "Give the data: --dataset NAME, --csv FILE, --x FILE [--y FILE] or --npz FILE."
                                                  : "Give one data source, not \(sources.count) (--dataset, --csv, --x, --npz).")
        }
        let loaded: (x: Tensor, y: Tensor?)
        if let dataset {
            let split = try NamedDataset(dataset).load()
            loaded = part == .train ? (split.train.x, split.train.y) : (split.test.x, split.test.y)
        } else if let csv {
            loaded = try Self.csvSamples(csv, target: needTargets || target != nil ? target ?? "-1" : nil, header: header)
        } else if let xFile {
            try requireFile(xFile)
            if let yFile { try requireFile(yFile) }
            loaded = (try NumPy.load(xFile), try yFile.map { try NumPy.load($0) })
        } else {
            let npz = npz!
            try requireFile(npz)
            let arrays = try NumPy.loadArchive(npz)
            guard let x = arrays["x"] ?? arrays["x_\(part.rawValue)"] else {
                throw KerasError.invalidData("\(npz): no array 'x' or 'x_\(part.rawValue)' (it has \(arrays.keys.sorted().joined(separator: ", ")))")
            }
            loaded = (x, arrays["y"] ?? arrays["y_\(part.rawValue)"])
        }
        if needTargets && loaded.y == nil {
            throw ValidationError("The data has inputs but no targets: add --y FILE (or a y array in the .npz).")
        }
        return loaded
    }

    /// A CSV file split into inputs and the `target` column (an index, negative from the end, or a name).
    static func csvSamples(_ path: String, target: String?, header: Bool) throws -> (x: Tensor, y: Tensor?) {
        try requireFile(path)
        let table = try CSV.load(path, hasHeader: header)
        let columns = table.values.shape[1]
        guard let target else { return (table.values, nil) }
        let index: Int
        if let number = Int(target) {
            index = number < 0 ? columns + number : number
        } else if let named = table.columnNames.firstIndex(of: target) {
            index = named
        } else {
            throw ValidationError("--target \(target): no such column in \(path) (columns: \(table.columnNames.joined(separator: ", ")))")
        }
        guard (0..<columns).contains(index), columns > 1 else {
            throw ValidationError("--target \(target): \(path) has \(columns) columns; the target must be one of them and leave inputs")
        }
        let rows = table.values.shape[0]
        let values = table.values.scalars
        var x: [Float] = [], y: [Float] = []
        x.reserveCapacity(rows * (columns - 1))
        for row in 0..<rows {
            for column in 0..<columns {
                let value = values[row * columns + column]
                if column == index { y.append(value) } else { x.append(value) }
            }
        }
        return (Tensor(shape: [rows, columns - 1], scalars: x), Tensor(shape: [rows], scalars: y))
    }
}

/// Throws a one-line error when `path` is not an existing file.
func requireFile(_ path: String) throws {
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), !isFolder.boolValue else {
        throw ValidationError("No such file: \(path)")
    }
}

/// Inputs and targets shaped for `model`: inputs reshaped to the model's input when only the layout
/// differs (MNIST's 28×28 into 784), class indices one-hot encoded when the loss wants one-hot targets.
func adapt(_ x: Tensor, _ y: Tensor?, to model: Model) throws -> (x: Tensor, y: Tensor?) {
    var x = x
    if let input = model.builtInputShape, input.count >= 2, !input.dropFirst().contains(where: { $0 == nil }) {
        let sample = input.dropFirst().map { $0! }
        if Array(x.shape.dropFirst()) != sample, x.shape.dropFirst().reduce(1, *) == sample.reduce(1, *) {
            x = x.reshaped(to: [x.shape[0]] + sample)
        }
    }
    guard var y else { return (x, nil) }
    if model.loss?.name == "categorical_crossentropy", y.rank == 1 || (y.rank == 2 && y.shape[1] == 1) {
        let classes = try model.predict(x.slice(axis: 0, 0..<1)).shape.last ?? 1
        y = try toCategorical(y.reshaped(to: [y.shape[0]]), numClasses: classes)
    }
    return (x, y)
}
