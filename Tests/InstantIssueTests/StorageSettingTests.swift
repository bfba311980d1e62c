import Foundation
import InstantIssue
import XCTest

/// station.json's `storage` section: SQLite by default, PostgreSQL only with a url, an outlet and
/// a desk that are what they claim to be; a wrong value is refused at load, naming the key.
final class StorageSettingTests: XCTestCase {
    private func load(_ json: String) throws -> StationConfiguration {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("storage-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("station.json").path
        try Data(json.utf8).write(to: URL(fileURLWithPath: path))
        return try StationConfiguration.load(path: path)
    }

    func testWithoutAStorageSectionTheBooksStayInTheDesksSQLiteFile() throws {
        let c = try load("{}")
        XCTAssertEqual(c.storage.kind, .sqlite)
        XCTAssertNil(c.storage.url)
    }

    func testAPostgreSQLStorageIsDecodedWithItsOutletAndDesk() throws {
        let c = try load(#"{"storage": {"kind": "postgresql", "url": "postgresql://gz01_desk1@10.0.0.5:5432/sscard", "outlet": "GZ01", "desk": "desk-1"}}"#)
        XCTAssertEqual(c.storage, StorageSetting(kind: .postgresql, url: "postgresql://gz01_desk1@10.0.0.5:5432/sscard",
                                                 outlet: "GZ01", desk: "desk-1"))
    }

    func testAWrongStorageIsRefusedNamingTheKey() {
        let cases: [(String, String)] = [
            (#"{"storage": {"kind": "postgresql", "outlet": "GZ01", "desk": "d1"}}"#, "storage.url"),
            (#"{"storage": {"kind": "postgresql", "url": "mysql://x@h/db", "outlet": "GZ01", "desk": "d1"}}"#, "storage.url"),
            (#"{"storage": {"kind": "postgresql", "url": "postgresql://x@h/db?sslmode=verify_full", "outlet": "GZ01", "desk": "d1"}}"#,
             "sslmode=verify_full"),
            (#"{"storage": {"kind": "postgresql", "url": "postgresql://x@h/db", "desk": "d1"}}"#, "storage.outlet"),
            (#"{"storage": {"kind": "postgresql", "url": "postgresql://x@h/db", "outlet": "GZ 01", "desk": "d1"}}"#, "storage.outlet"),
            (#"{"storage": {"kind": "postgresql", "url": "postgresql://x@h/db", "outlet": "GZ01", "desk": "d1'; DROP"}}"#, "storage.desk"),
            (#"{"storage": {"kind": "oracle"}}"#, "storage"),
        ]
        for (json, key) in cases {
            XCTAssertThrowsError(try load(json), json) { error in
                XCTAssertTrue("\(error)".contains(key), "\(json): \(error)")
            }
        }
    }
}
