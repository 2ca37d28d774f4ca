// libFuzzer harness for the file readers of Sources/Keras/IO.
//
// Compiled by Tools/fuzz/run.sh into one module together with the KerasTensor sources (it is
// named KerasTensor, as they expect), Sources/Keras/KerasError.swift and Sources/Keras/IO/*.swift,
// so that the readers' internal byte-level entry points (`NumPy.decode`, `IDX.decode`,
// `Inflate.gzip`…) are callable here.
//
// The first input byte picks the reader (modulo the number of modes); the rest is its input.
// Modes 10 and 11 are the tar and pickle readers of the CIFAR archives.
// Mode 12 reads HDF5; files that read are also written and read back, which must give the same tree.
// A reader may return or throw `KerasError.invalidData` (CSV's column choice may also throw
// `invalidArgument`); any other error, a trap, a sanitizer report, a hang or a memory blow-up
// is a finding. Three modes wrap the fuzzer's bytes with valid checksums so that the fuzzer
// reaches past the CRC-32 checks of gzip and ZIP, and raw DEFLATE is checked against zlib.

import FuzzOracle
import Foundation

enum Mode: Int, CaseIterable {
    case npy, npz, idx, idxGzipWrapped, inflateRaw, gzip, zlib, csv, npzBuilt, gzipBuilt, tar, pickle, hdf5
}

/// Output limit of the harness's own inflations (the readers under test run with theirs).
let inflateLimit = 1 << 22

/// KERAS_FUZZ_MODE=<mode> (`tar`, `pickle`, …) fuzzes that reader only, whatever the first byte.
let pinnedMode = ProcessInfo.processInfo.environment["KERAS_FUZZ_MODE"].map { name in
    guard let mode = Mode.allCases.first(where: { "\($0)" == name }) else { fatalError("unknown KERAS_FUZZ_MODE \(name)") }
    return mode
}

/// KERAS_FUZZ_VERBOSE=1 prints each input's error (to check what seeds reach).
let verbose = ProcessInfo.processInfo.environment["KERAS_FUZZ_VERBOSE"] != nil

nonisolated(unsafe) var executions = [Int](repeating: 0, count: Mode.allCases.count)
nonisolated(unsafe) var lastReport = Date()
nonisolated(unsafe) var reportInstalled = false

/// A line on standard output, unbuffered.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

func report() {
    let parts = Mode.allCases.map { "\($0)=\(executions[$0.rawValue])" }
    FileHandle.standardError.write(Data("#keras-fuzz execs: \(parts.joined(separator: " "))\n".utf8))
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 1 else { return 0 }
    if !reportInstalled {
        reportInstalled = true
        atexit { report() }
    }
    let mode = pinnedMode ?? Mode(rawValue: Int(data[0]) % Mode.allCases.count)!
    executions[mode.rawValue] += 1
    if executions.reduce(0, +) & 0xFFF == 0, Date().timeIntervalSince(lastReport) > 60 {
        lastReport = Date()
        report()
    }
    let input = UnsafeRawBufferPointer(start: data + 1, count: size - 1)
    let csvOptions: UInt8 = size >= 2 ? data[1] : 0
    do {
        switch mode {
        case .npy:
            let array = try NumPy.decode(input, name: "fuzz.npy")
            check(array)
            if verbose { say("npy: ok \(digest(array))") }
        case .npz:
            for (_, array) in try NumPy.decodeArchive(input, name: "fuzz.npz") { check(array) }
        case .idx:
            check(try IDX.decode(input, name: "fuzz.idx"))
        case .idxGzipWrapped:
            try idxGzipWrapped(input)
        case .inflateRaw:
            try inflateAgainstZlib(input)
        case .gzip:
            _ = try Inflate.gzip(input, name: "fuzz.gz", limit: inflateLimit)
        case .zlib:
            _ = try Inflate.zlib(input, name: "fuzz.zlib", limit: inflateLimit)
        case .csv:
            try csv(UnsafeRawBufferPointer(rebasing: input.dropFirst()), options: csvOptions)
        case .npzBuilt:
            for (_, array) in try NumPy.decodeArchive(builtArchive(input), name: "built.npz") { check(array) }
        case .gzipBuilt:
            try gzipBuilt(input)
        case .tar:
            for entry in try TarArchive.entries(input, name: "fuzz.tar") {
                precondition(entry.data.lowerBound >= 512 && entry.data.upperBound <= input.count, "tar member data out of bounds")
            }
        case .pickle:
            check(try Pickle.load(input, name: "fuzz.pkl"))
        case .hdf5:
            try hdf5(input)
        }
        if verbose { say("\(mode): ok") }
    } catch let error as KerasError {
        if verbose { say("\(mode): \(error)") }
        switch error {
        case .invalidData: break
        case .invalidArgument where mode == .csv: break
        default: fatalError("\(mode): unexpected error kind: \(error)")
        }
    } catch {
        fatalError("\(mode): unexpected error type: \(error)")
    }
    return 0
}

/// Shape, type, order and an FNV-1a hash of the values' bits (NaNs as one): compared with
/// NumPy's reading of the corpus by Tools/fuzz/compare_numpy.py.
func digest(_ array: LoadedArray) -> String {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    array.tensor.withUnsafeBufferPointer { scalars in
        for scalar in scalars {
            hash = (hash ^ UInt64(scalar.isNaN ? 0x7FC0_0000 : scalar.bitPattern)) &* 0x100_0000_01B3
        }
    }
    let shape = array.tensor.shape.map(String.init).joined(separator: ",")
    return "shape=\(shape) type=\(array.scalarType.descr) fortran=\(array.isFortranOrder) hash=\(String(hash, radix: 16))"
}

/// What a successful unpickling must satisfy: arrays hold their shape's worth of data.
func check(_ value: Pickle.Value) {
    switch value {
    case .tuple(let items), .list(let items): items.forEach(check)
    case .dict(let entries): entries.forEach { check($0.key); check($0.value) }
    case .array(let array):
        let tensor = array.tensor
        precondition(tensor.count == tensor.shape.reduce(1, *), "pickled array of shape \(tensor.shape) holds \(tensor.count) scalars")
    default: break
    }
}

/// What a successful decode must satisfy.
func check(_ array: LoadedArray) {
    let count = array.tensor.shape.reduce(1, *)
    precondition(count == array.tensor.count, "tensor of shape \(array.tensor.shape) holds \(array.tensor.count) scalars")
}

// MARK: DEFLATE

/// The raw DEFLATE stream at the start of `input` decoded by the reader: (bytes, input bytes taken).
func inflateStream(_ input: UnsafeRawBufferPointer, limit: Int = inflateLimit) throws -> (bytes: [UInt8], consumed: Int) {
    let output = InflateOutput(expectedCount: min(input.count * 4, limit), limit: limit, name: "fuzz.deflate")
    let consumed = try Inflater.inflate(input, into: output)
    return (output.bytes(), consumed)
}

/// zlib's output buffer, allocated once.
nonisolated(unsafe) let zlibOutput = UnsafeMutablePointer<UInt8>.allocate(capacity: inflateLimit)

/// Differential check of the DEFLATE decoder against zlib: the same verdict, bytes and length.
func inflateAgainstZlib(_ input: UnsafeRawBufferPointer) throws {
    var produced = 0, consumed = 0
    let verdict = input.withMemoryRebound(to: UInt8.self) { bytes in
        keras_fuzz_zlib_inflate_raw(bytes.baseAddress, bytes.count, zlibOutput, inflateLimit, &produced, &consumed)
    }
    let reference = UnsafeBufferPointer(start: zlibOutput, count: produced)
    let ours: Result<(bytes: [UInt8], consumed: Int), Error> = Result { try inflateStream(input) }
    switch (verdict, ours) {
    case (0, .success(let result)):
        precondition(result.consumed == consumed, "zlib took \(consumed) input bytes, the reader \(result.consumed)")
        precondition(result.bytes.count == produced && result.bytes.elementsEqual(reference),
                     "zlib produced \(produced) bytes, the reader \(result.bytes.count), or different ones")
    case (0, .failure(let error)):
        fatalError("zlib decodes this stream (\(produced) bytes) but the reader fails: \(error)")
    case (1, .success(let result)):
        fatalError("zlib rejects this stream but the reader decodes it to \(result.bytes.count) bytes")
    default:
        break
    }
    // And the public entry point: the stream must be the whole input.
    _ = try Inflate.raw(Array(input), name: "fuzz.deflate", maxOutputBytes: inflateLimit)
}

// MARK: Wrapped with valid checksums

/// A gzip member around the DEFLATE stream `compressed` of `contents`, with the header fields `flags` asks for.
func gzipMember(_ compressed: UnsafeRawBufferPointer, contents: [UInt8], flags: UInt8) -> [UInt8] {
    let flags = flags & 0x1E
    var member: [UInt8] = [0x1F, 0x8B, 8, flags, 0, 0, 0, 0, 0, 3]
    if flags & 0x04 != 0 {
        let extra: [UInt8] = [0x41, 0x70, 2, 0, 1, 2]
        member.appendLittleEndian(extra.count, byteCount: 2)
        member += extra
    }
    if flags & 0x08 != 0 { member += Array("fuzz.idx".utf8) + [0] }
    if flags & 0x10 != 0 { member += Array("a comment".utf8) + [0] }
    if flags & 0x02 != 0 { member.appendLittleEndian(Int(CRC32.checksum(member) & 0xFFFF), byteCount: 2) }
    member += compressed
    member.appendLittleEndian(Int(CRC32.checksum(contents)), byteCount: 4)
    member.appendLittleEndian(contents.count & 0xFFFF_FFFF, byteCount: 4)
    return member
}

/// The input is a DEFLATE stream of an IDX file: gzip it validly and read it both ways.
func idxGzipWrapped(_ input: UnsafeRawBufferPointer) throws {
    guard let (contents, consumed) = try? inflateStream(input) else { return }
    let file = gzipMember(UnsafeRawBufferPointer(rebasing: input[..<consumed]), contents: contents, flags: 0x08)
    let plain = Result { try contents.withUnsafeBytes { try IDX.decodePlain($0, name: "fuzz.idx") } }
    let gzipped = Result { try file.withUnsafeBytes { try IDX.decode($0, name: "fuzz.idx") } }
    switch (plain, gzipped) {
    case (.success(let a), .success(let b)):
        precondition(a.tensor.shape == b.tensor.shape && a.scalarType == b.scalarType
                     && a.tensor.scalars.elementsEqual(b.tensor.scalars, by: { $0.bitPattern == $1.bitPattern }),
                     "gzipped IDX decodes differently")
        check(b)
    case (.failure, .failure):
        break
    default:
        fatalError("plain and gzipped IDX disagree: \(plain), \(gzipped)")
    }
    _ = try gzipped.get()
}

/// A little reader of the harness's own framing of the input.
struct Cursor {
    let bytes: UnsafeRawBufferPointer
    var position = 0
    var atEnd: Bool { position >= bytes.count }
    mutating func byte() -> UInt8 {
        defer { position += 1 }
        return position < bytes.count ? bytes[position] : 0
    }
    mutating func take(_ count: Int) -> UnsafeRawBufferPointer {
        let start = min(position, bytes.count), end = min(position + count, bytes.count)
        position = end
        return UnsafeRawBufferPointer(rebasing: bytes[start..<end])
    }
}

/// The input is a list of `[flags][length: u16][DEFLATE stream]` members: gzip them with valid
/// trailers, pad with zeros, and check that the gzip reader gives back their concatenation.
func gzipBuilt(_ input: UnsafeRawBufferPointer) throws {
    var cursor = Cursor(bytes: input)
    var file: [UInt8] = []
    var expected: [UInt8] = []
    var valid = true
    var lastFlags: UInt8 = 0
    repeat {
        let flags = cursor.byte()
        lastFlags = flags
        let length = Int(cursor.byte()) | Int(cursor.byte()) << 8
        let payload = cursor.take(length)
        if let (contents, consumed) = try? inflateStream(payload), expected.count + contents.count <= inflateLimit {
            file += gzipMember(UnsafeRawBufferPointer(rebasing: payload[..<consumed]), contents: contents, flags: flags)
            expected += contents
        } else {
            // Not a stream the reader takes: keep it, with a trailer of zeros, as a negative case.
            file += gzipMember(payload, contents: [], flags: flags)
            valid = false
        }
    } while !cursor.atEnd && file.count < 1 << 20
    file += [UInt8](repeating: 0, count: Int(lastFlags >> 6))
    let output = try file.withUnsafeBytes { try Inflate.gzip($0, name: "built.gz", limit: .max) }
    if valid {
        precondition(output.bytes() == expected, "gzip members decode to \(output.count) bytes, not their \(expected.count)")
    }
}

/// The input is a list of `[flags][name length][name][length: u16][payload]` members: a ZIP
/// archive with valid CRC-32s. Flags: 1 deflated (the payload is a DEFLATE stream), 2 add ".npy"
/// to the name, 4 ZIP64 extra field, 8 (first member) ZIP64 end records, 16 a directory entry.
func builtArchive(_ input: UnsafeRawBufferPointer) -> [UInt8] {
    var cursor = Cursor(bytes: input)
    var archive: [UInt8] = []
    var central: [UInt8] = []
    var count = 0
    var zip64End = false
    repeat {
        let flags = cursor.byte()
        if count == 0 { zip64End = flags & 8 != 0 }
        var name = Array(cursor.take(Int(cursor.byte()) & 0x1F))
        if flags & 16 != 0 { name += Array("/".utf8) }
        if flags & 2 != 0 { name += Array(".npy".utf8) }
        let length = Int(cursor.byte()) | Int(cursor.byte()) << 8
        let payload = cursor.take(length)
        var method = 0
        var stored = Array(payload)
        var contents = stored
        if flags & 1 != 0, let (inflated, consumed) = try? inflateStream(payload) {
            method = 8
            stored = Array(payload[..<consumed])
            contents = inflated
        }
        let crc = Int(CRC32.checksum(contents))
        let offset = archive.count
        let zip64 = flags & 4 != 0
        func common(_ buffer: inout [UInt8], sizes32: Bool) {
            buffer.appendLittleEndian(zip64 ? 45 : 20, byteCount: 2)
            buffer.appendLittleEndian(0, byteCount: 2)
            buffer.appendLittleEndian(method, byteCount: 2)
            buffer.appendLittleEndian(0, byteCount: 2)
            buffer.appendLittleEndian(0x21, byteCount: 2)
            buffer.appendLittleEndian(crc, byteCount: 4)
            buffer.appendLittleEndian(sizes32 ? stored.count : 0xFFFF_FFFF, byteCount: 4)
            buffer.appendLittleEndian(sizes32 ? contents.count : 0xFFFF_FFFF, byteCount: 4)
            buffer.appendLittleEndian(name.count, byteCount: 2)
        }
        archive += [0x50, 0x4B, 0x03, 0x04]
        common(&archive, sizes32: true)
        archive.appendLittleEndian(0, byteCount: 2)
        archive += name
        archive += stored
        central += [0x50, 0x4B, 0x01, 0x02]
        central.appendLittleEndian(3 << 8 | 20, byteCount: 2)
        common(&central, sizes32: !zip64)
        central.appendLittleEndian(zip64 ? 28 : 0, byteCount: 2)
        central.appendLittleEndian(0, byteCount: 2)
        central.appendLittleEndian(0, byteCount: 2)
        central.appendLittleEndian(0, byteCount: 2)
        central.appendLittleEndian(0, byteCount: 4)
        central.appendLittleEndian(zip64 ? 0xFFFF_FFFF : offset, byteCount: 4)
        central += name
        if zip64 {
            central.appendLittleEndian(1, byteCount: 2)
            central.appendLittleEndian(24, byteCount: 2)
            central.appendLittleEndian(contents.count, byteCount: 8)
            central.appendLittleEndian(stored.count, byteCount: 8)
            central.appendLittleEndian(offset, byteCount: 8)
        }
        count += 1
    } while !cursor.atEnd && count < 200
    let directoryOffset = archive.count
    archive += central
    if zip64End {
        let record = archive.count
        archive += [0x50, 0x4B, 0x06, 0x06]
        archive.appendLittleEndian(44, byteCount: 8)
        archive.appendLittleEndian(45, byteCount: 2)
        archive.appendLittleEndian(45, byteCount: 2)
        archive.appendLittleEndian(0, byteCount: 4)
        archive.appendLittleEndian(0, byteCount: 4)
        archive.appendLittleEndian(count, byteCount: 8)
        archive.appendLittleEndian(count, byteCount: 8)
        archive.appendLittleEndian(central.count, byteCount: 8)
        archive.appendLittleEndian(directoryOffset, byteCount: 8)
        archive += [0x50, 0x4B, 0x06, 0x07]
        archive.appendLittleEndian(0, byteCount: 4)
        archive.appendLittleEndian(record, byteCount: 8)
        archive.appendLittleEndian(1, byteCount: 4)
    }
    archive += [0x50, 0x4B, 0x05, 0x06]
    archive.appendLittleEndian(0, byteCount: 2)
    archive.appendLittleEndian(0, byteCount: 2)
    archive.appendLittleEndian(zip64End ? 0xFFFF : count, byteCount: 2)
    archive.appendLittleEndian(zip64End ? 0xFFFF : count, byteCount: 2)
    archive.appendLittleEndian(zip64End ? 0xFFFF_FFFF : central.count, byteCount: 4)
    archive.appendLittleEndian(zip64End ? 0xFFFF_FFFF : directoryOffset, byteCount: 4)
    archive.appendLittleEndian(0, byteCount: 2)
    return archive
}

extension NumPy {
    static func decodeArchive(_ archive: [UInt8], name: String) throws -> [String: LoadedArray] {
        try archive.withUnsafeBytes { try decodeArchive($0, name: name) }
    }
}

// MARK: HDF5

/// Reads the input as an HDF5 file; what reads must write, and read back the same (by name).
func hdf5(_ input: UnsafeRawBufferPointer) throws {
    let tree = try HDF5File.decode(Array(input), name: "fuzz.h5")
    let bytes: [UInt8]
    do {
        bytes = try HDF5File.encode(tree)
    } catch KerasError.invalidData {
        return  // A tree HDF5 cannot hold (repeated or invalid names): the writer refuses it.
    }
    let again = try HDF5File.decode(bytes, name: "rewritten.h5")
    precondition(again == HDF5Group.sortedByName(tree), "a tree read from the input reads back differently once written")
}

// MARK: CSV

/// Reads the input as CSV with the options the option byte picks: bits 0–2 the delimiter, 3 a
/// header row, 4–5 rows to skip, 6 no comments, 7 a column selection.
func csv(_ text: UnsafeRawBufferPointer, options: UInt8) throws {
    let delimiters: [Character?] = [",", ";", "\t", " ", "|", nil, ",", ","]
    let hasHeader = options & 8 != 0
    var columns: [CSV.Column]? = nil
    if options & 0x80 != 0 { columns = hasHeader ? [0, -1, "a"] : [0, -1, 2] }
    let parsed = try CSV.Options(delimiter: delimiters[Int(options & 7)], comment: options & 0x40 != 0 ? nil : "#",
                                 skipRows: Int(options >> 4) & 3)
    let table = try CSV.decode(text, name: "fuzz.csv", options: parsed, hasHeader: hasHeader, columns: columns)
    precondition(table.values.rank == 2 && table.values.shape[1] == table.columnNames.count, "bad CSV table shape")
}
