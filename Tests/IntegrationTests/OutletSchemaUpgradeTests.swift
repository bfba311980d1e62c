import Foundation
import InstantIssue
import OutletStorage
import SimulatedDesk
import SSCardDriver
import XCTest

/// Schema version 2 (the import without per-row foreign key check, docs/performance.md §7)
/// applied in place to books written under version 1, on a real PostgreSQL: the cards, moves
/// and ledger stay, the desks go on working, and what the foreign key guarded still holds.
final class OutletSchemaUpgradeTests: XCTestCase {
    var server: ThrowawayPostgres!
    let bank = "工商银行"

    override func setUp() async throws {
        guard ThrowawayPostgres.findBinaries() != nil else {
            throw XCTSkip("PostgreSQL server binaries missing (/usr/lib/postgresql/*/bin): run scripts/install-deps.sh")
        }
        server = try ThrowawayPostgres()
    }

    override func tearDown() { server?.stop() }

    func url(_ role: String = ThrowawayPostgres.ownerRole) -> String { server.url(role: role) }

    /// psql as `role`; throws when the server refuses the statement.
    @discardableResult
    func sql(_ statement: String, role: String = ThrowawayPostgres.ownerRole) throws -> String {
        try server.psql(statement, role: role)
    }

    func books(_ role: String) async throws -> PostgresOutletBooks {
        try await PostgresOutletBooks.open(location: try PostgresLocation(url: url(role)), outlet: "GZ01", desk: role,
                                           reconnectWindow: .seconds(10))
    }

    func testVersionOneBooksAreUpgradedInPlaceAndKeepEveryGuarantee() async throws {
        let admin = OutletAdministration(location: try PostgresLocation(url: url()))
        let first = try await admin.migrate(upTo: 1)
        XCTAssertEqual(first, [1])
        try await admin.addOutlet("GZ01", deskRoles: ["desk1", "desk2"])
        XCTAssertEqual(try sql("SELECT count(*) FROM pg_constraint WHERE conrelid = 'pre_made_card'::regclass AND contype = 'f'"), "1")

        // Books written under version 1: an import, a hopper loaded, a card reserved.
        var desk1 = try await books("desk1")
        let file = try SampleReturnFile.make(rows: 12)
        _ = try await desk1.importReturnFile(file, by: "张三")
        _ = try await desk1.loadHopper(Hopper(rawValue: 1)!, bank: bank, count: 4, by: "张三")
        let reserved = try await desk1.reserve(bank: bank, applicationID: "A1", by: "张三")
        try await desk1.close()

        let second = try await admin.migrate()
        XCTAssertEqual(second, Array(2...OutletSchema.latest))
        let versions = try await admin.appliedVersions()
        XCTAssertEqual(versions, OutletSchema.migrations.map(\.version))
        XCTAssertEqual(try sql("SELECT count(*) FROM pg_constraint WHERE conrelid = 'pre_made_card'::regclass AND contype = 'f'"), "0",
                       "the per-row foreign key check is gone")
        XCTAssertTrue(try sql("SELECT pg_get_indexdef('pre_made_card_at_desk'::regclass)").hasSuffix("WHERE (desk IS NOT NULL)"))

        // The same desk goes on from where it was.
        desk1 = try await books("desk1")
        let stillReserved = try await desk1.reserve(bank: bank, applicationID: "A1", by: "张三")
        XCTAssertEqual(stillReserved, reserved, "the reservation made under version 1 is found")
        try await desk1.markIssued(reserved, applicationID: "A1", by: "张三")
        let next = try await desk1.reserve(bank: bank, applicationID: "A2", by: "张三")
        XCTAssertNotEqual(next, reserved)
        try await assertBalanced(desk1, issued: 1, reserved: 1, imported: 12)

        // A file once per outlet, naming the first import, still.
        let desk2 = try await books("desk2")
        do {
            _ = try await desk2.importReturnFile(file, by: "李四")
            XCTFail("the same file imported twice after the upgrade")
        } catch let error as YZKCGImportError {
            XCTAssertEqual(error.problems.first?.kind, .alreadyImported)
            XCTAssertTrue(error.description.contains("desk1") && error.description.contains("张三"), error.description)
        }
        do {
            _ = try await desk2.importReturnFile(try SampleReturnFile.make(rows: 5, first: 10, batch: "B002"), by: "李四")
            XCTFail("cards imported twice after the upgrade")
        } catch let error as YZKCGImportError {
            XCTAssertEqual(error.problems.first?.kind, .duplicateInStock)
            XCTAssertEqual(error.total, 3 * 3, "3 cards, 3 unique columns each")
        }
        _ = try await desk2.importReturnFile(try SampleReturnFile.make(rows: 5, first: 100, batch: "B003"), by: "李四")
        try await assertBalanced(desk2, issued: 1, reserved: 1, imported: 17)

        // What the foreign key guarded: an import record is never changed or removed (not even
        // by the owner), and a desk may change a card's state, not which import it came from.
        XCTAssertThrowsError(try sql("DELETE FROM yzkcg_import WHERE outlet = 'GZ01'"))
        XCTAssertThrowsError(try sql("UPDATE yzkcg_import SET desk = 'x'"))
        XCTAssertThrowsError(try sql("TRUNCATE yzkcg_import CASCADE"))
        XCTAssertThrowsError(try sql("UPDATE pre_made_card SET import_id = 999999", role: "desk1"))
        XCTAssertThrowsError(try sql("UPDATE pre_made_card SET card_number = 'x'", role: "desk1"))
        XCTAssertEqual(try sql("UPDATE pre_made_card SET updated_by = updated_by WHERE state = 'inStock' RETURNING 1", role: "desk1")
            .split(separator: "\n").count, 12 + 5 - 4)
        // A card naming an import not on the books (the owner, past every rule) is reported.
        try sql("UPDATE pre_made_card SET import_id = 999999 WHERE outlet = 'GZ01' AND sequence = 12 AND state = 'inStock'")
        let broken = try await desk2.checkInvariants()
        XCTAssertFalse(broken.holds)
        XCTAssertTrue(broken.violations.contains { $0.contains("name an import that is not on the books") }, "\(broken.violations)")
        try await desk1.close(); try await desk2.close()
    }

    func assertBalanced(_ b: PostgresOutletBooks, issued: Int, reserved: Int, imported: Int,
                        file: StaticString = #filePath, line: UInt = #line) async throws {
        let report = try await b.checkInvariants()
        XCTAssertTrue(report.holds, "\(report)", file: file, line: line)
        XCTAssertEqual(report.imported, imported, file: file, line: line)
        XCTAssertEqual(report.counts[.issued], issued, file: file, line: line)
        XCTAssertEqual(report.counts[.reserved], reserved, file: file, line: line)
        let ledger = try await b.verifyLedger()
        XCTAssertTrue(ledger.isIntact, "\(ledger)", file: file, line: line)
        let twice = try await b.cardsReservedTwice()
        XCTAssertEqual(twice, 0, file: file, line: line)
    }
}
