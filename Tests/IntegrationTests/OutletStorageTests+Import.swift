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

    func testImportPhasesAreTimedWithinTheCall() async throws {
        try await admin.addOutlet("GZ01", deskRoles: ["desk1"])
        let desk = try await books("desk1", outlet: "GZ01")
        let phases = ImportPhaseClock()
        let started = ContinuousClock.now
        let receipt = try await desk.importReturnFile(try SampleReturnFile.make(rows: 200), by: "张三", phases: phases)
        let elapsed = ContinuousClock.now - started
        XCTAssertEqual(receipt.count, 200)
        let spent = phases.durations
        XCTAssertEqual(Set(spent.keys), Set(ImportPhaseClock.Phase.allCases))
        XCTAssertLessThanOrEqual(spent[.copyRows]!, spent[.copy]!, "the rows' building is part of COPY")
        let whole = ImportPhaseClock.Phase.allCases.filter { $0 != .copyRows }.reduce(Duration.zero) { $0 + spent[$1]! }
        XCTAssertGreaterThan(whole, .zero)
        XCTAssertLessThanOrEqual(whole, elapsed, "the phases are parts of the call")
        try await desk.close()
    }
}
