// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "swift-keras",
    products: [
        .library(name: "Keras", targets: ["Keras"]),
        .library(name: "KerasPlot", targets: ["KerasPlot"]),
        .executable(name: "keras-bench", targets: ["keras-bench"]),
        .executable(name: "examples", targets: ["Examples"]),
        // The command-line tool and the draw-a-digit web app. Their dependencies (argument parser,
        // HTTP server) stay out of the `Keras` product: a program that uses `Keras` builds no server.
        .executable(name: "keras", targets: ["KerasCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
    ],
    targets: [
        // SIMD micro-kernels, CPU feature detection and the run-time BLAS loader.
        // The only C in the package: Swift cannot pick an instruction set per function.
        .target(
            name: "CKernels",
            linkerSettings: [.linkedLibrary("dl", .when(platforms: [.linux]))]
        ),
        // The tensor engine: storage, shapes, ops, automatic differentiation, matmul backends.
        .target(name: "KerasTensor", dependencies: ["CKernels"]),
        // The Keras API. Re-exports the tensor engine.
        .target(name: "Keras", dependencies: ["KerasTensor", "CKernels"]),
        // Pictures: SVG charts, training curves, prediction plots, image grids, an HTML report.
        .target(name: "KerasPlot", dependencies: ["Keras"]),
        .executableTarget(name: "keras-bench", dependencies: ["Keras", "KerasTensor", "CKernels"]),
        .executableTarget(name: "Examples", dependencies: ["Keras", "KerasPlot"]),
        // The draw-a-digit web app: MNIST-style preprocessing, the JSON API and the page.
        .target(
            name: "KerasServer",
            dependencies: ["Keras", .product(name: "Hummingbird", package: "hummingbird")]
        ),
        // `keras`: train, evaluate, predict, summary, convert, plot, datasets, serve, bench.
        .executableTarget(
            name: "KerasCLI",
            dependencies: [
                "Keras", "KerasPlot", "KerasServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "KerasTensorTests", dependencies: ["KerasTensor"]),
        .testTarget(name: "KerasTests", dependencies: ["Keras"]),
        .testTarget(name: "KerasPlotTests", dependencies: ["KerasPlot"]),
        .testTarget(name: "KerasCLITests", dependencies: ["KerasCLI", "KerasServer"], exclude: ["Fixtures"]),
    ],
    swiftLanguageModes: [.v6]
)
