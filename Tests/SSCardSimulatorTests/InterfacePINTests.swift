import Foundation
import Synchronization
import XCTest
import SSCardDriver
import SSCardSimulator

/// Scripted PIN answers per purpose, recording what was asked. `nil` = cancelled.
final class ScriptedPINs: Sendable {
    enum Answer: Sendable { case pin(String), cancel, timeOut }
    private let answers: Mutex<[PINPurpose: [Answer]]>
    private let asked = Mutex<[PINPurpose]>([])

    init(_ answers: [PINPurpose: [Answer]]) { self.answers = Mutex(answers) }

    convenience init(current: String? = nil, new: String? = nil, again: String? = nil) {
        var map: [PINPurpose: [Answer]] = [:]
        if let current { map[.currentPIN] = [.pin(current)] }
        if let new { map[.newPIN] = [.pin(new)] }
        if let again { map[.newPINAgain] = [.pin(again)] }
        self.init(map)
    }

    var purposesAsked: [PINPurpose] { asked.withLock { $0 } }

    var entry: CallbackPINEntry {
        CallbackPINEntry { [self] (purpose: PINPurpose) throws(PINEntryError) -> [UInt8] in
            asked.withLock { $0.append(purpose) }
            let answer: Answer? = answers.withLock { map in
                guard var list = map[purpose], !list.isEmpty else { return nil }
                let first = list.removeFirst()
                // The last answer stays for later calls.
                map[purpose] = list.isEmpty ? [first] : list
                return first
            }
            switch answer {
            case .pin(let text)?: return Array(text.utf8)
            case .timeOut?: throw .timedOut
            case .cancel?, nil: throw .cancelled
            }
        }
    }
}

/// The PIN functions of the interface over a simulated card in process (no pcscd).
final class InterfacePINTests: XCTestCase {
    struct Desk {
        let interface: SSCardInterface
        let card: SimulatedSSCard
        var cardInfo: String {
            let id = card.image.cardIdentificationCode
            let number = card.image.records.value(of: .cardNumber).map(ElementText.decode) ?? ""
            return "\(id.hex)|\(number)|"
        }
        var triesLeft: Int { card.image.userPIN.triesLeft }
    }

    /// A security module that opens files but cannot MAC PIN commands (no PUK).
    struct FileOnlyModule: CardSecurityModule {
        let hsm = SimulatedHSM()
        func expectedInternalAuthentication(cardID: CardIdentificationCode, factor: [UInt8], raw: [UInt8]) throws -> [UInt8] {
            try hsm.expectedInternalAuthentication(cardID: cardID, factor: factor, raw: raw)
        }
        func externalAuthentication(cardID: CardIdentificationCode, keyID: UInt8, challenge: [UInt8]) throws -> [UInt8] {
            try hsm.externalAuthentication(cardID: cardID, keyID: keyID, challenge: challenge)
        }
        var terminalNumber: String { hsm.terminalNumber }
        var terminalDeviceNumber: String { hsm.terminalDeviceNumber }
    }

    static func desk(module: (any CardSecurityModule)? = SimulatedHSM(), sequence: Int = 1) throws -> Desk {
        let image = try PreMadeCardFactory().personalisedCard(.sample(sequence: sequence), holder: .sample)
        let card = SimulatedSSCard(image: image)
        let channel = SimulatedCardChannel(card: card)
        let interface = SSCardInterface(configuration: DriverConfiguration(), securityModule: module,
                                        channelSource: { kind, _ in kind == .contact ? channel : nil })
        return Desk(interface: interface, card: card)
    }

    /// Every output and message must be free of the PINs used (digits; BCD hex is the same text).
    private var seen: [String] = []
    private func record(_ r: InterfaceResult, _ file: StaticString = #filePath, _ line: UInt = #line) -> InterfaceResult {
        seen.append(r.output)
        return r
    }

    private func assertNoPIN(_ pins: [String], file: StaticString = #filePath, line: UInt = #line) {
        for text in seen {
            for pin in pins {
                XCTAssertFalse(text.contains(pin), "PIN \(pin.count) digits leaked into \(text)", file: file, line: line)
            }
        }
    }

    private func lock(_ desk: Desk) {
        let wrong = ScriptedPINs(current: "000000")
        for _ in 0..<6 { _ = record(desk.interface.iVerifyPIN(1, pinEntry: wrong.entry)) }
        XCTAssertEqual(desk.triesLeft, 0)
    }

    // MARK: iVerifyPIN

    func testVerifyRightPIN() throws {
        let d = try Self.desk()
        let r = record(d.interface.iVerifyPIN(1, pinEntry: ScriptedPINs(current: "123456").entry))
        XCTAssertEqual(r, InterfaceResult(code: 0, output: ""))
        XCTAssertEqual(d.triesLeft, 6)
        assertNoPIN(["123456"])
    }

    func testWrongPINCountsDownThenLocksAndStaysLocked() throws {
        let d = try Self.desk()
        let wrong = ScriptedPINs(current: "654321")
        for left in stride(from: 5, through: 1, by: -1) {
            let r = record(d.interface.iVerifyPIN(1, pinEntry: wrong.entry))
            XCTAssertEqual(r.code, -51, r.output)
            XCTAssertEqual(r.output, "密码错误，还可尝试\(left)次")
            XCTAssertEqual(d.triesLeft, left)
        }
        let sixth = record(d.interface.iVerifyPIN(1, pinEntry: wrong.entry))
        XCTAssertEqual(sixth.code, -52, "the sixth wrong try locks: \(sixth.output)")
        XCTAssertEqual(d.triesLeft, 0)
        XCTAssertEqual(wrong.purposesAsked.count, 6)

        // The right PIN after the lock is still −52, and nobody is asked for it.
        let right = ScriptedPINs(current: "123456")
        let after = record(d.interface.iVerifyPIN(1, pinEntry: right.entry))
        XCTAssertEqual(after.code, -52, after.output)
        XCTAssertEqual(right.purposesAsked, [])
        XCTAssertEqual(d.triesLeft, 0)

        // Typed API: −52 as InterfaceError.
        XCTAssertThrowsError(try d.interface.verifyPIN(reader: .contact, pinEntry: right.entry)) { error in
            XCTAssertEqual((error as? InterfaceError)?.code, .pinLocked)
            XCTAssertFalse(String(describing: error).contains("123456"))
        }
        assertNoPIN(["654321", "123456"])
    }

    func testRightPINRefillsTheCounter() throws {
        let d = try Self.desk()
        _ = d.interface.iVerifyPIN(1, pinEntry: ScriptedPINs(current: "111111").entry)
        _ = d.interface.iVerifyPIN(1, pinEntry: ScriptedPINs(current: "111111").entry)
        XCTAssertEqual(d.triesLeft, 4)
        XCTAssertEqual(d.interface.iVerifyPIN(1, pinEntry: ScriptedPINs(current: "123456").entry).code, 0)
        XCTAssertEqual(d.triesLeft, 6)
    }

    func testMalformedPINIsRefusedWithoutSpendingATry() throws {
        let d = try Self.desk()
        for pin in ["123", "12345678901234567", "12a456", ""] {
            let r = record(d.interface.iVerifyPIN(1, pinEntry: ScriptedPINs(current: pin).entry))
            XCTAssertEqual(r.code, -33, "\(pin.count) characters: \(r.output)")
        }
        XCTAssertEqual(d.triesLeft, 6)
    }

    func testBadITypeAndMissingReader() throws {
        let d = try Self.desk()
        XCTAssertEqual(d.interface.iVerifyPIN(7, pinEntry: ScriptedPINs(current: "123456").entry).code, -14)
        XCTAssertEqual(d.interface.iVerifyPIN(2, pinEntry: ScriptedPINs(current: "123456").entry).code, -13)
        XCTAssertEqual(d.interface.iVerifyPIN(4, pinEntry: ScriptedPINs(current: "123456").entry).code, 0, "contactless first, then contact")
    }

    // MARK: iChangePIN

    func testChangePINRules() throws {
        let d = try Self.desk()
        let mismatch = record(d.interface.iChangePIN(1, pinEntry: ScriptedPINs(current: "123456", new: "246810", again: "246811").entry))
        XCTAssertEqual(mismatch.code, -34, mismatch.output)
        let initial = record(d.interface.iChangePIN(1, pinEntry: ScriptedPINs(current: "123456", new: "123456", again: "123456").entry))
        XCTAssertEqual(initial.code, -36, initial.output)
        let short = record(d.interface.iChangePIN(1, pinEntry: ScriptedPINs(current: "123456", new: "123", again: "123").entry))
        XCTAssertEqual(short.code, -33, short.output)
        let long = record(d.interface.iChangePIN(1, pinEntry: ScriptedPINs(current: "123456", new: String(repeating: "7", count: 17), again: String(repeating: "7", count: 17)).entry))
        XCTAssertEqual(long.code, -33, long.output)
        let badCurrent = record(d.interface.iChangePIN(1, pinEntry: ScriptedPINs(current: "12", new: "246810", again: "246810").entry))
        XCTAssertEqual(badCurrent.code, -33, badCurrent.output)
        XCTAssertEqual(d.triesLeft, 6, "none of these reached the card")

        let wrongCurrent = record(d.interface.iChangePIN(1, pinEntry: ScriptedPINs(current: "999999", new: "246810", again: "246810").entry))
        XCTAssertEqual(wrongCurrent.code, -51, wrongCurrent.output)
        XCTAssertEqual(wrongCurrent.output, "密码错误，还可尝试5次")
        assertNoPIN(["246810", "246811", "999999", "123456"])
    }

    func testChangePINThenVerifyTheNewOne() throws {
        let d = try Self.desk()
        let pins = ScriptedPINs(current: "123456", new: "24681357", again: "24681357")
        XCTAssertEqual(record(d.interface.iChangePIN(1, pinEntry: pins.entry)), InterfaceResult(code: 0, output: ""))
        XCTAssertEqual(pins.purposesAsked, [.currentPIN, .newPIN, .newPINAgain])
        XCTAssertEqual(record(d.interface.iVerifyPIN(1, pinEntry: ScriptedPINs(current: "24681357").entry)).code, 0)
        XCTAssertEqual(record(d.interface.iVerifyPIN(1, pinEntry: ScriptedPINs(current: "123456").entry)).code, -51)
        // An odd digit count packs with an F nibble and verifies the same way.
        XCTAssertEqual(d.interface.iChangePIN(1, pinEntry: ScriptedPINs(current: "24681357", new: "97531", again: "97531").entry).code, 0)
        XCTAssertEqual(d.interface.iVerifyPIN(1, pinEntry: ScriptedPINs(current: "97531").entry).code, 0)
        assertNoPIN(["24681357", "123456"])
    }

    func testChangeOnALockedPINIsRefusedBeforeAsking() throws {
        let d = try Self.desk()
        lock(d)
        let pins = ScriptedPINs(current: "123456", new: "246810", again: "246810")
        XCTAssertEqual(d.interface.iChangePIN(1, pinEntry: pins.entry).code, -52)
        XCTAssertEqual(pins.purposesAsked, [])
    }

    // MARK: iReloadPIN / iUnblockPIN (one step, simulated HSM as the security module)

    func testReloadSetsANewPINOnALockedCard() throws {
        let d = try Self.desk()
        lock(d)
        let r = record(d.interface.iReloadPIN(1, d.cardInfo, pinEntry: ScriptedPINs(new: "864209753", again: "864209753").entry))
        XCTAssertEqual(r, InterfaceResult(code: 0, output: ""))
        XCTAssertEqual(d.triesLeft, 6)
        XCTAssertEqual(d.interface.iVerifyPIN(1, pinEntry: ScriptedPINs(current: "123456").entry).code, -51, "the old PIN is gone")
        XCTAssertEqual(d.interface.iVerifyPIN(1, pinEntry: ScriptedPINs(current: "864209753").entry).code, 0)
        assertNoPIN(["864209753"])
    }

    func testReloadRulesAndRefusals() throws {
        let d = try Self.desk()
        let entry = { (new: String, again: String) in ScriptedPINs(new: new, again: again).entry }
        XCTAssertEqual(record(d.interface.iReloadPIN(1, d.cardInfo, pinEntry: entry("246810", "246801"))).code, -34)
        XCTAssertEqual(record(d.interface.iReloadPIN(1, d.cardInfo, pinEntry: entry("123456", "123456"))).code, -36)
        XCTAssertEqual(record(d.interface.iReloadPIN(1, d.cardInfo, pinEntry: entry("246", "246"))).code, -33)

        // Another card's info: −22, and nobody is asked for a PIN.
        let asked = ScriptedPINs(new: "246810", again: "246810")
        let other = "411600D1560000050000000000000000|SIM000099|"
        XCTAssertEqual(record(d.interface.iReloadPIN(1, other, pinEntry: asked.entry)).code, -22)
        XCTAssertEqual(asked.purposesAsked, [])
        XCTAssertEqual(record(d.interface.iReloadPIN(1, "nonsense", pinEntry: asked.entry)).code, -14)

        // No security module: −2201; one without the PUK: −24 (callers then use the HSM steps).
        let bare = try Self.desk(module: nil)
        XCTAssertEqual(bare.interface.iReloadPIN(1, bare.cardInfo, pinEntry: asked.entry).code, -2201)
        XCTAssertEqual(bare.interface.iUnblockPIN(1, bare.cardInfo).code, -2201)
        let fileOnly = try Self.desk(module: FileOnlyModule())
        XCTAssertEqual(fileOnly.interface.iReloadPIN(1, fileOnly.cardInfo, pinEntry: asked.entry).code, -24)
        XCTAssertEqual(fileOnly.interface.iUnblockPIN(1, fileOnly.cardInfo).code, -24)
        XCTAssertEqual(asked.purposesAsked, [])
        assertNoPIN(["246810", "246801"])
    }

    func testUnblockResetsTheCounterAndKeepsThePIN() throws {
        let d = try Self.desk()
        lock(d)
        XCTAssertEqual(record(d.interface.iUnblockPIN(1, d.cardInfo)), InterfaceResult(code: 0, output: ""))
        XCTAssertEqual(d.triesLeft, 6)
        XCTAssertEqual(d.interface.iVerifyPIN(1, pinEntry: ScriptedPINs(current: "123456").entry).code, 0)
        XCTAssertEqual(d.interface.iUnblockPIN(1, "411600D1560000050000000000000000|SIM000099|").code, -22)
    }

    func testReloadWithAFakeCardFailsInternalAuthentication() throws {
        // The HSM's keys differ from the card's: the card is not believed genuine (−21).
        let other = HSMMasterKeys(Dictionary(uniqueKeysWithValues: CardKeyRole.allCases.map { ($0, Array("OTHER-KEYS-00000".utf8)) }))
        let d = try Self.desk(module: SimulatedHSM(masterKeys: other))
        let pins = ScriptedPINs(new: "246810", again: "246810")
        XCTAssertEqual(d.interface.iReloadPIN(1, d.cardInfo, pinEntry: pins.entry).code, -21)
        XCTAssertEqual(pins.purposesAsked, [], "no PIN is asked for a card that is not genuine")
        XCTAssertEqual(d.interface.iUnblockPIN(1, d.cardInfo).code, -21)
    }

    // MARK: Three-step HSM forms

    func testReloadThroughTheThreeHSMSteps() throws {
        let d = try Self.desk(module: nil)
        lock(d)
        let hsm = SimulatedHSM()
        let pin = "5647382910"
        let s1 = record(d.interface.iReloadPIN_HSM_Step1(1, d.cardInfo, pinEntry: ScriptedPINs(new: pin, again: pin).entry))
        XCTAssertEqual(s1.code, 0, s1.output)
        XCTAssertEqual(s1.output.split(separator: "|", omittingEmptySubsequences: false).count, 7, "6 fields: \(s1.output)")
        let challenge = try PINResetChallenge(parsing: s1.output)
        XCTAssertEqual(challenge.cardIdentificationCode, d.card.image.cardIdentificationCode)
        XCTAssertEqual(challenge.algorithmIdentifier, 0x03)

        let s2 = record(d.interface.iReloadPIN_HSM_Step2(try hsm.pinResetAuthentication(for: challenge).interfaceText))
        XCTAssertEqual(s2.code, 0, s2.output)
        let request = try PINCommandMACRequest(parsing: s2.output)
        XCTAssertEqual(request.commandHeader, [0x84, 0x5E, 0x00, 0x00, 0x09], "5 BCD bytes + 4 MAC bytes")

        let s3 = record(d.interface.iReloadPIN_HSM_Step3(try hsm.pinCommandMAC(for: request).interfaceText))
        XCTAssertEqual(s3, InterfaceResult(code: 0, output: ""))
        XCTAssertEqual(d.triesLeft, 6)
        XCTAssertEqual(d.interface.iVerifyPIN(1, pinEntry: ScriptedPINs(current: pin).entry).code, 0)
        assertNoPIN([pin])

        // All done: another Step3 has nothing to finish.
        XCTAssertEqual(d.interface.iReloadPIN_HSM_Step3("00000000|").code, -14)
    }

    func testTheMACInputHidesThePIN() throws {
        // Same PIN, same card, two runs: the MAC inputs differ (fresh challenge each time),
        // and neither is the clear block.
        let d = try Self.desk(module: nil)
        let hsm = SimulatedHSM()
        var inputs: [[UInt8]] = []
        for _ in 0..<2 {
            let s1 = try PINResetChallenge(parsing: d.interface.iReloadPIN_HSM_Step1(1, d.cardInfo, pinEntry: ScriptedPINs(new: "13572468", again: "13572468").entry).output)
            let s2 = try PINCommandMACRequest(parsing: d.interface.iReloadPIN_HSM_Step2(try hsm.pinResetAuthentication(for: s1).interfaceText).output)
            inputs.append(s2.macInput)
        }
        XCTAssertNotEqual(inputs[0], inputs[1])
        let clear: [UInt8] = [0x84, 0x5E, 0x00, 0x00, 0x08, 0x13, 0x57, 0x24, 0x68, 0x80] + [UInt8](repeating: 0, count: 6)
        XCTAssertFalse(inputs.contains(clear))
    }

    func testMACInputMatchesTheCardKeySchemeMAC() throws {
        // SM4-ECB(key, challenge ⊕ block) is the scheme's CBC-MAC with IV = challenge.
        let key = Array("SIMTESTKEY-PUK01".utf8)
        let challenge = (0..<16).map { UInt8($0 * 7 + 3) }
        for data in [[], [0x12, 0x34, 0x56], [0x12, 0x34, 0x56, 0x78, 0x90, 0x12, 0x34, 0x56]] as [[UInt8]] {
            let header: [UInt8] = [0x84, 0x5E, 0x00, 0x00]
            let input = PINCommandBlock.macInput(header: header, data: data, challenge: challenge)
            let viaInput = Array(try SM4.encryptECB(input, key: key).prefix(4))
            XCTAssertEqual(viaInput, try CardKeyScheme.pinCommandMAC(cardKey: key, challenge: challenge, header: header, data: data))
        }
    }

    func testUnblockThroughTheThreeHSMSteps() throws {
        let d = try Self.desk(module: nil)
        lock(d)
        let hsm = SimulatedHSM()
        let s1 = record(d.interface.iUnblockPIN_HSM_Step1(1, d.cardInfo))
        XCTAssertEqual(s1.code, 0, s1.output)
        let s2 = record(d.interface.iUnblockPIN_HSM_Step2(try hsm.pinResetAuthentication(for: PINResetChallenge(parsing: s1.output)).interfaceText))
        XCTAssertEqual(s2.code, 0, s2.output)
        let request = try PINCommandMACRequest(parsing: s2.output)
        XCTAssertEqual(request.commandHeader, [0x84, 0x24, 0x00, 0x00, 0x04])
        // The HSM may hand back its whole 16-byte SM4 output; the first 4 bytes are the MAC.
        let mac = try hsm.pinCommandMAC(for: request).mac
        let s3 = record(d.interface.iUnblockPIN_HSM_Step3(mac.hexString + "0011223344556677889900AA"))
        XCTAssertEqual(s3.code, 0, s3.output)
        XCTAssertEqual(d.triesLeft, 6)
        XCTAssertEqual(d.interface.iVerifyPIN(1, pinEntry: ScriptedPINs(current: "123456").entry).code, 0)
    }

    func testHSMStepsRefuseWrongOrderWrongValuesAndWrongFamily() throws {
        let d = try Self.desk(module: nil)
        let hsm = SimulatedHSM()
        XCTAssertEqual(d.interface.iReloadPIN_HSM_Step2("00112233445566778899AABBCCDDEEFF|").code, -14)
        XCTAssertEqual(d.interface.iUnblockPIN_HSM_Step3("00112233|").code, -14)
        XCTAssertEqual(d.interface.iReloadPIN_HSM_Step1(1, "411600D1560000050000000000000000|SIM000099|").code, -22)

        // A reload's Step1 does not feed an unblock's Step2.
        let s1 = try PINResetChallenge(parsing: d.interface.iReloadPIN_HSM_Step1(1, d.cardInfo, pinEntry: ScriptedPINs(new: "246810", again: "246810").entry).output)
        let auth = try hsm.pinResetAuthentication(for: s1)
        XCTAssertEqual(d.interface.iUnblockPIN_HSM_Step2(auth.interfaceText).code, -14)

        // Wrong internal-authentication value: −21, and the pending step is gone.
        _ = d.interface.iReloadPIN_HSM_Step1(1, d.cardInfo, pinEntry: ScriptedPINs(new: "246810", again: "246810").entry)
        XCTAssertEqual(d.interface.iReloadPIN_HSM_Step2("00112233445566778899AABBCCDDEEFF|").code, -21)
        XCTAssertEqual(d.interface.iReloadPIN_HSM_Step3("00112233|").code, -14)

        // Malformed pKeys: −14.
        _ = d.interface.iReloadPIN_HSM_Step1(1, d.cardInfo, pinEntry: ScriptedPINs(new: "246810", again: "246810").entry)
        XCTAssertEqual(d.interface.iReloadPIN_HSM_Step2("XYZ|").code, -14)

        // Wrong MAC: the card refuses with 6988 (−27016) and keeps its PIN.
        let t1 = try PINResetChallenge(parsing: d.interface.iReloadPIN_HSM_Step1(1, d.cardInfo, pinEntry: ScriptedPINs(new: "246810", again: "246810").entry).output)
        let t2 = d.interface.iReloadPIN_HSM_Step2(try hsm.pinResetAuthentication(for: t1).interfaceText)
        XCTAssertEqual(t2.code, 0, t2.output)
        XCTAssertEqual(d.interface.iReloadPIN_HSM_Step3("0BADF00D").code, -0x6988)
        XCTAssertEqual(d.interface.iVerifyPIN(1, pinEntry: ScriptedPINs(current: "123456").entry).code, 0)

        // Another two-step call in between replaces the pending PIN step.
        let u1 = try PINResetChallenge(parsing: d.interface.iUnblockPIN_HSM_Step1(1, d.cardInfo).output)
        XCTAssertEqual(d.interface.iReadCardBas_HSM_Step1(1).code, 0)
        XCTAssertEqual(d.interface.iUnblockPIN_HSM_Step2(try hsm.pinResetAuthentication(for: u1).interfaceText).code, -14)
    }

    // MARK: Cancel and timeout

    func testCancelAndTimeoutFromTheCallback() throws {
        let d = try Self.desk()
        let cancel = ScriptedPINs([:]).entry
        let timeOut = ScriptedPINs([.currentPIN: [.timeOut], .newPIN: [.timeOut], .newPINAgain: [.timeOut]]).entry
        XCTAssertEqual(record(d.interface.iVerifyPIN(1, pinEntry: cancel)), InterfaceResult(code: -31, output: "用户取消密码输入"))
        XCTAssertEqual(record(d.interface.iVerifyPIN(1, pinEntry: timeOut)), InterfaceResult(code: -32, output: "密码输入操作超时"))
        XCTAssertEqual(d.interface.iChangePIN(1, pinEntry: cancel).code, -31)
        XCTAssertEqual(d.interface.iChangePIN(1, pinEntry: timeOut).code, -32)
        // Cancelled at the second entry of the new PIN.
        let late = ScriptedPINs([.currentPIN: [.pin("123456")], .newPIN: [.pin("246810")], .newPINAgain: [.cancel]])
        XCTAssertEqual(d.interface.iChangePIN(1, pinEntry: late.entry).code, -31)
        XCTAssertEqual(d.interface.iReloadPIN(1, d.cardInfo, pinEntry: cancel).code, -31)
        XCTAssertEqual(d.interface.iReloadPIN(1, d.cardInfo, pinEntry: timeOut).code, -32)
        XCTAssertEqual(d.interface.iReloadPIN_HSM_Step1(1, d.cardInfo, pinEntry: cancel).code, -31)
        XCTAssertEqual(d.interface.iReloadPIN_HSM_Step1(1, d.cardInfo, pinEntry: timeOut).code, -32)
        XCTAssertEqual(d.triesLeft, 6)
        XCTAssertEqual(d.interface.iVerifyPIN(1, pinEntry: ScriptedPINs(current: "123456").entry).code, 0, "the PIN is unchanged")
    }

    func testRegisteredEntryIsUsedWhenTheCallerNamesNone() throws {
        let d = try Self.desk()
        let pins = ScriptedPINs(current: "123456")
        PINEntryRegistry.install(pins.entry)
        defer { PINEntryRegistry.install(nil) }
        XCTAssertEqual(d.interface.iVerifyPIN(1).code, 0)
        XCTAssertEqual(pins.purposesAsked, [.currentPIN])
    }

    // MARK: No PIN in any text

    func testNoPINDigitsInAnyOutputOrError() throws {
        let pins = ["908172635445", "4455667788", "31415926"]
        let d = try Self.desk()
        let hsmDesk = try Self.desk(module: nil, sequence: 2)
        var texts: [String] = []
        func run(_ r: InterfaceResult) { texts.append(r.output) }
        // Every outcome of every function with these PINs.
        run(d.interface.iVerifyPIN(1, pinEntry: ScriptedPINs(current: pins[0]).entry))
        run(d.interface.iChangePIN(1, pinEntry: ScriptedPINs(current: pins[0], new: pins[1], again: pins[2]).entry))
        run(d.interface.iChangePIN(1, pinEntry: ScriptedPINs(current: pins[0], new: pins[1], again: pins[1]).entry))
        run(d.interface.iChangePIN(1, pinEntry: ScriptedPINs(current: "123456", new: pins[0], again: pins[0]).entry))
        run(d.interface.iReloadPIN(1, d.cardInfo, pinEntry: ScriptedPINs(new: pins[1], again: pins[2]).entry))
        run(d.interface.iReloadPIN(1, d.cardInfo, pinEntry: ScriptedPINs(new: pins[1], again: pins[1]).entry))
        run(d.interface.iReloadPIN(1, d.cardInfo, pinEntry: ScriptedPINs(new: pins[2] + "99999", again: pins[2] + "99999").entry))
        let s1 = hsmDesk.interface.iReloadPIN_HSM_Step1(1, hsmDesk.cardInfo, pinEntry: ScriptedPINs(new: pins[2], again: pins[2]).entry)
        run(s1)
        let auth = try SimulatedHSM().pinResetAuthentication(for: PINResetChallenge(parsing: s1.output))
        let s2 = hsmDesk.interface.iReloadPIN_HSM_Step2(auth.interfaceText)
        run(s2)
        run(hsmDesk.interface.iReloadPIN_HSM_Step3("DEADBEEF"))
        for text in texts + seen {
            for pin in pins {
                XCTAssertFalse(text.contains(pin), "a PIN leaked into \(text)")
            }
        }
        // Typed errors: descriptions (with the underlying cause) carry no PIN either.
        let throwing: [() throws -> Void] = [
            { try d.interface.verifyPIN(reader: .contact, pinEntry: ScriptedPINs(current: pins[1]).entry) },
            { try d.interface.changePIN(reader: .contact, pinEntry: ScriptedPINs(current: pins[1], new: pins[0], again: pins[2]).entry) },
            { try d.interface.reloadPIN(reader: .contact, cardInfo: CardInfoArgument(parsing: "411600D1560000050000000000000000|SIM000099|"),
                                        pinEntry: ScriptedPINs(new: pins[0], again: pins[0]).entry) },
        ]
        for call in throwing {
            XCTAssertThrowsError(try call()) { error in
                let text = String(describing: error) + String(reflecting: error)
                for pin in pins { XCTAssertFalse(text.contains(pin), "a PIN leaked into \(text)") }
            }
        }
    }
}
