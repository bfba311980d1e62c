/// HMAC-SM3: HMAC (RFC 2104) over `SM3`, block size 64 bytes, output 32 bytes. Built here on
/// `SM3.hash` rather than on OpenSSL's HMAC, and checked in the tests against vectors computed
/// independently with `openssl dgst -sm3 -hmac` and Python's `hmac` module.
///
///     HMAC(K, m) = SM3((K0 ⊕ opad) ‖ SM3((K0 ⊕ ipad) ‖ m))
///
/// K0 is K padded with zeros to 64 bytes, or SM3(K) padded when K is longer than 64 bytes;
/// ipad = 0x36…, opad = 0x5C…. The padded keys and the inner digest are wiped before returning.
public enum SM3HMAC {
    /// SM3's block size in bytes (B of RFC 2104).
    public static let blockSize = 64
    /// The MAC's size in bytes (L of RFC 2104).
    public static let macSize = SM3.digestSize

    /// The 32-byte HMAC-SM3 of `message` under `key` (any length; RFC 2104 advises at least
    /// 32 bytes).
    public static func mac(key: [UInt8], message: [UInt8]) throws(CryptoError) -> [UInt8] {
        // Every buffer holding key material is allocated at its final size and wiped: appending
        // could move it and leave a copy behind.
        var k0 = [UInt8](repeating: 0, count: blockSize)
        defer { KeyMaterial.wipe(&k0) }
        if key.count > blockSize {
            var hashed = try SM3.hash(key)
            defer { KeyMaterial.wipe(&hashed) }
            for i in hashed.indices { k0[i] = hashed[i] }
        } else {
            for i in key.indices { k0[i - key.startIndex] = key[i] }
        }

        var inner = [UInt8](repeating: 0, count: blockSize + message.count)
        defer { KeyMaterial.wipe(&inner) }
        for i in 0..<blockSize { inner[i] = k0[i] ^ 0x36 }
        for (i, byte) in message.enumerated() { inner[blockSize + i] = byte }
        var innerDigest = try SM3.hash(inner)
        defer { KeyMaterial.wipe(&innerDigest) }

        var outer = [UInt8](repeating: 0, count: blockSize + innerDigest.count)
        defer { KeyMaterial.wipe(&outer) }
        for i in 0..<blockSize { outer[i] = k0[i] ^ 0x5C }
        for (i, byte) in innerDigest.enumerated() { outer[blockSize + i] = byte }
        return try SM3.hash(outer)
    }
}
