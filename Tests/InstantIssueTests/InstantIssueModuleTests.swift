import XCTest
import GRDB
@testable import InstantIssue

/// The station's storage is SQLite through GRDB in WAL mode with synchronous writes.
final class InstantIssueModuleTests: XCTestCase {
    func testSQLiteOpensInWALMode() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ii-\(UUID().uuidString).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let pool = try DatabasePool(path: path)
        let mode = try pool.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
        XCTAssertEqual(mode, "wal")
    }
}
