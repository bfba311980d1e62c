import XCTest
import SSCardDriver
@testable import SSCardSimulator

/// VERIFY, CHANGE PIN, RELOAD PIN and UNBLOCK PIN of the SSSE PIN.
final class SimulatedCardPINTests: XCTestCase {
    func testInitialPINVerifies() throws {
        let t = try TestTerminal.blank()
        t.selectSSSE()
        XCTAssertEqual(t.sw("00200000"), 0x63C6, "tries left before any VERIFY")
        XCTAssertEqual(t.sw("0020000003123456"), 0x9000)
        XCTAssertEqual(t.sw("00200000"), 0x9000, "verified")
        XCTAssertEqual(try SocialSecurityCard(channel: t.channel).verifyPIN(Array("123456".utf8)), .verified)
    }

    func testSixWrongPINsLockAndTheRightOneIsThenRefused() throws {
        let t = try TestTerminal.blank()
        t.selectSSSE()
        for left in (0...5).reversed() {
            XCTAssertEqual(t.verifyPIN("654321"), 0x63C0 | UInt16(left))
        }
        XCTAssertEqual(t.verifyPIN("123456"), 0x6983, "7th try with the right PIN")
        XCTAssertEqual(t.sw("00200000"), 0x6983)
        XCTAssertTrue(t.card.image.userPIN.isBlocked)
    }

    func testRightPINResetsTheCounter() throws {
        let t = try TestTerminal.blank()
        XCTAssertEqual(t.verifyPIN("000000"), 0x63C5)
        XCTAssertEqual(t.verifyPIN("000000"), 0x63C4)
        XCTAssertEqual(t.verifyPIN("123456"), 0x9000)
        XCTAssertEqual(t.verifyPIN("000000"), 0x63C5)
        XCTAssertEqual(t.sw("00200000"), 0x63C5, "a wrong try ends the verified state")
    }

    func testVerifyRefusals() throws {
        let t = try TestTerminal.blank()
        XCTAssertEqual(t.sw("002000000112"), 0x6700, "one byte is not a PIN")
        XCTAssertEqual(t.sw("0020000009112233445566778899"), 0x6700)
        XCTAssertEqual(t.sw("0020010003123456"), 0x6A86)
        XCTAssertEqual(t.sw("0020000203123456"), 0x6A88)
        XCTAssertEqual(t.sw("0020000103123456"), 0x6A88, "admin PIN outside the PKI application")
        XCTAssertEqual(t.card.image.userPIN.triesLeft, 6, "no try spent on malformed VERIFY")
    }

    func testChangePIN() throws {
        let t = try TestTerminal.blank()
        XCTAssertEqual(t.sw("805E010006123456FF24A8"), 0x6A80, "new PIN with a non-digit nibble")
        XCTAssertEqual(t.sw("805E0100051234562468"), 0x6A80, "no FF separator")
        XCTAssertEqual(t.sw("805E010005123456FF12"), 0x6A80, "new PIN of 2 digits")
        XCTAssertEqual(t.sw("805E010004FF246813"), 0x6A80, "no old PIN")
        XCTAssertEqual(t.card.image.userPIN.triesLeft, 6)
        XCTAssertEqual(t.sw("805E010007111111FF246813"), 0x63C5, "wrong old PIN spends a try")
        XCTAssertEqual(t.sw("805E010007123456FF24681F"), 0x9000, "new PIN 2468 1")
        XCTAssertEqual(t.card.image.userPIN.value, "24681")
        XCTAssertEqual(t.verifyPIN("123456"), 0x63C5)
        XCTAssertEqual(t.verifyPIN("24681"), 0x9000)
        XCTAssertEqual(t.sw("805E020007123456FF246813"), 0x6A86)
        XCTAssertEqual(t.sw("805E0100"), 0x6700)
    }

    func testChangePINOnABlockedPIN() throws {
        let t = try TestTerminal.blank()
        for _ in 0..<6 { _ = t.verifyPIN("999999") }
        XCTAssertEqual(t.sw("805E010007123456FF654321"), 0x6983)
    }

    func testReloadPINWithThePUKMAC() throws {
        let t = try TestTerminal.blank()
        t.selectSSSE()
        for _ in 0..<6 { _ = t.verifyPIN("999999") }
        let puk = try t.cardKey(.pinUnblock)
        let reload = try t.secured(ins: 0x5E, p1: 0, p2: 0, data: BCD.encode("8642")!, key: puk)
        XCTAssertEqual(t.sw(reload), 0x9000)
        XCTAssertEqual(t.card.image.userPIN.triesLeft, 6)
        XCTAssertEqual(t.verifyPIN("123456"), 0x63C5)
        XCTAssertEqual(t.verifyPIN("8642"), 0x9000)
    }

    func testReloadPINRefusals() throws {
        let t = try TestTerminal.blank()
        let puk = try t.cardKey(.pinUnblock)
        // No challenge.
        let unchallenged = try CardKeyScheme.securedCommand(cla: 0x84, ins: 0x5E, p1: 0, p2: 0, data: BCD.encode("8642")!,
                                                            cardKey: puk, challenge: [UInt8](repeating: 0, count: 8))
        XCTAssertEqual(t.sw(unchallenged), 0x6985)
        // MAC under another key.
        XCTAssertEqual(t.sw(try t.secured(ins: 0x5E, p1: 0, p2: 0, data: BCD.encode("8642")!, key: t.cardKey(.writeKey))), 0x6988)
        // MAC made for another instruction (UNBLOCK's header).
        var wrongHeader = try t.secured(ins: 0x24, p1: 0, p2: 0, data: BCD.encode("8642")!, key: puk)
        wrongHeader.ins = 0x5E
        XCTAssertEqual(t.sw(wrongHeader), 0x6988)
        // MAC bit flipped.
        var flipped = try t.secured(ins: 0x5E, p1: 0, p2: 0, data: BCD.encode("8642")!, key: puk)
        flipped.data[flipped.data.count - 1] ^= 1
        XCTAssertEqual(t.sw(flipped), 0x6988)
        // A good MAC replayed after its challenge was spent.
        let good = try t.secured(ins: 0x5E, p1: 0, p2: 0, data: BCD.encode("8642")!, key: puk)
        XCTAssertEqual(t.sw(good), 0x9000)
        XCTAssertEqual(t.sw(good), 0x6985)
        // New PIN too short / too long / not BCD.
        XCTAssertEqual(t.sw(try t.secured(ins: 0x5E, p1: 0, p2: 0, data: [0x12], key: puk)), 0x6A80)
        XCTAssertEqual(t.sw(try t.secured(ins: 0x5E, p1: 0, p2: 0, data: [UInt8](repeating: 0x11, count: 9), key: puk)), 0x6A80)
        XCTAssertEqual(t.sw(try t.secured(ins: 0x5E, p1: 0, p2: 0, data: [0x12, 0x3A], key: puk)), 0x6A80)
        // Data shorter than the MAC.
        _ = t.challenge()
        XCTAssertEqual(t.sw("845E000003010203"), 0x6700)
        XCTAssertEqual(t.sw("845E020003010203"), 0x6A86)
        XCTAssertEqual(t.card.image.userPIN.value, "8642")
    }

    func testUnblockResetsOnlyTheCounter() throws {
        let t = try TestTerminal.blank()
        for _ in 0..<6 { _ = t.verifyPIN("999999") }
        let puk = try t.cardKey(.pinUnblock)
        XCTAssertEqual(t.sw(try t.secured(ins: 0x24, p1: 0, p2: 0, data: [], key: t.cardKey(.readKey))), 0x6988)
        XCTAssertTrue(t.card.image.userPIN.isBlocked)
        XCTAssertEqual(t.sw("8424000004" + "00000000"), 0x6985, "no challenge")
        XCTAssertEqual(t.sw(try t.secured(ins: 0x24, p1: 0, p2: 0, data: [], key: puk)), 0x9000)
        XCTAssertEqual(t.sw("00200000"), 0x63C6)
        XCTAssertEqual(t.verifyPIN("123456"), 0x9000, "same PIN as before")
        _ = t.challenge()
        XCTAssertEqual(t.sw("842400000500000000"), 0x6700)
        XCTAssertEqual(t.sw("842400010400000000"), 0x6A86)
    }
}
