import Foundation
import GRDB
import XCTest
@testable import InstantIssue

/// One database, WAL with synchronous FULL, migrated, one station at a time.
final class StationDatabaseTests: StationTestCase {
    func testOpensInWALWithSynchronousFullAndMigrates() throws {
        let mode = try database.pool.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
        XCTAssertEqual(mode, "wal")
        let writerSync = try database.pool.write { try Int.fetchOne($0, sql: "PRAGMA synchronous") }
        XCTAssertEqual(writerSync, 2, "FULL")
        XCTAssertEqual(try database.appliedMigrations(),
                       ["1 audit ledger", "2 pre-made card inventory", "3 workflow journal", "4 journal step and stage columns",
                        "5 clerk accounts", "6 one movement row per import"])
        let tables = try database.pool.read {
            try String.fetchAll($0, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'grdb%' ORDER BY name")
        }
        XCTAssertEqual(tables, ["audit_ledger", "clerk_account", "journal_entry", "pre_made_card", "pre_made_card_movement", "yzkcg_import"])
    }

    func testASecondStationOnTheSameDatabaseIsRefused() throws {
        XCTAssertThrowsError(try StationDatabase(path: databasePath)) { error in
            guard case let .inUse(path, lock, pid)? = error as? StationDatabaseError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, databasePath)
            XCTAssertEqual(lock, databasePath + ".lock")
            XCTAssertEqual(pid, getpid())
            let message = "\(error)"
            XCTAssertTrue(message.contains("正被另一个制卡站进程使用") && message.contains("in use by another station process (pid \(getpid())"),
                          message)
        }
        // The first station still works, and after it closes the next one opens.
        try ledger.append(clerk: "c", action: "x", subject: "y")
        try database.close()
        let second = try StationDatabase(path: databasePath)
        XCTAssertEqual(try AuditLedger(database: second).entries().count, 1)
        XCTAssertThrowsError(try StationDatabase(path: databasePath))
        try second.close()
        database = try StationDatabase(path: databasePath)
    }

    func testTheLockGoesAwayWithTheStation() throws {
        database = nil // deinit releases the lock, as process exit does
        database = try StationDatabase(path: databasePath)
    }

    /// Another process (util-linux `flock`, holding the lock as a station would) keeps this
    /// process out; when it exits the lock is free again.
    func testALockHeldByAnotherProcessRefusesTheStation() throws {
        try database.close()
        database = nil
        let flock = URL(fileURLWithPath: "/usr/bin/flock")
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: flock.path), "util-linux flock not installed")
        let holder = Process()
        holder.executableURL = flock
        // -o: flock itself holds the lock while `cat` waits for our end of the pipe to close.
        holder.arguments = ["-n", "-o", databasePath + ".lock", "-c", "echo locked; exec cat"]
        let input = Pipe(), output = Pipe()
        holder.standardInput = input
        holder.standardOutput = output
        try holder.run()
        let line = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        XCTAssertEqual(line, "locked\n")
        XCTAssertThrowsError(try StationDatabase(path: databasePath)) { error in
            guard case .inUse? = error as? StationDatabaseError else { return XCTFail("\(error)") }
        }
        try input.fileHandleForWriting.close()
        holder.waitUntilExit()
        database = try StationDatabase(path: databasePath)
    }

    /// The books hold applicants' data: the database, its -wal and -shm files and the lock are
    /// the station user's alone, whatever the umask (022 here, the usual one).
    func testTheDatabaseItsWALFilesAndTheLockAreOwnerOnly() throws {
        try database.close()
        database = nil
        for suffix in ["", "-wal", "-shm", ".lock"] { try? FileManager.default.removeItem(atPath: databasePath + suffix) }
        let saved = umask(0o022)
        defer { umask(saved) }
        database = try StationDatabase(path: databasePath)
        try ledger.append(clerk: "c", action: "x", subject: "y")  // the WAL now holds a commit
        for suffix in ["", "-wal", "-shm", ".lock"] {
            XCTAssertEqual(Self.mode(databasePath + suffix), 0o600, "station.sqlite\(suffix)")
        }
    }

    /// A database an earlier version left readable by all is narrowed when the station opens it.
    func testAWorldReadableDatabaseIsNarrowedOnOpen() throws {
        try ledger.append(clerk: "c", action: "x", subject: "y")
        try database.close()
        database = nil
        XCTAssertEqual(chmod(databasePath, 0o644), 0)
        database = try StationDatabase(path: databasePath)
        XCTAssertEqual(Self.mode(databasePath), 0o600)
        XCTAssertEqual(try ledger.entries().count, 1, "the books are intact")
    }

    /// A symbolic link planted at the lock file's name is not followed (its target would be
    /// truncated and overwritten with a pid).
    func testASymbolicLinkAtTheLockIsNotFollowed() throws {
        try database.close()
        database = nil
        let victim = directory.appendingPathComponent("victim.txt").path
        try Data("precious".utf8).write(to: URL(fileURLWithPath: victim))
        try FileManager.default.removeItem(atPath: databasePath + ".lock")
        try FileManager.default.createSymbolicLink(atPath: databasePath + ".lock", withDestinationPath: victim)
        XCTAssertThrowsError(try StationDatabase(path: databasePath)) { error in
            guard case .cannotLock(_, ELOOP)? = error as? StationDatabaseError else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(try String(contentsOfFile: victim, encoding: .utf8), "precious")
    }

    static func mode(_ path: String) -> mode_t? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return info.st_mode & 0o7777
    }

    func testTimestampsAreFixedWidthUTC() throws {
        XCTAssertEqual(StationTimestamp(Date(timeIntervalSince1970: 1_714_525_200.1234)).text, "2024-05-01T01:00:00.123Z")
        XCTAssertEqual(StationTimestamp(Date(timeIntervalSince1970: 0)).text, "1970-01-01T00:00:00.000Z")
        let t = try XCTUnwrap(StationTimestamp(text: "2024-05-01T01:00:00.123Z"))
        XCTAssertEqual(t.date.timeIntervalSince1970, 1_714_525_200.123, accuracy: 0.0005)
        XCTAssertNil(StationTimestamp(text: "2024-05-01 01:00:00"))
        let day = try XCTUnwrap(StationTimestamp.range(ofDay: "2024-05-01", in: XCTUnwrap(TimeZone(identifier: "Asia/Shanghai"))))
        XCTAssertEqual(day.start, "2024-04-30T16:00:00.000Z")
        XCTAssertEqual(day.end, "2024-05-01T16:00:00.000Z")
    }
}
