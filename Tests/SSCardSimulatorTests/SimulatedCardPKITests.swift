import XCTest
import SSCardDriver
@testable import SSCardSimulator

/// The PKI application: admin PIN, key generation, envelope import, certificates, MACed
/// admin PIN and master key changes, signing.
final class SimulatedCardPKITests: XCTestCase {
    private func readBinary(_ t: TestTerminal, offset: Int, le: Int) -> ResponseAPDU {
        t.send(CommandAPDU(ins: 0xB0, p1: UInt8(offset >> 8), p2: UInt8(offset & 0xFF), expectedLength: le))
    }

    /// GENERATE KEY PAIR and the signing public key read from 0012.
    private func generate(_ t: TestTerminal) throws -> SM2PublicKey {
        t.selectCertificateADF(file: .signingPublicKey)
        XCTAssertEqual(t.sw("8040000008C0020012C2020013"), 0x9000)
        let file = readBinary(t, offset: 0, le: 0x42)
        XCTAssertEqual(file.statusWord, .success)
        XCTAssertEqual(Array(file.data.prefix(2)), [0xCA, 0x40])
        return try SM2PublicKey(rawRepresentation: Array(file.data.dropFirst(2)))
    }

    func testSigningKeyFileIsZeroUntilGenerated() throws {
        let t = try TestTerminal.blank()
        t.selectCertificateADF(file: .signingPublicKey)
        let empty = readBinary(t, offset: 0, le: 0x42)
        XCTAssertEqual(empty.statusWord, .success)
        XCTAssertEqual(empty.data, [UInt8](repeating: 0, count: 66))
        let key = try generate(t)
        XCTAssertEqual(key.rawRepresentation, t.card.image.pki.signingPublicKey)
        XCTAssertNotEqual(key.rawRepresentation, [UInt8](repeating: 0, count: 64))
    }

    func testGenerateKeyPairRules() throws {
        let t = try TestTerminal.blank()
        XCTAssertEqual(t.sw("8040000008C0020012C2020013"), 0x6985, "outside SS.CERT.ADF1")
        t.selectCertificateADF()
        XCTAssertEqual(t.sw("8040000008C0020012C2020014"), 0x6A80)
        XCTAssertEqual(t.sw("8040000006C0020012C202"), 0x6700)
        XCTAssertEqual(t.sw("8040000108C0020012C2020013"), 0x6A86)
        XCTAssertEqual(t.sw("8040000008C0020012C2020013"), 0x9000)
        let first = t.card.image.pki.signingPublicKey
        XCTAssertEqual(t.sw("8040000008C0020012C2020013"), 0x6982, "replacing the pair needs the admin PIN")
        XCTAssertEqual(t.verifyAdminPIN(), 0x9000)
        XCTAssertEqual(t.sw("8040000008C0020012C2020013"), 0x9000)
        XCTAssertNotEqual(t.card.image.pki.signingPublicKey, first)
    }

    func testPrivateKeyFileCannotBeRead() throws {
        let t = try TestTerminal.blank()
        _ = try generate(t)
        XCTAssertEqual(t.sw("00A40000020013"), 0x9000)
        XCTAssertEqual(t.sw("00B0000020"), 0x6982)
        XCTAssertEqual(t.sw("00D6000001AA"), 0x6982)
    }

    func testAdminPINCounterAndLock() throws {
        let t = try TestTerminal.blank()
        t.selectCertificateADF()
        XCTAssertEqual(t.sw("00200001"), 0x63C6)
        for left in (0...5).reversed() { XCTAssertEqual(t.verifyAdminPIN("87654321"), 0x63C0 | UInt16(left)) }
        XCTAssertEqual(t.verifyAdminPIN(), 0x6983)
        XCTAssertEqual(t.sw("0020000103313233"), 0x6700)
        XCTAssertEqual(t.verifyPIN("123456"), 0x9000, "the SSSE PIN is a different counter")
    }

    func testCertificatesNeedTheAdminPINAndReadBack() throws {
        let t = try TestTerminal.blank()
        t.selectCertificateADF(file: .signingCertificate)
        let certificate = [0x30, 0x82, 0x01, 0x70] + (0..<0x170).map { UInt8($0 & 0xFF) }
        XCTAssertEqual(t.sw(CommandAPDU(ins: 0xD6, p1: 0, p2: 0, data: Array(certificate.prefix(0x70)))), 0x6982)
        XCTAssertEqual(t.verifyAdminPIN(), 0x9000)
        var offset = 0
        while offset < certificate.count {   // 0x70-byte chunks, as leithergit/Z390Kylin sends them
            let chunk = Array(certificate[offset..<min(offset + 0x70, certificate.count)])
            XCTAssertEqual(t.sw(CommandAPDU(ins: 0xD6, p1: UInt8(offset >> 8), p2: UInt8(offset & 0xFF), data: chunk)), 0x9000)
            offset += chunk.count
        }
        var read: [UInt8] = []
        offset = 0
        while offset < certificate.count {
            let r = readBinary(t, offset: offset, le: 256)
            XCTAssertEqual(r.statusWord, .success)
            read += r.data
            offset += r.data.count
        }
        XCTAssertEqual(Array(read.prefix(certificate.count)), certificate)
        XCTAssertEqual(Array(t.card.image.pki.signingCertificate.prefix(certificate.count)), certificate)

        XCTAssertEqual(t.sw("00D6080001AA"), 0x6B00, "offset 2048 is past the end")
        XCTAssertEqual(t.sw(CommandAPDU(ins: 0xD6, p1: 0x07, p2: 0xFF, data: [1, 2])), 0x6700, "runs past the end")
        XCTAssertEqual(t.sw("00B0080010"), 0x6B00)
        XCTAssertEqual(t.sw("00B08000" + "10"), 0x6A86, "SFI addressing unsupported")
        XCTAssertEqual(t.sw("00B00000"), 0x6700)
        XCTAssertEqual(readBinary(t, offset: 2040, le: 256).data.count, 8, "T=1 style: what is left")
        XCTAssertEqual(t.sw("00A40000020012"), 0x9000)
        XCTAssertEqual(t.sw("00D6000001AA"), 0x6982, "0012 is the card's own")
    }

    func testBinaryCommandsWithoutAFile() throws {
        let t = try TestTerminal.blank()
        t.selectCertificateADF()
        XCTAssertEqual(t.sw("00B0000010"), 0x6986)
        t.selectSSSE(file: .ef05)
        XCTAssertEqual(t.sw("00B0000010"), 0x6981)
    }

    /// The CA step: the HSM envelopes the encryption key pair to the card's signing key.
    func testImportEncryptionKeyPairEnvelope() throws {
        let t = try TestTerminal.blank()
        let signing = try generate(t)
        let encryption = try SM2PrivateKey()
        let plaintext = try encryption.exportRawRepresentation() + encryption.publicKey.rawRepresentation
        let envelope = try signing.encrypt(plaintext)
        XCTAssertLessThanOrEqual(envelope.count, 255)
        let command = CommandAPDU(cla: 0x80, ins: 0x4E, p1: 0, p2: 1, data: envelope)
        XCTAssertEqual(t.sw(command), 0x6982, "admin PIN first")
        XCTAssertEqual(t.verifyAdminPIN(), 0x9000)

        var tampered = envelope
        tampered[tampered.count - 1] ^= 1
        XCTAssertEqual(t.sw(CommandAPDU(cla: 0x80, ins: 0x4E, p1: 0, p2: 1, data: tampered)), 0x6A80)
        let toOtherKey = try SM2PrivateKey().publicKey.encrypt(plaintext)
        XCTAssertEqual(t.sw(CommandAPDU(cla: 0x80, ins: 0x4E, p1: 0, p2: 1, data: toOtherKey)), 0x6A80)
        var mismatched = plaintext
        mismatched[40] ^= 1
        XCTAssertEqual(t.sw(CommandAPDU(cla: 0x80, ins: 0x4E, p1: 0, p2: 1, data: try signing.encrypt(mismatched))), 0x6A80,
                       "public half is not d·G")
        XCTAssertEqual(t.sw(CommandAPDU(cla: 0x80, ins: 0x4E, p1: 0, p2: 1, data: try signing.encrypt(Array(plaintext.prefix(32))))), 0x6A80)
        XCTAssertNil(t.card.image.pki.encryptionPrivateKey)

        XCTAssertEqual(t.sw(command), 0x9000)
        XCTAssertEqual(t.card.image.pki.encryptionPublicKey, encryption.publicKey.rawRepresentation)
        XCTAssertEqual(t.card.image.pki.encryptionPrivateKey, try encryption.exportRawRepresentation())
        XCTAssertEqual(t.sw(CommandAPDU(cla: 0x80, ins: 0x4E, p1: 0, p2: 0, data: envelope)), 0x6A86)
    }

    func testImportBeforeKeyGenerationIsRefused() throws {
        let t = try TestTerminal.blank()
        t.selectCertificateADF()
        XCTAssertEqual(t.verifyAdminPIN(), 0x9000)
        XCTAssertEqual(t.sw("804E00010401020304"), 0x6985)
    }

    func testChangeAdminPINWithTheMasterKeyMAC() throws {
        let t = try TestTerminal.blank()
        t.selectCertificateADF()
        let master = try t.cardKey(.pkiMaster)
        XCTAssertEqual(t.sw(try t.secured(ins: 0x5E, p1: 1, p2: 1, data: Array("GLY-PIN-01".utf8), key: t.cardKey(.pinUnblock))), 0x6988)
        XCTAssertEqual(t.sw(try t.secured(ins: 0x5E, p1: 1, p2: 1, data: [0x01, 0x02, 0x03, 0x04], key: master)), 0x6A80, "not printable")
        XCTAssertEqual(t.sw(try t.secured(ins: 0x5E, p1: 1, p2: 1, data: Array("GLY-PIN-01".utf8), key: master, challengeLength: 16)), 0x9000)
        XCTAssertEqual(t.verifyAdminPIN(), 0x63C5)
        XCTAssertEqual(t.verifyAdminPIN("GLY-PIN-01"), 0x9000)
        t.selectSSSE()
        XCTAssertEqual(t.sw(try t.secured(ins: 0x5E, p1: 1, p2: 1, data: Array("ABCDEFGH".utf8), key: master)), 0x6985, "PKI only")
    }

    func testChangeMasterKey() throws {
        let t = try TestTerminal.blank()
        t.selectCertificateADF()
        let old = try t.cardKey(.pkiMaster)
        let new = Array("NEW-ZKMY-KEY-016".utf8)
        let wrapped = try SM4.encryptECB(new, key: old)
        XCTAssertEqual(t.sw(try t.secured(ins: 0xD4, p1: 1, p2: 0, data: wrapped, key: new)), 0x6988)
        XCTAssertEqual(t.sw(try t.secured(ins: 0xD4, p1: 1, p2: 0, data: Array(wrapped.prefix(8)), key: old)), 0x6700)
        XCTAssertEqual(t.sw(try t.secured(ins: 0xD4, p1: 0, p2: 0, data: wrapped, key: old)), 0x6A86)
        XCTAssertEqual(t.sw(try t.secured(ins: 0xD4, p1: 1, p2: 0, data: wrapped, key: old)), 0x9000)
        XCTAssertEqual(t.card.image.keys[.pkiMaster], new)
        // The old key no longer MACs; the new one does.
        XCTAssertEqual(t.sw(try t.secured(ins: 0x5E, p1: 1, p2: 1, data: Array("87654321".utf8), key: old)), 0x6988)
        XCTAssertEqual(t.sw(try t.secured(ins: 0x5E, p1: 1, p2: 1, data: Array("87654321".utf8), key: new)), 0x9000)
    }

    func testSignWithTheCardsSigningKey() throws {
        let t = try TestTerminal.blank()
        t.selectCertificateADF()
        XCTAssertEqual(t.sw("002A9E9A03616263"), 0x6982, "SSSE PIN first")
        XCTAssertEqual(t.verifyPIN("123456"), 0x9000)
        XCTAssertEqual(t.sw("002A9E9A03616263"), 0x6985, "no key yet")
        let key = try generate(t)
        let r = t.send("002A9E9A03616263")
        XCTAssertEqual(r.statusWord, .success)
        XCTAssertTrue(try key.isValidSignature(r.data, for: Array("abc".utf8)))
        XCTAssertEqual(t.sw("002A9E9B03616263"), 0x6A86)
    }
}
