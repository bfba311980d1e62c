import Foundation
import XCTest
import SSCardDriver
@testable import SSCardSimulator

/// iWriteCaStep1 → simulated CA → iWriteCaStep2 with the driver's `PKIApplicationClient`
/// on a simulated card, and every refusal on the way.
final class PKIInstantIssuanceTests: XCTestCase {
    private let emptyFile = [UInt8](repeating: 0, count: 2048)

    private func assertRefused(_ expression: @autoclosure () throws -> some Any, ins: UInt8, sw: UInt16,
                               file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try expression(), file: file, line: line) { error in
            XCTAssertEqual(error as? CardError, .refused(instruction: ins, status: StatusWord(rawValue: sw)), file: file, line: line)
        }
    }

    // MARK: - The whole flow

    private func runFullIssuance(t0: Bool) throws {
        let f = try PKIIssuanceFixture(t0: t0)
        let (publicKey, issued) = try f.step1AndIssue()
        XCTAssertEqual(publicKey, f.card.image.pki.signingPublicKey)
        XCTAssertEqual(try f.client.prepareSigningKey(adminPIN: PKIIssuanceFixture.initialAdminPIN), publicKey,
                       "a second step 1 keeps the key")

        // The station gets the items as the interface string.
        let items = try CAIssuance(interfaceText: issued.interfaceText)
        XCTAssertEqual(items, issued.items)
        try f.client.loadCertificates(items, currentMasterCardKey: f.initialMasterCardKey(),
                                      adminPIN: PKIIssuanceFixture.initialAdminPIN)

        // Both certificates are on the card and read back through the driver.
        let signingDER = items.signingCertificate.derEncoded
        let encryptionDER = items.encryptionCertificate.derEncoded
        XCTAssertEqual(try f.client.readCertificateBytes(.signingCertificate), signingDER)
        XCTAssertEqual(try f.client.readCertificateBytes(.encryptionCertificate), encryptionDER)
        XCTAssertEqual(Array(f.file(.signingCertificate).prefix(signingDER.count)), signingDER)
        XCTAssertEqual(Array(f.file(.encryptionCertificate).prefix(encryptionDER.count)), encryptionDER)
        let signing = try XCTUnwrap(f.client.readCertificate(.signingCertificate))
        XCTAssertEqual(signing.sm2PublicKey?.rawRepresentation, publicKey)

        // The encryption key pair is the one the encryption certificate names.
        XCTAssertEqual(f.card.image.pki.encryptionPublicKey, items.encryptionCertificate.sm2PublicKey?.rawRepresentation)
        // The admin PIN and the master key are the CA's now.
        XCTAssertEqual(f.card.image.pki.adminPIN.value, String(decoding: items.adminPIN, as: UTF8.self))
        XCTAssertEqual(f.card.image.pki.adminPIN.triesLeft, 6)
        XCTAssertEqual(f.card.image.keys[.pkiMaster], issued.newMasterCardKey)
        XCTAssertNotEqual(issued.newMasterCardKey, try f.initialMasterCardKey())
        XCTAssertNoThrow(try f.client.verifyAdminPIN(items.adminPIN))
        assertRefused(try f.client.verifyAdminPIN(PKIIssuanceFixture.initialAdminPIN), ins: 0x20, sw: 0x63C5)

        // The chain: CA → both certificates.
        XCTAssertTrue(f.ca.certificate.isSigned(by: f.ca.certificate))
        XCTAssertTrue(signing.isSigned(by: f.ca.certificate))
        XCTAssertTrue(items.encryptionCertificate.isSigned(by: f.ca.certificate))
        XCTAssertFalse(signing.isSigned(by: try SimulatedCA().certificate), "another CA did not sign it")
        XCTAssertEqual(signing.issuer, f.ca.certificate.subject)

        // The card signs with its key; the certificate's key verifies it.
        XCTAssertEqual(try SocialSecurityCard(channel: f.channel).verifyPIN(Array("123456".utf8)), .verified)
        let message = Array("社会保障卡即时制卡".utf8)
        let signature = try f.client.sign(message)
        XCTAssertTrue(try XCTUnwrap(signing.sm2PublicKey).isValidSignature(signature, for: message))
        XCTAssertFalse(try XCTUnwrap(items.encryptionCertificate.sm2PublicKey).isValidSignature(signature, for: message))

        // Writes went in the fewest short APDUs (255 bytes each); the master key changed last.
        let writes = f.channel.commands.filter { $0.ins == 0xD6 }
        XCTAssertEqual(writes.count, (signingDER.count + 254) / 255 + (encryptionDER.count + 254) / 255)
        XCTAssertTrue(writes.allSatisfy { $0.data.count <= 255 && !$0.isExtended })
        XCTAssertEqual(f.channel.commands.last { $0.cla == 0x84 }?.ins, 0xD4)
    }

    func testStep1CAStep2LoadsEverything() throws { try runFullIssuance(t0: false) }

    func testStep1CAStep2OnACardAnsweringLikeT0() throws { try runFullIssuance(t0: true) }

    func testCertificatesGoInVendorChunksOnACardRefusingLongerOnes() throws {
        let f = try PKIIssuanceFixture()
        f.channel.longestUpdateBinary = PKICommands.vendorWriteChunk
        let (_, issued) = try f.step1AndIssue()
        try f.client.loadCertificates(issued.items, currentMasterCardKey: f.initialMasterCardKey(),
                                      adminPIN: PKIIssuanceFixture.initialAdminPIN)
        let signingDER = issued.items.signingCertificate.derEncoded
        let encryptionDER = issued.items.encryptionCertificate.derEncoded
        XCTAssertEqual(try f.client.readCertificateBytes(.signingCertificate), signingDER)
        XCTAssertEqual(try f.client.readCertificateBytes(.encryptionCertificate), encryptionDER)
        // Per certificate: one refused 255-byte try, then 0x70-byte chunks.
        let writes = f.channel.commands.filter { $0.ins == 0xD6 }
        XCTAssertEqual(writes.count, 2 + (signingDER.count + 0x6F) / 0x70 + (encryptionDER.count + 0x6F) / 0x70)
    }

    func testCertificateWriteStopsAtACardRefusalOtherThanLength() throws {
        let f = try PKIIssuanceFixture()
        _ = try f.client.prepareSigningKey(adminPIN: PKIIssuanceFixture.initialAdminPIN)
        // No admin PIN verified in this session: the card answers 6982 to the first chunk.
        f.card.powerOn()
        try f.client.selectCertificateADF()
        let before = f.channel.commands.count
        assertRefused(try f.client.writeCertificate(Array(repeating: 0x30, count: 600), to: .signingCertificate), ins: 0xD6, sw: 0x6982)
        XCTAssertEqual(f.channel.commands.dropFirst(before).filter { $0.ins == 0xD6 }.count, 1)
    }

    func testStep1GeneratesOnlyWhenTheKeyFileIsEmpty() throws {
        let f = try PKIIssuanceFixture()
        try f.client.selectCertificateADF()
        XCTAssertNil(try f.client.readSigningPublicKey())
        let key = try f.client.prepareSigningKey(adminPIN: PKIIssuanceFixture.initialAdminPIN)
        XCTAssertEqual(f.channel.commands.filter { $0.ins == 0x40 }.count, 1)
        XCTAssertEqual(try f.client.prepareSigningKey(adminPIN: PKIIssuanceFixture.initialAdminPIN), key)
        XCTAssertEqual(f.channel.commands.filter { $0.ins == 0x40 }.count, 1, "no second GENERATE KEY PAIR")
        XCTAssertEqual(key.count, 64)
    }

    // MARK: - Refusals

    func testCertificateForAnotherKeyIsRefusedBeforeAnythingIsWritten() throws {
        let f = try PKIIssuanceFixture()
        let cardKey = try f.client.prepareSigningKey(adminPIN: PKIIssuanceFixture.initialAdminPIN)
        let otherKey = try SM2PrivateKey().publicKey.rawRepresentation
        let issued = try f.ca.issue(f.request(signingPublicKey: otherKey))
        let sentBefore = f.channel.commands.count
        XCTAssertThrowsError(try f.client.loadCertificates(
            issued.items, currentMasterCardKey: f.initialMasterCardKey(), adminPIN: PKIIssuanceFixture.initialAdminPIN)) { error in
            XCTAssertEqual(error as? PKIApplicationError, .signingKeyMismatch(certificateKey: otherKey, cardKey: cardKey))
        }
        XCTAssertEqual(f.file(.signingCertificate), emptyFile, "0018 still empty")
        XCTAssertEqual(f.file(.encryptionCertificate), emptyFile)
        XCTAssertNil(f.card.image.pki.encryptionPrivateKey)
        XCTAssertEqual(f.card.image.keys[.pkiMaster], try f.initialMasterCardKey())
        XCTAssertEqual(f.card.image.pki.adminPIN.value, "12345678")
        let sent = f.channel.commands[sentBefore...].map(\.ins)
        XCTAssertFalse(sent.contains { [0x20, 0x4E, 0xD6, 0x5E, 0xD4].contains($0) }, "only selects and reads: \(sent)")
    }

    func testStep2BeforeStep1IsRefused() throws {
        let f = try PKIIssuanceFixture()
        let issued = try f.ca.issue(f.request(signingPublicKey: try SM2PrivateKey().publicKey.rawRepresentation))
        XCTAssertThrowsError(try f.client.loadCertificates(
            issued.items, currentMasterCardKey: f.initialMasterCardKey(), adminPIN: PKIIssuanceFixture.initialAdminPIN)) { error in
            XCTAssertEqual(error as? PKIApplicationError, .noSigningKey)
        }
        XCTAssertEqual(f.file(.signingCertificate), emptyFile)
    }

    func testTamperedEnvelopeIsRefusedByTheCard() throws {
        let f = try PKIIssuanceFixture()
        let (_, issued) = try f.step1AndIssue()
        var items = issued.items
        items.encryptionKeyEnvelope[items.encryptionKeyEnvelope.count - 5] ^= 0x01
        assertRefused(try f.client.loadCertificates(items, currentMasterCardKey: f.initialMasterCardKey(),
                                                    adminPIN: PKIIssuanceFixture.initialAdminPIN), ins: 0x4E, sw: 0x6A80)
        XCTAssertNil(f.card.image.pki.encryptionPrivateKey)
        XCTAssertEqual(f.file(.signingCertificate), emptyFile, "nothing written after the refused import")
        XCTAssertEqual(f.card.image.keys[.pkiMaster], try f.initialMasterCardKey())
    }

    func testEnvelopeForAnotherCardIsRefused() throws {
        let f = try PKIIssuanceFixture()
        let (_, issued) = try f.step1AndIssue()
        var items = issued.items
        var pair = try SM2PrivateKey().exportRawRepresentation()
        pair += try SM2PrivateKey(rawRepresentation: pair).publicKey.rawRepresentation
        items.encryptionKeyEnvelope = try SM2PrivateKey().publicKey.encrypt(pair)
        assertRefused(try f.client.loadCertificates(items, currentMasterCardKey: f.initialMasterCardKey(),
                                                    adminPIN: PKIIssuanceFixture.initialAdminPIN), ins: 0x4E, sw: 0x6A80)
    }

    func testWrongAdminPINCountsDownAndLocks() throws {
        let f = try PKIIssuanceFixture()
        let wrong = Array("87654321".utf8)
        assertRefused(try f.client.prepareSigningKey(adminPIN: wrong), ins: 0x20, sw: 0x63C5)
        assertRefused(try f.client.prepareSigningKey(adminPIN: wrong), ins: 0x20, sw: 0x63C4)
        XCTAssertNil(f.card.image.pki.signingPublicKey, "no key generated after a wrong PIN")
        let key = try f.client.prepareSigningKey(adminPIN: PKIIssuanceFixture.initialAdminPIN)
        XCTAssertEqual(f.card.image.pki.adminPIN.triesLeft, 6, "the right PIN restores the counter")

        let issued = try f.ca.issue(f.request(signingPublicKey: key))
        for sw: UInt16 in [0x63C5, 0x63C4, 0x63C3, 0x63C2, 0x63C1, 0x63C0] {
            assertRefused(try f.client.loadCertificates(issued.items, currentMasterCardKey: f.initialMasterCardKey(), adminPIN: wrong),
                          ins: 0x20, sw: sw)
        }
        assertRefused(try f.client.loadCertificates(issued.items, currentMasterCardKey: f.initialMasterCardKey(),
                                                    adminPIN: PKIIssuanceFixture.initialAdminPIN), ins: 0x20, sw: 0x6983)
        XCTAssertEqual(f.file(.signingCertificate), emptyFile)
        XCTAssertNil(f.card.image.pki.encryptionPrivateKey)
    }

    func testAdminPINOfTheWrongShapeIsNotSent() throws {
        let f = try PKIIssuanceFixture()
        for pin in ["123", "12345678901234567", "1234 567", "密码1234"] {
            XCTAssertThrowsError(try f.client.prepareSigningKey(adminPIN: Array(pin.utf8))) { error in
                XCTAssertEqual(error as? PKIApplicationError, .invalidAdminPIN)
            }
        }
        XCTAssertFalse(f.channel.instructions.contains(0x20))
        XCTAssertEqual(f.card.image.pki.adminPIN.triesLeft, 6)
    }

    func testBadMACIsRefusedAndTheKeysStay() throws {
        let f = try PKIIssuanceFixture()
        let (_, issued) = try f.step1AndIssue()
        var wrongKey = try f.initialMasterCardKey()
        wrongKey[0] ^= 0x01
        assertRefused(try f.client.loadCertificates(issued.items, currentMasterCardKey: wrongKey,
                                                    adminPIN: PKIIssuanceFixture.initialAdminPIN), ins: 0x5E, sw: 0x6988)
        XCTAssertEqual(f.card.image.pki.adminPIN.value, "12345678", "admin PIN unchanged")
        XCTAssertEqual(f.card.image.keys[.pkiMaster], try f.initialMasterCardKey())

        // The master key change on its own, with the wrong and then the right key.
        try f.client.selectCertificateADF()
        assertRefused(try f.client.changeMasterKey(encryptedNewKey: issued.items.encryptedMasterKey, masterCardKey: wrongKey),
                      ins: 0xD4, sw: 0x6988)
        XCTAssertEqual(f.card.image.keys[.pkiMaster], try f.initialMasterCardKey())
        try f.client.changeMasterKey(encryptedNewKey: issued.items.encryptedMasterKey, masterCardKey: f.initialMasterCardKey())
        XCTAssertEqual(f.card.image.keys[.pkiMaster], issued.newMasterCardKey)
        // The old key no longer MACs.
        assertRefused(try f.client.changeAdminPIN(to: Array("13572468".utf8), masterCardKey: f.initialMasterCardKey()),
                      ins: 0x5E, sw: 0x6988)
        try f.client.changeAdminPIN(to: Array("13572468".utf8), masterCardKey: issued.newMasterCardKey)
        XCTAssertEqual(f.card.image.pki.adminPIN.value, "13572468")
    }

    func testMasterCardKeyOfTheWrongSizeIsNotUsed() throws {
        let f = try PKIIssuanceFixture()
        let (_, issued) = try f.step1AndIssue()
        XCTAssertThrowsError(try f.client.loadCertificates(issued.items, currentMasterCardKey: [UInt8](repeating: 1, count: 8),
                                                           adminPIN: PKIIssuanceFixture.initialAdminPIN)) { error in
            XCTAssertEqual(error as? PKIApplicationError, .invalidMasterCardKey(length: 8))
        }
        XCTAssertNil(f.card.image.pki.encryptionPrivateKey)
    }

    func testSigningNeedsTheUserPIN() throws {
        let f = try PKIIssuanceFixture()
        _ = try f.client.prepareSigningKey(adminPIN: PKIIssuanceFixture.initialAdminPIN)
        assertRefused(try f.client.sign([0x01]), ins: 0x2A, sw: 0x6982)
    }
}
