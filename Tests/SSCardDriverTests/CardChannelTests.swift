import XCTest
@testable import SSCardDriver

/// A channel that answers from a script and records what it was sent.
private final class ScriptedChannel: CardChannel, @unchecked Sendable {
    var answers: [[UInt8]]
    var sent: [[UInt8]] = []
    init(_ answers: [[UInt8]]) { self.answers = answers }
    var atr: [UInt8] { [0x3B, 0x00] }
    func transmitRaw(_ command: [UInt8]) throws -> [UInt8] {
        sent.append(command)
        return answers.isEmpty ? [0x6F, 0x00] : answers.removeFirst()
    }
}

final class CardChannelTests: XCTestCase {
    func testGetResponseChainConcatenatesData() throws {
        let ch = ScriptedChannel([[0x61, 0x04], [1, 2, 3, 4, 0x61, 0x02], [5, 6, 0x90, 0x00]])
        let r = try ch.transmit(SSSECommands.readRecord(tag: 0x01))
        XCTAssertEqual(r.data, [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(r.statusWord, .success)
        XCTAssertEqual(ch.sent.count, 3)
        XCTAssertEqual(ch.sent[1], [0x00, 0xC0, 0x00, 0x00, 0x04])
        XCTAssertEqual(ch.sent[2], [0x00, 0xC0, 0x00, 0x00, 0x02])
    }

    func testGetResponse6100AsksFor256() throws {
        let ch = ScriptedChannel([[0x61, 0x00], [0x90, 0x00]])
        _ = try ch.transmit(SSSECommands.select(aid: SSSE.aid))
        XCTAssertEqual(ch.sent[1], [0x00, 0xC0, 0x00, 0x00, 0x00])
    }

    func testWrongLeIsReissuedWithExactLength() throws {
        let ch = ScriptedChannel([[0x6C, 0x12], Array(repeating: 7, count: 0x12) + [0x90, 0x00]])
        let cmd = CommandAPDU(ins: 0xB2, p1: 0x01, p2: 0x04, expectedLength: 4)
        let r = try ch.transmit(cmd)
        XCTAssertEqual(r.data.count, 0x12)
        XCTAssertEqual(ch.sent[1], [0x00, 0xB2, 0x01, 0x04, 0x12])
    }

    func testEndlessChainIsBounded() {
        let ch = ScriptedChannel(Array(repeating: [0x61, 0x01], count: 100))
        XCTAssertThrowsError(try ch.transmit(SSSECommands.getChallenge(), maxRounds: 5)) { error in
            XCTAssertEqual(error as? CardChannelError, .responseChainTooLong(rounds: 5))
        }
        XCTAssertEqual(ch.sent.count, 6)
    }

    func testResponseWithoutStatusWordIsAnError() {
        let ch = ScriptedChannel([[0x90]])
        XCTAssertThrowsError(try ch.transmit(SSSECommands.getChallenge())) { error in
            XCTAssertEqual(error as? CardChannelError, .responseTooShort([0x90]))
        }
    }

    func testReadElementRejectsHostileRecordLength() {
        // Record claims 0x20 bytes but carries 3: must be reported, not read out of bounds.
        let ch = ScriptedChannel([[0x07, 0x20, 0x41, 0x42, 0x43, 0x90, 0x00]])
        let card = SocialSecurityCard(channel: ch)
        XCTAssertThrowsError(try card.readElement(.cardNumber)) { error in
            guard case CardError.malformedData = error else { return XCTFail("\(error)") }
        }
    }

    func testReadElementOfMissingRecordIsNil() throws {
        let card = SocialSecurityCard(channel: ScriptedChannel([[0x6A, 0x83]]))
        XCTAssertNil(try card.readElement(.socialSecurityNumber))
    }

    func testRefusalKeepsStatusWordForInterfaceCode() {
        let card = SocialSecurityCard(channel: ScriptedChannel([[0x69, 0x82]]))
        XCTAssertThrowsError(try card.readElement(.name)) { error in
            XCTAssertEqual((error as? CardError)?.statusWord, .securityStatusNotSatisfied)
            XCTAssertEqual((error as? CardError)?.statusWord?.interfaceCode, -27010)
        }
    }

    func testPINVerificationOutcomes() throws {
        let card = SocialSecurityCard(channel: ScriptedChannel([[0x63, 0xC3], [0x69, 0x83], [0x90, 0x00]]))
        XCTAssertEqual(try card.verifyPIN(Array("000000".utf8)), .wrong(triesLeft: 3))
        XCTAssertEqual(try card.verifyPIN(Array("123456".utf8)), .locked)
        XCTAssertEqual(try card.verifyPIN(Array("123456".utf8)), .verified)
        XCTAssertEqual(try card.verifyPIN(Array("12a".utf8)), .invalidFormat)
    }

    func testPINIsPackedAsBCDWithFPadding() {
        XCTAssertEqual(SSSECommands.verifyPIN(Array("123456".utf8))?.bytes, [0x00, 0x20, 0x00, 0x00, 0x03, 0x12, 0x34, 0x56])
        XCTAssertEqual(SSSECommands.verifyPIN(Array("12345".utf8))?.data, [0x12, 0x34, 0x5F])
        XCTAssertNil(SSSECommands.verifyPIN(Array("123".utf8)))
        XCTAssertNil(SSSECommands.verifyPIN(Array("12345678901234567".utf8)))
    }

    func testCardIdentificationCodeChecksRegionAndRID() {
        let id = CardIdentificationCode(hex: "411600D156000005C38275EEFC9B9648")
        XCTAssertEqual(id?.regionCode, "411600")
        XCTAssertEqual(id?.serial.hexString, "C38275EEFC9B9648")
        XCTAssertNil(CardIdentificationCode(hex: "411600D156000006C38275EEFC9B9648"), "wrong RID")
        XCTAssertNil(CardIdentificationCode(hex: "4116A0D156000005C38275EEFC9B9648"), "region not BCD")
        XCTAssertNil(CardIdentificationCode(hex: "44010FD156000005C38275EEFC9B9648"), "region of five digits, F-padded")
        XCTAssertNil(CardIdentificationCode(hex: "F40100D156000005C38275EEFC9B9648"), "region starting with F")
        XCTAssertEqual(CardIdentificationCode(hex: "990000D1560000050123456789abcdef")?.hex, "990000D1560000050123456789ABCDEF",
                       "lower-case hex reads, the text is upper case")
        XCTAssertNil(CardIdentificationCode(hex: "411600D156000005C38275EEFC9B96"), "short")
    }
}
