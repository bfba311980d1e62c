import Foundation
import XCTest
import SSCardDriver
import SSCardSimulator
import InstantIssue
@testable import ProvinceSimulator

/// The errors a clerk meets at the desk, through the built `issue-station` with real pcscd, the
/// virtual printer and the card-management simulator: each is one sentence and what to do next,
/// in Chinese by default and in English with `--lang en`, exit 1, never a trace. And nothing is
/// lost: a card refused before it moved is back in its hopper on the books, and the same
/// application is made once the fault is fixed.
final class IssueCommandErrorTests: PCSCStackTestCase {
    var desk: ProcessDesk!

    override func setUpWithError() throws {
        try super.setUpWithError()
        desk = try ProcessDesk(cardsPerHopper: 2)
        try desk.addApplication("DESK-1", index: 1)
    }

    override func tearDown() {
        desk?.close()
        desk = nil
        super.tearDown()
    }

    /// Standard error holds exactly `错误：…。` and `下一步：…。` (or `Error: ….` / `Next: ….`),
    /// containing `problem` and `next`; the exit is 1.
    func assertClerkError(_ run: ToolRunner.Finished,
                          chinese: Bool, problem: String, next: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(run.reason, .exit, run.output, file: file, line: line)
        XCTAssertEqual(run.status, 1, run.output, file: file, line: line)
        let lines = run.errors.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 2, "one sentence and the next step:\n\(run.errors)", file: file, line: line)
        guard lines.count == 2 else { return }
        let (prefix, nextPrefix, stop) = chinese ? ("错误：", "下一步：", "。") : ("Error: ", "Next: ", ".")
        XCTAssertTrue(lines[0].hasPrefix(prefix) && lines[0].hasSuffix(stop), lines[0], file: file, line: line)
        XCTAssertTrue(lines[1].hasPrefix(nextPrefix) && lines[1].hasSuffix(stop), lines[1], file: file, line: line)
        XCTAssertTrue(lines[0].contains(problem), "“\(problem)” not in: \(lines[0])", file: file, line: line)
        XCTAssertTrue(lines[1].contains(next), "“\(next)” not in: \(lines[1])", file: file, line: line)
        for marker in ["Fatal error", "Stack dump", "Backtrace", "Error(", "underlying:", "codingPath"] {
            XCTAssertFalse(run.output.contains(marker), "output shows “\(marker)”:\n\(run.output)", file: file, line: line)
        }
    }

    /// No card is reserved, and the books and the printer keep their rules.
    func assertNothingLost(file: StaticString = #filePath, line: UInt = #line) throws {
        let database = try StationDatabase(path: desk.configuration.databasePath)
        defer { try? database.close() }
        let inventory = PreMadeCardInventory(database: database)
        XCTAssertEqual(try inventory.stockReport().hopperCards.filter { $0.reservedFor != nil }, [], file: file, line: line)
        XCTAssertTrue(try inventory.checkInvariants().holds, file: file, line: line)
        XCTAssertEqual(desk.printer.invariantViolations(), [], file: file, line: line)
    }

    func assertIssues(_ applicationID: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let made = try desk.station(["issue", applicationID])
        XCTAssertEqual(made.status, 0, made.output, file: file, line: line)
        XCTAssertTrue(made.output.contains("Card made"), made.output, file: file, line: line)
    }

    /// The crash harness refuses a point that names no journal entry instead of never firing.
    func testAMisspelledCrashPointIsRefusedBeforeAnyCardMoves() throws {
        let run = try desk.station(["issue", "DESK-1"], crashAfter: "identify:finished")
        assertClerkError(run, chinese: false, problem: "SSCARD_CRASH_AFTER=identify:finished", next: "identify:done")
        try assertNothingLost()
        try assertIssues("DESK-1")
    }

    func testUnknownApplication() throws {
        assertClerkError(try desk.station(["issue", "NOPE-0001"], language: "zh"), chinese: true,
                         problem: "NOPE-0001", next: "核对申请号")
        assertClerkError(try desk.station(["issue", "NOPE-0001"]), chinese: false,
                         problem: "NOPE-0001", next: "check the application number")
        try assertNothingLost()
    }

    func testNoCardOfTheBankInAnyHopper() throws {
        for hopper in ["1", "2"] {
            let unloaded = try desk.station(["inventory", "unload", "--hopper", hopper])
            XCTAssertEqual(unloaded.status, 0, unloaded.output)
        }
        assertClerkError(try desk.station(["issue", "DESK-1"], language: "zh"), chinese: true,
                         problem: "卡盒里没有\(SimulatedApplications.bank)的预制卡", next: "issue-station inventory load")
        assertClerkError(try desk.station(["issue", "DESK-1"]), chinese: false,
                         problem: "No hopper holds \(SimulatedApplications.bank) pre-made cards", next: "issue-station inventory load")
        try assertNothingLost()
    }

    func testHopperEmptyInThePrinterThoughTheBooksSayLoaded() throws {
        let taken = desk.printer.takeCards(fromHopper: 1)
        assertClerkError(try desk.station(["issue", "DESK-1"], language: "zh"), chinese: true,
                         problem: "1号卡箱无卡", next: "装入预制卡")
        assertClerkError(try desk.station(["issue", "DESK-1"]), chinese: false,
                         problem: "Hopper 1 is empty", next: "put pre-made cards into the hopper")
        try assertNothingLost()
        XCTAssertTrue(desk.printer.emptyRejectBox().isEmpty, "no card went to the reject box")

        desk.printer.putBack(taken, inHopper: 1)
        try assertIssues("DESK-1")
        try assertNothingLost()
    }

    func testCoverOpen() throws {
        desk.printer.inject(.coverOpen, mode: .sticky)
        assertClerkError(try desk.station(["issue", "DESK-1"], language: "zh"), chinese: true,
                         problem: "上盖打开", next: "关好制卡机上盖")
        assertClerkError(try desk.station(["issue", "DESK-1"]), chinese: false,
                         problem: "cover", next: "close the printer cover")
        try assertNothingLost()
        XCTAssertEqual(desk.printer.cards(inHopper: 1).count, 2, "the card never left its hopper")

        desk.printer.clearAllFaults()
        try assertIssues("DESK-1")
    }

    /// 第十四条、第十八条: `activate` before the handover refuses in one sentence naming what is
    /// missing, and the next step names the handover command; after it, activation goes through.
    func testArticle14ActivateBeforeTheHandoverRefusesInOneSentence() throws {
        XCTAssertEqual(try desk.station(["issue", "DESK-1"]).status, 0)
        assertClerkError(try desk.station(["activate", "DESK-1"]), chinese: false,
                         problem: "the handover of application DESK-1 is not complete", next: "issue-station handover check DESK-1")
        assertClerkError(try desk.station(["activate", "DESK-1"], language: "zh"), chinese: true,
                         problem: "领卡手续未完成", next: "issue-station handover check DESK-1")
        let status = try desk.station(["handover", "status", "DESK-1"])
        XCTAssertTrue(status.output.contains("Next: issue-station handover check DESK-1"), status.output)
        let done = try desk.handOverAndActivate("DESK-1")
        XCTAssertEqual(done.status, 0, done.output)
    }

    /// 第二十二条: `fee` records the first card's waiver once; `report daily` totals the day's
    /// cards and fees from the 台账 into a PDF and a CSV.
    func testArticle22FeeAndTheDailyReportFromTheCommandLine() throws {
        XCTAssertEqual(try desk.station(["issue", "DESK-1"]).status, 0)
        let fee = try desk.station(["fee", "DESK-1"])
        XCTAssertEqual(fee.status, 0, fee.output)
        XCTAssertTrue(fee.output.contains("Fee recorded: 免收（首次申领，免收）"), fee.output)
        assertClerkError(try desk.station(["fee", "DESK-1"]), chinese: false, problem: "already recorded", next: "issue-station fee")
        let report = try desk.station(["report", "daily"])
        XCTAssertEqual(report.status, 0, report.output)
        XCTAssertTrue(report.output.contains("issued: 1") && report.output.contains("fees waived: 1"), report.output)
        let csvLine = try XCTUnwrap(report.output.split(separator: "\n").first { $0.hasPrefix("CSV: ") }, report.output)
        let csv = try String(contentsOfFile: String(csvLine.dropFirst(5)), encoding: .utf8)
        XCTAssertTrue(csv.contains("免收工本费笔数,fees waived,1"), csv)
        let pdfLine = try XCTUnwrap(report.output.split(separator: "\n").first { $0.hasPrefix("Daily report (PDF): ") }, report.output)
        XCTAssertTrue(try CounterDocumentTestText.pdfText(String(pdfLine.dropFirst("Daily report (PDF): ".count))).contains("日报表"))
    }

    func testDuplicateCardIsRefused() throws {
        let first = try desk.station(["issue", "DESK-1"])
        XCTAssertEqual(first.status, 0, first.output)
        let activated = try desk.handOverAndActivate("DESK-1")
        XCTAssertEqual(activated.status, 0, activated.output)
        // The same person applies again under another application: 一人一卡.
        try desk.addApplication("DESK-2", index: 1)
        assertClerkError(try desk.station(["issue", "DESK-2"], language: "zh"), chinese: true,
                         problem: "已持有其他社保卡", next: "重新办理")
        assertClerkError(try desk.station(["issue", "DESK-2"]), chinese: false,
                         problem: "already holds", next: "issue the card again")
        // The same application again: refused, no second card.
        let again = try desk.station(["issue", "DESK-1"])
        XCTAssertEqual(again.status, 1, again.output)
        XCTAssertEqual(again.errors.split(separator: "\n").count, 2, again.errors)
        XCTAssertEqual(try desk.issuedCount(), 1)
        try assertNothingLost()
    }

    func testNoEncoderReader() throws {
        desk.close()
        desk = try ProcessDesk(cardsPerHopper: 2, contactReader: "NoSuchReader-5e1b")
        try desk.addApplication("DESK-1", index: 1)
        assertClerkError(try desk.station(["issue", "DESK-1"], language: "zh"), chinese: true,
                         problem: "读卡器", next: "issue-station doctor")
        assertClerkError(try desk.station(["issue", "DESK-1"]), chinese: false,
                         problem: "reader", next: "issue-station doctor")
        try assertNothingLost()
        XCTAssertEqual(desk.printer.cards(inHopper: 1).count, 2, "the card never left its hopper")
    }

    func testNetworkDown() throws {
        desk.close()
        // Nothing listens on port 9 (discard) of loopback here: the connection is refused.
        desk = try ProcessDesk(cardsPerHopper: 2, cardManagementSetting: ["kind": "http", "url": "http://127.0.0.1:9", "timeoutSeconds": 2])
        assertClerkError(try desk.station(["issue", "DESK-1"], language: "zh"), chinese: true,
                         problem: "卡管系统", next: "检查网络")
        assertClerkError(try desk.station(["issue", "DESK-1"]), chinese: false,
                         problem: "card-management system", next: "check the network")
        try assertNothingLost()
    }

    func testPINLocked() throws {
        var image = try PreMadeCardFactory().personalisedCard(.sample(sequence: 9), holder: .sample)
        image.userPIN.triesLeft = 0
        try insert(SimulatedSSCard(image: image), slot: 1)
        let reader = ["--reader", Self.slot1]
        assertClerkError(try desk.station(["card", "verify-pin"] + reader, language: "zh"), chinese: true,
                         problem: "锁", next: "reset-pin")
        assertClerkError(try desk.station(["card", "verify-pin"] + reader), chinese: false,
                         problem: "locked", next: "reset-pin")
    }
}
