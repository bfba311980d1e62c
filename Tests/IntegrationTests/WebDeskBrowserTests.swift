import CardManagement
import Foundation
import Hummingbird
import InstantIssue
import ProvinceSimulator
import SSCardDriver
import SSCardSimulator
import SimulatedDesk
import Synchronization
import WebDesk
import XCTest

/// The clerk's web desk in a real headless Chromium (Tests/Browser/desk_pages.py): the desk runs
/// in this process on a `StationDesk` (pcscd + vpcd, the virtual printer, the embedded province
/// simulator), the script signs in and uses the pages as a clerk would, and the books, the
/// printer and the province are checked here. Each step's screenshot is kept in
/// `.build/webdesk-screenshots/<test>/` (`DeskBrowserTestCase`).
final class WebDeskBrowserTests: DeskBrowserTestCase {
    override class var script: String { "desk_pages.py" }

    /// The issuance pages also read the printed card back and put a jammed card back in.
    override func configure(_ settings: inout WebDeskSettings) {
        super.configure(&settings)
        let hands = VirtualPrinterHands(printer: desk.printer, readBackSlot: 1, readBackReader: Self.slot1)
        settings.readBack = { try hands.readBack($0.cardNumber) }
        settings.reinsertPrintedCard = { hands.reinsert($0) }
    }

    func testSignInWithAWrongThenTheRightPasswordAndTheCookieIsHidden() throws {
        let result = try scenario("signin")
        XCTAssertTrue((result["wrong"] as? String ?? "").contains("不正确"), "\(result)")
        XCTAssertEqual(result["clerk"] as? String, StationDesk.clerk)
        XCTAssertEqual(result["path"] as? String, "/queue")
        XCTAssertEqual(result["cookie"] as? String, "", "the session cookie is HttpOnly: no script can read it")
        XCTAssertEqual(result["english"] as? String, "en")
        XCTAssertEqual(result["englishTitle"] as? String, "Applications waiting")
        XCTAssertEqual(try ClerkAccounts(database: desk.station.database).account(named: StationDesk.clerk)?.failedAttempts, 0)
    }

    func testDEMO0001IsIssuedThroughThePagesAndReadBack() throws {
        let result = try scenario("issue", "DEMO-0001")
        XCTAssertEqual(result["outcome"] as? String, "done", "\(result)")
        XCTAssertTrue((result["oneCard"] as? String ?? "").contains("一人一卡"), "\(result)")
        XCTAssertEqual(result["steps"] as? [String], IssuanceStep.allCases.prefix(9).map(\.rawValue), "every step shown live")
        XCTAssertEqual(result["faceLoaded"] as? Bool, true)
        let readBack = try XCTUnwrap(result["readBack"] as? String, "\(result)")
        let fields = readBack.split(separator: "|", omittingEmptySubsequences: false)
        XCTAssertEqual(fields.count, 12, readBack)
        XCTAssertEqual(String(fields[4]), "张三", "the card read back in the second reader holds the applicant")
        XCTAssertEqual(String(fields[1]), try desk.cardManagement.application(id: "DEMO-0001").socialSecurityNumber)
        XCTAssertEqual(try desk.cardManagement.status(applicationID: "DEMO-0001").state, .produced)
        // The signed-in clerk is who the journal's report and the 台账 name.
        let ledger = try desk.station.ledger.entries().filter { $0.action == "制卡成功" }
        XCTAssertEqual(ledger.map(\.clerk), [StationDesk.clerk])
        XCTAssertEqual(try desk.cardManagement.recordedReports(applicationID: "DEMO-0001").map(\.status), [.inProduction, .produced])
        try desk.assertInvariants()
    }

    /// 补卡 (DEMO-0005 replaces his lost card Y41160002, still 挂失): the page refuses before a
    /// card moves, as `issue` does (《广东省社会保障卡经办规程》第二十七条一（四）); once the old card is
    /// cancelled the same page makes the card.
    func testAReplacementIsRefusedUntilItsOldCardIsCancelled() throws {
        let refused = try scenario("refused", "DEMO-0005")
        let refusal = try XCTUnwrap(refused["refusal"] as? String, "\(refused)")
        // The old card named (the words are the station's `ErrorAdvice` under `serve`, the library's here).
        XCTAssertTrue(refusal.contains("Y41160002") && refusal.contains("DEMO-0005"), refusal)
        XCTAssertEqual(refused["issuanceShown"] as? Bool, false, "no issuance started: \(refused)")
        XCTAssertTrue(try desk.cardManagement.recordedReports(applicationID: "DEMO-0005").isEmpty, "nothing reported to the province")
        try desk.assertInvariants()

        _ = try OldCardDesk(station: desk.station).cancel(applicationID: "DEMO-0005", disposition: .lost, clerk: StationDesk.clerk)
        let made = try scenario("issue", "DEMO-0005")
        XCTAssertEqual(made["outcome"] as? String, "done", "\(made)")
        XCTAssertEqual(try desk.cardManagement.status(applicationID: "DEMO-0005").state, .produced)
        try desk.assertInvariants()
    }

    /// 一人一卡 (DEMO-0004 holds Y41160001): the 确认单 printed, the other card cleaned up in the
    /// province system, but the form not signed — the page refuses as `issue` does (附件10); once
    /// the signature is recorded it makes the card.
    func testAnUnsignedOneCardFormHoldsTheIssuanceUntilSigned() throws {
        let oneCard = OnePersonOneCardDesk(station: desk.station)
        guard case .formPrinted = try oneCard.check(applicationID: "DEMO-0004", clerk: StationDesk.clerk) else {
            return XCTFail("the form is printed for a person holding another card")
        }
        XCTAssertEqual(try desk.cardManagement.cleanUpOtherCards(applicationID: "DEMO-0004").map(\.cardNumber), ["Y41160001"])
        let refused = try scenario("refused", "DEMO-0004")
        XCTAssertTrue((refused["refusal"] as? String ?? "").contains("notSigned"), "\(refused)")
        XCTAssertEqual(refused["issuanceShown"] as? Bool, false, "no issuance started: \(refused)")
        try desk.assertInvariants()

        try oneCard.recordSignature(applicationID: "DEMO-0004", clerk: StationDesk.clerk)
        let made = try scenario("issue", "DEMO-0004")
        XCTAssertEqual(made["outcome"] as? String, "done", "\(made)")
        try desk.assertInvariants()
    }

    func testDEMO0002GetsItsRareCharacterInThePage() throws {
        let result = try scenario("issue", "DEMO-0002", "䄲")
        XCTAssertEqual(result["glyphLoaded"] as? Bool, true, "the character drawn by the project's renderer")
        let size = try XCTUnwrap(result["previewSize"] as? [Int], "\(result)")
        XCTAssertEqual(size.count, 4)
        XCTAssertEqual(size[0], 1016, "the whole printable panel at 300 dpi")
        XCTAssertEqual(size[1], 648)
        XCTAssertEqual(Double(size[0]) / Double(size[1]), 85.6 / 53.98, accuracy: 0.02, "an ID-1 card face")
        XCTAssertEqual(Double(size[2]) / Double(size[3]), Double(size[0]) / Double(size[1]), accuracy: 0.01,
                       "shown at its true aspect ratio, not stretched")
        XCTAssertEqual(result["outcome"] as? String, "done", "\(result)")
        let fields = try XCTUnwrap(result["readBack"] as? String).split(separator: "|", omittingEmptySubsequences: false)
        XCTAssertEqual(String(fields[4]), "张䄲", "the chip holds the character typed in the page")
    }

    func testAPrinterJamFailsTheCardAndANewCardIsMade() throws {
        desk.printer.inject(.jamAtPrint)
        let result = try scenario("issue", "DEMO-0003", "-", "again")
        XCTAssertEqual(result["outcome"] as? String, "refused", "\(result)")
        let message = try XCTUnwrap(result["message"] as? String)
        XCTAssertTrue(message.contains("制卡失败") && message.contains("下一步"), "the cause and the next step: \(message)")
        XCTAssertEqual((result["again"] as? [String: Any])?["outcome"] as? String, "done", "\(result)")
        let reports = try desk.cardManagement.recordedReports(applicationID: "DEMO-0003")
        XCTAssertEqual(reports.map(\.status), [.inProduction, .failed, .inProduction, .produced])
        XCTAssertNotEqual(reports[0].cardNumber, reports[3].cardNumber, "a new card")
        XCTAssertEqual(desk.printer.inventory().filter { $0.place == .rejectBox }.count, 1, "the jammed card is in the reject box")
        try desk.assertInvariants()
    }

    func testNetworkLostAfterPrintIsFinishedBy制卡补登OnTheRecoveryPage() throws {
        let faults = desk.cardManagement.faults
        desk.observer.at(IssuanceStep.print.journalName(.done)) { faults.inject(.unreachable, count: 100, only: .report) }
        let issued = try scenario("issue", "DEMO-0001")
        XCTAssertEqual(issued["outcome"] as? String, "refused", "\(issued)")
        XCTAssertTrue((issued["message"] as? String ?? "").contains("recover") || (issued["message"] as? String ?? "").contains("补登"),
                      "\(issued)")
        XCTAssertEqual(try desk.cardManagement.status(applicationID: "DEMO-0001").state, .inProduction)

        faults.clear()
        let recovered = try scenario("recover", "DEMO-0001", "backfill")
        XCTAssertEqual(recovered["buttons"] as? [String], ["backfill-DEMO-0001"], "a printed card has one action: 制卡补登")
        XCTAssertEqual(recovered["outcome"] as? String, "recovered", "\(recovered)")
        XCTAssertEqual(recovered["stillPending"] as? Bool, false)
        XCTAssertEqual(try desk.cardManagement.status(applicationID: "DEMO-0001").state, .produced)
        XCTAssertEqual(try StationRecovery(station: desk.station).pending(), [])
        XCTAssertEqual(try desk.station.journal.entries(for: "DEMO-0001").last?.step, .backfill)
        try desk.assertInvariants()
    }

    func testTwoTabsRacingForThePrinterMakeOneCard() throws {
        // A slow province (2 s a call) keeps the first card in the printer while the second tab tries.
        desk.cardManagement.faults.delayMilliseconds = 2_000
        let result = try scenario("race", "DEMO-0001", "DEMO-0003")
        XCTAssertTrue((result["busyShown"] as? String ?? "").contains("制卡机正忙"), "\(result)")
        XCTAssertEqual(result["startDisabled"] as? Bool, true)
        XCTAssertTrue((result["busyAfterPost"] as? String ?? "").contains("制卡机正忙"), "the server refuses it too: \(result)")
        XCTAssertEqual(result["secondStarted"] as? Bool, false)
        XCTAssertEqual(result["firstOutcome"] as? String, "done")
        XCTAssertEqual(try desk.cardManagement.recordedReports(applicationID: "DEMO-0003"), [], "no second card was fed")
        XCTAssertEqual(try desk.station.journal.entries(for: "DEMO-0003"), [])
    }

    func testAPostWithoutTheTokenOrFromAnotherOriginIsRefused() throws {
        let foreign = try ForgingSite()
        let result = try scenario("forged", foreign.origin, "DEMO-0003")
        let noToken = try XCTUnwrap(result["noToken"] as? [Any], "\(result)")
        XCTAssertEqual(noToken.first as? Int, 403)
        XCTAssertTrue((noToken.last as? String ?? "").contains("CSRF"), "\(noToken)")
        let other = try XCTUnwrap(result["otherOrigin"] as? String)
        XCTAssertTrue(other.hasPrefix("403") && other.contains("origin"), other)
        XCTAssertEqual(result["startedAnyway"] as? Bool, false)
        XCTAssertEqual(try desk.station.journal.entries(for: "DEMO-0003"), [], "nothing was started")
    }

    func testTheKeyboardAloneSignsInAndIssuesACard() throws {
        let result = try scenario("keyboard", "DEMO-0003")
        XCTAssertEqual(result["afterSignIn"] as? String, "/queue")
        let focus = try XCTUnwrap(result["focus"] as? String)
        XCTAssertTrue(focus.hasPrefix("solid 3px"), "the focus is visible: \(focus)")
        XCTAssertEqual(result["outcome"] as? String, "done", "\(result)")
        XCTAssertEqual(try desk.cardManagement.status(applicationID: "DEMO-0003").state, .produced)
    }
}

/// Another origin on this machine (another port of 127.0.0.1, so the browser sends the desk's
/// SameSite=Strict cookie with its form): its page posts a form to the desk with the clerk's
/// real CSRF token. Only the Origin check stands in the way.
final class ForgingSite {
    let origin: String
    private let task: Task<Void, any Error>

    init() throws {
        let router = Router()
        router.get("/forge.html") { _, _ in
            let page = """
                <!DOCTYPE html><html><body><form id="f" method="post"><input type="hidden" name="csrf" id="csrf"></form>
                <script>
                var q = new URLSearchParams(location.search);
                var f = document.getElementById('f');
                f.action = q.get('target');
                document.getElementById('csrf').value = q.get('csrf');
                f.submit();
                </script></body></html>
                """
            return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: page)))
        }
        let ready = DispatchSemaphore(value: 0)
        let bound = Mutex(0)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { channel in bound.withLock { $0 = channel.localAddress?.port ?? 0 }; ready.signal() })
        task = Task.detached { try await app.run() }
        guard ready.wait(timeout: .now() + 60) == .success else { throw XCTSkip("the forging site did not start") }
        origin = "http://127.0.0.1:\(bound.withLock { $0 })"
    }

    deinit { task.cancel() }
}
