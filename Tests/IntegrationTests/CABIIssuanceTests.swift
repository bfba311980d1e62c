import Foundation
import XCTest
import SSCardDriver
import SSCardPrinter
import SSCardSimulator

/// iLoadCard, iWriteCaStep1/2 and iPrint from C: the driver's virtual printer feeds hopper
/// cards into vpcd slot 0, the simulated CA issues certificates for the card's own key.
final class CABIIssuanceTests: PCSCStackTestCase {
    /// The iReadCardBas fields, padded so that a failed read fails the assertion, not the test run.
    private func fields(_ text: String) -> [String] {
        let f = text.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        return f + [String](repeating: "<missing>", count: max(0, 12 - f.count))
    }

    func testLoadFromHopperTwoPutsThatCardInTheReader() throws {
        let c = try CProgramHarness()
        let load = c.call("load 2")
        XCTAssertEqual(load.code, 0, load.text)
        let bas = c.call("readbas 1")
        XCTAssertEqual(bas.code, 0, bas.text)
        XCTAssertEqual(fields(bas.text)[2], "SIM000101", "hopper 2's first card")
        XCTAssertEqual(fields(bas.text)[1], "", "a blank pre-made card")
        // A card is already there: iLoadCard returns at once, same card.
        XCTAssertEqual(c.call("load 1").code, 0)
        XCTAssertEqual(fields(c.call("readbas 1").text)[2], "SIM000101")
        // All items empty, n = 2: the card goes to the reject box, the reader is empty.
        XCTAssertEqual(c.call("print", numbers: [2], strings: []).code, 0)
        XCTAssertEqual(c.call("readbas 1").code, -2)
        // Next load from the default hopper (1).
        XCTAssertEqual(c.call("load 0").code, 0)
        XCTAssertEqual(fields(c.call("readbas 1").text)[2], "SIM000001")
    }

    func testBadHopperAndBadPrintItems() throws {
        let c = try CProgramHarness()
        XCTAssertEqual(c.call("load 12").code, -14)
        XCTAssertEqual(c.call("load 5").code, -14, "the virtual printer has two hoppers")
        XCTAssertEqual(c.call("load 1").code, 0)
        let bad = c.call("print", numbers: [1], strings: ["姓名  张三|宋体|8.5|320"])
        XCTAssertEqual(bad.code, -14, bad.text)
        XCTAssertTrue(bad.text.contains("sData1"), bad.text)
        // 附件9 iPrint: 不论印卡是否成功，执行完本命令均要自动退卡 — the refused card went to the reject box.
        XCTAssertTrue(bad.text.contains("废卡盒"), bad.text)
        XCTAssertEqual(c.call("readbas 1").code, -2, "the reader is empty")
    }

    func testCertificatesLoadForTheCardsOwnKeyAndAMismatchIsRefused() throws {
        let card = TestCards.personalised(name: "张三", ssn: "110101199003077777")
        try insert(card)
        // The province HSM gives a card's PKI secrets only while it is being made.
        let services = try DriverServices()
        try services.putInProduction(card, cardNumber: "SIM000007")
        let c = try CProgramHarness(services: services)
        let step1 = c.call("ca1")
        XCTAssertEqual(step1.code, 0, step1.text)
        let publicKey = try XCTUnwrap([UInt8](hex: step1.text))
        XCTAssertEqual(publicKey.count, 64)
        XCTAssertEqual(c.call("ca1").text, step1.text, "Step1 again returns the same key, generated once")

        let ca = try SimulatedCA()
        let id = TestCards.cardID(of: card)
        func request(_ key: [UInt8]) -> CACertificateRequest {
            CACertificateRequest(socialSecurityNumber: "110101199003077777", cardNumber: "SIM000007", name: "张三",
                                 regionCode: id.regionCode, cardIdentificationCode: id, signingPublicKey: key)
        }
        // A certificate for another key: refused before anything is written.
        let otherKey = try SM2PrivateKey().publicKey.rawRepresentation
        let wrong = try ca.issue(request(otherKey))
        let refused = c.call("ca2", strings: [wrong.interfaceText])
        XCTAssertEqual(refused.code, -22, refused.text)

        let issued = try ca.issue(request(publicKey))
        let step2 = c.call("ca2", strings: [issued.interfaceText])
        XCTAssertEqual(step2.code, 0, step2.text)
        // The card now holds the signing certificate the CA issued.
        let client = PKIApplicationClient(channel: SimulatedCardChannel(card: card))
        try client.selectCertificateADF()
        let written = try client.readCertificate(.signingCertificate)
        XCTAssertEqual(written, issued.items.signingCertificate)
    }

    func testCAStep2RejectsMalformedItems() throws {
        try insert(TestCards.personalised())
        let c = try CProgramHarness()
        XCTAssertEqual(c.call("ca2", strings: ["only|three|items"]).code, -14)
    }
}

/// The driver's iLoadCard/iPrint through the Escape backend: `issue-station vprinter` on a
/// loopback socket, configured as "escape-tcp".
final class CABIEscapePrinterTests: PCSCStackTestCase {
    func testLoadAndPrintThroughVPrinterOverEscape() throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("vprinter-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: output) }
        let vprinter = Process()
        vprinter.executableURL = ToolRunner.productsDirectory.appendingPathComponent("issue-station")
        vprinter.arguments = ["vprinter", "--port", "35981", "--output", output.path, "--quiet"]
        vprinter.standardInput = Pipe()
        vprinter.standardOutput = Pipe()
        try vprinter.run()
        defer { vprinter.terminate(); vprinter.waitUntilExit() }

        // The province simulator's HSM as ever; the printer is the vprinter process.
        let services = try DriverServices(extra: ["printer": ["kind": "escape-tcp", "escapePort": 35981]])
        let c = try CProgramHarness(services: services)
        var loaded = c.call("load 2")
        for _ in 0..<50 where loaded.code == -3001 {   // the server may still be starting
            Thread.sleep(forTimeInterval: 0.1)
            loaded = c.call("load 2")
        }
        XCTAssertEqual(loaded.code, 0, loaded.text)
        let bas = c.call("readbas 1")
        XCTAssertEqual(bas.code, 0, bas.text)
        XCTAssertTrue(bas.text.contains("|SIM000101|"), "hopper 2's first card: \(bas.text)")

        let holder = "姓名  张三|宋体|8.5|320|180"
        let printed = c.call("print", numbers: [1], strings: [holder, "社会保障号码  110101199003077777|宋体|8.5|320|230"])
        XCTAssertEqual(printed.code, 0, printed.text)
        let pngs = try FileManager.default.contentsOfDirectory(atPath: output.path).filter { $0.hasSuffix(".png") }
        XCTAssertFalse(pngs.isEmpty, "the virtual printer wrote what it printed")
    }
}
