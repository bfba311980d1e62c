import Foundation
import XCTest
import SSCardDriver
import SSCardSimulator

/// iReadCard / iWriteCard and their HSM forms, from C through pcscd + vpcd.
final class CABIReadWriteTests: PCSCStackTestCase {
    private func cardInfo(_ card: SimulatedSSCard) -> String {
        let number = card.image.records.value(of: .cardNumber).map(ElementText.decode) ?? ""
        return "\(TestCards.cardID(of: card).hex)|\(number)|"
    }

    func testReadCardMirrorsTheFileAddress() throws {
        let card = TestCards.personalised(name: "王䄲𠀀", ssn: "110101199003077777")
        try insert(card)
        let c = try CProgramHarness()
        let r = c.call("readcard", numbers: [1, 2], strings: [cardInfo(card), "SSSEEF05|07|03|$SSSEEF06|08|09|$"])
        XCTAssertEqual(r.code, 0, r.text)
        let number = card.image.records.value(of: .cardNumber).map(ElementText.decode) ?? ""
        XCTAssertEqual(r.text, "SSSEEF05|\(number)|3.00|$SSSEEF06|110101199003077777|王䄲𠀀|$")
    }

    func testReadCardChecksTheCardInfo() throws {
        let card = TestCards.personalised()
        try insert(card)
        let c = try CProgramHarness()
        let other = "411600D1560000050000000000000000|SIM000099|"
        XCTAssertEqual(c.call("readcard", numbers: [1, 2], strings: [other, "SSSEEF05|07|$"]).code, -22)
        XCTAssertEqual(c.call("readcard", numbers: [1, 2], strings: [cardInfo(card), "SSSEEF05|07|"]).code, -14, "missing $")
        XCTAssertEqual(c.call("readcard", numbers: [1, 2], strings: [cardInfo(card), "SSSEEF09|01|$"]).code, -14, "unknown file")
        XCTAssertEqual(c.call("readcard", numbers: [1, 2], strings: ["XYZ|", "SSSEEF05|07|$"]).code < 0, true)
    }

    func testWriteCardThenReadBack() throws {
        let card = TestCards.blank(cardNumber: "W00000001")
        try insert(card)
        let c = try CProgramHarness()
        let info = cardInfo(card)
        let w = c.call("writecard", numbers: [1], strings: [info, "SSSEEF06|08|09|0A|$", "SSSEEF06|110101199003077777|赵𫓧|2|$"])
        XCTAssertEqual(w.code, 0, w.text)
        let r = c.call("readcard", numbers: [1, 2], strings: [info, "SSSEEF06|08|09|0A|$"])
        XCTAssertEqual(r.text, "SSSEEF06|110101199003077777|赵𫓧|2|$")
        // Bad value: a date that does not exist is refused before anything is written.
        let bad = c.call("writecard", numbers: [1], strings: [info, "SSSEEF06|0D|$", "SSSEEF06|19900231|$"])
        XCTAssertEqual(bad.code, -41, bad.text)
    }

    func testHSMTwoStepWrite() throws {
        let card = TestCards.blank(cardNumber: "W00000002")
        try insert(card)
        let c = try CProgramHarness()
        let info = cardInfo(card)
        let step1 = c.call("whsm1", numbers: [1], strings: [info, "SSSEEF06|08|09|$"])
        XCTAssertEqual(step1.code, 0, step1.text)
        let key = try SimulatedHSM().writeAuthenticationKey(for: HSMAuthenticationChallenge(parsing: step1.text))
        let step2 = c.call("whsm2", strings: [key.interfaceText, "SSSEEF06|110101199003077777|钱七|$"])
        XCTAssertEqual(step2.code, 0, step2.text)

        // Read it back through the two-step read.
        let r1 = c.call("rhsm1", numbers: [1], strings: [info, "SSSEEF06|09|$"])
        let readKey = try SimulatedHSM().readAuthenticationKey(for: HSMAuthenticationChallenge(parsing: r1.text))
        let r2 = c.call("rhsm2", strings: [readKey.interfaceText])
        XCTAssertEqual(r2.code, 0, r2.text)
        XCTAssertEqual(r2.text, "SSSEEF06|钱七|$")
    }

    func testHSMWriteWithTheReadKeyIsRefusedByTheCard() throws {
        let card = TestCards.blank(cardNumber: "W00000003")
        try insert(card)
        let c = try CProgramHarness()
        let step1 = c.call("whsm1", numbers: [1], strings: [cardInfo(card), "SSSEEF06|09|$"])
        // The read key's cryptogram does not open writing.
        let wrong = try SimulatedHSM().readAuthenticationKey(for: HSMAuthenticationChallenge(parsing: step1.text))
        let step2 = c.call("whsm2", strings: [wrong.interfaceText, "SSSEEF06|钱七|$"])
        XCTAssertLessThan(step2.code, -25000, step2.text)
    }

    func testAPINCallbackCallingBackIntoTheDriverGetsACodeNotADeadlock() throws {
        let card = TestCards.personalised(name: "孙八")
        try insert(card)
        let c = try CProgramHarness()
        XCTAssertEqual(c.send("reentrantpins"), "reentrantpins 0")
        // The outer call goes on with the PIN the callback gave; the calls made inside it are refused.
        let r = c.call("readcard", numbers: [1, 1], strings: [cardInfo(card), "SSSEEF06|09|$"])
        XCTAssertEqual(r.code, 0, r.text)
        XCTAssertEqual(c.send("reentered"), "reentered -13 -13")
        // Outside the callback the driver serves as ever.
        XCTAssertEqual(c.call("readbas 1").code, 0)
    }

    func testReadCardWithPINAuthenticationAsksForThePIN() throws {
        let card = TestCards.personalised(name: "孙八")
        try insert(card)
        let c = try CProgramHarness()
        XCTAssertEqual(c.send("setpins 123456 - -"), "setpins 0")
        let r = c.call("readcard", numbers: [1, 1], strings: [cardInfo(card), "SSSEEF06|09|$"])
        XCTAssertEqual(r.code, 0, r.text)
        XCTAssertEqual(r.text, "SSSEEF06|孙八|$")
        XCTAssertEqual(c.send("pincalls"), "pincalls 1")
        XCTAssertEqual(c.send("setpins 000000 - -"), "setpins 0")
        let wrong = c.call("readcard", numbers: [1, 1], strings: [cardInfo(card), "SSSEEF06|09|$"])
        XCTAssertEqual(wrong.code, -51, wrong.text)
    }
}
