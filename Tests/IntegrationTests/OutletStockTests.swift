import Foundation
import InstantIssue
import OutletStorage
import SimulatedDesk
import SSCardDriver
import XCTest

/// The clerk's stock work — `issue-station inventory import | load | unload | spoil | list |
/// stocktake | order` and the `StationStock` calls behind `printer status` and the web desk's
/// stock page — on the outlet's books in a real PostgreSQL (`ThrowawayPostgres`, as
/// `OutletStorageTests`), the outlet's invariant and ledger chain checked after.
final class OutletStockTests: XCTestCase {
    var server: ThrowawayPostgres!
    var work: URL!
    let bank = "模拟银行"

    override func setUp() async throws {
        guard ThrowawayPostgres.findBinaries() != nil else {
            throw XCTSkip("PostgreSQL server binaries missing (/usr/lib/postgresql/*/bin): run scripts/install-deps.sh")
        }
        server = try ThrowawayPostgres()
        work = FileManager.default.temporaryDirectory.appendingPathComponent("outlet-stock-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let admin = OutletAdministration(location: try PostgresLocation(url: server.url()))
        _ = try await admin.migrate()
        try await admin.addOutlet("GZ01", deskRoles: ["desk1", "desk2"])
    }

    override func tearDown() {
        server?.stop()
        if let work { try? FileManager.default.removeItem(at: work) }
    }

    // MARK: Helpers

    /// station.json of a desk on the outlet's books (its local journal in its own folder).
    func deskConfig(_ desk: String) throws -> String {
        try server.deskConfig(desk, outlet: "GZ01", in: work)
    }

    var station: URL { ToolRunner.productsDirectory.appendingPathComponent("issue-station") }

    /// `issue-station ARGUMENTS --config CONFIG --lang en` to its end: status and output with errors.
    func run(_ config: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let ended = try SpawnedProcess(station, arguments + ["--config", config, "--lang", "en"], mergeErrors: true)
            .finish(within: .seconds(120))
        XCTAssertFalse(ended.timedOut, "issue-station \(arguments) did not end: \(ended.lines)")
        return (ended.exitStatus ?? 128 + (ended.signal ?? 0), ended.lines.joined(separator: "\n"))
    }

    /// A sample return file of `cards` cards written by `storage sample-file`; its path.
    func sampleFile(cards: Int) throws -> String {
        let ended = try SpawnedProcess(station, ["storage", "sample-file", "--cards", String(cards), "--folder", work.path],
                                       mergeErrors: true).finish(within: .seconds(60))
        XCTAssertEqual(ended.exitStatus, 0, "\(ended.lines)")
        return try XCTUnwrap(ended.lines.last)
    }

    /// The card numbers a load or unload told the clerk to take (`  SIM000001\t箱…`).
    func listedCards(_ output: String) -> [String] {
        output.split(separator: "\n").filter { $0.hasPrefix("  SIM") }
            .map { String($0.trimmingCharacters(in: .whitespaces).split(separator: "\t")[0]) }
    }

    func checkOutlet(file: StaticString = #filePath, line: UInt = #line) async throws -> InventoryInvariantReport {
        let books = try await PostgresOutletBooks.open(location: try PostgresLocation(url: server.url(role: "desk1")),
                                                       outlet: "GZ01", desk: "desk1")
        let invariants = try await books.checkInvariants()
        XCTAssertTrue(invariants.holds, "\(invariants)", file: file, line: line)
        let chain = try await books.verifyLedger()
        XCTAssertTrue(chain.isIntact, "\(chain)", file: file, line: line)
        try await books.close()
        return invariants
    }

    func ledgerActions(_ action: String, desk: String? = nil) throws -> Int {
        let byDesk = desk.map { " AND desk = '\($0)'" } ?? ""
        return Int(try server.psql("SELECT count(*) FROM ledger_entry WHERE outlet = 'GZ01' AND action = '\(action)'\(byDesk)")) ?? -1
    }

    // MARK: Through the binary

    func testInventoryCommandsRunOnTheOutletBooksAndACardUnloadedAtOneDeskLoadsAtAnother() async throws {
        let desk1 = try deskConfig("desk1"), desk2 = try deskConfig("desk2")
        let file = try sampleFile(cards: 10)

        let imported = try run(desk1, ["inventory", "import", file, "--clerk", "张三"])
        XCTAssertEqual(imported.status, 0, imported.output)
        XCTAssertTrue(imported.output.contains("Imported 10 \(bank) pre-made cards"), imported.output)
        XCTAssertFalse(imported.output.contains("outlet's shared database"), imported.output)
        // The same file at another desk of the outlet: refused, naming the first import's desk and clerk.
        let again = try run(desk2, ["inventory", "import", file, "--clerk", "李四"])
        XCTAssertEqual(again.status, 1, again.output)
        XCTAssertTrue(again.output.contains("imported at") && again.output.contains("desk desk1") && again.output.contains("张三"),
                      again.output)
        var invariants = try await checkOutlet()
        XCTAssertEqual(invariants.imported, 10)

        let load1 = try run(desk1, ["inventory", "load", "--hopper", "1", "--bank", bank, "--count", "4", "--clerk", "张三"])
        XCTAssertEqual(load1.status, 0, load1.output)
        XCTAssertEqual(listedCards(load1.output), ["SIM000001", "SIM000002", "SIM000003", "SIM000004"], load1.output)
        let listed = try run(desk2, ["inventory", "list", "--state", "inHopper"])
        XCTAssertEqual(listed.status, 0, listed.output)
        XCTAssertTrue(listed.output.contains("4 cards."), listed.output)
        XCTAssertEqual(listed.output.split(separator: "\n").filter { $0.hasPrefix("SIM") }.count, 4, listed.output)

        let unload1 = try run(desk1, ["inventory", "unload", "--hopper", "1", "--clerk", "张三"])
        XCTAssertEqual(unload1.status, 0, unload1.output)
        XCTAssertEqual(listedCards(unload1.output).count, 4, unload1.output)
        // Desk 2 takes the returned cards first: the very cards desk 1 put back in the safe.
        let load2 = try run(desk2, ["inventory", "load", "--hopper", "1", "--bank", bank, "--count", "2", "--clerk", "李四"])
        XCTAssertEqual(load2.status, 0, load2.output)
        XCTAssertEqual(listedCards(load2.output), ["SIM000001", "SIM000002"], load2.output)
        let state = try server.psql("SELECT desk || '/' || hopper || '/' || state FROM pre_made_card WHERE card_number = 'SIM000001'")
        XCTAssertEqual(state, "desk2/1/inHopper")
        // Desk 1's hopper 1 is empty now; unloading it again moves nothing.
        let unloadEmpty = try run(desk1, ["inventory", "unload", "--hopper", "1", "--clerk", "张三"])
        XCTAssertEqual(unloadEmpty.status, 0, unloadEmpty.output)
        XCTAssertTrue(unloadEmpty.output.contains("holds no cards to return"), unloadEmpty.output)

        let spoiled = try run(desk2, ["inventory", "spoil", "SIM000002", "--reason", "卡面污损", "--clerk", "李四"])
        XCTAssertEqual(spoiled.status, 0, spoiled.output)
        let spoiledAgain = try run(desk1, ["inventory", "spoil", "SIM000002", "--reason", "卡面污损", "--clerk", "张三"])
        XCTAssertEqual(spoiledAgain.status, 1, "a spoiled card spoiled twice: \(spoiledAgain.output)")
        let unknown = try run(desk1, ["inventory", "spoil", "SIM000099", "--reason", "卡面污损", "--clerk", "张三"])
        XCTAssertEqual(unknown.status, 1, unknown.output)

        // Desk 1 counts the safe (10 − 2 at desk 2) and its empty hoppers; desk 2 its hopper 1 (one card).
        let take1 = try run(desk1, ["inventory", "stocktake", "--counted", "8", "--clerk", "张三"])
        XCTAssertEqual(take1.status, 0, take1.output)
        XCTAssertTrue(take1.output.contains("Outlet GZ01 shared books") && take1.output.contains("(desk1)"), take1.output)
        XCTAssertTrue(take1.output.contains("The books add up: 10 imported"), take1.output)
        let take2 = try run(desk2, ["inventory", "stocktake", "--safe", "8", "--hopper", "1=1", "--clerk", "李四"])
        XCTAssertEqual(take2.status, 0, take2.output)
        let short = try run(desk2, ["inventory", "stocktake", "--hopper", "1=0", "--clerk", "李四"])
        XCTAssertEqual(short.status, 2, "a count short of the books: \(short.output)")
        XCTAssertTrue(short.output.contains("difference -1"), short.output)
        let json = try run(desk2, ["inventory", "stocktake", "--dry-run", "--json"])
        XCTAssertEqual(json.status, 0, json.output)
        XCTAssertTrue(json.output.contains("\"desk\":\"desk2\"") || json.output.contains("\"desk\" : \"desk2\""), json.output)
        XCTAssertEqual(try ledgerActions(AuditLedger.stockTakeAction), 3, "the dry run records nothing")
        XCTAssertEqual(try ledgerActions(PreMadeCardInventory.stockCountAction, desk: "desk2"), 2)
        XCTAssertEqual(try ledgerActions("card.unload", desk: "desk1"), 4)

        let order = try run(desk1, ["inventory", "order"])
        XCTAssertEqual(order.status, 0, order.output)
        XCTAssertTrue(order.output.contains("\(bank)\t模拟卡商\tusable 9\tused in 30 days 1\torder 0"), order.output)

        invariants = try await checkOutlet()
        XCTAssertEqual(invariants.counts[.inHopper], 1)
        XCTAssertEqual(invariants.counts[.spoiled], 1)
        XCTAssertEqual(invariants.counts[.returned], 2)
        XCTAssertEqual(invariants.counts[.inStock], 6)
        // The desks' local SQLite stock was never used.
        for desk in ["desk1", "desk2"] {
            let local = try StationDatabase(path: work.appendingPathComponent(desk).appendingPathComponent("journal.sqlite").path)
            XCTAssertEqual(try PreMadeCardInventory(database: local).checkInvariants().onBooks, 0)
            try local.close()
        }
    }

    // MARK: Through the StationStock interface (what printer status and the web desk call)

    /// A plain (not async) test: the blocking `PostgresStationStock` is never called from a task
    /// of Swift's cooperative pool.
    func testTheStockInterfaceOnTheOutletBooks() throws {
        let file = try sampleFile(cards: 6)
        let configuration = try StationConfiguration.load(path: try deskConfig("desk1"))
        let stock = try XCTUnwrap(try StationBooks.stationStock(configuration))
        defer { stock.close() }
        XCTAssertEqual(stock.sharedScope, SharedStockScope(outlet: "GZ01", desk: "desk1"))
        let receipt = try stock.importReturnFile(at: URL(fileURLWithPath: file), by: "张三")
        XCTAssertEqual(receipt.count, 6)
        XCTAssertEqual(try stock.banks(), [bank])
        let hopper = Hopper(rawValue: 2)!
        let loaded = try stock.loadHopper(hopper, bank: bank, count: 3, by: "张三")
        XCTAssertEqual(loaded.map(\.state), Array(repeating: .inHopper(hopper), count: 3))
        XCTAssertFalse(loaded[0].packingPosition.isEmpty)
        XCTAssertThrowsError(try stock.loadHopper(Hopper(rawValue: 3)!, bank: bank, count: 4, by: "张三")) { error in
            XCTAssertEqual(error as? InventoryError, .notEnoughStock(bank: bank, wanted: 4, available: 3))
        }
        XCTAssertThrowsError(try stock.loadHopper(hopper, bank: "建设银行", count: 1, by: "张三")) { error in
            XCTAssertEqual(error as? InventoryError, .hopperHoldsOtherBank(hopper: hopper, bank: bank, refused: "建设银行"))
        }
        // printer status: the cards the books put in this desk's hopper.
        XCTAssertEqual(try stock.cards(inHopper: hopper).count, 3)
        let held = try stock.reserve(bank: bank, applicationID: "APP-1", fromHopper: nil, by: "张三")
        // A reserved card stays in its hopper when the hopper is unloaded.
        let unloaded = try stock.unloadHopper(hopper, by: "张三")
        XCTAssertEqual(unloaded.count, 2)
        XCTAssertFalse(unloaded.contains { $0.cardNumber == held.cardNumber })
        XCTAssertEqual(try stock.cards(state: .returned, bank: bank, limit: nil).count, 2)
        XCTAssertEqual(try stock.cards(state: nil, bank: nil, limit: 4).count, 4)
        let report = try stock.stockReport()
        XCTAssertEqual(report.hopperCards.map(\.cardNumber), [held.cardNumber])
        XCTAssertEqual(report.hopperCards.first?.reservedFor, "APP-1")
        XCTAssertNil(report.takenBy)
        let count = try stock.takeStock(counted: PhysicalStockCount(places: [.safe: 5, .hopper(hopper): 1]), by: "张三")
        XCTAssertTrue(count.balanced, "\(count.lines)")
        XCTAssertEqual(count.report.takenBy, "张三")
        XCTAssertEqual(count.report.ledgerHead.map { $0.seq + 1 }, count.ledgerSeq, "the stock.take entry, then the stock.count entry")
        let taken = try stock.takeStock(by: "张三")
        XCTAssertEqual(taken.ledgerHead?.seq, count.ledgerSeq + 1)
        XCTAssertEqual(taken.totals[.reserved], 1)
        let spoiled = try stock.spoilCard(held.cardNumber, reason: "卡面污损", by: "张三")
        XCTAssertEqual(spoiled.state, .spoiled(reason: "卡面污损"))
        XCTAssertThrowsError(try stock.spoilCard(held.cardNumber, reason: "卡面污损", by: "张三")) { error in
            XCTAssertEqual(error as? InventoryError, .notAllowed(cardNumber: held.cardNumber, state: .spoiled(reason: "卡面污损"), action: .spoil))
        }
        let order = try stock.orderSheet(windowDays: 30, coverDays: 60, packSize: 100)
        XCTAssertEqual(order.lines.map(\.cardMaker), ["模拟卡商"])
        XCTAssertEqual(order.lines.first?.usable, 5)
        XCTAssertEqual(order.lines.first?.used, 1)
        XCTAssertThrowsError(try stock.orderSheet(windowDays: 0, coverDays: 60, packSize: 100))
        let check = try stock.checkInvariants()
        XCTAssertTrue(check.holds, "\(check)")
        XCTAssertEqual(check.imported, 6)
    }
}
