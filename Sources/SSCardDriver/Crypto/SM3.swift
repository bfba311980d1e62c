import COpenSSL

/// SM3 (GB/T 32905-2016), the 256-bit hash of the 国密 suite. Backed by `EVP_sm3`.
public enum SM3 {
    /// Digest size in bytes.
    public static let digestSize = 32

    /// The 32-byte SM3 digest of `data`. `EVP_Digest` with `EVP_sm3`.
    public static func hash(_ data: [UInt8]) throws(CryptoError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: digestSize)
        var size: UInt32 = 0
        try OpenSSLErrorQueue.check(EVP_Digest(data, data.count, &out, &size, EVP_sm3(), nil), "EVP_Digest")
        precondition(Int(size) == digestSize, "SM3 digest is not 32 bytes")
        return out
    }
}
