import Foundation
import XCTest
import SSCardDriver
import SSCardPrinter
import CardManagement
import ProvinceSimulator
@testable import InstantIssue

/// Card-face PNGs: named only from checked application ids and card numbers, kept as
/// `cardFaceRetention` says, purged on demand.
final class CardFaceFilesTests: StationTestCase {
    var faces: String { directory.appendingPathComponent("faces").path }

    /// Writes a file standing in for a face, `ageDays` old.
    @discardableResult
    func face(_ name: String, ageDays: Double = 0) throws -> String {
        try FileManager.default.createDirectory(atPath: faces, withIntermediateDirectories: true)
        let path = faces + "/" + name
        try Data([0x89, 0x50, 0x4E, 0x47]).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-ageDays * 86_400)], ofItemAtPath: path)
        return path
    }

    func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    // MARK: The setting

    func testRetentionIsUntilCompleteByDefaultAndReadFromTheConfiguration() throws {
        XCTAssertEqual(StationConfiguration().cardFaceRetention, .untilComplete)
        for (text, expected) in [("until-complete", CardFaceRetention.untilComplete), ("days:30", .days(30)), ("keep", .keep)] {
            let file = directory.appendingPathComponent("station-\(text.replacingOccurrences(of: ":", with: "-")).json")
            try Data(#"{"cardFaceRetention": "\#(text)"}"#.utf8).write(to: file)
            XCTAssertEqual(try StationConfiguration.load(path: file.path).cardFaceRetention, expected, text)
            XCTAssertEqual(expected.description, text)
        }
        let empty = directory.appendingPathComponent("empty.json")
        try Data("{}".utf8).write(to: empty)
        XCTAssertEqual(try StationConfiguration.load(path: empty.path).cardFaceRetention, .untilComplete)

        for bad in ["forever", "days:0", "days:-3", "days:x", "days:3651", "DAYS:3", ""] {
            XCTAssertNil(CardFaceRetention(text: bad), bad)
            let file = directory.appendingPathComponent("bad.json")
            try Data(#"{"cardFaceRetention": "\#(bad)"}"#.utf8).write(to: file)
            XCTAssertThrowsError(try StationConfiguration.load(path: file.path), bad) { error in
                XCTAssertTrue("\(error)".contains("cardFaceRetention"), "\(error)")
            }
        }
    }

    // MARK: Names

    func testFaceFileNamesAreBuiltOnlyFromCheckedParts() throws {
        XCTAssertEqual(try CardFaceFiles.fileName(applicationID: "DEMO-0001", cardNumber: "SIM000001"), "DEMO-0001-SIM000001.png")
        for id in ["../x", "../../etc/cron.d/x", "a/b", "..", ".x", "", "测试 0100"] {
            XCTAssertThrowsError(try CardFaceFiles.fileName(applicationID: id, cardNumber: "SIM000001"), id) { error in
                XCTAssertEqual((error as? CardFaceNameError)?.part, .applicationID)
            }
        }
        XCTAssertThrowsError(try CardFaceFiles.fileName(applicationID: "DEMO-0001", cardNumber: "../../x1")) { error in
            XCTAssertEqual((error as? CardFaceNameError)?.part, .cardNumber)
        }
        XCTAssertNil(CardFaceFiles.parse(fileName: "notes.txt"))
        XCTAssertEqual(CardFaceFiles.parse(fileName: "A-1-SIM000001.png")?.applicationID, "A-1")
    }

    func testThePreviewRefusesANameThatWouldLeaveItsFolder() throws {
        let blank = try PNGWriter.data(RGBImage(width: CardCanvas.width, height: CardCanvas.height), effort: .fast)
        XCTAssertThrowsError(try CardFacePreview.write(png: blank, directory: faces, applicationID: "../x",
                                                       cardNumber: CardNumber("SIM000001")!)) { error in
            XCTAssertEqual((error as? CardFaceNameError)?.part, .applicationID, "\(error)")
        }
        // A card number that would climb out is not a CardNumber at all.
        XCTAssertNil(CardNumber("/../../x1"))
        XCTAssertFalse(exists(directory.appendingPathComponent("x-SIM000001.png").path))
        XCTAssertFalse(exists(faces), "nothing was made")
    }

    /// A hostile (or broken) province answer whose application id climbs out of the faces
    /// folder is refused before any card is reserved: nothing in the journal, no file.
    func testAnApplicationIDWithDotDotIsRefusedBeforeAnyCardMoves() throws {
        let system = try SimulatedCardManagementSystem(path: nil)
        var hostile = try system.application(id: "DEMO-0001")
        hostile.id = "../x"
        try system.add(hostile)
        let station = Station(configuration: StationConfiguration(databasePath: databasePath, outputDirectory: faces),
                              database: database, driverConfiguration: DriverConfiguration(), printer: nil, cardManagement: system)
        let request = try IssuanceRequest(application: hostile, name: hostile.name, photoJPEG: hostile.photoJPEG)
        XCTAssertThrowsError(try IssuanceWorkflow(station: station).issue(request, clerk: "clerk01")) { error in
            let issuance = error as? IssuanceError
            XCTAssertEqual(issuance?.outcome, .refused, "\(error)")
            XCTAssertTrue(issuance?.chinese.contains("申请编号“../x”不能用作卡面图片的文件名") == true, "\(error)")
            XCTAssertTrue(issuance?.english.contains("cannot name a card-face file") == true, "\(error)")
        }
        XCTAssertEqual(try station.journal.entries(for: "../x"), [], "refused before the journal's first step")
        XCTAssertEqual(try inventory.cards(state: .reserved), [], "no card was reserved")
        XCTAssertFalse(exists(directory.appendingPathComponent("x-SIM000001.png").path))
    }

    // MARK: Retention

    func testCompletionDeletesTheFaceUnderTheDefaultOnly() throws {
        let path = try face("DEMO-0001-SIM000001.png")
        var record = IssuanceRecord(applicationID: "DEMO-0001", attempt: 1, bank: "b", terminal: "SSDESK000001")
        record.cardNumber = CardNumber("SIM000001")
        record.facePath = path

        CardFaceFiles(directory: faces, retention: .keep).issuanceCompleted(record, now: Date())
        XCTAssertTrue(exists(path), "keep")
        CardFaceFiles(directory: faces, retention: .days(7)).issuanceCompleted(record, now: Date())
        XCTAssertTrue(exists(path), "days:7 keeps a face written today")

        // A record whose face path names another file deletes nothing.
        let other = try face("DEMO-0002-SIM000002.png")
        var misdirected = record
        misdirected.facePath = other
        CardFaceFiles(directory: faces, retention: .untilComplete).issuanceCompleted(misdirected, now: Date())
        XCTAssertTrue(exists(other))

        CardFaceFiles(directory: faces, retention: .untilComplete).issuanceCompleted(record, now: Date())
        XCTAssertFalse(exists(path), "until-complete deletes the face once the issuance is complete")
    }

    func testPurgeUntilCompleteDeletesTheFacesOfCompleteIssuancesOnly() throws {
        let complete = try face("DEMO-0001-SIM000001.png")
        let unfinished = try face("APP-2-SIM000002.png")
        let notes = try face("notes.txt")
        let victim = directory.appendingPathComponent("victim.png").path
        try Data("precious".utf8).write(to: URL(fileURLWithPath: victim))
        let link = faces + "/DEMO-0003-SIM000003.png"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: victim)

        let result = try CardFaceFiles(directory: faces, retention: .untilComplete).purge { $0 == "DEMO-0001" || $0 == "DEMO-0003" }
        XCTAssertEqual(result.removed.map(\.path), [complete])
        XCTAssertEqual(result.keptIncomplete, 1)
        XCTAssertTrue(exists(unfinished) && exists(notes) && exists(link), "other files and links are left alone")
        XCTAssertEqual(try String(contentsOfFile: victim, encoding: .utf8), "precious")
    }

    func testPurgeByAge() throws {
        let old = try face("DEMO-0001-SIM000001.png", ageDays: 10)
        let young = try face("DEMO-0002-SIM000002.png", ageDays: 1)

        var result = try CardFaceFiles(directory: faces, retention: .keep).purge { _ in true }
        XCTAssertEqual(result.removed, [], "keep deletes nothing by itself")

        result = try CardFaceFiles(directory: faces, retention: .days(7)).purge { _ in false }
        XCTAssertEqual(result.removed.map(\.path), [old])
        XCTAssertEqual(result.keptYoung, 1)
        XCTAssertTrue(exists(young))

        result = try CardFaceFiles(directory: faces, retention: .keep).purge(olderThanDays: 0) { _ in false }
        XCTAssertEqual(result.removed.map(\.path), [young], "--older-than-days 0: every face")
        XCTAssertEqual(try CardFaceFiles(directory: directory.appendingPathComponent("none").path, retention: .keep).faces(), [])
    }

    func testTheJournalSaysWhenAnIssuanceIsComplete() throws {
        let journal = Journal(database: database)
        XCTAssertFalse(try journal.isComplete(applicationID: "DEMO-0001"), "unknown here")
        try journal.append(applicationID: "DEMO-0001", cardNumber: CardNumber("SIM000001")!, step: .reportProduced, stage: .done, phaseBefore: .printed, phaseAfter: .reported)
        XCTAssertFalse(try journal.isComplete(applicationID: "DEMO-0001"), "made, not yet activated")
        try journal.append(applicationID: "DEMO-0001", cardNumber: CardNumber("SIM000001")!, step: .activate, stage: .done, phaseBefore: .reported, phaseAfter: .activated)
        XCTAssertTrue(try journal.isComplete(applicationID: "DEMO-0001"))
    }
}
