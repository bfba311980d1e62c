import Foundation
import XCTest
@testable import CardManagement
@testable import ProvinceSimulator

/// 补卡/换卡 in the contract (《广东省社会保障卡经办规程》第二十三条至第三十一条), run against the
/// embedded simulator and over HTTP like the rest of `CardManagementContract`.
extension CardManagementContract {
    private static let desk = "411600000001"

    private func cancellation(_ id: String, _ app: String, _ card: String, _ disposition: OldCardDisposition) -> OldCardCancellation {
        OldCardCancellation(requestID: id, applicationID: app, cardNumber: card, disposition: disposition,
                            terminal: Self.desk, clerk: "柜员01")
    }

    /// 第二十七条一（一）: 补卡 only after 正式挂失; 临时挂失 is not enough; its old card is lost.
    /// 第二十七条一（四）: no new card before the old one is cancelled.
    func replacementNeedsAFormalLossReport() throws {
        let zhao = try cms.application(id: "DEMO-0005")
        try sim.reportLost(cardNumber: "Y41160002", formally: false)
        let old = try cms.oldCard(applicationID: zhao.id)
        XCTAssertEqual(old.cardNumber, "Y41160002")
        XCTAssertEqual(old.kind, .replacement)
        XCTAssertEqual(old.state, .temporarilyReportedLost)
        XCTAssertEqual(old.socialSecurityNumber, zhao.socialSecurityNumber)
        XCTAssertFalse(old.bankChanges)
        assertRefusedCode("NOT_FORMALLY_REPORTED_LOST") { try cms.cancelOldCard(cancellation("r-1", zhao.id, "Y41160002", .lost)) }
        assertRefusedCode("OLD_CARD_NOT_CANCELLED") { try cms.report(Self.report("r-2", zhao.id, .inProduction, card: 21)) }
        // 补卡: the card is lost, there is no chip to read.
        assertRefusedCode("NOT_A_RENEWAL") {
            try cms.confirmOldCardChip(OldCardChipConfirmation(requestID: "r-3", applicationID: zhao.id, cardNumber: "Y41160002",
                                                               socialSecurityNumber: zhao.socialSecurityNumber, terminal: Self.desk, clerk: "柜员01"))
        }

        try sim.reportLost(cardNumber: "Y41160002", formally: true)
        assertRefusedCode("BAD_DISPOSITION") { try cms.cancelOldCard(cancellation("r-4", zhao.id, "Y41160002", .destroyed)) }
        assertRefusedCode("OLD_CARD_MISMATCH") { try cms.cancelOldCard(cancellation("r-5", zhao.id, "Y41160003", .lost)) }
        // 第二十六条一（四）: no 解挂 while the 补卡 is open.
        assertSimulatorRefusal("REPLACEMENT_OPEN") { try sim.releaseLoss(cardNumber: "Y41160002") }

        let cancelled = try cms.cancelOldCard(cancellation("r-6", zhao.id, "Y41160002", .lost))
        XCTAssertEqual(cancelled.state, .cancelled)
        XCTAssertEqual(cancelled.disposition, .lost)
        XCTAssertEqual(try cms.cancelOldCard(cancellation("r-6", zhao.id, "Y41160002", .lost)), cancelled, "idempotent on the request id")
        assertRefusedCode("OLD_CARD_CANCELLED") { try cms.cancelOldCard(cancellation("r-7", zhao.id, "Y41160002", .lost)) }
        XCTAssertEqual(try sim.oldCardEvents(cardNumber: "Y41160002").map(\.event), ["cancelled"])
        XCTAssertEqual(try cms.report(Self.report("r-8", zhao.id, .inProduction, card: 21)).state, .inProduction)

        assertRefusedCode("NOT_A_REPLACEMENT") { try cms.oldCard(applicationID: "DEMO-0001") }
    }

    /// 第二十八条至第三十一条: 换卡 needs the card handed in and its chip read; a chip of another card
    /// or person is refused; the card is then 锁定; it is cancelled as collected or destroyed.
    func renewalNeedsTheOldCardsChip() throws {
        let sun = try cms.application(id: "DEMO-0006")
        let confirm = { (id: String, card: String, ssn: String) in
            OldCardChipConfirmation(requestID: id, applicationID: sun.id, cardNumber: card, socialSecurityNumber: ssn,
                                    terminal: Self.desk, clerk: "柜员01")
        }
        XCTAssertEqual(try cms.oldCard(applicationID: sun.id).state, .normal)
        assertRefusedCode("OLD_CARD_NOT_CONFIRMED") { try cms.cancelOldCard(cancellation("n-1", sun.id, "Y41160003", .destroyed)) }
        assertRefusedCode("OLD_CARD_NOT_CANCELLED") { try cms.report(Self.report("n-2", sun.id, .inProduction, card: 22)) }
        assertRefusedCode("OLD_CARD_MISMATCH") { try cms.confirmOldCardChip(confirm("n-3", "Y41160001", sun.socialSecurityNumber)) }
        assertRefusedCode("OLD_CARD_MISMATCH") { try cms.confirmOldCardChip(confirm("n-4", "Y41160003", "411602197505050110")) }

        let locked = try cms.confirmOldCardChip(confirm("n-5", "Y41160003", sun.socialSecurityNumber))
        XCTAssertEqual(locked.state, .locked)
        XCTAssertTrue(locked.chipConfirmed)
        // The bank does not change: the desk keeps the card.
        assertRefusedCode("BAD_DISPOSITION") {
            try cms.cancelOldCard(cancellation("n-6", sun.id, "Y41160003", .toOldBank))
        }
        assertRefusedCode("BAD_DISPOSITION") { try cms.cancelOldCard(cancellation("n-7", sun.id, "Y41160003", .lost)) }
        let cancelled = try cms.cancelOldCard(cancellation("n-8", sun.id, "Y41160003", .destroyed))
        XCTAssertEqual(cancelled.state, .cancelled)
        XCTAssertEqual(cancelled.disposition, .destroyed)
        XCTAssertEqual(try sim.oldCardEvents(cardNumber: "Y41160003").map(\.event), ["chipConfirmed", "cancelled"])
        XCTAssertEqual(try cms.report(Self.report("n-9", sun.id, .inProduction, card: 22)).state, .inProduction)
    }

    /// 第三十一条: a change of bank — the holder takes the old card to the old bank; allowed only
    /// when the bank really changes. A card reported lost is not a 换卡 (第二十六条).
    func bankChangeLetsTheHolderKeepTheOldCard() throws {
        let sun = try cms.application(id: "DEMO-0006")
        try sim.setHeldCardBank(cardNumber: "Y41160003", bank: "旧银行")
        let old = try cms.oldCard(applicationID: sun.id)
        XCTAssertEqual(old.bank, "旧银行")
        XCTAssertEqual(old.newBank, sun.bank)
        XCTAssertTrue(old.bankChanges)

        let confirmation = OldCardChipConfirmation(requestID: "b-1", applicationID: sun.id, cardNumber: "Y41160003",
                                                   socialSecurityNumber: sun.socialSecurityNumber, terminal: Self.desk, clerk: "柜员01")
        try cms.confirmOldCardChip(confirmation)
        let cancelled = try cms.cancelOldCard(cancellation("b-2", sun.id, "Y41160003", .toOldBank))
        XCTAssertEqual(cancelled.disposition, .toOldBank)
        XCTAssertEqual(cancelled.state, .cancelled)
    }

    /// 第二十六条一（四）, 第二十七条一（四）: a card reported lost during an open 换卡 cannot be read in
    /// for it, and its loss report cannot be released while the 换卡 is open.
    func lostCardIsNoRenewal() throws {
        let sun = try cms.application(id: "DEMO-0006")
        try sim.reportLost(cardNumber: "Y41160003", formally: false)
        assertRefusedCode("OLD_CARD_REPORTED_LOST") {
            try cms.confirmOldCardChip(OldCardChipConfirmation(requestID: "l-1", applicationID: sun.id, cardNumber: "Y41160003",
                                                               socialSecurityNumber: sun.socialSecurityNumber, terminal: Self.desk, clerk: "柜员01"))
        }
        assertSimulatorRefusal("REPLACEMENT_OPEN") { try sim.releaseLoss(cardNumber: "Y41160003") }
    }

    private func assertSimulatorRefusal(_ code: String, _ body: () throws -> Void, file: StaticString = #filePath, line: UInt = #line) {
        assertRefusedCode(code, body, file: file, line: line)
    }
}
