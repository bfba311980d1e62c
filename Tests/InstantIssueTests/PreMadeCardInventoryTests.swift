import Foundation
import GRDB
import SSCardDriver
import XCTest
@testable import InstantIssue

/// Stock states, their moves and the refusals; the books add up after any sequence of moves.
final class PreMadeCardInventoryTests: StationTestCase {
    let a = YZKCGFixture(bank: YZKCGFixture.bankA, batch: 1)
    let b = YZKCGFixture(bank: YZKCGFixture.bankB, batch: 2)
    let h1 = Hopper(1)!, h2 = Hopper(2)!

    override func setUpWithError() throws {
        try super.setUpWithError()
        try importBatch(bank: a.bank, batch: 1, count: 20)
        try importBatch(bank: b.bank, batch: 2, count: 10)
    }

    func testLoadReserveIssueRecordsWhoAndWhen() throws {
        clock.advance(60)
        let loaded = try inventory.loadHopper(h1, bank: a.bank, count: 5, by: "clerk02")
        XCTAssertEqual(loaded.map(\.cardNumber), (1...5).map(a.cardNumber))
        XCTAssertTrue(loaded.allSatisfy { $0.state == .inHopper(h1) })
        clock.advance(60)
        let reserved = try inventory.reserve(bank: a.bank, applicationID: "APP-1", by: "clerk03")
        XCTAssertEqual(reserved.cardNumber, a.cardNumber(1))
        XCTAssertEqual(reserved.state, .reserved(applicationID: "APP-1"))
        XCTAssertEqual(reserved.hopper, h1)
        XCTAssertEqual(try inventory.reservation(for: "APP-1")?.cardNumber, a.cardNumber(1))
        clock.advance(60)
        let issued = try inventory.markIssued(a.cardNumber(1), applicationID: "APP-1", by: "clerk03")
        XCTAssertEqual(issued.state, .issued(applicationID: "APP-1"))
        XCTAssertNil(issued.hopper)
        XCTAssertEqual(try inventory.card(a.cardNumber(1)), issued)

        let moves = try inventory.movements(of: a.cardNumber(1))
        XCTAssertEqual(moves.map(\.to), [.inStock, .inHopper, .reserved, .issued])
        XCTAssertEqual(moves.map(\.from), [nil, .inStock, .inHopper, .reserved])
        XCTAssertEqual(moves.map(\.clerk), ["clerk01", "clerk02", "clerk03", "clerk03"])
        XCTAssertEqual(moves.map(\.at.text), ["2024-05-01T01:00:00.000Z", "2024-05-01T01:01:00.000Z",
                                              "2024-05-01T01:02:00.000Z", "2024-05-01T01:03:00.000Z"])
        XCTAssertEqual(moves[3].applicationID, "APP-1")
        let actions = try ledger.entries().map(\.action)
        XCTAssertEqual(actions.filter { $0 == "card.load" }.count, 5)
        XCTAssertEqual(actions.suffix(2), ["card.reserve", "card.issue"])
        XCTAssertTrue(try ledger.verify().isIntact)
        XCTAssertTrue(try inventory.checkInvariants().holds)
    }

    func testIssuingACardThatIsNotReservedIsRefused() throws {
        XCTAssertThrowsError(try inventory.markIssued(a.cardNumber(1), applicationID: "APP-1", by: "c")) { error in
            XCTAssertEqual(error as? InventoryError, .notAllowed(cardNumber: a.cardNumber(1), state: .inStock, action: .issue))
            XCTAssertTrue("\(error)".contains("不能发放") && "\(error)".contains("cannot 发放 issue"), "\(error)")
        }
        try inventory.loadHopper(h1, bank: a.bank, count: 2, by: "c")
        XCTAssertThrowsError(try inventory.markIssued(a.cardNumber(2), applicationID: "APP-1", by: "c")) { error in
            XCTAssertEqual(error as? InventoryError, .notAllowed(cardNumber: a.cardNumber(2), state: .inHopper(h1), action: .issue))
        }
        try inventory.reserve(bank: a.bank, applicationID: "APP-1", by: "c")
        XCTAssertThrowsError(try inventory.markIssued(a.cardNumber(1), applicationID: "APP-2", by: "c")) { error in
            XCTAssertEqual(error as? InventoryError, .reservedForAnotherApplication(cardNumber: a.cardNumber(1), applicationID: "APP-1"))
        }
        XCTAssertThrowsError(try inventory.markIssued(CardNumber("Z99999999")!, applicationID: "APP-1", by: "c")) { error in
            XCTAssertEqual(error as? InventoryError, .unknownCard(CardNumber("Z99999999")!))
        }
        try inventory.markIssued(a.cardNumber(1), applicationID: "APP-1", by: "c")
        XCTAssertThrowsError(try inventory.markIssued(a.cardNumber(1), applicationID: "APP-1", by: "c"))
        XCTAssertTrue(try inventory.checkInvariants().holds)
    }

    func testSpoilingTwiceOrSpoilingAnIssuedCardIsRefused() throws {
        let spoiled = try inventory.markSpoiled(a.cardNumber(3), reason: "卡面划伤 scratched face", by: "c")
        XCTAssertEqual(spoiled.state, .spoiled(reason: "卡面划伤 scratched face"))
        XCTAssertThrowsError(try inventory.markSpoiled(a.cardNumber(3), reason: "again", by: "c")) { error in
            XCTAssertEqual(error as? InventoryError,
                           .notAllowed(cardNumber: a.cardNumber(3), state: .spoiled(reason: "卡面划伤 scratched face"), action: .spoil))
        }
        XCTAssertThrowsError(try inventory.markSpoiled(a.cardNumber(4), reason: "  ", by: "c")) { error in
            XCTAssertEqual(error as? InventoryError, .reasonRequired(cardNumber: a.cardNumber(4)))
        }
        XCTAssertThrowsError(try inventory.loadHopper(h1, cardNumbers: [a.cardNumber(3)], by: "c"))
        try inventory.loadHopper(h1, bank: a.bank, count: 1, by: "c")
        try inventory.reserve(bank: a.bank, applicationID: "APP-9", by: "c")
        let card = try XCTUnwrap(inventory.reservation(for: "APP-9"))
        try inventory.markIssued(card.cardNumber, applicationID: "APP-9", by: "c")
        XCTAssertThrowsError(try inventory.markSpoiled(card.cardNumber, reason: "late", by: "c"))
        XCTAssertThrowsError(try inventory.returnToStock(card.cardNumber, by: "c"))
        // A reserved card can be spoiled (chip written, face misprinted); its movement keeps the application.
        try inventory.loadHopper(h1, bank: a.bank, count: 1, by: "c")
        let next = try inventory.reserve(bank: a.bank, applicationID: "APP-10", by: "c")
        try inventory.markSpoiled(next.cardNumber, reason: "印刷失败 print failed", by: "c")
        XCTAssertEqual(try inventory.movements(of: next.cardNumber).last?.applicationID, "APP-10")
        XCTAssertNil(try inventory.reservation(for: "APP-10"))
        XCTAssertTrue(try inventory.checkInvariants().holds)
    }

    func testOneBankPerHopper() throws {
        try inventory.loadHopper(h1, bank: a.bank, count: 3, by: "c")
        XCTAssertThrowsError(try inventory.loadHopper(h1, bank: b.bank, count: 1, by: "c")) { error in
            XCTAssertEqual(error as? InventoryError, .hopperHoldsOtherBank(hopper: h1, bank: a.bank, refused: b.bank))
        }
        XCTAssertThrowsError(try inventory.loadHopper(h1, cardNumbers: [b.cardNumber(1)], by: "c"))
        try inventory.loadHopper(h2, bank: b.bank, count: 2, by: "c")
        XCTAssertEqual(try inventory.reserve(bank: b.bank, applicationID: "APP-B", by: "c").hopper, h2)
        // Emptied, the hopper takes another bank.
        XCTAssertEqual(try inventory.unloadHopper(h1, by: "c").count, 3)
        try inventory.loadHopper(h1, bank: b.bank, count: 1, by: "c")
        XCTAssertTrue(try inventory.checkInvariants().holds)
    }

    func testLoadingByCardNumbersIsAllOrNothing() throws {
        XCTAssertThrowsError(try inventory.loadHopper(h1, cardNumbers: [a.cardNumber(1), a.cardNumber(2), CardNumber("Z99999999")!], by: "c"))
        XCTAssertEqual(try inventory.cards(in: h1), [])
        XCTAssertEqual(try inventory.card(a.cardNumber(1))?.state, .inStock)
        XCTAssertThrowsError(try inventory.loadHopper(h1, bank: a.bank, count: 21, by: "c")) { error in
            XCTAssertEqual(error as? InventoryError, .notEnoughStock(bank: a.bank, wanted: 21, available: 20))
        }
        XCTAssertEqual(try inventory.loadHopper(h1, cardNumbers: [a.cardNumber(7), a.cardNumber(9)], by: "c").count, 2)
        XCTAssertEqual(try inventory.cards(in: h1).map(\.cardNumber), [a.cardNumber(7), a.cardNumber(9)])
    }

    func testOneReservationPerIssuance() throws {
        XCTAssertThrowsError(try inventory.reserve(bank: a.bank, applicationID: "APP-1", by: "c")) { error in
            XCTAssertEqual(error as? InventoryError, .noCardInHopper(bank: a.bank))
        }
        try inventory.loadHopper(h1, bank: a.bank, count: 3, by: "c")
        let first = try inventory.reserve(bank: a.bank, applicationID: "APP-1", by: "c")
        XCTAssertThrowsError(try inventory.reserve(bank: a.bank, applicationID: "APP-1", by: "c")) { error in
            XCTAssertEqual(error as? InventoryError, .alreadyReserved(applicationID: "APP-1", cardNumber: first.cardNumber))
        }
        try inventory.markIssued(first.cardNumber, applicationID: "APP-1", by: "c")
        XCTAssertThrowsError(try inventory.reserve(bank: a.bank, applicationID: "APP-1", by: "c")) { error in
            XCTAssertEqual(error as? InventoryError, .alreadyIssued(applicationID: "APP-1", cardNumber: first.cardNumber))
        }
    }

    func testReturnedCardsGoBackIntoHoppersFirst() throws {
        try inventory.loadHopper(h1, bank: a.bank, count: 2, by: "c")
        let card = try inventory.reserve(bank: a.bank, applicationID: "APP-1", by: "c")
        // 制卡失败 with a blank chip: back to the safe.
        XCTAssertEqual(try inventory.returnToStock(card.cardNumber, by: "c").state, .returned)
        XCTAssertNil(try inventory.reservation(for: "APP-1"))
        XCTAssertThrowsError(try inventory.returnToStock(card.cardNumber, by: "c")) { error in
            XCTAssertEqual(error as? InventoryError, .notAllowed(cardNumber: card.cardNumber, state: .returned, action: .returnToStock))
        }
        XCTAssertThrowsError(try inventory.returnToStock(a.cardNumber(10), by: "c"))
        let reloaded = try inventory.loadHopper(h1, bank: a.bank, count: 1, by: "c")
        XCTAssertEqual(reloaded.map(\.cardNumber), [card.cardNumber])
        XCTAssertEqual(try inventory.stockReport().totals[.returned], 0)
        XCTAssertTrue(try inventory.checkInvariants().holds)
    }

    func testTheFedCardTakesOverTheReservation() throws {
        try inventory.loadHopper(h1, bank: a.bank, count: 3, by: "c")
        let reserved = try inventory.reserve(bank: a.bank, applicationID: "APP-1", by: "c")
        XCTAssertEqual(try inventory.confirmFedCard(reserved.cardNumber, applicationID: "APP-1", by: "c"), reserved)
        let fed = try inventory.confirmFedCard(a.cardNumber(3), applicationID: "APP-1", by: "c")
        XCTAssertEqual(fed.state, .reserved(applicationID: "APP-1"))
        XCTAssertEqual(try inventory.card(reserved.cardNumber)?.state, .inHopper(h1))
        XCTAssertThrowsError(try inventory.confirmFedCard(a.cardNumber(12), applicationID: "APP-1", by: "c")) { error in
            guard case .fedCardNotInHopper? = error as? InventoryError else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try inventory.confirmFedCard(a.cardNumber(2), applicationID: "APP-2", by: "c")) { error in
            XCTAssertEqual(error as? InventoryError, .noReservation(applicationID: "APP-2"))
        }
        let released = try inventory.releaseReservation(applicationID: "APP-1", by: "c")
        XCTAssertEqual(released.state, .inHopper(h1))
        XCTAssertTrue(try inventory.checkInvariants().holds)
    }

    func testEveryMoveNeedsAClerk() throws {
        XCTAssertThrowsError(try inventory.loadHopper(h1, bank: a.bank, count: 1, by: "")) { error in
            XCTAssertEqual(error as? InventoryError, .clerkRequired)
        }
        XCTAssertThrowsError(try inventory.markSpoiled(a.cardNumber(1), reason: "x", by: ""))
        XCTAssertThrowsError(try inventory.takeStock(by: ""))
    }

    func testDailyStockTake() throws {
        try inventory.loadHopper(h1, bank: a.bank, count: 4, by: "c")
        try inventory.loadHopper(h2, bank: b.bank, count: 2, by: "c")
        let reserved = try inventory.reserve(bank: a.bank, applicationID: "APP-1", by: "c")
        try inventory.markIssued(reserved.cardNumber, applicationID: "APP-1", by: "c")
        try inventory.reserve(bank: a.bank, applicationID: "APP-2", by: "c")
        try inventory.markSpoiled(a.cardNumber(20), reason: "芯片损坏 chip broken", by: "c")
        try inventory.returnToStock(b.cardNumber(2), by: "c")

        let before = try ledger.entries().count
        let report = try inventory.takeStock(by: "clerk09")
        XCTAssertEqual(report.imported, 30)
        XCTAssertEqual(report.totals, [.inStock: 23, .inHopper: 3, .reserved: 1, .issued: 1, .spoiled: 1, .returned: 1])
        XCTAssertEqual(report.byBank[a.bank], [.inStock: 15, .inHopper: 2, .reserved: 1, .issued: 1, .spoiled: 1, .returned: 0])
        XCTAssertEqual(report.byBank[b.bank], [.inStock: 8, .inHopper: 1, .reserved: 0, .issued: 0, .spoiled: 0, .returned: 1])
        XCTAssertEqual(report.hopperCards.map(\.cardNumber), [a.cardNumber(2), a.cardNumber(3), a.cardNumber(4), b.cardNumber(1)])
        XCTAssertEqual(report.hopperCards.map(\.hopper.rawValue), [1, 1, 1, 2])
        XCTAssertEqual(report.hopperCards.first?.reservedFor, "APP-2")
        XCTAssertEqual(report.takenBy, "clerk09")
        let entries = try ledger.entries()
        XCTAssertEqual(entries.count, before + 1)
        XCTAssertEqual(entries.last?.action, "stock.take")
        XCTAssertEqual(report.ledgerHead, try ledger.head())
        let text = report.description
        XCTAssertTrue(text.contains("预制卡盘点") && text.contains("合计 total\t23\t3\t1\t1\t1\t1"), text)
        XCTAssertTrue(text.contains("已预留 reserved APP-2"), text)
        // Looking is not recording.
        _ = try inventory.stockReport()
        XCTAssertEqual(try ledger.entries().count, before + 1)
    }

    /// 1,000 seeded random moves, refusals included: every card stays in exactly one state, the
    /// counts add up, the books agree with a model kept beside them, the ledger stays intact.
    func testInvariantHoldsAfter1000RandomOperations() throws {
        var random = SeededGenerator(seed: 0x5EED_2024)
        var model: [CardNumber: PreMadeCardState.Kind] = [:]
        for i in 1...20 { model[a.cardNumber(i)] = .inStock }
        for i in 1...10 { model[b.cardNumber(i)] = .inStock }
        let banks = [a.bank, b.bank]
        let allCards = model.keys.sorted()
        var refused = 0, done = 0
        var applications = 0
        for _ in 0..<1000 {
            clock.advance(1)
            let card = allCards.randomElement(using: &random)!
            let bank = banks.randomElement(using: &random)!
            do {
                switch Int.random(in: 0..<9, using: &random) {
                case 0:
                    let moved = try inventory.loadHopper(Hopper(Int.random(in: 1...3, using: &random))!, bank: bank,
                                                         count: Int.random(in: 1...3, using: &random), by: "r")
                    for c in moved { model[c.cardNumber] = .inHopper }
                case 1, 2:
                    applications += 1
                    let c = try inventory.reserve(bank: bank, applicationID: "APP-\(applications)", by: "r")
                    model[c.cardNumber] = .reserved
                case 3:
                    let current = try XCTUnwrap(inventory.card(card))
                    guard case .reserved(let application) = current.state else {
                        _ = try inventory.markIssued(card, applicationID: "APP-0", by: "r")
                        break
                    }
                    _ = try inventory.markIssued(card, applicationID: application, by: "r")
                    model[card] = .issued
                case 4:
                    _ = try inventory.markSpoiled(card, reason: "random", by: "r")
                    model[card] = .spoiled
                case 5:
                    _ = try inventory.returnToStock(card, by: "r")
                    model[card] = .returned
                case 6:
                    let application = "APP-\(Int.random(in: 1...max(applications, 1), using: &random))"
                    let c = try inventory.releaseReservation(applicationID: application, by: "r")
                    model[c.cardNumber] = .inHopper
                case 7:
                    for c in try inventory.unloadHopper(Hopper(Int.random(in: 1...3, using: &random))!, by: "r") {
                        model[c.cardNumber] = .returned
                    }
                default:
                    let application = "APP-\(Int.random(in: 1...max(applications, 1), using: &random))"
                    let before = try inventory.reservation(for: application)
                    let c = try inventory.confirmFedCard(card, applicationID: application, by: "r")
                    if let before, before.cardNumber != c.cardNumber { model[before.cardNumber] = .inHopper }
                    model[c.cardNumber] = .reserved
                }
                done += 1
            } catch is InventoryError {
                refused += 1
            }
        }
        XCTAssertGreaterThan(done, 150)
        XCTAssertGreaterThan(refused, 100)
        let check = try inventory.checkInvariants()
        XCTAssertTrue(check.holds, check.description)
        XCTAssertEqual(check.imported, 30)
        XCTAssertEqual(check.counts.values.reduce(0, +), 30)
        for number in allCards {
            XCTAssertEqual(try inventory.card(number)?.state.kind, model[number], number.value)
        }
        var expected = Dictionary(uniqueKeysWithValues: PreMadeCardState.Kind.allCases.map { ($0, 0) })
        for kind in model.values { expected[kind]! += 1 }
        XCTAssertEqual(check.counts, expected)
        XCTAssertTrue(try ledger.verify().isIntact)
    }

    func testInvariantCheckFindsBooksChangedBehindItsBack() throws {
        try inventory.loadHopper(h1, bank: a.bank, count: 2, by: "c")
        XCTAssertTrue(try inventory.checkInvariants().holds)
        // A card marked issued with raw SQL, no movement recorded.
        try database.pool.write { db in
            try db.execute(sql: "UPDATE pre_made_card SET state = 'issued', hopper = NULL, application_id = 'X' WHERE card_number = ?",
                           arguments: [a.cardNumber(1).value])
        }
        var check = try inventory.checkInvariants()
        XCTAssertFalse(check.holds)
        XCTAssertTrue(check.violations.contains { $0.contains(a.cardNumber(1).value) && $0.contains("last movement says inHopper") }, check.description)
        // A card removed from the books altogether.
        try database.pool.write { db in
            try db.execute(sql: "DELETE FROM pre_made_card_movement WHERE card_number = ?", arguments: [b.cardNumber(5).value])
            try db.execute(sql: "DELETE FROM pre_made_card WHERE card_number = ?", arguments: [b.cardNumber(5).value])
        }
        check = try inventory.checkInvariants()
        XCTAssertTrue(check.violations.contains { $0.contains("imported 30, on the books 29") }, check.description)
        XCTAssertTrue(check.violations.contains { $0.contains("declared 10 cards, 9 on the books") }, check.description)
    }

    func testHopperNumbersAreOneToNine() {
        XCTAssertNil(Hopper(0))
        XCTAssertNil(Hopper(10))
        XCTAssertEqual(Hopper(9)?.rawValue, 9)
    }
}
