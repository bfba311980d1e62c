import COpenSSL

/// Why a cryptographic operation failed. Wrong sizes are reported before OpenSSL is called;
/// failures inside libcrypto keep OpenSSL's own error text (`ERR_error_string_n`).
public enum CryptoError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A key of the wrong size: SM4 keys are 16 bytes, SM2 private keys 32.
    case invalidKeyLength(expected: Int, actual: Int)
    /// Input of a size the operation does not take (e.g. not whole 16-byte blocks).
    case invalidInputLength(expected: String, actual: Int)
    /// Bytes that are not an SM2 public key (not 64 bytes, or not a point on the curve).
    case invalidPublicKey(reason: String)
    /// Bytes that are not an SM2 private key (not 32 bytes, or outside 1…n−2).
    case invalidPrivateKey(reason: String)
    /// SM2 ciphertext that this key cannot decrypt (tampered, truncated, or for another key).
    case decryptionFailed(reason: String)
    /// Any other failing libcrypto call: the function name, OpenSSL's packed error code
    /// (`ERR_get_error`, 0 when the queue was empty) and its text.
    case openSSL(function: String, code: UInt, reason: String)

    public var description: String {
        switch self {
        case .invalidKeyLength(let e, let a): return "key is \(a) bytes, expected \(e)"
        case .invalidInputLength(let e, let a): return "input is \(a) bytes, expected \(e)"
        case .invalidPublicKey(let r): return "not an SM2 public key: \(r)"
        case .invalidPrivateKey(let r): return "not an SM2 private key: \(r)"
        case .decryptionFailed(let r): return "SM2 decryption failed: \(r)"
        case .openSSL(let f, let c, let r): return "\(f) failed (OpenSSL error \(c)): \(r)"
        }
    }
}

/// The thread's OpenSSL error queue, read and emptied.
enum OpenSSLErrorQueue {
    /// The earliest queued error (the cause; later ones are consequences) and its text;
    /// clears the queue so the next failure starts clean. `ERR_get_error`, `ERR_error_string_n`.
    static func drain() -> (code: UInt, reason: String) {
        let first = ERR_get_error()
        while ERR_get_error() != 0 {}
        guard first != 0 else { return (0, "no OpenSSL error queued") }
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(first, &buffer, buffer.count)
        let text = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        return (first, text)
    }

    /// A `CryptoError.openSSL` for `function` carrying the queued error.
    static func error(_ function: String) -> CryptoError {
        let (code, reason) = drain()
        return .openSSL(function: function, code: code, reason: reason)
    }

    /// Throws `error(function)` unless `result` is 1, OpenSSL's success value.
    static func check(_ result: Int32, _ function: String) throws(CryptoError) {
        guard result == 1 else { throw error(function) }
    }
}

/// Key material in Swift arrays: what can be done to keep it short-lived.
public enum KeyMaterial {
    /// Overwrites `bytes` with zeros in a way the optimiser cannot drop (`OPENSSL_cleanse`).
    /// Copies made earlier (arrays are values) are not reached: wipe each owner's copy.
    public static func wipe(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { raw in
            if let base = raw.baseAddress { OPENSSL_cleanse(base, raw.count) }
        }
    }
}
