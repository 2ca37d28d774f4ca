// The draw-a-digit web app: the page, `POST /predict` and `GET /health`, served by Hummingbird.

import Foundation
import Hummingbird
import Keras

/// The web app of seed 002: draw a digit in the browser, the server says which digit it is.
///
/// - `GET /`: the page (canvas, Recognise / Clear, the answer, ten probability bars, the 28×28 input).
/// - `POST /predict`: a drawing as `image/png`, or as JSON `{"pixels": [...], "width": 28, "height": 28}`
///   (ink 0…1, or 0…255 when any value exceeds 1; width and height default to 28). The drawing is
///   preprocessed as MNIST was made (`DigitImage.mnistStyle`); the answer is a `DigitPrediction`.
///   Malformed input gets a 4xx answer with `{"error": {"message": …}}`.
/// - `GET /health`: `{"status": "ok", "model": …, "classes": […]}`.
public struct DigitServer: Sendable {
    /// The port `keras serve digits` listens on unless told otherwise.
    public static let defaultPort = 8080

    public var classifier: DigitClassifier
    public var host: String
    public var port: Int
    /// The largest request body accepted (larger ones get 413).
    public var maxBodyBytes: Int
    /// The largest PNG accepted, in pixels (larger ones get 400 before being inflated).
    public var maxPNGPixels: Int

    public init(classifier: DigitClassifier, host: String = "127.0.0.1", port: Int = defaultPort,
                maxBodyBytes: Int = 1 << 20, maxPNGPixels: Int = 2048 * 2048) {
        (self.classifier, self.host, self.port, self.maxBodyBytes, self.maxPNGPixels) = (classifier, host, port, maxBodyBytes, maxPNGPixels)
    }

    /// Serves until the task is cancelled or, when `stopsOnSignals`, until SIGINT / SIGTERM.
    /// `onRunning` gets the port actually bound (useful with port 0).
    public func run(stopsOnSignals: Bool = true, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let app = Application(
            router: router(),
            configuration: .init(address: .hostname(host, port: port), serverName: "swift-keras"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) })
        if stopsOnSignals {
            try await app.runService()
        } else {
            try await app.runService(gracefulShutdownSignals: [])
        }
    }

    func router() -> Router<BasicRequestContext> {
        let router = Router()
        let classifier = classifier
        router.get("/") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: DigitPage.html)))
        }
        router.get("/health") { _, _ in
            try Self.json(Health(status: "ok", model: classifier.description,
                                 classes: classifier.classNames.isEmpty ? (0..<10).map(String.init) : classifier.classNames))
        }
        router.post("/predict") { [self] request, _ in
            let body: ByteBuffer
            do {
                body = try await request.body.collect(upTo: maxBodyBytes)
            } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
                throw HTTPError(.contentTooLarge, message: "the body is larger than the limit of \(maxBodyBytes) bytes")
            }
            let drawing = try drawing(from: body, contentType: request.headers[.contentType] ?? "")
            do {
                return try Self.json(try await classifier.predict(drawing))
            } catch let error as KerasError {
                throw HTTPError(.unprocessableContent, message: error.description)
            }
        }
        return router
    }

    /// The drawing in a request body, or a 4xx error saying what is wrong with it.
    func drawing(from body: ByteBuffer, contentType: String) throws -> DigitImage {
        let type = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        switch type {
        case "image/png":
            let image: PNG.Image
            do {
                image = try PNG.decode(Array(buffer: body), name: "the PNG body", maxPixels: maxPNGPixels)
            } catch {
                throw HTTPError(.badRequest, message: "\(error)")
            }
            return try unprocessable { try DigitImage(png: image) }
        case "application/json", "":
            let pixels: Pixels
            do {
                pixels = try JSONDecoder().decode(Pixels.self, from: Data(buffer: body))
            } catch {
                throw HTTPError(.badRequest, message: "the body is not JSON of the form {\"pixels\": [784 numbers], \"width\": 28, \"height\": 28}: \(Self.reason(error))")
            }
            return try unprocessable {
                let scale: Float = pixels.pixels.contains { $0 > 1 } ? 255 : 1
                return try DigitImage(width: pixels.width ?? 28, height: pixels.height ?? 28, ink: pixels.pixels.map { $0 / scale })
            }
        default:
            throw HTTPError(.unsupportedMediaType, message: "send the drawing as application/json or image/png, not \(contentType)")
        }
    }

    /// `body()`, with a Keras error turned into a 422 answer.
    private func unprocessable<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as KerasError { throw HTTPError(.unprocessableContent, message: error.description) }
    }

    /// One line saying why JSON could not be decoded.
    static func reason(_ error: any Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let context): return context.debugDescription
        case DecodingError.keyNotFound(let key, _): return "no \"\(key.stringValue)\""
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "\(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)"
        default: return "\(error)"
        }
    }

    static func json(_ value: some Encodable) throws -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"],
                 body: .init(byteBuffer: ByteBuffer(bytes: try JSONEncoder().encode(value))))
    }

    /// The JSON form of a drawing.
    struct Pixels: Decodable {
        var pixels: [Float]
        var width: Int?
        var height: Int?
    }

    /// The answer of `GET /health`.
    struct Health: Encodable {
        var status: String
        var model: String
        var classes: [String]
    }
}
