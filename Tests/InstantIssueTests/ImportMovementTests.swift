import Foundation
import GRDB
import XCTest
import SSCardDriver
@testable import InstantIssue

/// An import is one movement of all its cards into the safe, recorded by its `yzkcg_import`
/// row; a card's own movement rows start at its first move out of the safe (migration 6).
/// `movements(of:)` and the invariant check tell the same story for cards imported before the
/// change (one movement row per card, which migration 6 folds into the import row) and after.
final class ImportMovementTests: StationTestCase {
    private let h1 = Hopper(1)!

    func testAnImportWritesNoRowPerCardAndTheHistoryStartsWithIt() throws {
        let fixture = YZKCGFixture(count: 30)
        try inventory.importReturnFile(at: try fixture.write(to: directory), by: "clerk01")
        XCTAssertEqual(try count("SELECT COUNT(*) FROM pre_made_card_movement"), 0)
        XCTAssertEqual(try count("SELECT COUNT(*) FROM pre_made_card"), 30)
        clock.advance(60)
        try inventory.loadHopper(h1, bank: fixture.bank, count: 2, by: "clerk02")
        XCTAssertEqual(try count("SELECT COUNT(*) FROM pre_made_card_movement"), 2)

        let loaded = try inventory.movements(of: fixture.cardNumber(1))
        XCTAssertEqual(loaded.map(\.from), [nil, .inStock])
        XCTAssertEqual(loaded.map(\.to), [.inStock, .inHopper])
        XCTAssertEqual(loaded.map(\.clerk), ["clerk01", "clerk02"])
        XCTAssertEqual(loaded.map(\.at.text), ["2024-05-01T01:00:00.000Z", "2024-05-01T01:01:00.000Z"])
        XCTAssertEqual(loaded[0].reason, "导入 import \(fixture.fileName)")
        XCTAssertEqual(loaded[1].hopper, h1)
        let untouched = try inventory.movements(of: fixture.cardNumber(30))
        XCTAssertEqual(untouched, [PreMadeCardMovement(cardNumber: fixture.cardNumber(30), from: nil, to: .inStock, hopper: nil,
                                                       applicationID: nil, reason: "导入 import \(fixture.fileName)",
                                                       clerk: "clerk01", at: loaded[0].at)])
        XCTAssertEqual(try inventory.movements(of: CardNumber("Z99999999")!), [])
        XCTAssertTrue(try inventory.checkInvariants().holds)
    }

    func testTheInvariantCheckStillSeesAStateNoMovementExplains() throws {
        let fixture = YZKCGFixture(count: 10)
        try inventory.importReturnFile(at: try fixture.write(to: directory), by: "clerk01")
        // In the safe with no movement row: the import put it there.
        XCTAssertTrue(try inventory.checkInvariants().holds)
        // Issued behind the books' back: nothing but the import explains it.
        try database.pool.write { db in
            try db.execute(sql: "UPDATE pre_made_card SET state = 'issued', application_id = 'X' WHERE card_number = ?",
                           arguments: [fixture.cardNumber(3).value])
        }
        var check = try inventory.checkInvariants()
        XCTAssertTrue(check.violations.contains { $0.contains(fixture.cardNumber(3).value) && $0.contains("last movement says inStock") },
                      check.description)
        try database.pool.write { db in
            try db.execute(sql: "UPDATE pre_made_card SET state = 'inStock', application_id = NULL WHERE card_number = ?",
                           arguments: [fixture.cardNumber(3).value])
            // A first movement row that does not start in the safe, where the import left the card.
            try db.execute(sql: """
                INSERT INTO pre_made_card_movement (card_number, from_state, to_state, hopper, clerk, at)
                VALUES (?, 'inHopper', 'inStock', NULL, 'x', '2024-05-01T02:00:00.000Z')
                """, arguments: [fixture.cardNumber(4).value])
        }
        check = try inventory.checkInvariants()
        XCTAssertEqual(check.violations.count, 1, check.description)
        XCTAssertTrue(check.violations[0].contains("card \(fixture.cardNumber(4).value)") && check.violations[0].contains("starts from inHopper"),
                      check.description)
    }

    /// A file written before migration 6: each imported card has its import movement row, some
    /// cards moved on. Opening it folds the rows that repeat their import into the import row;
    /// a row that does not (edited by hand) is kept and stays the card's first movement.
    func testMigrationFoldsTheOldImportRowsIntoTheImport() throws {
        try database.close()
        let path = directory.appendingPathComponent("written-before-migration-6.sqlite").path
        let old = try DatabaseQueue(path: path)
        var through5 = DatabaseMigrator()
        through5.registerMigration("1 audit ledger", migrate: AuditLedger.createSchema)
        through5.registerMigration("2 pre-made card inventory", migrate: PreMadeCardInventory.createSchema)
        through5.registerMigration("3 workflow journal", migrate: Journal.createSchema)
        through5.registerMigration("4 journal step and stage columns", migrate: Journal.splitStepAndStage)
        through5.registerMigration("5 clerk accounts", migrate: ClerkAccounts.createSchema)
        try through5.migrate(old)
        let before = YZKCGFixture(batch: 1, count: 4)
        let importedAt = "2024-04-30T01:00:00.000Z"
        try old.write { db in
            // What the import wrote before migration 6.
            try db.execute(sql: """
                INSERT INTO yzkcg_import (id, file_name, bank, city_agency, batch, card_count, card_maker, bank_branch_code,
                    file_time, encoding, content_sm3, imported_at, imported_by)
                VALUES (1, ?, ?, '广州市社保卡管理中心', 'B001', 4, '金邦达', '102581000013', '20240501120000', 'UTF-8', '00', ?, 'old-clerk')
                """, arguments: [before.fileName, before.bank, importedAt])
            for i in 1...4 {
                try db.execute(sql: """
                    INSERT INTO pre_made_card (card_number, card_identification_code, reset_code, personal_account, bank_card_number,
                        bank_account, packing_position, make_date, expiry_date, bank, import_id, sequence, state, updated_at, updated_by)
                    VALUES (?, ?, '008C544CB386844116018593CA', ?, ?, '', '箱1-1', '20240415', '', ?, 1, ?, 'inStock', ?, 'old-clerk')
                    """, arguments: [before.cardNumber(i).value, before.cardIdentificationCode(i), "9\(i)", before.bankCardNumber(i),
                                     before.bank, i, importedAt])
                // Card 4's import row was edited by hand (another clerk): it does not repeat the import.
                try db.execute(sql: """
                    INSERT INTO pre_made_card_movement (card_number, from_state, to_state, reason, clerk, at)
                    VALUES (?, NULL, 'inStock', ?, ?, ?)
                    """, arguments: [before.cardNumber(i).value, "导入 import \(before.fileName)", i == 4 ? "someone" : "old-clerk", importedAt])
            }
            // Card 1 was loaded into hopper 1 and reserved.
            try db.execute(sql: "UPDATE pre_made_card SET state = 'reserved', hopper = 1, application_id = 'APP-1' WHERE card_number = ?",
                           arguments: [before.cardNumber(1).value])
            try db.execute(sql: """
                INSERT INTO pre_made_card_movement (card_number, from_state, to_state, hopper, application_id, clerk, at) VALUES
                    (?, 'inStock', 'inHopper', 1, NULL, 'old-clerk', '2024-04-30T02:00:00.000Z'),
                    (?, 'inHopper', 'reserved', 1, 'APP-1', 'old-clerk', '2024-04-30T03:00:00.000Z')
                """, arguments: [before.cardNumber(1).value, before.cardNumber(1).value])
        }
        try old.close()

        let clock = clock!
        database = try StationDatabase(path: path, clock: { clock.now })
        XCTAssertTrue(try database.appliedMigrations().contains("6 one movement row per import"))
        // The three rows that repeated their import are gone, the edited one and the later moves stay.
        let rows = try database.pool.read {
            try Row.fetchAll($0, sql: "SELECT card_number, from_state, clerk FROM pre_made_card_movement ORDER BY id")
        }
        XCTAssertEqual(rows.map { $0["card_number"] as String },
                       [before.cardNumber(4).value, before.cardNumber(1).value, before.cardNumber(1).value])
        XCTAssertEqual(rows.map { $0["from_state"] as String? }, [nil, "inStock", "inHopper"])

        let importMove = PreMadeCardMovement(cardNumber: before.cardNumber(1), from: nil, to: .inStock, hopper: nil, applicationID: nil,
                                             reason: "导入 import \(before.fileName)", clerk: "old-clerk",
                                             at: StationTimestamp(uncheckedText: importedAt))
        let reserved = try inventory.movements(of: before.cardNumber(1))
        XCTAssertEqual(reserved.first, importMove)
        XCTAssertEqual(reserved.map(\.from), [nil, .inStock, .inHopper])
        XCTAssertEqual(reserved.map(\.to), [.inStock, .inHopper, .reserved])
        XCTAssertEqual(reserved.last?.applicationID, "APP-1")
        var untouched = importMove
        untouched.cardNumber = before.cardNumber(2)
        XCTAssertEqual(try inventory.movements(of: before.cardNumber(2)), [untouched])
        // The edited row is the history of card 4, once, not after a made-up import movement.
        let edited = try inventory.movements(of: before.cardNumber(4))
        XCTAssertEqual(edited.map(\.clerk), ["someone"])
        XCTAssertEqual(edited.map(\.from), [nil])
        let upgraded = try inventory.checkInvariants()
        XCTAssertTrue(upgraded.holds, upgraded.description)

        // After the change, cards of both kinds move on and tell the truth.
        let after = YZKCGFixture(batch: 2, count: 5)
        try inventory.importReturnFile(at: try after.write(to: directory), by: "clerk01")
        clock.advance(60)
        try inventory.markIssued(before.cardNumber(1), applicationID: "APP-1", by: "clerk02")
        try inventory.loadHopper(Hopper(2)!, cardNumbers: [before.cardNumber(4)], by: "clerk02")
        try inventory.loadHopper(Hopper(3)!, cardNumbers: [after.cardNumber(2)], by: "clerk02")
        XCTAssertEqual(try inventory.movements(of: before.cardNumber(1)).map(\.to), [.inStock, .inHopper, .reserved, .issued])
        XCTAssertEqual(try inventory.movements(of: before.cardNumber(4)).map(\.to), [.inStock, .inHopper])
        let fresh = try inventory.movements(of: after.cardNumber(2))
        XCTAssertEqual(fresh.map(\.from), [nil, .inStock])
        XCTAssertEqual(fresh.map(\.clerk), ["clerk01", "clerk02"])
        XCTAssertEqual(fresh[0].reason, "导入 import \(after.fileName)")
        let check = try inventory.checkInvariants()
        XCTAssertTrue(check.holds, check.description)
        XCTAssertEqual(check.imported, 9)
        XCTAssertEqual(try inventory.stockReport().totals[.inStock], 6)

        // And the check still catches a card of the old file whose last move was taken out.
        try database.pool.write { db in
            try db.execute(sql: "DELETE FROM pre_made_card_movement WHERE card_number = ? AND to_state = 'issued'",
                           arguments: [before.cardNumber(1).value])
        }
        let broken = try inventory.checkInvariants()
        XCTAssertTrue(broken.violations.contains { $0.contains("card \(before.cardNumber(1).value) is issued") && $0.contains("says reserved") },
                      broken.description)
    }
}
