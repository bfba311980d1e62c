import Foundation
import InstantIssue
import OutletStorage
import SimulatedDesk
import SSCardDriver
import WebDesk
import XCTest

/// A card issued through the web desk's pages in a real headless Chromium (Tests/Browser/desk_pages.py,
/// as `WebDeskBrowserTests`) while the desk books on the outlet's PostgreSQL books (a real server,
/// `ThrowawayPostgres`, as `OutletStockTests`): the printer's blank cards are imported at another
/// desk of the outlet and loaded into this desk's hoppers; after the issuance the shared books show
/// the card issued at this desk, 制卡成功 is on the outlet's one chain (and on the desk's ledger
/// page, Tests/Browser/desk_stock_pages.py), the outlet's books balance, and the other desk's own
/// process sees it all.
final class OutletWebDeskBrowserTests: DeskBrowserTestCase {
    override class var script: String { "desk_pages.py" }
    var postgres: ThrowawayPostgres?
    var work: URL!
    var otherDesk = ""
    var stock: PostgresStationStock?

    override func makeDesk() throws -> StationDesk {
        guard ThrowawayPostgres.findBinaries() != nil else {
            throw XCTSkip("PostgreSQL server binaries missing (/usr/lib/postgresql/*/bin): run scripts/install-deps.sh")
        }
        let server = try ThrowawayPostgres()
        postgres = server
        work = FileManager.default.temporaryDirectory.appendingPathComponent("outlet-web-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        try Self.wait {
            let admin = OutletAdministration(location: try PostgresLocation(url: server.url()))
            _ = try await admin.migrate()
            try await admin.addOutlet("GZ01", deskRoles: ["desk1", "desk2"])
        }
        let deskConfiguration = try StationConfiguration.load(path: try server.deskConfig("desk1", outlet: "GZ01", in: work))
        otherDesk = try server.deskConfig("desk2", outlet: "GZ01", in: work)
        let shared = try XCTUnwrap(try StationBooks.stationStock(deskConfiguration))
        stock = shared
        let desk = try StationDesk(faceRetention: .keep, outletStock: shared)
        // desk2 imports the printer's cards into the outlet's safe; this desk loads its hoppers.
        let imported = try station(otherDesk, ["inventory", "import", try desk.writeReturnFile().path, "--clerk", "李四"])
        XCTAssertEqual(imported.status, 0, imported.output)
        try desk.loadOutletHoppers()
        return desk
    }

    /// The issuance pages also read the printed card back.
    override func configure(_ settings: inout WebDeskSettings) {
        super.configure(&settings)
        let hands = VirtualPrinterHands(printer: desk.printer, readBackSlot: 1, readBackReader: Self.slot1)
        settings.readBack = { try hands.readBack($0.cardNumber) }
        settings.reinsertPrintedCard = { hands.reinsert($0) }
    }

    override func tearDown() {
        super.tearDown()
        stock?.close()
        postgres?.stop()
        if let work { try? FileManager.default.removeItem(at: work) }
    }

    /// `issue-station ARGUMENTS --config CONFIG --lang en` to its end: status and output with errors.
    func station(_ config: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let ended = try SpawnedProcess(ToolRunner.productsDirectory.appendingPathComponent("issue-station"),
                                       arguments + ["--config", config, "--lang", "en"], mergeErrors: true).finish(within: .seconds(120))
        XCTAssertFalse(ended.timedOut, "issue-station \(arguments) did not end: \(ended.lines)")
        return (ended.exitStatus ?? 128 + (ended.signal ?? 0), ended.lines.joined(separator: "\n"))
    }

    /// Runs `body` on its own task and waits for it here (setUp is synchronous).
    static func wait(_ body: @escaping @Sendable () async throws -> Void) throws {
        let done = DispatchSemaphore(value: 0)
        let failure = LockedError()
        Task.detached {
            do { try await body() } catch { failure.set(error) }
            done.signal()
        }
        guard done.wait(timeout: .now() + 120) == .success else { throw XCTSkip("the outlet's database did not answer") }
        if let error = failure.get() { throw error }
    }

    func testDEMO0001IsIssuedThroughThePagesOnTheOutletsBooks() throws {
        let postgres = try XCTUnwrap(postgres)
        let result = try scenario("issue", "DEMO-0001")
        XCTAssertEqual(result["outcome"] as? String, "done", "\(result)")
        XCTAssertEqual(result["steps"] as? [String], IssuanceStep.allCases.prefix(9).map(\.rawValue), "every step shown live")
        let fields = try XCTUnwrap(result["readBack"] as? String, "\(result)").split(separator: "|", omittingEmptySubsequences: false)
        XCTAssertEqual(fields.count, 12, "\(fields)")
        XCTAssertEqual(String(fields[4]), "张三", "the card read back in the second reader holds the applicant")
        XCTAssertEqual(try desk.cardManagement.status(applicationID: "DEMO-0001").state, .produced)
        let card = try XCTUnwrap(try desk.cardManagement.recordedReports(applicationID: "DEMO-0001").last?.cardNumber)

        // The shared books: the card issued to DEMO-0001, last moved at desk1 by the signed-in clerk.
        XCTAssertEqual(try postgres.psql("""
            SELECT state || ' ' || application_id || ' ' || updated_by FROM pre_made_card WHERE outlet = 'GZ01' AND card_number = '\(card)'
            """), "issued DEMO-0001 \(StationDesk.clerk)")
        XCTAssertEqual(try postgres.psql("""
            SELECT desk FROM card_movement WHERE outlet = 'GZ01' AND card_number = '\(card)' AND to_state = 'issued'
            """), "desk1")
        // 制卡成功 on the outlet's one chain, by this desk and clerk; the local SQLite has no ledger of its own.
        XCTAssertEqual(try postgres.psql("""
            SELECT desk || ' ' || clerk FROM ledger_entry WHERE outlet = 'GZ01' AND action = '制卡成功'
            """), "desk1 \(StationDesk.clerk)")
        XCTAssertEqual(try AuditLedger(database: desk.station.database).entries().filter { $0.action == "制卡成功" }, [])
        try desk.assertInvariants()
        let chain = try desk.station.ledger.verify()
        XCTAssertTrue(chain.isIntact, "\(chain)")
        // The desk's ledger page shows the outlet's day — desk2's import and this desk's 制卡成功 — and verifies the chain.
        let ledgerPage = try scenario("ledger", script: "desk_stock_pages.py")
        let actions = try XCTUnwrap(ledgerPage["actions"] as? [String], "\(ledgerPage)")
        XCTAssertTrue(actions.contains("yzkcg.import") && actions.contains("制卡成功"), "\(actions)")
        // Each entry of the shared chain says which desk wrote it; the hint describes the outlet's chain.
        let desks = try XCTUnwrap(ledgerPage["desks"] as? [String], "\(ledgerPage)")
        XCTAssertEqual(desks.count, actions.count, "\(ledgerPage)")
        let written = Dictionary(zip(actions, desks).map { ($0, [$1]) }, uniquingKeysWith: +)
        XCTAssertEqual(written["yzkcg.import"], ["desk2"], "\(written)")
        XCTAssertEqual(written["制卡成功"], ["desk1"], "\(written)")
        XCTAssertTrue((ledgerPage["hint"] as? String)?.contains("SM3") == true, "\(ledgerPage)")
        XCTAssertEqual(ledgerPage["intact"] as? Bool, true, "\(ledgerPage)")

        // desk2's own process sees the card issued, and the outlet's books balanced.
        let issued = try station(otherDesk, ["inventory", "list", "--state", "issued", "--json"])
        XCTAssertEqual(issued.status, 0, issued.output)
        let document = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(issued.output.utf8)) as? [String: Any], issued.output)
        let cards = try XCTUnwrap(document["cards"] as? [[String: Any]])
        XCTAssertEqual(cards.map { $0["cardNumber"] as? String }, [card])
        XCTAssertEqual(cards.first?["applicationID"] as? String, "DEMO-0001")
        let take = try station(otherDesk, ["inventory", "stocktake", "--dry-run"])
        XCTAssertEqual(take.status, 0, take.output)
        XCTAssertTrue(take.output.contains("The books add up: 8 imported"), take.output)
    }
}

/// The first error of a task, read by the thread that waited for it.
private final class LockedError: @unchecked Sendable {
    private let lock = NSLock()
    private var error: (any Error)?
    func set(_ e: any Error) { lock.withLock { error = e } }
    func get() -> (any Error)? { lock.withLock { error } }
}
