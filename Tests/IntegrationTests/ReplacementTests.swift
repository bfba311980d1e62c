import Foundation
import XCTest
import SSCardDriver
import SSCardSimulator
import InstantIssue
import CounterDocuments
@testable import CardManagement
@testable import ProvinceSimulator

/// 补卡/换卡 and 一人一卡 at a whole desk (pcscd + vpcd, the virtual printer, the embedded
/// province simulator): the old card's chip really read, the 确认单 really rendered.
final class ReplacementTests: PCSCStackTestCase {
    var desk: StationDesk!

    override func setUpWithError() throws {
        try super.setUpWithError()
        desk = try StationDesk()
    }

    override func tearDown() {
        desk?.close()
        desk = nil
        super.tearDown()
    }

    private var oldCards: OldCardDesk { OldCardDesk(station: desk.station) }

    /// A 换卡 of the card just made for `applicationID`, in the simulator.
    private func renewal(of applicationID: String, card: CardNumber) throws -> Application {
        var renewal = try desk.cardManagement.application(id: applicationID)
        renewal.id = applicationID + "-R"
        renewal.kind = .renewal
        try desk.cardManagement.add(renewal, replacing: card.value)
        return renewal
    }

    /// The chip of `card` read in an ordinary reader (slot 1), as `issue-station old-card read` does.
    private func readChip(_ card: SimulatedSSCard) throws -> BasicInformation {
        let connector = try insert(card, slot: 1)
        defer {
            connector.stop()
            _ = try? PCSCContext().waitForCard(in: Self.slot1, present: false, timeout: .seconds(5))
        }
        let reader = SSCardInterface(configuration: DriverConfiguration(contactReader: Self.slot1), securityModule: SimulatedHSM())
        return try reader.readBasicInformation(reader: .contact)
    }

    /// 《广东省社会保障卡经办规程》第二十八条至第三十一条: the 换卡's old card is handed in and its chip read;
    /// a chip of another card is refused; the card is cancelled as destroyed, recorded in the 台账; only
    /// then the new card is made (第二十七条一（四）).
    func testArticles28To31TheRenewalsOldCardIsConfirmedByItsChipThenCancelledBeforeTheNewCard() throws {
        let first = try desk.issue("DEMO-0001")
        let other = try desk.issue("DEMO-0002", name: "张䄲")
        let out = desk.printer.collectGoodExit()
        XCTAssertEqual(out.map(\.image.cardNumber), [first.cardNumber.value, other.cardNumber.value])
        let renewal = try renewal(of: "DEMO-0001", card: first.cardNumber)

        // Before anything: the station refuses the new card, and so would the system.
        XCTAssertThrowsError(try oldCards.requireOldCardCancelled(renewal)) { error in
            XCTAssertEqual(error as? OldCardDeskError, .oldCardNotCancelled(applicationID: renewal.id, cardNumber: first.cardNumber.value, state: .normal))
        }
        XCTAssertEqual(try oldCards.check(applicationID: renewal.id).next, .readChip)
        XCTAssertThrowsError(try desk.issue(renewal.id)) { error in
            guard case .refused("OLD_CARD_NOT_CANCELLED", _)? = (error as? IssuanceError)?.underlying as? CardManagementError else {
                return XCTFail("expected OLD_CARD_NOT_CANCELLED, got \(error)")
            }
        }
        XCTAssertThrowsError(try oldCards.cancel(applicationID: renewal.id, disposition: .destroyed, clerk: StationDesk.clerk))

        // The wrong card handed in: its chip is DEMO-0002's.
        let wrong = try readChip(out[1])
        XCTAssertThrowsError(try oldCards.confirmChip(applicationID: renewal.id, chipCardNumber: wrong.cardNumber,
                                                      chipSocialSecurityNumber: wrong.socialSecurityNumber, clerk: StationDesk.clerk)) { error in
            guard case .refused("OLD_CARD_MISMATCH", _)? = error as? CardManagementError else { return XCTFail("\(error)") }
        }

        // The right one.
        let chip = try readChip(out[0])
        XCTAssertEqual(chip.cardNumber, first.cardNumber.value)
        let locked = try oldCards.confirmChip(applicationID: renewal.id, chipCardNumber: chip.cardNumber,
                                              chipSocialSecurityNumber: chip.socialSecurityNumber, clerk: StationDesk.clerk)
        XCTAssertEqual(locked.state, .locked)
        XCTAssertEqual(try oldCards.check(applicationID: renewal.id).next, .cancelHandedIn)
        let cancelled = try oldCards.cancel(applicationID: renewal.id, disposition: .destroyed, clerk: StationDesk.clerk)
        XCTAssertEqual(cancelled.state, .cancelled)
        XCTAssertEqual(try oldCards.check(applicationID: renewal.id).next, .issue)
        XCTAssertNoThrow(try oldCards.requireOldCardCancelled(renewal))

        let entries = try desk.station.ledger.entries().filter { $0.subject == first.cardNumber.value && $0.action.hasPrefix("oldCard.") }
        XCTAssertEqual(entries.map(\.action), [OldCardDesk.chipConfirmedAction, OldCardDesk.cancelledAction])
        XCTAssertTrue(entries[1].details.contains("\"disposition\":\"destroyed\""), entries[1].details)
        XCTAssertEqual(entries[1].clerk, StationDesk.clerk)

        let renewed = try desk.issue(renewal.id)
        XCTAssertEqual(try desk.cardManagement.status(applicationID: renewal.id).state, .produced)
        XCTAssertNotEqual(renewed.cardNumber, first.cardNumber)
        try desk.assertInvariants()
    }

    /// 《规程》第三十一条: a change of bank is noted for the holder in the 台账, and the old card goes
    /// to the old bank; 第二十七条一（一）: a 补卡 without 正式挂失 is refused, then cancelled as lost.
    func testArticles27And31BankChangeIsNotedAndALostCardNeedsAFormalReport() throws {
        try desk.cardManagement.setHeldCardBank(cardNumber: "Y41160003", bank: "旧银行")
        try oldCards.confirmChip(applicationID: "DEMO-0006", chipCardNumber: "Y41160003",
                                 chipSocialSecurityNumber: desk.cardManagement.application(id: "DEMO-0006").socialSecurityNumber,
                                 clerk: StationDesk.clerk)
        let moved = try oldCards.cancel(applicationID: "DEMO-0006", disposition: .toOldBank, clerk: StationDesk.clerk)
        XCTAssertTrue(moved.bankChanges)
        let noted = try XCTUnwrap(desk.station.ledger.entries().last)
        XCTAssertEqual(noted.action, OldCardDesk.bankChangedAction)
        XCTAssertEqual(noted.subject, "DEMO-0006")
        XCTAssertTrue(noted.details.contains("旧银行") && noted.details.contains("模拟银行"), noted.details)

        try desk.cardManagement.reportLost(cardNumber: "Y41160002", formally: false)
        XCTAssertEqual(try oldCards.check(applicationID: "DEMO-0005").next, .formalLossReport)
        XCTAssertThrowsError(try oldCards.confirmChip(applicationID: "DEMO-0005", chipCardNumber: "Y41160002",
                                                      chipSocialSecurityNumber: "x", clerk: StationDesk.clerk)) { error in
            XCTAssertEqual(error as? OldCardDeskError, .noCardToRead(applicationID: "DEMO-0005"))
        }
        XCTAssertThrowsError(try oldCards.cancel(applicationID: "DEMO-0005", disposition: .lost, clerk: StationDesk.clerk)) { error in
            guard case .refused("NOT_FORMALLY_REPORTED_LOST", _)? = error as? CardManagementError else { return XCTFail("\(error)") }
        }
        try desk.cardManagement.reportLost(cardNumber: "Y41160002", formally: true)
        XCTAssertEqual(try oldCards.check(applicationID: "DEMO-0005").next, .cancelAsLost)
        XCTAssertEqual(try oldCards.cancel(applicationID: "DEMO-0005", disposition: .lost, clerk: StationDesk.clerk).disposition, .lost)
        XCTAssertThrowsError(try oldCards.cancel(applicationID: "DEMO-0005", disposition: .lost, clerk: " "), "a clerk is required")
    }

    /// 《规程》附件10: other cards found → the 确认单 printed (its PDF names the person and the
    /// cards) and recorded; no card before it is signed and the system reports the cards cleaned up.
    func testAttachment10TheConfirmationFormIsPrintedSignedAndTheCardWaitsForTheCleanUp() throws {
        var configuration = desk.configuration
        configuration.documents.folder = desk.directory.appendingPathComponent("documents").path
        let station = Station(configuration: configuration, database: desk.station.database, driverConfiguration: desk.driverConfiguration,
                              printer: desk.printer, cardManagement: desk.cardManagement)
        let opoc = OnePersonOneCardDesk(station: station)
        XCTAssertEqual(try opoc.check(applicationID: "DEMO-0001", clerk: StationDesk.clerk), .clear)
        XCTAssertThrowsError(try opoc.recordSignature(applicationID: "DEMO-0001", clerk: StationDesk.clerk)) { error in
            XCTAssertEqual(error as? OnePersonOneCardError, .noFormPrinted(applicationID: "DEMO-0001"))
        }

        guard case let .formPrinted(cards, .saved(path)) = try opoc.check(applicationID: "DEMO-0004", clerk: StationDesk.clerk) else {
            return XCTFail("expected the form filed")
        }
        XCTAssertEqual(cards.map(\.cardNumber), ["Y41160001"])
        let text = try Self.pdfText(path)
        for expected in ["一人一卡业务确认单", "李四", "Y41160001", "申请人签字", StationDesk.clerk] {
            XCTAssertTrue(text.contains(expected), "the form shows \(expected): \(text)")
        }
        XCTAssertEqual(try station.ledger.entries().last?.action, OnePersonOneCardDesk.formPrintedAction)

        // Not signed: the station refuses; asking again does not print a second form.
        XCTAssertThrowsError(try opoc.requireSignedFormIfPrinted(applicationID: "DEMO-0004")) { error in
            XCTAssertEqual(error as? OnePersonOneCardError, .notSigned(applicationID: "DEMO-0004"))
        }
        XCTAssertEqual(try opoc.check(applicationID: "DEMO-0004", clerk: StationDesk.clerk), .awaitingSignature(cards: cards))
        try opoc.recordSignature(applicationID: "DEMO-0004", clerk: StationDesk.clerk)
        XCTAssertNoThrow(try opoc.requireSignedFormIfPrinted(applicationID: "DEMO-0004"))

        // Signed, not cleaned up: the system still refuses the card.
        XCTAssertEqual(try opoc.check(applicationID: "DEMO-0004", clerk: StationDesk.clerk), .awaitingCleanUp(cards: cards))
        XCTAssertFalse(try opoc.check(applicationID: "DEMO-0004", clerk: StationDesk.clerk).allowsIssuance)
        XCTAssertThrowsError(try desk.issue("DEMO-0004"))
        try desk.assertInvariants()

        XCTAssertEqual(try desk.cardManagement.cleanUpOtherCards(applicationID: "DEMO-0004").map(\.cardNumber), ["Y41160001"])
        XCTAssertEqual(try opoc.check(applicationID: "DEMO-0004", clerk: StationDesk.clerk), .cleanedUp)
        let actions = try station.ledger.entries().filter { $0.subject == "DEMO-0004" }.map(\.action)
        XCTAssertEqual(actions.filter { $0.hasPrefix("onePersonOneCard.") },
                       [OnePersonOneCardDesk.formPrintedAction, OnePersonOneCardDesk.signedAction, OnePersonOneCardDesk.clearedAction])
        XCTAssertNoThrow(try desk.issue("DEMO-0004"))
        XCTAssertEqual(try desk.cardManagement.status(applicationID: "DEMO-0004").state, .produced)
    }

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
