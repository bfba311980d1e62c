import Foundation
import XCTest
import SSCardDriver
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
}
