import Foundation
import InstantIssue
import OutletStorage
import SimulatedDesk
import SSCardDriver
import XCTest

/// The counter on the outlet's shared books (real PostgreSQL, `OutletStorageTests`' harness):
/// a card made at one desk handed over and activated at another, the outlet's one 台账 chain
/// verified and exported, a tampered entry found, the papers kept for the outlet and hidden
/// from another outlet (row-level security).
extension OutletStorageTests {
    /// station.json of a desk of `outlet` whose embedded card-management simulator is the
    /// outlet's one (`province`): every window of an outlet talks to the same province system.
    func counterDeskConfig(_ desk: String, outlet: String, province: String) throws -> String {
        let folder = work.appendingPathComponent(desk)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let json = """
            {"databasePath": "journal.sqlite", "outputDirectory": "faces", "terminal": "SSDESK00000\(desk.last!)",
             "documents": {"folder": "papers"},
             "cardManagement": {"kind": "embedded", "simulatorDatabasePath": "\(province)"},
             "storage": {"kind": "postgresql", "url": "\(server.url(role: desk))", "outlet": "\(outlet)", "desk": "\(desk)"}}
            """
        let path = folder.appendingPathComponent("station.json").path
        try Data(json.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    func counter(_ config: String, _ arguments: [String], clerk: String = "李四") throws -> (status: Int32, output: String) {
        let withoutClerk = ["ledger", "documents"].contains(arguments[0]) || [["handover", "status"], ["uncollected", "list"]].contains(Array(arguments.prefix(2)))
        return try stationRun(arguments + ["--config", config, "--lang", "en"] + (withoutClerk ? [] : ["--clerk", clerk]))
    }

    /// Desks 1 and 2 of outlet GZ01 as `issue-station` configurations sharing one province
    /// simulator, `cards` sample cards imported into the outlet's safe first.
    func twoCounterDesks(importing cards: Int = 0) async throws -> (desk1: String, desk2: String) {
        try await admin.addOutlet("GZ01", deskRoles: ["desk1", "desk2"])
        if cards > 0 {
            let books = try await self.books("desk1", outlet: "GZ01")
            try await importSampleCards(cards, into: books)
            try await books.close()
        }
        return (try counterDeskConfig("desk1", outlet: "GZ01", province: provinceSimulator),
                try counterDeskConfig("desk2", outlet: "GZ01", province: provinceSimulator))
    }

    /// The province simulator's file the counter desks of a test share.
    var provinceSimulator: String { work.appendingPathComponent("province-sim.sqlite").path }

    /// Where the outlet's chain says `action` was recorded: the desks, in chain order.
    func ledgerDesks(_ action: String, outlet: String = "GZ01") throws -> [String] {
        try server.psql("SELECT desk FROM ledger_entry WHERE outlet = '\(outlet)' AND action = '\(action)' ORDER BY seq")
            .split(separator: "\n").map(String.init)
    }

    func testACardMadeAtOneDeskIsHandedOverAndActivatedAtAnotherOnTheOutletsBooks() async throws {
        let (desk1, desk2) = try await twoCounterDesks(importing: 3)
        let (made, lines) = finish(try deskProcess(desk1, ["desk-issue", "--cards", "1", "--load", "1"]))
        XCTAssertEqual(made, 0, "\(lines)")
        let issued = try XCTUnwrap(lines.first { $0.hasPrefix("issued ") }?.split(separator: " ").map(String.init))
        let (card, application) = (issued[1], issued[2])

        // desk2 never saw this issuance (its journal is its own) and hands the card over.
        let status = try counter(desk2, ["handover", "status", application])
        XCTAssertEqual(status.status, 0, status.output)
        XCTAssertTrue(status.output.contains(card), status.output)
        let early = try counter(desk2, ["activate", application])
        XCTAssertEqual(early.status, 1, "activated before the handover: \(early.output)")
        let check = try counter(desk2, ["handover", "check", application, "--recipient", "agent", "--name", "王五",
                                        "--id-number", "440106199001011234", "--holder-id-checked", "--recipient-id-checked",
                                        "--copy-kept", "--authorisation", "委托书"])
        XCTAssertEqual(check.status, 0, check.output)
        let receipt = try counter(desk2, ["handover", "receipt", application, "--no-card"])
        XCTAssertEqual(receipt.status, 0, receipt.output)
        let signed = try counter(desk2, ["handover", "signed", application])
        XCTAssertEqual(signed.status, 0, signed.output)
        let activated = try counter(desk2, ["activate", application])
        XCTAssertEqual(activated.status, 0, activated.output)
        XCTAssertTrue(activated.output.contains(card), activated.output)
        let again = try counter(desk2, ["activate", application])
        XCTAssertEqual(again.status, 0, "a repeated activation is harmless: \(again.output)")

        // Every step is in the outlet's one chain, recorded by the desk that did it, once.
        XCTAssertEqual(try ledgerDesks("制卡成功"), ["desk1"])
        for action in [Handover.checkAction, Handover.receiptAction, Handover.signedAction, "领卡启用"] {
            XCTAssertEqual(try ledgerDesks(action), ["desk2"], action)
        }
        // Nothing went to the desks' own SQLite ledgers.
        for desk in ["desk1", "desk2"] {
            let local = try StationDatabase(path: work.appendingPathComponent(desk).appendingPathComponent("journal.sqlite").path)
            XCTAssertEqual(try AuditLedger(database: local).entries().filter { $0.subject == application }, [])
            try local.close()
        }
        // The desk that made the card sees it activated: its journal catches up without a second report.
        let atDesk1 = try counter(desk1, ["activate", application])
        XCTAssertEqual(atDesk1.status, 0, atDesk1.output)
        XCTAssertEqual(try ledgerDesks("领卡启用"), ["desk2"])

        let checked = try storage(["check", "--config", desk2])
        XCTAssertEqual(checked.status, 0, checked.output)
        let verified = try counter(desk2, ["ledger", "verify"])
        XCTAssertEqual(verified.status, 0, verified.output)
        XCTAssertTrue(verified.output.contains("outlet's one ledger chain"), verified.output)
        XCTAssertTrue(verified.output.contains("SQLite ledger only"), verified.output)

        // A tampered entry (the append-only trigger set aside by the tables' owner) is found.
        let seq = try server.psql("SELECT seq FROM ledger_entry WHERE outlet = 'GZ01' AND action = '领卡签收'")
        _ = try server.psql("""
            ALTER TABLE ledger_entry DISABLE TRIGGER ledger_entry_append_only;
            UPDATE ledger_entry SET details = details || '（改）' WHERE outlet = 'GZ01' AND seq = \(seq);
            ALTER TABLE ledger_entry ENABLE TRIGGER ledger_entry_append_only;
            """)
        let tampered = try counter(desk1, ["ledger", "verify"])
        XCTAssertEqual(tampered.status, 2, tampered.output)
        XCTAssertTrue(tampered.output.contains("entry #\(seq) was edited"), tampered.output)
    }

    func testTheOutletsLedgerIsExportedAndItsPapersAreSharedWithinTheOutletOnly() async throws {
        try await admin.addOutlet("GZ01", deskRoles: ["desk1", "desk2"])
        try await admin.addOutlet("GZ02", deskRoles: ["desk3"])
        let books = try await self.books("desk1", outlet: "GZ01")
        try await importSampleCards(2, into: books)
        let province = work.appendingPathComponent("province-sim.sqlite").path
        let desk1 = try counterDeskConfig("desk1", outlet: "GZ01", province: province)
        let desk2 = try counterDeskConfig("desk2", outlet: "GZ01", province: province)
        let desk3 = try counterDeskConfig("desk3", outlet: "GZ02", province: province)
        let (made, lines) = finish(try deskProcess(desk1, ["desk-issue", "--cards", "1", "--load", "1"]))
        XCTAssertEqual(made, 0, "\(lines)")
        let application = try XCTUnwrap(lines.first { $0.hasPrefix("issued ") }?.split(separator: " ").last.map(String.init))

        // A 受理回执 and a fee at desk1; the day's report at desk2 counts the outlet's day.
        let accepted = try counter(desk1, ["acceptance-receipt", application])
        XCTAssertEqual(accepted.status, 0, accepted.output)
        let fee = try counter(desk2, ["fee", application])
        XCTAssertEqual(fee.status, 0, fee.output)
        XCTAssertTrue(fee.output.contains("Fee recorded"), fee.output)
        let today = DailyReport.day(of: Date())
        let report = try counter(desk2, ["report", "daily", "--day", today])
        XCTAssertEqual(report.status, 0, report.output)
        XCTAssertTrue(report.output.contains("issued: 1"), report.output)
        XCTAssertTrue(report.output.contains("fees waived: 1"), report.output)

        // 逾期未领卡 on the outlet's chain: the card made today is not overdue, a return is refused.
        let overdue = try counter(desk2, ["uncollected", "list"])
        XCTAssertEqual(overdue.status, 0, overdue.output)
        XCTAssertTrue(overdue.output.contains("No card is overdue"), overdue.output)
        let notOverdue = try counter(desk2, ["uncollected", "return", application])
        XCTAssertEqual(notOverdue.status, 1, notOverdue.output)
        XCTAssertTrue(notOverdue.output.contains("is not on the overdue list"), notOverdue.output)

        // The receipt made at desk1 is listed at desk2; desk3, of another outlet, sees none of them.
        let listed = try counter(desk2, ["documents", "list"])
        XCTAssertEqual(listed.status, 0, listed.output)
        XCTAssertTrue(listed.output.contains("desk1\tacceptance-receipt\tacceptance-receipt-\(application)-"), listed.output)
        XCTAssertTrue(listed.output.contains("desk2\tdaily-report\t"), listed.output)
        XCTAssertTrue(listed.output.contains("2 papers in the outlet's shared books"), listed.output)
        let elsewhere = try counter(desk3, ["documents", "list"])
        XCTAssertEqual(elsewhere.status, 0, elsewhere.output)
        XCTAssertTrue(elsewhere.output.contains("0 papers in the outlet's shared books"), elsewhere.output)
        XCTAssertEqual(try server.psql("SELECT count(*) FROM outlet_document", role: "desk3"), "0")
        XCTAssertEqual(try server.psql("SELECT count(*) FROM outlet_document WHERE outlet = 'GZ01'"), "2")
        // The paper as issued (a PDF), kept once.
        XCTAssertEqual(try server.psql("SELECT count(*) FROM outlet_document WHERE kind = 'acceptance-receipt' AND substr(content, 1, 5) = '%PDF-'::bytea"), "1")

        // The day of the outlet's chain as CSV, from any desk: every desk's entries, in chain order.
        let csvPath = work.appendingPathComponent("ledger.csv").path
        let exported = try counter(desk2, ["ledger", "export", "--day", LedgerDay.today(), "--out", csvPath])
        XCTAssertEqual(exported.status, 0, exported.output)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: csvPath))
        XCTAssertEqual(Array(bytes.prefix(3)), [0xEF, 0xBB, 0xBF], "UTF-8 with a byte-order mark")
        let csv = String(decoding: bytes.dropFirst(3), as: UTF8.self)
        XCTAssertTrue(csv.hasPrefix("序号,"), csv)
        let rows = csv.split(separator: "\r\n").dropFirst()
        let count = Int(try server.psql("SELECT count(*) FROM ledger_entry WHERE outlet = 'GZ01'")) ?? -1
        XCTAssertEqual(rows.count, count, csv)
        XCTAssertEqual(rows.map { Int($0.split(separator: ",")[0]) }, (1...count).map { $0 }, "chain order")
        XCTAssertTrue(csv.contains("制卡成功") && csv.contains(AcceptanceReceipt.ledgerAction), csv)
        let otherDay = try counter(desk2, ["ledger", "export", "--day", "2001-01-01"])
        XCTAssertEqual(otherDay.status, 0, otherDay.output)
        XCTAssertFalse(otherDay.output.contains("制卡成功"), otherDay.output)
        // desk3's outlet has an empty chain.
        let emptyChain = try counter(desk3, ["ledger", "verify"])
        XCTAssertEqual(emptyChain.status, 0, emptyChain.output)
        XCTAssertTrue(emptyChain.output.contains("0 entries"), emptyChain.output)
        try await books.close()
    }
}

/// Today as `ledger export` takes it (the machine's time zone).
enum LedgerDay {
    static func today() -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = .current
        f.dateFormat = "yyyy-MM-dd"
        return f.string(from: Date())
    }
}
