/// What the station sends the province CA after iWriteCaStep1 (what public issuance programs
/// send, e.g. leithergit/SSCard_System `Payment.cpp` and a Hainan issuance page: SSN, card
/// number, name, region code, signing public key, algorithm "SM2"). The 卡识别码 is added
/// because the CA side needs it to address the card's PKI master key; a real card-management
/// system finds it from the card number.
public struct CACertificateRequest: Hashable, Sendable {
    /// 社会保障号码.
    public var socialSecurityNumber: String
    /// 卡号.
    public var cardNumber: String
    /// 姓名.
    public var name: String
    /// 发卡地区行政区划代码, 6 digits.
    public var regionCode: String
    /// 卡识别码 of the card.
    public var cardIdentificationCode: CardIdentificationCode
    /// 签名公钥 (QMGY): the 64-byte X‖Y read from file 0012 by iWriteCaStep1.
    public var signingPublicKey: [UInt8]
    /// 算法 (sf): "SM2".
    public var algorithm: String

    public init(socialSecurityNumber: String, cardNumber: String, name: String, regionCode: String,
                cardIdentificationCode: CardIdentificationCode, signingPublicKey: [UInt8], algorithm: String = "SM2") {
        self.socialSecurityNumber = socialSecurityNumber
        self.cardNumber = cardNumber
        self.name = name
        self.regionCode = regionCode
        self.cardIdentificationCode = cardIdentificationCode
        self.signingPublicKey = signingPublicKey
        self.algorithm = algorithm
    }
}

/// The five CA items that iWriteCaStep2 loads into the card (《广东省社会保障卡经办规程》附件9;
/// the same five in public issuance code, e.g. leithergit/SSCard_System), in the interface's
/// order `签名证书|加密证书|加密密钥|主控密钥|管理员PIN`:
///
/// | Item | Field | Interface text |
/// |---|---|---|
/// | 签名证书 QMZS | `signingCertificate` | base64 of the DER certificate |
/// | 加密证书 JMZS | `encryptionCertificate` | base64 of the DER certificate |
/// | 加密密钥 JMMY | `encryptionKeyEnvelope` | hex: SM2 ciphertext (C1 C3 C2, ASN.1) of d ‖ X‖Y to the signing key |
/// | 主控密钥 ZKMY | `encryptedMasterKey` | 32 hex: SM4-ECB(current PKI master card key, new key) |
/// | 管理员PIN GLYPIN | `adminPIN` | the new admin PIN as text, 4–16 printable ASCII, no `|` |
///
/// docs/card-simulation.md §8 describes the formats. The value holds secrets: call
/// `wipeSecrets()` when it is no longer needed.
public struct CAIssuance: Hashable, Sendable {
    /// 签名证书: certifies the card's signing public key (file 0012); written to 0018.
    public var signingCertificate: X509Certificate
    /// 加密证书: certifies the encryption key pair; written to 0019.
    public var encryptionCertificate: X509Certificate
    /// 加密密钥: the encryption key pair enveloped to the card's signing public key.
    public var encryptionKeyEnvelope: [UInt8]
    /// 主控密钥: the new 16-byte PKI master key, SM4-ECB-encrypted under the card's current one.
    public var encryptedMasterKey: [UInt8]
    /// 管理员PIN: the new admin PIN, ASCII bytes.
    public var adminPIN: [UInt8]

    /// Checks the sizes the card will insist on: an envelope of 1–255 bytes, a 16-byte
    /// master key, an admin PIN of 4–16 printable ASCII characters other than `|`, and
    /// certificates that fit the 2048-byte files.
    public init(signingCertificate: X509Certificate, encryptionCertificate: X509Certificate,
                encryptionKeyEnvelope: [UInt8], encryptedMasterKey: [UInt8], adminPIN: [UInt8]) throws(CAIssuanceError) {
        for (item, certificate) in [("签名证书", signingCertificate), ("加密证书", encryptionCertificate)]
        where certificate.derEncoded.count > PKIApplicationFile.certificateFileSize {
            throw .invalidItem(item, reason: "\(certificate.derEncoded.count) bytes, the card file holds 2048")
        }
        guard (1...255).contains(encryptionKeyEnvelope.count) else {
            throw .invalidItem("加密密钥", reason: "\(encryptionKeyEnvelope.count) bytes, expected 1–255")
        }
        guard encryptedMasterKey.count == CardKeyScheme.keySize else {
            throw .invalidItem("主控密钥", reason: "\(encryptedMasterKey.count) bytes, expected 16")
        }
        guard PKICommands.isAcceptableAdminPIN(adminPIN), !adminPIN.contains(0x7C) else {
            throw .invalidItem("管理员PIN", reason: "not 4–16 printable ASCII characters without '|'")
        }
        self.signingCertificate = signingCertificate
        self.encryptionCertificate = encryptionCertificate
        self.encryptionKeyEnvelope = encryptionKeyEnvelope
        self.encryptedMasterKey = encryptedMasterKey
        self.adminPIN = adminPIN
    }

    /// Parses the interface text `签名证书|加密证书|加密密钥|主控密钥|管理员PIN`, with or without
    /// a final `|`.
    public init(interfaceText text: String) throws(CAIssuanceError) {
        var fields = text.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        if fields.count == 6, fields[5].isEmpty { fields.removeLast() }
        guard fields.count == 5 else { throw .wrongItemCount(fields.count) }
        func certificate(_ index: Int, _ item: String) throws(CAIssuanceError) -> X509Certificate {
            do { return try X509Certificate(base64Encoded: fields[index]) } catch { throw .invalidCertificate(item, error) }
        }
        let signing = try certificate(0, "签名证书")
        let encryption = try certificate(1, "加密证书")
        guard let envelope = [UInt8](hex: fields[2]) else { throw .invalidItem("加密密钥", reason: "not hexadecimal") }
        guard let masterKey = [UInt8](hex: fields[3]) else { throw .invalidItem("主控密钥", reason: "not hexadecimal") }
        try self.init(signingCertificate: signing, encryptionCertificate: encryption, encryptionKeyEnvelope: envelope,
                      encryptedMasterKey: masterKey, adminPIN: Array(fields[4].utf8))
    }

    /// The interface text `签名证书|加密证书|加密密钥|主控密钥|管理员PIN` (no final `|`).
    public var interfaceText: String {
        [signingCertificate.base64Encoded, encryptionCertificate.base64Encoded, encryptionKeyEnvelope.hexString,
         encryptedMasterKey.hexString, String(decoding: adminPIN, as: UTF8.self)].joined(separator: "|")
    }

    /// Zeroes this value's copies of the envelope, the master key and the admin PIN.
    public mutating func wipeSecrets() {
        KeyMaterial.wipe(&encryptionKeyEnvelope)
        KeyMaterial.wipe(&encryptedMasterKey)
        KeyMaterial.wipe(&adminPIN)
    }
}

extension CAIssuance: CustomStringConvertible, CustomDebugStringConvertible {
    /// The certificates' subjects and the secret items' sizes only: interpolating the value (in an
    /// error, a log line, an XCTAssert message) never prints the envelope, the master key or the
    /// admin PIN, as the memberwise default would.
    public var description: String {
        "CAIssuance(签名证书 \(signingCertificate.derEncoded.count) bytes, 加密证书 \(encryptionCertificate.derEncoded.count) bytes, "
            + "加密密钥 \(encryptionKeyEnvelope.count) bytes, 主控密钥 \(encryptedMasterKey.count) bytes, 管理员PIN \(adminPIN.count) characters: redacted)"
    }

    public var debugDescription: String { description }
}

/// Why CA items could not be taken.
public enum CAIssuanceError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The interface text did not have 5 `|`-separated items.
    case wrongItemCount(Int)
    /// A certificate item (签名证书 or 加密证书) that is not a certificate.
    case invalidCertificate(String, X509Error)
    /// Another item with the wrong shape: which, and why.
    case invalidItem(String, reason: String)

    public var description: String {
        switch self {
        case .wrongItemCount(let n): return "CA items: \(n) fields, expected 签名证书|加密证书|加密密钥|主控密钥|管理员PIN"
        case .invalidCertificate(let item, let e): return "\(item): \(e)"
        case .invalidItem(let item, let r): return "\(item): \(r)"
        }
    }
}
