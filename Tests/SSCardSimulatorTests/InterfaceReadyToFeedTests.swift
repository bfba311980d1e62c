import XCTest
import SSCardDriver
import SSCardPrinter
import SSCardSimulator

/// `checkReadyToFeed`: the station asks before a card leaves its hopper, so a cover left open,
/// an empty hopper, a spent ribbon or a full reject box is refused with its printer code while
/// the card is still where it was.
final class InterfaceReadyToFeedTests: XCTestCase {
    let supply = CardSupply()

    /// A driver over a virtual printer with two cards in hopper 1; cards come from a channel
    /// source, so no PC/SC reader is looked for.
    func desk(rejectCapacity: Int = 50) -> (SSCardInterface, VirtualPrinter) {
        let printer = VirtualPrinter(configuration: .init(hopperCount: 2, rejectBoxCapacity: rejectCapacity, chipContact: .unwired))
        printer.addCards(supply.cards(2), toHopper: 1)
        let interface = SSCardInterface(configuration: DriverConfiguration(), securityModule: nil, printer: printer,
                                        channelSource: { _, _ in nil })
        return (interface, printer)
    }

    func code(_ body: () throws(InterfaceError) -> Void) -> Int? {
        do throws(InterfaceError) {
            try body()
            return nil
        } catch {
            return error.code.rawValue
        }
    }

    func testAReadyPrinterPassesAndNothingMoves() throws {
        let (interface, printer) = desk()
        XCTAssertNil(code { () throws(InterfaceError) in try interface.checkReadyToFeed(hopper: 1) })
        XCTAssertNil(code { () throws(InterfaceError) in try interface.checkReadyToFeed(hopper: 0) }, "0 is the default hopper, 1")
        XCTAssertEqual(printer.cards(inHopper: 1).count, 2)
        XCTAssertEqual(try printer.status().cardPosition, .none)
    }

    func testEachFaultIsRefusedWithItsPrinterCodeBeforeTheCardMoves() throws {
        let (interface, printer) = desk()
        printer.inject(.coverOpen, mode: .sticky)
        XCTAssertEqual(code { () throws(InterfaceError) in try interface.checkReadyToFeed(hopper: 1) }, -3003)
        printer.clearAllFaults()

        XCTAssertEqual(code { () throws(InterfaceError) in try interface.checkReadyToFeed(hopper: 2) }, -3004, "hopper 2 is empty")

        printer.replaceRibbon(panels: 0)
        XCTAssertEqual(code { () throws(InterfaceError) in try interface.checkReadyToFeed(hopper: 1) }, -3007)
        printer.replaceRibbon()

        printer.inject(.notConnected, mode: .sticky)
        XCTAssertEqual(code { () throws(InterfaceError) in try interface.checkReadyToFeed(hopper: 1) }, -3001)
        printer.clearAllFaults()

        XCTAssertEqual(printer.cards(inHopper: 1).count, 2, "no card left its hopper")
        XCTAssertEqual(printer.invariantViolations(), [])
    }

    func testAFullRejectBoxIsRefused() throws {
        let (interface, printer) = desk(rejectCapacity: 1)
        try interface.loadCard(hopper: 1)
        try interface.printCard(.eject(to: .reject))
        XCTAssertEqual(code { () throws(InterfaceError) in try interface.checkReadyToFeed(hopper: 1) }, -3008)
        printer.emptyRejectBox()
        XCTAssertNil(code { () throws(InterfaceError) in try interface.checkReadyToFeed(hopper: 1) })
    }

    func testWithoutAPrinterTheCheckSaysSo() {
        let interface = SSCardInterface(configuration: DriverConfiguration(), securityModule: nil, channelSource: { _, _ in nil })
        XCTAssertEqual(code { () throws(InterfaceError) in try interface.checkReadyToFeed(hopper: 1) }, InterfaceCode.unsupported.rawValue)
    }
}
