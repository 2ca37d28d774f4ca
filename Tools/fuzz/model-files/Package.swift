// swift-tools-version: 6.0
// Mutation fuzzing of whole-model loading (`.keras`, `.h5`, `.weights.h5`, model JSON) through
// the public Keras API, which the libFuzzer harness (one module of the IO sources) cannot reach.
//   swift run -c release --package-path Tools/fuzz/model-files model-fuzz SECONDS
import PackageDescription

let package = Package(
    name: "model-fuzz",
    dependencies: [.package(name: "swift-keras", path: "../../..")],
    targets: [.executableTarget(name: "model-fuzz", dependencies: [.product(name: "Keras", package: "swift-keras")])],
    swiftLanguageModes: [.v6]
)
