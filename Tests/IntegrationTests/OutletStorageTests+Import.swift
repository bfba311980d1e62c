import Foundation
import InstantIssue
import OutletStorage
import SimulatedDesk
import SSCardDriver
import XCTest

/// The PostgreSQL import's row order and its phase clock (real PostgreSQL, `OutletStorageTests`'
/// harness): cards sent in 社保卡号 order keep their own line and 序号, the safe still gives them
/// out in the file's order, and a duplicate is reported at its line in the file.
extension OutletStorageTests {
    /// A return file whose 社保卡号 (and the card's other keys) do not follow its lines: line i
    /// carries the card of row (i × 7) mod `rows` of a sample file. Lines and 序号 stay 1, 2, 3…
    func outOfOrderFile(rows: Int, first: Int, batch: String) throws -> YZKCGFile {
        let sample = try SampleReturnFile.make(rows: rows, first: first, batch: batch)
        var file = sample
        for i in 0..<rows {
            var card = sample.records[(i * 7) % rows]
            card.line = sample.records[i].line
            card.sequence = sample.records[i].sequence
            file.records[i] = card
        }
        return file
    }

    func testCardsOutOfCardNumberOrderKeepTheirLineSequenceAndSafeOrder() async throws {
        try await admin.addOutlet("GZ01", deskRoles: ["desk1"])
        let desk = try await books("desk1", outlet: "GZ01")
        let file = try outOfOrderFile(rows: 30, first: 100, batch: "B001")
        XCTAssertNotEqual(file.records.map(\.cardNumber.value), file.records.map(\.cardNumber.value).sorted(),
                          "the file's cards are not in 社保卡号 order")
        _ = try await desk.importReturnFile(file, by: "张三")
        let stored = try server.psql("""
            SELECT sequence || ' ' || card_number || ' ' || card_identification_code || ' ' || bank_card_number || ' ' || packing_position
            FROM pre_made_card WHERE outlet = 'GZ01' ORDER BY sequence
            """).split(separator: "\n").map(String.init)
        XCTAssertEqual(stored, file.records.map { r in
            "\(r.sequence) \(r.cardNumber.value) \(r.cardIdentificationCode.hex) \(r.bankCardNumber) \(r.packingPosition)"
        })
        // The safe gives cards out in the file's order (序号), not in the order they were sent.
        let loaded = try await desk.loadHopper(Hopper(rawValue: 1)!, bank: bank, count: 4, by: "张三")
        XCTAssertEqual(loaded.map(\.value), file.records.prefix(4).map(\.cardNumber.value))

        // A later file out of order holding one card already on the books: refused at that card's line.
        var second = try outOfOrderFile(rows: 10, first: 500, batch: "B002")
        second.records[6].cardNumber = file.records[12].cardNumber
        do {
            _ = try await desk.importReturnFile(second, by: "李四")
            XCTFail("a card already on the books was imported again")
        } catch let error as YZKCGImportError {
            XCTAssertEqual(error.problems.map(\.kind), [.duplicateInStock])
            XCTAssertEqual(error.problems.first?.line, second.records[6].line)
            XCTAssertEqual(error.problems.first?.field, .cardNumber)
        }
        XCTAssertEqual(try server.psql("SELECT count(*) FROM pre_made_card WHERE outlet = 'GZ01'"), "30", "nothing of the refused file kept")
        try await assertBalanced(desk)
        try await desk.close()
    }

    /// The safe's index is by import and 序号 (schema version 4): a hopper load takes the returned
    /// cards first, then the oldest import of its bank to the end and on into the next, never
    /// another bank's or another outlet's cards; the safe's count on the books follows.
    func testTheSafeGivesCardsImportByImportOfItsBankAndOutlet() async throws {
        try await admin.addOutlet("GZ01", deskRoles: ["desk1"])
        try await admin.addOutlet("GZ02", deskRoles: ["desk2"])
        let desk = try await books("desk1", outlet: "GZ01")
        let other = try await books("desk2", outlet: "GZ02")
        let first = try SampleReturnFile.make(rows: 3, first: 100, batch: "B001")
        let otherBank = try SampleReturnFile.make(rows: 3, first: 200, batch: "B002", bank: "建设银行")
        let otherOutlet = try SampleReturnFile.make(rows: 3, first: 300, batch: "B003")
        let second = try SampleReturnFile.make(rows: 3, first: 400, batch: "B004")
        _ = try await desk.importReturnFile(first, by: "张三")
        _ = try await desk.importReturnFile(otherBank, by: "张三")
        _ = try await other.importReturnFile(otherOutlet, by: "王五")
        _ = try await desk.importReturnFile(second, by: "张三")

        let hopper = Hopper(rawValue: 1)!
        let loaded = try await desk.loadHopper(hopper, bank: bank, count: 5, by: "张三")
        XCTAssertEqual(loaded.map(\.value), (first.records + second.records.prefix(2)).map(\.cardNumber.value))
        // The five back to the safe as returned: the next load takes them before the import's last card.
        _ = try await desk.unloadHopper(hopper, by: "张三")
        let again = try await desk.loadHopper(hopper, bank: bank, count: 6, by: "张三")
        XCTAssertEqual(Set(again.prefix(5).map(\.value)), Set(loaded.map(\.value)), "returned cards first")
        XCTAssertEqual(again.last?.value, second.records[2].cardNumber.value)
        do {
            _ = try await desk.loadHopper(Hopper(rawValue: 2)!, bank: bank, count: 1, by: "张三")
            XCTFail("the outlet's other cards of this bank are in hopper 1, and GZ02's are not GZ01's")
        } catch InventoryError.notEnoughStock(_, let wanted, let available) {
            XCTAssertEqual([wanted, available], [1, 0])
        }
        // The safe now holds the other bank's three cards; counted so, the books balance.
        var count = PhysicalStockCount()
        try count.set(.safe, 3)
        try count.set(.hopper(hopper), 6)
        let result = try await desk.takeStock(counted: count, by: "张三")
        XCTAssertTrue(result.balanced, "\(result.lines)")
        try await assertBalanced(desk)
        try await assertBalanced(other)
        try await desk.close()
        try await other.close()
    }

    func testImportPhasesAreTimedWithinTheCall() async throws {
        try await admin.addOutlet("GZ01", deskRoles: ["desk1"])
        let desk = try await books("desk1", outlet: "GZ01")
        let phases = ImportPhaseClock()
        let started = ContinuousClock.now
        let receipt = try await desk.importReturnFile(try SampleReturnFile.make(rows: 200), by: "张三", phases: phases)
        let elapsed = ContinuousClock.now - started
        XCTAssertEqual(receipt.count, 200)
        let spent = phases.durations
        // Straight into the outlet's partition: no check or INSERT of their own (older books have them).
        XCTAssertEqual(Set(spent.keys), [.start, .copyRows, .copy, .ledger, .commit])
        XCTAssertLessThanOrEqual(spent[.copyRows]!, spent[.copy]!, "the rows' building is part of COPY")
        let whole = spent.filter { $0.key != .copyRows }.values.reduce(Duration.zero, +)
        XCTAssertGreaterThan(whole, .zero)
        XCTAssertLessThanOrEqual(whole, elapsed, "the phases are parts of the call")
        try await desk.close()
    }
}
