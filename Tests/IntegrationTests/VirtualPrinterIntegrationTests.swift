import XCTest
import SSCardDriver
import SSCardSimulator

/// The virtual printer's contact station through the real pcscd + vpcd: what a PC/SC client
/// reads after iLoadCard is the card of the hopper asked for.
final class VirtualPrinterIntegrationTests: PCSCStackTestCase {
    func testLoadServesTheHoppersCardAndEjectTakesItOut() throws {
        let printer = VirtualPrinter(configuration: .init(hopperCount: 2, chipContact: .vpcd(.slot(0))))
        defer { try? printer.eject(to: .reject) }
        printer.addCards([TestCards.blank(cardNumber: "H10000001"), TestCards.blank(cardNumber: "H10000002")], toHopper: 1)
        printer.addCards([TestCards.blank(cardNumber: "H20000001"), TestCards.blank(cardNumber: "H20000002")], toHopper: 2)
        let context = try PCSCContext()

        try printer.loadCard(fromHopper: 2)
        _ = try context.waitForCard(in: Self.slot0, timeout: .seconds(5))
        let first = session()
        XCTAssertEqual(try SocialSecurityCard(channel: first).readIssuerData().cardNumber, "H20000001")
        first.disconnect()

        try printer.eject(to: .good)
        XCTAssertFalse(try context.waitForCard(in: Self.slot0, present: false, timeout: .seconds(5)).hasCard)

        try printer.loadCard(fromHopper: 1)
        _ = try context.waitForCard(in: Self.slot0, timeout: .seconds(5))
        let second = session()
        XCTAssertEqual(try SocialSecurityCard(channel: second).readIssuerData().cardNumber, "H10000001")
        second.disconnect()

        // Moving to print lifts the contacts: the reader is empty while the card is printed.
        try printer.moveToPrint()
        XCTAssertFalse(try context.waitForCard(in: Self.slot0, present: false, timeout: .seconds(5)).hasCard)
        try printer.printPanels(PrintJob(name: "H10000001"))
        try printer.eject(to: .good)

        XCTAssertEqual(printer.inventory().filter { $0.place == .goodExit }.map(\.printedJobs), [[], ["H10000001"]])
        XCTAssertEqual(printer.invariantViolations(), [])
    }
}
