import Foundation
import SSCardDriver

/// Why the simulated CA issued nothing.
public enum SimulatedCAError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The request was refused: why (a key that is not an SM2 point, another algorithm, a
    /// field of the wrong shape).
    case refused(String)
    /// An SM2/SM3/SM4 operation failed inside OpenSSL.
    case crypto(CryptoError)
    /// The CA's own output failed its checks (a bug): which check.
    case internalInconsistency(String)

    public var description: String {
        switch self {
        case .refused(let r): return "simulated CA refused the request: \(r)"
        case .crypto(let e): return "simulated CA crypto failure: \(e)"
        case .internalInconsistency(let r): return "simulated CA produced inconsistent items: \(r)"
        }
    }
}

/// A SIMULATOR of the province CA (省级 CA / 卡管 system) for instant issuance: it answers a
/// `CACertificateRequest` with the five items of iWriteCaStep2 (《广东省社会保障卡经办规程》附件9),
/// made the way the simulated card expects them (docs/card-simulation.md §8). It is not a real CA:
/// its key is generated in memory or fixed and public, and it keeps no records.
///
/// - 签名证书: X.509 v3 for the card's signing public key, signed by the CA with SM2/SM3.
/// - 加密证书: X.509 v3 for a fresh encryption key pair made here.
/// - 加密密钥: that pair's d (32 bytes) ‖ X‖Y (64 bytes), SM2-encrypted to the card's
///   signing public key.
/// - 主控密钥: a fresh 16-byte PKI master key, SM4-ECB-encrypted under the card's current
///   one, which the CA diversifies from `masterKeys` and the 卡识别码 (so it assumes the
///   card still has its pre-made PKI master key).
/// - 管理员PIN: a fresh 8-digit admin PIN.
public struct SimulatedCA: Sendable {
    /// The CA's self-signed certificate.
    public let certificate: X509Certificate
    /// The HSM master keys the card keys are diversified from.
    public let masterKeys: HSMMasterKeys
    /// How long issued certificates are valid.
    public var certificateLifetime: TimeInterval = 10 * 365 * 86_400

    private let key: SM2PrivateKey
    private let keyIdentifier: [UInt8]
    private let name: [NameAttributeSpec]

    /// A fixed, PUBLIC CA key for tests that want the same CA key on every run: the SM3 of
    /// the ASCII text "SIMTESTKEY-PROVINCE-CA". Worthless for anything real.
    public static var testKeyScalar: [UInt8] {
        (try? SM3.hash(Array("SIMTESTKEY-PROVINCE-CA".utf8))) ?? []
    }

    /// A CA with a fresh key (or the scalar `caKeyScalar`, e.g. `testKeyScalar`) and a
    /// self-signed certificate valid from `now` for 20 years.
    public init(masterKeys: HSMMasterKeys = .simulatorTestKeys, caKeyScalar: [UInt8]? = nil,
                commonName: String = "SIMULATED SSCard Province CA", now: Date = Date()) throws(SimulatedCAError) {
        do {
            if let caKeyScalar {
                key = try SM2PrivateKey(rawRepresentation: caKeyScalar)
            } else {
                key = try SM2PrivateKey()
            }
            keyIdentifier = try SimulatedCertificateBuilder.keyIdentifier(key.publicKey)
        } catch {
            throw .crypto(error)
        }
        self.masterKeys = masterKeys
        name = [
            NameAttributeSpec(oid: CertificateOID.country, value: "CN", type: .printable),
            NameAttributeSpec(oid: CertificateOID.organisation, value: "SSCard simulator (not a real CA)", type: .utf8),
            NameAttributeSpec(oid: CertificateOID.commonName, value: commonName, type: .utf8),
        ]
        let start = Self.wholeSeconds(now)
        let spec = CertificateSpec(
            serialNumber: [0x01], issuer: name, subject: name, notBefore: start,
            notAfter: start.addingTimeInterval(20 * 365 * 86_400), subjectPublicKey: key.publicKey,
            isCertificateAuthority: true, keyUsage: [.keyCertSign, .cRLSign], authorityKeyIdentifier: keyIdentifier)
        do {
            certificate = try X509Certificate(derEncoded: try SimulatedCertificateBuilder.build(spec, issuerKey: key))
        } catch let error as CryptoError {
            throw .crypto(error)
        } catch {
            throw .internalInconsistency("CA certificate does not parse: \(error)")
        }
    }

    /// The CA's public key.
    public var publicKey: SM2PublicKey { key.publicKey }

    /// What the CA hands back for one card. `newMasterCardKey` is the plain new PKI master
    /// key, for tests and for a simulated card-management record; a real CA never returns it.
    public struct Issued: Sendable {
        public var items: CAIssuance
        public var newMasterCardKey: [UInt8]
        /// `签名证书|加密证书|加密密钥|主控密钥|管理员PIN`.
        public var interfaceText: String { items.interfaceText }
    }

    /// Issues the five CA items for `request`. Refuses (`.refused`) a key that is not a point
    /// on the SM2 curve, an algorithm other than "SM2", an SSN that is not 1–18 ASCII letters
    /// or digits, a card number that is not 9 of them, an empty name or one over 64
    /// characters, and a region code that is not 6 digits.
    public func issue(_ request: CACertificateRequest, now: Date = Date()) throws(SimulatedCAError) -> Issued {
        let cardKey = try validate(request)
        let start = Self.wholeSeconds(now)
        let subject = [
            NameAttributeSpec(oid: CertificateOID.country, value: "CN", type: .printable),
            NameAttributeSpec(oid: CertificateOID.locality, value: request.regionCode, type: .printable),
            NameAttributeSpec(oid: CertificateOID.organisationalUnit, value: request.cardNumber, type: .printable),
            NameAttributeSpec(oid: CertificateOID.serialNumber, value: request.socialSecurityNumber, type: .printable),
            NameAttributeSpec(oid: CertificateOID.commonName, value: request.name, type: .utf8),
        ]
        do {
            // The encryption key pair and its envelope.
            let encryptionKey = try SM2PrivateKey()
            var scalar = try encryptionKey.exportRawRepresentation()
            var plaintext = scalar + encryptionKey.publicKey.rawRepresentation
            defer { KeyMaterial.wipe(&scalar); KeyMaterial.wipe(&plaintext) }
            let envelope = try cardKey.encrypt(plaintext)

            func certificate(for subjectKey: SM2PublicKey, usage: KeyUsageBits) throws(CryptoError) -> [UInt8] {
                var serial = try SecureRandom.bytes(16)
                serial[0] = serial[0] & 0x7F | 0x01      // positive, 16 bytes
                return try SimulatedCertificateBuilder.build(CertificateSpec(
                    serialNumber: serial, issuer: name, subject: subject, notBefore: start,
                    notAfter: start.addingTimeInterval(certificateLifetime), subjectPublicKey: subjectKey,
                    isCertificateAuthority: false, keyUsage: usage, authorityKeyIdentifier: keyIdentifier), issuerKey: key)
            }
            let signingDER = try certificate(for: cardKey, usage: [.digitalSignature, .nonRepudiation])
            let encryptionDER = try certificate(for: encryptionKey.publicKey, usage: [.keyEncipherment, .dataEncipherment, .keyAgreement])

            // The new PKI master key under the card's current one.
            var currentMasterCardKey = try masterKeys.cardKey(.pkiMaster, cardID: request.cardIdentificationCode.bytes)
            defer { KeyMaterial.wipe(&currentMasterCardKey) }
            let newMasterCardKey = try SecureRandom.bytes(CardKeyScheme.keySize)
            let encryptedMasterKey = try SM4.encryptECB(newMasterCardKey, key: currentMasterCardKey)

            let items: CAIssuance
            do {
                items = try CAIssuance(
                    signingCertificate: try X509Certificate(derEncoded: signingDER),
                    encryptionCertificate: try X509Certificate(derEncoded: encryptionDER),
                    encryptionKeyEnvelope: envelope, encryptedMasterKey: encryptedMasterKey,
                    adminPIN: try Self.newAdminPIN())
            } catch let error as CryptoError {
                throw error
            } catch {
                throw SimulatedCAError.internalInconsistency("\(error)")
            }
            return Issued(items: items, newMasterCardKey: newMasterCardKey)
        } catch let error as SimulatedCAError {
            throw error
        } catch let error as CryptoError {
            throw .crypto(error)
        } catch {
            throw .internalInconsistency("\(error)")
        }
    }

    /// The request's signing key, after checking every field.
    private func validate(_ request: CACertificateRequest) throws(SimulatedCAError) -> SM2PublicKey {
        guard request.algorithm == "SM2" else { throw .refused("algorithm \"\(request.algorithm)\", only SM2 is issued") }
        let key: SM2PublicKey
        do {
            key = try SM2PublicKey(rawRepresentation: request.signingPublicKey)
        } catch {
            throw .refused("signing public key: \(error)")
        }
        func isAlphanumeric(_ text: String) -> Bool {
            text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }
        }
        guard (1...18).contains(request.socialSecurityNumber.utf8.count), isAlphanumeric(request.socialSecurityNumber) else {
            throw .refused("社会保障号码 is not 1–18 ASCII letters or digits")
        }
        guard request.cardNumber.utf8.count == 9, isAlphanumeric(request.cardNumber) else {
            throw .refused("卡号 is not 9 ASCII letters or digits")
        }
        guard !request.name.isEmpty, request.name.count <= 64 else { throw .refused("姓名 is empty or over 64 characters") }
        guard request.regionCode.utf8.count == 6, request.regionCode.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else {
            throw .refused("发卡地区行政区划代码 is not 6 digits")
        }
        return key
    }

    /// 8 random decimal digits (rejection sampling, so every digit is equally likely).
    private static func newAdminPIN() throws(CryptoError) -> [UInt8] {
        var digits: [UInt8] = []
        while digits.count < 8 {
            for byte in try SecureRandom.bytes(16) where byte < 250 && digits.count < 8 {
                digits.append(0x30 + byte % 10)
            }
        }
        return digits
    }

    /// Certificates carry whole seconds.
    private static func wholeSeconds(_ date: Date) -> Date {
        Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
    }
}
