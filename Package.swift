// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "swift-keras",
    products: [
        .library(name: "Keras", targets: ["Keras"]),
        .library(name: "KerasPlot", targets: ["KerasPlot"]),
        .executable(name: "keras-bench", targets: ["keras-bench"]),
        .executable(name: "examples", targets: ["Examples"]),
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
        .testTarget(name: "KerasTensorTests", dependencies: ["KerasTensor"]),
        .testTarget(name: "KerasTests", dependencies: ["Keras"]),
        .testTarget(name: "KerasPlotTests", dependencies: ["KerasPlot"]),
    ],
    swiftLanguageModes: [.v6]
)
