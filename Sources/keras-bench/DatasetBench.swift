import Foundation
import Keras

/// Times Keras' dataset loaders on the files in the Keras cache (`$KERAS_HOME/datasets` or
/// `~/.keras/datasets`): each loader runs once (downloading what is missing), then is timed.
enum DatasetBenchmark {
    static func run() {
        let loaders: [(String, () throws -> String)] = [
            ("mnist", { shapes(try Datasets.mnist()) }),
            ("fashionMNIST", { shapes(try Datasets.fashionMNIST()) }),
            ("cifar10", { shapes(try Datasets.cifar10()) }),
            ("cifar100", { shapes(try Datasets.cifar100()) }),
            ("bostonHousing", { shapes(try Datasets.bostonHousing()) }),
            ("imdb", { sequences(try Datasets.imdb()) }),
            ("reuters", { sequences(try Datasets.reuters()) }),
        ]
        print("Dataset loaders, from \(Datasets.cacheDirectory.path) (seconds, best of 3 after a first call)")
        for (name, load) in loaders {
            do {
                let description = try load()
                var best = Double.infinity
                for _ in 0..<3 {
                    let start = nowNS()
                    _ = try load()
                    best = min(best, (nowNS() - start) * 1e-9)
                }
                print(pad(name, 14) + pad(String(format: "%.3f s", best), 10, right: true) + "  " + description)
            } catch {
                print(pad(name, 14) + "  not available: " + "\(error)".prefix(100))
            }
        }
    }

    static func shapes(_ data: (train: Datasets.Split, test: Datasets.Split)) -> String {
        "x \(data.train.x.shape) \(data.test.x.shape), y \(data.train.y.shape) \(data.test.y.shape)"
    }

    static func sequences(_ data: (train: Datasets.SequenceSplit, test: Datasets.SequenceSplit)) -> String {
        "\(data.train.x.count) + \(data.test.x.count) sequences, \(data.train.x.reduce(0) { $0 + $1.count }) training words"
    }
}
