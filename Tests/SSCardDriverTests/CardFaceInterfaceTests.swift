import Foundation
import XCTest
@testable import SSCardDriver
@testable import SSCardPrinter

/// iPrint through SSCardInterface with a recording printer (no pcscd): the rendered panels
/// reach the printer; a refused item prints nothing and the card goes to the reject box, the
/// reason in pOutInfo; failures still eject ("不论印卡是否成功，执行完本命令均要自动退卡",
/// 《广东省社会保障卡经办规程》附件9).
final class CardFaceInterfaceTests: XCTestCase {
    /// Records the calls; `failPrint` makes printPanels fail.
    final class RecordingPrinter: CardPrinterMechanics, @unchecked Sendable {
        // `@unchecked Sendable`: `calls` and `jobs` are touched only under `lock`.
        private let lock = NSLock()
        private var _calls: [String] = []
        private var _jobs: [PrintJob] = []
        let failPrint: Bool
        let failEject: Bool
        init(failPrint: Bool = false, failEject: Bool = false) {
            self.failPrint = failPrint
            self.failEject = failEject
        }

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
        func eject(to exit: CardExit) throws(PrinterError) {
            record("eject \(exit.rawValue)")
            if failEject { throw .notConnected(reason: "test printer unplugged") }
        }
    }

    private func interface(_ printer: RecordingPrinter) -> SSCardInterface {
        // A channel source (answering no reader) keeps the test off PC/SC.
        SSCardInterface(securityModule: nil, printer: printer, channelSource: { _, _ in nil })
    }

    func testPrintSendsTheRenderedPanelsAndEjectsGood() throws {
        let printer = RecordingPrinter()
        let items = try ProvinceLayout.reference.printItems(for: CardFaceFixtures.holder(name: "张𠀀"))
        XCTAssertEqual(interface(printer).iPrint(1, items).code, 0)
        XCTAssertEqual(printer.calls, ["move", "print", "eject 1"])
        let job = try XCTUnwrap(printer.jobs.first)
        let panels = try XCTUnwrap(RenderedFace.panels(ofPayload: job.payload))
        let expected = try CardFaceFixtures.renderer.render(PrintItems(items))
        XCTAssertEqual(panels.black, expected.blackPanel)
        XCTAssertEqual(panels.overlay, expected.overlayPanel)
        XCTAssertEqual(job.ribbonPanels, 5)
    }

    func testTheTypedJobPrintsWhatTheItemsPrint() throws {
        let holder = CardFaceFixtures.holder(name: "张𠀀")
        let typed = RecordingPrinter(), strings = RecordingPrinter()
        try interface(typed).printCard(ProvinceLayout.reference.job(for: holder))
        XCTAssertEqual(interface(strings).iPrint(1, try ProvinceLayout.reference.printItems(for: holder)).code, 0)
        XCTAssertEqual(typed.calls, ["move", "print", "eject 1"])
        XCTAssertEqual(typed.calls, strings.calls)
        XCTAssertEqual(typed.jobs, strings.jobs, "the same payload byte for byte")
    }

    /// The station previews a face and prints that very face: printing it rendered sends what
    /// printing its job sends, and the chosen exit is kept.
    func testARenderedFacePrintsWhatItsJobPrints() throws {
        let job = try ProvinceLayout.reference.job(for: CardFaceFixtures.holder(name: "张𠀀"))
        let fromJob = RecordingPrinter(), rendered = RecordingPrinter(), rejected = RecordingPrinter()
        try interface(fromJob).printCard(job)
        let face = try CardFaceFixtures.renderer.render(job)
        try interface(rendered).printCard(rendered: face, exit: job.exit)
        XCTAssertEqual(rendered.calls, ["move", "print", "eject 1"])
        XCTAssertEqual(rendered.jobs, fromJob.jobs, "the same payload byte for byte")
        try interface(rejected).printCard(rendered: face, exit: .reject)
        XCTAssertEqual(rejected.calls, ["move", "print", "eject 2"])
    }

    func testTheStringItemsParseIntoTheTypedJob() throws {
        let holder = CardFaceFixtures.holder(name: "张䄲")
        let configuration = DriverConfiguration()
        let parsed = try CardFaceJob(iPrint: 2, ProvinceLayout.reference.printItems(for: holder), configuration: configuration)
        XCTAssertEqual(parsed, try ProvinceLayout.reference.job(for: holder), "a printed card leaves by the good exit whatever n says")
        XCTAssertEqual(parsed.texts.map(\.itemName), ["sData1", "sData2", "sData3", "sData4"])
        XCTAssertEqual(parsed.texts[0].fontName, "宋体-18030")
        XCTAssertEqual(parsed.photos.map(\.itemName), ["sPhoto1"])
        XCTAssertEqual(parsed.photos.first?.picture, try PhotoDecoder.decode(jpeg: CardFaceFixtures.photoJPEG))
        // Nothing to print: n is the exit, and must be one.
        let none = Array(repeating: "", count: 8)
        XCTAssertEqual(try CardFaceJob(iPrint: 2, none, configuration: configuration), .eject(to: .reject))
        XCTAssertThrowsError(try CardFaceJob(iPrint: 3, none, configuration: configuration)) {
            XCTAssertEqual(($0 as? InterfaceError)?.code, .badParameter)
        }
        // Geometry in the configuration's unit, as the items are read.
        var millimetres = DriverConfiguration()
        millimetres.printUnits = .millimetre
        let small = ProvinceLayout(
            name: .init(label: "姓名", sizePoints: 8.5, left: 27, top: 15), socialSecurityNumber: .init(label: "社会保障号码", sizePoints: 8.5, left: 27, top: 19.5),
            cardNumber: .init(label: "卡号", sizePoints: 8.5, left: 27, top: 23.5), issueDate: .init(label: "发卡日期", sizePoints: 8.5, left: 27, top: 28),
            photo: .init(left: 3.9, top: 10.8, width: 19.8, height: 25.4))
        XCTAssertEqual(try CardFaceJob(iPrint: 1, small.printItems(for: holder), configuration: millimetres),
                       try small.job(for: holder, units: .millimetre))
    }

    /// 附件9 iPrint: 不论印卡是否成功，执行完本命令均要自动退卡 — a refused name prints nothing
    /// and the card leaves by the reject exit; pOutInfo says why and where the card went.
    func testAttachment9UnprintableNameEjectsToTheRejectBoxSayingWhy() throws {
        let printer = RecordingPrinter()
        let driver = interface(printer)
        for (name, needle) in [("张\u{2EBF0}", "U+2EBF0 \u{2EBF0}"), ("张\u{E000}", "U+E000"), ("张[CHUI]", "[CHUI]")] {
            let items = try ProvinceLayout.reference.printItems(for: CardFaceFixtures.holder(name: name))
            let result = driver.iPrint(1, items)
            XCTAssertEqual(result.code, -41, result.output)
            XCTAssertTrue(result.output.contains(needle), result.output)
            XCTAssertTrue(result.output.contains("废卡盒"), result.output)
        }
        XCTAssertEqual(printer.calls, ["eject 2", "eject 2", "eject 2"], "nothing printed, each card to the reject box")
        XCTAssertTrue(printer.jobs.isEmpty)
    }

    func testAttachment9BadPhotoEjectsToTheRejectBox() throws {
        let printer = RecordingPrinter()
        var items = try ProvinceLayout.reference.printItems(for: CardFaceFixtures.holder())
        items[6] = "/9j/AAAA|46|127|234|300"
        let result = interface(printer).iPrint(1, items)
        XCTAssertEqual(result.code, -14, result.output)
        XCTAssertTrue(result.output.contains("sPhoto1"), result.output)
        XCTAssertEqual(printer.calls, ["eject 2"])
    }

    /// A refusal whose eject fails keeps its own code and says the eject failed too.
    func testAttachment9ARefusalKeepsItsCodeWhenTheEjectFails() throws {
        let printer = RecordingPrinter(failEject: true)
        let items = try ProvinceLayout.reference.printItems(for: CardFaceFixtures.holder(name: "张\u{E000}"))
        let result = interface(printer).iPrint(1, items)
        XCTAssertEqual(result.code, -41, result.output)
        XCTAssertTrue(result.output.contains("退卡到废卡盒失败"), result.output)
    }

    func testPrintFailureStillEjectsToTheRejectBox() throws {
        let printer = RecordingPrinter(failPrint: true)
        let items = try ProvinceLayout.reference.printItems(for: CardFaceFixtures.holder())
        let result = interface(printer).iPrint(1, items)
        XCTAssertEqual(result.code, -3006, result.output)
        XCTAssertEqual(printer.calls, ["move", "print", "eject 2"])
    }

    func testAllEmptyItemsOnlyEject() throws {
        let printer = RecordingPrinter()
        XCTAssertEqual(interface(printer).iPrint(2, Array(repeating: "", count: 8)).code, 0)
        XCTAssertEqual(printer.calls, ["eject 2"])
        // n neither 1 nor 2: −14, and still the card leaves — by the reject exit (附件9).
        XCTAssertEqual(interface(printer).iPrint(3, Array(repeating: "", count: 8)).code, -14)
        try interface(printer).printCard(.eject(to: .good))
        XCTAssertEqual(printer.calls, ["eject 2", "eject 2", "eject 1"])
    }

    func testTheTypedJobIsRefusedWithTheSameCodesAndTheCardRejected() throws {
        let printer = RecordingPrinter()
        let driver = interface(printer)
        func code(_ job: CardFaceJob) -> Int? {
            do { try driver.printCard(job) } catch { return error.code.rawValue }
            return nil
        }
        XCTAssertEqual(code(try ProvinceLayout.reference.job(for: CardFaceFixtures.holder(name: "张\u{2EBF0}"))), -41)
        XCTAssertEqual(code(try ProvinceLayout.reference.job(for: CardFaceFixtures.holder(name: "张[CHUI]"))), -41)
        var overChip = try ProvinceLayout.reference.job(for: CardFaceFixtures.holder())
        overChip.photos[0].left = 760
        overChip.photos[0].top = 280
        XCTAssertEqual(code(overChip), -14)
        var badPhoto = CardFaceFixtures.holder()
        badPhoto.photoJPEG = Data([0xFF, 0xD8, 0xFF, 0x00])
        XCTAssertThrowsError(try ProvinceLayout.reference.job(for: badPhoto)) { error in
            XCTAssertEqual((error as? InterfaceError)?.code, .badParameter)
            XCTAssertTrue((error as? InterfaceError)?.message.contains("sPhoto1") == true, "\(error)")
        }
        var broken = DriverConfiguration()
        broken.fontChain = [.init(path: "/nonexistent/font.otf")]
        let noFonts = SSCardInterface(configuration: broken, securityModule: nil, printer: printer, channelSource: { _, _ in nil })
        XCTAssertThrowsError(try noFonts.printCard(ProvinceLayout.reference.job(for: CardFaceFixtures.holder()))) { error in
            XCTAssertEqual((error as? InterfaceError)?.code.rawValue, -5)
        }
        XCTAssertEqual(printer.calls, ["eject 2", "eject 2", "eject 2", "eject 2"], "nothing printed; every refused card to the reject box (附件9)")
    }

    /// 附件9 iLoadCard: 对于单卡盒的机器，不用理会参数n的值，都从默认卡盒进卡.
    func testAttachment9OneHopperPrinterIgnoresN() throws {
        final class OneHopper: CardPrinterMechanics, @unchecked Sendable {
            // `@unchecked Sendable`: `fed` is touched only under `lock`.
            private let lock = NSLock()
            private var _fed: [Int?] = []
            let count: Int
            init(count: Int) { self.count = count }
            var fed: [Int?] { lock.withLock { _fed } }
            func status() throws(PrinterError) -> PrinterStatus {
                PrinterStatus(hoppers: (1...count).map { HopperStatus(number: $0, hasCards: true) }, defaultHopper: 1, coverOpen: false,
                              ribbonPanelsRemaining: nil, cardPosition: .none, rejectBoxFull: false)
            }
            func loadCard(fromHopper hopper: Int?) throws(PrinterError) { lock.withLock { _fed.append(hopper) } }
            func moveToPrint() throws(PrinterError) {}
            func printPanels(_ job: PrintJob) throws(PrinterError) {}
            func eject(to exit: CardExit) throws(PrinterError) {}
        }
        let one = OneHopper(count: 1)
        let driver = SSCardInterface(securityModule: nil, printer: one, channelSource: { _, _ in nil })
        for n in [0, 1, 5, 12, -3] { XCTAssertEqual(driver.iLoadCard(n).code, 0, "n=\(n)") }
        XCTAssertEqual(one.fed, [nil, 1, 5, nil, nil], "in-range n reaches the printer, which ignores it; the rest feed the default")
        let two = OneHopper(count: 2)
        let twoHoppers = SSCardInterface(securityModule: nil, printer: two, channelSource: { _, _ in nil })
        XCTAssertEqual(twoHoppers.iLoadCard(12).code, -14, "several hoppers: n out of 0–9 is a bad parameter")
        XCTAssertEqual(two.fed, [])
    }
}
