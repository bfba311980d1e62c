import Foundation
import XCTest
import CardManagement
import SSCardDriver
@testable import InstantIssue

/// 《广东省社会保障卡经办规程》第三十二条: cards not collected within six months are listed with a
/// return deadline of 10 working days, and their return is recorded with the clerk.
final class UncollectedCardsTests: StationTestCase {
    let a = YZKCGFixture(bank: YZKCGFixture.bankA, batch: 1)

    private func issue(_ applicationID: String) throws {
        try inventory.loadHopper(Hopper(1)!, bank: a.bank, count: 1, by: "clerk")
        let card = try inventory.reserve(bank: a.bank, applicationID: applicationID, by: "clerk")
        try inventory.markIssued(card.cardNumber, applicationID: applicationID, by: "clerk")
    }

    private func station() throws -> Station {
        Station(configuration: StationConfiguration(databasePath: databasePath), database: database,
                driverConfiguration: DriverConfiguration(), printer: nil, cardManagement: CardManagementTestDouble())
    }

    func testArticle32CardsNotTakenForSixMonthsAreListedAndTheirReturnRecorded() throws {
        try importBatch(bank: a.bank, batch: 1, count: 5)
        try issue("APP-1")          // 2024-05-01 (Wednesday), never taken
        try issue("APP-2")          // taken
        try ledger.append(clerk: "clerk", action: "领卡启用", subject: "APP-2")
        clock.advance(86_400 * 30)
        try issue("APP-3")          // a month later
        let uncollected = UncollectedCards(station: try station())

        clock.set(Date(timeIntervalSince1970: 1_714_525_200 + 86_400 * 185))   // 2024-11-02
        XCTAssertEqual(try uncollected.list().map(\.applicationID), ["APP-1"])
        let card = try XCTUnwrap(uncollected.list().first)
        XCTAssertEqual(UncollectedCards.calendar.dateComponents([.year, .month, .day], from: card.alertedAt),
                       DateComponents(year: 2024, month: 11, day: 1))
        // 10 working days after Friday 2024-11-01: Friday 2024-11-15.
        XCTAssertEqual(UncollectedCards.calendar.dateComponents([.year, .month, .day], from: card.returnBy),
                       DateComponents(year: 2024, month: 11, day: 15))
        XCTAssertFalse(card.late)
        XCTAssertThrowsError(try uncollected.recordReturn(applicationID: "APP-3", clerk: "clerk")) { error in
            XCTAssertEqual(error as? UncollectedCardError, .notOverdue(applicationID: "APP-3"))
        }
        XCTAssertThrowsError(try uncollected.list(months: 0))

        clock.set(Date(timeIntervalSince1970: 1_714_525_200 + 86_400 * 200))   // past the deadline
        XCTAssertTrue(try XCTUnwrap(uncollected.list().first { $0.applicationID == "APP-1" }).late)
        let returned = try uncollected.recordReturn(applicationID: "APP-1", clerk: "回收员")
        XCTAssertEqual(returned.returnedBy, "回收员")
        XCTAssertFalse(try uncollected.list().contains { $0.applicationID == "APP-1" })
        XCTAssertEqual(try uncollected.list(includeReturned: true).first { $0.applicationID == "APP-1" }?.returnedBy, "回收员")
        let entry = try XCTUnwrap(ledger.entries().last)
        XCTAssertEqual(entry.action, UncollectedCards.returnedAction)
        XCTAssertTrue(entry.details.contains("逾期6个月未领取") && entry.details.contains("\"late\":true"), entry.details)
        XCTAssertEqual(try uncollected.list().map(\.applicationID), [], "APP-3 is due on 2024-11-30")
        clock.set(Date(timeIntervalSince1970: 1_714_525_200 + 86_400 * 215))
        XCTAssertEqual(try uncollected.list().map(\.applicationID), ["APP-3"])
    }
}
