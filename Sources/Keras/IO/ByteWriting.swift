// Little-endian integers into byte buffers, for the formats we write (zip, HDF5, …).

extension Array where Element == UInt8 {
    /// Appends the low `byteCount` bytes of `value`, least significant first.
    mutating func appendLittleEndian(_ value: Int, byteCount: Int) {
        let bits = UInt64(bitPattern: Int64(value))
        for i in 0..<byteCount { append(UInt8(truncatingIfNeeded: bits >> (8 * UInt64(i)))) }
    }
}
