import Foundation
import XCTest
import CardManagement
import CounterDocuments
import InstantIssue
import SSCardDriver
@testable import ProvinceSimulator

/// 工本费 (《广东省社会保障卡经办规程》第二十二条、第二十七条、第二十八条; the Guangzhou card service
/// manual: 补卡、换卡 每证（卡）20元) and the daily report that totals it, on a station with the
/// embedded card-management simulator (no card, no printer) and a fixed clock.
final class FeeTests: XCTestCase {
    private var folder: URL!
    private var station: Station!
    private var system: SimulatedCardManagementSystem!
    /// 2026-12-06 10:00 China time.
    private let now = Date(timeIntervalSince1970: 1_796_522_400)

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("fees-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        system = try SimulatedCardManagementSystem(path: nil)
        station = try open(fees: FeeSetting(localExemptions: ["最低生活保障对象"]))
    }

    private func open(fees: FeeSetting) throws -> Station {
        let clock = now
        let databasePath = folder.appendingPathComponent("station.sqlite").path
        let configuration = StationConfiguration(databasePath: databasePath, outputDirectory: folder.appendingPathComponent("faces").path,
                                                 documents: DocumentOutputSetting(folder: folder.appendingPathComponent("documents").path),
                                                 fees: fees)
        return Station(configuration: configuration, database: try StationDatabase(path: databasePath, clock: { clock }),
                       driverConfiguration: DriverConfiguration(), printer: nil, cardManagement: system)
    }

    override func tearDown() {
        try? station?.database.close()
        try? FileManager.default.removeItem(at: folder)
        super.tearDown()
    }

    private var fees: Fees { Fees(station: station) }

    /// 第二十二条（一）: 首次申领社保卡的 免交 — DEMO-0001 is a new application.
    func testArticle22AFirstCardIsFree() throws {
        let fee = try fees.assess(applicationID: "DEMO-0001")
        XCTAssertEqual(fee.amountFen, 0)
        XCTAssertEqual(fee.reason, .firstCard)
        XCTAssertThrowsError(try fees.record(fee, receiptNumber: "X-1", clerk: "柜员")) { XCTAssertEqual($0 as? FeeError, .receiptForWaivedFee) }
        let recorded = try fees.record(fee, receiptNumber: nil, clerk: "柜员")
        XCTAssertEqual(try station.ledger.entries(subject: "DEMO-0001").last?.action, Fees.waivedAction)
        XCTAssertEqual(try fees.recorded(applicationID: "DEMO-0001"), recorded)
    }

    /// 第二十二条: 20元/张 for a 补卡 (DEMO-0005), with the number of its 非税收入票据 (第二十七条),
    /// recorded once.
    func testArticle22AReplacementPaysTheConfiguredFeeWithAReceiptNumberOnce() throws {
        let fee = try fees.assess(applicationID: "DEMO-0005")
        XCTAssertEqual(fee.amountFen, 2000)
        XCTAssertEqual(fee.reason, .replacement)
        XCTAssertThrowsError(try fees.record(fee, receiptNumber: nil, clerk: "柜员")) { XCTAssertEqual($0 as? FeeError, .receiptNumberMissing) }
        XCTAssertThrowsError(try fees.record(fee, receiptNumber: "44 01", clerk: "柜员")) { XCTAssertEqual($0 as? FeeError, .receiptNumberMissing) }
        let recorded = try fees.record(fee, receiptNumber: "4401-20261206-0001", clerk: "柜员")
        XCTAssertEqual(recorded.receiptText, "20.00元（补卡；票据号 4401-20261206-0001）")
        XCTAssertThrowsError(try fees.record(fee, receiptNumber: "4401-20261206-0002", clerk: "柜员")) {
            guard case FeeError.alreadyRecorded? = $0 as? FeeError else { return XCTFail("\($0)") }
        }
        // The amount comes from the configuration.
        try station.database.close()
        station = try open(fees: FeeSetting(amountFen: 2500))
        XCTAssertEqual(try fees.assess(applicationID: "DEMO-0006").amountFen, 2500)
    }

    /// 第二十二条（二）、第二十八条（二）: 质保期内因卡片质量问题或非人为损坏引起换卡 免收 — within the
    /// configured warranty (365 days), not the holder's doing; otherwise the fee is due.
    func testArticle28ARenewalWithinTheWarrantyForAQualityFaultIsFree() throws {
        let inside = Fees.WarrantyClaim(oldCardIssueDate: "20260301", notCausedByHolder: true)
        let free = try fees.assess(applicationID: "DEMO-0006", warrantyClaim: inside)
        XCTAssertEqual(free.amountFen, 0)
        XCTAssertEqual(free.reason, .warrantyFault)
        XCTAssertThrowsError(try fees.assess(applicationID: "DEMO-0006", warrantyClaim: .init(oldCardIssueDate: "20250301", notCausedByHolder: true))) {
            guard case FeeError.outsideWarranty(_, 365)? = $0 as? FeeError else { return XCTFail("\($0)") }
        }
        XCTAssertThrowsError(try fees.assess(applicationID: "DEMO-0006", warrantyClaim: .init(oldCardIssueDate: "20260301", notCausedByHolder: false))) {
            XCTAssertEqual($0 as? FeeError, .damageCausedByHolder)
        }
        XCTAssertThrowsError(try fees.assess(applicationID: "DEMO-0005", warrantyClaim: inside)) { XCTAssertEqual($0 as? FeeError, .warrantyOnlyForRenewal) }
        XCTAssertThrowsError(try fees.assess(applicationID: "DEMO-0006", warrantyClaim: .init(oldCardIssueDate: "20261301", notCausedByHolder: true))) {
            XCTAssertEqual($0 as? FeeError, .badIssueDate("20261301"))
        }
        XCTAssertEqual(try fees.assess(applicationID: "DEMO-0006").amountFen, 2000, "换卡 without a claim pays")
    }

    /// 第二十二条 "以各地市的相关规定为准": a ground the city names in `fees.localExemptions` waives the
    /// fee; any other ground is refused.
    func testArticle22ALocalExemptionMustBeConfigured() throws {
        let waived = try fees.assess(applicationID: "DEMO-0005", localExemption: "最低生活保障对象")
        XCTAssertEqual(waived.amountFen, 0)
        XCTAssertEqual(waived.exemptionGround, "最低生活保障对象")
        XCTAssertThrowsError(try fees.assess(applicationID: "DEMO-0005", localExemption: "熟人")) {
            guard case FeeError.unknownExemption? = $0 as? FeeError else { return XCTFail("\($0)") }
        }
        XCTAssertThrowsError(try JSONDecoder().decode(FeeSetting.self, from: Data(#"{"amountFen": -1}"#.utf8)))
    }

    /// The daily report totals the fees from the 台账, as a PDF (pdftotext) and a CSV.
    func testTheDailyReportTotalsTheFeesOfTheDay() throws {
        try fees.record(try fees.assess(applicationID: "DEMO-0001"), receiptNumber: nil, clerk: "柜员")
        try fees.record(try fees.assess(applicationID: "DEMO-0005"), receiptNumber: "R-1", clerk: "柜员")
        try fees.record(try fees.assess(applicationID: "DEMO-0006"), receiptNumber: "R-2", clerk: "柜员")
        let report = try DailyReport.make(station: station, day: "2026-12-06")
        XCTAssertEqual(report.feesChargedCount, 2)
        XCTAssertEqual(report.feesChargedFen, 4000)
        XCTAssertEqual(report.feesWaivedCount, 1)
        XCTAssertEqual(try DailyReport.make(station: station, day: "2026-12-05").feesChargedCount, 0, "another day")
        XCTAssertTrue(report.csv.contains("收取工本费金额（元）,fees charged (yuan),40.00\r\n"), report.csv)
        XCTAssertTrue(report.csv.contains("DEMO-0005,replacement,20.00,R-1"), report.csv)
        guard case .saved(let path) = try station.documents.issue(report.document, now: now) else { return XCTFail("not filed") }
        let text = try CounterDocumentTests.pdfText(path)
        XCTAssertTrue(text.contains("40.00") && text.contains("R-2") && text.contains("日报表"), text)
    }

    /// 第三十六条一（四） 每天盘点数量: the day's physical count — a card over in the safe, hopper 1
    /// as the books say — is in the daily report, its summary row, CSV and PDF, with the clerk;
    /// another day's report has none.
    func testArticle36TheDailyReportListsTheDaysCountedDifferences() throws {
        var count = PhysicalStockCount()
        try count.set(.hopper(Hopper(1)!), 0)
        try count.set(.safe, 1)
        _ = try station.inventory.takeStock(counted: count, by: "盘点员")
        let report = try DailyReport.make(station: station, day: "2026-12-06")
        XCTAssertEqual(report.counts.map(\.place), ["hopper1", "safe"])
        XCTAssertEqual(report.counts.map(\.books), [0, 0])
        XCTAssertEqual(report.counts.map(\.difference), [0, 1])
        XCTAssertEqual(report.counts.map(\.clerk), ["盘点员", "盘点员"])
        XCTAssertEqual(try DailyReport.make(station: station, day: "2026-12-05").counts, [], "another day")
        XCTAssertTrue(report.csv.contains("盘点有差异的项,places counted with a difference,1\r\n"), report.csv)
        XCTAssertTrue(report.csv.contains(",盘点员,safe,0,1,1\r\n"), report.csv)
        XCTAssertTrue(report.csv.contains(",盘点员,hopper1,0,0,0\r\n"), report.csv)
        guard case .saved(let path) = try station.documents.issue(report.document, now: now) else { return XCTFail("not filed") }
        let text = try CounterDocumentTests.pdfText(path)
        for expected in ["盘点明细", "第三十六条", "保险柜", "卡盒1", "+1", "盘点员"] {
            XCTAssertTrue(text.contains(expected), "\(expected) in \(text)")
        }
    }

    /// 附件2: the 受理回执 carries the form's fields and its three 注意事项, with the applicant's
    /// name as the clerk resolved it (DEMO-0002 张[CHUI] → 张䄲).
    func testAttachment2TheAcceptanceReceiptHasTheFormsFields() throws {
        let receipt = try AcceptanceReceipt.make(station: station, applicationID: "DEMO-0002", name: "张䄲", phone: "13800000000", clerk: "王芳")
        guard case .saved(let path) = try station.documents.issue(receipt.document, now: now) else { return XCTFail("not filed") }
        let text = try CounterDocumentTests.pdfText(path)
        for expected in ["广东省社会保障卡业务受理回执", "业务受理日期", "2026年12月06日", "网点编号", "SSDESK000001", "业务编号", "DEMO-0002",
                         "社会保障号", "申请人姓名", "张䄲", "联系电话", "13800000000", "业务类型", "新申领", "注意事项",
                         "资金清算", "资金转移", "政务服务网络平台", "业务经办单位（业务章）", "业务经办人（王芳）"] {
            XCTAssertTrue(text.contains(expected), "\(expected) in \(text)")
        }
    }
}
