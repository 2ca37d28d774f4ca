import Foundation
import Testing
@testable import Keras

// Downloads into the Keras cache (keras.utils.get_file): SHA-256 against hashlib and the FIPS
// vectors, and the real URLSession downloader against a local HTTP server (no network): progress
// bar, hash check, atomic cache write, wrong hashes, HTTP errors, cut-off bodies, unreachable hosts.

/// The fixtures of Tests/Fixtures/datasets (Tools/fixtures/make_dataset_fixtures.py).
enum DatasetFixtures {
    static let directory = FormatFixtures.directory.deletingLastPathComponent().appendingPathComponent("datasets")

    static func url(_ name: String) -> URL { directory.appendingPathComponent(name) }

    /// `expected.json`, parsed.
    nonisolated(unsafe) static let expected: [String: Any] = {
        guard let data = try? Data(contentsOf: url("expected.json")),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            fatalError("Cannot read Tests/Fixtures/datasets/expected.json (run Tools/fixtures/make_dataset_fixtures.py)")
        }
        return object
    }()
}

/// A minimal HTTP/1.1 server on 127.0.0.1 for the download tests: one thread, one request per
/// connection, fixed responses by path.
final class LocalHTTPServer: @unchecked Sendable {
    struct Response {
        var status = 200
        var body: [UInt8]
        /// Whether to send `Content-Length` (else the body ends when the connection closes).
        var sendsLength = true
        /// A length to announce instead of the true one (a body cut off short).
        var announcedLength: Int?
    }

    let port: UInt16
    private let listener: Int32
    private let responses: [String: Response]
    private let lock = NSLock()
    private var requested: [String] = []

    init(_ responses: [String: Response]) throws {
        self.responses = responses
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.listener = listener
        guard listener >= 0 else { throw KerasError.invalidState("socket failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bind(listener, raw, length) == 0 && listen(listener, 8) == 0 && getsockname(listener, raw, &length) == 0
            }
        }
        guard bound else { throw KerasError.invalidState("bind failed") }
        port = UInt16(bigEndian: address.sin_port)
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    /// The URL of `path` on this server.
    func url(_ path: String) -> URL { URL(string: "http://127.0.0.1:\(port)/\(path)")! }

    /// The paths requested so far.
    var requests: [String] { lock.withLock { requested } }

    /// Stops accepting connections.
    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func serve() {
        while true {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { return }
            var request: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while !request.suffix(4).elementsEqual([13, 10, 13, 10]) {
                let n = recv(connection, &buffer, buffer.count, 0)
                if n <= 0 { break }
                request += buffer[..<n]
            }
            let line = String(decoding: request.prefix { $0 != 13 }, as: UTF8.self).split(separator: " ")
            let path = line.count > 1 ? String(line[1].dropFirst()) : ""
            lock.withLock { requested.append(path) }
            let response = responses[path] ?? Response(status: 404, body: Array("not found".utf8))
            var head = "HTTP/1.1 \(response.status) \(response.status == 200 ? "OK" : "Not Found")\r\nConnection: close\r\n"
            if response.sendsLength { head += "Content-Length: \(response.announcedLength ?? response.body.count)\r\n" }
            let bytes = Array((head + "\r\n").utf8) + response.body
            var sent = 0
            while sent < bytes.count {
                let n = bytes[sent...].withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if n <= 0 { break }
                sent += n
            }
            shutdown(connection, Int32(SHUT_WR))
            close(connection)
        }
    }
}

/// Collects a downloader's output.
final class OutputLog: @unchecked Sendable {
    private let lock = NSLock()
    private var parts: [String] = []
    func append(_ text: String) { lock.withLock { parts.append(text) } }
    var text: String { lock.withLock { parts.joined() } }
}

@Suite struct DownloadTests {
    typealias F = FormatFixtures

    // MARK: SHA-256

    @Test func sha256AndMD5MatchTheStandardsVectors() {
        func hex(_ text: String) -> String { Array(text.utf8).withUnsafeBytes { SHA256.hexDigest($0) } }
        #expect(hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                    == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        var million = SHA256()
        let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 1000)
        for _ in 0..<1000 { million.update(chunk) }
        #expect(million.hexDigest == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        // RFC 1321's MD5 test suite.
        for (text, digest) in [("", "d41d8cd98f00b204e9800998ecf8427e"), ("abc", "900150983cd24fb0d6963f7d28e17f72"),
                               ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
                               (String(repeating: "1234567890", count: 8), "57edf4a22be3c955ac49da2e2107b67a")] {
            var md5 = MD5()
            md5.update(Array(text.utf8))
            #expect(md5.hexDigest == digest, "MD5(\(text))")
        }
    }

    @Test func hashesMatchHashlibAtEveryBlockBoundaryAndInPieces() throws {
        let vectors = try #require(DatasetFixtures.expected["sha256"] as? [[String: Any]])
        #expect(vectors.count >= 20)
        for vector in vectors {
            let length = try #require(vector["length"] as? Int), expected = try #require(vector["hex"] as? String)
            let message = (0..<length).map { UInt8((7 * $0 + 3) % 256) }
            #expect(message.withUnsafeBytes { SHA256.hexDigest($0) } == expected, "length \(length)")
            // The same message in uneven pieces.
            var hash = SHA256()
            var offset = 0, piece = 1
            while offset < length {
                let end = min(length, offset + piece)
                hash.update(Array(message[offset..<end]))
                offset = end
                piece = piece * 3 % 97 + 1
            }
            #expect(hash.hexDigest == expected, "length \(length) in pieces")
            #expect(hash.hexDigest == hash.hexDigest, "reading the digest does not change the state")
            var md5 = MD5()
            md5.update(message)
            #expect(md5.hexDigest == vector["md5"] as? String, "MD5 of length \(length)")
        }
    }

    // MARK: Downloads from a local server

    /// A downloader that fetches every origin's file name from `server`, logging to `log`.
    static func downloader(_ server: LocalHTTPServer, log: OutputLog, terminal: Bool = false) -> Downloader {
        var downloader = Downloader()
        downloader.resolve = { server.url($0.lastPathComponent) }
        downloader.output = { log.append($0) }
        downloader.isTerminal = terminal
        downloader.timeout = 10
        return downloader
    }

    static func files(in folder: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
    }

    @Test func downloadWritesTheCheckedFileAndShowsKerasProgress() throws {
        let body = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }
        let hash = body.withUnsafeBytes { SHA256.hexDigest($0) }
        let server = try LocalHTTPServer(["data.bin": .init(body: body), "unknown.bin": .init(body: body, sendsLength: false)])
        defer { server.stop() }
        let cache = try F.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: cache) }
        let folder = cache.appendingPathComponent("not/yet/there")
        let log = OutputLog()
        let origin = URL(string: "https://example.invalid/datasets/data.bin")!
        let url = try Self.downloader(server, log: log).download(RemoteFile(name: "data.bin", origin: origin, hash: hash),
                                                                 into: folder)
        #expect(url == folder.appendingPathComponent("data.bin"))
        #expect(try FileIO.read(url) == body)
        #expect(Self.files(in: folder) == ["data.bin"], "no temporary file is left behind")
        #expect(server.requests == ["data.bin"])
        // Keras' messages: the origin, then the byte count bar, finished once (not a terminal).
        let lines = log.text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.first == "Downloading data from https://example.invalid/datasets/data.bin")
        #expect(lines.count == 3 && lines[2].isEmpty)
        #expect(lines[1].hasPrefix("300000/300000 ━━━━━━━━━━━━━━━━━━━━ ") && lines[1].hasSuffix("us/step"), "\(lines)")

        // No Content-Length: Keras' bar without a target; the hash is still checked.
        let unknownLog = OutputLog()
        let unknown = try Self.downloader(server, log: unknownLog).download(
            RemoteFile(name: "u.bin", origin: URL(string: "https://example.invalid/unknown.bin")!, hash: hash.uppercased()),
            into: folder)
        #expect(try FileIO.read(unknown) == body)
        #expect(unknownLog.text.contains(" 300000/Unknown "), "\(unknownLog.text)")

        // On a terminal the bar is redrawn in place.
        let terminalLog = OutputLog()
        _ = try Self.downloader(server, log: terminalLog, terminal: true).download(
            RemoteFile(name: "t.bin", origin: origin, hash: nil), into: folder)
        #expect(terminalLog.text.contains("\r") && terminalLog.text.contains("300000/300000"))
        #expect(Self.files(in: folder) == ["data.bin", "t.bin", "u.bin"])
    }

    @Test func wrongHashesCutOffBodiesAndHTTPErrorsLeaveNoFile() throws {
        let body = Array("not the real file".utf8)
        let server = try LocalHTTPServer(["file.npz": .init(body: body),
                                          "short.npz": .init(body: body, announcedLength: body.count + 100)])
        defer { server.stop() }
        let folder = try F.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let downloader = Self.downloader(server, log: OutputLog())
        let wrong = String(repeating: "ab", count: 32)
        let actual = body.withUnsafeBytes { SHA256.hexDigest($0) }
        F.expectInvalidData(["https://example.invalid/file.npz", "incomplete or corrupted", "SHA-256 is \(actual)",
                             "Keras expects \(wrong)", "Nothing was saved"]) {
            _ = try downloader.download(RemoteFile(name: "file.npz", origin: URL(string: "https://example.invalid/file.npz")!,
                                                   hash: wrong), into: folder)
        }
        F.expectInvalidData(["URL fetch failure on https://example.invalid/short.npz"]) {
            _ = try downloader.download(RemoteFile(name: "short.npz", origin: URL(string: "https://example.invalid/short.npz")!),
                                        into: folder)
        }
        F.expectInvalidData(["URL fetch failure on https://example.invalid/missing.npz", "404"]) {
            _ = try downloader.download(RemoteFile(name: "missing.npz", origin: URL(string: "https://example.invalid/missing.npz")!),
                                        into: folder)
        }
        #expect(Self.files(in: folder).isEmpty)
    }

    @Test func loadersDownloadWhatIsMissingAndSayWhereToPutItOffline() throws {
        let cache = try F.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: cache) }
        // Fashion-MNIST (Keras records no hash): four files served, downloaded into the first
        // writable folder (the first is under a regular file, so it cannot be created).
        let blocker = cache.appendingPathComponent("file")
        try F.write([1], to: blocker)
        let unwritable = blocker.appendingPathComponent("fashion-mnist"), folder = cache.appendingPathComponent("fashion-mnist")
        let train = DatasetTests.fakeImages(7), test = DatasetTests.fakeImages(3)
        let files: [String: [UInt8]] = [
            "train-labels-idx1-ubyte.gz": F.gzipStored(F.idxBytes(shape: [7], values: train.labels)),
            "train-images-idx3-ubyte.gz": F.gzipStored(F.idxBytes(shape: [7, 28, 28], values: train.images)),
            "t10k-labels-idx1-ubyte.gz": F.gzipStored(F.idxBytes(shape: [3], values: test.labels)),
            "t10k-images-idx3-ubyte.gz": F.gzipStored(F.idxBytes(shape: [3, 28, 28], values: test.images)),
        ]
        let server = try LocalHTTPServer(files.mapValues { .init(body: $0) })
        defer { server.stop() }
        let log = OutputLog()
        let ((xTrain, yTrain), (xTest, _)) = try Datasets.fashionMNIST(directories: [unwritable, folder],
                                                                       downloader: Self.downloader(server, log: log))
        #expect(xTrain.shape == [7, 28, 28] && yTrain.shape == [7] && xTest.shape == [3, 28, 28])
        #expect(xTrain.scalars == train.images.map(Float.init))
        #expect(Self.files(in: folder) == files.keys.sorted())
        #expect(log.text.contains("Downloading data from https://storage.googleapis.com/tensorflow/tf-keras-datasets/t10k-images-idx3-ubyte.gz"))
        // Once cached, nothing more is fetched.
        _ = try Datasets.fashionMNIST(directories: [unwritable, folder], downloader: Self.downloader(server, log: log))
        #expect(server.requests.count == 4)

        // MNIST: a file that is not Keras' fails the recorded SHA-256 and is not cached.
        let mnistServer = try LocalHTTPServer(["mnist.npz": .init(body: F.bytes("archive_stored.npz"))])
        defer { mnistServer.stop() }
        let mnistCache = cache.appendingPathComponent("keras/datasets")
        F.expectInvalidData(["MNIST is not on this machine and could not be downloaded",
                             "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1",
                             "save it as \(mnistCache.path)/mnist.npz"]) {
            _ = try Datasets.mnist(path: "mnist.npz", directories: [mnistCache],
                                   downloader: Self.downloader(mnistServer, log: OutputLog()))
        }
        #expect(Self.files(in: mnistCache).isEmpty)

        // Unreachable (nothing listens on the stopped server's port): the error says what to put where.
        let closed = try LocalHTTPServer([:])
        closed.stop()
        F.expectInvalidData(["Boston Housing is not on this machine and could not be downloaded", "URL fetch failure",
                             "Fetch https://storage.googleapis.com/tensorflow/tf-keras-datasets/boston_housing.npz",
                             "save it as \(mnistCache.path)/boston_housing.npz"]) {
            _ = try Datasets.bostonHousing(path: "boston_housing.npz", testSplit: 0.2, seed: 113, directories: [mnistCache],
                                           downloader: Self.downloader(closed, log: OutputLog()))
        }
        #expect(Self.files(in: mnistCache).isEmpty)
    }
}
