import Foundation
import XCTest
import CounterDocuments
import SSCardDriver
import SSCardSimulator
import InstantIssue
import CardManagement
import ProvinceSimulator

/// 领卡 and 启用 (《广东省社会保障卡经办规程》第十二条、第十四条、第十八条; the Guangzhou card service
/// manual, 领卡和设置密码): a card made at the desk, taken out of the good exit and put in the
/// desk's reader (vpcd slot 1), handed over step by step; 启用 only at the end.
final class HandoverTests: PCSCStackTestCase {
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

    private var handover: Handover { Handover(station: desk.station) }

    /// A second adult applicant, 测试乙 (the seeded DEMO-0004 meets 一人一卡).
    private func addSecondApplicant() throws {
        try desk.cardManagement.add(Application(
            id: "DESK-2", name: "测试乙", socialSecurityNumber: SimulatedApplications.citizenNumber("41160219800201001"), sex: "1",
            ethnicity: "01", birthDate: "19800201", birthPlace: "411602", bank: SimulatedApplications.bank,
            regionCode: SimulatedApplications.regionCode, photoJPEG: SimulatedApplications.samplePhotoJPEG))
    }
    private let agent = CardRecipient.agent(PersonIdentity(name: "李代领", idNumber: "110105194912310021"), authorisation: "委托书")

    /// The made card in the desk's reader, as the counter's card commands see it.
    private func cardInReader(_ issued: IssuedCard) throws -> SSCardInterface {
        let out = desk.printer.collectGoodExit()
        let card = try XCTUnwrap(out.first { $0.image.cardNumber == issued.cardNumber.value })
        try insert(card, slot: 1)
        return SSCardInterface(configuration: DriverConfiguration(contactReader: Self.slot1), securityModule: SimulatedHSM(), isCounter: true)
    }

    private func pins(new: String) -> CallbackPINEntry {
        CallbackPINEntry { (_: PINPurpose) throws(PINEntryError) -> [UInt8] in Array(new.utf8) }
    }

    /// 第十四条: 核实领取人有效身份证件原件; 代办: 核实申请人和领取人的有效身份证件原件，留存领取人身份证件
    /// 复印件或影像资料 — each missing check is refused and nothing reaches the 台账.
    func testArticle14EachMissingIDCheckIsRefusedAndNothingIsRecorded() throws {
        _ = try desk.issue("DEMO-0001")
        let before = try desk.station.ledger.entries().count
        func refusal(_ recipient: CardRecipient, _ documents: RecipientDocuments) -> HandoverError? {
            do {
                try handover.checkRecipient(applicationID: "DEMO-0001", recipient: recipient, documents: documents, clerk: StationDesk.clerk)
                return nil
            } catch { return error as? HandoverError }
        }
        XCTAssertEqual(refusal(.holder, RecipientDocuments(holderIDSeen: false)), .holderIDNotSeen)
        XCTAssertEqual(refusal(agent, RecipientDocuments(holderIDSeen: true)), .recipientIDNotSeen)
        XCTAssertEqual(refusal(agent, RecipientDocuments(holderIDSeen: true, recipientIDSeen: true)), .recipientIDCopyNotKept)
        let all = RecipientDocuments(holderIDSeen: true, recipientIDSeen: true, recipientIDCopyKept: true)
        XCTAssertEqual(refusal(.agent(PersonIdentity(name: "李代领", idNumber: "110105194912310021"), authorisation: " "), all), .authorisationMissing)
        XCTAssertEqual(refusal(.agent(PersonIdentity(name: "", idNumber: ""), authorisation: "委托书"), all), .recipientIdentityMissing)
        XCTAssertEqual(try desk.station.ledger.entries().count, before, "nothing recorded")
        XCTAssertNil(refusal(agent, all))
        let status = try handover.status(applicationID: "DEMO-0001")
        XCTAssertEqual(status.missing, [.receiptPrinted, .signed], "an agent sets no PIN")
        // The 台账 keeps the agent's ID number masked.
        let check = try XCTUnwrap(try desk.station.ledger.entries(subject: "DEMO-0001").last)
        XCTAssertEqual(check.action, Handover.checkAction)
        XCTAssertTrue(check.details.contains("110105********0021"), check.details)
        XCTAssertFalse(check.details.contains("110105194912310021"), check.details)
    }

    /// The Guangzhou manual: 申领人未满16周岁的，由其法定监护人…领卡 — DEMO-0003 (born 2022) cannot
    /// take the card in person; a guardian with proof can.
    func testGuangzhouManualAHolderUnder16TakesTheCardThroughAGuardian() throws {
        _ = try desk.issue("DEMO-0003")
        XCTAssertThrowsError(try handover.checkRecipient(applicationID: "DEMO-0003", recipient: .holder,
                                                         documents: RecipientDocuments(holderIDSeen: true), clerk: StationDesk.clerk)) { error in
            guard case HandoverError.minorNeedsGuardian? = error as? HandoverError else { return XCTFail("\(error)") }
        }
        let guardian = CardRecipient.guardian(PersonIdentity(name: "王大明", idNumber: "411602199001010011"), proof: "")
        let documents = RecipientDocuments(holderIDSeen: true, recipientIDSeen: true, recipientIDCopyKept: true)
        XCTAssertThrowsError(try handover.checkRecipient(applicationID: "DEMO-0003", recipient: guardian, documents: documents, clerk: StationDesk.clerk)) {
            XCTAssertEqual($0 as? HandoverError, .guardianshipProofMissing)
        }
        try handover.checkRecipient(applicationID: "DEMO-0003",
                                    recipient: .guardian(PersonIdentity(name: "王大明", idNumber: "411602199001010011"), proof: "户口簿"),
                                    documents: documents, clerk: StationDesk.clerk)
        XCTAssertEqual(try handover.status(applicationID: "DEMO-0003").missing, [.pinSet, .receiptPrinted, .signed], "the guardian sets the PIN")
    }

    /// 第十八条: 社保应用密码必须经持卡人本人设置确认 — the holder sets the PIN on the card at the
    /// counter (the desk supplies the initial PIN, the holder types the new one twice); an agent
    /// cannot; the receipt and the activation wait for it; the wrong card is refused.
    func testArticle18TheHolderSetsThePINBeforeTheReceiptAndActivation() throws {
        let issued = try desk.issue("DEMO-0001")
        let card = try cardInReader(issued)
        try handover.checkRecipient(applicationID: "DEMO-0001", recipient: .holder, documents: RecipientDocuments(holderIDSeen: true),
                                    clerk: StationDesk.clerk)
        XCTAssertThrowsError(try handover.printReceipt(applicationID: "DEMO-0001", card: card, documents: desk.station.documents,
                                                       clerk: StationDesk.clerk)) { XCTAssertEqual($0 as? HandoverError, .stepMissing(.pinSet)) }
        XCTAssertThrowsError(try Activation(station: desk.station).activate(applicationID: "DEMO-0001", clerk: StationDesk.clerk)) {
            XCTAssertEqual($0 as? HandoverError, .incomplete("DEMO-0001", missing: [.pinSet, .receiptPrinted, .signed]))
        }
        try handover.setPIN(applicationID: "DEMO-0001", card: card, holderEntry: pins(new: "204719"), clerk: StationDesk.clerk)
        // The card now answers to the holder's PIN, not the initial one.
        XCTAssertEqual(card.iVerifyPIN(1, pinEntry: pins(new: "204719")).code, 0)
        XCTAssertEqual(card.iVerifyPIN(1, pinEntry: pins(new: "123456")).code, -51)
        XCTAssertEqual(card.iVerifyPIN(1, pinEntry: pins(new: "204719")).code, 0)
        let ledger = try desk.station.ledger.entries(subject: "DEMO-0001").map(\.details).joined()
        XCTAssertFalse(ledger.contains("204719"), "no PIN in the 台账")

        // 代领 of another card: no PIN at the counter.
        try addSecondApplicant()
        _ = try desk.issue("DESK-2")
        try handover.checkRecipient(applicationID: "DESK-2", recipient: agent,
                                    documents: RecipientDocuments(holderIDSeen: true, recipientIDSeen: true, recipientIDCopyKept: true), clerk: StationDesk.clerk)
        XCTAssertThrowsError(try handover.setPIN(applicationID: "DESK-2", card: card, holderEntry: pins(new: "204719"), clerk: StationDesk.clerk)) {
            XCTAssertEqual($0 as? HandoverError, .agentCannotSetPIN)
        }
    }

    /// 第十二条（三）: the handover receipt (持卡人签收记录) is printed for signature and its signing
    /// recorded; only then is 领卡启用 reported. The receipt shows the holder's name as on the card.
    func testArticle12TheSignedReceiptComesBeforeActivation() throws {
        let issued = try desk.issue("DEMO-0001")
        let card = try cardInReader(issued)
        XCTAssertThrowsError(try handover.recordSignature(applicationID: "DEMO-0001", clerk: StationDesk.clerk)) {
            XCTAssertEqual($0 as? HandoverError, .stepMissing(.recipientChecked))
        }
        try handover.checkRecipient(applicationID: "DEMO-0001", recipient: .holder, documents: RecipientDocuments(holderIDSeen: true),
                                    clerk: StationDesk.clerk)
        try handover.setPIN(applicationID: "DEMO-0001", card: card, holderEntry: pins(new: "204719"), clerk: StationDesk.clerk)
        XCTAssertThrowsError(try handover.recordSignature(applicationID: "DEMO-0001", clerk: StationDesk.clerk)) {
            XCTAssertEqual($0 as? HandoverError, .stepMissing(.receiptPrinted))
        }
        let fees = Fees(station: desk.station)
        try fees.record(try fees.assess(applicationID: "DEMO-0001"), receiptNumber: nil, clerk: StationDesk.clerk)
        let delivered = try handover.printReceipt(applicationID: "DEMO-0001", card: card, documents: desk.station.documents, clerk: StationDesk.clerk)
        guard case .saved(let path) = delivered else { return XCTFail("\(delivered)") }
        let text = try CounterDocumentTestText.pdfText(path)
        for expected in ["张三", issued.cardNumber.value, "本人领取", "已由持卡人本人设置", "领取人签名", "第十八条", "免收（首次申领，免收）"] {
            XCTAssertTrue(text.contains(expected), "\(expected) in \(text)")
        }
        XCTAssertThrowsError(try Activation(station: desk.station).activate(applicationID: "DEMO-0001", clerk: StationDesk.clerk)) {
            XCTAssertEqual($0 as? HandoverError, .incomplete("DEMO-0001", missing: [.signed]))
        }
        XCTAssertEqual(try desk.cardManagement.status(applicationID: "DEMO-0001").state, .produced, "启用 not reported")
        try handover.recordSignature(applicationID: "DEMO-0001", clerk: StationDesk.clerk)
        try Activation(station: desk.station).activate(applicationID: "DEMO-0001", clerk: StationDesk.clerk)
        XCTAssertEqual(try desk.cardManagement.status(applicationID: "DEMO-0001").state, .activated)
        XCTAssertEqual(try desk.station.ledger.entries(subject: "DEMO-0001").map(\.action).suffix(6),
                       [Handover.checkAction, Handover.pinAction, Fees.waivedAction, Handover.receiptAction, Handover.signedAction, "领卡启用"])
        XCTAssertTrue(try desk.station.ledger.verify().isIntact)

        // The daily report counts the day from the 台账: one card issued and activated, its stock moves.
        let report = try DailyReport.make(station: desk.station, day: DailyReport.day(of: Date()))
        XCTAssertEqual(report.issued, 1)
        XCTAssertEqual(report.activated, 1)
        XCTAssertEqual(report.failed, 0)
        XCTAssertEqual(report.stockMoves["card.issue"], 1)
        XCTAssertEqual(report.stockMoves["card.load"].map { $0 > 0 }, true)
        XCTAssertTrue(report.csv.contains("制卡成功,issued,1\r\n"), report.csv)
    }

    func testTheWrongCardInTheReaderIsRefused() throws {
        let first = try desk.issue("DEMO-0001")
        try addSecondApplicant()
        _ = try desk.issue("DESK-2")
        let card = try cardInReader(first)
        try handover.checkRecipient(applicationID: "DESK-2", recipient: .holder, documents: RecipientDocuments(holderIDSeen: true),
                                    clerk: StationDesk.clerk)
        XCTAssertThrowsError(try handover.setPIN(applicationID: "DESK-2", card: card, holderEntry: pins(new: "204719"), clerk: StationDesk.clerk)) {
            guard case HandoverError.wrongCard(_, let found)? = $0 as? HandoverError else { return XCTFail("\($0)") }
            XCTAssertEqual(found, first.cardNumber.value)
        }
    }
}
