import COpenSSL

extension SM3 {
    /// HMAC (RFC 2104) over SM3 with `key`: 32 bytes. `EVP_Q_mac("HMAC", digest "SM3")`.
    /// The province link signs its requests with it (docs/province-api.md §4).
    public static func hmac(key: [UInt8], message: [UInt8]) throws(CryptoError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: digestSize)
        var size = 0
        let result = key.withUnsafeBytes { k in
            message.withUnsafeBytes { m in
                EVP_Q_mac(nil, "HMAC", nil, "SM3", nil, k.baseAddress, k.count, m.baseAddress, m.count, &out, out.count, &size)
            }
        }
        guard result != nil, size == digestSize else { throw OpenSSLErrorQueue.error("EVP_Q_mac(HMAC-SM3)") }
        return out
    }

    /// Whether two MACs are equal, in time that does not depend on where they differ
    /// (`CRYPTO_memcmp`); false for different lengths.
    public static func macsEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        guard !a.isEmpty else { return true }
        return a.withUnsafeBytes { x in b.withUnsafeBytes { y in CRYPTO_memcmp(x.baseAddress, y.baseAddress, a.count) == 0 } }
    }
}
