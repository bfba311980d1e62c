import Foundation
import XCTest
import SSCardDriver
import SSCardSimulator

/// libSSCardDriver.so called from C through pcscd + vpcd, as an existing caller would.
final class CABITests: PCSCStackTestCase {
    func testReadCardBasOfPersonalisedCard() throws {
        let card = TestCards.personalised(name: "张三", ssn: "110101199003077777")
        try insert(card)
        let c = try CProgramHarness()
        let (code, text) = c.call("readbas 1")
        XCTAssertEqual(code, 0, text)
        let fields = text.split(separator: "|", omittingEmptySubsequences: false)
        XCTAssertEqual(fields.count, 12, "11 fields each ending in |: \(text)")
        XCTAssertTrue(text.hasSuffix("|"))
        let id = TestCards.cardID(of: card)
        XCTAssertEqual(String(fields[0]), id.regionCode)
        XCTAssertEqual(String(fields[1]), "110101199003077777")
        XCTAssertEqual(String(fields[2]), card.image.records.value(of: .cardNumber).map(ElementText.decode))
        XCTAssertEqual(String(fields[3]), id.hex)
        XCTAssertEqual(String(fields[4]), "张三")
        XCTAssertEqual(String(fields[5]), (try AnswerToReset(bytes: card.atr)).historicalBytesHex)
        XCTAssertEqual(String(fields[6]), "3.00")
        XCTAssertEqual(String(fields[7]), "20211203")
        XCTAssertEqual(String(fields[8]), "20311202")
    }

    func testReadCardBasOfBlankCardHasEmptySSNAndName() throws {
        try insert(TestCards.blank(cardNumber: "C00000001"))
        let c = try CProgramHarness()
        let (code, text) = c.call("readbas 3")
        XCTAssertEqual(code, 0, text)
        let fields = text.split(separator: "|", omittingEmptySubsequences: false)
        XCTAssertEqual(fields[1], "")
        XCTAssertEqual(fields[2], "C00000001")
        XCTAssertEqual(fields[4], "")
    }

    /// SSCardDriver_Version() answers the repository's VERSION file, with no configuration,
    /// reader or card, and keeps its pointer.
    func testVersionIsTheVERSIONFile() throws {
        let expected = try String(contentsOf: CProgramHarness.packageRoot.appendingPathComponent("VERSION"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let c = try CProgramHarness(environment: ["SSCARD_DRIVER_CONFIG": "/nonexistent/driver.json"])
        XCTAssertEqual(c.send("version"), "version \(expected) 1")
    }

    func testNoCardAndBadITypeGiveCodesAndMessages() throws {
        let c = try CProgramHarness()
        let noCard = c.call("readbas 1")
        XCTAssertEqual(noCard.code, -2, noCard.text)
        XCTAssertFalse(noCard.text.isEmpty)
        let badType = c.call("readbas 7")
        XCTAssertEqual(badType.code, -14, badType.text)
        XCTAssertTrue(badType.text.contains("iType"), badType.text)
        let noContactless = c.call("readbas 2")
        XCTAssertEqual(noContactless.code, -13, noContactless.text)
    }

    func testHSMTwoStepReadWithTheSimulatedHSM() throws {
        try insert(TestCards.personalised(name: "李四", ssn: "110101199003077777"))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cfg-\(UUID().uuidString).json")
        try Data(#"{"securityModule": "none"}"#.utf8).write(to: dir)
        defer { try? FileManager.default.removeItem(at: dir) }
        let c = try CProgramHarness(environment: ["SSCARD_DRIVER_CONFIG": dir.path])

        let withoutPSAM = c.call("readbas 1")
        XCTAssertEqual(withoutPSAM.code, -2201, withoutPSAM.text)

        let step1 = c.call("hsm1 1")
        XCTAssertEqual(step1.code, 0, step1.text)
        let challenge = try HSMAuthenticationChallenge(parsing: step1.text)
        XCTAssertEqual(challenge.algorithmIdentifier, 0x03)
        let key = try SimulatedHSM().readAuthenticationKey(for: challenge)
        let step2 = c.call("hsm2 " + key.interfaceText)
        XCTAssertEqual(step2.code, 0, step2.text)
        XCTAssertTrue(step2.text.contains("李四") && step2.text.contains("|000000000000|"), step2.text)
    }

    func testHSMStep2WithWrongCryptogramsFails() throws {
        try insert(TestCards.personalised())
        let c = try CProgramHarness()
        let step1 = c.call("hsm1 1")
        XCTAssertEqual(step1.code, 0, step1.text)
        let challenge = try HSMAuthenticationChallenge(parsing: step1.text)
        let good = try SimulatedHSM().readAuthenticationKey(for: challenge)

        // Wrong internal value: the card is not believed genuine (−21).
        var badInternal = good.internalAuthentication
        badInternal[0] ^= 0xFF
        let r1 = c.call("hsm2 " + (try HSMAuthenticationKey(internalAuthentication: badInternal, externalAuthentication: good.externalAuthentication)).interfaceText)
        XCTAssertEqual(r1.code, -21, r1.text)

        // Wrong external cryptogram: the card refuses with its status word (−SW).
        let step1b = try HSMAuthenticationChallenge(parsing: c.call("hsm1 1").text)
        let goodB = try SimulatedHSM().readAuthenticationKey(for: step1b)
        var badExternal = goodB.externalAuthentication
        badExternal[0] ^= 0xFF
        let r2 = c.call("hsm2 " + (try HSMAuthenticationKey(internalAuthentication: goodB.internalAuthentication, externalAuthentication: badExternal)).interfaceText)
        XCTAssertLessThan(r2.code, -25000, "−SW of the card's refusal: \(r2)")

        // Step2 without Step1 is a parameter error, not a crash.
        let r3 = c.call("hsm2 " + goodB.interfaceText)
        XCTAssertEqual(r3.code, -14, r3.text)
    }

    func testBoundaryRefusesBadInputWithoutCrashing() throws {
        try insert(TestCards.personalised())
        let c = try CProgramHarness()
        XCTAssertEqual(c.send("null_out"), "null_out -14")
        let nullKey = c.call("null_key")
        XCTAssertEqual(nullKey.code, -14)
        XCTAssertTrue(nullKey.text.contains("pKey"), nullKey.text)
        let malformed = c.call("hsm2 ZZZ|")
        XCTAssertEqual(malformed.code, -14, malformed.text)

        // A 16-byte buffer: the output is cut on a character boundary, the canary intact.
        XCTAssertEqual(c.send("readbas_n 1 16"), "canary 0")
        let small = CProgramHarness.parse(c.readLine())
        XCTAssertEqual(small.code, 0)
        XCTAssertLessThanOrEqual(small.text.utf8.count, 15)

        let missing = c.call("configure /nonexistent/driver.json")
        XCTAssertEqual(missing.code, -5, missing.text)
        XCTAssertTrue(missing.text.contains("/nonexistent/driver.json"), missing.text)
    }

    func testWithoutConfigurationTheLibraryChoosesNothingSimulated() throws {
        try insert(TestCards.personalised(name: "张三"))
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("empty-\(UUID().uuidString).json")
        try Data("{}".utf8).write(to: empty)
        defer { try? FileManager.default.removeItem(at: empty) }
        let c = try CProgramHarness(environment: ["SSCARD_DRIVER_CONFIG": empty.path])
        // No security module: the one-step read is refused, the two-step one serves.
        XCTAssertEqual(c.call("readbas 1").code, -2201)
        XCTAssertEqual(c.call("hsm1 1").code, 0)
        // No printer.
        XCTAssertEqual(c.call("load 1").code, -13)
    }

    func testSimulatedKindsInTheLibrarysConfigurationNameTheSimulatorToRun() throws {
        let config = FileManager.default.temporaryDirectory.appendingPathComponent("sim-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: config) }
        try Data(#"{"printer": {"kind": "virtual"}}"#.utf8).write(to: config)
        let c = try CProgramHarness(environment: ["SSCARD_DRIVER_CONFIG": config.path])
        let virtual = c.call("readbas 1")
        XCTAssertEqual(virtual.code, -5, virtual.text)
        XCTAssertTrue(virtual.text.contains("issue-station vprinter"), virtual.text)
        try Data(#"{"securityModule": "simulated"}"#.utf8).write(to: config)
        let simulated = c.call("configure " + config.path)
        XCTAssertEqual(simulated.code, -5, simulated.text)
        XCTAssertTrue(simulated.text.contains("issue-station province-sim"), simulated.text)
    }

    func testAnUnreachableProvinceHSMIsNoSecurityModuleForNow() throws {
        try insert(TestCards.personalised(name: "张三"))
        let services = try DriverServices()
        let c = try CProgramHarness(services: services)
        XCTAssertEqual(c.call("readbas 1").code, 0, "through the province HSM")
        services.province.stop()
        let down = c.call("readbas 1")
        XCTAssertEqual(down.code, -2201, down.text)
        XCTAssertTrue(down.text.contains("加密机"), down.text)
        XCTAssertEqual(c.call("hsm1 1").code, 0, "the two-step functions still serve")
    }

    func testCallsFromManyThreadsAreSerialised() throws {
        try insert(TestCards.personalised(name: "张三"))
        let c = try CProgramHarness()
        // 8 threads × 25 calls: every call succeeds and reads the same card.
        XCTAssertEqual(c.send("threads 8 25"), "threads 0 0")
    }
}
