import SSCardDriver

/// The transparent files of SS.CERT.ADF1 in the PKI application (PKI.社会保障).
public enum PKIFile: UInt16, CaseIterable, Sendable, Codable {
    /// 0012: the signing public key, 66 bytes `CA 40 X‖Y` (all zero before generation).
    case signingPublicKey = 0x0012
    /// 0013: the signing private key; selectable, never readable (6982).
    case signingPrivateKey = 0x0013
    /// 0018: the signing certificate (签名证书), DER, in a 2048-byte zero-filled file.
    case signingCertificate = 0x0018
    /// 0019: the encryption certificate (加密证书), DER, in a 2048-byte zero-filled file.
    case encryptionCertificate = 0x0019
}

/// The persistent part of the PKI application.
public struct PKIApplicationImage: Hashable, Sendable {
    /// Size of each certificate file.
    public static let certificateFileSize = 2048

    /// 管理员 PIN.
    public var adminPIN: PINCounter = .initialAdminPIN
    /// The signing key pair, generated on the card by GENERATE KEY PAIR (nil before).
    public var signingPrivateKey: [UInt8]?
    public var signingPublicKey: [UInt8]?
    /// The encryption key pair, imported from the CA's envelope (nil before).
    public var encryptionPrivateKey: [UInt8]?
    public var encryptionPublicKey: [UInt8]?
    /// Contents of files 0018 and 0019.
    public var signingCertificate = [UInt8](repeating: 0, count: certificateFileSize)
    public var encryptionCertificate = [UInt8](repeating: 0, count: certificateFileSize)

    public init() {}

    /// What READ BINARY of `file` sees; nil for the unreadable private key file.
    func contents(of file: PKIFile) -> [UInt8]? {
        switch file {
        case .signingPublicKey:
            guard let key = signingPublicKey else { return [UInt8](repeating: 0, count: 66) }
            return [0xCA, 0x40] + key
        case .signingPrivateKey: return nil
        case .signingCertificate: return signingCertificate
        case .encryptionCertificate: return encryptionCertificate
        }
    }
}

extension PKIApplicationImage: Codable {
    private enum CodingKeys: String, CodingKey {
        case adminPIN, signingPrivateKey, signingPublicKey, encryptionPrivateKey, encryptionPublicKey
        case signingCertificate, encryptionCertificate
    }

    /// Certificates are stored without the file's trailing zero bytes.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        adminPIN = try c.decode(PINCounter.self, forKey: .adminPIN)
        signingPrivateKey = try c.decodeHexIfPresent(.signingPrivateKey, count: SM2.privateKeySize)
        signingPublicKey = try c.decodeHexIfPresent(.signingPublicKey, count: SM2.publicKeySize)
        encryptionPrivateKey = try c.decodeHexIfPresent(.encryptionPrivateKey, count: SM2.privateKeySize)
        encryptionPublicKey = try c.decodeHexIfPresent(.encryptionPublicKey, count: SM2.publicKeySize)
        guard (signingPrivateKey == nil) == (signingPublicKey == nil),
              (encryptionPrivateKey == nil) == (encryptionPublicKey == nil) else {
            throw DecodingError.dataCorruptedError(forKey: .signingPublicKey, in: c, debugDescription: "a key pair lacks one half")
        }
        for (key, path) in [(CodingKeys.signingCertificate, \Self.signingCertificate), (.encryptionCertificate, \Self.encryptionCertificate)] {
            let stored = try c.decodeHex(key)
            guard stored.count <= Self.certificateFileSize else {
                throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "longer than the 2048-byte file")
            }
            self[keyPath: path] = stored + [UInt8](repeating: 0, count: Self.certificateFileSize - stored.count)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(adminPIN, forKey: .adminPIN)
        try c.encodeHexIfPresent(signingPrivateKey, forKey: .signingPrivateKey)
        try c.encodeHexIfPresent(signingPublicKey, forKey: .signingPublicKey)
        try c.encodeHexIfPresent(encryptionPrivateKey, forKey: .encryptionPrivateKey)
        try c.encodeHexIfPresent(encryptionPublicKey, forKey: .encryptionPublicKey)
        func trimmed(_ bytes: [UInt8]) -> [UInt8] { Array(bytes[..<(bytes.lastIndex { $0 != 0 }.map { $0 + 1 } ?? 0)]) }
        try c.encodeHex(trimmed(signingCertificate), forKey: .signingCertificate)
        try c.encodeHex(trimmed(encryptionCertificate), forKey: .encryptionCertificate)
    }
}

// The PKI application's commands. Except VERIFY of the admin PIN and the master key change,
// they need SS.CERT.ADF1 selected (6985 otherwise).
extension CardSession {
    private var inPKIApplication: Bool {
        security.currentDF == .pki || security.currentDF == .certificateADF
    }

    /// The data of GENERATE KEY PAIR: public key to 0012, private key to 0013.
    static let generateKeyPairData: [UInt8] = [0xC0, 0x02, 0x00, 0x12, 0xC2, 0x02, 0x00, 0x13]

    /// GENERATE KEY PAIR `80 40 00 00 08 C0020012 C2020013`: a new SM2 signing key pair made
    /// on the card; the private key never leaves it. The first generation needs nothing;
    /// replacing an existing pair needs the admin PIN (6982). 6700 Lc ≠ 8, 6A80 other data.
    mutating func generateKeyPair(_ command: CommandAPDU) -> ResponseAPDU {
        guard command.p1 == 0, command.p2 == 0 else { return .status(.incorrectP1P2) }
        guard security.currentDF == .certificateADF else { return .status(.conditionsNotSatisfied) }
        guard command.data.count == Self.generateKeyPairData.count else { return .status(.wrongLength) }
        guard command.data == Self.generateKeyPairData else { return .status(.wrongData) }
        if image.pki.signingPrivateKey != nil, !security.adminPINVerified { return .status(.securityStatusNotSatisfied) }
        guard let key = try? SM2PrivateKey(), let scalar = try? key.exportRawRepresentation() else {
            return .status(.noPreciseDiagnosis)
        }
        image.pki.signingPrivateKey = scalar
        image.pki.signingPublicKey = key.publicKey.rawRepresentation
        return .ok()
    }

    /// IMPORT ENCRYPTION KEY PAIR `80 4E 00 01 Lc <envelope>`: the envelope is the SM2
    /// encryption, to the card's signing public key, of d (32 bytes) ‖ X‖Y (64 bytes) of the
    /// encryption key pair. Needs the admin PIN (6982) and a signing key (6985); 6A80 when
    /// the envelope does not decrypt or X‖Y is not d·G.
    mutating func importEncryptionKeyPair(_ command: CommandAPDU) -> ResponseAPDU {
        guard command.p1 == 0x00, command.p2 == 0x01 else { return .status(.incorrectP1P2) }
        guard security.currentDF == .certificateADF else { return .status(.conditionsNotSatisfied) }
        guard !command.data.isEmpty else { return .status(.wrongLength) }
        guard security.adminPINVerified else { return .status(.securityStatusNotSatisfied) }
        guard let signingScalar = image.pki.signingPrivateKey,
              let signingKey = try? SM2PrivateKey(rawRepresentation: signingScalar) else {
            return .status(.conditionsNotSatisfied)
        }
        guard var plaintext = try? signingKey.decrypt(command.data) else { return .status(.wrongData) }
        defer { KeyMaterial.wipe(&plaintext) }
        guard plaintext.count == SM2.privateKeySize + SM2.publicKeySize,
              let imported = try? SM2PrivateKey(rawRepresentation: Array(plaintext[..<SM2.privateKeySize])),
              imported.publicKey.rawRepresentation == Array(plaintext[SM2.privateKeySize...]) else {
            return .status(.wrongData)
        }
        image.pki.encryptionPrivateKey = Array(plaintext[..<SM2.privateKeySize])
        image.pki.encryptionPublicKey = imported.publicKey.rawRepresentation
        return .ok()
    }

    /// The current binary EF of SS.CERT.ADF1 and the offset in P1 P2 (15 bits; an SFI in P1
    /// is not supported: 6A86). 6986 no EF, 6981 a record EF.
    private func binaryFile(_ command: CommandAPDU) -> Result<(PKIFile, Int), Refusal> {
        guard command.p1 & 0x80 == 0 else { return .failure(Refusal(.incorrectP1P2)) }
        switch security.currentEF {
        case .binary(let file): return .success((file, Int(command.p1) << 8 | Int(command.p2)))
        case .record: return .failure(Refusal(.commandIncompatibleWithFile))
        case nil: return .failure(Refusal(.commandNotAllowedNoEF))
        }
    }

    /// READ BINARY `00 B0 <offset> Le` of 0012, 0018 or 0019: up to Le bytes from the
    /// offset (Le 00 = up to 256). 6982 file 0013, 6B00 offset at or past the end, 6700 no Le.
    /// With the T=0 flag an Le (other than 00) past the end answers 6Cxx with what is left.
    mutating func readBinary(_ command: CommandAPDU) -> ResponseAPDU {
        guard command.data.isEmpty, let le = command.expectedLength else { return .status(.wrongLength) }
        let (file, offset): (PKIFile, Int)
        switch binaryFile(command) {
        case .success(let found): (file, offset) = found
        case .failure(let refusal): return .status(refusal.statusWord)
        }
        guard let contents = image.pki.contents(of: file) else { return .status(.securityStatusNotSatisfied) }
        guard offset < contents.count else { return .status(.wrongP1P2) }
        let remaining = contents.count - offset
        if image.answersLikeT0, le != 256, le > remaining {
            return .status(StatusWord(0x6C, UInt8(remaining & 0xFF)))
        }
        return .ok(Array(contents[offset..<(offset + min(le, remaining))]))
    }

    /// UPDATE BINARY `00 D6 <offset> Lc data` of 0018 or 0019: needs the admin PIN (6982);
    /// 0012 and 0013 are written only by the card (6982). 6B00 offset past the end, 6700
    /// data running past the end.
    mutating func updateBinary(_ command: CommandAPDU) -> ResponseAPDU {
        guard !command.data.isEmpty else { return .status(.wrongLength) }
        let (file, offset): (PKIFile, Int)
        switch binaryFile(command) {
        case .success(let found): (file, offset) = found
        case .failure(let refusal): return .status(refusal.statusWord)
        }
        let path: WritableKeyPath<PKIApplicationImage, [UInt8]>
        switch file {
        case .signingCertificate: path = \.signingCertificate
        case .encryptionCertificate: path = \.encryptionCertificate
        case .signingPublicKey, .signingPrivateKey: return .status(.securityStatusNotSatisfied)
        }
        guard security.adminPINVerified else { return .status(.securityStatusNotSatisfied) }
        guard offset < PKIApplicationImage.certificateFileSize else { return .status(.wrongP1P2) }
        guard offset + command.data.count <= PKIApplicationImage.certificateFileSize else { return .status(.wrongLength) }
        image.pki[keyPath: path].replaceSubrange(offset..<(offset + command.data.count), with: command.data)
        return .ok()
    }

    /// CHANGE ADMIN PIN `84 5E 01 01 Lc <new admin PIN ASCII ‖ MAC4>`, MAC with the card's
    /// current PKI master key: new PIN, full counter. 6985 outside the PKI application or no
    /// challenge, 6988 bad MAC, 6A80 new PIN not 4–16 printable ASCII characters.
    mutating func changeAdminPIN(_ command: CommandAPDU) -> ResponseAPDU {
        guard inPKIApplication else { return .status(.conditionsNotSatisfied) }
        let payload: [UInt8]
        switch openSecuredData(command, cardKey: image.keys[.pkiMaster]) {
        case .success(let p): payload = p
        case .failure(let refusal): return .status(refusal.statusWord)
        }
        guard let new = PINCounter.value(from: payload, format: .ascii) else { return .status(.wrongData) }
        image.pki.adminPIN.replace(with: new)
        security.adminPINVerified = false
        return .ok()
    }

    /// CHANGE MASTER KEY `84 D4 01 00 14 <SM4-ECB(current key, new key 16) ‖ MAC4>`, MAC with
    /// the current PKI master key (主控密钥). 6985 outside the PKI application or no challenge,
    /// 6700 Lc ≠ 20, 6988 bad MAC.
    mutating func changeMasterKey(_ command: CommandAPDU) -> ResponseAPDU {
        guard command.p1 == 0x01, command.p2 == 0x00 else { return .status(.incorrectP1P2) }
        guard inPKIApplication else { return .status(.conditionsNotSatisfied) }
        let current = image.keys[.pkiMaster]
        let payload: [UInt8]
        switch openSecuredData(command, cardKey: current) {
        case .success(let p): payload = p
        case .failure(let refusal): return .status(refusal.statusWord)
        }
        guard payload.count == CardKeyScheme.keySize else { return .status(.wrongLength) }
        guard var newKey = try? SM4.decryptECB(payload, key: current) else { return .status(.noPreciseDiagnosis) }
        defer { KeyMaterial.wipe(&newKey) }
        image.keys[.pkiMaster] = newKey
        return .ok()
    }

    /// PSO: COMPUTE DIGITAL SIGNATURE `00 2A 9E 9A Lc <message>` with the signing key: SM2
    /// r‖s (64 bytes) over the message with SM3 and the default id. Needs the SSSE PIN
    /// verified (6982) and a signing key (6985).
    mutating func sign(_ command: CommandAPDU) -> ResponseAPDU {
        guard command.p1 == 0x9E, command.p2 == 0x9A else { return .status(.incorrectP1P2) }
        guard security.currentDF == .certificateADF else { return .status(.conditionsNotSatisfied) }
        guard !command.data.isEmpty else { return .status(.wrongLength) }
        guard security.userPINVerified else { return .status(.securityStatusNotSatisfied) }
        guard let scalar = image.pki.signingPrivateKey else { return .status(.conditionsNotSatisfied) }
        guard let key = try? SM2PrivateKey(rawRepresentation: scalar),
              let signature = try? key.signature(for: command.data) else {
            return .status(.noPreciseDiagnosis)
        }
        return .ok(signature)
    }
}
