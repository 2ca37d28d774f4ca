/// SipHash-2-4 keyed by two 64-bit words: the hash TensorFlow's `to_hash_bucket_strong` uses,
/// so `Hashing(salt:)` puts every string in the bucket Keras puts it in. Unlike `FarmHash`, the
/// key (the salt) makes the buckets hard to predict without it.
enum SipHash {
    static func hash(_ string: String, key: (UInt64, UInt64)) -> UInt64 {
        let bytes = Array(string.utf8)
        var v0: UInt64 = key.0 ^ 0x736f_6d65_7073_6575
        var v1: UInt64 = key.1 ^ 0x646f_7261_6e64_6f6d
        var v2: UInt64 = key.0 ^ 0x6c79_6765_6e65_7261
        var v3: UInt64 = key.1 ^ 0x7465_6462_7974_6573
        func rotl(_ x: UInt64, _ b: UInt64) -> UInt64 { (x << b) | (x >> (64 - b)) }
        func round() {
            v0 = v0 &+ v1; v1 = rotl(v1, 13); v1 ^= v0; v0 = rotl(v0, 32)
            v2 = v2 &+ v3; v3 = rotl(v3, 16); v3 ^= v2
            v0 = v0 &+ v3; v3 = rotl(v3, 21); v3 ^= v0
            v2 = v2 &+ v1; v1 = rotl(v1, 17); v1 ^= v2; v2 = rotl(v2, 32)
        }
        func word(_ start: Int, _ count: Int) -> UInt64 {
            var value: UInt64 = 0
            for i in 0..<count { value |= UInt64(bytes[start + i]) << (8 * UInt64(i)) }
            return value
        }
        let whole = bytes.count / 8 * 8
        for start in stride(from: 0, to: whole, by: 8) {
            let m = word(start, 8)
            v3 ^= m
            round(); round()
            v0 ^= m
        }
        let last = word(whole, bytes.count - whole) | (UInt64(bytes.count & 0xff) << 56)
        v3 ^= last
        round(); round()
        v0 ^= last
        v2 ^= 0xff
        round(); round(); round(); round()
        return v0 ^ v1 ^ v2 ^ v3
    }
}
