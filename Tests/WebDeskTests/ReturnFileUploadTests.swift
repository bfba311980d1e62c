import Foundation
import InstantIssue
import NIOCore
import XCTest
@testable import WebDesk

/// The stock page's upload of a return file (YZKCG), without a browser: the body arrives in
/// pieces and is written to a file while the progress counts it, then the library imports it
/// with its own checks — a refused file names its problems, the same file twice is refused,
/// an oversized body is refused without being kept — and the progress is the uploader's alone.
final class ReturnFileUploadTests: XCTestCase {
    var folder: URL!
    var database: StationDatabase!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("upload-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        database = try StationDatabase(path: folder.appendingPathComponent("station.sqlite").path)
    }

    override func tearDownWithError() throws {
        try? database.close()
        try? FileManager.default.removeItem(at: folder)
    }

    static func fileName(_ rows: Int) -> String { "YZKCG_工商银行_广州市社保卡管理中心_B001_\(rows)_金邦达_102581000013_20240501120000.txt" }

    /// `rows` valid pre-made cards, as a card maker returns them.
    static func returnFile(rows: Int) -> [UInt8] {
        var lines = [String(rows), YZKCGFile.header]
        for i in 1...rows {
            lines.append("\(i),B\(String(format: "%08d", i)),,,20240415,,440100D156000005\(String(format: "%016X", i)),008C544CB386844116018593CA,9\(String(format: "%017d", i)),62220\(String(format: "%014d", i)),1\(String(format: "%017d", i)),箱\(i / 100 + 1)-\(i % 100)")
        }
        return Array((lines.joined(separator: "\n") + "\n").utf8)
    }

    /// The bytes as a request body would bring them: pieces of `piece` bytes.
    static func body(_ bytes: [UInt8], piece: Int = 16_384) -> AsyncStream<ByteBuffer> {
        AsyncStream { continuation in
            var start = 0
            while start < bytes.count {
                let end = min(start + piece, bytes.count)
                continuation.yield(ByteBuffer(bytes: bytes[start..<end]))
                start = end
            }
            continuation.finish()
        }
    }

    func importer(_ uploads: ReturnFileUploads) -> ReturnFileImport {
        ReturnFileImport(inventory: PreMadeCardInventory(database: database), uploads: uploads, adviser: DeskAdvice.libraryAdviser)
    }

    func testAFileInPiecesIsImportedAndTheProgressCountedEveryByte() async throws {
        let uploads = ReturnFileUploads()
        let bytes = Self.returnFile(rows: 2_000)
        let id = String(repeating: "a", count: 32)
        let outcome = try await importer(uploads).run(id: id, fileName: Self.fileName(2_000), declaredSize: bytes.count,
                                                      body: Self.body(bytes), clerk: "柜员甲")
        XCTAssertEqual(outcome.phase, .done, "\(outcome)")
        XCTAssertEqual(outcome.received, bytes.count)
        XCTAssertEqual(outcome.total, bytes.count)
        XCTAssertEqual(outcome.percent, 100)
        XCTAssertTrue(outcome.zh?.contains("已导入 2000 张工商银行预制卡") == true, "\(outcome)")
        XCTAssertEqual(try PreMadeCardInventory(database: database).stockReport().totals[.inStock], 2_000)
        XCTAssertEqual(try AuditLedger(database: database).entries().last?.clerk, "柜员甲", "the signed-in clerk is in the 台账")
        XCTAssertNil(uploads.progress(id, clerk: "柜员乙"), "another clerk cannot read this upload")
        XCTAssertEqual(uploads.progress(id, clerk: "柜员甲")?.phase, .done)
    }

    func testTheSameFileTwiceIsRefusedAndTheBooksStayAsTheyWere() async throws {
        let uploads = ReturnFileUploads()
        let bytes = Self.returnFile(rows: 3)
        _ = try await importer(uploads).run(id: String(repeating: "b", count: 32), fileName: Self.fileName(3), declaredSize: nil,
                                            body: Self.body(bytes), clerk: "柜员甲")
        let again = try await importer(uploads).run(id: String(repeating: "c", count: 32), fileName: Self.fileName(3), declaredSize: nil,
                                                    body: Self.body(bytes), clerk: "柜员甲")
        XCTAssertEqual(again.phase, .failed)
        XCTAssertTrue(again.problems.joined().contains("已于"), "the duplicate is named: \(again)")
        XCTAssertEqual(try PreMadeCardInventory(database: database).stockReport().imported, 3)
    }

    func testABadLineIsNamedAndNothingIsImported() async throws {
        var text = String(decoding: Self.returnFile(rows: 3), as: UTF8.self)
        text = text.replacingOccurrences(of: "B00000002", with: "b0000000?")
        let outcome = try await importer(ReturnFileUploads()).run(id: String(repeating: "d", count: 32), fileName: Self.fileName(3),
                                                                  declaredSize: nil, body: Self.body(Array(text.utf8)), clerk: "柜员甲")
        XCTAssertEqual(outcome.phase, .failed)
        XCTAssertTrue(outcome.problems.contains { $0.contains("第4行") }, "line 4 holds the bad card number: \(outcome.problems)")
        XCTAssertNotNil(outcome.nextZh)
        XCTAssertEqual(try PreMadeCardInventory(database: database).stockReport().imported, 0)
    }

    func testAnOversizedBodyIsRefusedWhileItArrives() async throws {
        let big = [UInt8](repeating: 0x31, count: ReturnFileUploads.sizeLimit + 1)
        let outcome = try await importer(ReturnFileUploads()).run(id: String(repeating: "e", count: 32), fileName: Self.fileName(1),
                                                                  declaredSize: nil, body: Self.body(big, piece: 1 << 20), clerk: "柜员甲")
        XCTAssertEqual(outcome.phase, .failed)
        XCTAssertTrue(outcome.zh?.contains("64 MB") == true, "\(outcome)")
        XCTAssertLessThanOrEqual(outcome.received, ReturnFileUploads.sizeLimit, "it stopped before keeping the excess")
    }

    func testAnUploadIDIsUsedOnceAndMustLookLikeOne() async throws {
        let uploads = ReturnFileUploads()
        XCTAssertTrue(uploads.start(String(repeating: "f", count: 32), clerk: "甲", total: 10))
        XCTAssertFalse(uploads.start(String(repeating: "f", count: 32), clerk: "甲", total: 10))
        XCTAssertTrue(ReturnFileUploads.isValidID("0123456789abcdef"))
        XCTAssertFalse(ReturnFileUploads.isValidID("short"))
        XCTAssertFalse(ReturnFileUploads.isValidID("../../../etc/passwd-xxxxxxxx"))
        XCTAssertFalse(ReturnFileUploads.isValidID(String(repeating: "a", count: 65)))
    }

    func testProgressPercentFollowsTheBytesThenThePhases() {
        var p = UploadProgress(received: 0, total: 1_000)
        XCTAssertEqual(p.percent, 0)
        p.received = 500
        XCTAssertEqual(p.percent, 45)
        p.received = 1_000
        XCTAssertEqual(p.percent, 90)
        p.received = 5_000  // a lying Content-Length never runs the bar past receiving
        XCTAssertEqual(p.percent, 90)
        p.phase = .checking
        XCTAssertEqual(p.percent, 92)
        p.phase = .done
        XCTAssertEqual(p.percent, 100)
        XCTAssertEqual(UploadProgress(received: 10, total: nil).percent, 0, "no size: no guess")
    }

    func testUploadedFileNamesKeepOnlyTheLastComponent() {
        XCTAssertEqual(uploadedFileName("C:\\Users\\clerk\\YZKCG_a.txt"), "YZKCG_a.txt")
        XCTAssertEqual(uploadedFileName("../../etc/YZKCG_a.txt"), "YZKCG_a.txt")
        XCTAssertEqual(uploadedFileName("YZ\u{0}KCG\n.txt"), "YZKCG.txt")
        XCTAssertNil(uploadedFileName(".."))
        XCTAssertNil(uploadedFileName(""))
        XCTAssertNil(uploadedFileName(String(repeating: "字", count: 100)))
    }
}
