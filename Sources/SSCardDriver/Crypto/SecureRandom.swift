import COpenSSL

/// Random bytes from OpenSSL's CSPRNG: card challenges, generated keys.
public enum SecureRandom {
    /// `count` random bytes. Throws when the generator is not seeded. `RAND_bytes`.
    public static func bytes(_ count: Int) throws(CryptoError) -> [UInt8] {
        precondition(count >= 0 && count <= Int(Int32.max), "random byte count out of range")
        var out = [UInt8](repeating: 0, count: count)
        guard count > 0 else { return out }
        try OpenSSLErrorQueue.check(RAND_bytes(&out, Int32(count)), "RAND_bytes")
        return out
    }
}
