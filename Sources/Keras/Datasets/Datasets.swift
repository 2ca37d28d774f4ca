// `keras.datasets`: MNIST, Fashion-MNIST and Boston Housing; finding and downloading their files.

import Foundation

/// Keras' built-in datasets (`keras.datasets`), read from the files Keras downloads.
///
/// Each loader looks, in order, in Keras' cache (`$KERAS_HOME/datasets` when `KERAS_HOME` is
/// set, else `~/.keras/datasets`, then Keras' fallback `/tmp/.keras/datasets`) under Keras' own
/// file names, then in known system locations; a file found nowhere is downloaded from Keras'
/// own URL into the first cache folder that can be written (with Keras' progress bar, checked
/// against the SHA-256 Keras records, written atomically). When that fails too (offline), the
/// error says which file to fetch from where and where to put it.
///
/// Values come back as `Float` tensors with Keras' shapes; pixel values stay 0…255 and labels
/// are class indices, as Keras' `uint8` arrays hold them.
///
/// ```swift
/// let ((xTrain, yTrain), (xTest, yTest)) = try Datasets.fashionMNIST()
/// // xTrain: (60000, 28, 28), yTrain: (60000,), xTest: (10000, 28, 28), yTest: (10000,)
/// ```
public enum Datasets {
    /// Features and targets of one part of a dataset.
    public typealias Split = (x: Tensor, y: Tensor)

    /// Where Keras downloads its datasets from.
    static let origin = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"

    /// Keras' dataset cache: `$KERAS_HOME/datasets` when `KERAS_HOME` is set, else `~/.keras/datasets`.
    public static var cacheDirectory: URL {
        cacheDirectories(environment: ProcessInfo.processInfo.environment)[0]
    }

    /// The folders searched for cached datasets, in order.
    static func cacheDirectories(environment: [String: String]) -> [URL] {
        func expand(_ path: String) -> String {
            guard path == "~" || path.hasPrefix("~/") else { return path }
            let home = environment["HOME"] ?? NSHomeDirectory()
            return home + path.dropFirst()
        }
        var folders: [String] = []
        if let home = environment["KERAS_HOME"], !home.isEmpty {
            folders.append(expand(home) + "/datasets")
        } else {
            folders.append(expand("~/.keras") + "/datasets")
        }
        folders.append("/tmp/.keras/datasets")
        var seen = Set<String>()
        return folders.filter { seen.insert($0).inserted }.map { URL(fileURLWithPath: $0) }
    }

    static var defaultDirectories: [URL] { cacheDirectories(environment: ProcessInfo.processInfo.environment) }

    /// The first of `directories` holding `name` (or `name` itself when it is an absolute path).
    static func locate(_ name: String, in directories: [URL]) -> URL? {
        let candidates = name.hasPrefix("/") ? [URL(fileURLWithPath: name)] : directories.map { $0.appendingPathComponent(name) }
        return candidates.first { FileManager.default.fileExists(atPath: $0.path) }
    }

    /// The local copy of `file`: the first of `directories` holding it, else a download into the
    /// first of them that can be written. Offline, the error says what to put where.
    static func fetch(_ file: RemoteFile, title: String, directories: [URL], downloader: Downloader?,
                      alternative: String = "") throws -> URL {
        if let url = locate(file.name, in: directories) { return url }
        var failure = "downloads are off"
        if let downloader {
            let absolute = URL(fileURLWithPath: file.name)
            var remote = file
            remote.name = absolute.lastPathComponent
            if let folder = file.name.hasPrefix("/") ? absolute.deletingLastPathComponent() : writableDirectory(directories) {
                do {
                    return try downloader.download(remote, into: folder)
                } catch {
                    failure = "\(error)"
                }
            } else {
                failure = "no cache folder can be written: \(describe(directories))"
            }
        }
        let hash = file.hash.map { " (\(FileHash(expected: $0).algorithm) \($0))" } ?? ""
        throw KerasError.invalidData(
            "\(title) is not on this machine and could not be downloaded (\(failure)). Fetch \(file.origin.absoluteString)"
                + "\(hash) and save it as \(destination(file.name, in: directories)).\(alternative.isEmpty ? "" : " " + alternative) "
                + "Looked in: \(describe(directories)).")
    }

    /// The first of `directories` that exists or can be created, and can be written: where
    /// downloads go (Keras falls back to `/tmp/.keras` when its home cannot be written).
    static func writableDirectory(_ directories: [URL]) -> URL? {
        directories.first { folder in
            (try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)) != nil
                && access(folder.path, W_OK) == 0
        }
    }

    /// The first file found of `names`, trying each folder of `directories` in turn.
    static func locate(_ names: [String], in directories: [URL]) -> URL? {
        for folder in directories {
            for name in names where FileManager.default.fileExists(atPath: folder.appendingPathComponent(name).path) {
                return folder.appendingPathComponent(name)
            }
        }
        return nil
    }

    static func describe(_ directories: [URL]) -> String {
        directories.isEmpty ? "nowhere" : directories.map(\.path).joined(separator: ", ")
    }

    /// Where to put `name`: in the first of `directories` (unless `name` is absolute).
    static func destination(_ name: String, in directories: [URL]) -> String {
        guard !name.hasPrefix("/"), let first = directories.first else { return name }
        return first.appendingPathComponent(name).path
    }

    // MARK: MNIST

    /// The MNIST handwritten digits (`keras.datasets.mnist.load_data`): 60,000 training and
    /// 10,000 test images of 28×28 pixels (0…255), labels 0…9.
    ///
    /// Reads Keras' `mnist.npz`, or the four IDX files MNIST is distributed as
    /// (`train-images-idx3-ubyte.gz`, `train-labels-idx1-ubyte.gz`, `t10k-images-idx3-ubyte.gz`,
    /// `t10k-labels-idx1-ubyte.gz`, plain or gzip), from `directory` when given, else from the
    /// Keras cache or its `mnist/` folder; downloads `mnist.npz` when it finds neither.
    /// - Parameters:
    ///   - path: the `.npz` file, relative to the folders searched, or absolute.
    ///   - directory: a folder to look in first (for the `.npz` or the IDX files).
    /// - Returns: `(train, test)`: x of shapes `(60000, 28, 28)` and `(10000, 28, 28)`, y of
    ///   shapes `(60000,)` and `(10000,)`.
    public static func mnist(path: String = "mnist.npz", directory: String? = nil) throws -> (train: Split, test: Split) {
        try mnist(path: path, directories: searchPath(directory, then: defaultDirectories), downloader: .standard)
    }

    /// `directory` (when given) before `defaults`.
    static func searchPath(_ directory: String?, then defaults: [URL]) -> [URL] {
        (directory.map { [URL(fileURLWithPath: $0)] } ?? []) + defaults
    }

    static func mnist(path: String, directories: [URL], downloader: Downloader? = nil) throws -> (train: Split, test: Split) {
        for folder in directories {
            if let url = locate(path, in: [folder]) { return try mnistArchive(url) }
            if let idx = IDXImageFiles.folder(in: [folder, folder.appendingPathComponent("mnist")]) {
                return try IDXImageFiles.load(from: idx)
            }
        }
        let idxFolder = directories.first.map { $0.appendingPathComponent("mnist").path + "/" } ?? "a folder"
        let url = try fetch(RemoteFile(name: path, origin: URL(string: origin + "mnist.npz")!,
                                       hash: "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"),
                            title: "MNIST", directories: directories, downloader: downloader,
                            alternative: "Or put the four IDX files (\(IDXImageFiles.described)) into \(idxFolder), "
                                + "or pass directory: the folder that holds them."
                                + IDXImageFiles.partialNote(directories.flatMap { [$0, $0.appendingPathComponent("mnist")] }))
        return try mnistArchive(url)
    }

    /// The four arrays of Keras' `mnist.npz`.
    static func mnistArchive(_ url: URL) throws -> (train: Split, test: Split) {
        let arrays = try NumPy.loadArchive(url)
        func array(_ key: String) throws -> Tensor {
            guard let tensor = arrays[key] else {
                throw KerasError.invalidData("\(url.path): no array '\(key)' (the archive has \(arrays.keys.sorted()))")
            }
            return tensor
        }
        let train = try checkedImages(try array("x_train"), try array("y_train"), name: "\(url.path): x_train, y_train")
        let test = try checkedImages(try array("x_test"), try array("y_test"), name: "\(url.path): x_test, y_test")
        return (train, test)
    }

    /// Images `(n, height, width)` and labels `(n,)`, or an error naming them.
    static func checkedImages(_ x: Tensor, _ y: Tensor, name: String) throws -> Split {
        guard x.rank == 3, y.rank == 1, x.shape[0] == y.shape[0] else {
            throw KerasError.invalidData(
                "\(name): expected images (n, height, width) and labels (n,), found \(ArrayIO.pythonShape(x.shape)) "
                    + "and \(ArrayIO.pythonShape(y.shape))")
        }
        return (x, y)
    }

    // MARK: Fashion-MNIST

    /// The four Fashion-MNIST files, as Keras names them.
    static let fashionMNISTFiles = IDXImageFiles.names.map { $0 + ".gz" }

    /// Where Debian's `dataset-fashion-mnist` package installs the files.
    static let fashionMNISTSystemDirectory = URL(fileURLWithPath: "/usr/share/datasets/fashion-mnist")

    /// The names of the ten Fashion-MNIST classes, by label.
    public static let fashionMNISTClassNames = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                                "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]

    /// Fashion-MNIST (`keras.datasets.fashion_mnist.load_data`): 60,000 training and 10,000 test
    /// images of clothing, 28×28 pixels (0…255), labels 0…9 (`fashionMNISTClassNames`).
    ///
    /// Reads the four IDX files (plain or gzip) from `directory` when given, else from
    /// `fashion-mnist/` in the Keras cache, or from Debian's `dataset-fashion-mnist` package
    /// (`/usr/share/datasets/fashion-mnist`); downloads them when they are nowhere.
    /// - Returns: `(train, test)`: x of shapes `(60000, 28, 28)` and `(10000, 28, 28)`, y of
    ///   shapes `(60000,)` and `(10000,)`.
    public static func fashionMNIST(directory: String? = nil) throws -> (train: Split, test: Split) {
        try fashionMNIST(directories: searchPath(directory, then: defaultDirectories.map { $0.appendingPathComponent("fashion-mnist") }
                                                    + [fashionMNISTSystemDirectory]),
                         downloader: .standard)
    }

    static func fashionMNIST(directories: [URL], downloader: Downloader? = nil) throws -> (train: Split, test: Split) {
        let manager = FileManager.default
        var failure = "downloads are off"
        if IDXImageFiles.folder(in: directories) == nil, let downloader {
            // Keras records no hashes for these files.
            if let folder = writableDirectory(directories) {
                do {
                    for name in fashionMNISTFiles where !manager.fileExists(atPath: folder.appendingPathComponent(name).path) {
                        _ = try downloader.download(RemoteFile(name: name, origin: URL(string: origin + name)!), into: folder)
                    }
                } catch {
                    failure = "\(error)"
                }
            } else {
                failure = "no cache folder can be written"
            }
        }
        guard let folder = IDXImageFiles.folder(in: directories) else {
            throw KerasError.invalidData(
                "Fashion-MNIST is not on this machine and could not be downloaded (\(failure)). Fetch "
                    + fashionMNISTFiles.joined(separator: ", ") + " from \(origin) into \(directories.first.map { $0.path + "/" } ?? "the Keras cache") "
                    + "(or pass directory: the folder that holds them), or install Debian's dataset-fashion-mnist (\(fashionMNISTSystemDirectory.path))."
                    + IDXImageFiles.partialNote(directories) + " Looked in: \(describe(directories)).")
        }
        return try IDXImageFiles.load(from: folder)
    }

    // MARK: Boston Housing

    /// The Boston Housing prices (`keras.datasets.boston_housing.load_data`): 13 attributes of
    /// 506 neighbourhoods and their median home value in k$.
    ///
    /// Reads Keras' `boston_housing.npz` and splits it exactly as Keras does: the samples are
    /// shuffled with `np.random.RandomState(seed)`, the first `(1 - testSplit)` of them train.
    /// (Keras warns that this dataset has an ethical problem: one attribute encodes race.)
    /// - Returns: `(train, test)`: x of shapes `(404, 13)` and `(102, 13)`, y of shapes `(404,)`
    ///   and `(102,)` with the default split.
    public static func bostonHousing(path: String = "boston_housing.npz", testSplit: Double = 0.2,
                                     seed: UInt32 = 113) throws -> (train: Split, test: Split) {
        try bostonHousing(path: path, testSplit: testSplit, seed: seed, directories: defaultDirectories, downloader: .standard)
    }

    static func bostonHousing(path: String, testSplit: Double, seed: UInt32,
                              directories: [URL], downloader: Downloader? = nil) throws -> (train: Split, test: Split) {
        guard testSplit >= 0 && testSplit < 1 else {
            throw KerasError.invalidArgument(name: "testSplit", value: "\(testSplit)", expected: "a fraction in [0, 1)")
        }
        let url = try fetch(RemoteFile(name: path, origin: URL(string: origin + "boston_housing.npz")!,
                                       hash: "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5"),
                            title: "Boston Housing", directories: directories, downloader: downloader)
        let arrays = try NumPy.loadArchive(url)
        guard let x = arrays["x"], let y = arrays["y"] else {
            throw KerasError.invalidData("\(url.path): expected arrays 'x' and 'y', found \(arrays.keys.sorted())")
        }
        guard x.rank >= 1, y.rank >= 1, x.shape[0] == y.shape[0] else {
            throw KerasError.invalidData("\(url.path): x \(ArrayIO.pythonShape(x.shape)) and y \(ArrayIO.pythonShape(y.shape)) "
                                            + "do not have the same number of samples")
        }
        let count = x.shape[0]
        var generator = MersenneTwister(seed: seed)
        let order = generator.permutation(count)
        let trainCount = Int(Double(count) * (1 - testSplit))
        let trainOrder = Array(order[..<trainCount]), testOrder = Array(order[trainCount...])
        return ((Samples.rows(x, trainOrder), Samples.rows(y, trainOrder)),
                (Samples.rows(x, testOrder), Samples.rows(y, testOrder)))
    }
}
