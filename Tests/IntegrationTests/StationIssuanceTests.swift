import Foundation
import XCTest
import SSCardDriver
import SSCardSimulator
import InstantIssue
import ProvinceSimulator
@testable import CardManagement

/// The issuance workflow end to end through pcscd + vpcd, the virtual printer and the embedded
/// card-management simulator, and its failures: network lost after print (制卡补登), printer jam
/// (制卡失败, then a new card), card pulled mid-write.
final class StationIssuanceTests: PCSCStackTestCase {
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

    func testApplicationBecomesAnIssuedCardThatReadsBackAsTheApplicant() throws {
        var seen: [IssuanceProgress] = []
        let request = try desk.request("DEMO-0001")
        let issued = try IssuanceWorkflow(station: desk.station).issue(request, clerk: StationDesk.clerk) { seen.append($0) }

        // The journal went through every step, a start and a done each, and ends 制卡成功.
        let steps: [IssuanceStep] = [.reserve, .feed, .identify, .reportInProduction, .checkBlank, .writeChip,
                                     .writeCertificates, .print, .reportProduced]
        XCTAssertEqual(desk.observer.steps, steps.flatMap { [$0.journalName(.start), $0.journalName(.done)] })
        XCTAssertEqual(seen.filter { if case .finished = $0 { return true } else { return false } }.count, steps.count)
        XCTAssertEqual(try desk.station.journal.entries(for: "DEMO-0001").last?.phaseAfter, .reported)
        XCTAssertEqual(try desk.cardManagement.status(applicationID: "DEMO-0001").state, .produced)
        XCTAssertEqual(try desk.station.inventory.card(issued.cardNumber)?.state, .issued(applicationID: "DEMO-0001"))

        // The face: a PNG of the card canvas.
        let png = try Data(contentsOf: URL(fileURLWithPath: try XCTUnwrap(issued.facePath)))
        XCTAssertEqual(Array(png.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        XCTAssertEqual(png[16..<24].map { $0 }, [0, 0, 0x03, 0xF8, 0, 0, 0x02, 0x88], "1016 × 648")

        // The card in the good exit, read with iReadCardBas in an ordinary reader, is the applicant's.
        let out = desk.printer.collectGoodExit()
        XCTAssertEqual(out.map(\.image.cardNumber), [issued.cardNumber.value])
        XCTAssertEqual(desk.printer.inventory().first { $0.card === out[0] }?.printedJobs.count, 1)
        try insert(out[0], slot: 1)
        let reader = SSCardInterface(configuration: DriverConfiguration(contactReader: Self.slot1), securityModule: SimulatedHSM())
        let info = try reader.readBasicInformation(reader: .contact)
        XCTAssertEqual(info.name, "张三")
        XCTAssertEqual(info.socialSecurityNumber, request.application.socialSecurityNumber)
        XCTAssertEqual(info.cardNumber, issued.cardNumber.value)
        XCTAssertTrue(reader.iReadCardBas(1).output.contains("张三"))

        // 领卡启用 ends the issuance; the ledger holds both and verifies.
        try desk.handOver("DEMO-0001")
        try Activation(station: desk.station).activate(applicationID: "DEMO-0001", clerk: StationDesk.clerk)
        XCTAssertEqual(try desk.cardManagement.status(applicationID: "DEMO-0001").state, .activated)
        XCTAssertEqual(try desk.station.journal.unfinished(), [])
        XCTAssertEqual(try desk.station.ledger.entries().map(\.action).suffix(5),
                       ["制卡成功", Handover.checkAction, Handover.receiptAction, Handover.signedAction, "领卡启用"])
        XCTAssertTrue(try desk.station.ledger.verify().isIntact)
        try desk.assertInvariants()

        // One application, one card: a second issuance is refused before any card moves.
        XCTAssertThrowsError(try desk.issue("DEMO-0001")) { error in
            XCTAssertEqual((error as? IssuanceError)?.outcome, .refused, "\(error)")
        }
    }

    /// 《广东省社会保障卡经办规程》附件9 iLoadCard (系统根据申请人的服务银行自动选择卡盒进卡): the
    /// driver configuration's `hoppers` decides the hopper — 模拟银行 mapped to hopper 2 feeds
    /// hopper 2's card (SIM000101…) although hopper 1 holds the same bank's cards too.
    func testAttachment9TheHopperMapChoosesTheHopperFed() throws {
        desk.close()
        desk = try StationDesk(hoppers: [SimulatedApplications.bank: 2])
        let issued = try desk.issue("DEMO-0001")
        XCTAssertEqual(issued.cardNumber.value, "SIM000101")
        XCTAssertEqual(desk.printer.cards(inHopper: 1).count, 4, "hopper 1 untouched")
    }

    /// The face shows the applicant's name, number and photo: 0600 in a 0700 folder, and under
    /// the default retention gone once the card is activated (the issuance is complete).
    func testTheFaceIsOwnerOnlyAndGoesWhenTheCardIsActivated() throws {
        let saved = umask(0o022)
        defer { umask(saved) }
        let issued = try desk.issue("DEMO-0001")
        let face = try XCTUnwrap(issued.facePath)
        XCTAssertEqual(URL(fileURLWithPath: face).lastPathComponent, "DEMO-0001-\(issued.cardNumber).png")
        XCTAssertEqual(Self.mode(face), 0o600)
        XCTAssertEqual(Self.mode(desk.configuration.outputDirectory), 0o700)
        XCTAssertEqual(Self.mode(desk.configuration.databasePath), 0o600)

        try desk.handOver("DEMO-0001")

        try Activation(station: desk.station).activate(applicationID: "DEMO-0001", clerk: StationDesk.clerk)
        XCTAssertNil(Self.mode(face), "deleted once the issuance is complete")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: desk.configuration.outputDirectory), [])
    }

    func testTheFaceOfAFailedCardGoesAndKeepKeepsFaces() throws {
        desk.printer.inject(.jamAtPrint)
        XCTAssertThrowsError(try desk.issue("DEMO-0001"))
        XCTAssertEqual(try desk.station.journal.entries(for: "DEMO-0001").last?.phaseAfter, .failed)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: desk.configuration.outputDirectory), [],
                       "the face written before the jam went with 制卡失败")

        // keep: the face stays after activation.
        desk.close()
        desk = try StationDesk(faceRetention: .keep)
        let issued = try desk.issue("DEMO-0001")
        try desk.handOver("DEMO-0001")
        try Activation(station: desk.station).activate(applicationID: "DEMO-0001", clerk: StationDesk.clerk)
        XCTAssertNotNil(Self.mode(try XCTUnwrap(issued.facePath)))
    }

    static func mode(_ path: String) -> mode_t? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return info.st_mode & 0o7777
    }

    func testRareCharacterResolvedByTheClerkIsOnTheChip() throws {
        let issued = try desk.issue("DEMO-0002", name: "张䄲")
        let card = desk.printer.collectGoodExit()[0]
        XCTAssertEqual(card.image.cardNumber, issued.cardNumber.value)
        try insert(card, slot: 1)
        let reader = SSCardInterface(configuration: DriverConfiguration(contactReader: Self.slot1), securityModule: SimulatedHSM())
        XCTAssertEqual(try reader.readBasicInformation(reader: .contact).name, "张䄲")
    }

    func testNetworkLostAfterPrintIsCompletedBy制卡补登() throws {
        desk.observer.at(IssuanceStep.print.journalName(.done)) {
            self.desk.cardManagement.faults.inject(.unreachable, count: 100, only: .report)
        }
        XCTAssertThrowsError(try desk.issue("DEMO-0001")) { error in
            guard case .printedAwaitingReport(let number)? = (error as? IssuanceError)?.outcome else { return XCTFail("\(error)") }
            XCTAssertTrue(number.value.hasPrefix("SIM"))
        }
        XCTAssertEqual(try desk.cardManagement.status(applicationID: "DEMO-0001").state, .inProduction)
        XCTAssertEqual(desk.printer.inventory().filter { $0.place == .goodExit }.count, 1, "the printed card is out")

        // The network comes back; the station restarts; recovery re-reads the re-inserted card.
        desk.cardManagement.faults.clear()
        try desk.open()
        let recovery = StationRecovery(station: desk.station)
        XCTAssertEqual(try recovery.pending().map(\.applicationID), ["DEMO-0001"])
        let results = try recovery.recoverAll(clerk: StationDesk.clerk, asking: desk.recoveryClerk)
        guard case .backfilled("DEMO-0001", let number)? = results.first else { return XCTFail("\(results)") }
        XCTAssertEqual(try desk.cardManagement.status(applicationID: "DEMO-0001"),
                       ApplicationStatus(applicationID: "DEMO-0001", state: .produced, cardNumber: number.value))
        XCTAssertEqual(try desk.station.inventory.card(number)?.state, .issued(applicationID: "DEMO-0001"))
        XCTAssertEqual(try recovery.pending(), [])
        XCTAssertEqual(try desk.station.ledger.entries().last?.action, "制卡补登")
        XCTAssertEqual(desk.printer.inventory().filter { $0.place == .goodExit }.map(\.card.image.cardNumber), [number.value])
        try desk.assertInvariants()
    }

    /// The daily report counts a card completed by 制卡补登 once, as 补登, not also as 制卡成功:
    /// one normal issuance and one finished after the network came back make issued 1, 补登 1,
    /// and two cards issued out of stock.
    func testTheDailyReportCountsA制卡补登OnceBesideANormalIssuance() throws {
        try desk.cardManagement.add(Application(
            id: "DESK-2", name: "测试乙", socialSecurityNumber: SimulatedApplications.citizenNumber("41160219800201001"), sex: "1",
            ethnicity: "01", birthDate: "19800201", birthPlace: "411602", bank: SimulatedApplications.bank,
            regionCode: SimulatedApplications.regionCode, photoJPEG: SimulatedApplications.samplePhotoJPEG))
        _ = try desk.issue("DEMO-0001")
        _ = desk.printer.collectGoodExit()
        desk.observer.at(IssuanceStep.print.journalName(.done)) {
            self.desk.cardManagement.faults.inject(.unreachable, count: 100, only: .report)
        }
        XCTAssertThrowsError(try desk.issue("DESK-2"))
        desk.cardManagement.faults.clear()
        try desk.open()
        let results = try StationRecovery(station: desk.station).recoverAll(clerk: StationDesk.clerk, asking: desk.recoveryClerk)
        guard case .backfilled("DESK-2", _)? = results.first else { return XCTFail("\(results)") }

        let report = try DailyReport.make(station: desk.station, day: DailyReport.day(of: Date()))
        XCTAssertEqual(report.issued, 1, "制卡成功: the normal issuance only")
        XCTAssertEqual(report.backfilled, 1, "制卡补登")
        XCTAssertEqual(report.failed, 0)
        XCTAssertEqual(report.spoiled, 0)
        XCTAssertEqual(report.stockMoves["card.issue"], 2, "both cards left the stock once each")
        XCTAssertTrue(report.csv.contains("制卡成功,issued,1\r\n") && report.csv.contains("制卡补登,completed by 补登,1\r\n"), report.csv)
    }

    func testPrinterJamAtPrintFailsTheCardAndANewCardIsMade() throws {
        desk.printer.inject(.jamAtPrint)
        var failedCard: CardNumber?
        XCTAssertThrowsError(try desk.issue("DEMO-0001")) { error in
            guard case .cardFailed(let number?, spoiled: true)? = (error as? IssuanceError)?.outcome else { return XCTFail("\(error)") }
            failedCard = number
        }
        XCTAssertEqual(try desk.cardManagement.status(applicationID: "DEMO-0001").state, .failed)
        guard case .spoiled? = try desk.station.inventory.card(XCTUnwrap(failedCard))?.state else { return XCTFail("not spoiled") }
        XCTAssertEqual(desk.printer.inventory().filter { $0.place == .rejectBox }.map(\.card.image.cardNumber), [failedCard?.value])
        XCTAssertEqual(try desk.station.journal.entries(for: "DEMO-0001").last?.phaseAfter, .failed)

        let second = try desk.issue("DEMO-0001")
        XCTAssertNotEqual(second.cardNumber, failedCard)
        XCTAssertEqual(try desk.cardManagement.status(applicationID: "DEMO-0001").state, .produced)
        XCTAssertEqual(try desk.station.ledger.entries().map(\.action).filter { $0.hasPrefix("制卡") }, ["制卡失败", "制卡成功"])
        try desk.assertInvariants()
    }

    func testCardPulledMidWriteIsSpoiledAndReportedFailed() throws {
        desk.observer.at(IssuanceStep.writeChip.journalName(.start)) {
            try? self.desk.printer.eject(to: .reject)  // the card leaves the encoder mid-write
        }
        XCTAssertThrowsError(try desk.issue("DEMO-0001")) { error in
            guard case .cardFailed(_, spoiled: true)? = (error as? IssuanceError)?.outcome else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(try desk.cardManagement.status(applicationID: "DEMO-0001").state, .failed)
        XCTAssertEqual(try desk.station.journal.unfinished(), [])
        try desk.assertInvariants()
    }

    func testCancelBeforeTheCardLeavesItsHopperReleasesIt() throws {
        let cancellation = IssuanceCancellation()
        desk.observer.at(IssuanceStep.reserve.journalName(.done)) { cancellation.cancel() }
        XCTAssertThrowsError(try IssuanceWorkflow(station: desk.station).issue(
            desk.request("DEMO-0001"), clerk: StationDesk.clerk, cancellation: cancellation)) { error in
            XCTAssertEqual((error as? IssuanceError)?.outcome, .cancelled, "\(error)")
        }
        XCTAssertEqual(try desk.station.inventory.cards(in: Hopper(1)!).count, 4, "the card is back in its hopper")
        XCTAssertEqual(try desk.cardManagement.status(applicationID: "DEMO-0001").state, .awaitingProduction)
        try desk.assertInvariants()
    }
}
