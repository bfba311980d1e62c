import CPNG
import Foundation
import XCTest
import SSCardDriver
import SSCardPrinter
@testable import SSCardSimulator

/// EscapePrinter driving the virtual printer through a real loopback socket, the contact
/// station unwired (no pcscd): loads, prints (checked against the PNG written), and every
/// fault giving the documented PrinterError with the card where docs/printer.md says.
final class VirtualPrinterServerTests: XCTestCase {
    var supply = CardSupply()
    var printer: VirtualPrinter!
    var server: VirtualPrinterServer!
    var escape: EscapePrinter!
    var control: SocketPrinterTransport!
    var output: URL!

    override func setUpWithError() throws {
        output = FileManager.default.temporaryDirectory.appendingPathComponent("vprinter-\(UUID().uuidString)")
        printer = VirtualPrinter(configuration: .init(hopperCount: 3, rejectBoxCapacity: 5, chipContact: .unwired))
        printer.addCards(supply.cards(3), toHopper: 1)
        printer.addCards(supply.cards(3), toHopper: 2)  // hopper 3 stays empty
        server = VirtualPrinterServer(printer: printer, configuration: .init(listen: .loopback(port: 0), outputDirectory: output))
        try server.start()
        let endpoint = try XCTUnwrap(server.endpoint)
        escape = EscapePrinter(transport: SocketPrinterTransport(endpoint: endpoint), configuration: .init(
            hopperCount: 3, commandTimeout: .seconds(2), movementTimeout: .seconds(5), printTimeout: .seconds(10)))
        control = SocketPrinterTransport(endpoint: endpoint)
    }

    override func tearDown() {
        escape?.transport.close()
        control?.close()
        server?.stop()
        if let output { try? FileManager.default.removeItem(at: output) }
        XCTAssertEqual(printer?.invariantViolations() ?? [], [])
    }

    func place(_ card: SimulatedSSCard) -> VirtualPrinter.Place? {
        printer.inventory().first { $0.card === card }?.place
    }

    func inject(_ fault: String, sticky: Bool = false) throws {
        XCTAssertEqual(try control.exchange(.other(name: "Xfault", parameters: [fault] + (sticky ? ["sticky"] : [])),
                                            timeout: .seconds(2)), .ok)
    }

    func clear(_ fault: String) throws {
        XCTAssertEqual(try control.exchange(.other(name: "Xclear", parameters: [fault]), timeout: .seconds(2)), .ok)
    }

    func assertThrows(_ expected: PrinterError, file: StaticString = #filePath, line: UInt = #line,
                      _ body: () throws(PrinterError) -> Void) {
        do {
            try body()
            XCTFail("no error; expected \(expected)", file: file, line: line)
        } catch {
            XCTAssertEqual(error, expected, file: file, line: line)
            XCTAssertEqual(error.code, expected.code, file: file, line: line)
        }
    }

    func scatterPanel() -> MonochromeBitmap {
        var k = MonochromeBitmap()
        for y in stride(from: 0, to: 648, by: 3) {
            for x in 0..<1016 where (x * 7 + y * 13) % 11 == 0 { k.set(x: x, y: y) }
        }
        for x in 0..<1016 { k.set(x: x, y: 0); k.set(x: x, y: 647) }  // the edges
        return k
    }

    /// Reads a PNG as 8-bit RGB with libpng's simplified API.
    func readPNG(_ url: URL) throws -> RGBImage {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        XCTAssertNotEqual(png_image_begin_read_from_file(&image, url.path), 0)
        image.format = UInt32(PNG_FORMAT_RGB)
        var pixels = [UInt8](repeating: 0, count: Int(image.width * image.height * 3))
        XCTAssertNotEqual(png_image_finish_read(&image, nil, &pixels, 0, nil), 0)
        return try XCTUnwrap(RGBImage(width: Int(image.width), height: Int(image.height), pixels: pixels))
    }

    // MARK: Loading and printing

    func testLoadFromHopper2PutsHopper2sFirstCardAtTheContactStation() throws {
        let first = printer.cards(inHopper: 2)[0]
        try escape.loadCard(fromHopper: 2)
        let status = try escape.status()
        XCTAssertEqual(status.cardPosition, .contactStation)
        XCTAssertTrue(printer.cardAtContactStation === first)
        XCTAssertEqual(status.hoppers.map(\.hasCards), [true, true, false])
        XCTAssertEqual(status.ribbonPanelsRemaining, 1_000)
        XCTAssertFalse(status.coverOpen)
        XCTAssertFalse(status.rejectBoxFull)
        XCTAssertEqual(printer.cards(inHopper: 2).count, 2)

        // iLoadCard again: the card at the station stays, nothing is fed.
        try escape.loadCard(fromHopper: 1)
        XCTAssertTrue(printer.cardAtContactStation === first)
        XCTAssertEqual(printer.cards(inHopper: 1).count, 3)
    }

    func testPrintWritesAPNGWhosePixelsAreTheDownloadedKPanel() throws {
        let card = printer.cards(inHopper: 1)[0]
        try escape.loadCard(fromHopper: 1)
        try escape.moveToPrint()
        XCTAssertEqual(try escape.status().cardPosition, .printPosition)
        let k = scatterPanel()
        try escape.printPanels(PrintJob(name: "K panel", panels: PanelSet(black: k)))

        // The card stays at the print position until eject (Pneab;E).
        XCTAssertEqual(place(card), .printPosition)
        let printed = try XCTUnwrap(server.printedCards.first)
        XCTAssertEqual(printed.panels.black, k)
        XCTAssertEqual(printed.cardNumber, "P00000001")
        XCTAssertNil(printed.outputError)
        let kFile = try XCTUnwrap(printed.files.first { $0.lastPathComponent == "card-0001-P00000001-k.png" })
        let picture = try readPNG(kFile)
        XCTAssertEqual(picture.width, 1016)
        XCTAssertEqual(picture.height, 648)
        var mismatches = 0
        for y in 0..<648 {
            for x in 0..<1016 where (picture[x, y].r == 0) != k[x, y] { mismatches += 1 }
        }
        XCTAssertEqual(mismatches, 0)
        XCTAssertTrue(printed.files.contains { $0.lastPathComponent == "card-0001-P00000001-face.png" })

        try escape.eject(to: .good)
        XCTAssertEqual(place(card), .goodExit)
        XCTAssertEqual(printer.inventory().first { $0.card === card }?.printedJobs, ["Escape print 1"])
        XCTAssertEqual(try escape.status().cardPosition, CardPosition.none)
        XCTAssertEqual(try printer.status().ribbonPanelsRemaining, 999)
    }

    /// What the virtual printer writes shows the card's face: the folder it makes is 0700, the
    /// files 0600; a card number read from a chip joins a file name only if it is one.
    func testPrintedFilesAreOwnerOnlyAndAHostileCardNumberNamesNoFile() throws {
        try escape.loadCard(fromHopper: 1)
        try escape.moveToPrint()
        try escape.printPanels(PrintJob(name: "K panel", panels: PanelSet(black: scatterPanel())))
        let printed = try XCTUnwrap(server.printedCards.first)
        XCTAssertFalse(printed.files.isEmpty)
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: output.path)[.posixPermissions] as? Int, 0o700)
        for file in printed.files {
            XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int, 0o600, file.path)
        }
        XCTAssertEqual(VirtualPrinterServer.fileStem(sequence: 1, cardNumber: "P00000001"), "card-0001-P00000001")
        XCTAssertEqual(VirtualPrinterServer.fileStem(sequence: 2, cardNumber: nil), "card-0002")
        XCTAssertNil(VirtualPrinterServer.fileStem(sequence: 3, cardNumber: "/../../x1"))
        XCTAssertNil(VirtualPrinterServer.fileStem(sequence: 3, cardNumber: "../etc"))
    }

    func testARenderedFacePrintsAllFivePanels() throws {
        var rgb = RGBImage(width: 1016, height: 648)
        for x in 0..<50 { rgb.pixels[(20 * 1016 + x) * 3 + 2] = 0 }  // a yellow line
        var black = MonochromeBitmap()
        black.set(x: 500, y: 300)
        let face = RenderedFace(rgb: rgb, blackPanel: black, overlayPanel: MonochromeBitmap(width: 1016, height: 648, filled: true))
        try escape.loadCard(fromHopper: 2)
        try escape.printPanels(PrintJob(name: "face", payload: face.printJobPayload))
        let printed = try XCTUnwrap(server.printedCards.first)
        XCTAssertEqual(printed.panels, PanelSet(face: face))
        XCTAssertEqual(try printer.status().ribbonPanelsRemaining, 995)
        let picture = try readPNG(try XCTUnwrap(printed.files.first { $0.lastPathComponent.hasSuffix("-face.png") }))
        XCTAssertEqual(picture[500, 300].r, 0)
        XCTAssertEqual(picture[10, 20].b, 0)
        XCTAssertEqual(picture[10, 20].r, 255)
        try escape.eject(to: .good)
    }

    // MARK: Faults

    func testEmptyHopperFailsAndNothingMoves() throws {
        assertThrows(.hopperEmpty(hopper: 3)) { () throws(PrinterError) in try escape.loadCard(fromHopper: 3) }
        XCTAssertEqual(try escape.status().cardPosition, CardPosition.none)
        XCTAssertEqual(printer.cards(inHopper: 1).count + printer.cards(inHopper: 2).count, 6)
        assertThrows(.invalidHopper(4)) { () throws(PrinterError) in try escape.loadCard(fromHopper: 4) }
    }

    func testJamAtLoadLeavesTheCardJammedUntilEjectRejectsIt() throws {
        let card = printer.cards(inHopper: 2)[0]
        try inject("jamAtLoad")
        assertThrows(.jamAtLoad(hopper: 2)) { () throws(PrinterError) in try escape.loadCard(fromHopper: 2) }
        XCTAssertEqual(place(card), .jammed)
        XCTAssertEqual(try escape.status().cardPosition, .jammed)
        assertThrows(.jamAtLoad(hopper: 2)) { () throws(PrinterError) in try escape.loadCard(fromHopper: 2) }
        assertThrows(.jamAtLoad(hopper: 2)) { () throws(PrinterError) in try escape.moveToPrint() }
        try escape.eject(to: .good)  // a jammed card is never handed out
        XCTAssertEqual(place(card), .rejectBox)
        XCTAssertEqual(try escape.status().cardPosition, CardPosition.none)
    }

    func testJamAtPrintSendsTheCardToTheRejectBox() throws {
        let card = printer.cards(inHopper: 1)[0]
        try escape.loadCard(fromHopper: 1)
        try inject("jamAtPrint")
        assertThrows(.jamAtPrint) { () throws(PrinterError) in try escape.printPanels(PrintJob(name: "K", panels: PanelSet(black: scatterPanel()))) }
        XCTAssertEqual(place(card), .rejectBox)
        XCTAssertEqual(try escape.status().cardPosition, CardPosition.none)
        XCTAssertTrue(server.printedCards.isEmpty)
        try escape.eject(to: .reject)  // nothing left to eject
    }

    func testCoverOpenStopsMovementAndShowsInStatus() throws {
        let card = printer.cards(inHopper: 1)[0]
        try inject("coverOpen", sticky: true)
        XCTAssertTrue(try escape.status().coverOpen)
        assertThrows(.coverOpen) { () throws(PrinterError) in try escape.loadCard(fromHopper: 1) }
        XCTAssertEqual(place(card), .hopper(1))
        try clear("coverOpen")
        try escape.loadCard(fromHopper: 1)
        try inject("coverOpen", sticky: true)
        assertThrows(.coverOpen) { () throws(PrinterError) in try escape.moveToPrint() }
        assertThrows(.coverOpen) { () throws(PrinterError) in try escape.printPanels(PrintJob(name: "K", panels: PanelSet(black: MonochromeBitmap()))) }
        XCTAssertEqual(place(card), .contactStation)
        try escape.eject(to: .reject)  // eject still works with the cover open
        XCTAssertEqual(place(card), .rejectBox)
        try clear("coverOpen")
        XCTAssertFalse(try escape.status().coverOpen)
    }

    func testRibbonOutLeavesTheCardAtThePrintPositionUnprinted() throws {
        let card = printer.cards(inHopper: 2)[0]
        try escape.loadCard(fromHopper: 2)
        try inject("ribbonOut", sticky: true)
        XCTAssertEqual(try escape.status().ribbonPanelsRemaining, 0)
        assertThrows(.ribbonOut) { () throws(PrinterError) in try escape.printPanels(PrintJob(name: "K", panels: PanelSet(black: scatterPanel()))) }
        XCTAssertEqual(place(card), .printPosition)
        XCTAssertEqual(printer.inventory().first { $0.card === card }?.printedJobs, [])
        XCTAssertTrue(server.printedCards.isEmpty)
        try clear("ribbonOut")
        try escape.printPanels(PrintJob(name: "K", panels: PanelSet(black: scatterPanel())))
        try escape.eject(to: .good)
        XCTAssertEqual(place(card), .goodExit)
    }

    func testNoAnswerIsATimeoutAndADroppedLinkIsNotConnected() throws {
        let quick = EscapePrinter(transport: escape.transport, configuration: .init(hopperCount: 3, commandTimeout: .milliseconds(200)))
        _ = try quick.status()
        try inject("timeout")
        let started = ContinuousClock.now
        assertThrows(.timeout(operation: "reading the printer's status")) { () throws(PrinterError) in _ = try quick.status() }
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(2))
        XCTAssertEqual(try escape.status().cardPosition, CardPosition.none, "a one-shot fault: the next call works")

        try inject("notConnected")
        do {
            _ = try escape.status()
            XCTFail("no error")
        } catch {
            XCTAssertEqual(error.code, -3001)
        }
        // The transport connects again on the next call.
        try escape.loadCard(fromHopper: 1)
        XCTAssertEqual(try escape.status().cardPosition, .contactStation)
        try escape.eject(to: .reject)
    }

    func testRejectBoxFullRefusesToFeed() throws {
        for _ in 0..<5 {
            try escape.loadCard(fromHopper: printer.cards(inHopper: 1).isEmpty ? 2 : 1)
            try escape.eject(to: .reject)
        }
        XCTAssertTrue(try escape.status().rejectBoxFull)
        let next = printer.cards(inHopper: 2)[0]
        assertThrows(.rejectBoxFull) { () throws(PrinterError) in try escape.loadCard(fromHopper: 2) }
        XCTAssertEqual(place(next), .hopper(2))
        XCTAssertEqual(try control.exchange(.other(name: "Xcollect", parameters: []), timeout: .seconds(2)), .ok)
        XCTAssertFalse(try escape.status().rejectBoxFull)
    }

    // MARK: The server itself

    func testControlCommandsAndRefusals() throws {
        XCTAssertEqual(try control.exchange(.other(name: "Xstatus", parameters: []), timeout: .seconds(2)),
                       .value("hopper1=3 hopper2=3 hopper3=0 path=empty good=0 reject=0 printed=0 faults=none"))
        try inject("jamAtLoad", sticky: true)
        XCTAssertTrue(try control.exchange(.other(name: "Xstatus", parameters: []), timeout: .seconds(2)).text.hasSuffix("faults=jamAtLoad"))
        XCTAssertEqual(try control.exchange(.other(name: "Xclear", parameters: []), timeout: .seconds(2)), .ok)
        XCTAssertEqual(try control.exchange(.other(name: "Xfault", parameters: ["melted"]), timeout: .seconds(2)), .error("ERROR CDE"))
        XCTAssertEqual(try control.exchange(.other(name: "Zz", parameters: []), timeout: .seconds(2)), .error("ERROR CDE"))
        XCTAssertEqual(try control.exchange(.other(name: "Xribbon", parameters: ["7"]), timeout: .seconds(2)), .ok)
        XCTAssertEqual(try escape.status().ribbonPanelsRemaining, 7)
    }

    func testAUnixSocketServerAndTheDefaultPortIsLoopback() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vp-\(getpid())-\(UInt16.random(in: 0...9999)).sock").path
        let unixServer = VirtualPrinterServer(printer: printer, configuration: .init(listen: .unixSocket(path: path)))
        try unixServer.start()
        defer { unixServer.stop() }
        let viaUnix = EscapePrinter(transport: SocketPrinterTransport(endpoint: .unix(path: path)),
                                    configuration: .init(hopperCount: 3, commandTimeout: .seconds(2)))
        try viaUnix.loadCard(fromHopper: 2)
        XCTAssertEqual(try escape.status().cardPosition, .contactStation, "one printer behind both sockets")
        try viaUnix.eject(to: .good)
        XCTAssertEqual(VirtualPrinterServer.Configuration().listen, .loopback(port: 35970))
    }
}
