/// Why the driver stopped a CA step before or after talking to the card (card refusals are
/// `CardError.refused` with the status word).
public enum PKIApplicationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The signing certificate certifies another key than the card's file 0012: nothing was
    /// written. Both keys as X‖Y (the certificate's is empty when it is not an SM2 key).
    case signingKeyMismatch(certificateKey: [UInt8], cardKey: [UInt8])
    /// File 0012 is empty: iWriteCaStep1 has not generated the signing key yet.
    case noSigningKey
    /// An admin PIN that is not 4–16 printable ASCII characters; nothing was sent.
    case invalidAdminPIN
    /// A PKI master card key that is not 16 bytes; nothing was sent.
    case invalidMasterCardKey(length: Int)
    /// A certificate file did not read back as it was written.
    case certificateReadBackMismatch(PKIApplicationFile)
    /// A MAC could not be computed (OpenSSL failure).
    case crypto(CryptoError)

    public var description: String {
        switch self {
        case .signingKeyMismatch(let cert, let card):
            return "the signing certificate's public key \(cert.isEmpty ? "(not SM2)" : cert.hexString) "
                + "is not the card's signing key \(card.hexString); nothing was written"
        case .noSigningKey: return "the card has no signing key in 0012 (run iWriteCaStep1 first)"
        case .invalidAdminPIN: return "admin PIN is not 4–16 printable ASCII characters"
        case .invalidMasterCardKey(let n): return "PKI master card key is \(n) bytes, expected 16"
        case .certificateReadBackMismatch(let f): return "file \(f.fileID.hexString) did not read back as written"
        case .crypto(let e): return "MAC computation failed: \(e)"
        }
    }
}

/// The card's PKI application (PKI.社会保障 / SS.CERT.ADF1) over any `CardChannel`: the two
/// instant-issuance CA steps and the commands they are made of. Every card refusal is thrown
/// as `CardError.refused` with the card's status word (63Cx for a wrong admin PIN).
///
/// PINs and keys are taken as byte arrays so callers can wipe them; this type keeps none of
/// them beyond a call and wipes the copies it makes (`KeyMaterial.wipe`).
public struct PKIApplicationClient: Sendable {
    public let channel: any CardChannel

    public init(channel: any CardChannel) {
        self.channel = channel
    }

    // MARK: - The two CA steps

    /// iWriteCaStep1: prepares the CA environment and returns the card's 64-byte signing
    /// public key X‖Y (签名公钥, for the CA request). Selects PKI and SS.CERT.ADF1, verifies
    /// the admin PIN (so a wrong one is found before the CA is asked), generates the signing
    /// key pair only if file 0012 is all zeros, and reads 0012.
    public func prepareSigningKey(adminPIN: [UInt8]) throws -> [UInt8] {
        try selectCertificateADF()
        try verifyAdminPIN(adminPIN)
        if let existing = try readSigningPublicKey() { return existing.rawRepresentation }
        try generateSigningKeyPair()
        guard let generated = try readSigningPublicKey() else {
            throw CardError.malformedData("file 0012 still empty after GENERATE KEY PAIR")
        }
        return generated.rawRepresentation
    }

    /// iWriteCaStep2: loads the five CA items. In this order:
    /// 1. checks that the signing certificate's public key equals the card's 0012 key
    ///    (`signingKeyMismatch` otherwise, before any PIN or write);
    /// 2. verifies the current admin PIN;
    /// 3. imports the encryption key envelope (加密密钥);
    /// 4. writes 0018 and 0019 with UPDATE BINARY in chunks of at most 255 bytes and reads
    ///    them back;
    /// 5. GET CHALLENGE, changes the admin PIN to the CA's (MAC with `currentMasterCardKey`);
    /// 6. GET CHALLENGE, changes the PKI master key to the CA's (MAC with the same, still
    ///    current key).
    ///
    /// `currentMasterCardKey` is the card's PKI master key before this step (from the HSM).
    /// After step 5 the card's admin PIN is the CA's: a repeated call must pass that one.
    public func loadCertificates(_ items: CAIssuance, currentMasterCardKey: [UInt8], adminPIN: [UInt8]) throws {
        guard currentMasterCardKey.count == CardKeyScheme.keySize else {
            throw PKIApplicationError.invalidMasterCardKey(length: currentMasterCardKey.count)
        }
        guard PKICommands.isAcceptableAdminPIN(adminPIN) else { throw PKIApplicationError.invalidAdminPIN }

        try selectCertificateADF()
        guard let cardKey = try readSigningPublicKey() else { throw PKIApplicationError.noSigningKey }
        guard items.signingCertificate.sm2PublicKey == cardKey else {
            throw PKIApplicationError.signingKeyMismatch(
                certificateKey: items.signingCertificate.sm2PublicKey?.rawRepresentation ?? [],
                cardKey: cardKey.rawRepresentation)
        }
        try verifyAdminPIN(adminPIN)
        try importEncryptionKeyPair(envelope: items.encryptionKeyEnvelope)
        try writeCertificate(items.signingCertificate.derEncoded, to: .signingCertificate)
        try writeCertificate(items.encryptionCertificate.derEncoded, to: .encryptionCertificate)
        try changeAdminPIN(to: items.adminPIN, masterCardKey: currentMasterCardKey)
        try changeMasterKey(encryptedNewKey: items.encryptedMasterKey, masterCardKey: currentMasterCardKey)
    }

    // MARK: - Commands

    /// Selects the PKI application, then SS.CERT.ADF1.
    public func selectCertificateADF() throws {
        _ = try channel.expectSuccess(PKICommands.selectApplication)
        _ = try channel.expectSuccess(PKICommands.selectCertificateADF)
    }

    /// VERIFY of the admin PIN (ASCII). A wrong PIN throws `CardError.refused` with 63Cx
    /// (x tries left), a locked one with 6983. Throws `invalidAdminPIN` without sending
    /// anything when the PIN is not 4–16 printable ASCII characters.
    public func verifyAdminPIN(_ pin: [UInt8]) throws {
        guard var command = PKICommands.verifyAdminPIN(pin) else { throw PKIApplicationError.invalidAdminPIN }
        defer { KeyMaterial.wipe(&command.data) }
        _ = try channel.expectSuccess(command)
    }

    /// The signing public key in file 0012, nil while the file is all zeros. Selects 0012
    /// (SS.CERT.ADF1 must be current).
    public func readSigningPublicKey() throws -> SM2PublicKey? {
        let file = try readBinary(.signingPublicKey, count: 2 + SM2.publicKeySize)
        guard file.count == 2 + SM2.publicKeySize else {
            throw CardError.malformedData("file 0012 gave \(file.count) bytes, expected 66")
        }
        if file.allSatisfy({ $0 == 0 }) { return nil }
        guard file[0] == 0xCA, file[1] == 0x40 else {
            throw CardError.malformedData("file 0012 starts \(Array(file.prefix(2)).hexString), expected CA40")
        }
        do {
            return try SM2PublicKey(rawRepresentation: Array(file.dropFirst(2)))
        } catch {
            throw CardError.malformedData("file 0012 holds no SM2 point: \(error)")
        }
    }

    /// GENERATE KEY PAIR: the card makes its SM2 signing key pair (0012/0013). Replacing an
    /// existing pair needs the admin PIN verified first (6982 otherwise).
    public func generateSigningKeyPair() throws {
        _ = try channel.expectSuccess(PKICommands.generateSigningKeyPair)
    }

    /// IMPORT ENCRYPTION KEY PAIR with the CA's envelope; needs the admin PIN verified.
    /// The card answers 6A80 to an envelope that does not decrypt or does not hold a key pair.
    public func importEncryptionKeyPair(envelope: [UInt8]) throws {
        var command = PKICommands.importEncryptionKeyPair(envelope: envelope)
        defer { KeyMaterial.wipe(&command.data) }
        _ = try channel.expectSuccess(command)
    }

    /// Writes `der` at the start of a certificate file (0018 or 0019) in UPDATE BINARY
    /// chunks of at most `PKICommands.maxWriteChunk` bytes (`vendorWriteChunk` once the card
    /// answers 6700 to a longer one), then reads it back from the file still current. Needs
    /// the admin PIN verified. The rest of the file is left as it is: readers take the
    /// certificate's own DER length.
    public func writeCertificate(_ der: [UInt8], to file: PKIApplicationFile) throws {
        precondition(file == .signingCertificate || file == .encryptionCertificate, "only 0018 and 0019 hold certificates")
        guard !der.isEmpty, der.count <= PKIApplicationFile.certificateFileSize else {
            throw CardError.malformedData("certificate of \(der.count) bytes does not fit the 2048-byte file")
        }
        _ = try channel.expectSuccess(PKICommands.select(file))
        var offset = 0
        var chunk = PKICommands.maxWriteChunk
        while offset < der.count {
            let end = min(offset + chunk, der.count)
            let command = PKICommands.updateBinary(offset: offset, data: Array(der[offset..<end]))
            let response = try channel.transmit(command)
            if response.statusWord == .wrongLength, end - offset > PKICommands.vendorWriteChunk {
                chunk = PKICommands.vendorWriteChunk
                continue
            }
            guard response.statusWord.isSuccess else { throw CardError.refused(instruction: command.ins, status: response.statusWord) }
            offset = end
        }
        guard try readBinary(file, count: der.count, selecting: false) == der else {
            throw PKIApplicationError.certificateReadBackMismatch(file)
        }
    }

    /// The DER certificate in 0018 or 0019, nil while the file is empty (starts with 00).
    /// The length comes from the certificate's own DER header.
    public func readCertificateBytes(_ file: PKIApplicationFile) throws -> [UInt8]? {
        precondition(file == .signingCertificate || file == .encryptionCertificate, "only 0018 and 0019 hold certificates")
        let head = try readBinary(file, count: 4)
        if head.first == 0x00 { return nil }
        guard let length = X509Certificate.encodedLength(atStartOf: head),
              length <= PKIApplicationFile.certificateFileSize else {
            throw CardError.malformedData("file \(file.fileID.hexString) starts \(head.hexString), not a DER certificate")
        }
        return try readBinary(file, count: length)
    }

    /// The certificate in 0018 or 0019, parsed; nil while the file is empty.
    public func readCertificate(_ file: PKIApplicationFile) throws -> X509Certificate? {
        guard let der = try readCertificateBytes(file) else { return nil }
        do {
            return try X509Certificate(derEncoded: der)
        } catch {
            throw CardError.malformedData("file \(file.fileID.hexString): \(error)")
        }
    }

    /// GET CHALLENGE (16 bytes) and CHANGE ADMIN PIN to `pin`, MACed with the card's current
    /// PKI master key. The card drops the admin-PIN state afterwards. 6988: wrong key.
    public func changeAdminPIN(to pin: [UInt8], masterCardKey: [UInt8]) throws {
        guard PKICommands.isAcceptableAdminPIN(pin) else { throw PKIApplicationError.invalidAdminPIN }
        let challenge = try getChallenge()
        var command: CommandAPDU
        do {
            command = try PKICommands.changeAdminPIN(to: pin, masterCardKey: masterCardKey, challenge: challenge)
        } catch {
            throw PKIApplicationError.crypto(error)
        }
        defer { KeyMaterial.wipe(&command.data) }
        _ = try channel.expectSuccess(command)
    }

    /// GET CHALLENGE (16 bytes) and CHANGE MASTER KEY with the CA's 主控密钥 (the new key
    /// encrypted under the current one), MACed with the current PKI master card key.
    public func changeMasterKey(encryptedNewKey: [UInt8], masterCardKey: [UInt8]) throws {
        guard masterCardKey.count == CardKeyScheme.keySize else {
            throw PKIApplicationError.invalidMasterCardKey(length: masterCardKey.count)
        }
        let challenge = try getChallenge()
        var command: CommandAPDU
        do {
            command = try PKICommands.changeMasterKey(encryptedNewKey: encryptedNewKey, masterCardKey: masterCardKey, challenge: challenge)
        } catch {
            throw PKIApplicationError.crypto(error)
        }
        defer { KeyMaterial.wipe(&command.data) }
        _ = try channel.expectSuccess(command)
    }

    /// The card's SM2 signature r‖s (SM3, default id) of `message` with its signing key.
    /// Selects SS.CERT.ADF1; the SSSE PIN must have been verified (6982 otherwise).
    public func sign(_ message: [UInt8]) throws -> [UInt8] {
        try selectCertificateADF()
        let signature = try channel.expectSuccess(PKICommands.sign(message))
        guard signature.count == SM2.signatureSize else {
            throw CardError.malformedData("signature of \(signature.count) bytes, expected 64")
        }
        return signature
    }

    // MARK: - Helpers

    /// GET CHALLENGE of `PKICommands.challengeLength` bytes.
    private func getChallenge() throws -> [UInt8] {
        let data = try channel.expectSuccess(SSSECommands.getChallenge(length: PKICommands.challengeLength))
        guard data.count == PKICommands.challengeLength else {
            throw CardError.malformedData("challenge of \(data.count) bytes, expected \(PKICommands.challengeLength)")
        }
        return data
    }

    /// Selects `file` (unless `selecting` is false: it is current) and reads its first
    /// `count` bytes in READ BINARY chunks.
    private func readBinary(_ file: PKIApplicationFile, count: Int, selecting: Bool = true) throws -> [UInt8] {
        if selecting { _ = try channel.expectSuccess(PKICommands.select(file)) }
        var out: [UInt8] = []
        while out.count < count {
            let chunk = try channel.expectSuccess(
                PKICommands.readBinary(offset: out.count, length: min(PKICommands.readChunk, count - out.count)))
            guard !chunk.isEmpty else { break }
            out += chunk
        }
        return out
    }
}
