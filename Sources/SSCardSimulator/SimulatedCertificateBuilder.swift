import Foundation
import SSCardDriver

/// The few DER encodings (ITU-T X.690) an X.509 certificate needs, written in Swift so the
/// simulated CA does not share code with the driver's OpenSSL-based parser: each side checks
/// the other.
enum DER {
    /// Tag ‖ definite length ‖ content. Lengths up to 65535 (all a certificate here needs).
    static func element(_ tag: UInt8, _ content: [UInt8]) -> [UInt8] {
        precondition(content.count <= 0xFFFF, "DER element longer than 65535 bytes")
        let n = content.count
        let length: [UInt8] = n < 0x80 ? [UInt8(n)] : n <= 0xFF ? [0x81, UInt8(n)] : [0x82, UInt8(n >> 8), UInt8(n & 0xFF)]
        return [tag] + length + content
    }

    static func sequence(_ items: [[UInt8]]) -> [UInt8] { element(0x30, items.flatMap { $0 }) }
    static func set(_ items: [[UInt8]]) -> [UInt8] { element(0x31, items.flatMap { $0 }) }
    /// [n] EXPLICIT, constructed context-specific.
    static func explicit(_ n: UInt8, _ content: [UInt8]) -> [UInt8] { element(0xA0 | n, content) }
    static func boolean(_ value: Bool) -> [UInt8] { [0x01, 0x01, value ? 0xFF : 0x00] }
    static func octetString(_ bytes: [UInt8]) -> [UInt8] { element(0x04, bytes) }
    static func utf8String(_ text: String) -> [UInt8] { element(0x0C, Array(text.utf8)) }
    static func printableString(_ text: String) -> [UInt8] { element(0x13, Array(text.utf8)) }

    /// A non-negative INTEGER from big-endian magnitude bytes: leading zeros dropped, one
    /// zero byte added when the top bit is set.
    static func unsignedInteger(_ magnitude: [UInt8]) -> [UInt8] {
        var bytes = Array(magnitude.drop { $0 == 0 })
        if bytes.isEmpty || bytes[0] & 0x80 != 0 { bytes.insert(0, at: 0) }
        return element(0x02, bytes)
    }

    static func integer(_ value: Int) -> [UInt8] {
        precondition(value >= 0, "only non-negative integers")
        var magnitude: [UInt8] = []
        var v = value
        repeat { magnitude.insert(UInt8(v & 0xFF), at: 0); v >>= 8 } while v > 0
        return unsignedInteger(magnitude)
    }

    /// BIT STRING with `unusedBits` unused bits in the last byte.
    static func bitString(_ bytes: [UInt8], unusedBits: UInt8 = 0) -> [UInt8] { element(0x03, [unusedBits] + bytes) }

    /// OBJECT IDENTIFIER from dotted text (programmer error if malformed).
    static func objectIdentifier(_ dotted: String) -> [UInt8] {
        let arcs = dotted.split(separator: ".").map { UInt64($0)! }
        precondition(arcs.count >= 2 && arcs[0] <= 2, "OID needs two arcs")
        var content: [UInt8] = []
        for arc in [arcs[0] * 40 + arcs[1]] + arcs.dropFirst(2) {
            var groups: [UInt8] = [UInt8(arc & 0x7F)]
            var v = arc >> 7
            while v > 0 { groups.insert(UInt8(v & 0x7F) | 0x80, at: 0); v >>= 7 }
            content += groups
        }
        return element(0x06, content)
    }

    /// UTCTime before 2050, GeneralizedTime from 2050 (RFC 5280 §4.1.2.5), seconds, "Z".
    static func time(_ date: Date) -> [UInt8] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ v: Int?) -> String { let s = String(v ?? 0); return s.count < 2 ? "0" + s : s }
        let year = c.year ?? 1970
        let rest = two(c.month) + two(c.day) + two(c.hour) + two(c.minute) + two(c.second) + "Z"
        if (1950..<2050).contains(year) { return element(0x17, Array((two(year % 100) + rest).utf8)) }
        return element(0x18, Array((String(year) + rest).utf8))
    }
}

/// The object identifiers the simulated certificates use.
enum CertificateOID {
    /// SM2-with-SM3 signature (GM/T 0006).
    static let sm2WithSM3 = "1.2.156.10197.1.501"
    /// id-ecPublicKey with the named curve sm2p256v1.
    static let ecPublicKey = "1.2.840.10045.2.1"
    static let sm2Curve = "1.2.156.10197.1.301"
    static let country = "2.5.4.6"
    static let locality = "2.5.4.7"
    static let organisation = "2.5.4.10"
    static let organisationalUnit = "2.5.4.11"
    static let commonName = "2.5.4.3"
    static let serialNumber = "2.5.4.5"
    static let basicConstraints = "2.5.29.19"
    static let keyUsage = "2.5.29.15"
    static let subjectKeyIdentifier = "2.5.29.14"
    static let authorityKeyIdentifier = "2.5.29.35"
}

/// One attribute of a distinguished name as the builder writes it.
struct NameAttributeSpec {
    enum StringType { case printable, utf8 }
    var oid: String
    var value: String
    var type: StringType
}

/// Key usage bits (RFC 5280 §4.2.1.3), bit 0 = the most significant bit of the first byte.
struct KeyUsageBits: OptionSet {
    let rawValue: UInt8
    static let digitalSignature = KeyUsageBits(rawValue: 0x80)
    static let nonRepudiation = KeyUsageBits(rawValue: 0x40)
    static let keyEncipherment = KeyUsageBits(rawValue: 0x20)
    static let dataEncipherment = KeyUsageBits(rawValue: 0x10)
    static let keyAgreement = KeyUsageBits(rawValue: 0x08)
    static let keyCertSign = KeyUsageBits(rawValue: 0x04)
    static let cRLSign = KeyUsageBits(rawValue: 0x02)

    /// The DER BIT STRING: trailing zero bits are not encoded (unused-bit count).
    var derBitString: [UInt8] {
        precondition(rawValue != 0, "empty key usage")
        return DER.bitString([rawValue], unusedBits: UInt8(rawValue.trailingZeroBitCount))
    }
}

/// What goes into one simulated certificate.
struct CertificateSpec {
    var serialNumber: [UInt8]
    var issuer: [NameAttributeSpec]
    var subject: [NameAttributeSpec]
    var notBefore: Date
    var notAfter: Date
    var subjectPublicKey: SM2PublicKey
    var isCertificateAuthority: Bool
    var keyUsage: KeyUsageBits
    /// The issuer's subject key identifier, for the authority key identifier extension.
    var authorityKeyIdentifier: [UInt8]
}

/// Builds and signs X.509 v3 certificates with SM2/SM3 for the simulated CA.
enum SimulatedCertificateBuilder {
    /// The key identifier of a public key: the first 20 bytes of SM3 over the subject public
    /// key bits (04 ‖ X ‖ Y). RFC 5280 §4.2.1.2 allows any method that gives unique values;
    /// SM3 keeps the CA to the 国密 suite.
    static func keyIdentifier(_ key: SM2PublicKey) throws(CryptoError) -> [UInt8] {
        Array(try SM3.hash([0x04] + key.rawRepresentation).prefix(20))
    }

    /// The DER certificate for `spec`, signed by `issuerKey` with SM2/SM3 and the default
    /// distinguishing id.
    static func build(_ spec: CertificateSpec, issuerKey: SM2PrivateKey) throws(CryptoError) -> [UInt8] {
        let algorithm = DER.sequence([DER.objectIdentifier(CertificateOID.sm2WithSM3)])
        let publicKeyInfo = DER.sequence([
            DER.sequence([DER.objectIdentifier(CertificateOID.ecPublicKey), DER.objectIdentifier(CertificateOID.sm2Curve)]),
            DER.bitString([0x04] + spec.subjectPublicKey.rawRepresentation),
        ])
        let basicConstraints = spec.isCertificateAuthority ? DER.sequence([DER.boolean(true)]) : DER.sequence([])
        let extensions = DER.sequence([
            extensionField(CertificateOID.basicConstraints, critical: true, value: basicConstraints),
            extensionField(CertificateOID.keyUsage, critical: true, value: spec.keyUsage.derBitString),
            extensionField(CertificateOID.subjectKeyIdentifier, critical: false,
                           value: DER.octetString(try keyIdentifier(spec.subjectPublicKey))),
            extensionField(CertificateOID.authorityKeyIdentifier, critical: false,
                           value: DER.sequence([DER.element(0x80, spec.authorityKeyIdentifier)])),
        ])
        let tbs = DER.sequence([
            DER.explicit(0, DER.integer(2)),
            DER.unsignedInteger(spec.serialNumber),
            algorithm,
            name(spec.issuer),
            DER.sequence([DER.time(spec.notBefore), DER.time(spec.notAfter)]),
            name(spec.subject),
            publicKeyInfo,
            DER.explicit(3, extensions),
        ])
        let signature = try issuerKey.signature(for: tbs)
        let derSignature = DER.sequence([
            DER.unsignedInteger(Array(signature.prefix(32))), DER.unsignedInteger(Array(signature.suffix(32))),
        ])
        return DER.sequence([tbs, algorithm, DER.bitString(derSignature)])
    }

    /// Name: SEQUENCE OF SET OF one AttributeTypeAndValue each.
    static func name(_ attributes: [NameAttributeSpec]) -> [UInt8] {
        DER.sequence(attributes.map { attribute in
            let value = attribute.type == .printable ? DER.printableString(attribute.value) : DER.utf8String(attribute.value)
            return DER.set([DER.sequence([DER.objectIdentifier(attribute.oid), value])])
        })
    }

    private static func extensionField(_ oid: String, critical: Bool, value: [UInt8]) -> [UInt8] {
        DER.sequence([DER.objectIdentifier(oid)] + (critical ? [DER.boolean(true)] : []) + [DER.octetString(value)])
    }
}
