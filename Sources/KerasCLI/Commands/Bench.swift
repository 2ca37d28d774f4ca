import ArgumentParser
import Foundation

/// `keras bench`: runs the `keras-bench` benchmarks built beside this program.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run swift-keras' benchmarks (keras-bench; build it with swift build -c release --product keras-bench).",
        discussion: "Arguments go to keras-bench: tensor, matmul, elementwise, training, mlp [rounds], hdf5, datasets.")

    @Argument(parsing: .captureForPassthrough, help: "What to measure (default: tensor).")
    var arguments: [String] = []

    func run() throws {
        let folder = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        let bench = folder.appendingPathComponent("keras-bench")
        guard FileManager.default.isExecutableFile(atPath: bench.path) else {
            throw ValidationError("keras-bench is not built beside keras (\(folder.path)): run swift build -c release --product keras-bench")
        }
        let process = Process()
        process.executableURL = bench
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        if process.terminationStatus != 0 { throw ExitCode(process.terminationStatus) }
    }
}
