import CounterDocuments
import Foundation
import XCTest

/// A receipt printed through a real CUPS scheduler: `DocumentDesk` with a configured queue
/// sends the PDF with `lp`; the cups-pdf queue writes what it received, and that PDF holds the
/// holder's name, rare character included (《广东省社会保障卡经办规程》第十二条（三）: the signed
/// receipt is the 持卡人签收记录; 附件9: 支持生僻字).
final class CupsReceiptTests: XCTestCase {
    func testArticle12AReceiptSentToACupsQueueArrivesWithTheHoldersName() throws {
        let cups = try CupsPDFQueue()
        defer { cups.stop() }
        let unused = FileManager.default.temporaryDirectory.appendingPathComponent("sscard-unused-\(UUID().uuidString)").path
        let desk = DocumentDesk(setting: DocumentOutputSetting(printerQueue: cups.queue, cupsServer: cups.socket, folder: unused))
        let receipt = CounterDocument(kind: .handoverReceipt, title: "社会保障卡领卡签收单", reference: "DEMO-0002", blocks: [
            .field("持卡人姓名", "张䄲"), .field("卡号", "SIM000001"), .signature("领取人签名"),
        ])
        let delivered = try desk.issue(receipt)
        guard case .printed(let queue, let requestID) = delivered else { return XCTFail("\(delivered)") }
        XCTAssertEqual(queue, cups.queue)
        XCTAssertTrue(requestID.hasPrefix(cups.queue + "-"), requestID)
        XCTAssertFalse(FileManager.default.fileExists(atPath: unused), "a printed paper is not also filed")
        // What cupsd received (its spool copy) is the receipt, text and all.
        let spooled = cups.spooledDocuments()
        XCTAssertEqual(spooled.count, 1, "cupsd spooled \(spooled)")
        let sent = try CounterDocumentTestText.pdfText(try XCTUnwrap(spooled.first))
        XCTAssertTrue(sent.contains("张䄲"), sent)
        XCTAssertTrue(sent.contains("SIM000001"), sent)
        // The queue printed it: cups-pdf wrote a one-page PDF. (cups-pdf 3 goes through
        // PostScript and Ghostscript, which draw the glyphs as outlines, so its output has no
        // text layer to compare; the page is checked to carry ink.)
        let received = cups.receivedPDFs()
        XCTAssertEqual(received.count, 1, "cups-pdf wrote \(received)")
        let page = try XCTUnwrap(received.first)
        XCTAssertEqual(try CounterDocumentTestText.run("/usr/bin/pdfinfo", [page]).contains("Pages:           1"), true)
        XCTAssertGreaterThan(try CounterDocumentTestText.inkedPixels(page), 100, "the printed page is not blank")
    }
}

enum CounterDocumentTestText {
    static func run(_ tool: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// Dark pixels of the first page rendered at 50 dpi in grey (pdftoppm -pgm).
    static func inkedPixels(_ path: String) throws -> Int {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/pdftoppm")
        process.arguments = ["-r", "50", "-gray", "-f", "1", "-l", "1", path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = [UInt8](output.fileHandleForReading.readDataToEndOfFile())
        process.waitUntilExit()
        // P5 header: "P5\n<w> <h>\n255\n", then one byte a pixel.
        var newlines = 0, start = 0
        for (i, byte) in data.enumerated() where byte == 0x0A {
            newlines += 1
            if newlines == 3 { start = i + 1; break }
        }
        return data[start...].filter { $0 < 128 }.count
    }

    /// The text of a PDF as pdftotext (poppler-utils) extracts it.
    static func pdfText(_ path: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/pdftotext")
        process.arguments = ["-enc", "UTF-8", path, "-"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
