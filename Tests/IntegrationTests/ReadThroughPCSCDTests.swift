import XCTest
import SSCardDriver
import SSCardSimulator

/// The driver's PC/SC layer talking to the simulated card through the real pcscd + vpcd.
final class ReadThroughPCSCDTests: PCSCStackTestCase {
    func testReadsEF05OfBlankPreMadeCard() throws {
        let blank = TestCards.blank(cardNumber: "A00000017")
        try insert(blank)
        let card = SocialSecurityCard(channel: session())
        let issuer = try card.readIssuerData()
        XCTAssertEqual(issuer.cardIdentificationCode.bytes.count, 16)
        XCTAssertEqual(issuer.cardIdentificationCode, TestCards.cardID(of: blank))
        XCTAssertEqual(issuer.cardNumber, "A00000017")
        XCTAssertEqual(issuer.cardNumber.utf8.count, 9)
        XCTAssertEqual(issuer.specificationVersion, "3.00")
        XCTAssertEqual(issuer.cardType, "3")
    }

    func testEF06IsRefusedWithoutAuthentication() throws {
        try insert(TestCards.personalised())
        let card = SocialSecurityCard(channel: session())
        try card.selectSSSE()
        try card.select(.ef06)
        XCTAssertThrowsError(try card.readElement(.name)) { error in
            XCTAssertEqual((error as? CardError)?.statusWord, .securityStatusNotSatisfied)
        }
    }

    func testAuthenticationOpensEF06() throws {
        try insert(TestCards.personalised(name: "张三", ssn: "110101199003077777"))
        let card = SocialSecurityCard(channel: session())
        let id = try card.readIssuerData().cardIdentificationCode
        try authenticateForReading(card, cardID: id)
        try card.select(.ef06)
        XCTAssertEqual(try card.readElement(.name).map(ElementText.decode), "张三")
        XCTAssertEqual(try card.readElement(.socialSecurityNumber).map(ElementText.decode), "110101199003077777")
    }

    func testWrongExternalCryptogramIsRefused() throws {
        let blank = TestCards.blank()
        try insert(blank)
        let card = SocialSecurityCard(channel: session())
        _ = try card.readIssuerData()
        let challenge = try card.getChallenge()
        XCTAssertThrowsError(try card.externalAuthenticate(keyID: 0x0A, data: [UInt8](repeating: 0, count: 8) + challenge)) { error in
            XCTAssertNotNil((error as? CardError)?.statusWord)
            XCTAssertNotEqual((error as? CardError)?.statusWord, .success)
        }
        try card.select(.ef06)
        XCTAssertThrowsError(try card.readElement(.name))
    }

    func testSixWrongPINsLockAndTheRightOneIsThenRefused() throws {
        try insert(TestCards.blank())
        let card = SocialSecurityCard(channel: session())
        try card.selectSSSE()
        for left in (0..<6).reversed() {
            let outcome = try card.verifyPIN(Array("000000".utf8))
            XCTAssertEqual(outcome, left == 0 ? .locked : .wrong(triesLeft: left))
        }
        XCTAssertEqual(try card.verifyPIN(Array("123456".utf8)), .locked)
        XCTAssertEqual(try card.pinTriesLeft(), .locked)
    }

    func testRightPINVerifies() throws {
        try insert(TestCards.blank())
        let card = SocialSecurityCard(channel: session())
        try card.selectSSSE()
        XCTAssertEqual(try card.verifyPIN(Array("123456".utf8)), .verified)
    }

    func testRefusalsCarryTheRightStatusWords() throws {
        try insert(TestCards.blank())
        let channel = session()
        // Unknown AID.
        XCTAssertEqual(try channel.transmit(SSSECommands.select(aid: [0xA0, 0, 0, 0, 0x99])).statusWord, .fileNotFound)
        // Malformed APDU: Lc says 5, one byte follows.
        XCTAssertEqual(ResponseAPDU(bytes: try channel.transmitRaw([0x00, 0xA4, 0x04, 0x00, 0x05, 0x73]))?.statusWord, .wrongLength)
        // A record that does not exist.
        let card = SocialSecurityCard(channel: channel)
        try card.selectSSSE()
        try card.select(.ef05)
        XCTAssertEqual(try channel.transmit(SSSECommands.readRecord(number: 0x30)).statusWord, .recordNotFound)
    }

    func testSecondSlotServesAnotherCard() throws {
        try insert(TestCards.blank(cardNumber: "A00000001"), slot: 0)
        try insert(TestCards.blank(cardNumber: "B00000002"), slot: 1)
        XCTAssertEqual(try SocialSecurityCard(channel: session(slot: 0)).readIssuerData().cardNumber, "A00000001")
        XCTAssertEqual(try SocialSecurityCard(channel: session(slot: 1)).readIssuerData().cardNumber, "B00000002")
    }

    func testReaderListAndPresence() throws {
        let ctx = try PCSCContext()
        XCTAssertEqual(Set(try ctx.readers()), Set(VirtualReaderStack.readerNames))
        XCTAssertFalse(try ctx.status(of: Self.slot0).hasCard)
        try insert(TestCards.blank())
        let status = try ctx.status(of: Self.slot0)
        XCTAssertTrue(status.hasCard)
        XCTAssertFalse(status.atr.isEmpty)
    }
}
