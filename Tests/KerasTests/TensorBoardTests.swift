import Foundation
import Testing
@testable import Keras

// The TensorBoard callback: TFRecord framing with masked CRC-32C, Event protobufs, the Keras
// folder layout and tags. Our own reader checks every record always; with KERAS_PYTHON_TESTS=1
// TensorBoard's EventAccumulator (Tools/tensorboard/read_events.py) must find the same values.

/// The fields of a protocol-buffer message: (field number, varint or 64/32-bit value, or bytes).
struct ProtobufFields {
    enum Value { case varint(UInt64), fixed64(UInt64), fixed32(UInt32), bytes([UInt8]) }
    var fields: [(Int, Value)] = []

    init(_ bytes: [UInt8]) throws {
        var p = 0
        func varint() throws -> UInt64 {
            var result: UInt64 = 0, shift: UInt64 = 0
            while true {
                guard p < bytes.count, shift < 64 else { throw KerasError.invalidData("truncated varint") }
                let byte = bytes[p]; p += 1
                result |= UInt64(byte & 0x7F) << shift
                if byte < 0x80 { return result }
                shift += 7
            }
        }
        func little(_ count: Int) throws -> UInt64 {
            guard bytes.count - p >= count else { throw KerasError.invalidData("truncated fixed value") }
            defer { p += count }
            return (0..<count).reduce(0) { $0 | UInt64(bytes[p + $1]) << (8 * UInt64($1)) }
        }
        while p < bytes.count {
            let key = try varint()
            let field = Int(key >> 3)
            switch key & 7 {
            case 0: fields.append((field, .varint(try varint())))
            case 1: fields.append((field, .fixed64(try little(8))))
            case 5: fields.append((field, .fixed32(UInt32(try little(4)))))
            case 2:
                let length = Int(try varint())
                guard bytes.count - p >= length else { throw KerasError.invalidData("truncated bytes field") }
                fields.append((field, .bytes(Array(bytes[p..<(p + length)]))))
                p += length
            default: throw KerasError.invalidData("wire type \(key & 7)")
            }
        }
    }

    func bytes(_ field: Int) -> [UInt8]? {
        for case let (f, .bytes(value)) in fields where f == field { return value }
        return nil
    }

    func varint(_ field: Int) -> UInt64? {
        for case let (f, .varint(value)) in fields where f == field { return value }
        return nil
    }

    func float(_ field: Int) -> Float? {
        for case let (f, .fixed32(value)) in fields where f == field { return Float(bitPattern: value) }
        return nil
    }
}

/// What an event file holds, decoded by our reader.
struct DecodedEvents {
    var fileVersion: String?
    var scalars: [String: [(step: Int, value: Float)]] = [:]
    var histogramCounts: [String: [(step: Int, count: Double)]] = [:]
    var texts: [String: String] = [:]

    init(_ url: URL) throws {
        for record in try TFRecord.records(FileIO.read(url), name: url.path) {
            let event = try ProtobufFields(record)
            let step = Int(event.varint(2) ?? 0)
            if let version = event.bytes(3) { fileVersion = String(decoding: version, as: UTF8.self) }
            guard let summary = event.bytes(5) else { continue }
            for case let (1, .bytes(valueBytes)) in try ProtobufFields(summary).fields {
                let value = try ProtobufFields(valueBytes)
                let tag = String(decoding: value.bytes(1) ?? [], as: UTF8.self)
                if let scalar = value.float(2) { scalars[tag, default: []].append((step, scalar)) }
                if let histogram = value.bytes(5) {
                    for case let (3, .fixed64(count)) in try ProtobufFields(histogram).fields {
                        histogramCounts[tag, default: []].append((step, Double(bitPattern: count)))
                    }
                }
                if let tensor = value.bytes(8), let text = try ProtobufFields(tensor).bytes(8) {
                    texts[tag] = String(decoding: text, as: UTF8.self)
                }
            }
        }
    }
}

@Suite("TensorBoard")
struct TensorBoardTests {
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("swift-keras-tb-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A small model trained 3 epochs of 3 batches with validation, logging every 2 batches and weight histograms.
    static func train(logDir: URL) throws -> (History, TensorBoard) {
        try Keras.withRandomSeed(4) {
            let model = Sequential([Dense(units: 3, activation: "relu", inputDim: 2), Dense(units: 1, activation: "sigmoid")])
            try model.compile(optimizer: SGD(learningRate: 0.1), loss: "binary_crossentropy", metrics: ["accuracy"])
            let x = Tensor(shape: [15, 2], scalars: (0..<30).map { Float(($0 * 7) % 11) / 10 })
            let y = Tensor(shape: [15, 1], scalars: (0..<15).map { Float($0 % 2) })
            let board = TensorBoard(logDir: logDir.path, updateFreq: .batches(2), histogramFreq: 1)
            let history = try model.fit(x, y, epochs: 3, batchSize: 4, verbose: 0, callbacks: [board], validationSplit: 0.2)
            return (history, board)
        }
    }

    @Test func crc32cMatchesTheStandardCheckValue() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
    }

    @Test func eventFilesHoldEveryScalarWithItsStep() throws {
        let folder = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (history, board) = try Self.train(logDir: folder)
        #expect(board.eventFiles.count == 2)
        let trainFiles = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("train").path)
        #expect(trainFiles.count == 1 && trainFiles[0].hasPrefix("events.out.tfevents.") && trainFiles[0].hasSuffix(".v2"))

        let train = try DecodedEvents(board.eventFiles[0]), validation = try DecodedEvents(board.eventFiles[1])
        #expect(train.fileVersion == "brain.Event:2" && validation.fileVersion == "brain.Event:2")
        for name in ["loss", "accuracy"] {
            #expect(train.scalars["epoch_" + name]?.map(\.step) == [0, 1, 2])
            #expect(train.scalars["epoch_" + name]?.map(\.value) == history[name])
            #expect(validation.scalars["epoch_" + name]?.map(\.value) == history["val_" + name])
            // 12 training samples in batches of 4: global batches 1...9, logged at 2, 4, 6, 8.
            #expect(train.scalars["batch_" + name]?.map(\.step) == [2, 4, 6, 8])
        }
        #expect(train.scalars["epoch_learning_rate"]?.map(\.value) == [0.1, 0.1, 0.1])
        #expect(Set(validation.scalars.keys) == ["epoch_loss", "epoch_accuracy"])
        // Histograms of the four weights each epoch, counting every value.
        #expect(train.histogramCounts.count == 4)
        #expect(train.histogramCounts.values.contains { $0.map(\.count) == [6, 6, 6] })
        #expect(train.texts["model_summary"]?.contains("Total params: 13") == true)
        #expect(train.texts["model_config"]?.contains("\"class_name\": \"Sequential\"") == true)
    }

    @Test func damagedRecordsAreRejected() throws {
        let record = TFRecord.frame(Array("event".utf8)) + TFRecord.frame(Array("second".utf8))
        #expect(try TFRecord.records(record, name: "ok").map { String(decoding: $0, as: UTF8.self) } == ["event", "second"])
        // A record cut short at the end is a writer still writing: the complete ones are read.
        #expect(try TFRecord.records(Array(record.dropLast(3)), name: "cut").count == 1)
        for index in [0, 9, 14, 19] {
            var damaged = record
            damaged[index] ^= 0x10
            #expect(throws: KerasError.self) { try TFRecord.records(damaged, name: "damaged") }
        }
    }

    @Test func invalidSettingsThrow() throws {
        let folder = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = Sequential([Dense(units: 1, inputDim: 1)])
        try model.compile(optimizer: "sgd", loss: "mse")
        let board = TensorBoard(logDir: folder.path, updateFreq: .batches(0))
        #expect(throws: KerasError.self) {
            try model.fit(Tensor(shape: [2, 1], scalars: [0, 1]), Tensor(shape: [2, 1], scalars: [0, 1]), verbose: 0, callbacks: [board])
        }
    }

    /// TensorBoard's own reader: every scalar with its step and value, the histograms and the text.
    @Test(.enabled(if: Python.checksEnabled, "set KERAS_PYTHON_TESTS=1 with tensorboard installed"))
    func tensorBoardReadsOurFiles() throws {
        let folder = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (history, _) = try Self.train(logDir: folder)
        let data = try Python.run(script: "Tools/tensorboard/read_events.py", [folder.path])

        struct Run: Decodable {
            var scalars: [String: [[Double]]]
            var histograms: [String: [[Double]]]
            struct Texts: Decodable { var steps: [Int], values: [String] }
            var texts: [String: Texts]
        }
        let runs = try JSONDecoder().decode([String: Run].self, from: data)
        let train = try #require(runs["train"]), validation = try #require(runs["validation"])
        print("TensorBoard's EventAccumulator read: train \(train.scalars.keys.sorted()), histograms \(train.histograms.keys.sorted()); validation \(validation.scalars.keys.sorted())")
        for name in ["loss", "accuracy"] {
            #expect(train.scalars["epoch_" + name]?.map { Int($0[0]) } == [0, 1, 2])
            #expect(train.scalars["epoch_" + name]?.map { Float($0[1]) } == history[name])
            #expect(validation.scalars["epoch_" + name]?.map { Int($0[0]) } == [0, 1, 2])
            #expect(validation.scalars["epoch_" + name]?.map { Float($0[1]) } == history["val_" + name])
            #expect(train.scalars["batch_" + name]?.map { Int($0[0]) } == [2, 4, 6, 8])
            print("  \(name): train \(train.scalars["epoch_" + name]!), validation \(validation.scalars["epoch_" + name]!)")
        }
        #expect(train.scalars["epoch_learning_rate"]?.map { Float($0[1]) } == [0.1, 0.1, 0.1])
        #expect(train.histograms.count == 4)
        #expect(train.histograms.values.allSatisfy { $0.map { Int($0[0]) } == [0, 1, 2] })
        #expect(train.texts["model_summary"]?.steps == [0])
        #expect(train.texts["model_summary"]?.values.first?.contains("Total params: 13") == true)
    }
}
