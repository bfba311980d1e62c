import Foundation
import XCTest
@testable import InstantIssue

/// 《广东省社会保障卡经办规程》第三十六条一（四） 预制卡……每天盘点数量，确保卡片不丢失: the physical
/// count compared with the books, the difference recorded with the clerk, and the reminder when
/// a working day went by without a stock-take.
final class StockCountTests: StationTestCase {
    let a = YZKCGFixture(bank: YZKCGFixture.bankA, batch: 1)
    let h1 = Hopper(1)!, h2 = Hopper(2)!

    override func setUpWithError() throws {
        try super.setUpWithError()
        try importBatch(bank: a.bank, batch: 1, count: 20)
        try inventory.loadHopper(h1, bank: a.bank, count: 5, by: "clerk02")
        try inventory.reserve(bank: a.bank, applicationID: "APP-1", by: "clerk02")   // still in hopper 1
    }

    func testArticle36ACountThatMatchesTheBooksPerHopperAndSafeIsRecordedBalanced() throws {
        XCTAssertEqual(try inventory.booksByPlace(), [.hopper(h1): 5, .safe: 15])
        var count = PhysicalStockCount()
        try count.set(.hopper(h1), 5)
        try count.set(.safe, 15)
        try count.set(.all, 20)
        let result = try inventory.takeStock(counted: count, by: "盘点员")
        XCTAssertTrue(result.balanced)
        XCTAssertEqual(result.lines.map(\.place), [.hopper(h1), .safe, .all])
        let entries = try ledger.entries()
        XCTAssertEqual(entries.suffix(2).map(\.action), [AuditLedger.stockTakeAction, PreMadeCardInventory.stockCountAction])
        XCTAssertEqual(entries.last?.seq, result.ledgerSeq)
        XCTAssertEqual(entries.last?.clerk, "盘点员")
        XCTAssertTrue(entries.last!.details.contains("\"balanced\":true"), entries.last!.details)
    }

    func testArticle36AMissingCardIsADifferenceInTheLedgerWithTheClerk() throws {
        var count = PhysicalStockCount()
        try count.set(.hopper(h1), 4)
        try count.set(.hopper(h2), 0)
        try count.set(.safe, 16)
        let result = try inventory.takeStock(counted: count, by: "盘点员")
        XCTAssertFalse(result.balanced)
        XCTAssertEqual(result.lines.map(\.difference), [-1, 0, 1])
        XCTAssertEqual(result.lines.map(\.books), [5, 0, 15])
        let details = try XCTUnwrap(ledger.entries().last).details
        XCTAssertTrue(details.contains("\"balanced\":false"), details)
        XCTAssertTrue(details.contains("\"place\":\"hopper1\"") && details.contains("\"difference\":-1"), details)
        XCTAssertTrue(try ledger.verify().isIntact)
    }

    func testArticle36ACountFileIsCheckedLineByLine() throws {
        let count = try PhysicalStockCount.parse(file: "\u{FEFF}# 盘点\nhopper1,5\n\nsafe, 15\n")
        XCTAssertEqual(count.places, [.hopper(h1): 5, .safe: 15])
        XCTAssertThrowsError(try PhysicalStockCount.parse(file: "hopper1,5\nhopper0,1\nsafe,x\nsafe,-1\nhopper1,2\nvault,3\n")) { error in
            guard case .badFile(let problems)? = error as? StockCountError else { return XCTFail("\(error)") }
            XCTAssertEqual(problems.count, 5, "\(problems)")
            XCTAssertTrue(problems[0].contains("第2行") && problems[4].contains("第6行"), "\(problems)")
        }
        XCTAssertThrowsError(try inventory.takeStock(counted: PhysicalStockCount(), by: "c")) { error in
            XCTAssertEqual(error as? StockCountError, .nothingCounted)
        }
        XCTAssertThrowsError(try inventory.takeStock(counted: count, by: " "), "the clerk is required")
    }

    func testArticle36AYesterdayWithoutAStockTakeIsRemindedOnceByTheDaysFirstCommand() throws {
        // Today (the clock's day) had work; nothing is due yet.
        XCTAssertNil(try inventory.missedStockTakeYesterday())
        clock.advance(24 * 3600)
        let day = try inventory.missedStockTakeYesterday()
        XCTAssertEqual(day, "2024-05-01")
        XCTAssertEqual(try ledger.entries().last?.action, PreMadeCardInventory.stockTakeMissedAction)
        XCTAssertNil(try inventory.missedStockTakeYesterday(), "only the day's first command warns")

        // A day with a stock-take, and a day without work, need no reminder.
        _ = try inventory.takeStock(by: "盘点员")
        clock.advance(24 * 3600)
        XCTAssertNil(try inventory.missedStockTakeYesterday())
        clock.advance(24 * 3600)
        XCTAssertNil(try inventory.missedStockTakeYesterday(), "the desk did not work yesterday")
    }
}
