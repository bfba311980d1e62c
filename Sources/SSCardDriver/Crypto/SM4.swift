import COpenSSL

/// SM4 (GB/T 32907-2016), the 128-bit block cipher of the 3.0 card's keys: ECB over whole
/// blocks and the CBC-MAC of ISO/IEC 9797-1 (MAC algorithm 1, padding method 2).
/// Backed by OpenSSL's `EVP_sm4_ecb` / `EVP_sm4_cbc` with padding off.
public enum SM4 {
    /// Block and key size in bytes.
    public static let blockSize = 16
    public static let keySize = 16

    /// Encrypts whole 16-byte blocks independently. `EVP_EncryptUpdate` with `EVP_sm4_ecb`.
    public static func encryptECB(_ data: [UInt8], key: [UInt8]) throws(CryptoError) -> [UInt8] {
        try crypt(data, key: key, iv: nil, encrypt: true)
    }

    /// Decrypts whole 16-byte blocks independently. `EVP_DecryptUpdate` with `EVP_sm4_ecb`.
    public static func decryptECB(_ data: [UInt8], key: [UInt8]) throws(CryptoError) -> [UInt8] {
        try crypt(data, key: key, iv: nil, encrypt: false)
    }

    /// ISO/IEC 9797-1 padding method 2: append 80, then 00 up to a whole block (always adds
    /// at least one byte).
    public static func padMethod2(_ data: [UInt8]) -> [UInt8] {
        var out = data
        out.append(0x80)
        while out.count % blockSize != 0 { out.append(0x00) }
        return out
    }

    /// The 16-byte CBC-MAC of `data` padded with method 2: the last block of SM4-CBC with
    /// initial value `iv` (16 bytes). Callers keep the leftmost bytes they need (the card's
    /// secure messaging keeps 4). `EVP_EncryptUpdate` with `EVP_sm4_cbc`.
    public static func cbcMAC(_ data: [UInt8], key: [UInt8], iv: [UInt8]) throws(CryptoError) -> [UInt8] {
        guard iv.count == blockSize else { throw .invalidInputLength(expected: "16-byte IV", actual: iv.count) }
        let chain = try crypt(padMethod2(data), key: key, iv: iv, encrypt: true)
        return Array(chain.suffix(blockSize))
    }

    /// One EVP cipher pass with padding disabled: ECB when `iv` is nil, else CBC.
    private static func crypt(_ data: [UInt8], key: [UInt8], iv: [UInt8]?, encrypt: Bool) throws(CryptoError) -> [UInt8] {
        guard key.count == keySize else { throw .invalidKeyLength(expected: keySize, actual: key.count) }
        guard data.count % blockSize == 0 else {
            throw .invalidInputLength(expected: "a multiple of 16 bytes", actual: data.count)
        }
        guard !data.isEmpty else { return [] }
        guard data.count <= Int(Int32.max) - blockSize else {
            throw .invalidInputLength(expected: "at most 2 GiB", actual: data.count)
        }
        guard let ctx = EVP_CIPHER_CTX_new() else { throw OpenSSLErrorQueue.error("EVP_CIPHER_CTX_new") }
        defer { EVP_CIPHER_CTX_free(ctx) }   // also cleanses the expanded key schedule
        let cipher = iv == nil ? EVP_sm4_ecb() : EVP_sm4_cbc()
        let initResult = (iv ?? []).withUnsafeBufferPointer { ivBuffer in
            let ivPointer = iv == nil ? nil : ivBuffer.baseAddress
            return encrypt
                ? EVP_EncryptInit_ex2(ctx, cipher, key, ivPointer, nil)
                : EVP_DecryptInit_ex2(ctx, cipher, key, ivPointer, nil)
        }
        try OpenSSLErrorQueue.check(initResult, encrypt ? "EVP_EncryptInit_ex2" : "EVP_DecryptInit_ex2")
        try OpenSSLErrorQueue.check(EVP_CIPHER_CTX_set_padding(ctx, 0), "EVP_CIPHER_CTX_set_padding")
        var out = [UInt8](repeating: 0, count: data.count + blockSize)
        var written: Int32 = 0
        let update = encrypt
            ? EVP_EncryptUpdate(ctx, &out, &written, data, Int32(data.count))
            : EVP_DecryptUpdate(ctx, &out, &written, data, Int32(data.count))
        try OpenSSLErrorQueue.check(update, encrypt ? "EVP_EncryptUpdate" : "EVP_DecryptUpdate")
        var tail: Int32 = 0
        let final = out.withUnsafeMutableBufferPointer { buffer in
            encrypt
                ? EVP_EncryptFinal_ex(ctx, buffer.baseAddress! + Int(written), &tail)
                : EVP_DecryptFinal_ex(ctx, buffer.baseAddress! + Int(written), &tail)
        }
        try OpenSSLErrorQueue.check(final, encrypt ? "EVP_EncryptFinal_ex" : "EVP_DecryptFinal_ex")
        out.removeLast(out.count - Int(written + tail))
        return out
    }
}
