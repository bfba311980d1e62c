import Foundation
import Synchronization
import XCTest
import SSCardDriver
import SSCardPrinter
import SSCardSimulator

/// A contact station that records presses and lifts instead of serving vpcd.
final class RecordingChipContact: ChipContact {
    enum Event: Equatable {
        case press(ObjectIdentifier)
        case lift
    }

    private struct Record {
        var events: [Event] = []
        var pressed: SimulatedSSCard?
        var failNextPress = false
    }

    private let record = Mutex(Record())

    var events: [Event] { record.withLock { $0.events } }
    var pressedCard: SimulatedSSCard? { record.withLock { $0.pressed } }

    /// The next press fails as if vpcd could not be reached.
    func failNextPress() { record.withLock { $0.failNextPress = true } }

    func press(onto card: SimulatedSSCard) throws(PrinterError) {
        try record.withLock { r throws(PrinterError) in
            if r.failNextPress {
                r.failNextPress = false
                throw .notConnected(reason: "stub encoder refused")
            }
            r.events.append(.press(ObjectIdentifier(card)))
            r.pressed = card
        }
    }

    func lift() {
        record.withLock { r in
            r.events.append(.lift)
            r.pressed = nil
        }
    }
}

/// Makes distinct simulated cards with card numbers `P00000001`, `P00000002`, …
final class CardSupply {
    private var next = 1

    func card() -> SimulatedSSCard {
        var spec = PreMadeCardSpec.sample(sequence: next)
        let digits = String(next)
        spec.cardNumber = "P" + String(repeating: "0", count: 8 - digits.count) + digits
        next += 1
        return SimulatedSSCard(image: try! PreMadeCardFactory().blankCard(spec))
    }

    func cards(_ count: Int) -> [SimulatedSSCard] { (0..<count).map { _ in card() } }
}

/// The virtual printer's mechanics with a recording contact station: no pcscd, no socket.
final class VirtualPrinterTests: XCTestCase {
    let supply = CardSupply()

    func makePrinter(hoppers: Int = 2, defaultHopper: Int = 1, rejectCapacity: Int = 50, ribbon: Int = 1_000)
        -> (VirtualPrinter, RecordingChipContact)
    {
        let contact = RecordingChipContact()
        let printer = VirtualPrinter(
            configuration: .init(hopperCount: hoppers, defaultHopper: defaultHopper, rejectBoxCapacity: rejectCapacity,
                                 ribbonPanels: ribbon, chipContact: .unwired),
            contact: contact)
        return (printer, contact)
    }

    func place(of card: SimulatedSSCard, in printer: VirtualPrinter) -> VirtualPrinter.Place? {
        let places = printer.inventory().filter { $0.card === card }.map(\.place)
        XCTAssertEqual(places.count, 1, "each card is in exactly one place")
        return places.first
    }

    func assertThrows(_ expected: PrinterError, file: StaticString = #filePath, line: UInt = #line,
                      _ body: () throws(PrinterError) -> Void) {
        do {
            try body()
            XCTFail("expected \(expected), nothing thrown", file: file, line: line)
        } catch {
            XCTAssertEqual(error, expected, file: file, line: line)
        }
    }

    /// The code of the error `body` throws, nil when it throws none.
    func errorCode(_ body: () throws(PrinterError) -> Void) -> Int? {
        do throws(PrinterError) {
            try body()
            return nil
        } catch {
            return error.code
        }
    }

    func assertKeepsRules(_ printer: VirtualPrinter, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(printer.invariantViolations(), [], file: file, line: line)
    }

    // MARK: Loading

    func testLoadFromHopper2TakesHopper2sFirstCard() throws {
        let (printer, contact) = makePrinter()
        let one = supply.cards(2), two = supply.cards(2)
        printer.addCards(one, toHopper: 1)
        printer.addCards(two, toHopper: 2)

        try printer.loadCard(fromHopper: 2)

        XCTAssertTrue(printer.cardAtContactStation === two[0])
        XCTAssertTrue(contact.pressedCard === two[0])
        XCTAssertEqual(contact.events, [.press(ObjectIdentifier(two[0]))])
        XCTAssertEqual(printer.cards(inHopper: 2).map(ObjectIdentifier.init), [ObjectIdentifier(two[1])])
        XCTAssertEqual(printer.cards(inHopper: 1).map(ObjectIdentifier.init), one.map(ObjectIdentifier.init))
        let status = try printer.status()
        XCTAssertEqual(status.cardPosition, .contactStation)
        XCTAssertEqual(status.hopper(2), HopperStatus(number: 2, hasCards: true, cardCount: 1))
        XCTAssertEqual(place(of: two[0], in: printer), .contactStation)
        assertKeepsRules(printer)
    }

    func testLoadWithACardAtTheStationReturnsAtOnce() throws {
        let (printer, contact) = makePrinter()
        let one = supply.cards(1), two = supply.cards(1)
        printer.addCards(one, toHopper: 1)
        printer.addCards(two, toHopper: 2)
        try printer.loadCard(fromHopper: 2)
        printer.inject(.jamAtLoad, mode: .once)

        try printer.loadCard(fromHopper: 1)
        try printer.loadCard(fromHopper: nil)

        XCTAssertTrue(printer.cardAtContactStation === two[0])
        XCTAssertEqual(printer.cards(inHopper: 1).count, 1, "no card fed")
        XCTAssertEqual(contact.events.count, 1, "contacts not touched again")
        XCTAssertEqual(printer.armedFaults[.jamAtLoad], .once, "a load that moves nothing cannot jam")
        assertKeepsRules(printer)
    }

    func testLoadWithACardAtThePrintPositionMovesItBackWithoutFeeding() throws {
        let (printer, contact) = makePrinter()
        let cards = supply.cards(2)
        printer.addCards(cards, toHopper: 1)
        try printer.loadCard(fromHopper: 1)
        try printer.moveToPrint()
        XCTAssertNil(contact.pressedCard)

        try printer.loadCard(fromHopper: 1)

        XCTAssertTrue(printer.cardAtContactStation === cards[0])
        XCTAssertTrue(contact.pressedCard === cards[0])
        XCTAssertEqual(printer.cards(inHopper: 1).count, 1)
        assertKeepsRules(printer)
    }

    func testHopperNilAndZeroMeanTheDefaultHopper() throws {
        let (printer, _) = makePrinter(hoppers: 3, defaultHopper: 3)
        let three = supply.cards(2)
        printer.addCards(supply.cards(1), toHopper: 1)
        printer.addCards(three, toHopper: 3)
        try printer.loadCard(fromHopper: nil)
        XCTAssertTrue(printer.cardAtContactStation === three[0])
        try printer.eject(to: .good)
        try printer.loadCard(fromHopper: 0)
        XCTAssertTrue(printer.cardAtContactStation === three[1])
        XCTAssertEqual(try printer.status().defaultHopper, 3)
    }

    func testEmptyHopperFailsAndNothingMoves() throws {
        let (printer, contact) = makePrinter()
        printer.addCards(supply.cards(1), toHopper: 2)
        assertThrows(.hopperEmpty(hopper: 1)) { () throws(PrinterError) in try printer.loadCard(fromHopper: 1) }
        XCTAssertEqual(PrinterError.hopperEmpty(hopper: 1).code, -3004)
        XCTAssertEqual(try printer.status().cardPosition, .none)
        XCTAssertEqual(try printer.status().hopper(1)?.hasCards, false)
        XCTAssertEqual(contact.events, [])
        XCTAssertEqual(printer.cards(inHopper: 2).count, 1)
    }

    func testCardsTakenOutOfAHopperLeaveItEmptyUntilPutBack() throws {
        let (printer, _) = makePrinter()
        let cards = supply.cards(2)
        printer.addCards(cards, toHopper: 1)
        let taken = printer.takeCards(fromHopper: 1)
        XCTAssertTrue(taken.elementsEqual(cards, by: ===))
        XCTAssertEqual(try printer.status().hopper(1)?.hasCards, false)
        XCTAssertEqual(place(of: cards[0], in: printer), .takenOut)
        assertThrows(.hopperEmpty(hopper: 1)) { () throws(PrinterError) in try printer.loadCard(fromHopper: 1) }
        assertKeepsRules(printer)

        printer.putBack(taken, inHopper: 1)
        XCTAssertEqual(try printer.status().hopper(1)?.cardCount, 2)
        try printer.loadCard(fromHopper: 1)
        XCTAssertTrue(printer.cardAtContactStation === cards[0])
        assertKeepsRules(printer)
    }

    func testHopperNotInstalledOrOutOfRangeIsABadParameter() {
        let (printer, _) = makePrinter(hoppers: 2)
        for bad in [3, 9, 10, -1] {
            assertThrows(.invalidHopper(bad)) { () throws(PrinterError) in try printer.loadCard(fromHopper: bad) }
        }
        XCTAssertEqual(PrinterError.invalidHopper(3).code, -14)
    }

    /// 《广东省社会保障卡经办规程》附件9 iLoadCard: 对于单卡盒的机器，不用理会参数n的值，都从默认卡盒进卡.
    func testAttachment9AOneHopperPrinterFeedsItsHopperWhateverNSays() throws {
        for n in [2, 5, 9, 0] {
            let (printer, _) = makePrinter(hoppers: 1)
            let cards = supply.cards(1)
            printer.addCards(cards, toHopper: 1)
            try printer.loadCard(fromHopper: n)
            XCTAssertTrue(printer.cardAtContactStation === cards[0], "n=\(n)")
        }
    }

    // MARK: Faults

    func testJamAtLoadLeavesTheCardJammedUntilEjectRejectsIt() throws {
        let (printer, contact) = makePrinter()
        let cards = supply.cards(2)
        printer.addCards(cards, toHopper: 2)
        printer.inject(.jamAtLoad, mode: .once)

        assertThrows(.jamAtLoad(hopper: 2)) { () throws(PrinterError) in try printer.loadCard(fromHopper: 2) }
        XCTAssertEqual(place(of: cards[0], in: printer), .jammed)
        XCTAssertEqual(try printer.status().cardPosition, .jammed)
        XCTAssertNil(printer.cardAtContactStation)
        XCTAssertEqual(contact.events, [], "a jammed card never reaches the contacts")
        XCTAssertNil(printer.armedFaults[.jamAtLoad], "a one-shot fault is used up")

        // Still jammed: nothing else works until it is cleared.
        assertThrows(.jamAtLoad(hopper: 2)) { () throws(PrinterError) in try printer.loadCard(fromHopper: 1) }
        assertThrows(.jamAtLoad(hopper: 2)) { () throws(PrinterError) in try printer.moveToPrint() }
        assertThrows(.jamAtLoad(hopper: 2)) { () throws(PrinterError) in try printer.printPanels(PrintJob(name: "x")) }
        XCTAssertEqual(printer.cards(inHopper: 2).count, 1)

        try printer.eject(to: .good)
        XCTAssertEqual(place(of: cards[0], in: printer), .rejectBox, "a jammed card is never handed out")
        XCTAssertEqual(try printer.status().cardPosition, .none)

        try printer.loadCard(fromHopper: 2)
        XCTAssertTrue(printer.cardAtContactStation === cards[1])
        assertKeepsRules(printer)
    }

    func testStickyJamAtLoadJamsEveryFeedUntilCleared() throws {
        let (printer, _) = makePrinter()
        let cards = supply.cards(3)
        printer.addCards(cards, toHopper: 1)
        printer.inject(.jamAtLoad, mode: .sticky)
        for card in cards.prefix(2) {
            assertThrows(.jamAtLoad(hopper: 1)) { () throws(PrinterError) in try printer.loadCard(fromHopper: 1) }
            XCTAssertEqual(place(of: card, in: printer), .jammed)
            try printer.eject(to: .reject)
        }
        printer.clearFault(.jamAtLoad)
        try printer.loadCard(fromHopper: 1)
        XCTAssertTrue(printer.cardAtContactStation === cards[2])
        XCTAssertEqual(printer.inventory().filter { $0.place == .rejectBox }.count, 2)
        assertKeepsRules(printer)
    }

    func testJamAtPrintSendsTheCardToTheRejectBox() throws {
        let (printer, contact) = makePrinter(ribbon: 100)
        let cards = supply.cards(1)
        printer.addCards(cards, toHopper: 1)
        try printer.loadCard(fromHopper: 1)
        printer.inject(.jamAtPrint)

        assertThrows(.jamAtPrint) { () throws(PrinterError) in try printer.printPanels(PrintJob(name: "张三")) }

        XCTAssertEqual(place(of: cards[0], in: printer), .rejectBox)
        XCTAssertEqual(printer.inventory().first?.printedJobs, [], "a jammed print does not count as printed")
        XCTAssertEqual(try printer.status().cardPosition, .none)
        XCTAssertEqual(try printer.status().ribbonPanelsRemaining, 95, "the ribbon advanced")
        XCTAssertEqual(contact.events, [.press(ObjectIdentifier(cards[0])), .lift])
        try printer.eject(to: .good)  // iPrint always ejects: nothing left to eject
        XCTAssertEqual(place(of: cards[0], in: printer), .rejectBox)
        assertKeepsRules(printer)
    }

    func testCoverOpenStopsMovementButNotEject() throws {
        let (printer, contact) = makePrinter()
        let cards = supply.cards(2)
        printer.addCards(cards, toHopper: 1)
        printer.inject(.coverOpen, mode: .sticky)
        XCTAssertTrue(try printer.status().coverOpen)

        assertThrows(.coverOpen) { () throws(PrinterError) in try printer.loadCard(fromHopper: 1) }
        XCTAssertEqual(place(of: cards[0], in: printer), .hopper(1))

        printer.clearFault(.coverOpen)
        try printer.loadCard(fromHopper: 1)
        printer.inject(.coverOpen, mode: .sticky)
        assertThrows(.coverOpen) { () throws(PrinterError) in try printer.moveToPrint() }
        assertThrows(.coverOpen) { () throws(PrinterError) in try printer.printPanels(PrintJob(name: "x")) }
        XCTAssertEqual(place(of: cards[0], in: printer), .contactStation)
        XCTAssertTrue(contact.pressedCard === cards[0], "the chip stays in the reader")

        try printer.eject(to: .reject)
        XCTAssertEqual(place(of: cards[0], in: printer), .rejectBox)
        XCTAssertNil(contact.pressedCard)
        XCTAssertTrue(try printer.status().coverOpen, "sticky: open until cleared")
        assertKeepsRules(printer)
    }

    func testOneShotCoverOpenFailsOnceThenCloses() throws {
        let (printer, _) = makePrinter()
        printer.addCards(supply.cards(1), toHopper: 1)
        printer.inject(.coverOpen, mode: .once)
        assertThrows(.coverOpen) { () throws(PrinterError) in try printer.loadCard(fromHopper: 1) }
        XCTAssertFalse(try printer.status().coverOpen)
        try printer.loadCard(fromHopper: 1)
    }

    func testRibbonOutLeavesTheCardUnprintedAtThePrintPosition() throws {
        let (printer, _) = makePrinter(ribbon: 7)
        let cards = supply.cards(2)
        printer.addCards(cards, toHopper: 1)
        try printer.loadCard(fromHopper: 1)
        try printer.printPanels(PrintJob(name: "first"))
        XCTAssertEqual(try printer.status().ribbonPanelsRemaining, 2)
        try printer.eject(to: .good)

        try printer.loadCard(fromHopper: 1)
        assertThrows(.ribbonOut) { () throws(PrinterError) in try printer.printPanels(PrintJob(name: "second")) }
        XCTAssertEqual(place(of: cards[1], in: printer), .printPosition)
        XCTAssertEqual(try printer.status().ribbonPanelsRemaining, 2)

        printer.replaceRibbon(panels: 10)
        try printer.printPanels(PrintJob(name: "second"))
        try printer.eject(to: .good)
        XCTAssertEqual(printer.inventory().map(\.printedJobs), [["first"], ["second"]])

        printer.inject(.ribbonOut, mode: .sticky)
        XCTAssertEqual(try printer.status().ribbonPanelsRemaining, 0)
        assertKeepsRules(printer)
    }

    func testInjectedRibbonOutFailsOnce() throws {
        let (printer, _) = makePrinter()
        printer.addCards(supply.cards(1), toHopper: 1)
        try printer.loadCard(fromHopper: 1)
        printer.inject(.ribbonOut)
        assertThrows(.ribbonOut) { () throws(PrinterError) in try printer.printPanels(PrintJob(name: "x")) }
        try printer.printPanels(PrintJob(name: "x"))
        XCTAssertEqual(try printer.status().ribbonPanelsRemaining, 995)
    }

    func testFullRejectBoxRefusesToFeed() throws {
        let (printer, _) = makePrinter(rejectCapacity: 1)
        let cards = supply.cards(2)
        printer.addCards(cards, toHopper: 1)
        try printer.loadCard(fromHopper: 1)
        try printer.eject(to: .reject)
        XCTAssertTrue(try printer.status().rejectBoxFull)

        assertThrows(.rejectBoxFull) { () throws(PrinterError) in try printer.loadCard(fromHopper: 1) }
        XCTAssertEqual(place(of: cards[1], in: printer), .hopper(1))

        XCTAssertEqual(printer.emptyRejectBox().map(ObjectIdentifier.init), [ObjectIdentifier(cards[0])])
        XCTAssertEqual(place(of: cards[0], in: printer), .takenOut)
        try printer.loadCard(fromHopper: 1)
        XCTAssertTrue(printer.cardAtContactStation === cards[1])
        assertKeepsRules(printer)
    }

    func testNotConnectedAndTimeoutFailEveryCallAndMoveNothing() throws {
        let (printer, _) = makePrinter()
        let cards = supply.cards(2)
        printer.addCards(cards, toHopper: 1)
        try printer.loadCard(fromHopper: 1)

        printer.inject(.notConnected, mode: .sticky)
        assertThrows(.notConnected(reason: "virtual printer: injected fault")) { () throws(PrinterError) in
            _ = try printer.status()
        }
        XCTAssertEqual(errorCode { () throws(PrinterError) in try printer.eject(to: .good) }, -3001)
        XCTAssertEqual(errorCode { () throws(PrinterError) in try printer.moveToPrint() }, -3001)
        XCTAssertEqual(errorCode { () throws(PrinterError) in try printer.loadCard(fromHopper: 1) }, -3001)
        XCTAssertEqual(place(of: cards[0], in: printer), .contactStation)
        printer.clearFault(.notConnected)

        printer.inject(.timeout)
        assertThrows(.timeout(operation: "ejecting the card")) { () throws(PrinterError) in try printer.eject(to: .good) }
        XCTAssertEqual(place(of: cards[0], in: printer), .contactStation)
        try printer.eject(to: .good)
        XCTAssertEqual(place(of: cards[0], in: printer), .goodExit)
        assertKeepsRules(printer)
    }

    func testEncoderUnreachableLeavesTheCardAtTheStationAndALaterLoadPressesAgain() throws {
        let (printer, contact) = makePrinter()
        let cards = supply.cards(2)
        printer.addCards(cards, toHopper: 1)
        contact.failNextPress()
        do {
            try printer.loadCard(fromHopper: 1)
            XCTFail("expected not connected")
        } catch {
            XCTAssertEqual(error, .notConnected(reason: "stub encoder refused"))
        }
        XCTAssertEqual(place(of: cards[0], in: printer), .contactStation)
        XCTAssertNil(contact.pressedCard)
        assertKeepsRules(printer)

        try printer.loadCard(fromHopper: 1)
        XCTAssertTrue(contact.pressedCard === cards[0])
        XCTAssertEqual(printer.cards(inHopper: 1).count, 1)
        try printer.moveToPrint()
        XCTAssertEqual(contact.events, [.press(ObjectIdentifier(cards[0])), .lift])
    }

    // MARK: Moving, printing, ejecting

    func testPrintAndEjectToTheGoodExit() throws {
        let (printer, contact) = makePrinter()
        let cards = supply.cards(1)
        printer.addCards(cards, toHopper: 2)
        try printer.loadCard(fromHopper: 2)
        try printer.moveToPrint()
        XCTAssertNil(contact.pressedCard, "moving to print lifts the contacts")
        XCTAssertEqual(try printer.status().cardPosition, .printPosition)
        try printer.moveToPrint()  // already there
        try printer.printPanels(PrintJob(name: "张三 P00000001", payload: [1, 2, 3]))
        XCTAssertEqual(try printer.status().cardPosition, .printPosition, "printing does not eject")
        try printer.eject(to: .good)

        let entry = try XCTUnwrap(printer.inventory().first)
        XCTAssertTrue(entry.card === cards[0])
        XCTAssertEqual(entry.place, .goodExit)
        XCTAssertEqual(entry.printedJobs, ["张三 P00000001"])
        XCTAssertEqual(try printer.status().cardPosition, .none)
        XCTAssertEqual(printer.collectGoodExit().count, 1)
        XCTAssertEqual(place(of: cards[0], in: printer), .takenOut)
        assertKeepsRules(printer)
    }

    func testPrintFromTheContactStationMovesTheCardFirst() throws {
        let (printer, contact) = makePrinter()
        printer.addCards(supply.cards(1), toHopper: 1)
        try printer.loadCard(fromHopper: 1)
        try printer.printPanels(PrintJob(name: "x"))
        XCTAssertNil(contact.pressedCard)
        XCTAssertEqual(try printer.status().cardPosition, .printPosition)
    }

    func testEjectFromTheContactStationToTheRejectBoxLiftsTheContacts() throws {
        let (printer, contact) = makePrinter()
        let cards = supply.cards(1)
        printer.addCards(cards, toHopper: 1)
        try printer.loadCard(fromHopper: 1)
        try printer.eject(to: .reject)
        XCTAssertNil(contact.pressedCard)
        XCTAssertEqual(place(of: cards[0], in: printer), .rejectBox)
        try printer.eject(to: .reject)  // nothing in the path: no effect
        XCTAssertEqual(contact.events.count, 2)
    }

    func testMoveOrPrintWithoutACardFails() {
        let (printer, _) = makePrinter()
        assertThrows(.noCardAtStation) { () throws(PrinterError) in try printer.moveToPrint() }
        assertThrows(.noCardAtStation) { () throws(PrinterError) in try printer.printPanels(PrintJob(name: "x")) }
    }

    func testMechanicalDelayIsPaidPerMovement() throws {
        let (printer, _) = makePrinter()
        printer.addCards(supply.cards(1), toHopper: 1)
        printer.mechanicalDelay = .milliseconds(30)
        let clock = ContinuousClock()
        let elapsed = try clock.measure {
            try printer.loadCard(fromHopper: 1)
            try printer.moveToPrint()
            try printer.eject(to: .good)
        }
        XCTAssertGreaterThanOrEqual(elapsed, .milliseconds(90))
    }

    func testUnwiredPrinterExposesTheCardInProcess() throws {
        let printer = VirtualPrinter(configuration: .init(chipContact: .unwired))
        let cards = supply.cards(1)
        printer.addCards(cards, toHopper: 2)
        try printer.loadCard(fromHopper: 2)
        let card = try XCTUnwrap(printer.cardAtContactStation)
        let issuer = try SocialSecurityCard(channel: SimulatedCardChannel(card: card)).readIssuerData()
        XCTAssertEqual(issuer.cardNumber, "P00000001")
    }

    // MARK: The rules under random use

    func testInvariantHoldsOverASeededRandomSequenceOf1000Operations() throws {
        let (printer, contact) = makePrinter(hoppers: 3, defaultHopper: 2, rejectCapacity: 4, ribbon: 60)
        for hopper in 1...3 { printer.addCards(supply.cards(3), toHopper: hopper) }
        var added = 9
        var random = SplitMix64(seed: 0x5EED_2025)
        var outcomes: [String: Int] = [:]
        let faults = VirtualPrinterFault.allCases

        for step in 0..<1_000 {
            let roll = Int(random.next() % 100)
            var outcome = "ok"
            do throws(PrinterError) {
                switch roll {
                case 0..<22:
                    let choices: [Int?] = [nil, 0, 1, 2, 3, 4]
                    let hopper = choices[Int(random.next() % UInt64(choices.count))]
                    let hopperEmptyBefore = hopper.map { (1...3).contains($0) ? printer.cards(inHopper: $0).isEmpty : false }
                    let pathBefore = printer.cardInPrintPath
                    do throws(PrinterError) {
                        try printer.loadCard(fromHopper: hopper)
                        XCTAssertNotNil(printer.cardAtContactStation, "step \(step): a load leaves a card at the station")
                        if let pathBefore { XCTAssertTrue(printer.cardAtContactStation === pathBefore, "step \(step)") }
                    } catch .hopperEmpty(let n) {
                        XCTAssertNil(pathBefore, "step \(step)")
                        if let was = hopperEmptyBefore, hopper != 0 { XCTAssertTrue(was, "step \(step): hopper \(n) was empty") }
                        throw .hopperEmpty(hopper: n)
                    }
                case 22..<34: try printer.moveToPrint()
                case 34..<48: try printer.printPanels(PrintJob(name: "job \(step)", ribbonPanels: Int(random.next() % 6)))
                case 48..<64: try printer.eject(to: random.next() % 3 == 0 ? .reject : .good)
                    XCTAssertNil(printer.cardInPrintPath, "step \(step): a successful eject empties the path")
                case 64..<74:
                    printer.inject(faults[Int(random.next() % UInt64(faults.count))],
                                   mode: random.next() % 4 == 0 ? .sticky : .once)
                case 74..<80:
                    if random.next() % 2 == 0 { printer.clearAllFaults() } else {
                        printer.clearFault(faults[Int(random.next() % UInt64(faults.count))])
                    }
                case 80..<81: printer.emptyRejectBox()
                case 81..<88: printer.collectGoodExit()
                case 88..<93:
                    let count = Int(random.next() % 3)
                    printer.addCards(supply.cards(count), toHopper: 1 + Int(random.next() % 3))
                    added += count
                case 93..<96: printer.replaceRibbon(panels: Int(random.next() % 40))
                case 96..<98: contact.failNextPress()
                default: _ = try printer.status()
                }
            } catch {
                outcome = "\(error.code)"
            }
            outcomes[outcome, default: 0] += 1

            let problems = printer.invariantViolations()
            XCTAssertEqual(problems, [], "step \(step)")
            if !problems.isEmpty { break }
            XCTAssertEqual(printer.inventory().count, added, "step \(step): no card appears or disappears")
            if let pressed = contact.pressedCard {
                XCTAssertTrue(printer.cardAtContactStation === pressed, "step \(step): only the station's card is in the reader")
            }
            let events = contact.events
            for (i, e) in events.enumerated() {
                if case .press = e { XCTAssertTrue(i == 0 || events[i - 1] == .lift, "step \(step): two presses in a row") }
                if e == .lift { XCTAssertTrue(i > 0 && events[i - 1] != .lift, "step \(step): two lifts in a row") }
            }
        }
        // The sequence reaches every outcome, so the rules were checked under each of them.
        for code in ["ok", "-14", "-3001", "-3002", "-3003", "-3004", "-3005", "-3006", "-3007", "-3008", "-3009"] {
            XCTAssertGreaterThan(outcomes[code] ?? 0, 0, "outcome \(code) never happened: \(outcomes)")
        }
    }
}

/// A small seeded generator, so the random sequence is the same on every run.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE5_E9B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
