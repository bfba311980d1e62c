/// A transparent file of SS.CERT.ADF1 in the card's PKI application (PKI.社会保障).
public enum PKIApplicationFile: UInt16, CaseIterable, Sendable {
    /// 0012: the signing public key, 66 bytes `CA 40 X‖Y`, all zero before generation.
    case signingPublicKey = 0x0012
    /// 0013: the signing private key; the card never lets it out.
    case signingPrivateKey = 0x0013
    /// 0018: 签名证书, the signing certificate (DER in a zero-filled 2048-byte file).
    case signingCertificate = 0x0018
    /// 0019: 加密证书, the encryption certificate (DER in a zero-filled 2048-byte file).
    case encryptionCertificate = 0x0019

    /// The 2-byte file id used with SELECT.
    public var fileID: [UInt8] { [UInt8(rawValue >> 8), UInt8(rawValue & 0xFF)] }

    /// Size of the certificate files 0018 and 0019.
    public static let certificateFileSize = 2048
}

/// The command APDUs the driver sends to the PKI application of a 3.0 card
/// (docs/card-simulation.md §5; the CA-loading sequence of a public Linux issuance driver,
/// leithergit/Z390Kylin). MACed commands use the simulation key scheme of `CardKeyScheme`.
public enum PKICommands {
    /// The largest UPDATE BINARY data field the driver sends: 255 bytes, the most a short
    /// APDU carries, so a certificate takes the fewest commands the card allows. The card
    /// announces no extended lengths (its ATR has no card-capabilities object), so none are sent.
    public static let maxWriteChunk = 0xFF
    /// The chunk the vendor code of leithergit/Z390Kylin writes (0x70 bytes): what the driver
    /// falls back to when a card refuses a longer data field with 6700.
    public static let vendorWriteChunk = 0x70
    /// The Le of each READ BINARY the driver sends: 256 (Le = 00), the most a short APDU asks.
    public static let readChunk = 0x100
    /// The length of the challenge asked for before MACed PKI commands.
    public static let challengeLength = 16

    /// SELECT the PKI application by AID: `00 A4 04 00 0C <PKI.社会保障>`.
    public static let selectApplication = CommandAPDU(ins: 0xA4, p1: 0x04, p2: 0x00, data: SSSE.pkiAID)

    /// SELECT SS.CERT.ADF1 by name (from the PKI application): `00 A4 04 00 0C "SS.CERT.ADF1"`.
    public static let selectCertificateADF = CommandAPDU(ins: 0xA4, p1: 0x04, p2: 0x00, data: SSSE.certADFAID)

    /// SELECT an EF of the current DF: `00 A4 02 00 02 <FID>`.
    public static func select(_ file: PKIApplicationFile) -> CommandAPDU {
        CommandAPDU(ins: 0xA4, p1: 0x02, p2: 0x00, data: file.fileID)
    }

    /// VERIFY of the admin PIN (管理员 PIN): `00 20 00 01 Lc <ASCII>`; nil unless the PIN is
    /// 4–16 printable ASCII characters.
    public static func verifyAdminPIN(_ pin: [UInt8]) -> CommandAPDU? {
        guard isAcceptableAdminPIN(pin) else { return nil }
        return CommandAPDU(ins: 0x20, p1: 0x00, p2: 0x01, data: pin)
    }

    /// GENERATE KEY PAIR: `80 40 00 00 08 C0020012 C2020013` (public key to 0012, private
    /// key to 0013).
    public static let generateSigningKeyPair = CommandAPDU(
        cla: 0x80, ins: 0x40, p1: 0x00, p2: 0x00, data: [0xC0, 0x02, 0x00, 0x12, 0xC2, 0x02, 0x00, 0x13])

    /// READ BINARY of the current EF: `00 B0 <offset> Le`.
    public static func readBinary(offset: Int, length: Int) -> CommandAPDU {
        precondition((0..<0x8000).contains(offset), "READ BINARY offset must fit 15 bits")
        return CommandAPDU(ins: 0xB0, p1: UInt8(offset >> 8), p2: UInt8(offset & 0xFF), expectedLength: length)
    }

    /// UPDATE BINARY of the current EF: `00 D6 <offset> Lc data`.
    public static func updateBinary(offset: Int, data: [UInt8]) -> CommandAPDU {
        precondition((0..<0x8000).contains(offset), "UPDATE BINARY offset must fit 15 bits")
        return CommandAPDU(ins: 0xD6, p1: UInt8(offset >> 8), p2: UInt8(offset & 0xFF), data: data)
    }

    /// IMPORT ENCRYPTION KEY PAIR: `80 4E 00 01 Lc <envelope>` (加密密钥, SM2-encrypted to the
    /// signing public key).
    public static func importEncryptionKeyPair(envelope: [UInt8]) -> CommandAPDU {
        CommandAPDU(cla: 0x80, ins: 0x4E, p1: 0x00, p2: 0x01, data: envelope)
    }

    /// CHANGE ADMIN PIN: `84 5E 01 01 Lc <new PIN ASCII ‖ MAC4>`, MAC with the card's current
    /// PKI master key over `challenge` (the card's last GET CHALLENGE).
    public static func changeAdminPIN(to pin: [UInt8], masterCardKey: [UInt8], challenge: [UInt8]) throws(CryptoError) -> CommandAPDU {
        try CardKeyScheme.securedCommand(cla: 0x84, ins: 0x5E, p1: 0x01, p2: 0x01, data: pin,
                                         cardKey: masterCardKey, challenge: challenge)
    }

    /// CHANGE MASTER KEY: `84 D4 01 00 14 <SM4-ECB(current key, new key) ‖ MAC4>`, MAC with
    /// the current PKI master key over `challenge`. `encryptedNewKey` is the CA's 主控密钥 item.
    public static func changeMasterKey(encryptedNewKey: [UInt8], masterCardKey: [UInt8], challenge: [UInt8]) throws(CryptoError) -> CommandAPDU {
        try CardKeyScheme.securedCommand(cla: 0x84, ins: 0xD4, p1: 0x01, p2: 0x00, data: encryptedNewKey,
                                         cardKey: masterCardKey, challenge: challenge)
    }

    /// PSO: COMPUTE DIGITAL SIGNATURE with the signing key: `00 2A 9E 9A Lc <message> 00`.
    public static func sign(_ message: [UInt8]) -> CommandAPDU {
        CommandAPDU(ins: 0x2A, p1: 0x9E, p2: 0x9A, data: message, expectedLength: 256)
    }

    /// 4–16 printable ASCII characters (0x21…0x7E), the admin PIN rule of the card.
    public static func isAcceptableAdminPIN(_ pin: [UInt8]) -> Bool {
        (4...16).contains(pin.count) && pin.allSatisfy { (0x21...0x7E).contains($0) }
    }
}
