import Foundation
import Testing
@testable import Keras

// IMDB and Reuters from small `.npz` files of object arrays (np.savez, as Keras' files), compared
// with Keras 3's own load_data on them under several options (Tools/fixtures/make_dataset_fixtures.py).

@Suite struct TextDatasetTests {
    typealias F = FormatFixtures
    typealias D = DatasetFixtures

    /// Keras' arguments from the fixture, as `SequenceOptions`.
    static func options(_ json: [String: Any]) -> Datasets.SequenceOptions {
        var options = Datasets.SequenceOptions()
        options.numWords = json["num_words"] as? Int
        options.skipTop = json["skip_top"] as? Int ?? 0
        options.maxLength = json["maxlen"] as? Int
        options.seed = UInt32(json["seed"] as? Int ?? 113)
        if json.keys.contains("start_char") { options.startChar = json["start_char"] as? Int }
        if json.keys.contains("oov_char") { options.oovChar = json["oov_char"] as? Int }
        options.indexFrom = json["index_from"] as? Int ?? 3
        return options
    }

    static func check(_ split: Datasets.SequenceSplit, _ expected: Any?, _ label: String,
                      sourceLocation: SourceLocation = #_sourceLocation) {
        let expected = expected as? [String: Any]
        #expect(split.x == expected?["x"] as? [[Int]], "\(label) x", sourceLocation: sourceLocation)
        #expect(split.y.scalars.map { Int($0) } == expected?["y"] as? [Int], "\(label) y", sourceLocation: sourceLocation)
        #expect(split.y.shape == [split.x.count], "\(label)", sourceLocation: sourceLocation)
    }

    @Test func imdbMatchesKerasForEachOption() throws {
        let cases = try #require(D.expected["imdb"] as? [[String: Any]])
        #expect(cases.count == 4)
        for entry in cases {
            let json = try #require(entry["options"] as? [String: Any])
            let (train, test) = try Datasets.imdb(path: D.url("imdb.npz").path, options: Self.options(json), directories: [])
            Self.check(train, entry["train"], "imdb \(json) train")
            Self.check(test, entry["test"], "imdb \(json) test")
        }
        F.expectInvalidData(["IMDB is not on this machine", "imdb.npz", "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f"]) {
            _ = try Datasets.imdb(path: "imdb.npz", options: .init(), directories: [D.directory.appendingPathComponent("none")])
        }
        #expect(throws: KerasError.self) {
            _ = try Datasets.imdb(path: D.url("imdb.npz").path, options: .init(maxLength: 1), directories: [])
        }
    }

    @Test func reutersMatchesKerasForEachOption() throws {
        let cases = try #require(D.expected["reuters"] as? [[String: Any]])
        #expect(cases.count == 5)
        for entry in cases {
            let json = try #require(entry["options"] as? [String: Any])
            let (train, test) = try Datasets.reuters(path: D.url("reuters.npz").path, testSplit: json["test_split"] as? Double ?? 0.2,
                                                     options: Self.options(json), directories: [])
            Self.check(train, entry["train"], "reuters \(json) train")
            Self.check(test, entry["test"], "reuters \(json) test")
        }
        // A numeric archive is not Reuters: the error names what is missing.
        F.expectInvalidData(["'x'", "object array"]) {
            _ = try Datasets.reuters(path: F.url("archive_stored.npz").path, testSplit: 0.2, options: .init(), directories: [])
        }
    }

    @Test func wordIndexesReadJSONAndCheckKerasMD5() throws {
        let cache = try F.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: cache) }
        let json = Array(#"{"the": 1, "and": 2, "a": 3}"#.utf8)
        let md5 = { var hash = MD5(); hash.update(json); return hash.hexDigest }()
        let server = try LocalHTTPServer(["words.json": .init(body: json)])
        defer { server.stop() }
        let origin = URL(string: "https://example.invalid/words.json")!
        let index = try Datasets.wordIndex(RemoteFile(name: "words.json", origin: origin, hash: md5), title: "Words",
                                           directories: [cache], downloader: DownloadTests.downloader(server, log: OutputLog()))
        #expect(index == ["the": 1, "and": 2, "a": 3])
        // Keras' MD5 for the IMDB index does not match these bytes: nothing is cached.
        let other = cache.appendingPathComponent("other")
        F.expectInvalidData(["The IMDB word index", "MD5 is \(md5)", "Keras expects bfafd718b763782e994055a2d397834f"]) {
            _ = try Datasets.wordIndex(RemoteFile(name: "words.json", origin: origin, hash: "bfafd718b763782e994055a2d397834f"),
                                       title: "The IMDB word index", directories: [other],
                                       downloader: DownloadTests.downloader(server, log: OutputLog()))
        }
        #expect(DownloadTests.files(in: other).isEmpty)
        try F.write(Array("[1, 2]".utf8), to: cache.appendingPathComponent("list.json"))
        F.expectInvalidData(["list.json", "not a JSON object"]) {
            _ = try Datasets.wordIndex(RemoteFile(name: "list.json", origin: origin), title: "Words", directories: [cache], downloader: nil)
        }
    }
}
