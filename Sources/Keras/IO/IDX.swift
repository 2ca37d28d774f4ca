// The IDX format of MNIST and Fashion-MNIST, plain or gzip-compressed.

import Foundation

/// Reading IDX files, the format of MNIST and Fashion-MNIST (`train-images-idx3-ubyte.gz`…).
///
/// An IDX file is two zero bytes, a type code, the number of dimensions, each dimension as a
/// big-endian 32-bit integer, then the values, big-endian. All six types are read: unsigned
/// byte (0x08), signed byte (0x09), 16-bit (0x0B) and 32-bit (0x0C) integers, 32-bit (0x0D)
/// and 64-bit (0x0E) floats. Gzip-compressed files are recognised by their magic number.
/// The values must fill the file exactly; anything else throws `KerasError.invalidData`.
public enum IDX {
    /// The array in the IDX file at `url` (plain or gzip), as `Float`.
    public static func load(_ url: URL) throws -> Tensor {
        try loadArray(url).tensor
    }

    /// The array in the IDX file at `path`.
    public static func load(_ path: String) throws -> Tensor {
        try load(URL(fileURLWithPath: path))
    }

    /// The array in the IDX file at `url` with the type the file stored (`|u1`, `>i2`, `>f4`…).
    public static func loadArray(_ url: URL) throws -> LoadedArray {
        let bytes = try FileIO.read(url)
        return try bytes.withUnsafeBytes { try decode($0, name: url.path) }
    }

    /// The IDX type codes and the types they stand for.
    static let types: [UInt8: ScalarType] = [
        0x08: .uint8,
        0x09: .int8,
        0x0B: ScalarType(kind: .signedInteger, byteCount: 2, byteOrder: .bigEndian),
        0x0C: ScalarType(kind: .signedInteger, byteCount: 4, byteOrder: .bigEndian),
        0x0D: ScalarType(kind: .float, byteCount: 4, byteOrder: .bigEndian),
        0x0E: ScalarType(kind: .float, byteCount: 8, byteOrder: .bigEndian),
    ]

    /// Decodes an IDX file, decompressing it first when it is gzip.
    static func decode(_ bytes: UnsafeRawBufferPointer, name: String) throws -> LoadedArray {
        if Inflate.isGzip(bytes) {
            let output = try Inflate.gzip(bytes, name: name, limit: .max)
            return try decodePlain(UnsafeRawBufferPointer(start: output.base, count: output.count), name: name)
        }
        return try decodePlain(bytes, name: name)
    }

    static func decodePlain(_ bytes: UnsafeRawBufferPointer, name: String) throws -> LoadedArray {
        func fail(_ problem: String) -> KerasError { KerasError.invalidData("\(name): \(problem)") }
        guard bytes.count >= 4 else { throw fail("too short to be an IDX file (\(bytes.count) bytes)") }
        guard bytes[0] == 0, bytes[1] == 0 else { throw fail("not an IDX file (bad magic number)") }
        guard let type = types[bytes[2]] else {
            throw fail("unknown IDX type code 0x\(String(bytes[2], radix: 16)) (expected 08, 09, 0B, 0C, 0D or 0E)")
        }
        let rank = Int(bytes[3])
        let dataStart = 4 + 4 * rank
        guard bytes.count >= dataStart else { throw fail("truncated header: \(rank) dimensions need \(dataStart) bytes") }
        let shape = (0..<rank).map { axis -> Int in
            let p = 4 + 4 * axis
            return Int(bytes[p]) << 24 | Int(bytes[p + 1]) << 16 | Int(bytes[p + 2]) << 8 | Int(bytes[p + 3])
        }
        let available = bytes.count - dataStart
        guard let count = ArrayIO.elementCount(shape) else {
            throw fail("shape \(ArrayIO.pythonShape(shape)) has too many elements")
        }
        let (byteCount, overflow) = count.multipliedReportingOverflow(by: type.byteCount)
        guard !overflow, byteCount <= available else {
            throw fail("truncated: shape \(ArrayIO.pythonShape(shape)) of \(type.name) needs "
                        + (overflow ? "more bytes than can exist" : "\(byteCount) bytes") + ", the file has \(available)")
        }
        guard byteCount == available else {
            throw fail("\(available - byteCount) unexpected bytes after the data of shape \(ArrayIO.pythonShape(shape))")
        }
        let data = bytes.baseAddress! + dataStart
        let tensor = ArrayIO.makeTensor(shape: shape) { destination, n in type.convert(data, count: n, to: destination) }
        return LoadedArray(tensor: tensor, scalarType: type)
    }
}
