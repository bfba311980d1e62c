import XCTest
import SSCardDriver
import SSCardPrinter
import SSCardSimulator

/// The whole printer path through a private pcscd + vpcd: EscapePrinter → socket → the virtual
/// printer's Escape server → contact station → vpcd → pcscd → PCSCCardSession → the card.
final class VirtualPrinterServerIntegrationTests: PCSCStackTestCase {
    func testLoadThroughEscapeServesHopper2sFirstCardToPCSC() throws {
        let printer = VirtualPrinter(configuration: .init(hopperCount: 2, chipContact: .vpcd(.slot(0))))
        printer.addCards([TestCards.blank(cardNumber: "E10000001"), TestCards.blank(cardNumber: "E10000002")], toHopper: 1)
        printer.addCards([TestCards.blank(cardNumber: "E20000001"), TestCards.blank(cardNumber: "E20000002")], toHopper: 2)
        let server = VirtualPrinterServer(printer: printer, configuration: .init(listen: .loopback(port: 0)))
        try server.start()
        defer {
            try? printer.eject(to: .reject)
            server.stop()
        }
        let escape = EscapePrinter(transport: SocketPrinterTransport(endpoint: try XCTUnwrap(server.endpoint)),
                                   configuration: .init(hopperCount: 2, commandTimeout: .seconds(5)))
        defer { escape.transport.close() }
        let context = try PCSCContext()

        try escape.loadCard(fromHopper: 2)
        XCTAssertEqual(try escape.status().cardPosition, .contactStation)
        _ = try context.waitForCard(in: Self.slot0, timeout: .seconds(5))
        let first = session()
        XCTAssertEqual(try SocialSecurityCard(channel: first).readIssuerData().cardNumber, "E20000001")
        first.disconnect()

        // To print: the contacts lift and the reader is empty; the card prints and goes out.
        try escape.moveToPrint()
        XCTAssertFalse(try context.waitForCard(in: Self.slot0, present: false, timeout: .seconds(5)).hasCard)
        var k = MonochromeBitmap()
        k.set(x: 1, y: 1)
        try escape.printPanels(PrintJob(name: "E20000001", panels: PanelSet(black: k)))
        try escape.eject(to: .good)
        XCTAssertEqual(server.printedCards.map(\.cardNumber), ["E20000001"])

        try escape.loadCard(fromHopper: 1)
        _ = try context.waitForCard(in: Self.slot0, timeout: .seconds(5))
        let second = session()
        XCTAssertEqual(try SocialSecurityCard(channel: second).readIssuerData().cardNumber, "E10000001")
        second.disconnect()
        try escape.eject(to: .reject)
        XCTAssertFalse(try context.waitForCard(in: Self.slot0, present: false, timeout: .seconds(5)).hasCard)
        XCTAssertEqual(printer.invariantViolations(), [])
    }
}
