// `keras.datasets.cifar10` and `cifar100`: the Python pickles of the CIFAR archives.

import Foundation

extension Datasets {
    /// The class names of CIFAR-10, by label.
    public static let cifar10ClassNames = ["airplane", "automobile", "bird", "cat", "deer",
                                           "dog", "frog", "horse", "ship", "truck"]

    /// CIFAR-10 (`keras.datasets.cifar10.load_data`): 50,000 training and 10,000 test colour
    /// images of 32×32 pixels in ten classes (`cifar10ClassNames`).
    ///
    /// Reads Keras' download of `cifar-10-python.tar.gz` (`cifar-10-batches-py-target_archive`
    /// in the cache, or the folder Keras extracts it to; Keras 2's `cifar-10-batches-py.tar.gz`
    /// and `cifar-10-batches-py/` and the archive under its own name are found too), downloading
    /// it (163 MiB) when it is nowhere. The archive is read in memory, nothing is extracted.
    /// - Returns: `(train, test)`: x of shapes `(50000, 32, 32, 3)` and `(10000, 32, 32, 3)`
    ///   (channels last, values 0…255), y of shapes `(50000, 1)` and `(10000, 1)`.
    /// - Parameter directory: a folder to look in first (for the archive or its extracted folder).
    public static func cifar10(directory: String? = nil) throws -> (train: Split, test: Split) {
        try cifar10(directories: searchPath(directory, then: defaultDirectories), downloader: .standard)
    }

    /// CIFAR-100 (`keras.datasets.cifar100.load_data`): 50,000 training and 10,000 test colour
    /// images of 32×32 pixels in 100 classes, grouped in 20 superclasses.
    ///
    /// Found, downloaded and read as `cifar10()` does, from `cifar-100-python.tar.gz`.
    /// - Parameters:
    ///   - labelMode: `"fine"` (100 classes) or `"coarse"` (20 superclasses).
    ///   - directory: a folder to look in first.
    /// - Returns: `(train, test)`: x of shapes `(50000, 32, 32, 3)` and `(10000, 32, 32, 3)`,
    ///   y of shapes `(50000, 1)` and `(10000, 1)`.
    public static func cifar100(labelMode: String = "fine", directory: String? = nil) throws -> (train: Split, test: Split) {
        try cifar100(labelMode: labelMode, directories: searchPath(directory, then: defaultDirectories), downloader: .standard)
    }

    static func cifar10(directories: [URL], downloader: Downloader? = nil) throws -> (train: Split, test: Split) {
        let archive = CIFARArchive(
            title: "CIFAR-10", folder: "cifar-10-batches-py",
            remote: RemoteFile(name: "cifar-10-batches-py-target_archive",
                               origin: URL(string: "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz")!,
                               hash: "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"),
            otherNames: ["cifar-10-batches-py.tar.gz", "cifar-10-python.tar.gz"])
        let batches = try archive.read(["data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5", "test_batch"],
                                       directories: directories, downloader: downloader)
        return (try archive.images(batches[..<5], labelKey: "labels"), try archive.images(batches[5...], labelKey: "labels"))
    }

    static func cifar100(labelMode: String, directories: [URL], downloader: Downloader? = nil) throws -> (train: Split, test: Split) {
        guard labelMode == "fine" || labelMode == "coarse" else {
            throw KerasError.invalidArgument(name: "labelMode", value: "\"\(labelMode)\"", expected: "\"fine\" or \"coarse\"")
        }
        let archive = CIFARArchive(
            title: "CIFAR-100", folder: "cifar-100-python",
            remote: RemoteFile(name: "cifar-100-python-target_archive",
                               origin: URL(string: "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz")!,
                               hash: "85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7"),
            otherNames: ["cifar-100-python.tar.gz"])
        let batches = try archive.read(["train", "test"], directories: directories, downloader: downloader)
        let key = "\(labelMode)_labels"
        return (try archive.images(batches[0...0], labelKey: key), try archive.images(batches[1...1], labelKey: key))
    }
}

/// Where a CIFAR archive lives in the Keras cache, and how its batches become tensors.
struct CIFARArchive {
    var title: String
    /// The folder inside the archive: `cifar-10-batches-py`.
    var folder: String
    /// Keras 3's download: `<name>-target_archive`, extracted to `<name>-target/<folder>/`.
    var remote: RemoteFile
    /// Other names of the same archive in the cache: Keras 2's, the original file name.
    var otherNames: [String]

    /// One pickled batch and the name it goes by in errors.
    typealias Batch = (name: String, value: Pickle.Value)

    /// The batch files `names`, from an extracted folder, else from the archive (downloaded when missing).
    func read(_ names: [String], directories: [URL], downloader: Downloader?) throws -> [Batch] {
        let manager = FileManager.default
        let target = String(remote.name.dropLast("_archive".count))
        for directory in directories {
            for extracted in [directory.appendingPathComponent(target).appendingPathComponent(folder),
                              directory.appendingPathComponent(folder)]
            where names.allSatisfy({ manager.fileExists(atPath: extracted.appendingPathComponent($0).path) }) {
                return try names.map { name in
                    let url = extracted.appendingPathComponent(name)
                    let bytes = try FileIO.read(url)
                    return (url.path, try bytes.withUnsafeBytes { try Pickle.load($0, name: url.path) })
                }
            }
        }
        let archive = try Datasets.locate(otherNames, in: directories)
            ?? Datasets.fetch(remote, title: title, directories: directories, downloader: downloader)
        var bytes = try FileIO.read(archive)
        if bytes.withUnsafeBytes(Inflate.isGzip) { bytes = try Inflate.gzip(bytes, name: archive.path) }
        return try bytes.withUnsafeBytes { tar in
            let entries = try TarArchive.entries(tar, name: archive.path)
            return try names.map { name in
                let path = folder + "/" + name
                guard let entry = entries.last(where: { $0.isFile && $0.name == path }) else {
                    throw KerasError.invalidData("\(archive.path): the archive has no \(path); it is not \(title)'s "
                                                 + "\(remote.origin.lastPathComponent). Delete it to download it again.")
                }
                let member = "\(archive.path): \(path)"
                return (member, try Pickle.load(UnsafeRawBufferPointer(rebasing: tar[entry.data]), name: member))
            }
        }
    }

    /// The images `(n, 32, 32, 3)` (channels last) and labels `(n, 1)` of `batches`, concatenated.
    func images(_ batches: ArraySlice<Batch>, labelKey: String) throws -> Datasets.Split {
        var parts: [(data: [UInt8], labels: [Float])] = []
        for (name, value) in batches {
            func fail(_ problem: String) -> KerasError { KerasError.invalidData("\(name): \(problem)") }
            guard case .array(let data)? = value["data"] else {
                throw fail("expected a dict with a uint8 array 'data', found \(value["data"]?.kind ?? value.kind)")
            }
            guard data.scalarType == .uint8, data.shape.count == 2, data.shape[1] == 3072 else {
                throw fail("'data' is \(data.scalarType.name) of shape \(ArrayIO.pythonShape(data.shape)), "
                           + "expected uint8 of shape (n, 3072): n images of 3 × 32 × 32")
            }
            let labels: [Float]
            switch value[labelKey] {
            case .list(let items)?:
                labels = try items.map { item in
                    guard case .int(let label) = item, label >= 0 else { throw fail("'\(labelKey)' holds \(item.kind), expected labels") }
                    return Float(label)
                }
            case .array(let array)? where array.shape.count == 1:
                labels = array.tensor.scalars
            default:
                throw fail("no list '\(labelKey)' of labels")
            }
            guard labels.count == data.shape[0] else {
                throw fail("\(data.shape[0]) images but \(labels.count) labels in '\(labelKey)'")
            }
            parts.append((data.data, labels))
        }
        let count = parts.reduce(0) { $0 + $1.labels.count }
        // Channels first in the file (3 planes of 32 × 32), channels last in the tensor.
        let x = ArrayIO.makeTensor(shape: [count, 32, 32, 3]) { destination, _ in
            var image = 0
            for part in parts {
                part.data.withUnsafeBufferPointer { source in
                    for i in 0..<part.labels.count {
                        let from = source.baseAddress! + i * 3072, to = destination + (image + i) * 3072
                        for pixel in 0..<1024 {
                            to[pixel * 3] = Float(from[pixel])
                            to[pixel * 3 + 1] = Float(from[1024 + pixel])
                            to[pixel * 3 + 2] = Float(from[2048 + pixel])
                        }
                    }
                }
                image += part.labels.count
            }
        }
        return (x, Tensor(shape: [count, 1], scalars: parts.flatMap(\.labels)))
    }
}
