import Foundation
import GRDB
import SSCardDriver
import XCTest
@testable import InstantIssue

/// The import that reads a return file's rows beside the transaction writing them
/// (`importReturnFile(fileName:contents:by:)`, and `importReturnFile(at:by:)` through it): the
/// same rows, problems, refusals and 台账 entry as parsing the whole file first, and all or
/// nothing. Small batches put every case across batch boundaries.
final class ImportPipelineTests: StationTestCase {
    /// Imports `text` of `fixture` through the pipeline, `rowsPerBatch` rows at a time.
    private func pipeline(_ fixture: YZKCGFixture, _ text: String? = nil, rowsPerBatch: Int = 7,
                          clerk: String = "clerk01") throws -> YZKCGImportReceipt {
        try inventory.importReturnFile(fileName: fixture.fileName, contents: fixture.data(text), by: clerk, rowsPerBatch: rowsPerBatch)
    }

    /// The whole error of a refused import (problems and total), or a failure.
    private func refusal(_ body: () throws -> Any, file: StaticString = #filePath, line: UInt = #line) -> YZKCGImportError? {
        do {
            _ = try body()
            XCTFail("the file was accepted", file: file, line: line)
        } catch let error as YZKCGImportError {
            return error
        } catch {
            XCTFail("unexpected error \(error)", file: file, line: line)
        }
        return nil
    }

    private func assertNothingImported(file: StaticString = #filePath, line: UInt = #line) throws {
        for table in ["pre_made_card", "yzkcg_import", "pre_made_card_movement", "audit_ledger"] {
            XCTAssertEqual(try count("SELECT COUNT(*) FROM \(table)"), 0, table, file: file, line: line)
        }
    }

    func testImportsTheSameCardsRowAndLedgerEntryAsTheParsedFile() throws {
        let fixture = YZKCGFixture(count: 50)
        let parsed = try fixture.parse()
        let receipt = try pipeline(fixture)
        XCTAssertEqual(receipt.count, 50)
        XCTAssertEqual(receipt.fileName, fixture.fileName)
        XCTAssertEqual(receipt.bank, fixture.bank)
        for record in parsed.records {
            let card = try XCTUnwrap(inventory.card(record.cardNumber))
            XCTAssertEqual(card.state, .inStock)
            XCTAssertEqual(card.cardIdentificationCode, record.cardIdentificationCode)
            XCTAssertEqual(card.bankCardNumber, record.bankCardNumber)
            XCTAssertEqual(card.packingPosition, record.packingPosition)
        }
        XCTAssertEqual(try count("SELECT COUNT(*) FROM pre_made_card"), 50)
        let sequences = try database.pool.read { try Int.fetchAll($0, sql: "SELECT sequence FROM pre_made_card ORDER BY rowid") }
        XCTAssertEqual(sequences, Array(1...50), "written in file order")
        let row = try XCTUnwrap(database.pool.read { try Row.fetchOne($0, sql: "SELECT * FROM yzkcg_import") })
        XCTAssertEqual(row["content_sm3"] as String, parsed.contentHash)
        XCTAssertEqual(row["card_count"] as Int, 50)
        XCTAssertEqual(row["encoding"] as String, "UTF-8")
        let entries = try ledger.entries()
        XCTAssertEqual(entries.map(\.action), ["yzkcg.import"])
        XCTAssertTrue(entries[0].details.contains("\"sm3\":\"\(parsed.contentHash)\""), entries[0].details)
        XCTAssertTrue(entries[0].details.contains("\"first\":\"\(fixture.cardNumber(1))\""), entries[0].details)
        XCTAssertTrue(entries[0].details.contains("\"last\":\"\(fixture.cardNumber(50))\""), entries[0].details)
        XCTAssertTrue(entries[0].details.contains("\"count\":50"), entries[0].details)
        XCTAssertTrue(try inventory.checkInvariants().holds)
    }

    func testBadRowsAndDuplicatesAcrossBatchesAreListedAsTheParseListsThem() throws {
        let fixture = YZKCGFixture(count: 400)
        var rows = fixture.rows
        func set(_ row: Int, _ field: YZKCGField, _ value: String) { YZKCGFixture.set(&rows, row, field, value) }
        // A bad row late in the file, after many batches went to the transaction; a duplicate
        // of a row several batches back; a bad row before it.
        set(5, .makeDate, "20241301")
        set(200, .cardNumber, fixture.cardNumber(10).value)
        set(390, .resetCode, "XYZ")
        let text = fixture.text(rows: rows)
        let expected = refusal { try fixture.parse(text) }
        let refused = refusal { try self.pipeline(fixture, text) }
        XCTAssertEqual(refused, expected)
        XCTAssertEqual(refused?.problems.map(\.line), [7, 202, 392])
        XCTAssertEqual(refused?.problems[1].kind, .duplicateInFile)
        try assertNothingImported()

        // Only the last row bad: every batch but the last was written, and rolled back.
        rows = fixture.rows
        set(400, .bankCardNumber, "12")
        let last = refusal { try self.pipeline(fixture, fixture.text(rows: rows)) }
        XCTAssertEqual(last?.problems.map(\.line), [402])
        try assertNothingImported()

        // 201 bad rows: the first 100 kept, all counted, as the parse does.
        rows = fixture.rows
        for row in 150...350 { set(row, .bankAccount, "x") }
        let many = refusal { try self.pipeline(fixture, fixture.text(rows: rows)) }
        XCTAssertEqual(many, refusal { try fixture.parse(fixture.text(rows: rows)) })
        XCTAssertEqual(many?.total, 201)
        XCTAssertEqual(many?.problems.map(\.line), Array(152...251))
        try assertNothingImported()

        // The same file put right goes in whole.
        XCTAssertEqual(try pipeline(fixture).count, 400)
    }

    func testAWrongCountOrHeaderIsRefusedWithTheParsesProblems() throws {
        let fixture = YZKCGFixture(count: 10)
        var rows = fixture.rows
        rows[3] = "garbage"
        for text in [fixture.text(declared: "9"), fixture.text(header: "序号"), fixture.text(rows: Array(rows.dropLast()))] {
            let refused = refusal { try self.pipeline(fixture, text) }
            XCTAssertEqual(refused, refusal { try fixture.parse(text) })
            XCTAssertFalse(refused?.problems.isEmpty ?? true)
        }
        let badName = refusal {
            try self.inventory.importReturnFile(fileName: "YZKCG_x.txt", contents: fixture.data(), by: "clerk01", rowsPerBatch: 3)
        }
        XCTAssertEqual(badName?.problems.map(\.kind), [.fileName])
        let neither = refusal {
            try self.inventory.importReturnFile(fileName: fixture.fileName, contents: Data([0x31, 0x0A, 0xFF, 0xFE, 0x80]), by: "clerk01")
        }
        XCTAssertEqual(neither?.problems.map(\.kind), [.encoding])
        try assertNothingImported()
    }

    func testAFileImportedBeforeIsRefusedAndItsBadRowsStillListed() throws {
        let fixture = YZKCGFixture(count: 30)
        _ = try pipeline(fixture)
        let again = refusal { try self.pipeline(fixture, clerk: "clerk02") }
        XCTAssertEqual(again?.problems.map(\.kind), [.alreadyImported])
        XCTAssertTrue(again?.problems.first?.description.contains("clerk01") == true)
        // Changed under the same name, with a bad row: the row's problem, as the parse lists it first.
        var rows = fixture.rows
        rows[20] = rows[20].replacingOccurrences(of: "20240415", with: "20241340")
        let changed = refusal { try self.pipeline(fixture, fixture.text(rows: rows), clerk: "clerk02") }
        XCTAssertEqual(changed?.problems.map(\.line), [23])
        XCTAssertEqual(try count("SELECT COUNT(*) FROM pre_made_card"), 30)
        XCTAssertEqual(try count("SELECT COUNT(*) FROM yzkcg_import"), 1)
        XCTAssertEqual(try ledger.entries().count, 1)
    }

    func testCardsAlreadyOnTheBooksRefuseTheFileWhicheverBatchTheyAreIn() throws {
        try importBatch(batch: 1, count: 20)
        let second = YZKCGFixture(batch: 2, count: 40)
        var rows = second.rows
        var fields = second.fields(4)
        fields[1] = YZKCGFixture(batch: 1).cardNumber(15).value
        rows[3] = fields.joined(separator: ",")
        fields = second.fields(36)
        fields[9] = YZKCGFixture(batch: 1).bankCardNumber(2)
        rows[35] = fields.joined(separator: ",")
        let refused = refusal { try self.pipeline(second, second.text(rows: rows)) }
        XCTAssertEqual(refused?.problems.map(\.kind), [.duplicateInStock, .duplicateInStock])
        XCTAssertEqual(refused?.problems.map(\.line), [6, 38])
        XCTAssertEqual(refused?.problems.map(\.field), [.cardNumber, .bankCardNumber])
        XCTAssertEqual(try count("SELECT COUNT(*) FROM pre_made_card"), 20)
        XCTAssertEqual(try count("SELECT COUNT(*) FROM yzkcg_import"), 1)
        XCTAssertEqual(try ledger.entries().count, 1)
    }

    func testADatabaseFailureInALaterBatchRollsEverythingBack() throws {
        let fixture = YZKCGFixture(count: 100)
        try database.pool.write { db in
            try db.execute(sql: """
                CREATE TRIGGER fail_at_row_90 BEFORE INSERT ON pre_made_card WHEN NEW.sequence = 90
                BEGIN SELECT RAISE(ABORT, 'disk full (simulated)'); END
                """)
        }
        XCTAssertThrowsError(try pipeline(fixture, rowsPerBatch: 10)) { error in
            XCTAssertTrue("\(error)".contains("disk full (simulated)"), "\(error)")
        }
        try assertNothingImported()
        // A bad row as well: the file's problem is what the clerk sees.
        var rows = fixture.rows
        rows[97] = rows[97].replacingOccurrences(of: "008C544CB386844116018593CA", with: "0")
        let refused = refusal { try self.pipeline(fixture, fixture.text(rows: rows), rowsPerBatch: 10) }
        XCTAssertEqual(refused?.problems.map(\.line), [100])
        try assertNothingImported()
        try database.pool.write { try $0.execute(sql: "DROP TRIGGER fail_at_row_90") }
        XCTAssertEqual(try pipeline(fixture, rowsPerBatch: 10).count, 100)
        XCTAssertTrue(try inventory.checkInvariants().holds)
        let pages = try database.pool.writeWithoutTransaction { try Int.fetchOne($0, sql: "PRAGMA wal_autocheckpoint") }
        XCTAssertEqual(pages, 1000)
    }

    func testAnEmptyFileAndOneOfExactlyOneBatch() throws {
        let empty = YZKCGFixture(batch: 3, count: 0)
        XCTAssertEqual(try pipeline(empty).count, 0)
        let one = YZKCGFixture(batch: 4, count: 14)
        XCTAssertEqual(try pipeline(one, rowsPerBatch: 14).count, 14)
        let two = YZKCGFixture(batch: 5, count: 14)
        XCTAssertEqual(try pipeline(two, rowsPerBatch: 7).count, 14)
        XCTAssertEqual(try count("SELECT COUNT(*) FROM pre_made_card"), 28)
        XCTAssertThrowsError(try pipeline(YZKCGFixture(batch: 6, count: 3), clerk: " ")) { error in
            XCTAssertEqual(error as? InventoryError, .clerkRequired)
        }
    }

    /// The import runs with a 64 MB page cache on the writer and its statement journal in
    /// memory, and gives both settings back whether the file goes in or is refused: the writer
    /// keeps serving every other write as it was set.
    func testTheWritersSettingsAreGivenBackAfterAnImportAcceptedOrRefused() throws {
        let settings = {
            try self.database.pool.write { db in
                [try Int.fetchOne(db, sql: "PRAGMA cache_size"), try Int.fetchOne(db, sql: "PRAGMA temp_store")]
            }
        }
        try database.pool.write { try $0.execute(sql: "PRAGMA cache_size = -1234; PRAGMA temp_store = FILE") }
        let fixture = YZKCGFixture(count: 30)
        _ = try pipeline(fixture)
        XCTAssertEqual(try settings(), [-1234, 1])
        XCTAssertNotNil(refusal { try pipeline(fixture) }, "a file imported before")
        XCTAssertEqual(try settings(), [-1234, 1])
        XCTAssertLessThan(PreMadeCardInventory.importCacheSize, -1234, "the import's cache is the larger")
    }
}
