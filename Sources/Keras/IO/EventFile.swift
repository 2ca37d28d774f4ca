// TensorBoard event files: TFRecord framing around `Event` protocol buffers, written by hand.
//
// A record is: length (UInt64 LE), masked CRC-32C of the length, the data, masked CRC-32C of the data.
// The messages (tensorflow/core/util/event.proto, framework/summary.proto):
//   Event   { double wall_time = 1; int64 step = 2; string file_version = 3; Summary summary = 5; }
//   Summary { repeated Value value = 1; }
//   Value   { string tag = 1; float simple_value = 2; HistogramProto histo = 5; TensorProto tensor = 8;
//             SummaryMetadata metadata = 9; }
//   HistogramProto { double min = 1, max = 2, num = 3, sum = 4, sum_squares = 5;
//                    repeated double bucket_limit = 6 [packed]; repeated double bucket = 7 [packed]; }
//   SummaryMetadata { PluginData plugin_data = 1; }  PluginData { string plugin_name = 1; }
//   TensorProto { DataType dtype = 1; TensorShapeProto tensor_shape = 2; repeated bytes string_val = 8; }

import Foundation

/// The protocol-buffer wire format, as far as event messages need it.
struct ProtobufWriter {
    var bytes: [UInt8] = []

    mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    mutating func key(_ field: Int, _ wireType: Int) { varint(UInt64(field << 3 | wireType)) }

    mutating func int64(_ field: Int, _ value: Int64) {
        key(field, 0)
        varint(UInt64(bitPattern: value))
    }

    mutating func double(_ field: Int, _ value: Double) {
        key(field, 1)
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 }
    }

    mutating func float(_ field: Int, _ value: Float) {
        key(field, 5)
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 }
    }

    mutating func bytes(_ field: Int, _ value: [UInt8]) {
        key(field, 2)
        varint(UInt64(value.count))
        bytes += value
    }

    mutating func string(_ field: Int, _ value: String) { bytes(field, Array(value.utf8)) }

    mutating func message(_ field: Int, _ body: (inout ProtobufWriter) -> Void) {
        var inner = ProtobufWriter()
        body(&inner)
        bytes(field, inner.bytes)
    }

    mutating func packedDoubles(_ field: Int, _ values: [Double]) {
        var inner = ProtobufWriter()
        for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { inner.bytes += $0 } }
        bytes(field, inner.bytes)
    }
}

/// TFRecord framing: each record's length and data guarded by masked CRC-32C checksums.
enum TFRecord {
    /// The framed bytes of one record.
    static func frame(_ data: [UInt8]) -> [UInt8] {
        var length: [UInt8] = []
        withUnsafeBytes(of: UInt64(data.count).littleEndian) { length += $0 }
        var record = length
        withUnsafeBytes(of: CRC32C.masked(length).littleEndian) { record += $0 }
        record += data
        withUnsafeBytes(of: CRC32C.masked(data).littleEndian) { record += $0 }
        return record
    }

    /// The records of a TFRecord file, every checksum verified; `name` names the file in errors.
    /// A record cut short at the end (a writer still running) ends the list without an error.
    static func records(_ bytes: [UInt8], name: String) throws -> [[UInt8]] {
        var records: [[UInt8]] = []
        var offset = 0
        func u32(_ at: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(bytes[at + $1]) << (8 * $1) } }
        while bytes.count - offset >= 12 {
            let lengthBytes = Array(bytes[offset..<(offset + 8)])
            guard u32(offset + 8) == CRC32C.masked(lengthBytes) else {
                throw KerasError.invalidData("\(name): length checksum mismatch in the record at byte \(offset)")
            }
            let length = (0..<8).reduce(UInt64(0)) { $0 | UInt64(lengthBytes[$1]) << (8 * UInt64($1)) }
            guard length <= UInt64(bytes.count - offset - 16) else { break }
            let data = Array(bytes[(offset + 12)..<(offset + 12 + Int(length))])
            guard u32(offset + 12 + Int(length)) == CRC32C.masked(data) else {
                throw KerasError.invalidData("\(name): data checksum mismatch in the record at byte \(offset)")
            }
            records.append(data)
            offset += 16 + Int(length)
        }
        return records
    }
}

/// One TensorBoard event file (`events.out.tfevents.<time>.<host>.<pid>.<n>.v2`) in a folder.
///
/// Events are appended, not written atomically: an event file is a log that TensorBoard reads
/// while training runs, and a reader skips a record cut short at its end. `flush` writes the
/// buffered records with one `write` call each time.
final class EventFileWriter {
    let url: URL
    private let fd: Int32
    private var pending: [UInt8] = []
    private nonisolated(unsafe) static var counter = 0
    private static let counterLock = NSLock()

    /// Creates the folder if needed and a new event file in it, starting with the file version event.
    init(folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let number = EventFileWriter.counterLock.withLock {
            EventFileWriter.counter += 1
            return EventFileWriter.counter
        }
        let host = ProcessInfo.processInfo.hostName.replacingOccurrences(of: "/", with: "_")
        let name = "events.out.tfevents.\(Int(Date().timeIntervalSince1970)).\(host).\(getpid()).\(number).v2"
        url = folder.appendingPathComponent(name)
        fd = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw KerasError.invalidArgument(name: "logDir", value: folder.path,
                                             expected: "a writable folder (\(String(cString: strerror(errno))))")
        }
        append(step: 0) { $0.string(3, "brain.Event:2") }
        try flush()
    }

    deinit { close(fd) }

    /// Adds an event at `step` whose remaining fields `body` writes.
    private func append(step: Int, _ body: (inout ProtobufWriter) -> Void) {
        var event = ProtobufWriter()
        event.double(1, Date().timeIntervalSince1970)
        event.int64(2, Int64(step))
        body(&event)
        pending += TFRecord.frame(event.bytes)
    }

    /// A scalar summary (`simple_value`).
    func scalar(_ tag: String, _ value: Float, step: Int) {
        append(step: step) { event in
            event.message(5) { summary in
                summary.message(1) { entry in
                    entry.string(1, tag)
                    entry.float(2, value)
                }
            }
        }
    }

    /// A histogram summary of `values` in `bucketCount` equal buckets between their minimum and maximum.
    func histogram(_ tag: String, _ values: [Float], step: Int, bucketCount: Int = 30) {
        guard let low = values.min().map(Double.init), let high = values.max().map(Double.init) else { return }
        let width = (high - low) / Double(bucketCount)
        var limits = (1...bucketCount).map { low + width * Double($0) }
        limits[bucketCount - 1] = high
        var counts = [Double](repeating: 0, count: bucketCount)
        var sum = 0.0, squares = 0.0
        for value in values {
            let v = Double(value)
            sum += v
            squares += v * v
            counts[width > 0 ? min(Int((v - low) / width), bucketCount - 1) : bucketCount - 1] += 1
        }
        if width == 0 { (limits, counts) = ([high], [Double(values.count)]) }
        append(step: step) { event in
            event.message(5) { summary in
                summary.message(1) { value in
                    value.string(1, tag)
                    value.message(5) { histogram in
                        histogram.double(1, low)
                        histogram.double(2, high)
                        histogram.double(3, Double(values.count))
                        histogram.double(4, sum)
                        histogram.double(5, squares)
                        histogram.packedDoubles(6, limits)
                        histogram.packedDoubles(7, counts)
                    }
                }
            }
        }
    }

    /// A text summary (TensorBoard's text plugin renders it as Markdown).
    func text(_ tag: String, _ text: String, step: Int) {
        append(step: step) { event in
            event.message(5) { summary in
                summary.message(1) { value in
                    value.string(1, tag)
                    value.message(9) { metadata in metadata.message(1) { plugin in plugin.string(1, "text") } }
                    value.message(8) { tensor in
                        tensor.int64(1, 7)  // DT_STRING
                        tensor.message(2) { _ in }  // a scalar: no dimensions
                        tensor.string(8, text)
                    }
                }
            }
        }
    }

    /// Writes the buffered events to the file.
    func flush() throws {
        guard !pending.isEmpty else { return }
        var done = 0
        try pending.withUnsafeBytes { buffer in
            while done < buffer.count {
                let n = write(fd, buffer.baseAddress! + done, buffer.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw KerasError.invalidArgument(name: "logDir", value: url.path,
                                                     expected: "a writable location (\(String(cString: strerror(errno))))")
                }
                done += n
            }
        }
        pending.removeAll(keepingCapacity: true)
    }
}
