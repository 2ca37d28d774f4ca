// CRC-32 (gzip, ZIP) and Adler-32 (zlib): the checksums that guard compressed data; SHA-256
// and MD5: the hashes Keras records for its downloads.

import Foundation

/// CRC-32 with the reflected polynomial 0xEDB88320, as gzip and ZIP use it; slicing-by-8.
enum CRC32 {
    /// Eight 256-entry tables: `tables[k * 256 + b]` is the CRC of byte `b` followed by `k` zero bytes.
    static let tables: [UInt32] = {
        var tables = [UInt32](repeating: 0, count: 8 * 256)
        for byte in 0..<256 {
            var crc = UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
            tables[byte] = crc
        }
        for k in 1..<8 {
            for byte in 0..<256 {
                let previous = tables[(k - 1) * 256 + byte]
                tables[k * 256 + byte] = (previous >> 8) ^ tables[Int(previous & 0xFF)]
            }
        }
        return tables
    }()

    /// The CRC of `bytes` continued from `crc` (0 to start).
    static func update(_ crc: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        guard var p = bytes.baseAddress, bytes.count > 0 else { return crc }
        var remaining = bytes.count
        var c = ~crc
        tables.withUnsafeBufferPointer { table in
            let t = table.baseAddress!
            while remaining >= 8 {
                let one = UInt32(littleEndian: p.loadUnaligned(as: UInt32.self)) ^ c
                let two = UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
                c = t[7 * 256 + Int(one & 0xFF)] ^ t[6 * 256 + Int((one >> 8) & 0xFF)]
                    ^ t[5 * 256 + Int((one >> 16) & 0xFF)] ^ t[4 * 256 + Int(one >> 24)]
                    ^ t[3 * 256 + Int(two & 0xFF)] ^ t[2 * 256 + Int((two >> 8) & 0xFF)]
                    ^ t[1 * 256 + Int((two >> 16) & 0xFF)] ^ t[Int(two >> 24)]
                p += 8
                remaining -= 8
            }
            while remaining > 0 {
                c = (c >> 8) ^ t[Int((c ^ UInt32(p.load(as: UInt8.self))) & 0xFF)]
                p += 1
                remaining -= 1
            }
        }
        return ~c
    }

    /// The CRC of `bytes`.
    static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 { update(0, bytes) }

    /// The CRC of `bytes`.
    static func checksum(_ bytes: [UInt8]) -> UInt32 { bytes.withUnsafeBytes { update(0, $0) } }
}

/// Adler-32, the checksum of the zlib wrapper.
enum Adler32 {
    /// The Adler-32 of `bytes` continued from `adler` (1 to start).
    static func update(_ adler: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        let modulus: UInt32 = 65521
        var a = adler & 0xFFFF, b = adler >> 16
        var offset = 0
        while offset < bytes.count {
            // 5552 is the most bytes that cannot overflow 32 bits before the reduction.
            let end = min(offset + 5552, bytes.count)
            for i in offset..<end {
                a &+= UInt32(bytes[i])
                b &+= a
            }
            a %= modulus
            b %= modulus
            offset = end
        }
        return b << 16 | a
    }
}

/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of TFRecord files.
enum CRC32C {
    static let table: [UInt32] = (0..<256).map { byte in
        var crc = UInt32(byte)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
        return crc
    }

    /// The CRC-32C of `bytes`.
    static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var c = ~UInt32(0)
        table.withUnsafeBufferPointer { t in
            for byte in bytes { c = (c >> 8) ^ t[Int((c ^ UInt32(byte)) & 0xFF)] }
        }
        return ~c
    }

    /// The CRC-32C of `bytes`.
    static func checksum(_ bytes: [UInt8]) -> UInt32 { bytes.withUnsafeBytes { checksum($0) } }

    /// TFRecord's masked CRC: rotated right by 15 bits plus a constant, so that a CRC stored
    /// inside checksummed data does not checksum to a fixed value.
    static func masked(_ bytes: [UInt8]) -> UInt32 {
        let crc = checksum(bytes)
        return ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8
    }
}

/// SHA-256 (FIPS 180-4), the digest Keras records for its downloads (`get_file(file_hash=…)`).
///
/// ```swift
/// var hash = SHA256()
/// hash.update(bytes)
/// hash.hexDigest  // "e3b0c442…" for no bytes, as `hashlib.sha256().hexdigest()`
/// ```
struct SHA256: BlockHash {
    private static let k: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]

    private var state: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) =
        (0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19)
    /// The bytes of an unfinished block.
    var pending: [UInt8] = []
    var length: UInt64 = 0

    init() { pending.reserveCapacity(64) }


    /// The 32-byte digest of the message so far.
    var digest: [UInt8] {
        var copy = self
        let bits = length &* 8
        var tail: [UInt8] = [0x80] + [UInt8](repeating: 0, count: (119 - pending.count) % 64)
        tail += (0..<8).reversed().map { UInt8(truncatingIfNeeded: bits >> (8 * UInt64($0))) }
        copy.update(tail)
        let s = copy.state
        return [s.0, s.1, s.2, s.3, s.4, s.5, s.6, s.7].flatMap { word in (0..<4).reversed().map { UInt8(truncatingIfNeeded: word >> (8 * $0)) } }
    }

    /// The digest in lowercase hexadecimal, as `hashlib`'s `hexdigest()` and `sha256sum` print it.
    var hexDigest: String {
        digest.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    /// The SHA-256 of `bytes` in hexadecimal.
    static func hexDigest(_ bytes: UnsafeRawBufferPointer) -> String {
        var hash = SHA256()
        hash.update(bytes)
        return hash.hexDigest
    }

    /// Processes one 64-byte block.
    mutating func compress(_ block: UnsafeRawPointer) {
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
            for i in 0..<16 { w[i] = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)) }
            for i in 16..<64 {
                let a = w[i - 15], b = w[i - 2]
                let s0 = a.rotatedRight(7) ^ a.rotatedRight(18) ^ (a >> 3)
                let s1 = b.rotatedRight(17) ^ b.rotatedRight(19) ^ (b >> 10)
                w[i] = w[i - 16] &+ s0 &+ w[i - 7] &+ s1
            }
            var (a, b, c, d, e, f, g, h) = state
            Self.k.withUnsafeBufferPointer { k in
                for i in 0..<64 {
                    let s1 = e.rotatedRight(6) ^ e.rotatedRight(11) ^ e.rotatedRight(25)
                    let choice = (e & f) ^ (~e & g)
                    let t1 = h &+ s1 &+ choice &+ k[i] &+ w[i]
                    let s0 = a.rotatedRight(2) ^ a.rotatedRight(13) ^ a.rotatedRight(22)
                    let majority = (a & b) ^ (a & c) ^ (b & c)
                    let t2 = s0 &+ majority
                    h = g; g = f; f = e; e = d &+ t1
                    d = c; c = b; b = a; a = t1 &+ t2
                }
            }
            state = (state.0 &+ a, state.1 &+ b, state.2 &+ c, state.3 &+ d,
                     state.4 &+ e, state.5 &+ f, state.6 &+ g, state.7 &+ h)
        }
    }
}

extension UInt32 {
    @inline(__always) fileprivate func rotatedRight(_ count: UInt32) -> UInt32 { (self >> count) | (self << (32 - count)) }
}

/// MD5 (RFC 1321): Keras records it, not SHA-256, for a few downloads (the IMDB and Reuters
/// word indexes). Only to detect damaged downloads; it offers no security.
struct MD5: BlockHash {
    private static let k: [UInt32] = (0..<64).map { UInt32(truncatingIfNeeded: Int64(abs(sin(Double($0 + 1))) * 4_294_967_296)) }
    private static let shifts: [UInt32] = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21]

    private var state: (UInt32, UInt32, UInt32, UInt32) = (0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476)
    var pending: [UInt8] = []
    var length: UInt64 = 0


    /// The digest in lowercase hexadecimal, as `hashlib.md5(…).hexdigest()` prints it.
    var hexDigest: String {
        var copy = self
        let bits = length &* 8
        var tail: [UInt8] = [0x80] + [UInt8](repeating: 0, count: (119 - pending.count) % 64)
        tail += (0..<8).map { UInt8(truncatingIfNeeded: bits >> (8 * UInt64($0))) }
        copy.update(tail)
        let s = copy.state
        return [s.0, s.1, s.2, s.3].flatMap { word in (0..<4).map { UInt8(truncatingIfNeeded: word >> (8 * $0)) } }
            .map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    mutating func compress(_ block: UnsafeRawPointer) {
        var (a, b, c, d) = state
        for i in 0..<64 {
            var f: UInt32, g: Int
            switch i {
            case 0..<16: f = (b & c) | (~b & d); g = i
            case 16..<32: f = (d & b) | (~d & c); g = (5 * i + 1) % 16
            case 32..<48: f = b ^ c ^ d; g = (3 * i + 5) % 16
            default: f = c ^ (b | ~d); g = (7 * i) % 16
            }
            f = f &+ a &+ Self.k[i] &+ UInt32(littleEndian: block.loadUnaligned(fromByteOffset: 4 * g, as: UInt32.self))
            a = d; d = c; c = b
            let s = Self.shifts[(i / 16) * 4 + i % 4]
            b = b &+ ((f << s) | (f >> (32 - s)))
        }
        state = (state.0 &+ a, state.1 &+ b, state.2 &+ c, state.3 &+ d)
    }
}

/// The hash Keras records for a download, told apart by length as `get_file`'s "auto" does:
/// 64 hexadecimal digits are SHA-256, others MD5.
struct FileHash {
    private var sha256: SHA256?
    private var md5: MD5?
    let expected: String

    init(expected: String) {
        self.expected = expected.lowercased()
        if expected.count == 64 { sha256 = SHA256() } else { md5 = MD5() }
    }

    /// The algorithm's name.
    var algorithm: String { sha256 != nil ? "SHA-256" : "MD5" }

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        sha256?.update(bytes)
        md5?.update(bytes)
    }

    var hexDigest: String { sha256?.hexDigest ?? md5?.hexDigest ?? "" }
}

/// A hash that consumes its message in 64-byte blocks (SHA-256, MD5): the buffering of
/// partial blocks is shared; each hash compresses a block and pads the end its own way.
protocol BlockHash {
    /// The bytes of an unfinished block.
    var pending: [UInt8] { get set }
    /// The message length so far, in bytes.
    var length: UInt64 { get set }
    /// Mixes one 64-byte block into the state.
    mutating func compress(_ block: UnsafeRawPointer)
}

extension BlockHash {
    /// Adds `bytes` to the message.
    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        length &+= UInt64(bytes.count)
        var offset = 0
        if !pending.isEmpty {
            let taken = min(64 - pending.count, bytes.count)
            pending.append(contentsOf: UnsafeRawBufferPointer(start: base, count: taken))
            offset = taken
            guard pending.count == 64 else { return }
            pending.withUnsafeBytes { compress($0.baseAddress!) }
            pending.removeAll(keepingCapacity: true)
        }
        while bytes.count - offset >= 64 {
            compress(base + offset)
            offset += 64
        }
        pending.append(contentsOf: UnsafeRawBufferPointer(start: base + offset, count: bytes.count - offset))
    }

    /// Adds `bytes` to the message.
    mutating func update(_ bytes: [UInt8]) { bytes.withUnsafeBytes { update($0) } }
}
