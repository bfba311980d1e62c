import Foundation
import InstantIssue
import OutletStorage
import ProvinceSimulator
import XCTest

/// The counter's 一人一卡 and old-card work and `faces purge` on the outlet's shared books (real
/// PostgreSQL, `OutletStorageTests`' harness, two desks of one outlet as `issue-station`
/// processes sharing one province simulator): what one desk recorded holds at the other.
extension OutletStorageTests {
    /// 附件10 across desks: the 确认单 printed at desk1 holds the issuance of that application at
    /// desk2 until the signature is recorded (here at desk2); after the clean-up the card may be made.
    func testAOneCardFormPrintedAtOneDeskHoldsTheIssuanceAtAnotherUntilSigned() async throws {
        let (desk1, desk2) = try await twoCounterDesks()

        let printed = try counter(desk1, ["one-card", "check", "DEMO-0004"])
        XCTAssertEqual(printed.status, 2, printed.output)
        XCTAssertTrue(printed.output.contains("holds 1 other card(s): Y41160001"), printed.output)
        XCTAssertTrue(printed.output.contains("Confirmation form:"), printed.output)
        XCTAssertEqual(try ledgerDesks(OnePersonOneCardDesk.formPrintedAction), ["desk1"])

        // desk2 knows of the form: no second one, and no card while it is unsigned.
        let waiting = try counter(desk2, ["one-card", "check", "DEMO-0004"])
        XCTAssertEqual(waiting.status, 2, waiting.output)
        XCTAssertTrue(waiting.output.contains("The form's signature is not recorded yet."), waiting.output)
        XCTAssertEqual(try ledgerDesks(OnePersonOneCardDesk.formPrintedAction), ["desk1"], "one form for the outlet")
        let held = try counter(desk2, ["issue", "DEMO-0004"])
        XCTAssertEqual(held.status, 1, held.output)
        XCTAssertTrue(held.output.contains("The one-person-one-card form of application DEMO-0004 is not signed"), held.output)
        XCTAssertFalse(held.output.contains("Application DEMO-0004:"), "the issuance did not start: \(held.output)")

        // Signed at desk2; desk1 recording it again adds nothing.
        let signed = try counter(desk2, ["one-card", "signed", "DEMO-0004"])
        XCTAssertEqual(signed.status, 0, signed.output)
        let signedAgain = try counter(desk1, ["one-card", "signed", "DEMO-0004"])
        XCTAssertEqual(signedAgain.status, 0, signedAgain.output)
        XCTAssertEqual(try ledgerDesks(OnePersonOneCardDesk.signedAction), ["desk2"])
        // The signature no longer holds it; the province system still reports the other card.
        let cardLeft = try counter(desk2, ["issue", "DEMO-0004"])
        XCTAssertEqual(cardLeft.status, 1, cardLeft.output)
        XCTAssertFalse(cardLeft.output.contains("is not signed"), cardLeft.output)
        XCTAssertTrue(cardLeft.output.contains("Y41160001"), cardLeft.output)

        // Cleaned up in the province system: desk1's check records it, and desk2's issuance starts.
        let system = try SimulatedCardManagementSystem(path: provinceSimulator)
        XCTAssertEqual(try system.cleanUpOtherCards(applicationID: "DEMO-0004").map(\.cardNumber), ["Y41160001"])
        let clean = try counter(desk1, ["one-card", "check", "DEMO-0004"])
        XCTAssertEqual(clean.status, 0, clean.output)
        XCTAssertTrue(clean.output.contains("the card may be made"), clean.output)
        XCTAssertEqual(try ledgerDesks(OnePersonOneCardDesk.clearedAction), ["desk1"])
        let allowed = try counter(desk2, ["issue", "DEMO-0004"])
        XCTAssertTrue(allowed.output.contains("Application DEMO-0004: 李四"), "past the checks: \(allowed.output)")
        XCTAssertFalse(allowed.output.contains("is not signed"), allowed.output)

        // Nothing went to the desks' own SQLite ledgers; the outlet's chain is intact.
        try assertLocalLedgersHaveNothingAbout("DEMO-0004")
        let verified = try counter(desk2, ["ledger", "verify"])
        XCTAssertEqual(verified.status, 0, verified.output)
    }

    /// 第二十七条: a 补卡's lost card cancelled at desk1 is cancelled for desk2 — its check says
    /// so and what comes next, and the cancellation is in the outlet's chain, by desk1.
    func testAnOldCardCancelledAtOneDeskIsSeenAtTheOther() async throws {
        let (desk1, desk2) = try await twoCounterDesks()

        let before = try stationRun(["old-card", "check", "DEMO-0005", "--config", desk2, "--lang", "en"])
        XCTAssertEqual(before.status, 0, before.output)
        XCTAssertTrue(before.output.contains("Next: issue-station old-card cancel DEMO-0005 --disposition lost."), before.output)
        let cancelled = try counter(desk1, ["old-card", "cancel", "DEMO-0005", "--disposition", "lost"])
        XCTAssertEqual(cancelled.status, 0, cancelled.output)
        XCTAssertTrue(cancelled.output.contains("Old card Y41160002 cancelled (lost), recorded in the ledger."), cancelled.output)

        let after = try stationRun(["old-card", "check", "DEMO-0005", "--config", desk2, "--lang", "en"])
        XCTAssertEqual(after.status, 0, after.output)
        XCTAssertTrue(after.output.contains("It was lost."), after.output)
        XCTAssertTrue(after.output.contains("Next: issue-station issue DEMO-0005."), after.output)
        XCTAssertEqual(try ledgerDesks(OldCardDesk.cancelledAction), ["desk1"])
        XCTAssertEqual(try server.psql("SELECT subject FROM ledger_entry WHERE outlet = 'GZ01' AND action = '\(OldCardDesk.cancelledAction)'"),
                       "Y41160002")
        // desk2's issuance is not held by the old card any more.
        let issue = try counter(desk2, ["issue", "DEMO-0005"])
        XCTAssertTrue(issue.output.contains("Application DEMO-0005:"), "past the checks: \(issue.output)")
        try assertLocalLedgersHaveNothingAbout("Y41160002")
        let verified = try counter(desk1, ["ledger", "verify"])
        XCTAssertEqual(verified.status, 0, verified.output)
    }

    /// `faces purge` (until-complete) at the desk that made two cards: the face of the card
    /// activated at desk2 goes (only the outlet's chain says it was), the other one stays.
    func testFacesPurgeAtTheMakingDeskRemovesAFaceWhoseCardWasActivatedAtAnotherDesk() async throws {
        let (desk1, desk2) = try await twoCounterDesks(importing: 3)
        let (made, lines) = finish(try deskProcess(desk1, ["desk-issue", "--cards", "2", "--load", "2"]))
        XCTAssertEqual(made, 0, "\(lines)")
        let applications = lines.filter { $0.hasPrefix("issued ") }.compactMap { $0.split(separator: " ").last.map(String.init) }
        XCTAssertEqual(applications.count, 2, "\(lines)")
        let faces = work.appendingPathComponent("desk1/faces")
        func faceFiles() throws -> [String] {
            try FileManager.default.contentsOfDirectory(atPath: faces.path).filter { $0.hasSuffix(".png") }.sorted()
        }
        XCTAssertEqual(try faceFiles().count, 2, "one face per card made")

        // The first card is handed over and activated at desk2.
        let activated = applications[0], waiting = applications[1]
        for step in [["handover", "check", activated, "--recipient", "agent", "--name", "王五", "--id-number", "440106199001011234",
                      "--holder-id-checked", "--recipient-id-checked", "--copy-kept", "--authorisation", "委托书"],
                     ["handover", "receipt", activated, "--no-card"], ["handover", "signed", activated], ["activate", activated]] {
            let done = try counter(desk2, step)
            XCTAssertEqual(done.status, 0, "\(step): \(done.output)")
        }
        XCTAssertEqual(try ledgerDesks("领卡启用"), ["desk2"])

        let purged = try stationRun(["faces", "purge", "--config", desk1, "--lang", "en"])
        XCTAssertEqual(purged.status, 0, purged.output)
        XCTAssertTrue(purged.output.contains("Deleted 1 card-face images"), purged.output)
        XCTAssertTrue(purged.output.contains("kept 1 whose issuance is not complete"), purged.output)
        let left = try faceFiles()
        XCTAssertEqual(left.count, 1, "\(left)")
        XCTAssertTrue(left.first?.hasPrefix(waiting + "-") == true, "the face of the card not activated stays: \(left)")
        // The desk's journal itself was not told: only the outlet's chain knew.
        let local = try StationDatabase(path: work.appendingPathComponent("desk1/journal.sqlite").path)
        XCTAssertFalse(try Journal(database: local).isComplete(applicationID: activated))
        try local.close()
    }

    /// The outlet's database away: a command that needs it says so in the clerk's language, in
    /// one sentence and the next step, and records nothing anywhere.
    func testACounterCommandWithTheOutletsDatabaseDownSaysSoAndRecordsNothing() async throws {
        try await admin.addOutlet("GZ01", deskRoles: ["desk1"])
        let province = work.appendingPathComponent("province-sim.sqlite").path
        let desk1 = try counterDeskConfig("desk1", outlet: "GZ01", province: province)
        try server.stopServer()
        let english = try counter(desk1, ["one-card", "check", "DEMO-0004"])
        XCTAssertEqual(english.status, 1, english.output)
        XCTAssertTrue(english.output.contains("Error: The outlet's database"), english.output)
        XCTAssertTrue(english.output.contains("could not be reached within"), english.output)
        XCTAssertTrue(english.output.contains("Next: a retry is safe"), english.output)
        XCTAssertFalse(english.output.contains("unexpected"), english.output)
        let chinese = try stationRun(["old-card", "cancel", "DEMO-0005", "--disposition", "lost", "--config", desk1, "--clerk", "李四"])
        XCTAssertEqual(chinese.status, 1, chinese.output)
        XCTAssertTrue(chinese.output.contains("错误：") && chinese.output.contains("无法连接网点数据库"), chinese.output)
        XCTAssertTrue(chinese.output.contains("下一步：重做是安全的"), chinese.output)
        try server.start()
        // Nothing was done: the old card is still reported lost, not cancelled; the chain is empty.
        let system = try SimulatedCardManagementSystem(path: provinceSimulator)
        XCTAssertEqual(try system.oldCard(applicationID: "DEMO-0005").state.rawValue, "正式挂失")
        XCTAssertEqual(try server.psql("SELECT count(*) FROM ledger_entry"), "0")
        try assertLocalLedgersHaveNothingAbout("Y41160002", desks: ["desk1"])
    }

    /// The desks' own SQLite ledgers (where they exist) have no entry about `subject`.
    func assertLocalLedgersHaveNothingAbout(_ subject: String, desks: [String] = ["desk1", "desk2"],
                                            file: StaticString = #filePath, line: UInt = #line) throws {
        for desk in desks {
            let path = work.appendingPathComponent(desk).appendingPathComponent("journal.sqlite").path
            guard FileManager.default.fileExists(atPath: path) else { continue }
            let local = try StationDatabase(path: path)
            XCTAssertEqual(try AuditLedger(database: local).entries(subject: subject), [], desk, file: file, line: line)
            try local.close()
        }
    }
}
