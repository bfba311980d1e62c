import Foundation
import InstantIssue
import XCTest

/// Leaving the issuance page (issue 12, "safety of a local web app"): the workflow runs in the
/// server, so a closed browser changes nothing and the page opened again shows where it is; while
/// a card is in the printer the page asks before it is left, and not once the result is shown.
extension WebDeskBrowserTests {
    /// Holds the workflow after the card is printed (the card sits in the printer's good exit,
    /// 制卡成功 not yet reported) until the script creates the returned file, at most two minutes.
    func holdAfterPrintUntilFlag(_ name: String) -> String {
        let flag = FileManager.default.temporaryDirectory.appendingPathComponent("desk-\(name)-\(UUID().uuidString)").path
        desk.observer.at(IssuanceStep.print.journalName(.done)) {
            let deadline = Date().addingTimeInterval(120)
            while !FileManager.default.fileExists(atPath: flag) && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        }
        addTeardownBlock { try? FileManager.default.removeItem(atPath: flag) }
        return flag
    }

    func testClosingTheBrowserMidIssuanceDoesNotStopItAndTheReopenedPageShowsWhereItIs() throws {
        let flag = holdAfterPrintUntilFlag("reopen")
        let result = try scenario("reopen", "DEMO-0001", flag)
        let atClose = try XCTUnwrap(result["stepsAtClose"] as? [[String]], "\(result)")
        XCTAssertTrue(atClose.contains(["writeCertificates", "done"]), "the browser closed mid-issuance: \(atClose)")

        // A new browser, signed in again: the server renders the steps done so far, still running.
        XCTAssertEqual(result["reopenedRunning"] as? String, "yes", "\(result)")
        XCTAssertEqual(result["reopenedStart"] as? Bool, false, "no second start while the card is in the printer")
        let reopened = try XCTUnwrap(result["reopenedSteps"] as? [[String]], "\(result)")
        XCTAssertEqual(Array(reopened.map { $0[0] }.prefix(8)), IssuanceStep.allCases.prefix(8).map(\.rawValue),
                       "every step up to the print, as the workflow did them while no browser watched: \(reopened)")
        // Held just after the print's journal entry, before its live event: printing shows running.
        XCTAssertTrue(reopened.prefix(7).allSatisfy { $0[1] == "done" }, "\(reopened)")

        // It then ends in that page, and the card was made exactly once.
        XCTAssertEqual(result["outcome"] as? String, "done", "\(result)")
        XCTAssertEqual(result["steps"] as? [String], IssuanceStep.allCases.prefix(9).map(\.rawValue))
        let fields = try XCTUnwrap(result["readBack"] as? String, "\(result)").split(separator: "|", omittingEmptySubsequences: false)
        XCTAssertEqual(fields.count > 4 ? String(fields[4]) : nil, "张三")
        let reports = try desk.cardManagement.recordedReports(applicationID: "DEMO-0001")
        XCTAssertEqual(reports.map(\.status), [.inProduction, .produced])
        let journal = try desk.station.journal.entries(for: "DEMO-0001")
        XCTAssertEqual(journal.filter { $0.step == .print && $0.stage == .done }.count, 1, "printed once")
        XCTAssertEqual(Set(journal.compactMap(\.cardNumber)).count, 1, "one card")
        XCTAssertEqual(try desk.station.ledger.entries().filter { $0.action == "制卡成功" }.count, 1)
        let inventory = desk.printer.inventory()
        let printed = inventory.filter { !$0.printedJobs.isEmpty }
        XCTAssertEqual(printed.map(\.printedJobs.count), [1], "one card fed and printed, once")
        XCTAssertEqual(printed.first?.place, .takenOut, "taken from the good exit and read back")
        XCTAssertEqual(inventory.filter { $0.place == .rejectBox }.count, 0)
        try desk.assertInvariants()
    }

    func testThePageAsksBeforeItIsLeftOnlyWhileTheCardIsInThePrinter() throws {
        let flag = holdAfterPrintUntilFlag("leave")
        let result = try scenario("leave", "DEMO-0003", flag)
        XCTAssertEqual(result["guardedBeforeStart"] as? Bool, false, "nothing to lose before the start: \(result)")
        XCTAssertEqual(result["runningWhenTried"] as? String, "yes", "\(result)")
        XCTAssertEqual(result["guardedWhileRunning"] as? Bool, true, "the beforeunload handler cancels the leave: \(result)")
        XCTAssertTrue((result["leaveMessage"] as? String ?? "").contains("制卡机"), "\(result)")
        XCTAssertEqual(result["outcome"] as? String, "done", "\(result)")
        XCTAssertEqual(result["guardedAfterResult"] as? Bool, false, "the finished page is left freely: \(result)")
        XCTAssertEqual(result["leftTo"] as? String, "/queue")
        XCTAssertEqual(try desk.cardManagement.status(applicationID: "DEMO-0003").state, .produced)
    }
}
