import Foundation
import XCTest
import SSCardDriver
import SSCardSimulator

/// The PIN functions from C through pcscd + vpcd, with the PINs supplied by the C program's
/// callback (Tests/CProgram/pin_provider.h, SSCardDriver_SetPINCallback). vpcd announces no
/// PIN pad, so the callback is asked.
final class CABIPINTests: PCSCStackTestCase {
    private func cardInfo(_ card: SimulatedSSCard) -> String {
        let number = card.image.records.value(of: .cardNumber).map(ElementText.decode) ?? ""
        return "\(TestCards.cardID(of: card).hex)|\(number)|"
    }

    private func assertNoPIN(_ texts: [String], _ pins: [String], file: StaticString = #filePath, line: UInt = #line) {
        for text in texts {
            for pin in pins { XCTAssertFalse(text.contains(pin), "a PIN leaked into \(text)", file: file, line: line) }
        }
    }

    func testVerifyAndChangeThroughTheCallback() throws {
        let card = TestCards.personalised()
        try insert(card)
        let c = try CProgramHarness()
        var texts: [String] = []

        XCTAssertEqual(c.send("setpins 123456 - -"), "setpins 0")
        let right = c.call("verifypin 1")
        texts.append(right.text)
        XCTAssertEqual(right.code, 0, right.text)
        XCTAssertEqual(right.text, "")

        XCTAssertEqual(c.send("setpins 654321 - -"), "setpins 0")
        let wrong = c.call("verifypin 1")
        texts.append(wrong.text)
        XCTAssertEqual(wrong.code, -51, wrong.text)
        XCTAssertEqual(wrong.text, "密码错误，还可尝试5次")

        XCTAssertEqual(c.send("setpins 123456 97531246 97531247"), "setpins 0")
        let differ = c.call("changepin 1")
        texts.append(differ.text)
        XCTAssertEqual(differ.code, -34, differ.text)
        XCTAssertEqual(c.send("setpins 123456 123456 123456"), "setpins 0")
        XCTAssertEqual(c.call("changepin 1").code, -36)

        XCTAssertEqual(c.send("setpins 123456 97531246 97531246"), "setpins 0")
        let changed = c.call("changepin 1")
        texts.append(changed.text)
        XCTAssertEqual(changed.code, 0, changed.text)
        XCTAssertEqual(c.send("setpins 97531246 - -"), "setpins 0")
        XCTAssertEqual(c.call("verifypin 1").code, 0)
        XCTAssertEqual(card.image.userPIN.triesLeft, 6)

        // The context pointer came back to the callback every time.
        let calls = c.send("pincalls")
        XCTAssertTrue(calls.hasPrefix("pincalls "), calls)
        XCTAssertGreaterThanOrEqual(Int(calls.dropFirst("pincalls ".count)) ?? 0, 10, calls)
        assertNoPIN(texts, ["654321", "97531246", "97531247"])
    }

    func testCancelTimeoutAndLock() throws {
        let card = TestCards.personalised()
        try insert(card)
        let c = try CProgramHarness()
        XCTAssertEqual(c.send("setpins - - -"), "setpins 0")
        XCTAssertEqual(c.call("verifypin 1").code, -31)
        XCTAssertEqual(c.send("setpins T T T"), "setpins 0")
        XCTAssertEqual(c.call("verifypin 1").code, -32)
        XCTAssertEqual(c.call("changepin 1").code, -32)
        XCTAssertEqual(card.image.userPIN.triesLeft, 6)

        XCTAssertEqual(c.send("setpins 000000 - -"), "setpins 0")
        for left in stride(from: 5, through: 1, by: -1) {
            let r = c.call("verifypin 1")
            XCTAssertEqual(r.code, -51, r.text)
            XCTAssertEqual(r.text, "密码错误，还可尝试\(left)次")
        }
        XCTAssertEqual(c.call("verifypin 1").code, -52)
        XCTAssertEqual(c.send("setpins 123456 - -"), "setpins 0")
        XCTAssertEqual(c.call("verifypin 1").code, -52, "locked even for the right PIN")
    }

    func testUnblockAndReloadWithTheSimulatedHSM() throws {
        let card = TestCards.personalised()
        try insert(card)
        let c = try CProgramHarness()
        let info = cardInfo(card)
        XCTAssertEqual(c.send("setpins 000000 - -"), "setpins 0")
        for _ in 0..<6 { _ = c.call("verifypin 1") }
        XCTAssertEqual(card.image.userPIN.triesLeft, 0)

        XCTAssertEqual(c.call("unblockpin", numbers: [1], strings: ["411600D1560000050000000000000000|SIM000099|"]).code, -22)
        let unblocked = c.call("unblockpin", numbers: [1], strings: [info])
        XCTAssertEqual(unblocked.code, 0, unblocked.text)
        XCTAssertEqual(card.image.userPIN.triesLeft, 6)
        XCTAssertEqual(c.send("setpins 123456 - -"), "setpins 0")
        XCTAssertEqual(c.call("verifypin 1").code, 0, "unblock keeps the PIN")

        XCTAssertEqual(c.send("setpins - 8642097531 8642097531"), "setpins 0")
        let reloaded = c.call("reloadpin", numbers: [1], strings: [info])
        XCTAssertEqual(reloaded.code, 0, reloaded.text)
        XCTAssertEqual(c.send("setpins 8642097531 - -"), "setpins 0")
        XCTAssertEqual(c.call("verifypin 1").code, 0)
        assertNoPIN([reloaded.text], ["8642097531"])
    }

    func testThreeStepReloadAndUnblockWithoutASecurityModule() throws {
        let card = TestCards.personalised()
        try insert(card)
        let config = FileManager.default.temporaryDirectory.appendingPathComponent("cfg-\(UUID().uuidString).json")
        try Data(#"{"securityModule": "none"}"#.utf8).write(to: config)
        defer { try? FileManager.default.removeItem(at: config) }
        let c = try CProgramHarness(environment: ["SSCARD_DRIVER_CONFIG": config.path])
        let info = cardInfo(card)
        let hsm = SimulatedHSM()
        let pin = "5647382910"

        XCTAssertEqual(c.send("setpins - \(pin) \(pin)"), "setpins 0")
        XCTAssertEqual(c.call("reloadpin", numbers: [1], strings: [info]).code, -2201)
        let r1 = c.call("rpin1", numbers: [1], strings: [info])
        XCTAssertEqual(r1.code, 0, r1.text)
        let r2 = c.call("rpin2", strings: [try hsm.pinResetAuthentication(for: PINResetChallenge(parsing: r1.text)).interfaceText])
        XCTAssertEqual(r2.code, 0, r2.text)
        let r3 = c.call("rpin3", strings: [try hsm.pinCommandMAC(for: PINCommandMACRequest(parsing: r2.text)).interfaceText])
        XCTAssertEqual(r3.code, 0, r3.text)
        assertNoPIN([r1.text, r2.text, r3.text], [pin])
        XCTAssertEqual(c.send("setpins \(pin) - -"), "setpins 0")
        XCTAssertEqual(c.call("verifypin 1").code, 0)

        // Lock it, then the three unblock steps.
        XCTAssertEqual(c.send("setpins 000000 - -"), "setpins 0")
        for _ in 0..<6 { _ = c.call("verifypin 1") }
        XCTAssertEqual(c.call("unblockpin", numbers: [1], strings: [info]).code, -2201)
        let u1 = c.call("upin1", numbers: [1], strings: [info])
        XCTAssertEqual(u1.code, 0, u1.text)
        let u2 = c.call("upin2", strings: [try hsm.pinResetAuthentication(for: PINResetChallenge(parsing: u1.text)).interfaceText])
        XCTAssertEqual(u2.code, 0, u2.text)
        XCTAssertEqual(c.call("upin3", strings: ["00000000|"]).code, -0x6988, "a wrong MAC is the card's 6988")
        XCTAssertEqual(card.image.userPIN.triesLeft, 0)
        XCTAssertEqual(c.call("upin3", strings: ["00000000|"]).code, -14, "the pending step is gone")
    }
}
