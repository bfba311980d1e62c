import XCTest
@testable import SSCardDriver
import SSCardSimulator

/// The driver lets go of a card the printer takes away and powers the next fed card afresh,
/// without waiting for pcscd's presence polls: through the real pcscd + vpcd, every fed card
/// answers as itself — its own 卡识别码 and the historical bytes of its own ATR — even when the
/// swap fell between two polls and pcscd never saw the reader empty.
final class FedCardPowerCycleTests: PCSCStackTestCase {
    func testEveryFedCardAnswersWithItsOwnChipAndATR() throws {
        let printer = VirtualPrinter(configuration: .init(rejectBoxCapacity: 10, mechanicalDelay: .zero, chipContact: .vpcd(.slot(0))))
        defer { try? printer.eject(to: .reject) }
        let cards = try (1...4).map { SimulatedSSCard(image: try PreMadeCardFactory().blankCard(.sample(sequence: $0))) }
        printer.addCards(cards, toHopper: 1)
        let driver = SSCardInterface(configuration: DriverConfiguration(contactReader: Self.slot0), securityModule: nil, printer: printer)

        for card in cards {
            try driver.loadCard(hopper: 1)
            let step = try driver.beginBasicReadOfFedCard(timeout: .seconds(5))
            let id = card.image.cardIdentificationCode
            XCTAssertEqual(step.cardIdentificationCode, id)
            XCTAssertEqual(step.historicalBytes, SimulatedATR.historicalBytes(cardID: id), "the ATR was read from this card")
            // What printCard does once the card is at the print head, then out.
            try printer.moveToPrint()
            driver.releaseContactCard()
            try printer.eject(to: .good)
        }
        XCTAssertEqual(printer.invariantViolations(), [])
    }

    func testAFedCardTheReaderNeverSeesIsNoCardAfterTheCardTimeout() throws {
        // The contacts are wired to nothing: the reader stays empty whatever the printer feeds.
        let printer = VirtualPrinter(configuration: .init(rejectBoxCapacity: 5, mechanicalDelay: .zero, chipContact: .unwired))
        defer { try? printer.eject(to: .reject) }
        printer.addCards(try (1...2).map { SimulatedSSCard(image: try PreMadeCardFactory().blankCard(.sample(sequence: $0))) }, toHopper: 1)
        let configuration = DriverConfiguration(contactReader: Self.slot0, cardTimeoutSeconds: 1)
        let driver = SSCardInterface(configuration: configuration, securityModule: nil, printer: printer)
        XCTAssertThrowsError(try driver.loadCard(hopper: 1)) { XCTAssertEqual(($0 as? InterfaceError)?.code, .noCard) }
        try printer.moveToPrint()
        driver.releaseContactCard()
        try printer.eject(to: .reject)
        let start = ContinuousClock.now
        XCTAssertThrowsError(try driver.loadCard(hopper: 1)) { error in
            XCTAssertEqual((error as? InterfaceError)?.code, .noCard)
            XCTAssertTrue((error as? InterfaceError)?.message.contains("卡片未到达读卡位置") ?? false, "\(error)")
        }
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(5), "it gives up at the card timeout")
    }
}

/// The card session's context knows its own socket to pcscd, so its transmit deadline needs no
/// thread hop (`TransmitWatchdog`): each context its own, and a context asked without it has none.
final class PCSCClientSocketTests: PCSCStackTestCase {
    func testEachLocatedContextHasItsOwnSocketToPCSCD() throws {
        let first = try PCSCContext(locatingSocket: true)
        let second = try PCSCContext(locatingSocket: true)
        let a = try XCTUnwrap(first.socket), b = try XCTUnwrap(second.socket)
        XCTAssertNotEqual(a, b)
        XCTAssertTrue(PCSCClientSocket.pcscdSockets().isSuperset(of: [a, b]))
        XCTAssertNil(try PCSCContext().socket)
    }
}
