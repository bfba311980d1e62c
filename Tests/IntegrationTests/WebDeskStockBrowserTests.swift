import CardManagement
import Foundation
import InstantIssue
import ProvinceSimulator
import SSCardDriver
import SSCardSimulator
import SimulatedDesk
import Synchronization
import WebDesk
import XCTest

/// The stock, ledger, devices and handover pages of the web desk in a real headless Chromium
/// (Tests/Browser/desk_stock_pages.py), on a `StationDesk` in this process as in
/// `WebDeskBrowserTests`: the script uses the pages as a clerk would, and the books, the 台账
/// and the province are checked here. Screenshots go to `.build/webdesk-screenshots/<test>/`
/// (or $SSCARD_SCREENSHOTS). Skipped where Chromium, chromedriver or selenium is missing.
final class WebDeskStockBrowserTests: DeskBrowserTestCase {
    override class var script: String { "desk_stock_pages.py" }
    /// The refused upload answers 422 on purpose.
    override class var expectedConsoleErrors: [String] { ["422"] }

    /// A return file of `rows` valid 工商银行 cards in a file of its own name.
    func returnFile(rows: Int, breaking: String? = nil) throws -> String {
        var lines = [String(rows), YZKCGFile.header]
        for i in 1...rows {
            lines.append("\(i),B\(String(format: "%08d", i)),,,20240415,,440100D156000005\(String(format: "%016X", i)),008C544CB386844116018593CA,9\(String(format: "%017d", i)),62220\(String(format: "%014d", i)),1\(String(format: "%017d", i)),箱\(i / 100 + 1)-\(i % 100)")
        }
        var text = lines.joined(separator: "\n") + "\n"
        if let breaking { text = text.replacingOccurrences(of: breaking, with: "b0000000?") }
        let folder = desk.directory.appendingPathComponent(breaking == nil ? "good" : "bad")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("YZKCG_工商银行_广州市社保卡管理中心_B00\(breaking == nil ? 1 : 2)_\(rows)_金邦达_102581000013_20240501120000.txt").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    func testAReturnFileIsUploadedWithProgressAndADuplicateOrABadFileIsRefused() throws {
        let rows = 20_000  // about 2.4 MB: the bar has something to show
        let good = try returnFile(rows: rows)
        let bad = try returnFile(rows: 3, breaking: "B00000002")
        let result = try scenario("upload", good, bad)
        let imported = try XCTUnwrap(result["good"] as? [String: Any], "\(result)")
        XCTAssertTrue((imported["text"] as? String ?? "").contains("已导入 \(rows) 张工商银行预制卡"), "\(imported)")
        XCTAssertTrue((imported["text"] as? String ?? "").contains(StationDesk.clerk), "the signed-in clerk did it: \(imported)")
        XCTAssertEqual((result["books"] as? [String: String])?["inStock"], String(rows), "the page's books show them")
        let seen = try XCTUnwrap(result["seen"] as? [[Any]], "\(result)")
        XCTAssertFalse(seen.isEmpty, "the progress bar moved")
        let again = try XCTUnwrap(result["again"] as? [String: Any])
        XCTAssertTrue((again["text"] as? String ?? "").contains("下一步"), "cause and next step: \(again)")
        XCTAssertTrue((again["problems"] as? [String] ?? []).joined().contains("已于"), "named as imported before: \(again)")
        let refused = try XCTUnwrap(result["bad"] as? [String: Any])
        XCTAssertTrue((refused["problems"] as? [String] ?? []).contains { $0.contains("第4行") }, "\(refused)")
        // The books: the SIM cards of the desk, and exactly one import of the good file.
        let report = try desk.station.inventory.stockReport()
        XCTAssertEqual(report.byBank["工商银行"]?[.inStock], rows)
        XCTAssertEqual(try desk.station.ledger.entries().filter { $0.action == "yzkcg.import" }.map(\.clerk).last, StationDesk.clerk)
        try desk.assertInvariants()
    }

    func testLoadUnloadSpoilAndStockTakeThroughThePage() throws {
        let inStock = try desk.station.inventory.cards(state: .inHopper).filter { $0.hopper == Hopper(2) }.first!.cardNumber
        let result = try scenario("stock", inStock.value)
        XCTAssertEqual((result["unloaded"] as? [String])?.count, 4, "hopper 1's four cards listed to take out: \(result)")
        XCTAssertEqual((result["loaded"] as? [String])?.count, 2, "\(result)")
        XCTAssertTrue((result["spoiled"] as? String ?? "").contains(inStock.value), "\(result)")
        XCTAssertTrue((result["spoiledAgain"] as? String ?? "").contains("下一步"), "a second spoil is refused with the next step: \(result)")
        XCTAssertEqual(result["addsUp"] as? Bool, true, "\(result)")
        let totals = try desk.station.inventory.stockReport().totals
        XCTAssertEqual(totals[.inHopper], 2 + 3, "two loaded into hopper 1, three left in hopper 2")
        XCTAssertEqual(totals[.returned], 2)
        XCTAssertEqual(totals[.spoiled], 1)
        let actions = try desk.station.ledger.entries().filter { $0.clerk == StationDesk.clerk }.map(\.action)
        XCTAssertTrue(actions.contains(AuditLedger.stockTakeAction), "\(actions)")
        try desk.assertInvariants()
    }

    func testTheLedgerOfTheDayIsShownExportedAndVerified() throws {
        let result = try scenario("ledger")
        XCTAssertTrue((result["actions"] as? [String] ?? []).contains("yzkcg.import"), "the desk's import of this morning: \(result)")
        XCTAssertEqual(result["desks"] as? [String], [], "a desk's own ledger has no desk column: \(result)")
        XCTAssertTrue((result["hint"] as? String ?? "").contains("卡管系统"), "the keyed chain and the province's checkpoints: \(result)")
        let csv = try XCTUnwrap(result["csv"] as? [Any], "\(result)")
        XCTAssertEqual(csv.first as? Int, 200)
        XCTAssertTrue((csv[1] as? String ?? "").hasPrefix("attachment"), "\(csv)")
        XCTAssertTrue((csv[2] as? String ?? "").contains("序号,记录时间(UTC)"), "the CLI's CSV header: \(csv)")
        XCTAssertEqual(result["intact"] as? Bool, true, "\(result)")
        XCTAssertTrue((result["verify"] as? String ?? "").contains("校验点"), "compared with the province's checkpoints: \(result)")
        XCTAssertTrue((result["emptyDay"] as? String ?? "").contains("没有台账记录"))
        XCTAssertTrue((result["badDay"] as? String ?? "").contains("2024-05-01"))
        XCTAssertFalse(try desk.cardManagement.ledgerCheckpoint(terminal: desk.station.configuration.terminal, sequence: 0,
                                                                head: LedgerCheckpoint.genesisHead).isEmpty,
                       "verifying sent the head to the province as a checkpoint")
    }

    func testTheDevicesPageShowsTheChecksThePrinterAndTheReaders() throws {
        let result = try scenario("devices")
        let checks = try XCTUnwrap(result["checks"] as? [[String]], "\(result)")
        XCTAssertEqual(checks.count, 7, "\(checks)")
        XCTAssertTrue(checks.contains { $0[1].contains("个人数据的访问权限") }, "doctor's personal-data check: \(checks)")
        XCTAssertTrue(checks.contains { $0[0] == "pass" && $0[1].contains("pcscd") }, "\(checks)")
        XCTAssertTrue(checks.contains { $0[0] == "pass" && $0[1].contains(Self.slot0) }, "the contact reader found: \(checks)")
        XCTAssertTrue(checks.contains { $0[0] == "pass" && $0[1].contains("制卡机") }, "\(checks)")
        XCTAssertTrue(checks.contains { $0[0] == "pass" && $0[1].contains("台账") }, "\(checks)")
        let readers = try XCTUnwrap(result["readers"] as? [String])
        XCTAssertTrue(readers.contains(Self.slot0) && readers.contains(Self.slot1), "\(readers)")
        XCTAssertTrue((result["printer"] as? String ?? "").contains("卡盒1"), "\(result)")
    }

    func testAProducedCardIsHandedOverToAnAgentAndActivated() throws {
        _ = try desk.issue("DEMO-0001")
        XCTAssertEqual(try desk.cardManagement.status(applicationID: "DEMO-0001").state, .produced)
        let result = try scenario("handover", "DEMO-0001")
        XCTAssertTrue((result["withoutCopy"] as? String ?? "").contains("复印件"), "第十四条: an agent's ID copy is kept: \(result)")
        let steps = try XCTUnwrap(result["steps"] as? [[String]], "\(result)")
        XCTAssertEqual(steps.map { $0[1] }, ["done", "skipped", "current", "todo"], "an agent sets no PIN: \(steps)")
        XCTAssertTrue((result["receipt"] as? String ?? "").contains("签收单"), "\(result)")
        XCTAssertEqual(result["blockedWithoutSignature"] as? Bool, true, "not without the signature confirmed")
        XCTAssertTrue((result["outcome"] as? String ?? "").contains("领卡启用完成"), "\(result)")
        XCTAssertEqual(result["stillListed"] as? Bool, false)
        XCTAssertEqual(try desk.cardManagement.status(applicationID: "DEMO-0001").state, .activated)
        let ledger = try desk.station.ledger.entries().filter { $0.subject == "DEMO-0001" }
        XCTAssertEqual(ledger.suffix(4).map(\.action), [Handover.checkAction, Handover.receiptAction, Handover.signedAction, "领卡启用"])
        XCTAssertEqual(Set(ledger.suffix(4).map(\.clerk)), [StationDesk.clerk], "the signed-in clerk did each step")
        let check = try XCTUnwrap(ledger.first { $0.action == Handover.checkAction })
        XCTAssertTrue(check.details.contains("李四") && !check.details.contains("440106199001011234"), "the agent's ID number is masked: \(check.details)")
        let filed = try FileManager.default.contentsOfDirectory(atPath: desk.directory.appendingPathComponent("documents").path)
        XCTAssertEqual(filed.filter { $0.hasSuffix(".pdf") }.count, 1, "the receipt PDF was filed: \(filed)")
    }

    func testTheStockAndLedgerFormsWorkWithTheKeyboardAlone() throws {
        let result = try scenario("keyboard")
        let focus = try XCTUnwrap(result["focus"] as? [String: String], "\(result)")
        for (id, outline) in focus { XCTAssertTrue(outline.hasPrefix("solid 3px"), "\(id) shows its focus: \(outline)") }
        XCTAssertEqual(focus.count, 9)
        XCTAssertEqual(result["stocktakeByKeyboard"] as? Bool, true)
        XCTAssertEqual(result["verifyByKeyboard"] as? Bool, true)
    }

    func testAnUploadWithoutTheTokenIsRefusedAndNothingIsRead() throws {
        let before = try desk.station.inventory.stockReport().imported
        let result = try scenario("notoken")
        let noToken = try XCTUnwrap(result["noToken"] as? [Any], "\(result)")
        XCTAssertEqual(noToken.first as? Int, 403)
        XCTAssertTrue((noToken.last as? String ?? "").contains("CSRF"), "\(noToken)")
        XCTAssertEqual((result["wrongToken"] as? [Any])?.first as? Int, 403)
        XCTAssertEqual(try desk.station.inventory.stockReport().imported, before)
    }
}
