import Foundation
import XCTest
import CounterDocuments
import SSCardDriver

/// The counter's papers as PDFs (cairo + the card face's FreeType font chain), filed under the
/// station's file rules. The text is read back with poppler's pdftotext, as a person's PDF
/// reader would find it.
final class CounterDocumentTests: XCTestCase {
    private var folders: [String] = []

    override func tearDown() {
        for folder in folders { try? FileManager.default.removeItem(atPath: folder) }
        folders = []
        super.tearDown()
    }

    private func folder() -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sscard-docs-\(UUID().uuidString)").path
        folders.append(path)
        return path
    }

    static func receipt(name: String, reference: String = "DEMO-0002") -> CounterDocument {
        CounterDocument(kind: .handoverReceipt, title: "社会保障卡领卡签收单", reference: reference, blocks: [
            .field("持卡人姓名", name),
            .field("社会保障号码", "41160219900307002X"),
            .table(header: ["项目", "内容"], rows: [["卡号", "SIM000001"], ["领取方式", "本人领取"]]),
            .signature("领取人签名"),
        ])
    }

    /// The text of a PDF file as pdftotext (poppler-utils) extracts it.
    static func pdfText(_ path: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/pdftotext")
        process.arguments = ["-enc", "UTF-8", path, "-"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "pdftotext \(path)")
        return String(decoding: data, as: UTF8.self)
    }

    /// 《广东省社会保障卡经办规程》附件9 (支持生僻字): the paper prints what the card prints, with the
    /// same font chain — a name with a CJK Ext A (䄲) and an Ext B (𠀀) character comes out whole.
    func testAttachment9TheReceiptPrintsARareCharacterOfTheNameWithTheCardsFontChain() throws {
        let desk = DocumentDesk(setting: DocumentOutputSetting(folder: folder()))
        guard case .saved(let path) = try desk.issue(Self.receipt(name: "张䄲𠀀")) else { return XCTFail("not filed") }
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        XCTAssertEqual(Array(bytes.prefix(5)), Array("%PDF-".utf8))
        let text = try Self.pdfText(path)
        XCTAssertTrue(text.contains("张䄲𠀀"), text)
        XCTAssertTrue(text.contains("领取人签名"), text)
        XCTAssertTrue(text.contains("SIM000001"), text)
    }

    func testACharacterNoFontHasIsRefusedRatherThanPrintedBlank() {
        let desk = DocumentDesk(setting: DocumentOutputSetting(folder: folder()))
        XCTAssertThrowsError(try desk.issue(Self.receipt(name: "张\u{2EBF0}"))) { error in
            guard case DocumentError.unprintableCharacter(let c)? = error as? DocumentError else { return XCTFail("\(error)") }
            XCTAssertTrue(c.contains("U+2EBF0"), c)
        }
    }

    /// 第十二条（三）: 持卡人签收记录…至少保管5年 — filed privately (folder 0700, file 0600), kept
    /// five years by default, purged after the configured days.
    func testArticle12FiledPrivatelyAndKeptForTheRetentionPeriod() throws {
        let where_ = folder()
        XCTAssertEqual(DocumentOutputSetting().retentionDays, 1830)
        let desk = DocumentDesk(setting: DocumentOutputSetting(folder: where_, retentionDays: 30))
        let now = Date()
        guard case .saved(let path) = try desk.issue(Self.receipt(name: "张三"), now: now) else { return XCTFail("not filed") }
        XCTAssertTrue(path.hasPrefix(where_ + "/handover-receipt-DEMO-0002-"), path)
        let file = try FileManager.default.attributesOfItem(atPath: path), dir = try FileManager.default.attributesOfItem(atPath: where_)
        XCTAssertEqual((file[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        XCTAssertEqual((dir[.posixPermissions] as? NSNumber)?.intValue, 0o700)
        XCTAssertEqual(try desk.purge(now: now.addingTimeInterval(29 * 86_400)), [])
        XCTAssertEqual(try desk.purge(now: now.addingTimeInterval(31 * 86_400)), [path])
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
    }

    func testAHostileReferenceCannotLeadTheFileOutOfItsFolder() {
        let desk = DocumentDesk(setting: DocumentOutputSetting(folder: folder()))
        for bad in ["../etc", "a/b", "", String(repeating: "x", count: 65)] {
            XCTAssertThrowsError(try desk.issue(Self.receipt(name: "张三", reference: bad))) {
                XCTAssertEqual($0 as? DocumentError, .badReference(bad))
            }
        }
    }

    func testAQueueThatCannotBeReachedIsAClearErrorAndTheSettingIsChecked() throws {
        var desk = DocumentDesk(setting: DocumentOutputSetting(printerQueue: "counter", cupsServer: "/nonexistent/cups.sock", folder: folder()))
        desk.lpPath = "/usr/bin/lp"
        XCTAssertThrowsError(try desk.issue(Self.receipt(name: "张三"))) { error in
            guard case DocumentError.printFailed(let queue, _)? = error as? DocumentError else { return XCTFail("\(error)") }
            XCTAssertEqual(queue, "counter")
        }
        let decoder = JSONDecoder()
        XCTAssertThrowsError(try decoder.decode(DocumentOutputSetting.self, from: Data(#"{"printerQueue": "a b"}"#.utf8)))
        XCTAssertThrowsError(try decoder.decode(DocumentOutputSetting.self, from: Data(#"{"retentionDays": 0}"#.utf8)))
        let read = try decoder.decode(DocumentOutputSetting.self, from: Data(#"{"printerQueue": "counter-1"}"#.utf8))
        XCTAssertEqual(read.printerQueue, "counter-1")
        XCTAssertEqual(read.folder, DocumentOutputSetting.defaultFolder)
    }
}
