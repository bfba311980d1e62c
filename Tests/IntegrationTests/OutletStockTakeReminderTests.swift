import Foundation
import InstantIssue
import OutletStorage
import SSCardDriver
import XCTest

/// The day's stock-take reminder on the outlet's books (《广东省社会保障卡经办规程》第三十六条一（四）
/// 每天盘点数量; real PostgreSQL, `OutletStockTests`' harness): read from this desk's entries in the
/// outlet's 台账, not the desk's local SQLite (which holds only its journal there).
extension OutletStockTests {
    /// Opens desk `desk`'s own connection to the outlet's books, its clock at `clock`.
    func deskBooks(_ desk: String, clock: @escaping @Sendable () -> Date = { Date() }) async throws -> PostgresOutletBooks {
        try await PostgresOutletBooks.open(location: try PostgresLocation(url: server.url(role: desk)), outlet: "GZ01",
                                           desk: desk, clock: clock)
    }

    func testTheDaysStockTakeReminderReadsThisDesksEntriesInTheOutletsLedger() async throws {
        let desk1 = try deskConfig("desk1"), desk2 = try deskConfig("desk2")
        let file = try YZKCGFile(contentsOf: URL(fileURLWithPath: try sampleFile(cards: 6)))
        // Yesterday (China time): desk1 imported and took no stock; desk2 loaded a hopper and took stock.
        let yesterday: @Sendable () -> Date = { Date().addingTimeInterval(-24 * 3600) }
        let first = try await deskBooks("desk1", clock: yesterday)
        _ = try await first.importReturnFile(file, by: "张三")
        try await first.close()
        let second = try await deskBooks("desk2", clock: yesterday)
        _ = try await second.loadHopperCards(Hopper(rawValue: 1)!, bank: bank, count: 2, by: "李四")
        _ = try await second.takeStock(by: "李四")
        try await second.close()

        // Today: desk1's first command warns and records the reminder; its next one is quiet.
        let reminder = "Reminder: the desk worked yesterday"
        let firstToday = try run(desk1, ["inventory", "list"])
        XCTAssertEqual(firstToday.status, 0, firstToday.output)
        XCTAssertTrue(firstToday.output.contains(reminder), firstToday.output)
        XCTAssertEqual(try ledgerActions(PreMadeCardInventory.stockTakeMissedAction, desk: "desk1"), 1)
        let again = try run(desk1, ["inventory", "stocktake", "--counted", "4", "--clerk", "张三"])
        XCTAssertFalse(again.output.contains(reminder), "only the day's first command warns: \(again.output)")
        // desk2 counted its hoppers yesterday: nothing due, though desk1 did not.
        let other = try run(desk2, ["inventory", "list"])
        XCTAssertFalse(other.output.contains(reminder), other.output)
        XCTAssertEqual(try ledgerActions(PreMadeCardInventory.stockTakeMissedAction, desk: "desk2"), 0)

        // A desk that did nothing yesterday is not reminded; the reminder is one more link of the chain.
        let today = try await deskBooks("desk1")
        let tomorrow = try await deskBooks("desk1", clock: { Date().addingTimeInterval(24 * 3600) })
        let due = try await tomorrow.missedStockTakeYesterday()
        XCTAssertNil(due, "desk1 took stock today")
        try await tomorrow.close()
        let nothing = try await today.missedStockTakeYesterday()
        XCTAssertNil(nothing, "already reminded today")
        try await today.close()
        _ = try await checkOutlet()
    }
}
