import Foundation
import XCTest
import SSCardDriver
import SSCardPrinter
import SSCardSimulator
import InstantIssue

/// The crash harness: `issue-station issue` is killed with SIGKILL right after each journal
/// entry in turn (`SSCARD_CRASH_AFTER`), then `issue-station recover` runs. The printer (a
/// virtual printer behind Escape over TCP) and pcscd live in this process and survive, as a real
/// printer survives the station. Every run must end with the card issued and reported (制卡补登)
/// or failed and reported (制卡失败), the inventory invariant holding and no application issued
/// twice.
final class CrashRecoveryTests: PCSCStackTestCase {
    func testKilledAtEveryJournalStepThenRecovered() throws {
        let harness = try ProcessDesk(cardsPerHopper: 24)
        defer { harness.close() }
        let steps: [IssuanceStep] = [.reserve, .feed, .identify, .reportInProduction, .checkBlank, .writeChip,
                                     .writeCertificates, .print, .reportProduced]
        let points = steps.flatMap { [$0.journalName(.start), $0.journalName(.done)] }
        for (index, point) in points.enumerated() {
            let applicationID = "CRASH-\(index + 1)"
            try harness.addApplication(applicationID, index: index)

            let killed = try harness.station(["issue", applicationID], crashAfter: point)
            XCTAssertEqual(killed.reason, .uncaughtSignal, "\(point): \(killed.output)")
            XCTAssertEqual(killed.status, SIGKILL, "\(point): \(killed.output)")

            // The clerk takes a printed card from the good exit and feeds it back by hand when
            // recovery asks; here, before recovery starts.
            let printed = harness.printer.collectGoodExit()
            for card in printed { try harness.printer.feedByHand(card) }

            let recovered = try harness.station(["recover"])
            XCTAssertEqual(recovered.status, 0, "\(point): \(recovered.output)")
            try harness.assertEnded(applicationID, afterCrashAt: point, printedBeforeRecovery: !printed.isEmpty)
            _ = harness.printer.collectGoodExit()
            _ = harness.printer.emptyRejectBox()
        }
        // One card per application made: the cards issued on the books are the applications produced.
        let produced = try (0..<points.count).filter {
            try harness.cardManagement.status(applicationID: "CRASH-\($0 + 1)").state == .produced
        }.count
        XCTAssertEqual(produced, try harness.issuedCount())
        XCTAssertGreaterThan(produced, 0, "some runs were far enough to be completed by 制卡补登")
    }

    /// Ctrl-C (SIGINT) during an issuance: the card is rejected or released at the next step
    /// boundary and the journal closed, so `recover` finds nothing; the application is made
    /// again afterwards with one card.
    func testCtrlCStopsSafelyAndLeavesNothingToRecover() throws {
        let desk = try ProcessDesk(cardsPerHopper: 4)
        defer { desk.close() }
        for (index, point) in ["reserve:done", "feed:done", "writeChip:start"].enumerated() {
            let applicationID = "CTRLC-\(index + 1)"
            try desk.addApplication(applicationID, index: index)
            let stopped = try desk.station(["issue", applicationID], crashAfter: point, signal: "INT")
            XCTAssertEqual(stopped.reason, .exit, "\(point): \(stopped.output)")
            XCTAssertEqual(stopped.status, 1, "\(point): \(stopped.output)")
            XCTAssertTrue(stopped.errors.contains("Interrupted"), "\(point): \(stopped.output)")

            let recovered = try desk.station(["recover"])
            XCTAssertEqual(recovered.status, 0, recovered.output)
            let database = try StationDatabase(path: desk.configuration.databasePath)
            XCTAssertEqual(try Journal(database: database).unfinished(), [], "\(point): nothing left to recover")
            XCTAssertTrue(try PreMadeCardInventory(database: database).checkInvariants().holds, point)
            try database.close()
            XCTAssertEqual(desk.printer.invariantViolations(), [], point)

            let again = try desk.station(["issue", applicationID])
            XCTAssertEqual(again.status, 0, "\(point): \(again.output)")
            // 领卡 and 启用 end it, so the next round starts with no issuance open.
            let activated = try desk.handOverAndActivate(applicationID)
            XCTAssertEqual(activated.status, 0, "\(point): \(activated.output)")
            _ = desk.printer.collectGoodExit()
            _ = desk.printer.emptyRejectBox()
        }
        XCTAssertEqual(try desk.issuedCount(), 3)
    }
}
