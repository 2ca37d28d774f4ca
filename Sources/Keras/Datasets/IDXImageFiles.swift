// The four IDX files MNIST and Fashion-MNIST are distributed as, plain or gzip.

import Foundation

/// The four IDX files of an MNIST-like dataset (`train-images-idx3-ubyte.gz`, …), each found
/// under its plain or its gzip name, and read into Keras' `(train, test)` splits.
enum IDXImageFiles {
    /// The files in the order they are read: training images and labels, test images and labels.
    static let names = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                        "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]

    /// The names as they appear in error messages: `train-images-idx3-ubyte(.gz)`, ….
    static var described: String { names.map { $0 + "(.gz)" }.joined(separator: ", ") }

    /// The four files in `folder` (each plain or gzip), or nil when one is missing.
    static func files(in folder: URL) -> [URL]? {
        var found: [URL] = []
        for name in names {
            guard let file = [name + ".gz", name].lazy.map(folder.appendingPathComponent).first(where: {
                FileManager.default.fileExists(atPath: $0.path)
            }) else { return nil }
            found.append(file)
        }
        return found
    }

    /// The names missing from `folder`, or nil when the folder holds none of them.
    static func missing(in folder: URL) -> [String]? {
        let absent = names.filter { name in
            ![name, name + ".gz"].contains { FileManager.default.fileExists(atPath: folder.appendingPathComponent($0).path) }
        }
        return absent.count == names.count ? nil : absent
    }

    /// The first of `directories` holding all four files.
    static func folder(in directories: [URL]) -> URL? {
        directories.first { files(in: $0) != nil }
    }

    /// Reads the four files of `folder` as images `(n, 28, 28)` and labels `(n,)`.
    static func load(from folder: URL) throws -> (train: Datasets.Split, test: Datasets.Split) {
        guard let files = files(in: folder) else {
            throw KerasError.invalidData("\(folder.path) lacks \(missing(in: folder)?.joined(separator: ", ") ?? described)")
        }
        let loaded = try files.map(IDX.load)
        return (try Datasets.checkedImages(loaded[0], loaded[1], name: "\(folder.path): training images and labels"),
                try Datasets.checkedImages(loaded[2], loaded[3], name: "\(folder.path): test images and labels"))
    }

    /// " /x lacks a, b." for the first of `directories` that holds some but not all of the files.
    static func partialNote(_ directories: [URL]) -> String {
        for folder in directories {
            if let absent = missing(in: folder), !absent.isEmpty {
                return " \(folder.path) lacks \(absent.map { $0 + ".gz" }.joined(separator: ", "))."
            }
        }
        return ""
    }
}
