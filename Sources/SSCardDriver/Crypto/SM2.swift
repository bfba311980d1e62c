import COpenSSL

/// SM2 (GB/T 32918-2016) on the SM2 curve: the card's signing key pair (file 0012) and the
/// enveloping of the encryption key pair. Public keys travel as the 64-byte point X‖Y,
/// private keys as the 32-byte scalar d, signatures as the 64 bytes r‖s (GM/T 0009),
/// ciphertexts in OpenSSL's GM/T 0009 ASN.1 form (C1 C3 C2). Backed by OpenSSL EVP_PKEY "SM2".
public enum SM2 {
    /// The default distinguishing identifier of GM/T 0009, "1234567812345678", hashed into Z.
    public static let defaultUserID: [UInt8] = Array("1234567812345678".utf8)
    /// Size of a public key X‖Y.
    public static let publicKeySize = 64
    /// Size of a private scalar d.
    public static let privateKeySize = 32
    /// Size of a signature r‖s.
    public static let signatureSize = 64
}

/// An SM2 public key: a point on the SM2 curve.
public struct SM2PublicKey: Hashable, Sendable {
    /// The uncompressed point without its 04 prefix: X (32 bytes) ‖ Y (32 bytes).
    public let rawRepresentation: [UInt8]

    /// Imports X‖Y; throws `invalidPublicKey` unless it is a point on the curve.
    /// `EVP_PKEY_fromdata`, `EVP_PKEY_public_check_quick`.
    public init(rawRepresentation raw: [UInt8]) throws(CryptoError) {
        guard raw.count == SM2.publicKeySize else {
            throw .invalidPublicKey(reason: "\(raw.count) bytes, expected 64 (X‖Y)")
        }
        let key = try SM2Backend.importKey(point: raw, scalar: nil)
        EVP_PKEY_free(key)
        rawRepresentation = raw
    }

    /// Whether `signature` (r‖s, 64 bytes) is this key's SM2 signature of `message` with the
    /// SM3 digest and `userID`. False for a wrong or malformed signature; throws only when
    /// OpenSSL cannot set up the check. `EVP_DigestVerifyFinal`.
    public func isValidSignature(_ signature: [UInt8], for message: [UInt8], userID: [UInt8] = SM2.defaultUserID) throws(CryptoError) -> Bool {
        let key = try SM2Backend.importKey(point: rawRepresentation, scalar: nil)
        defer { EVP_PKEY_free(key) }
        return try SM2Backend.verify(key: key, signature: signature, message: message, userID: userID)
    }

    /// SM2-encrypts `plaintext` (at least one byte) to this key. `EVP_PKEY_encrypt`.
    public func encrypt(_ plaintext: [UInt8]) throws(CryptoError) -> [UInt8] {
        let key = try SM2Backend.importKey(point: rawRepresentation, scalar: nil)
        defer { EVP_PKEY_free(key) }
        return try SM2Backend.encrypt(key: key, plaintext: plaintext)
    }
}

/// An SM2 private key with its public key. The scalar lives inside OpenSSL (freed and
/// cleansed by `EVP_PKEY_free`); it leaves only through `exportRawRepresentation()`.
///
/// `@unchecked Sendable`: the EVP_PKEY is created in `init`, never modified afterwards and
/// freed in `deinit`; every operation makes its own EVP_PKEY_CTX/EVP_MD_CTX, and OpenSSL 3
/// allows a key that is not being modified to be used from several threads at once
/// (openssl-threads(7), "Objects ... EVP_PKEY").
public final class SM2PrivateKey: @unchecked Sendable {
    private let key: OpaquePointer     // EVP_PKEY *
    /// The matching public key.
    public let publicKey: SM2PublicKey

    /// Generates a fresh key pair. `EVP_PKEY_generate`.
    public init() throws(CryptoError) {
        let generated = try SM2Backend.generate()
        do {
            publicKey = try SM2PublicKey(rawRepresentation: SM2Backend.exportPublic(generated))
        } catch {
            EVP_PKEY_free(generated)
            throw error
        }
        key = generated
    }

    /// Imports the 32-byte scalar d (1 ≤ d ≤ n−2) and computes its public key d·G.
    /// `EC_POINT_mul`, `EVP_PKEY_fromdata`.
    public init(rawRepresentation scalar: [UInt8]) throws(CryptoError) {
        guard scalar.count == SM2.privateKeySize else {
            throw .invalidPrivateKey(reason: "\(scalar.count) bytes, expected 32")
        }
        let point = try SM2Backend.publicPoint(of: scalar)
        key = try SM2Backend.importKey(point: point, scalar: scalar)
        publicKey = try SM2PublicKey(rawRepresentation: point)
    }

    deinit { EVP_PKEY_free(key) }

    /// The 32-byte scalar d. The caller owns the copy: zero it when done (the simulated
    /// card keeps it in its image file, which is how a test card survives restarts).
    /// `EVP_PKEY_get_bn_param`.
    public func exportRawRepresentation() throws(CryptoError) -> [UInt8] {
        try SM2Backend.exportPrivate(key)
    }

    /// The SM2 signature r‖s (64 bytes) of `message` with SM3 and `userID`.
    /// `EVP_DigestSignFinal`.
    public func signature(for message: [UInt8], userID: [UInt8] = SM2.defaultUserID) throws(CryptoError) -> [UInt8] {
        try SM2Backend.sign(key: key, message: message, userID: userID)
    }

    /// Decrypts an SM2 ciphertext made for this key; `decryptionFailed` when it was not.
    /// `EVP_PKEY_decrypt`.
    public func decrypt(_ ciphertext: [UInt8]) throws(CryptoError) -> [UInt8] {
        try SM2Backend.decrypt(key: key, ciphertext: ciphertext)
    }
}

/// The C-touching half of SM2: one function per libcrypto step, C types stay in this file.
enum SM2Backend {
    /// OpenSSL keeps the `const char *` names it is given (EVP_PKEY_CTX key type,
    /// OSSL_PARAM keys), so every name is a static, NUL-terminated literal.
    private enum Name {
        static var sm2: UnsafePointer<CChar> { cString("SM2\0") }
        static var group: UnsafePointer<CChar> { cString("group\0") }
        static var publicKey: UnsafePointer<CChar> { cString("pub\0") }
        static var privateKey: UnsafePointer<CChar> { cString("priv\0") }
        private static func cString(_ s: StaticString) -> UnsafePointer<CChar> {
            UnsafeRawPointer(s.utf8Start).assumingMemoryBound(to: CChar.self)
        }
    }

    /// EVP_PKEY_PUBLIC_KEY and EVP_PKEY_KEYPAIR (compound macros Swift does not import):
    /// OSSL_KEYMGMT_SELECT_ALL_PARAMETERS (0x84) | PUBLIC_KEY (0x02) [| PRIVATE_KEY (0x01)].
    private static let selectPublicKey: Int32 = 0x86
    private static let selectKeyPair: Int32 = 0x87

    /// A new key pair. `EVP_PKEY_CTX_new_from_name`, `EVP_PKEY_keygen_init`, `EVP_PKEY_generate`.
    static func generate() throws(CryptoError) -> OpaquePointer {
        guard let ctx = EVP_PKEY_CTX_new_from_name(nil, Name.sm2, nil) else {
            throw OpenSSLErrorQueue.error("EVP_PKEY_CTX_new_from_name")
        }
        defer { EVP_PKEY_CTX_free(ctx) }
        try OpenSSLErrorQueue.check(EVP_PKEY_keygen_init(ctx), "EVP_PKEY_keygen_init")
        var key: OpaquePointer?
        try OpenSSLErrorQueue.check(EVP_PKEY_generate(ctx, &key), "EVP_PKEY_generate")
        guard let key else { throw OpenSSLErrorQueue.error("EVP_PKEY_generate") }
        return key
    }

    /// d·G as X‖Y, after checking 1 ≤ d ≤ n−2. `EC_POINT_mul`, `EC_POINT_point2oct`.
    static func publicPoint(of scalar: [UInt8]) throws(CryptoError) -> [UInt8] {
        guard let group = EC_GROUP_new_by_curve_name(NID_sm2) else {
            throw OpenSSLErrorQueue.error("EC_GROUP_new_by_curve_name")
        }
        defer { EC_GROUP_free(group) }
        guard let d = BN_secure_new() else { throw OpenSSLErrorQueue.error("BN_secure_new") }
        defer { BN_clear_free(d) }
        guard BN_bin2bn(scalar, Int32(scalar.count), d) != nil else { throw OpenSSLErrorQueue.error("BN_bin2bn") }
        guard let order = EC_GROUP_get0_order(group), let limit = BN_dup(order) else {
            throw OpenSSLErrorQueue.error("EC_GROUP_get0_order")
        }
        defer { BN_free(limit) }
        try OpenSSLErrorQueue.check(BN_sub_word(limit, 1), "BN_sub_word")      // n − 1
        guard BN_is_zero(d) == 0, BN_cmp(d, limit) < 0 else {
            throw .invalidPrivateKey(reason: "scalar outside 1…n−2")
        }
        guard let point = EC_POINT_new(group) else { throw OpenSSLErrorQueue.error("EC_POINT_new") }
        defer { EC_POINT_free(point) }
        try OpenSSLErrorQueue.check(EC_POINT_mul(group, point, d, nil, nil, nil), "EC_POINT_mul")
        var out = [UInt8](repeating: 0, count: 65)
        let written = EC_POINT_point2oct(group, point, POINT_CONVERSION_UNCOMPRESSED, &out, out.count, nil)
        guard written == 65, out[0] == 0x04 else { throw OpenSSLErrorQueue.error("EC_POINT_point2oct") }
        return Array(out[1...])
    }

    /// An EVP_PKEY from X‖Y and, for a private key, d. Validates the public point: not the point
    /// at infinity, coordinates below p, on the curve (SP 800-56A 5.6.2.3.4,
    /// `EVP_PKEY_public_check_quick`). The full check (`EVP_PKEY_public_check`) adds n·Q = O,
    /// a whole scalar multiplication a key; SM2's curve has cofactor 1 (GB/T 32918.5), so every
    /// point on it but infinity has order n and that test cannot fail where the quick one
    /// passed. It was 3 % of a card's CPU in process (docs/performance.md §2, fourth round).
    /// `OSSL_PARAM_BLD_*`, `EVP_PKEY_fromdata`.
    static func importKey(point: [UInt8], scalar: [UInt8]?) throws(CryptoError) -> OpaquePointer {
        let encodedPoint: [UInt8] = [0x04] + point
        guard let builder = OSSL_PARAM_BLD_new() else { throw OpenSSLErrorQueue.error("OSSL_PARAM_BLD_new") }
        defer { OSSL_PARAM_BLD_free(builder) }
        var secret: OpaquePointer?             // BIGNUM *, secure heap
        defer { if let secret { BN_clear_free(secret) } }
        if let scalar {
            guard let bn = BN_secure_new() else { throw OpenSSLErrorQueue.error("BN_secure_new") }
            secret = bn
            guard BN_bin2bn(scalar, Int32(scalar.count), bn) != nil else { throw OpenSSLErrorQueue.error("BN_bin2bn") }
            try OpenSSLErrorQueue.check(OSSL_PARAM_BLD_push_BN(builder, Name.privateKey, bn), "OSSL_PARAM_BLD_push_BN")
        }
        try OpenSSLErrorQueue.check(
            OSSL_PARAM_BLD_push_utf8_string(builder, Name.group, Name.sm2, 0), "OSSL_PARAM_BLD_push_utf8_string")
        // The builder copies octet strings only in OSSL_PARAM_BLD_to_param: keep the buffer
        // pinned until then.
        let params: UnsafeMutablePointer<OSSL_PARAM>? = encodedPoint.withUnsafeBufferPointer { buffer in
            guard OSSL_PARAM_BLD_push_octet_string(builder, Name.publicKey, buffer.baseAddress, buffer.count) == 1 else {
                return nil
            }
            return OSSL_PARAM_BLD_to_param(builder)
        }
        guard let params else { throw OpenSSLErrorQueue.error("OSSL_PARAM_BLD_to_param") }
        defer { OSSL_PARAM_free(params) }

        guard let ctx = EVP_PKEY_CTX_new_from_name(nil, Name.sm2, nil) else {
            throw OpenSSLErrorQueue.error("EVP_PKEY_CTX_new_from_name")
        }
        defer { EVP_PKEY_CTX_free(ctx) }
        try OpenSSLErrorQueue.check(EVP_PKEY_fromdata_init(ctx), "EVP_PKEY_fromdata_init")
        var key: OpaquePointer?
        guard EVP_PKEY_fromdata(ctx, &key, scalar == nil ? selectPublicKey : selectKeyPair, params) == 1, let key else {
            let (_, reason) = OpenSSLErrorQueue.drain()
            throw scalar == nil ? .invalidPublicKey(reason: reason) : .invalidPrivateKey(reason: reason)
        }
        guard let check = EVP_PKEY_CTX_new_from_pkey(nil, key, nil) else {
            EVP_PKEY_free(key)
            throw OpenSSLErrorQueue.error("EVP_PKEY_CTX_new_from_pkey")
        }
        defer { EVP_PKEY_CTX_free(check) }
        guard EVP_PKEY_public_check_quick(check) == 1 else {
            EVP_PKEY_free(key)
            let (_, reason) = OpenSSLErrorQueue.drain()
            throw .invalidPublicKey(reason: "point not on the SM2 curve (\(reason))")
        }
        return key
    }

    /// X‖Y of a key. `EVP_PKEY_get_octet_string_param("pub")`.
    static func exportPublic(_ key: OpaquePointer) throws(CryptoError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 65)
        var size = 0
        try OpenSSLErrorQueue.check(
            EVP_PKEY_get_octet_string_param(key, Name.publicKey, &out, out.count, &size),
            "EVP_PKEY_get_octet_string_param")
        guard size == 65, out[0] == 0x04 else {
            throw .invalidPublicKey(reason: "OpenSSL exported a \(size)-byte point, expected uncompressed 65")
        }
        return Array(out[1...])
    }

    /// d as 32 big-endian bytes. `EVP_PKEY_get_bn_param("priv")`, `BN_bn2binpad`.
    static func exportPrivate(_ key: OpaquePointer) throws(CryptoError) -> [UInt8] {
        var bn: OpaquePointer?
        try OpenSSLErrorQueue.check(EVP_PKEY_get_bn_param(key, Name.privateKey, &bn), "EVP_PKEY_get_bn_param")
        defer { BN_clear_free(bn) }
        var out = [UInt8](repeating: 0, count: SM2.privateKeySize)
        guard BN_bn2binpad(bn, &out, Int32(out.count)) == Int32(out.count) else {
            throw OpenSSLErrorQueue.error("BN_bn2binpad")
        }
        return out
    }

    /// An EVP_MD_CTX set up for SM2 with SM3 and the distinguishing id, handed to `body`.
    private static func withDigestContext<R>(
        key: OpaquePointer, userID: [UInt8], sign: Bool,
        _ body: (OpaquePointer) throws(CryptoError) -> R
    ) throws(CryptoError) -> R {
        // The EVP_MD_CTX does not own a pkey ctx given with EVP_MD_CTX_set_pkey_ctx:
        // create it first so it is freed last.
        guard let pkeyContext = EVP_PKEY_CTX_new_from_pkey(nil, key, nil) else {
            throw OpenSSLErrorQueue.error("EVP_PKEY_CTX_new_from_pkey")
        }
        defer { EVP_PKEY_CTX_free(pkeyContext) }
        guard let md = EVP_MD_CTX_new() else { throw OpenSSLErrorQueue.error("EVP_MD_CTX_new") }
        defer { EVP_MD_CTX_free(md) }
        try OpenSSLErrorQueue.check(EVP_PKEY_CTX_set1_id(pkeyContext, userID, Int32(userID.count)), "EVP_PKEY_CTX_set1_id")
        EVP_MD_CTX_set_pkey_ctx(md, pkeyContext)
        let initResult = sign
            ? EVP_DigestSignInit(md, nil, EVP_sm3(), nil, key)
            : EVP_DigestVerifyInit(md, nil, EVP_sm3(), nil, key)
        try OpenSSLErrorQueue.check(initResult, sign ? "EVP_DigestSignInit" : "EVP_DigestVerifyInit")
        return try body(md)
    }

    static func sign(key: OpaquePointer, message: [UInt8], userID: [UInt8]) throws(CryptoError) -> [UInt8] {
        let der: [UInt8] = try withDigestContext(key: key, userID: userID, sign: true) { md throws(CryptoError) in
            try OpenSSLErrorQueue.check(EVP_DigestSignUpdate(md, message, message.count), "EVP_DigestSignUpdate")
            var out = [UInt8](repeating: 0, count: 128)
            var size = out.count
            try OpenSSLErrorQueue.check(EVP_DigestSignFinal(md, &out, &size), "EVP_DigestSignFinal")
            return Array(out.prefix(size))
        }
        return try rawSignature(fromDER: der)
    }

    static func verify(key: OpaquePointer, signature: [UInt8], message: [UInt8], userID: [UInt8]) throws(CryptoError) -> Bool {
        guard signature.count == SM2.signatureSize, let der = derSignature(fromRaw: signature) else { return false }
        return try withDigestContext(key: key, userID: userID, sign: false) { md throws(CryptoError) in
            try OpenSSLErrorQueue.check(EVP_DigestVerifyUpdate(md, message, message.count), "EVP_DigestVerifyUpdate")
            let result = EVP_DigestVerifyFinal(md, der, der.count)
            _ = OpenSSLErrorQueue.drain()    // a bad signature queues an error: not ours to keep
            return result == 1
        }
    }

    /// r‖s from the DER SEQUENCE { r INTEGER, s INTEGER }. `d2i_ECDSA_SIG`.
    private static func rawSignature(fromDER der: [UInt8]) throws(CryptoError) -> [UInt8] {
        let parsed: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            return d2i_ECDSA_SIG(nil, &cursor, buffer.count)
        }
        guard let parsed else { throw OpenSSLErrorQueue.error("d2i_ECDSA_SIG") }
        defer { ECDSA_SIG_free(parsed) }
        var out = [UInt8](repeating: 0, count: SM2.signatureSize)
        let r = out.withUnsafeMutableBufferPointer { BN_bn2binpad(ECDSA_SIG_get0_r(parsed), $0.baseAddress, 32) }
        let s = out.withUnsafeMutableBufferPointer { BN_bn2binpad(ECDSA_SIG_get0_s(parsed), $0.baseAddress! + 32, 32) }
        guard r == 32, s == 32 else { throw OpenSSLErrorQueue.error("BN_bn2binpad") }
        return out
    }

    /// The DER form of r‖s, nil if OpenSSL refuses the numbers. `i2d_ECDSA_SIG`.
    private static func derSignature(fromRaw raw: [UInt8]) -> [UInt8]? {
        guard let sig = ECDSA_SIG_new() else { return nil }
        defer { ECDSA_SIG_free(sig) }
        guard let r = BN_bin2bn(raw, 32, nil) else { return nil }
        guard let s = raw.withUnsafeBufferPointer({ BN_bin2bn($0.baseAddress! + 32, 32, nil) }) else {
            BN_free(r)
            return nil
        }
        guard ECDSA_SIG_set0(sig, r, s) == 1 else { BN_free(r); BN_free(s); return nil }  // owns r, s on success
        let size = i2d_ECDSA_SIG(sig, nil)
        guard size > 0 else { return nil }
        var out = [UInt8](repeating: 0, count: Int(size))
        let written = out.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var cursor: UnsafeMutablePointer<UInt8>? = buffer.baseAddress
            return i2d_ECDSA_SIG(sig, &cursor)
        }
        return written == size ? out : nil
    }

    static func encrypt(key: OpaquePointer, plaintext: [UInt8]) throws(CryptoError) -> [UInt8] {
        guard !plaintext.isEmpty else { throw .invalidInputLength(expected: "at least 1 byte", actual: 0) }
        guard let ctx = EVP_PKEY_CTX_new_from_pkey(nil, key, nil) else {
            throw OpenSSLErrorQueue.error("EVP_PKEY_CTX_new_from_pkey")
        }
        defer { EVP_PKEY_CTX_free(ctx) }
        try OpenSSLErrorQueue.check(EVP_PKEY_encrypt_init(ctx), "EVP_PKEY_encrypt_init")
        var size = 0
        try OpenSSLErrorQueue.check(EVP_PKEY_encrypt(ctx, nil, &size, plaintext, plaintext.count), "EVP_PKEY_encrypt")
        var out = [UInt8](repeating: 0, count: size)
        try OpenSSLErrorQueue.check(EVP_PKEY_encrypt(ctx, &out, &size, plaintext, plaintext.count), "EVP_PKEY_encrypt")
        return Array(out.prefix(size))
    }

    static func decrypt(key: OpaquePointer, ciphertext: [UInt8]) throws(CryptoError) -> [UInt8] {
        guard !ciphertext.isEmpty else { throw .decryptionFailed(reason: "empty ciphertext") }
        guard let ctx = EVP_PKEY_CTX_new_from_pkey(nil, key, nil) else {
            throw OpenSSLErrorQueue.error("EVP_PKEY_CTX_new_from_pkey")
        }
        defer { EVP_PKEY_CTX_free(ctx) }
        try OpenSSLErrorQueue.check(EVP_PKEY_decrypt_init(ctx), "EVP_PKEY_decrypt_init")
        var size = 0
        guard EVP_PKEY_decrypt(ctx, nil, &size, ciphertext, ciphertext.count) == 1 else {
            throw .decryptionFailed(reason: OpenSSLErrorQueue.drain().reason)
        }
        var out = [UInt8](repeating: 0, count: size)
        guard EVP_PKEY_decrypt(ctx, &out, &size, ciphertext, ciphertext.count) == 1 else {
            KeyMaterial.wipe(&out)
            throw .decryptionFailed(reason: OpenSSLErrorQueue.drain().reason)
        }
        let plaintext = Array(out.prefix(size))
        KeyMaterial.wipe(&out)
        return plaintext
    }
}
