import Foundation
import XCTest
import CounterDocuments
@testable import InstantIssue

/// 《广东省社会保障卡经办规程》第三十六条二（一）, 附件5: the order form per bank and card maker, from
/// the stock and the use of the last days.
final class PreMadeCardOrderTests: StationTestCase {
    let a = YZKCGFixture(bank: YZKCGFixture.bankA, batch: 1)
    let b = YZKCGFixture(bank: YZKCGFixture.bankB, batch: 2)

    func testArticle36OneLinePerBankAndCardMakerWithTheQuantityFromStockAndUse() throws {
        try importBatch(bank: a.bank, batch: 1, count: 20)
        try importBatch(bank: b.bank, batch: 2, count: 10)
        try inventory.loadHopper(Hopper(1)!, bank: a.bank, count: 16, by: "c")
        for i in 1...15 {                       // 15 of bank A used: 14 issued, 1 spoiled
            let card = try inventory.reserve(bank: a.bank, applicationID: "APP-\(i)", by: "c")
            if i == 15 { try inventory.markSpoiled(card.cardNumber, reason: "印坏", by: "c") } else {
                try inventory.markIssued(card.cardNumber, applicationID: "APP-\(i)", by: "c")
            }
        }
        let order = try inventory.orderSheet(windowDays: 30, coverDays: 60, packSize: 100)
        XCTAssertEqual(order.lines.count, 2, "one line per bank and card maker")
        let lineA = try XCTUnwrap(order.lines.first { $0.bank == a.bank })
        XCTAssertEqual(lineA.usable, 5)
        XCTAssertEqual(lineA.used, 15)
        XCTAssertEqual(lineA.quantity, 100, "60 days need 30, 5 usable: 25 short, one pack")
        let lineB = try XCTUnwrap(order.lines.first { $0.bank == b.bank })
        XCTAssertEqual([lineB.usable, lineB.used, lineB.quantity], [10, 0, 0])
        XCTAssertEqual(order.orders.map(\.bank), [a.bank])

        // Use older than the window does not count.
        clock.advance(31 * 86_400)
        XCTAssertEqual(try inventory.orderSheet(windowDays: 30).lines.first { $0.bank == a.bank }?.used, 0)

        let csv = String(decoding: order.csv, as: UTF8.self)
        XCTAssertTrue(csv.hasPrefix("\u{FEFF}银行,制卡商,数量,备注"), csv)
        XCTAssertTrue(csv.contains("\(a.bank),\(lineA.cardMaker),100,"), csv)
        let form = order.form(for: lineA, number: 1, applicant: "某市人社局信息中心", date: clock.now)
        XCTAssertEqual(form.title, "广东省社会保障卡预制卡申请表")
        XCTAssertTrue(form.texts.contains("100") && form.texts.contains(a.bank) && form.texts.contains("某市人社局信息中心"), "\(form.texts)")
        XCTAssertNoThrow(try DocumentRenderer().pdf(form))
        XCTAssertThrowsError(try inventory.orderSheet(windowDays: 0))
    }
}
