import XCTest
import SSCardDriver
@testable import SSCardSimulator

/// GET CHALLENGE, INTERNAL AUTHENTICATE and EXTERNAL AUTHENTICATE.
final class SimulatedCardAuthenticationTests: XCTestCase {
    func testGetChallengeLengths() throws {
        let t = try TestTerminal.blank()
        let a = t.challenge(8), b = t.challenge(8)
        XCTAssertNotEqual(a, b)
        XCTAssertEqual(t.challenge(16).count, 16)
        XCTAssertEqual(t.sw("0084000004"), 0x6700)
        XCTAssertEqual(t.sw("0084000000"), 0x6700, "Le 256")
        XCTAssertEqual(t.sw("00840000"), 0x6700, "no Le")
        XCTAssertEqual(t.sw("0084000108"), 0x6A86)
    }

    func testInternalAuthenticateAnswersTheSchemeValue() throws {
        let t = try TestTerminal.blank()
        t.selectSSSE()
        try t.internalAuthenticate()
        // A card made with other master keys gives a different answer: the check can fail.
        let otherKeys = HSMMasterKeys([
            .internalAuthentication: [UInt8](repeating: 1, count: 16), .readKey: [UInt8](repeating: 2, count: 16),
            .writeKey: [UInt8](repeating: 3, count: 16), .pinUnblock: [UInt8](repeating: 4, count: 16),
            .pkiMaster: [UInt8](repeating: 5, count: 16),
        ])
        let other = TestTerminal(image: try PreMadeCardFactory(masterKeys: otherKeys).blankCard(.sample()))
        other.selectSSSE()
        let data = [UInt8](repeating: 7, count: 16)
        let answer = other.send(CommandAPDU(ins: 0x88, p1: 0, p2: 0, data: data, expectedLength: 256))
        XCTAssertEqual(answer.statusWord, .success)
        XCTAssertNotEqual(answer.data, try CardKeyScheme.internalAuthResponse(
            cardKey: t.cardKey(.internalAuthentication), factor: Array(data[..<8]), raw: Array(data[8...])))
    }

    func testInternalAuthenticateRefusals() throws {
        let t = try TestTerminal.blank()
        let data = [UInt8](repeating: 1, count: 16).hexString
        XCTAssertEqual(t.sw("0088000010" + data), 0x6985, "SSSE not selected")
        t.selectSSSE()
        XCTAssertEqual(t.sw("008800000F" + String(data.dropLast(2))), 0x6700)
        XCTAssertEqual(t.sw("0088010010" + data), 0x6A86)
    }

    func testExternalAuthenticateRules() throws {
        let t = try TestTerminal.blank()
        t.selectSSSE()
        let rk = try t.cardKey(.readKey)
        // No challenge.
        let stale = try CardKeyScheme.externalAuthData(cardKey: rk, challenge: [UInt8](repeating: 0, count: 8), cardID: t.cardID)
        XCTAssertEqual(t.sw(CommandAPDU(ins: 0x82, p1: 0, p2: 0x0A, data: stale)), 0x6985)
        // Right cryptogram for the challenge.
        var challenge = t.challenge()
        let good = try CardKeyScheme.externalAuthData(cardKey: rk, challenge: challenge, cardID: t.cardID)
        XCTAssertEqual(t.sw(CommandAPDU(ins: 0x82, p1: 0, p2: 0x0A, data: good)), 0x9000)
        // Replay: the challenge was spent.
        XCTAssertEqual(t.sw(CommandAPDU(ins: 0x82, p1: 0, p2: 0x0A, data: good)), 0x6985)
        // Wrong cryptogram.
        challenge = t.challenge()
        var bad = try CardKeyScheme.externalAuthData(cardKey: rk, challenge: challenge, cardID: t.cardID)
        bad[0] ^= 0x01
        XCTAssertEqual(t.sw(CommandAPDU(ins: 0x82, p1: 0, p2: 0x0A, data: bad)), 0x6300)
        // Raw data that is not the challenge, with a cryptogram computed over it.
        _ = t.challenge()
        let other = try CardKeyScheme.externalAuthData(cardKey: rk, challenge: [UInt8](repeating: 9, count: 8), cardID: t.cardID)
        XCTAssertEqual(t.sw(CommandAPDU(ins: 0x82, p1: 0, p2: 0x0A, data: other)), 0x6300)
        // Cryptogram of the write key presented for the read key.
        challenge = t.challenge()
        let wrongKey = try CardKeyScheme.externalAuthData(cardKey: t.cardKey(.writeKey), challenge: challenge, cardID: t.cardID)
        XCTAssertEqual(t.sw(CommandAPDU(ins: 0x82, p1: 0, p2: 0x0A, data: wrongKey)), 0x6300)
        // Unknown key id, bad length, bad P1.
        XCTAssertEqual(t.sw(CommandAPDU(ins: 0x82, p1: 0, p2: 0x06, data: good)), 0x6A88)
        XCTAssertEqual(t.sw(CommandAPDU(ins: 0x82, p1: 0, p2: 0x0A, data: Array(good.prefix(8)))), 0x6700)
        XCTAssertEqual(t.sw(CommandAPDU(ins: 0x82, p1: 1, p2: 0x0A, data: good)), 0x6A86)
    }

    func testFailedExternalAuthenticationDropsThatKeysState() throws {
        let t = try TestTerminal.personalised()
        t.selectSSSE(file: .ef06)
        try t.internalAuthenticate()
        XCTAssertEqual(try t.externalAuthenticate(.readKey), 0x9000)
        XCTAssertEqual(t.sw("00B2080000"), 0x9000)
        let challenge = t.challenge()
        XCTAssertEqual(t.sw(CommandAPDU(ins: 0x82, p1: 0, p2: 0x0A, data: [UInt8](repeating: 0, count: 8) + challenge)), 0x6300)
        XCTAssertEqual(t.sw("00B2080000"), 0x6982)
    }

    func testResetSpendsTheChallenge() throws {
        let t = try TestTerminal.blank()
        t.selectSSSE()
        let challenge = t.challenge()
        t.card.reset()
        t.selectSSSE()
        let data = try CardKeyScheme.externalAuthData(cardKey: t.cardKey(.readKey), challenge: challenge, cardID: t.cardID)
        XCTAssertEqual(t.sw(CommandAPDU(ins: 0x82, p1: 0, p2: 0x0A, data: data)), 0x6985)
    }
}
