import Foundation
import XCTest
@testable import WebDesk

/// The devices page checks who can read the applicants' data as `issue-station doctor` does:
/// folders 0700 (or the desk group's 2770), database files 0600.
final class DevicesPersonalDataTests: XCTestCase {
    func testPrivateFoldersPassAndAFolderOthersCanReadIsNamed() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("devices-\(UUID().uuidString)")
        let data = root.appendingPathComponent("data"), faces = root.appendingPathComponent("faces")
        for folder in [data, faces] {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        defer { try? FileManager.default.removeItem(at: root) }
        let database = data.appendingPathComponent("station.sqlite").path
        FileManager.default.createFile(atPath: database, contents: Data(), attributes: [.posixPermissions: 0o600])

        let quiet = DevicesPage.personalDataAccess(databasePath: database, outputDirectory: faces.path, sharedGroup: nil)
        XCTAssertEqual(quiet.outcome, .pass, quiet.detail.en)

        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: faces.path)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: database)
        let open = DevicesPage.personalDataAccess(databasePath: database, outputDirectory: faces.path, sharedGroup: nil)
        XCTAssertEqual(open.outcome, .warn)
        XCTAssertTrue(open.detail.en.contains("\(faces.path) (755)") && open.detail.en.contains("\(database) (644)"), open.detail.en)
        XCTAssertFalse(open.detail.en.contains("\(data.path) ("), "the private database folder is not named: \(open.detail.en)")
        XCTAssertTrue(open.fix?.zh.contains("chmod 700") == true)
    }
}
