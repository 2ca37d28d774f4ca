import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Keras
import KerasServer
import Testing

/// The web app on a free port of 127.0.0.1 for the duration of `body`, with an untrained classifier.
func withDigitServer(maxBodyBytes: Int = 1 << 20, _ body: (URL) async throws -> Void) async throws {
    let model = Sequential([Dense(units: 10, activation: .softmax, inputShape: [784])])
    try model.build(inputShape: [nil, 784])
    let server = DigitServer(classifier: try DigitClassifier(model: model, description: "test model"),
                             host: "127.0.0.1", port: 0, maxBodyBytes: maxBodyBytes)
    let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
    let task = Task { try await server.run(stopsOnSignals: false) { continuation.yield($0) } }
    defer { task.cancel() }
    var iterator = ports.makeAsyncIterator()
    let port = try #require(await iterator.next())
    try await body(URL(string: "http://127.0.0.1:\(port)/")!)
}

/// Status and body of one request.
func request(_ url: URL, method: String = "GET", contentType: String? = nil, body: Data? = nil) async throws -> (status: Int, body: Data) {
    var request = URLRequest(url: url)
    request.httpMethod = method
    request.httpBody = body
    if let contentType { request.setValue(contentType, forHTTPHeaderField: "Content-Type") }
    let (data, response) = try await URLSession.shared.data(for: request)
    return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
}

@Suite("The draw-a-digit web app")
struct DigitServerTests {
    static func json(_ data: Data) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// The error message of a 4xx answer.
    static func message(_ data: Data) throws -> String {
        let error = try #require(try json(data)["error"] as? [String: Any])
        return try #require(error["message"] as? String)
    }

    /// A 280×280 white canvas with a black bar, as a PNG like the page sends.
    static func drawingPNG() throws -> Data {
        var pixels = [UInt8](repeating: 255, count: 280 * 280 * 4)
        for y in 60..<220 {
            for x in 130..<150 { pixels.replaceSubrange((4 * (y * 280 + x))..<(4 * (y * 280 + x) + 3), with: [0, 0, 0]) }
        }
        return Data(PNG.encode(try PNG.Image(width: 280, height: 280, channels: 4, pixels: pixels)))
    }

    @Test("the page, /health, and /predict with JSON pixels and with a PNG")
    func answers() async throws {
        try await withDigitServer { base in
            let page = try await request(base)
            #expect(page.status == 200)
            let html = String(decoding: page.body, as: UTF8.self)
            for part in ["<canvas id=\"pad\" width=\"280\" height=\"280\"", "识别数字", "清空画板", "Recognise", "Clear", "pointerdown"] {
                #expect(html.contains(part), "the page lacks \(part)")
            }

            let health = try await request(base.appendingPathComponent("health"))
            #expect(health.status == 200)
            #expect(try Self.json(health.body)["status"] as? String == "ok")

            var ink = [Float](repeating: 0, count: 784)
            for y in 4..<24 { ink[y * 28 + 14] = 1 }
            let answer = try await request(base.appendingPathComponent("predict"), method: "POST", contentType: "application/json",
                                           body: try JSONSerialization.data(withJSONObject: ["pixels": ink]))
            #expect(answer.status == 200)
            let prediction = try JSONDecoder().decode(DigitPrediction.self, from: answer.body)
            #expect(prediction.probabilities.count == 10)
            #expect(abs(prediction.probabilities.reduce(0, +) - 1) < 1e-4)
            #expect(prediction.image.count == 784)
            #expect(prediction.digit == prediction.probabilities.indices.max { prediction.probabilities[$0] < prediction.probabilities[$1] })

            let png = try await request(base.appendingPathComponent("predict"), method: "POST", contentType: "image/png", body: try Self.drawingPNG())
            #expect(png.status == 200)
            let fromPNG = try JSONDecoder().decode(DigitPrediction.self, from: png.body)
            // The bar, 160 high and 20 wide, becomes 20 high and 3 wide (2.5 rounded) in the middle.
            #expect(fromPNG.image.filter { $0 > 0.5 }.count >= 40)
        }
    }

    @Test("hostile or broken requests get a clear 4xx answer and the server keeps serving")
    func robustness() async throws {
        try await withDigitServer(maxBodyBytes: 64 * 1024) { base in
            let predict = base.appendingPathComponent("predict")
            func post(_ body: Data, _ type: String = "application/json") async throws -> (status: Int, message: String) {
                let answer = try await request(predict, method: "POST", contentType: type, body: body)
                return (answer.status, try Self.message(answer.body))
            }
            let zeros = Array(repeating: "0", count: 784)

            let oversized = try await post(Data(count: 200 * 1024))
            #expect(oversized.status == 413)
            let malformed = try await post(Data("{\"pixels\": [0, 1,".utf8))
            #expect(malformed.status == 400 && malformed.message.contains("not JSON"))
            let short = try await post(Data("{\"pixels\": [0, 1, 0]}".utf8))
            #expect(short.status == 422 && short.message.contains("28 × 28"))
            let nan = try await post(Data("{\"pixels\": [\(zeros.dropLast().joined(separator: ",")), NaN]}".utf8))
            #expect(nan.status == 400)
            let nanText = try await post(Data("{\"pixels\": [\(zeros.dropLast().joined(separator: ",")), \"NaN\"]}".utf8))
            #expect(nanText.status == 400)
            let negative = try await post(Data("{\"pixels\": [\(zeros.dropLast().joined(separator: ",")), -3]}".utf8))
            #expect(negative.status == 422 && negative.message.contains("0…1"))
            let blank = try await post(Data("{\"pixels\": [\(zeros.joined(separator: ","))]}".utf8))
            #expect(blank.status == 422 && blank.message.contains("blank"))

            let png = try Self.drawingPNG()
            let truncated = try await post(png.prefix(png.count / 2), "image/png")
            #expect(truncated.status == 400 && truncated.message.contains("PNG"))
            #expect(try await post(Data("not a png".utf8), "image/png").status == 400)
            // A PNG bomb: a valid header claiming 100000 × 100000 pixels, a few bytes of data.
            var bomb = PNG.encode(try PNG.Image(width: 1, height: 1, channels: 1, pixels: [0]))
            bomb.replaceSubrange(16..<24, with: [0, 1, 0x86, 0xA0, 0, 1, 0x86, 0xA0])
            let crc = CRC32Reference.checksum(Array(bomb[12..<29]))
            bomb.replaceSubrange(29..<33, with: [UInt8(crc >> 24), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc & 0xFF)])
            let bombAnswer = try await post(Data(bomb), "image/png")
            #expect(bombAnswer.status == 400 && bombAnswer.message.contains("limit"))
            #expect(try await post(Data("x".utf8), "text/plain").status == 415)
            #expect(try await request(base.appendingPathComponent("nowhere")).status == 404)

            #expect(try await request(base.appendingPathComponent("health")).status == 200)
        }
    }

    @Test("a model whose input is not a 28×28 picture is refused with the shapes")
    func wrongModel() throws {
        #expect(throws: KerasError.self) {
            let model = Sequential([Dense(units: 10, activation: .softmax, inputShape: [100])])
            try model.build(inputShape: [nil, 100])
            return try DigitClassifier(model: model, description: "wrong")
        }
    }
}

/// CRC-32 (the PNG polynomial), computed bit by bit: independent of the library's table.
enum CRC32Reference {
    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}
