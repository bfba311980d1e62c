import Foundation
import XCTest
import InstantIssue
import ProvinceSimulator

/// The counter's commands as a clerk runs them — the built `issue-station` against a station
/// database and the embedded card-management simulator in a temporary folder, no pcscd: what
/// each prints and its exit status (0 done, 1 refused with one sentence and the next step,
/// 2 a check that found something).
final class CounterCommandTests: XCTestCase {
    var folder: URL!
    var stationConfig: String { folder.appendingPathComponent("station.json").path }
    var databasePath: String { folder.appendingPathComponent("db/station.sqlite").path }

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("counter-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try write("station.json", #"{"databasePath": "db/station.sqlite", "driverConfigurationPath": "driver.json", "documents": {"folder": "papers"}}"#)
        try write("driver.json", #"{"contactReader": "NoSuchReader-7f3a", "cardTimeoutSeconds": 1, "printer": {"kind": "none"}, "hoppers": {"工商银行": 1}}"#)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let url = folder.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    /// `issue-station ARGS --config …`, in Chinese unless `language` says otherwise.
    func station(_ arguments: [String], language: String? = nil) throws -> ToolRunner.Finished {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SSCARD_") }
        return try ToolRunner.execute(ToolRunner.productsDirectory.appendingPathComponent("issue-station"),
                                      arguments + ["--config", stationConfig] + (language.map { ["--lang", $0] } ?? []),
                                      environment: environment)
    }

    /// Two cards of 工商银行 by 金邦达 in the safe.
    func importTwoCards() throws {
        let file = try write(IssueStationCommandTests.goodFileName, IssueStationCommandTests.goodFile)
        let imported = try station(["inventory", "import", file, "--clerk", "测试员"])
        XCTAssertEqual(imported.status, 0, imported.output)
    }

    func assertNoDump(_ output: String, file: StaticString = #filePath, line: UInt = #line) {
        for marker in ["Fatal error", "Stack dump", "Backtrace", "Error(", "underlying:", "codingPath"] {
            XCTAssertFalse(output.contains(marker), "output shows “\(marker)”:\n\(output)", file: file, line: line)
        }
    }

    // MARK: 第三十六条: the count

    /// 第三十六条一（四）: a count one card short is a difference — printed per place, recorded in
    /// the 台账 with the clerk, exit 2 — in Chinese and in English; the day's report lists it.
    func testArticle36ACountedDifferenceIsRecordedAndInTheDailyReport() throws {
        try importTwoCards()
        let short = try station(["inventory", "stocktake", "--counted", "1", "--clerk", "盘点员"])
        XCTAssertEqual(short.status, 2, short.output)
        XCTAssertTrue(short.output.contains("合计\t账上 2\t实点 1\t差额 -1"), short.output)
        XCTAssertTrue(short.errors.contains("账实不符：差额已记入台账（经办人 盘点员）"), short.errors)
        assertNoDump(short.output)

        let over = try station(["inventory", "stocktake", "--safe", "3", "--clerk", "盘点员"], language: "en")
        XCTAssertEqual(over.status, 2, over.output)
        XCTAssertTrue(over.output.contains("safe\tbooks 2\tcounted 3\tdifference +1"), over.output)
        XCTAssertTrue(over.errors.contains("The count does not match the books: the difference is recorded in the ledger (clerk 盘点员)"), over.errors)

        let balanced = try station(["inventory", "stocktake", "--counted", "2", "--clerk", "盘点员"], language: "en")
        XCTAssertEqual(balanced.status, 0, balanced.output)
        XCTAssertTrue(balanced.output.contains("all places\tbooks 2\tcounted 2\tdifference 0"), balanced.output)

        let report = try station(["report", "daily", "--clerk", "盘点员"], language: "en")
        XCTAssertEqual(report.status, 0, report.output)
        XCTAssertTrue(report.output.contains("places counted with a difference: 2"), report.output)
        let csvLine = try XCTUnwrap(report.output.split(separator: "\n").first { $0.hasPrefix("CSV: ") }, report.output)
        let csv = try String(contentsOfFile: String(csvLine.dropFirst(5)), encoding: .utf8)
        XCTAssertTrue(csv.contains(",盘点员,all,2,1,-1\r\n") && csv.contains(",盘点员,safe,2,3,1\r\n") && csv.contains(",盘点员,all,2,2,0\r\n"), csv)
        let pdfLine = try XCTUnwrap(report.output.split(separator: "\n").first { $0.hasPrefix("Daily report (PDF): ") }, report.output)
        let text = try CounterDocumentTestText.pdfText(String(pdfLine.dropFirst("Daily report (PDF): ".count)))
        XCTAssertTrue(text.contains("盘点明细") && text.contains("保险柜") && text.contains("-1"), text)
    }

    // MARK: 第三十二条: cards not collected

    /// 第三十二条: a card issued seven months ago and never activated is listed with its return
    /// deadline, late (exit 2), in Chinese and English; with a 12-month period nothing is overdue.
    func testArticle32ACardNotCollectedForSevenMonthsIsListedLate() throws {
        XCTAssertEqual(try station(["uncollected", "list"]).output.contains("没有逾期未领的卡。"), true, "a fresh desk")
        let sevenMonthsAgo = Calendar(identifier: .gregorian).date(byAdding: .month, value: -7, to: Date())!
        let file = try write(IssueStationCommandTests.goodFileName, IssueStationCommandTests.goodFile)
        do {
            let database = try StationDatabase(path: databasePath, clock: { sevenMonthsAgo })
            defer { try? database.close() }
            let inventory = PreMadeCardInventory(database: database)
            _ = try inventory.importReturnFile(at: URL(fileURLWithPath: file), by: "测试员")
            _ = try inventory.loadHopper(Hopper(1)!, bank: "工商银行", count: 1, by: "测试员")
            let card = try inventory.reserve(bank: "工商银行", applicationID: "OLD-1", by: "测试员")
            try inventory.markIssued(card.cardNumber, applicationID: "OLD-1", by: "测试员")
        }
        let list = try station(["uncollected", "list"])
        XCTAssertEqual(list.status, 2, list.output)
        let row = try XCTUnwrap(list.output.split(separator: "\n").first { $0.hasPrefix("OLD-1\t") }, list.output)
        XCTAssertTrue(row.contains("\tA01000001\t制卡 ") && row.contains("\t回收期限 ") && row.hasSuffix("\t已超期"), String(row))
        XCTAssertTrue(list.output.contains("下一步：卡交回服务银行"), list.output)
        let english = try station(["uncollected", "list"], language: "en")
        XCTAssertEqual(english.status, 2, english.output)
        XCTAssertTrue(english.output.contains("\treturn by ") && english.output.contains("\tLATE"), english.output)
        let longer = try station(["uncollected", "list", "--months", "12"])
        XCTAssertEqual(longer.status, 0, longer.output)
        XCTAssertTrue(longer.output.contains("没有逾期未领的卡。"), longer.output)
    }

    // MARK: 附件5: ordering pre-made cards

    /// 附件5: one card used (spoiled) and one left: the order for 60 days is rounded up to a
    /// pack of 100, printed per bank and maker, the CSV written, the form filed as a PDF.
    func testAttachment5TheOrderIsWrittenAsCSVAndAForm() throws {
        try importTwoCards()
        let spoiled = try station(["inventory", "spoil", "A01000002", "--reason", "芯片损坏", "--clerk", "测试员"])
        XCTAssertEqual(spoiled.status, 0, spoiled.output)
        let csvPath = folder.appendingPathComponent("order.csv").path
        let order = try station(["inventory", "order", "--csv", csvPath])
        XCTAssertEqual(order.status, 0, order.output)
        XCTAssertTrue(order.output.contains("工商银行\t金邦达\t可用 1\t近30天用 1\t申请 100"), order.output)
        XCTAssertTrue(order.output.contains("CSV：\(csvPath)"), order.output)
        XCTAssertTrue(order.output.contains("申请表（工商银行，金邦达）："), order.output)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: csvPath))
        XCTAssertEqual(Array(bytes.prefix(3)), [0xEF, 0xBB, 0xBF], "UTF-8 with BOM, for the spreadsheet")
        let csv = String(decoding: bytes, as: UTF8.self)
        XCTAssertTrue(csv.contains("银行,制卡商,数量,"), csv)
        XCTAssertTrue(csv.contains("工商银行,金邦达,100,"), csv)
        let bad = try station(["inventory", "order", "--days", "0"], language: "en")
        XCTAssertEqual(bad.status, 1, bad.output)
        XCTAssertTrue(bad.errors.contains("--days and --cover-days must be within 1–366"), bad.errors)
    }

    // MARK: 附件6: batch applications

    /// 附件6: a small file with one good row and two bad ones: every problem by its line on
    /// standard error, the count of rows, exit 2, nothing queued without --queue.
    func testAttachment6ABatchFileWithBadRowsReportsEachByLine() throws {
        let batch = folder.appendingPathComponent("SBK2_10301_41160000000001_3_20241201093000")
        try FileManager.default.createDirectory(at: batch.appendingPathComponent("PHOTO"), withIntermediateDirectories: true)
        let adult = SimulatedApplications.citizenNumber("41160219810101001")
        try SimulatedApplications.samplePhotoJPEG.write(to: batch.appendingPathComponent("PHOTO/\(adult)张三.jpg"))
        func row(_ n: Int, form: String, id: String, name: String, sex: String = "1", birth: String) -> String {
            [String(n), form, "1", "CHN", "1", id, "20301231", name, sex, "01", birth, "", "", "", "", "020-12345678", "", "",
             "", "411602", "1000000", "", "", "", "", "", "10301", "", ""].joined(separator: ",")
        }
        let header = BatchApplicationFile.columns.map { $0.name + ($0.required ? "*" : "") }.joined(separator: ",")
        let wrongCheck = String(SimulatedApplications.citizenNumber("41160219750505011").dropLast()) + "0"
        try (["3", header,
              row(1, form: "F0001", id: adult, name: "张三", birth: "19810101"),
              row(2, form: "F0002", id: wrongCheck, name: "赵六", sex: "3", birth: "19750505"),
              row(3, form: "F0001", id: adult, name: "张三", birth: "19810102")].joined(separator: "\r\n"))
            .write(to: batch.appendingPathComponent(batch.lastPathComponent + ".txt"), atomically: true, encoding: .utf8)
        let checked = try station(["batch", batch.path, "--region", "411600"])
        XCTAssertEqual(checked.status, 2, checked.output)
        XCTAssertTrue(checked.output.contains("共 3 行，合格 1 行，有问题 2 行。"), checked.output)
        let errors = checked.errors.split(separator: "\n")
        XCTAssertFalse(errors.contains { $0.hasPrefix("第3行") }, "the good row has no problem:\n\(checked.errors)")
        let line4 = errors.filter { $0.hasPrefix("第4行 line 4: ") }.joined(separator: "\n")
        XCTAssertTrue(line4.contains("性别") && line4.contains("证件号码") && line4.contains("缺少相片"), checked.errors)
        let line5 = errors.filter { $0.hasPrefix("第5行 line 5: ") }.joined(separator: "\n")
        XCTAssertTrue(line5.contains("重复") && line5.contains("出生日期与证件号码不符"), checked.errors)
        XCTAssertFalse(checked.output.contains("已排队"), "nothing queued without --queue")
        assertNoDump(checked.output)
    }

    // MARK: 附件10 and 补卡/换卡

    /// 附件10: DEMO-0004 (李四) already holds Y41160001: `one-card check` prints the 确认单 and
    /// refuses to go on (exit 2); asked again before the signature, it says the signature is missing.
    func testAttachment10OneCardCheckRefusesWhileAnotherCardIsHeld() throws {
        let first = try station(["one-card", "check", "DEMO-0004", "--clerk", "测试员"])
        XCTAssertEqual(first.status, 2, first.output)
        XCTAssertTrue(first.output.contains("申请人名下另有 1 张社保卡：Y41160001"), first.output)
        XCTAssertTrue(first.output.contains("确认单："), first.output)
        XCTAssertTrue(first.output.contains("下一步：申请人签字后运行 issue-station one-card signed DEMO-0004"), first.output)
        let again = try station(["one-card", "check", "DEMO-0004", "--clerk", "测试员"], language: "en")
        XCTAssertEqual(again.status, 2, again.output)
        XCTAssertTrue(again.output.contains("The form's signature is not recorded yet."), again.output)
        let clear = try station(["one-card", "check", "DEMO-0001", "--clerk", "测试员"])
        XCTAssertEqual(clear.status, 0, clear.output)
        XCTAssertTrue(clear.output.contains("一人一卡核验通过"), clear.output)
    }

    /// 第二十三条至第三十一条: `old-card check` on a first application (DEMO-0001, no old card)
    /// is refused in one sentence with the system's code, exit 1.
    func testOldCardCheckOnAFirstApplicationIsRefused() throws {
        let run = try station(["old-card", "check", "DEMO-0001"])
        XCTAssertEqual(run.status, 1, run.output)
        let lines = run.errors.split(separator: "\n")
        XCTAssertEqual(lines.count, 2, run.errors)
        XCTAssertTrue(lines.first?.hasPrefix("错误：") == true && lines.first?.contains("不是替换某张卡的补卡或换卡") == true, run.errors)
        XCTAssertTrue(run.errors.contains("NOT_A_REPLACEMENT"), run.errors)
        XCTAssertTrue(lines.last?.hasPrefix("下一步：") == true, run.errors)
        assertNoDump(run.output)
    }
}
