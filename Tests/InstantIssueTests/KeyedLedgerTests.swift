import Foundation
import GRDB
import SSCardDriver
import XCTest
@testable import InstantIssue

/// The 台账's keyed chain (docs/inventory-and-ledger.md, "The ledger key"): HMAC-SM3 under a
/// desk key kept outside the database, so rewriting the database is not enough to forge it.
final class KeyedLedgerTests: StationTestCase {
    func appendTen() throws {
        for i in 1...10 {
            try ledger.append(clerk: "clerk0\(i % 3)", action: "card.issue", subject: "A0100000\(i - 1)", details: #"{"n":\#(i)}"#)
            clock.advance(60)
        }
    }

    /// Raw SQL with the append-only triggers dropped, as someone with the database file could.
    func tamper(_ sql: String) throws {
        try database.pool.write { db in
            try db.execute(sql: "DROP TRIGGER IF EXISTS audit_ledger_no_update; DROP TRIGGER IF EXISTS audit_ledger_no_delete")
            try db.execute(sql: sql)
        }
    }

    /// What such a person can do without the key: re-link and re-hash every entry with plain SM3,
    /// the way the ledger was made before it had a key.
    func rehashWithoutTheKey(from first: Int = 0) throws {
        var entries = try ledger.entries()
        var previous = first == 0 ? AuditLedger.genesisHash : entries[first - 1].hash
        var sql = ""
        for i in first..<entries.count {
            entries[i].previousHash = previous
            entries[i].hash = try SM3.hash(entries[i].canonicalBytes).hexString
            previous = entries[i].hash
            sql += "UPDATE audit_ledger SET previous_hash = '\(entries[i].previousHash)', hash = '\(entries[i].hash)' WHERE seq = \(entries[i].seq);"
        }
        try tamper(sql)
    }

    func reopen() throws {
        try database.close()
        let clock = clock!
        database = try StationDatabase(path: databasePath, clock: { clock.now })
    }

    var keyPath: String { directory.appendingPathComponent("ledger.key").path }

    func testTheKeyFileIsMadeOnFirstUseOutsideTheDatabase() throws {
        XCTAssertEqual(database.ledgerKey.path, keyPath)
        let attributes = try FileManager.default.attributesOfItem(atPath: keyPath)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        let text = try String(contentsOfFile: keyPath, encoding: .utf8)
        XCTAssertEqual(text.count, 65)
        XCTAssertTrue(text.dropLast().allSatisfy(\.isHexDigit) && text.hasSuffix("\n"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: keyPath + ".new"))
        try appendTen()
        let key = try database.ledgerKey.withKey { $0.hexString }
        XCTAssertEqual(key, String(text.dropLast()).uppercased())
        let file = try Data(contentsOf: URL(fileURLWithPath: databasePath))
        XCTAssertNil(file.range(of: Data(key.utf8)), "the database does not hold the key")
        XCTAssertNil(file.range(of: Data(key.lowercased().utf8)))
        try reopen()
        XCTAssertEqual(try database.ledgerKey.withKey { $0.hexString }, key, "an existing key is kept")
        XCTAssertTrue(try ledger.verify().isIntact)
    }

    /// The attack of the security issue: drop the triggers, edit entry 1, re-hash the whole chain.
    func testRewritingTheLedgerWithoutTheKeyIsFoundAtEntry1() throws {
        try appendTen()
        try tamper("UPDATE audit_ledger SET subject = 'A01999999' WHERE seq = 1")
        try rehashWithoutTheKey()
        let verification = try ledger.verify()
        XCTAssertEqual(verification.problems, [.forged(seqs: 1...10)])
        XCTAssertEqual(verification.firstAlteredSeq, 1)
        XCTAssertTrue(verification.description.contains("first at entry #1"), verification.description)
        XCTAssertTrue(verification.problems[0].description.contains("第1–10条是伪造的")
                      && verification.problems[0].description.contains("hashed without the ledger key"))
        // Opening the station again does not take the rewritten chain for an old unkeyed one.
        try reopen()
        XCTAssertEqual(try ledger.entries().count, 10, "no re-anchoring under an existing key")
        XCTAssertEqual(try ledger.verify().firstAlteredSeq, 1)
        // New entries carry the key but cannot vouch for the forged ones.
        try ledger.append(clerk: "c", action: "x", subject: "y")
        XCTAssertEqual(try ledger.verify().problems, [.forged(seqs: 1...10)])
    }

    func testRehashingOnlyTheTailWithoutTheKeyIsFoundWhereItStarts() throws {
        try appendTen()
        try tamper("UPDATE audit_ledger SET details = '{\"n\":70}' WHERE seq = 7")
        try rehashWithoutTheKey(from: 6)
        XCTAssertEqual(try ledger.verify().problems, [.forged(seqs: 7...10)])
    }

    func testAMissingKeyFileIsAnErrorNotAPass() throws {
        try appendTen()
        try FileManager.default.removeItem(atPath: keyPath)
        XCTAssertThrowsError(try ledger.verify()) { error in
            XCTAssertEqual(error as? AuditLedgerError, .keyMissing(path: keyPath))
            XCTAssertTrue("\(error)".contains("ledger key file \(keyPath) is missing"), "\(error)")
        }
        XCTAssertThrowsError(try ledger.append(clerk: "c", action: "x", subject: "y")) { error in
            XCTAssertEqual(error as? AuditLedgerError, .keyMissing(path: keyPath))
        }
        XCTAssertThrowsError(try importBatch(count: 2), "a stock movement without its ledger entry is refused") { error in
            XCTAssertEqual(error as? AuditLedgerError, .keyMissing(path: keyPath))
        }
        XCTAssertEqual(try count("SELECT COUNT(*) FROM pre_made_card"), 0)
        try reopen()
        XCTAssertFalse(FileManager.default.fileExists(atPath: keyPath), "no new key for a keyed ledger")
        XCTAssertThrowsError(try ledger.verify())
    }

    func testAKeyFileOthersCanReadIsRefused() throws {
        try appendTen()
        XCTAssertEqual(chmod(keyPath, 0o644), 0)
        XCTAssertThrowsError(try ledger.verify()) { error in
            XCTAssertEqual(error as? AuditLedgerError, .keyExposed(path: keyPath, mode: 0o644))
        }
        XCTAssertEqual(chmod(keyPath, 0o600), 0)
        try Data("not a key\n".utf8).write(to: URL(fileURLWithPath: keyPath))
        XCTAssertEqual(chmod(keyPath, 0o600), 0)
        XCTAssertThrowsError(try ledger.verify()) { error in
            XCTAssertEqual(error as? AuditLedgerError, .keyInvalid(path: keyPath))
        }
    }

    func testAConfiguredKeyPathIsUsed() throws {
        try database.close()
        let elsewhere = directory.appendingPathComponent("keys/desk.key").path
        let clock = clock!
        database = try StationDatabase(path: databasePath, clock: { clock.now }, ledgerKeyPath: elsewhere)
        try ledger.append(clerk: "c", action: "x", subject: "y")
        XCTAssertTrue(FileManager.default.fileExists(atPath: elsewhere))
        let folder = try FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent("keys").path)
        XCTAssertEqual((folder[.posixPermissions] as? NSNumber)?.intValue, 0o700)
        XCTAssertTrue(try ledger.verify().isIntact)
    }

    // MARK: Ledgers from before the key

    /// Writes `count` entries the way the station wrote them before the key (plain SM3), then
    /// takes the key file away, as on a desk that never had one.
    func makeUnkeyedLedger(count: Int) throws {
        try database.pool.write { db in
            var previous = AuditLedger.genesisHash
            for i in 1...count {
                var entry = AuditLedgerEntry(seq: Int64(i), recordedAt: StationTimestamp(clock.now), clerk: "老柜员",
                                             action: "card.load", subject: "A0100000\(i)", details: "", previousHash: previous, hash: "")
                entry.hash = try entry.unkeyedHash()
                previous = entry.hash
                try db.execute(sql: """
                    INSERT INTO audit_ledger (seq, recorded_at, clerk, action, subject, details, previous_hash, hash)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [entry.seq, entry.recordedAt.text, entry.clerk, entry.action, entry.subject, entry.details,
                                     entry.previousHash, entry.hash])
                clock.advance(60)
            }
        }
        try FileManager.default.removeItem(atPath: keyPath)
    }

    func testAnUnkeyedLedgerIsReanchoredOnceUnderANewKey() throws {
        try makeUnkeyedLedger(count: 3)
        let oldHead = try XCTUnwrap(ledger.head())
        try reopen()
        XCTAssertTrue(FileManager.default.fileExists(atPath: keyPath))
        let entries = try ledger.entries()
        XCTAssertEqual(entries.count, 4)
        let anchor = entries[3]
        XCTAssertEqual(anchor.action, AuditLedger.reanchorAction)
        XCTAssertEqual(anchor.clerk, AuditLedger.stationClerk)
        XCTAssertEqual(anchor.previousHash, oldHead.hash)
        XCTAssertEqual(anchor.details, #"{"unkeyedChainIntact":true,"unkeyedEntries":3,"unkeyedHead":"\#(oldHead.hash)"}"#)
        XCTAssertEqual(anchor.hash, try database.ledgerKey.withKey { try anchor.keyedHash($0) })
        try ledger.append(clerk: "c", action: "after", subject: "y")
        let verification = try ledger.verify()
        XCTAssertTrue(verification.isIntact, verification.description)
        try reopen()
        XCTAssertEqual(try ledger.entries().filter { $0.action == AuditLedger.reanchorAction }.count, 1, "once")

        // The unkeyed part is still guarded: an edit shows, and so does re-hashing it.
        try tamper("UPDATE audit_ledger SET subject = 'A01999999' WHERE seq = 2")
        XCTAssertEqual(try ledger.verify().problems, [.edited(seq: 2)])
        var rehashed = try ledger.entries()
        var previous = AuditLedger.genesisHash
        for i in 0..<3 {
            rehashed[i].previousHash = previous
            rehashed[i].hash = try rehashed[i].unkeyedHash()
            previous = rehashed[i].hash
            try tamper("UPDATE audit_ledger SET previous_hash = '\(rehashed[i].previousHash)', hash = '\(rehashed[i].hash)' WHERE seq = \(i + 1)")
        }
        XCTAssertEqual(try ledger.verify().problems, [.chainBroken(seq: 4)], "the keyed re-anchoring no longer follows")
    }

    func testAnUnkeyedEntryAfterTheReanchoringIsForged() throws {
        try makeUnkeyedLedger(count: 2)
        try reopen()
        try ledger.append(clerk: "c", action: "after", subject: "y")
        try rehashWithoutTheKey(from: 3)
        XCTAssertEqual(try ledger.verify().problems, [.forged(seqs: 4...4)])
    }

    func testAReanchoringInterruptedByACrashIsFinishedOnTheNextOpen() throws {
        // Crash after the new key was written, before the re-anchoring committed.
        try makeUnkeyedLedger(count: 2)
        try database.ledgerKey.createPending()
        let pending = try database.ledgerKey.withPendingKey { $0 }
        try reopen()
        XCTAssertFalse(FileManager.default.fileExists(atPath: keyPath + ".new"))
        XCTAssertEqual(try database.ledgerKey.withKey { $0 }, pending, "the pending key was used, not a third one")
        XCTAssertEqual(try ledger.entries().last?.action, AuditLedger.reanchorAction)
        XCTAssertTrue(try ledger.verify().isIntact)

        // Crash after the re-anchoring committed, before the key was put in place.
        try FileManager.default.moveItem(atPath: keyPath, toPath: keyPath + ".new")
        try reopen()
        XCTAssertTrue(FileManager.default.fileExists(atPath: keyPath))
        XCTAssertEqual(try ledger.entries().filter { $0.action == AuditLedger.reanchorAction }.count, 1)
        XCTAssertTrue(try ledger.verify().isIntact)
    }
}
