import COpenSSL
import Foundation
import InstantIssue

/// Passwords through PBKDF2-HMAC-SHA256 (OpenSSL's `PKCS5_PBKDF2_HMAC`) with a 16-byte random
/// salt: slow on purpose, so a copied database does not give the passwords away cheaply. The
/// iteration count is stored with each account and may be raised for new passwords.
public enum PasswordKDF {
    public static let scheme = "pbkdf2-sha256"
    /// OWASP's figure for PBKDF2-HMAC-SHA256 (2023).
    public static let defaultIterations = 600_000

    /// A new credential for `password`.
    public static func credential(for password: String, iterations: Int = defaultIterations) throws -> ClerkCredential {
        var salt = [UInt8](repeating: 0, count: 16)
        guard RAND_bytes(&salt, 16) == 1 else { throw PasswordKDFError.noRandomness }
        return ClerkCredential(scheme: scheme, iterations: iterations, salt: salt,
                               hash: try derive(password, salt: salt, iterations: iterations))
    }

    /// Whether `password` is the one `credential` was made from (compared in constant time).
    public static func verify(_ password: String, against credential: ClerkCredential) -> Bool {
        guard credential.scheme == scheme, (1...10_000_000).contains(credential.iterations),
              let derived = try? derive(password, salt: credential.salt, iterations: credential.iterations),
              derived.count == credential.hash.count else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(derived, credential.hash) { difference |= a ^ b }
        return difference == 0
    }

    static func derive(_ password: String, salt: [UInt8], iterations: Int) throws -> [UInt8] {
        var key = [UInt8](repeating: 0, count: 32)
        let length = Int32(password.utf8.count)
        let ok = password.withCString { p in
            PKCS5_PBKDF2_HMAC(p, length, salt, Int32(salt.count), Int32(iterations), EVP_sha256(), 32, &key)
        }
        guard ok == 1 else { throw PasswordKDFError.derivationFailed }
        return key
    }
}

public enum PasswordKDFError: Error, Sendable {
    case noRandomness
    case derivationFailed
}
