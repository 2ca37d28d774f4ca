import ArgumentParser
import Foundation
import Keras
import KerasServer

/// `keras serve digits`: the draw-a-digit web app.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve a web app: 'digits' is seed 002's draw-a-digit page.",
        discussion: """
            Open http://127.0.0.1:\(DigitServer.defaultPort)/ and draw. Without --model the seed's MLP is \
            trained on MNIST on first start (Fashion-MNIST when MNIST is not on this machine) and cached. \
            API: POST /predict with a PNG (Content-Type: image/png) or JSON {"pixels": [784 values]}; GET /health.
            """)

    @Argument(help: "The app to serve: digits.")
    var app: String

    @Option(help: "A classifier of 28×28 pictures (.keras or .h5, also from Python Keras).")
    var model: String?

    @Option(help: "The address to listen on (0.0.0.0 for every interface).")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on (0 picks a free one).")
    var port = DigitServer.defaultPort

    @Option(help: "Epochs for the first training of the seed's MLP.")
    var epochs = 5

    @Option(help: "The folder the trained model is cached in (default: ~/.keras/models).")
    var cache: String?

    @Option(help: "The largest request body accepted, in bytes.")
    var maxBody = 1 << 20

    func validate() throws {
        guard app == "digits" else { throw ValidationError("Unknown app '\(app)': the app is 'digits'.") }
        guard (0...65535).contains(port) else { throw ValidationError("--port \(port): expected 0…65535") }
    }

    func run() async throws {
        let classifier = try model.map(DigitModels.load)
            ?? DigitModels.seedMLP(cache: cache.map { URL(fileURLWithPath: $0) } ?? DigitModels.cacheDirectory, epochs: epochs)
        let server = DigitServer(classifier: classifier, host: host, port: port, maxBodyBytes: maxBody)
        try await server.run { port in
            // Unbuffered, so that a script reading the output sees the port at once.
            FileHandle.standardOutput.write(Data("Serving \(classifier.description) on http://\(host):\(port)/ (Ctrl-C stops)\n".utf8))
        }
    }
}
