import COpenSSL
import Foundation

/// Why bytes are not a usable X.509 certificate.
public enum X509Error: Error, Hashable, Sendable, CustomStringConvertible {
    /// Not a DER certificate that OpenSSL accepts (`d2i_X509` failed): its error text.
    case malformed(reason: String)
    /// A certificate followed by `count` bytes that belong to none.
    case trailingBytes(count: Int)
    /// Text that is not base64.
    case invalidBase64
    /// A field of a parsed certificate that could not be read: which, and OpenSSL's text.
    case unreadableField(String, reason: String)

    public var description: String {
        switch self {
        case .malformed(let r): return "not an X.509 certificate: \(r)"
        case .trailingBytes(let n): return "\(n) bytes follow the certificate"
        case .invalidBase64: return "certificate text is not base64"
        case .unreadableField(let f, let r): return "certificate \(f) unreadable: \(r)"
        }
    }
}

/// A parsed X.509 certificate (签名证书 / 加密证书 of the card's PKI application, or a CA
/// certificate). Every field is read once when the certificate is parsed; the value keeps
/// only Swift types and the DER bytes, so it is a plain `Sendable` value.
///
/// Built on OpenSSL's `d2i_X509`. SM2 signatures are checked with SM3 and the default
/// distinguishing id "1234567812345678" (`SM2.defaultUserID`): OpenSSL 3.0's `X509_verify`
/// fails for SM2 certificates unless that id is set on the certificate
/// (`X509_set0_distinguishing_id`), which `isSigned(by:)` does.
public struct X509Certificate: Hashable, Sendable {
    /// One attribute of a distinguished name: its short name ("CN", "C", "serialNumber"…, or
    /// the dotted OID when OpenSSL has no name for it) and its value as text.
    public struct NameAttribute: Hashable, Sendable {
        public var type: String
        public var value: String
        public init(type: String, value: String) {
            self.type = type
            self.value = value
        }
    }

    /// The DER encoding, exactly as parsed.
    public let derEncoded: [UInt8]
    /// X.509 version: 1, 2 or 3.
    public let version: Int
    /// The serial number's magnitude, big-endian, without leading zero bytes.
    public let serialNumber: [UInt8]
    /// Subject and issuer as RFC 2253 text, most specific attribute first and UTF-8 left
    /// unescaped, e.g. `CN=张三,serialNumber=111111198101011110,C=CN`.
    public let subject: String
    public let issuer: String
    /// Subject and issuer attributes in certificate order (the country usually first).
    public let subjectAttributes: [NameAttribute]
    public let issuerAttributes: [NameAttribute]
    /// Validity period (second precision).
    public let notBefore: Date
    public let notAfter: Date
    /// The signature algorithm's OpenSSL long name, e.g. "SM2-with-SM3" (OID 1.2.156.10197.1.501).
    public let signatureAlgorithm: String
    /// The public key's type as OpenSSL names it: "SM2", "EC", "RSA"…
    public let publicKeyAlgorithm: String
    /// The subject's public key when it is a point on the SM2 curve; nil for any other key.
    /// Its `rawRepresentation` (X‖Y) is what the card's file 0012 holds after `CA 40`.
    public let sm2PublicKey: SM2PublicKey?

    /// Parses exactly one DER certificate; bytes after it are an error.
    public init(derEncoded der: [UInt8]) throws(X509Error) {
        self = try X509Backend.parse(der)
    }

    /// Parses the base64 text of a DER certificate, as the CA sends it. Whitespace and line
    /// breaks are ignored; a PEM header is not accepted.
    public init(base64Encoded text: String) throws(X509Error) {
        guard let der = X509Certificate.decodeBase64(text) else { throw .invalidBase64 }
        try self.init(derEncoded: der)
    }

    /// The DER bytes as base64 on one line, without PEM armour.
    public var base64Encoded: String { Self.encodeBase64(derEncoded) }

    /// The value of the first subject attribute of `type` (e.g. "CN"), nil if absent.
    public func subjectValue(_ type: String) -> String? {
        subjectAttributes.first { $0.type == type }?.value
    }

    /// Whether this certificate's signature verifies with `key` (SM2 with SM3 and the
    /// default distinguishing id). False for a certificate not signed with SM2, for another
    /// key, or for tampered bytes. `X509_set0_distinguishing_id`, `X509_verify`.
    public func isSigned(by key: SM2PublicKey) -> Bool {
        X509Backend.verify(derEncoded, key: key)
    }

    /// Whether this certificate's signature verifies with `issuer`'s SM2 public key. Only
    /// the signature is checked, not the names, the validity or the issuer's extensions.
    public func isSigned(by issuer: X509Certificate) -> Bool {
        guard let key = issuer.sm2PublicKey else { return false }
        return isSigned(by: key)
    }

    /// Bytes of base64 text (whitespace ignored); nil if it is not base64.
    public static func decodeBase64(_ text: String) -> [UInt8]? {
        let compact = text.filter { !$0.isWhitespace }
        guard !compact.isEmpty, let data = Data(base64Encoded: compact) else { return nil }
        return [UInt8](data)
    }

    /// Base64 of `bytes` on one line.
    public static func encodeBase64(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
    }

    /// The length of the DER element starting at `bytes[0]` (header included), read from its
    /// tag and length octets alone; nil when they are not a definite DER length or say more
    /// than 65535 bytes. Used to find a certificate in a zero-filled card file.
    public static func encodedLength(atStartOf bytes: [UInt8]) -> Int? {
        guard bytes.count >= 2, bytes[0] == 0x30 else { return nil }
        let first = Int(bytes[1])
        if first < 0x80 { return 2 + first }
        let count = first & 0x7F
        guard (1...2).contains(count), bytes.count >= 2 + count else { return nil }
        var length = 0
        for b in bytes[2..<(2 + count)] { length = length << 8 | Int(b) }
        return 2 + count + length
    }

    init(derEncoded: [UInt8], version: Int, serialNumber: [UInt8], subject: String, issuer: String,
         subjectAttributes: [NameAttribute], issuerAttributes: [NameAttribute], notBefore: Date, notAfter: Date,
         signatureAlgorithm: String, publicKeyAlgorithm: String, sm2PublicKey: SM2PublicKey?) {
        self.derEncoded = derEncoded
        self.version = version
        self.serialNumber = serialNumber
        self.subject = subject
        self.issuer = issuer
        self.subjectAttributes = subjectAttributes
        self.issuerAttributes = issuerAttributes
        self.notBefore = notBefore
        self.notAfter = notAfter
        self.signatureAlgorithm = signatureAlgorithm
        self.publicKeyAlgorithm = publicKeyAlgorithm
        self.sm2PublicKey = sm2PublicKey
    }
}

/// The C-touching half of X509Certificate: every X509* lives and dies inside one call.
enum X509Backend {
    private enum Name {
        static var sm2: UnsafePointer<CChar> { cString("SM2\0") }
        static var publicX: UnsafePointer<CChar> { cString("qx\0") }
        static var publicY: UnsafePointer<CChar> { cString("qy\0") }
        private static func cString(_ s: StaticString) -> UnsafePointer<CChar> {
            UnsafeRawPointer(s.utf8Start).assumingMemoryBound(to: CChar.self)
        }
    }

    /// XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB: RFC 2253 text with UTF-8 kept as UTF-8.
    /// (RFC2253 = ASN1_STRFLGS_RFC2253 0x317 | SEP_COMMA_PLUS 1<<16 | DN_REV 1<<20 |
    /// FN_SN 0 | DUMP_UNKNOWN_FIELDS 1<<24; ESC_MSB = 4.)
    private static let nameFlags: UInt = (0x317 | 1 << 16 | 1 << 20 | 1 << 24) & ~UInt(4)

    /// d2i_X509 of the whole of `der`, then every field. `d2i_X509`.
    static func parse(_ der: [UInt8]) throws(X509Error) -> X509Certificate {
        guard !der.isEmpty else { throw .malformed(reason: "no bytes") }
        let (cert, consumed) = decode(der)
        guard let cert else { throw .malformed(reason: OpenSSLErrorQueue.drain().reason) }
        defer { X509_free(cert) }
        guard consumed == der.count else { throw .trailingBytes(count: der.count - consumed) }

        guard let subjectName = X509_get_subject_name(cert), let issuerName = X509_get_issuer_name(cert) else {
            throw unreadable("name")
        }
        let subject = try nameText(subjectName)
        let issuer = try nameText(issuerName)
        let subjectAttributes = try attributes(subjectName)
        let issuerAttributes = try attributes(issuerName)
        guard let serialInteger = X509_get0_serialNumber(cert) else { throw unreadable("serial number") }
        let serial = try serialBytes(serialInteger)
        guard let notBefore = X509_get0_notBefore(cert), let notAfter = X509_get0_notAfter(cert) else {
            throw unreadable("validity")
        }
        let signatureNID = X509_get_signature_nid(cert)
        let signatureName = signatureNID != NID_undef ? OBJ_nid2ln(signatureNID).map { String(cString: $0) } : nil
        let (keyType, sm2Key) = publicKey(cert)
        // v1–v3 are 0–2; OpenSSL hands back whatever INTEGER the bytes hold, up to LONG_MAX.
        let rawVersion = X509_get_version(cert)
        guard (0...2).contains(rawVersion) else { throw .unreadableField("version", reason: "\(rawVersion) is not 0–2 (v1–v3)") }
        return X509Certificate(
            derEncoded: der, version: Int(rawVersion) + 1, serialNumber: serial,
            subject: subject, issuer: issuer, subjectAttributes: subjectAttributes, issuerAttributes: issuerAttributes,
            notBefore: try date(notBefore, "notBefore"), notAfter: try date(notAfter, "notAfter"),
            signatureAlgorithm: signatureName ?? signatureOID(cert), publicKeyAlgorithm: keyType, sm2PublicKey: sm2Key)
    }

    /// Parses `der` and reports how many bytes the certificate took. `d2i_X509`.
    private static func decode(_ der: [UInt8]) -> (OpaquePointer?, Int) {
        der.withUnsafeBufferPointer { buffer -> (OpaquePointer?, Int) in
            guard let base = buffer.baseAddress else { return (nil, 0) }
            var cursor: UnsafePointer<UInt8>? = base
            let cert = d2i_X509(nil, &cursor, buffer.count)
            return (cert, cursor.map { $0 - base } ?? 0)
        }
    }

    /// Verifies with the SM2 default distinguishing id set on a fresh copy of the certificate.
    /// `X509_set0_distinguishing_id`, `X509_verify`.
    static func verify(_ der: [UInt8], key: SM2PublicKey) -> Bool {
        defer { _ = OpenSSLErrorQueue.drain() }    // a failed check queues errors: not ours to keep
        let (decoded, _) = decode(der)
        guard let cert = decoded else { return false }
        defer { X509_free(cert) }
        guard let id = ASN1_OCTET_STRING_new() else { return false }
        guard ASN1_OCTET_STRING_set(id, SM2.defaultUserID, Int32(SM2.defaultUserID.count)) == 1 else {
            ASN1_OCTET_STRING_free(id)
            return false
        }
        X509_set0_distinguishing_id(cert, id)            // the certificate owns it now
        guard let pkey = try? SM2Backend.importKey(point: key.rawRepresentation, scalar: nil) else { return false }
        defer { EVP_PKEY_free(pkey) }
        return X509_verify(cert, pkey) == 1
    }

    /// RFC 2253 text of a name. `X509_NAME_print_ex` into a memory BIO.
    private static func nameText(_ name: OpaquePointer) throws(X509Error) -> String {
        guard let bio = BIO_new(BIO_s_mem()) else { throw unreadable("name") }
        defer { BIO_free(bio) }
        guard X509_NAME_print_ex(bio, name, 0, nameFlags) >= 0 else { throw unreadable("name") }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 256)
        while true {
            let n = BIO_read(bio, &chunk, Int32(chunk.count))
            guard n > 0 else { break }
            out += chunk.prefix(Int(n))
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Each attribute of a name, in order. `X509_NAME_get_entry`, `ASN1_STRING_to_UTF8`.
    private static func attributes(_ name: OpaquePointer) throws(X509Error) -> [X509Certificate.NameAttribute] {
        var out: [X509Certificate.NameAttribute] = []
        for index in 0..<X509_NAME_entry_count(name) {
            guard let entry = X509_NAME_get_entry(name, index),
                  let object = X509_NAME_ENTRY_get_object(entry),
                  let data = X509_NAME_ENTRY_get_data(entry) else { throw unreadable("name attribute") }
            let nid = OBJ_obj2nid(object)
            let type = nid != NID_undef ? OBJ_nid2sn(nid).map { String(cString: $0) } : nil
            var utf8: UnsafeMutablePointer<UInt8>?
            let length = ASN1_STRING_to_UTF8(&utf8, data)
            guard length >= 0, let utf8 else { throw unreadable("name attribute value") }
            let value = String(decoding: UnsafeBufferPointer(start: utf8, count: Int(length)), as: UTF8.self)
            CRYPTO_free(utf8, #fileID, #line)
            out.append(.init(type: type ?? objectText(object), value: value))
        }
        return out
    }

    /// Dotted OID text of an object. `OBJ_obj2txt` with no_name = 1.
    private static func objectText(_ object: OpaquePointer) -> String {
        var buffer = [CChar](repeating: 0, count: 128)
        let n = OBJ_obj2txt(&buffer, Int32(buffer.count), object, 1)
        guard n > 0 else { return "?" }
        return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    /// The signature algorithm OID when OpenSSL has no NID for it. `X509_get0_signature`.
    private static func signatureOID(_ cert: OpaquePointer) -> String {
        var algorithm: UnsafePointer<X509_ALGOR>?
        X509_get0_signature(nil, &algorithm, cert)
        var object: OpaquePointer?
        X509_ALGOR_get0(&object, nil, nil, algorithm)
        return object.map(objectText) ?? "?"
    }

    /// Big-endian magnitude of the serial. `ASN1_INTEGER_to_BN`, `BN_bn2bin`.
    private static func serialBytes(_ integer: UnsafePointer<ASN1_INTEGER>) throws(X509Error) -> [UInt8] {
        guard let bn = ASN1_INTEGER_to_BN(integer, nil) else { throw unreadable("serial number") }
        defer { BN_free(bn) }
        var out = [UInt8](repeating: 0, count: Int((BN_num_bits(bn) + 7) / 8))
        _ = BN_bn2bin(bn, &out)
        return out
    }

    /// A certificate time as a Date. `ASN1_TIME_to_tm`, `timegm`.
    private static func date(_ time: UnsafePointer<ASN1_TIME>, _ field: String) throws(X509Error) -> Date {
        var parts = tm()
        guard ASN1_TIME_to_tm(time, &parts) == 1 else { throw unreadable(field) }
        return Date(timeIntervalSince1970: TimeInterval(timegm(&parts)))
    }

    /// The key's type name and, for an SM2 key, its point X‖Y. `X509_get0_pubkey`,
    /// `EVP_PKEY_get_bn_param("qx"/"qy")`.
    private static func publicKey(_ cert: OpaquePointer) -> (String, SM2PublicKey?) {
        defer { _ = OpenSSLErrorQueue.drain() }
        guard let key = X509_get0_pubkey(cert) else { return ("unknown", nil) }
        let type = EVP_PKEY_get0_type_name(key).map { String(cString: $0) } ?? "unknown"
        guard EVP_PKEY_is_a(key, Name.sm2) == 1 else { return (type, nil) }
        var point: [UInt8] = []
        for name in [Name.publicX, Name.publicY] {
            var bn: OpaquePointer?
            guard EVP_PKEY_get_bn_param(key, name, &bn) == 1, let bn else { return (type, nil) }
            defer { BN_free(bn) }
            var half = [UInt8](repeating: 0, count: 32)
            guard BN_bn2binpad(bn, &half, 32) == 32 else { return (type, nil) }
            point += half
        }
        return (type, try? SM2PublicKey(rawRepresentation: point))
    }

    private static func unreadable(_ field: String) -> X509Error {
        .unreadableField(field, reason: OpenSSLErrorQueue.drain().reason)
    }
}
