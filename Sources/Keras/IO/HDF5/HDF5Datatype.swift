// Datatype and dataspace messages: what one element is and how many there are.

/// An element type as far as Keras' files need them.
struct HDF5Datatype: Equatable {
    enum Kind: Equatable {
        /// Fixed-point or IEEE floating-point numbers of either byte order.
        case number(ScalarType)
        /// An enum of a one-byte integer with members FALSE = 0 and TRUE = 1 (numpy's bool in h5py).
        case bool
        /// Fixed-length strings; `spacePadded` for Fortran-style padding.
        case fixedString(spacePadded: Bool)
        /// Variable-length strings in the global heap.
        case variableString
        /// Anything else (compound, reference, array, opaque, …), named for error messages.
        case unsupported(String)
    }

    var kind: Kind
    /// Bytes per element in the file.
    var size: Int

    /// The array element type of numbers and bools; nil for strings and unsupported types.
    var scalarType: ScalarType? {
        switch kind {
        case .number(let type): return type
        case .bool: return .bool
        default: return nil
        }
    }

    var description: String {
        switch kind {
        case .number(let type): return type.name
        case .bool: return "bool"
        case .fixedString: return "fixed-length string"
        case .variableString: return "variable-length string"
        case .unsupported(let name): return name
        }
    }

    /// Decodes a datatype message.
    init(_ c: inout HDF5Cursor, depth: Int = 0) throws {
        guard depth < 8 else { throw c.fail("datatype nested too deeply") }
        let classAndVersion = try c.u8()
        let typeClass = classAndVersion & 0x0F
        let version = classAndVersion >> 4
        let bits = [try c.u8(), try c.u8(), try c.u8()]
        size = try c.u32()
        guard version >= 1 && version <= 5 else { throw c.fail("unsupported datatype version \(version)") }
        guard size > 0 else { throw c.fail("datatype of size 0") }
        switch typeClass {
        case 0, 1:  // Fixed point, floating point.
            guard bits[0] & 0x40 == 0 || typeClass == 0 else {
                kind = .unsupported("VAX-order float")
                return
            }
            let order: ScalarType.ByteOrder = bits[0] & 1 == 0 ? .littleEndian : .bigEndian
            if typeClass == 0 {
                _ = try c.u16()  // Bit offset.
                _ = try c.u16()  // Precision.
                let signed = bits[0] & 0x08 != 0
                guard [1, 2, 4, 8].contains(size) else {
                    kind = .unsupported("\(size)-byte integer")
                    return
                }
                kind = .number(ScalarType(kind: signed ? .signedInteger : .unsignedInteger, byteCount: size, byteOrder: order))
            } else {
                try c.skip(12)  // Bit offset, precision, exponent and mantissa positions, bias.
                guard [2, 4, 8].contains(size) else {
                    kind = .unsupported("\(size)-byte float")
                    return
                }
                kind = .number(ScalarType(kind: .float, byteCount: size, byteOrder: order))
            }
        case 3:
            kind = .fixedString(spacePadded: bits[0] & 0x0F == 2)
        case 8:  // Enum: bool when it is {FALSE: 0, TRUE: 1} over a one-byte integer.
            let count = bits[0] | bits[1] << 8
            let base = try HDF5Datatype(&c, depth: depth + 1)
            guard case .number(let baseType) = base.kind, baseType.kind != .float, base.size == size else {
                kind = .unsupported("enum")
                return
            }
            var names: [String] = []
            for _ in 0..<count {
                let start = c.position
                names.append(try c.cString())
                if version < 3 { try c.align(8, from: start) }
            }
            var values: [UInt64] = []
            for _ in 0..<count { values.append(try c.unsigned(size)) }
            if size == 1 && count == 2 && Set(zip(names, values).map { "\($0)=\($1)" }) == ["FALSE=0", "TRUE=1"] {
                kind = .bool
            } else {
                kind = .number(baseType)
            }
        case 9:  // Variable length: strings only.
            _ = try HDF5Datatype(&c, depth: depth + 1)
            kind = bits[0] & 0x0F == 1 ? .variableString : .unsupported("variable-length sequence")
        default:
            let names = [2: "time", 4: "bitfield", 5: "opaque", 6: "compound", 7: "reference", 10: "array", 11: "complex"]
            kind = .unsupported(names[typeClass] ?? "datatype class \(typeClass)")
        }
    }
}

/// A dataspace message: the dimensions, `[]` for a scalar, nil for a null dataspace (no elements).
enum HDF5Dataspace {
    static let maxRank = 32

    static func decode(_ c: inout HDF5Cursor) throws -> [Int]? {
        let version = try c.u8()
        let rank = try c.u8()
        let flags = try c.u8()
        var isNull = false
        switch version {
        case 1:
            try c.skip(5)
        case 2:
            let type = try c.u8()
            guard type <= 2 else { throw c.fail("unknown dataspace type \(type)") }
            isNull = type == 2
        default:
            throw c.fail("unsupported dataspace version \(version)")
        }
        guard rank <= maxRank else { throw c.fail("dataspace of rank \(rank) (at most \(maxRank))") }
        var dims: [Int] = []
        for _ in 0..<rank { dims.append(try c.length("dimension")) }
        _ = flags
        return isNull ? nil : dims
    }
}
