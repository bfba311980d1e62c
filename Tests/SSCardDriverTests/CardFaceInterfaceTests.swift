import Foundation
import XCTest
@testable import SSCardDriver
@testable import SSCardPrinter

/// iPrint through SSCardInterface with a recording printer (no pcscd): the rendered panels
/// reach the printer; refusals happen before the card moves; failures still eject.
final class CardFaceInterfaceTests: XCTestCase {
    /// Records the calls; `failPrint` makes printPanels fail.
    final class RecordingPrinter: CardPrinterMechanics, @unchecked Sendable {
        // `@unchecked Sendable`: `calls` and `jobs` are touched only under `lock`.
        private let lock = NSLock()
        private var _calls: [String] = []
        private var _jobs: [PrintJob] = []
        let failPrint: Bool
        init(failPrint: Bool = false) { self.failPrint = failPrint }

        var calls: [String] { lock.withLock { _calls } }
        var jobs: [PrintJob] { lock.withLock { _jobs } }
        private func record(_ call: String) { lock.withLock { _calls.append(call) } }

        func status() throws(PrinterError) -> PrinterStatus {
            PrinterStatus(hoppers: [], defaultHopper: 1, coverOpen: false, ribbonPanelsRemaining: nil, cardPosition: .contactStation, rejectBoxFull: false)
        }
        func loadCard(fromHopper hopper: Int?) throws(PrinterError) { record("load") }
        func moveToPrint() throws(PrinterError) { record("move") }
        func printPanels(_ job: PrintJob) throws(PrinterError) {
            record("print")
            if failPrint { throw .jamAtPrint }
            lock.withLock { _jobs.append(job) }
        }
        func eject(to exit: CardExit) throws(PrinterError) { record("eject \(exit.rawValue)") }
    }

    private func interface(_ printer: RecordingPrinter) -> SSCardInterface {
        // A channel source (answering no reader) keeps the test off PC/SC.
        SSCardInterface(securityModule: nil, printer: printer, channelSource: { _, _ in nil })
    }

    func testPrintSendsTheRenderedPanelsAndEjectsGood() throws {
        let printer = RecordingPrinter()
        let items = try ProvinceLayout.reference.printItems(for: CardFaceFixtures.holder(name: "张𠀀"))
        try interface(printer).printCard(exit: 1, items: items)
        XCTAssertEqual(printer.calls, ["move", "print", "eject 1"])
        let job = try XCTUnwrap(printer.jobs.first)
        let panels = try XCTUnwrap(RenderedFace.panels(ofPayload: job.payload))
        let expected = try CardFaceFixtures.renderer.render(PrintItems(items))
        XCTAssertEqual(panels.black, expected.blackPanel)
        XCTAssertEqual(panels.overlay, expected.overlayPanel)
        XCTAssertEqual(job.ribbonPanels, 5)
    }

    func testUnprintableNameIsRefusedBeforeTheCardMoves() throws {
        let printer = RecordingPrinter()
        let driver = interface(printer)
        for (name, needle) in [("张\u{2EBF0}", "U+2EBF0 \u{2EBF0}"), ("张\u{E000}", "U+E000"), ("张[CHUI]", "[CHUI]")] {
            let items = try ProvinceLayout.reference.printItems(for: CardFaceFixtures.holder(name: name))
            let result = driver.iPrint(1, items)
            XCTAssertEqual(result.code, -41, result.output)
            XCTAssertTrue(result.output.contains(needle), result.output)
        }
        XCTAssertEqual(printer.calls, [], "nothing moved, nothing printed, the card stays at the contact station")
    }

    func testBadPhotoIsRefusedBeforeTheCardMoves() throws {
        let printer = RecordingPrinter()
        var items = try ProvinceLayout.reference.printItems(for: CardFaceFixtures.holder())
        items[6] = "/9j/AAAA|46|127|234|300"
        let result = interface(printer).iPrint(1, items)
        XCTAssertEqual(result.code, -14, result.output)
        XCTAssertTrue(result.output.contains("sPhoto1"), result.output)
        XCTAssertEqual(printer.calls, [])
    }

    func testPrintFailureStillEjectsToTheRejectBox() throws {
        let printer = RecordingPrinter(failPrint: true)
        let items = try ProvinceLayout.reference.printItems(for: CardFaceFixtures.holder())
        let result = interface(printer).iPrint(1, items)
        XCTAssertEqual(result.code, -3006, result.output)
        XCTAssertEqual(printer.calls, ["move", "print", "eject 2"])
    }

    func testAllEmptyItemsOnlyEject() {
        let printer = RecordingPrinter()
        XCTAssertEqual(interface(printer).iPrint(2, Array(repeating: "", count: 8)).code, 0)
        XCTAssertEqual(printer.calls, ["eject 2"])
    }
}
