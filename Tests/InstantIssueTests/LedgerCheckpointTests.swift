import Foundation
import GRDB
import SSCardDriver
import XCTest
@testable import CardManagement
@testable import InstantIssue
@testable import ProvinceSimulator

/// 台账校验点: the ledger head goes to the card-management system every N entries, after the
/// stock-take and on verify, and verify finds a ledger that is intact locally but not the one
/// the system saw.
final class LedgerCheckpointTests: StationTestCase {
    let terminal = "SSDESK000001"
    var sim: SimulatedCardManagementSystem!

    override func setUpWithError() throws {
        try super.setUpWithError()
        sim = try SimulatedCardManagementSystem()
    }

    func append(_ n: Int, from start: Int = 1) throws {
        for i in start..<(start + n) {
            try ledger.append(clerk: "c", action: "card.issue", subject: "A0100000\(i)", details: #"{"n":\#(i)}"#)
            clock.advance(60)
        }
    }

    func tamper(_ sql: String) throws {
        try database.pool.write { db in
            try db.execute(sql: "DROP TRIGGER IF EXISTS audit_ledger_no_update; DROP TRIGGER IF EXISTS audit_ledger_no_delete")
            try db.execute(sql: sql)
        }
    }

    func verify() throws -> AuditLedgerVerification { try ledger.verify(against: sim, terminal: terminal) }

    func testVerifySendsTheHeadAndAgreesWithTheSystem() throws {
        try append(10)
        let result = try verify()
        XCTAssertTrue(result.isIntact, result.description)
        let head = try XCTUnwrap(ledger.head())
        XCTAssertEqual(result.checkpoints, .compared(held: 1, sent: head))
        XCTAssertEqual(try sim.ledgerCheckpoints(terminal: terminal).map(\.sequence), [10])
        XCTAssertEqual(try sim.ledgerCheckpoints(terminal: terminal).first?.head, head.hash)
        XCTAssertTrue(try verify().isIntact, "verifying again agrees with its own checkpoint")
    }

    func testEntriesCutOffTheEndDisagreeWithTheCheckpoint() throws {
        try append(10)
        XCTAssertTrue(try verify().isIntact)
        let original = try XCTUnwrap(ledger.head())
        try tamper("DELETE FROM audit_ledger WHERE seq >= 9")
        XCTAssertTrue(try ledger.verify().isIntact, "locally the shorter chain is valid")
        let cut = try verify()
        XCTAssertEqual(cut.problems, [.checkpointBeyondHead(seq: 10, ledgerHead: 8)])
        XCTAssertEqual(cut.checkpoints, .compared(held: 1, sent: nil), "an altered ledger only asks")
        XCTAssertTrue(cut.problems[0].description.contains("ledger ends at #8"))

        // Grown again to the same length: locally intact, but entry 10 is not the one the system saw.
        try append(2, from: 100)
        let regrown = try verify()
        XCTAssertEqual(regrown.problems, [.checkpointMismatch(seq: 10)])
        XCTAssertEqual(regrown.firstAlteredSeq, 10)
        XCTAssertTrue(regrown.problems[0].description.contains("differs from the checkpoint the card-management system holds"))
        XCTAssertEqual(try sim.ledgerCheckpoints(terminal: terminal).map(\.head), [original.hash], "the system kept the first head")
        XCTAssertNotEqual(try ledger.head()?.hash, original.hash)
    }

    func testADatabaseReplacedByAnOlderCopyDisagrees() throws {
        // The database file with its WAL, copied as a whole.
        func copyDatabase(from source: String, to target: String) throws {
            for suffix in ["", "-wal", "-shm"] {
                try? FileManager.default.removeItem(atPath: target + suffix)
                if FileManager.default.fileExists(atPath: source + suffix) {
                    try FileManager.default.copyItem(atPath: source + suffix, toPath: target + suffix)
                }
            }
        }
        try append(5)
        try database.close()
        let copy = directory.appendingPathComponent("copy.sqlite").path
        try copyDatabase(from: databasePath, to: copy)
        let clock = clock!
        database = try StationDatabase(path: databasePath, clock: { clock.now })
        try append(5, from: 6)
        XCTAssertTrue(try verify().isIntact)
        try database.close()
        try copyDatabase(from: copy, to: databasePath)
        database = try StationDatabase(path: databasePath, clock: { clock.now })
        XCTAssertEqual(try ledger.entries().count, 5)
        XCTAssertTrue(try ledger.verify().isIntact, "the old copy is a valid keyed chain")
        XCTAssertEqual(try verify().problems, [.checkpointBeyondHead(seq: 10, ledgerHead: 5)])
    }

    func testAnUnreachableSystemLeavesTheLocalResultAndSaysSo() throws {
        try append(3)
        sim.faults.isUnreachable = true
        let result = try verify()
        XCTAssertTrue(result.isIntact)
        guard case .unavailable(let error)? = result.checkpoints else { return XCTFail("\(String(describing: result.checkpoints))") }
        XCTAssertTrue(error.isRetryable)
        XCTAssertTrue(result.description.contains("could not be compared"))
    }

    func testCheckpointsGoOutEveryNEntriesAndAfterTheStockTake() throws {
        let sim = sim!
        database.sendLedgerCheckpoints(terminal: terminal, every: 5) { sim }
        try append(12)
        database.flushLedgerCheckpoints()
        XCTAssertEqual(try sim.ledgerCheckpoints(terminal: terminal).map(\.sequence), [5, 10])
        let entries = try ledger.entries()
        XCTAssertEqual(try sim.ledgerCheckpoints(terminal: terminal).map(\.head), [entries[4].hash, entries[9].hash])

        let report = try inventory.takeStock(by: "clerk01")
        database.flushLedgerCheckpoints()
        XCTAssertEqual(try sim.ledgerCheckpoints(terminal: terminal).map(\.sequence), [5, 10, 13], "日终盘点")
        XCTAssertEqual(database.lastLedgerCheckpoint, report.ledgerHead)
        XCTAssertNil(database.ledgerCheckpointError)
    }

    func testACheckpointThatCannotBeSentIsSentWithTheNextOne() throws {
        let sim = sim!
        database.sendLedgerCheckpoints(terminal: terminal, every: 3) { sim }
        sim.faults.inject(.serverError, count: 1, only: .ledgerCheckpoint)
        try append(3)
        database.flushLedgerCheckpoints()
        XCTAssertNotNil(database.ledgerCheckpointError)
        XCTAssertEqual(try sim.ledgerCheckpoints(terminal: terminal), [])
        try append(3, from: 4)
        database.flushLedgerCheckpoints()
        XCTAssertEqual(try sim.ledgerCheckpoints(terminal: terminal).map(\.sequence), [6])
        XCTAssertNil(database.ledgerCheckpointError)
    }

    func testTheReanchoringIsCheckpointedWhenTheSystemIsAttached() throws {
        // An unkeyed ledger of before the key, re-anchored when the database opens.
        try database.pool.write { db in
            var entry = AuditLedgerEntry(seq: 1, recordedAt: StationTimestamp(Self.start), clerk: "老柜员", action: "card.load",
                                         subject: "A01000001", details: "", previousHash: AuditLedger.genesisHash, hash: "")
            entry.hash = try entry.unkeyedHash()
            try db.execute(sql: """
                INSERT INTO audit_ledger (seq, recorded_at, clerk, action, subject, details, previous_hash, hash)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [entry.seq, entry.recordedAt.text, entry.clerk, entry.action, entry.subject, entry.details,
                                 entry.previousHash, entry.hash])
        }
        try database.close()
        try FileManager.default.removeItem(at: directory.appendingPathComponent("ledger.key"))
        let clock = clock!
        database = try StationDatabase(path: databasePath, clock: { clock.now })
        let sim = sim!
        database.sendLedgerCheckpoints(terminal: terminal, every: 100) { sim }
        database.flushLedgerCheckpoints()
        XCTAssertEqual(try sim.ledgerCheckpoints(terminal: terminal).map(\.sequence), [2])
        XCTAssertEqual(try sim.ledgerCheckpoints(terminal: terminal).first?.head, try ledger.head()?.hash)
    }
}
