import XCTest
import SSCardDriver
@testable import SSCardSimulator

/// The T=0 flag: 61xx + GET RESPONSE for case 4, 6Cxx for a wrong Le, and the driver's
/// `CardChannel.transmit` recovering full responses through `SimulatedCardChannel`.
final class T0ResponseTests: XCTestCase {
    func testCase4AnswersWith61xxAndGetResponseHandsOutTheData() throws {
        let t = try TestTerminal.blank(t0: true)
        let select = t.send(CommandAPDU(ins: 0xA4, p1: 0x04, p2: 0x00, data: SSSE.aid))
        XCTAssertEqual(select.statusWord.rawValue, 0x611B)
        XCTAssertEqual(select.data, [])
        let part = t.send("00C0000010")
        XCTAssertEqual(part.statusWord.rawValue, 0x610B, "11 bytes still held")
        XCTAssertEqual(part.data, Array(CardSession.ssseFCI.prefix(16)))
        XCTAssertEqual(t.sw("00C0000020"), 0x6C0B, "asked for more than is held")
        let rest = t.send("00C000000B")
        XCTAssertEqual(rest.statusWord, .success)
        XCTAssertEqual(part.data + rest.data, CardSession.ssseFCI)
        XCTAssertEqual(t.sw("00C0000010"), 0x6985, "nothing held any more")
    }

    func testAnyOtherCommandDropsTheHeldResponse() throws {
        let t = try TestTerminal.blank(t0: true)
        XCTAssertEqual(t.sw(CommandAPDU(ins: 0xA4, p1: 0x04, p2: 0x00, data: SSSE.aid)), 0x611B)
        XCTAssertEqual(t.sw("00A4000002EF05"), 0x9000)
        XCTAssertEqual(t.sw("00C000001B"), 0x6985)
        XCTAssertEqual(t.sw("00C1000010"), 0x6D00)
    }

    func testReadRecordWithAWrongLeAnswers6Cxx() throws {
        let t = try TestTerminal.blank(t0: true)
        t.selectSSSE(file: .ef05)
        XCTAssertEqual(t.sw("00B2070005"), 0x6C0B)
        XCTAssertEqual(t.sw("00B2070020"), 0x6C0B, "longer is wrong too")
        XCTAssertEqual(t.send("00B207000B").data, [0x07, 0x09] + Array("SIM000001".utf8))
        XCTAssertEqual(t.send("00B2070000").statusWord, .success, "Le 00: the whole record")
    }

    func testT1StyleCardIgnoresAShortLeOnReadRecord() throws {
        let t = try TestTerminal.blank()
        t.selectSSSE(file: .ef05)
        XCTAssertEqual(t.send("00B2070005").data.count, 11)
        XCTAssertEqual(t.sw(CommandAPDU(ins: 0xA4, p1: 0x04, p2: 0x00, data: SSSE.aid)), 0x9000)
    }

    func testDriverTransmitRecoversFullResponses() throws {
        let t = try TestTerminal.personalised(t0: true)
        let channel = t.channel
        let fci = try channel.transmit(CommandAPDU(ins: 0xA4, p1: 0x04, p2: 0x00, data: SSSE.aid))
        XCTAssertEqual(fci.statusWord, .success)
        XCTAssertEqual(fci.data, CardSession.ssseFCI)
        XCTAssertEqual(try channel.transmit(CommandAPDU(ins: 0xA4, p1: 0x00, p2: 0x00, data: [0xEF, 0x05])).statusWord, .success)
        let wrongLe = try channel.transmit(CommandAPDU(ins: 0xB2, p1: 0x01, p2: 0x00, expectedLength: 4))
        XCTAssertEqual(wrongLe.statusWord, .success)
        XCTAssertEqual(wrongLe.data, [0x01, 0x10] + t.cardID)

        // Internal authentication (case 4) through the chain, checked against the scheme.
        let factor = [UInt8](repeating: 0x11, count: 8), raw = [UInt8](repeating: 0x22, count: 8)
        let answer = try channel.transmit(CommandAPDU(ins: 0x88, p1: 0, p2: 0, data: factor + raw, expectedLength: 256))
        XCTAssertEqual(answer.statusWord, .success)
        XCTAssertEqual(answer.data, try CardKeyScheme.internalAuthResponse(cardKey: t.cardKey(.internalAuthentication), factor: factor, raw: raw))

        // The driver's high-level reads work unchanged on the T=0 card.
        let issuer = try SocialSecurityCard(channel: channel).readIssuerData()
        XCTAssertEqual(issuer.cardNumber, "SIM000001")
    }

    func testLongResponsesChainIn256ByteSteps() throws {
        let t = try TestTerminal.personalised(t0: true)
        t.selectCertificateADF(file: .signingCertificate)
        XCTAssertEqual(t.verifyAdminPIN(), 0x9000)
        XCTAssertEqual(t.sw("00B0000000"), 0x9000, "Le 00 reads 256 bytes directly")
        XCTAssertEqual(t.sw("00B007F810"), 0x6C08, "8 bytes left at 07F8")
        let r = try t.channel.transmit(CommandAPDU(ins: 0xB0, p1: 0x07, p2: 0xF8, expectedLength: 16))
        XCTAssertEqual(r.statusWord, .success)
        XCTAssertEqual(r.data.count, 8)

        // An EF08 photo longer than 256 bytes comes back through 61 00 rounds.
        t.selectSSSE(file: .ef08)
        XCTAssertEqual(try t.externalAuthenticate(.writeKey), 0x9000)
        let photo = (0..<700).map { UInt8($0 % 251) }
        XCTAssertEqual(t.sw(CommandAPDU(ins: 0xDC, p1: 1, p2: 4, data: SimpleTLV(tag: 1, value: photo).bytes)), 0x9000)
        try t.internalAuthenticate()
        XCTAssertEqual(try t.externalAuthenticate(.readKey), 0x9000)
        XCTAssertEqual(t.sw(CommandAPDU(ins: 0xB2, p1: 1, p2: 4, expectedLength: 256)), 0x6100)
        let record = try t.channel.transmit(CommandAPDU(ins: 0xB2, p1: 1, p2: 4, expectedLength: 256))
        XCTAssertEqual(record.data, SimpleTLV(tag: 1, value: photo).bytes)
    }
}
