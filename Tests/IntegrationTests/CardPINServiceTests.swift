import Foundation
import XCTest
import SSCardDriver
import SSCardSimulator
import InstantIssue

/// 密码解锁 at the counter through `issue-station card unblock`
/// (《广东省社会保障卡经办规程》第二十条): the clerk sees who the card belongs to and must confirm
/// the original ID document matches; without that the card is not touched. With it the PIN is
/// unblocked and the ledger records the service and the check, never the PIN.
final class CardPINServiceTests: PCSCStackTestCase {
    func testUnblockNeedsTheIdentityConfirmedAndIsRecorded() throws {
        let desk = try ProcessDesk(cardsPerHopper: 1, securityModule: "simulated")
        defer { desk.close() }
        var image = try PreMadeCardFactory().personalisedCard(.sample(sequence: 9), holder: .sample)
        image.userPIN.triesLeft = 0
        let card = SimulatedSSCard(image: image)
        try insert(card, slot: 1)
        let reader = ["--reader", Self.slot1]

        let refused = try desk.station(["card", "unblock"] + reader, language: "zh")
        XCTAssertEqual(refused.status, 1, refused.output)
        XCTAssertTrue(refused.output.contains(CardHolder.sample.name), "the clerk sees the holder: \(refused.output)")
        XCTAssertTrue(refused.errors.hasPrefix("错误：没有确认持卡人身份"), refused.errors)
        XCTAssertEqual(card.image.userPIN.triesLeft, 0, "nothing was done to the card")

        let done = try desk.station(["card", "unblock", "--id-checked"] + reader)
        XCTAssertEqual(done.status, 0, done.output)
        XCTAssertEqual(card.image.userPIN.triesLeft, 6)

        let database = try StationDatabase(path: desk.configuration.databasePath)
        defer { try? database.close() }
        let entries = try AuditLedger(database: database).entries().filter { $0.action == "card.pin.unblock" }
        XCTAssertEqual(entries.map(\.subject), [image.cardNumber])
        XCTAssertEqual(entries.first?.details, "已核实本人有效身份证件原件")
        XCTAssertEqual(entries.first?.clerk, StationDesk.clerk)
    }
}
