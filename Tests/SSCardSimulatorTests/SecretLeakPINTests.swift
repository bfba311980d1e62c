import Foundation
import XCTest
import SSCardDriver
import SSCardSimulator

/// No PIN and no key reaches the outputs of the PIN functions (pOutInfo on success and on
/// failure, the messages and descriptions of the typed errors), whichever way they end. The keys
/// are known: the simulator's test master keys and the card's keys diversified from them.
final class SecretLeakPINTests: XCTestCase {
    static func desk(module: (any CardSecurityModule)?) throws -> InterfacePINTests.Desk {
        try InterfacePINTests.desk(module: module)
    }

    func testNoPINOrKeyInAnyOutputOfThePINFunctions() throws {
        let pins = ["908172635445", "4455667788", "31415926", "27182818"]
        let hsm = SimulatedHSM()
        let d = try Self.desk(module: hsm)
        let h = try Self.desk(module: nil)
        var texts: [String] = []
        func run(_ r: InterfaceResult) { texts.append(r.output) }

        // Right and wrong PINs, every function.
        run(d.interface.iVerifyPIN(1, pinEntry: ScriptedPINs(current: "123456").entry))
        run(d.interface.iVerifyPIN(1, pinEntry: ScriptedPINs(current: pins[0]).entry))
        run(d.interface.iChangePIN(1, pinEntry: ScriptedPINs(current: "123456", new: pins[1], again: pins[1]).entry))
        run(d.interface.iChangePIN(1, pinEntry: ScriptedPINs(current: pins[1], new: pins[2], again: pins[3]).entry))
        run(d.interface.iVerifyPIN(1, pinEntry: ScriptedPINs(current: pins[1]).entry))
        run(d.interface.iReloadPIN(1, d.cardInfo, pinEntry: ScriptedPINs(new: pins[2], again: pins[2]).entry))
        run(d.interface.iReloadPIN(1, d.cardInfo, pinEntry: ScriptedPINs(new: pins[2], again: pins[3]).entry))
        run(d.interface.iUnblockPIN(1, d.cardInfo))
        run(d.interface.iVerifyPIN(1, pinEntry: ScriptedPINs(current: pins[2]).entry))
        XCTAssertEqual(texts.last, "", "the reloaded PIN verifies")

        // The three HSM steps, to the end, then a wrong MAC.
        let s1 = h.interface.iReloadPIN_HSM_Step1(1, h.cardInfo, pinEntry: ScriptedPINs(new: pins[3], again: pins[3]).entry)
        run(s1)
        let s2 = h.interface.iReloadPIN_HSM_Step2(try hsm.pinResetAuthentication(for: PINResetChallenge(parsing: s1.output)).interfaceText)
        run(s2)
        run(h.interface.iReloadPIN_HSM_Step3(try hsm.pinCommandMAC(for: PINCommandMACRequest(parsing: s2.output)).interfaceText))
        run(h.interface.iVerifyPIN(1, pinEntry: ScriptedPINs(current: pins[3]).entry))
        XCTAssertEqual(texts.last, "", "the PIN set through the HSM steps verifies")
        let t1 = h.interface.iReloadPIN_HSM_Step1(1, h.cardInfo, pinEntry: ScriptedPINs(new: pins[0], again: pins[0]).entry)
        run(t1)
        run(h.interface.iReloadPIN_HSM_Step2(try hsm.pinResetAuthentication(for: PINResetChallenge(parsing: t1.output)).interfaceText))
        run(h.interface.iReloadPIN_HSM_Step3("DEADBEEF"))
        let u1 = h.interface.iUnblockPIN_HSM_Step1(1, h.cardInfo)
        run(u1)
        run(h.interface.iUnblockPIN_HSM_Step2(try hsm.pinResetAuthentication(for: PINResetChallenge(parsing: u1.output)).interfaceText))

        // Typed errors, with their underlying causes.
        let throwing: [() throws -> Void] = [
            { try d.interface.verifyPIN(reader: .contact, pinEntry: ScriptedPINs(current: pins[1]).entry) },
            { try d.interface.changePIN(reader: .contact, pinEntry: ScriptedPINs(current: pins[2], new: pins[0], again: pins[1]).entry) },
            { try d.interface.reloadPIN(reader: .contact, cardInfo: CardInfoArgument(parsing: d.cardInfo),
                                        pinEntry: ScriptedPINs(new: pins[0] + "0000000", again: pins[0] + "0000000").entry) },
        ]
        for call in throwing {
            XCTAssertThrowsError(try call()) { error in texts.append(String(describing: error) + String(reflecting: error)) }
        }

        // The secrets: the PINs (their BCD hex is the same text), the master keys and the card's keys.
        var secrets: [(String, String)] = pins.map { ("a PIN of \($0.count) digits", $0) }
        for role in CardKeyRole.allCases {
            let cardKey = try hsm.masterKeys.cardKey(role, cardID: d.card.image.cardIdentificationCode.bytes)
            let other = try hsm.masterKeys.cardKey(role, cardID: h.card.image.cardIdentificationCode.bytes)
            for key in [cardKey, other] {
                secrets += [("card key \(role)", key.hexString.uppercased()), ("card key \(role)", key.hexString.lowercased()),
                            ("card key \(role)", Data(key).base64EncodedString())]
            }
        }
        for name in ["SIMTESTKEY-IRK01", "SIMTESTKEY-RK-0A", "SIMTESTKEY-UK-04", "SIMTESTKEY-PUK01", "SIMTESTKEY-PKIMK"] {
            secrets += [("master key", name), ("master key", Array(name.utf8).hexString.uppercased()),
                        ("master key", Array(name.utf8).hexString.lowercased())]
        }
        XCTAssertGreaterThan(texts.count, 20)
        for text in texts {
            for (name, secret) in secrets where text.contains(secret) {
                XCTFail("\(name) leaked into an output of \(text.count) characters")
            }
        }
    }
}

/// CA items printed by accident (an interpolated error, an assertion message) show no secret.
final class CAIssuanceRedactionTests: XCTestCase {
    func testDescriptionShowsSizesNotSecrets() throws {
        let fixture = try PKIIssuanceFixture()
        let items = try fixture.step1AndIssue().issued.items
        for text in ["\(items)", String(reflecting: items), "\([items])"] {
            XCTAssertFalse(text.contains(String(decoding: items.adminPIN, as: UTF8.self)), text)
            XCTAssertFalse(text.contains(items.encryptedMasterKey.hexString), text)
            XCTAssertFalse(text.contains(items.encryptionKeyEnvelope.hexString), text)
            XCTAssertFalse(text.contains("\(items.encryptedMasterKey)"), text)
            XCTAssertTrue(text.contains("redacted"), text)
        }
    }
}
