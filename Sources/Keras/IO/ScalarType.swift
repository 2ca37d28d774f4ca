// The element types that array files store, and their conversion to Float32.

/// The element type an array file stores, in NumPy's terms (`np.dtype.str` and `np.dtype.name`).
///
/// Loaders convert every type to `Float`: integers and doubles are rounded to the nearest
/// `Float` (as `astype(np.float32)` does), so integers beyond 2^24 lose precision.
public struct ScalarType: Hashable, Sendable, CustomStringConvertible {
    /// The family of the type.
    public enum Kind: String, Sendable {
        case bool, signedInteger, unsignedInteger, float
    }

    /// The byte order of the stored values.
    public enum ByteOrder: Sendable {
        case littleEndian, bigEndian
        /// One-byte types, NumPy's `|`.
        case notApplicable
    }

    public let kind: Kind
    /// Bytes per value.
    public let byteCount: Int
    public let byteOrder: ByteOrder

    public init(kind: Kind, byteCount: Int, byteOrder: ByteOrder) {
        self.kind = kind
        self.byteCount = byteCount
        self.byteOrder = byteCount == 1 ? .notApplicable : byteOrder
    }

    public static let bool = ScalarType(kind: .bool, byteCount: 1, byteOrder: .notApplicable)
    public static let uint8 = ScalarType(kind: .unsignedInteger, byteCount: 1, byteOrder: .notApplicable)
    public static let int8 = ScalarType(kind: .signedInteger, byteCount: 1, byteOrder: .notApplicable)
    public static let float32 = ScalarType(kind: .float, byteCount: 4, byteOrder: .littleEndian)
    public static let float64 = ScalarType(kind: .float, byteCount: 8, byteOrder: .littleEndian)

    /// NumPy's type string: `<f4`, `|u1`, `>i2`, `|b1`.
    public var descr: String {
        let order = byteOrder == .littleEndian ? "<" : byteOrder == .bigEndian ? ">" : "|"
        let code = kind == .bool ? "b" : kind == .signedInteger ? "i" : kind == .unsignedInteger ? "u" : "f"
        return order + code + String(byteCount)
    }

    /// NumPy's type name: `float32`, `uint8`, `int64`, `bool`.
    public var name: String {
        switch kind {
        case .bool: return "bool"
        case .signedInteger: return "int\(byteCount * 8)"
        case .unsignedInteger: return "uint\(byteCount * 8)"
        case .float: return "float\(byteCount * 8)"
        }
    }

    public var description: String { descr }

    /// Parses a NumPy type string such as `<f4`, `|u1`, `>i8`, `|b1` or `=f8`; nil for types
    /// that cannot become `Float` (complex, strings, objects, dates, structures, `<f16`).
    init?(descr: String) {
        let characters = Array(descr.utf8)
        guard characters.count >= 3 else { return nil }
        var order: ByteOrder
        switch characters[0] {
        case UInt8(ascii: "<"): order = .littleEndian
        case UInt8(ascii: ">"): order = .bigEndian
        case UInt8(ascii: "|"): order = .notApplicable
        case UInt8(ascii: "="):
            #if _endian(big)
            order = .bigEndian
            #else
            order = .littleEndian
            #endif
        default: return nil
        }
        guard let size = Int(String(decoding: characters[2...], as: UTF8.self)) else { return nil }
        let kind: Kind
        switch characters[1] {
        case UInt8(ascii: "b"): kind = .bool
        case UInt8(ascii: "i"): kind = .signedInteger
        case UInt8(ascii: "u"): kind = .unsignedInteger
        case UInt8(ascii: "f"): kind = .float
        default: return nil
        }
        switch kind {
        case .bool: guard size == 1 else { return nil }
        case .signedInteger, .unsignedInteger: guard [1, 2, 4, 8].contains(size) else { return nil }
        case .float: guard [2, 4, 8].contains(size) else { return nil }
        }
        // `|` is only meaningful for one-byte types.
        if size > 1 && order == .notApplicable { return nil }
        self.init(kind: kind, byteCount: size, byteOrder: order)
    }

    private var isSwapped: Bool {
        #if _endian(big)
        return byteOrder == .littleEndian
        #else
        return byteOrder == .bigEndian
        #endif
    }

    /// Converts `count` values stored at `source` to `Float`.
    func convert(_ source: UnsafeRawPointer, count: Int, to destination: UnsafeMutablePointer<Float>) {
        let swapped = isSwapped
        @inline(__always)
        func integers<T: FixedWidthInteger>(_ type: T.Type) {
            for i in 0..<count {
                let raw = source.loadUnaligned(fromByteOffset: i * MemoryLayout<T>.size, as: T.self)
                destination[i] = Float(swapped ? raw.byteSwapped : raw)
            }
        }
        switch (kind, byteCount) {
        case (.bool, _):
            let bytes = source.assumingMemoryBound(to: UInt8.self)
            for i in 0..<count { destination[i] = bytes[i] == 0 ? 0 : 1 }
        case (.unsignedInteger, 1):
            let bytes = source.assumingMemoryBound(to: UInt8.self)
            for i in 0..<count { destination[i] = Float(bytes[i]) }
        case (.signedInteger, 1): integers(Int8.self)
        case (.unsignedInteger, 2): integers(UInt16.self)
        case (.signedInteger, 2): integers(Int16.self)
        case (.unsignedInteger, 4): integers(UInt32.self)
        case (.signedInteger, 4): integers(Int32.self)
        case (.unsignedInteger, 8): integers(UInt64.self)
        case (.signedInteger, 8): integers(Int64.self)
        case (.float, 2):
            for i in 0..<count {
                let raw = source.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self)
                destination[i] = ScalarType.halfToFloat(swapped ? raw.byteSwapped : raw)
            }
        case (.float, 4):
            if swapped {
                for i in 0..<count {
                    destination[i] = Float(bitPattern: source.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self).byteSwapped)
                }
            } else if count > 0 {
                UnsafeMutableRawPointer(destination).copyMemory(from: source, byteCount: count * 4)
            }
        case (.float, 8):
            for i in 0..<count {
                let raw = source.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)
                destination[i] = Float(Double(bitPattern: swapped ? raw.byteSwapped : raw))
            }
        default:
            preconditionFailure("ScalarType.convert: unsupported type \(descr)")
        }
    }

    /// IEEE 754 half precision to single precision, exactly (NaN payloads kept).
    static func halfToFloat(_ half: UInt16) -> Float {
        let sign = UInt32(half & 0x8000) << 16
        let exponent = Int(half >> 10) & 0x1F
        var mantissa = UInt32(half & 0x3FF)
        switch exponent {
        case 0:
            if mantissa == 0 { return Float(bitPattern: sign) }
            // Subnormal half: normalise.
            var e = -1
            repeat {
                mantissa <<= 1
                e += 1
            } while mantissa & 0x400 == 0
            mantissa &= 0x3FF
            return Float(bitPattern: sign | UInt32(127 - 15 - e) << 23 | mantissa << 13)
        case 0x1F:
            return Float(bitPattern: sign | 0x7F80_0000 | mantissa << 13)
        default:
            return Float(bitPattern: sign | UInt32(exponent - 15 + 127) << 23 | mantissa << 13)
        }
    }
}

/// An array read from a file: its values as a `Float` tensor and the type they were stored as.
public struct LoadedArray: Sendable {
    /// The values, converted to `Float`, in row-major (C) order whatever the file's order.
    public var tensor: Tensor
    /// The type the file stored.
    public var scalarType: ScalarType
    /// Whether the file stored the values in column-major (Fortran) order.
    public var isFortranOrder: Bool

    public init(tensor: Tensor, scalarType: ScalarType, isFortranOrder: Bool = false) {
        self.tensor = tensor
        self.scalarType = scalarType
        self.isFortranOrder = isFortranOrder
    }
}
