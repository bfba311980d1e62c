import Foundation
import InstantIssue
import OutletStorage
import SimulatedDesk
import SSCardDriver
import XCTest

/// The outlet's books in a real PostgreSQL started for each test (`ThrowawayPostgres`; no mock
/// of the database): desk processes issuing from one stock at once, the faults of docs/outlet.md
/// (server restarted mid-issuance, connection cut between reservation and report, a desk killed
/// with a card reserved), row-level security between outlets, and duplicate imports across desks.
final class OutletStorageTests: XCTestCase {
    var server: ThrowawayPostgres!
    var work: URL!
    let bank = "工商银行"

    override func setUp() async throws {
        guard ThrowawayPostgres.findBinaries() != nil else {
            throw XCTSkip("PostgreSQL server binaries missing (/usr/lib/postgresql/*/bin): run scripts/install-deps.sh")
        }
        server = try ThrowawayPostgres()
        work = FileManager.default.temporaryDirectory.appendingPathComponent("outlet-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let admin = OutletAdministration(location: try PostgresLocation(url: server.url()))
        let applied = try await admin.migrate()
        XCTAssertEqual(applied, OutletSchema.migrations.map(\.version))
    }

    override func tearDown() {
        server?.stop()
        if let work { try? FileManager.default.removeItem(at: work) }
    }

    // MARK: Helpers

    var admin: OutletAdministration { OutletAdministration(location: try! PostgresLocation(url: server.url())) }

    func books(_ role: String, outlet: String, desk: String? = nil, window: Duration = .seconds(20)) async throws -> PostgresOutletBooks {
        try await PostgresOutletBooks.open(location: try PostgresLocation(url: server.url(role: role)), outlet: outlet,
                                           desk: desk ?? role, reconnectWindow: window)
    }

    /// station.json of a desk: its local journal database and the outlet's books.
    func deskConfig(_ desk: String, outlet: String) throws -> String {
        try server.deskConfig(desk, outlet: outlet, in: work)
    }

    var station: URL { ToolRunner.productsDirectory.appendingPathComponent("issue-station") }

    /// A desk process: `storage <arguments> --config … --clerk 张三` (`--bank` for desk-run).
    func deskProcess(_ config: String, _ arguments: [String]) throws -> SpawnedProcess {
        let bankOption = arguments.first == "desk-run" ? ["--bank", bank] : []
        return try SpawnedProcess(station, ["storage"] + arguments + ["--config", config, "--clerk", "张三"] + bankOption)
    }

    /// Waits for a desk process, at most `limit`: a desk that does not end fails the test (it is killed).
    func finish(_ p: SpawnedProcess, within limit: Duration = .seconds(180), file: StaticString = #filePath,
                line: UInt = #line) -> (status: Int32, lines: [String]) {
        let ended = p.finish(within: limit)
        XCTAssertFalse(ended.timedOut, "a desk process did not end within \(limit): \(ended.lines)", file: file, line: line)
        let status = ended.exitStatus ?? 128 + (ended.signal ?? 0)
        // What a failed desk said, with the lines it printed (the assertion on the status shows the latter).
        if status != 0 { print("desk process ended \(status); its standard error:\n\(ended.errors.suffix(4000))") }
        return (status, ended.lines)
    }

    /// `issue-station ARGUMENTS` to its end (at most 2 minutes): status and output with errors.
    func stationRun(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let ended = try SpawnedProcess(station, arguments, mergeErrors: true).finish(within: .seconds(120))
        XCTAssertFalse(ended.timedOut, "issue-station \(arguments) did not end: \(ended.lines)")
        return (ended.exitStatus ?? 128 + (ended.signal ?? 0), ended.lines.joined(separator: "\n"))
    }

    func storage(_ arguments: [String]) throws -> (status: Int32, output: String, errors: String) {
        let r = try stationRun(["storage"] + arguments)
        return (r.status, r.output, r.output)
    }

    func assertBalanced(_ b: PostgresOutletBooks, file: StaticString = #filePath, line: UInt = #line) async throws {
        let invariants = try await b.checkInvariants()
        XCTAssertTrue(invariants.holds, "\(invariants)", file: file, line: line)
        let twice = try await b.cardsReservedTwice()
        XCTAssertEqual(twice, 0, file: file, line: line)
        let ledger = try await b.verifyLedger()
        XCTAssertTrue(ledger.isIntact, "\(ledger)", file: file, line: line)
    }

    // MARK: Tests

    func testThreeDeskProcessesShareOneStockAndTheInvariantHoldsAfterEveryRound() async throws {
        try await admin.addOutlet("GZ01", deskRoles: ["desk1", "desk2", "desk3"])
        let desk1 = try await books("desk1", outlet: "GZ01")
        _ = try await desk1.importReturnFile(try SampleReturnFile.make(rows: 60), by: "张三")
        let configs = try ["desk1", "desk2", "desk3"].map { try deskConfig($0, outlet: "GZ01") }
        var everyIssued: [String] = []
        for round in 1...3 {
            let running = try configs.map {
                try deskProcess($0, ["desk-run", "--cards", "6", "--load", "2", "--application-prefix", "R\(round)"])
            }
            for p in running {
                let (status, lines) = finish(p)
                XCTAssertEqual(status, 0, "round \(round): \(lines)")
                everyIssued += lines.filter { $0.hasPrefix("issued ") }.map { String($0.split(separator: " ")[1]) }
            }
            try await assertBalanced(desk1)
            let report = try await desk1.checkInvariants()
            XCTAssertEqual(report.counts[.issued], 18 * round, "round \(round)")
            XCTAssertEqual(report.counts[.reserved], 0)
        }
        XCTAssertEqual(everyIssued.count, 54)
        XCTAssertEqual(Set(everyIssued).count, 54, "a card was handed out by two desks")
        let byDesk = try await desk1.issuedByDesk()
        XCTAssertEqual(byDesk, ["desk1": 18, "desk2": 18, "desk3": 18])
        try await desk1.close()
    }

    func testAReturnFileIsImportedOncePerOutletAndTheSecondImportSaysWhereAndWhen() async throws {
        try await admin.addOutlet("GZ01", deskRoles: ["desk1", "desk2"])
        try await admin.addOutlet("GZ02", deskRoles: ["desk9"])
        let desk1 = try await books("desk1", outlet: "GZ01")
        let desk2 = try await books("desk2", outlet: "GZ01")
        let file = try SampleReturnFile.make(rows: 20)
        _ = try await desk1.importReturnFile(file, by: "张三")
        do {
            _ = try await desk2.importReturnFile(file, by: "李四")
            XCTFail("the same file imported twice")
        } catch let error as YZKCGImportError {
            XCTAssertEqual(error.problems.first?.kind, .alreadyImported)
            XCTAssertTrue(error.description.contains("desk1") && error.description.contains("张三"), error.description)
        }
        // Another file carrying cards the outlet already has: each card names its first import.
        let overlapping = try SampleReturnFile.make(rows: 10, first: 15, batch: "B002")
        do {
            _ = try await desk2.importReturnFile(overlapping, by: "李四")
            XCTFail("cards imported twice")
        } catch let error as YZKCGImportError {
            XCTAssertEqual(error.problems.first?.kind, .duplicateInStock)
            XCTAssertEqual(error.total, 6 * 3, "6 cards, 3 unique columns each")
            XCTAssertTrue(error.problems[0].chinese.contains("desk1") && error.problems[0].chinese.contains(file.name.fileName),
                          error.problems[0].chinese)
        }
        try await assertBalanced(desk2)
        let invariants = try await desk2.checkInvariants()
        XCTAssertEqual(invariants.imported, 20)
        // Another outlet has its own books.
        let other = try await books("desk9", outlet: "GZ02")
        let receipt = try await other.importReturnFile(file, by: "王五")
        XCTAssertEqual(receipt.count, 20)
        for b in [desk1, desk2, other] { try await b.close() }
    }

    func testCopyCarriesEveryTextOfTheFileExactly() async throws {
        // The COPY rows are written as bytes (`IncomingCardRows`): Chinese, a backslash and the
        // characters COPY's text format escapes must arrive as they were.
        try await admin.addOutlet("GZ03", deskRoles: ["desk3"])
        let desk = try await books("desk3", outlet: "GZ03")
        var file = try SampleReturnFile.make(rows: 4, batch: "B003")
        let texts = ["广州仓库䶮号箱", #"箱\3-1"#, "a\tb\nc\rd", #"\N"#]
        for (i, text) in texts.enumerated() { file.records[i].packingPosition = text }
        file.records[3].bankAccount = ""
        _ = try await desk.importReturnFile(file, by: "张三")
        let stored = try server.psql("""
            SELECT encode(convert_to(packing_position, 'UTF8'), 'hex') || ' ' || bank_account || ' ' || card_identification_code
            FROM pre_made_card WHERE outlet = 'GZ03' ORDER BY sequence
            """).split(separator: "\n").map(String.init)
        XCTAssertEqual(stored, file.records.map { r in
            Array(r.packingPosition.utf8).map { String(format: "%02x", $0) }.joined() + " " + r.bankAccount + " " + r.cardIdentificationCode.hex
        })
        try await assertBalanced(desk)
        try await desk.close()
    }

    func testRowLevelSecurityKeepsEachDeskToItsOutlet() async throws {
        try await admin.addOutlet("GZ01", deskRoles: ["desk1"])
        try await admin.addOutlet("SZ01", deskRoles: ["desk5"])
        try await admin.addCityReader("authority")
        let gz = try await books("desk1", outlet: "GZ01")
        let sz = try await books("desk5", outlet: "SZ01")
        _ = try await gz.importReturnFile(try SampleReturnFile.make(rows: 12), by: "张三")
        _ = try await sz.importReturnFile(try SampleReturnFile.make(rows: 5, first: 500, batch: "B009"), by: "赵六")

        let seenBySZ = try await OutletAdministration(location: try PostgresLocation(url: server.url(role: "desk5"))).cityStock()
        XCTAssertEqual(seenBySZ.outlets, ["SZ01"])
        XCTAssertEqual(seenBySZ.total(), 5)
        let city = try await OutletAdministration(location: try PostgresLocation(url: server.url(role: "authority"))).cityStock()
        XCTAssertEqual(city.outlets, ["GZ01", "SZ01"])
        XCTAssertEqual(city.total(outlet: "GZ01"), 12)
        XCTAssertEqual(city.total(state: .inStock), 17)

        // Straight SQL as SZ01's desk role: GZ01's rows are invisible and cannot be changed or added to.
        let sql = { (role: String, statement: String) throws -> String in try self.server.psql(statement, role: role) }
        XCTAssertEqual(try sql("desk5", "SELECT count(*) FROM pre_made_card WHERE outlet = 'GZ01'"), "0")
        XCTAssertEqual(try sql("desk5", "SELECT count(*) FROM pre_made_card"), "5")
        XCTAssertEqual(try sql("desk5", "UPDATE pre_made_card SET updated_by = 'x' WHERE outlet = 'GZ01' RETURNING 1"), "")
        XCTAssertThrowsError(try sql("desk5", "INSERT INTO ledger_entry VALUES ('GZ01', 99, 'd', 't', 'c', 'a', 's', 'd', 'p', 'h')"))
        XCTAssertThrowsError(try sql("desk5", "DELETE FROM ledger_entry"), "desk roles may not delete ledger entries")
        XCTAssertThrowsError(try sql("authority", "UPDATE pre_made_card SET updated_by = 'x'"), "the city role only reads")
        // The import's partitions (schema version 4): a desk adds cards only to its own outlet's,
        // and reads or changes cards only through pre_made_card.
        let into = { (outlet: String) in
            """
            INSERT INTO "pre_made_card_\(outlet)" (outlet, card_number, card_identification_code, reset_code, personal_account,
                bank_card_number, bank_account, packing_position, make_date, expiry_date, bank, import_id, sequence, state,
                updated_at, updated_by)
            """
        }
        let card = { (outlet: String) in "VALUES ('\(outlet)', 'X00000001', 'C1', 'R', 'P', 'B1', 'A', 'box', '', '', '工商银行', 1, 1, 'inStock', 't', 'c')" }
        XCTAssertThrowsError(try sql("desk5", into("GZ01") + card("GZ01"))) { error in
            XCTAssertTrue("\(error)".contains("a desk imports cards into its own outlet only"), "\(error)")
        }
        XCTAssertThrowsError(try sql("desk1", into("GZ01") + card("SZ01")), "a row of another outlet does not fit the partition")
        XCTAssertThrowsError(try sql("desk5", "SELECT count(*) FROM \"pre_made_card_GZ01\""), "no read around row-level security")
        XCTAssertThrowsError(try sql("desk5", "SELECT count(*) FROM \"pre_made_card_SZ01\""), "not even of its own outlet")
        XCTAssertThrowsError(try sql("desk5", "UPDATE \"pre_made_card_SZ01\" SET updated_by = 'x'"))
        XCTAssertThrowsError(try sql("desk5", "DELETE FROM \"pre_made_card_SZ01\""))
        XCTAssertEqual(try sql("authority", "SELECT count(*) FROM pre_made_card WHERE card_number = 'X00000001'"), "0")
        // A desk role cannot open another outlet's books.
        do {
            _ = try await books("desk5", outlet: "GZ01")
            XCTFail("desk5 opened GZ01")
        } catch OutletStorageError.notOutletMember(let role, let outlet) {
            XCTAssertEqual(role, "desk5"); XCTAssertEqual(outlet, "GZ01")
        }
        try await assertBalanced(gz)
        try await assertBalanced(sz)
        try await gz.close(); try await sz.close()
    }

    func testDatabaseRestartedMidIssuanceEndsWithEveryCardAccountedFor() async throws {
        try await admin.addOutlet("GZ01", deskRoles: ["desk1", "desk2"])
        let desk1 = try await books("desk1", outlet: "GZ01")
        _ = try await desk1.importReturnFile(try SampleReturnFile.make(rows: 40), by: "张三")
        let configs = try ["desk1", "desk2"].map { try deskConfig($0, outlet: "GZ01") }
        let running = try configs.map { try deskProcess($0, ["desk-run", "--cards", "12", "--load", "3", "--work-ms", "60"]) }
        try await Task.sleep(for: .milliseconds(500))
        try server.stopServer(immediate: true)  // as a crash: open transactions are lost
        try await Task.sleep(for: .seconds(1))
        try server.start()
        var issued: [String] = []
        for p in running {
            let (status, lines) = finish(p)
            XCTAssertEqual(status, 0, "a desk rides out the restart: \(lines)")
            issued += lines.filter { $0.hasPrefix("issued ") }
        }
        for config in configs {
            let r = try storage(["recover", "--config", config, "--clerk", "张三"])
            XCTAssertEqual(r.status, 0, r.errors)
        }
        try await assertBalanced(desk1)
        let report = try await desk1.checkInvariants()
        XCTAssertEqual(report.counts[.reserved], 0)
        XCTAssertEqual(report.counts[.issued], issued.count)
        XCTAssertEqual(issued.count, 24)
        try await desk1.close()
    }

    func testConnectionCutBetweenReservationAndReport() async throws {
        try await admin.addOutlet("GZ01", deskRoles: ["desk1"])
        let desk = try await books("desk1", outlet: "GZ01")
        _ = try await desk.importReturnFile(try SampleReturnFile.make(rows: 5), by: "张三")
        _ = try await desk.loadHopper(Hopper(rawValue: 1)!, bank: bank, count: 3, by: "张三")
        let card = try await desk.reserve(bank: bank, applicationID: "A1", by: "张三")
        try server.psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'desk1'")
        // The report goes through on a new connection; repeating it (an answer lost) changes nothing.
        try await desk.markIssued(card, applicationID: "A1", by: "张三")
        try await desk.markIssued(card, applicationID: "A1", by: "张三")
        let again = try await desk.reserve(bank: bank, applicationID: "A2", by: "张三")
        XCTAssertNotEqual(again, card)
        let repeated = try await desk.reserve(bank: bank, applicationID: "A2", by: "张三")
        XCTAssertEqual(repeated, again, "a repeated reservation is the same card")
        // With the server down longer than the desk waits, the call fails plainly and changes nothing.
        let impatient = try await books("desk1", outlet: "GZ01", window: .seconds(1))
        try server.stopServer()
        do {
            try await impatient.markIssued(again, applicationID: "A2", by: "张三")
            XCTFail("issued with the database down")
        } catch let error as OutletStorageError {
            guard case .unreachable = error else { return XCTFail("\(error)") }
            XCTAssertTrue(error.description.contains("recover"), error.description)
        }
        try await impatient.close()
        try server.start()
        let settled = try await DeskRecovery.recover(desk, clerk: "张三") { _ in .untouched }
        XCTAssertEqual(settled.map(\.card), [again])
        try await assertBalanced(desk)
        let report = try await desk.checkInvariants()
        XCTAssertEqual(report.counts[.issued], 1)
        XCTAssertEqual(report.counts[.inHopper], 2)
        try await desk.close()
    }

    func testDeskKilledWithACardReservedIsSettledByRecover() async throws {
        try await admin.addOutlet("GZ01", deskRoles: ["desk1"])
        let desk = try await books("desk1", outlet: "GZ01")
        _ = try await desk.importReturnFile(try SampleReturnFile.make(rows: 10), by: "张三")
        let config = try deskConfig("desk1", outlet: "GZ01")
        let p = try deskProcess(config, ["desk-run", "--cards", "5", "--stop-after-reserve", "3"])
        let (status, lines) = finish(p)
        XCTAssertEqual(status, 9, "\(lines)")
        XCTAssertEqual(lines.filter { $0.hasPrefix("issued ") }.count, 2)
        let held = try await desk.reservations()
        XCTAssertEqual(held.count, 1)
        XCTAssertEqual(held.first?.applicationID, "APP-desk1-3")
        let r = try storage(["recover", "--config", config, "--clerk", "张三"])
        XCTAssertEqual(r.status, 0, r.errors)
        XCTAssertTrue(r.output.contains("released \(held[0].card)"), r.output)
        let afterRecover = try await desk.reservations()
        XCTAssertTrue(afterRecover.isEmpty)
        try await assertBalanced(desk)
        let check = try storage(["check", "--config", config])
        XCTAssertEqual(check.status, 0, check.output)
        try await desk.close()
    }

    // MARK: The station's real issuance workflow on the outlet's books

    /// The outlet's safe stocked with `count` simulated cards (SIM000001…), the ones the desks'
    /// virtual printers hold.
    func importSampleCards(_ count: Int, into books: PostgresOutletBooks) async throws {
        let written = try stationRun(["storage", "sample-file", "--cards", String(count), "--folder", work.path])
        XCTAssertEqual(written.status, 0, written.output)
        let path = try XCTUnwrap(written.output.split(separator: "\n").last.map(String.init))
        _ = try await books.importReturnFile(try YZKCGFile(contentsOf: URL(fileURLWithPath: path)), by: "张三")
    }

    func ledgerActions(_ action: String) throws -> Int {
        Int(try server.psql("SELECT count(*) FROM ledger_entry WHERE outlet = 'GZ01' AND action = '\(action)'")) ?? -1
    }

    func testThreeDesksRunTheRealWorkflowAtOnceOnOneStock() async throws {
        try await admin.addOutlet("GZ01", deskRoles: ["desk1", "desk2", "desk3"])
        let desk1 = try await books("desk1", outlet: "GZ01")
        try await importSampleCards(20, into: desk1)
        let configs = try ["desk1", "desk2", "desk3"].map { try deskConfig($0, outlet: "GZ01") }
        let running = try configs.map { try deskProcess($0, ["desk-issue", "--cards", "4", "--load", "2"]) }
        var issued: [String] = []
        for p in running {
            let (status, lines) = finish(p)
            XCTAssertEqual(status, 0, "\(lines)")
            issued += lines.filter { $0.hasPrefix("issued ") }.map { String($0.split(separator: " ")[1]) }
        }
        XCTAssertEqual(issued.count, 12)
        XCTAssertEqual(Set(issued).count, 12, "a card was issued by two desks")
        try await assertBalanced(desk1)
        let report = try await desk1.checkInvariants()
        XCTAssertEqual(report.counts[.issued], 12)
        XCTAssertEqual(report.counts[.reserved], 0)
        let byDesk = try await desk1.issuedByDesk()
        XCTAssertEqual(byDesk, ["desk1": 4, "desk2": 4, "desk3": 4])
        // The workflow's own 台账 entries went to the outlet's one chain, one per card.
        XCTAssertEqual(try ledgerActions("制卡成功"), 12)
        // The desks' local SQLite stock was never used: each local journal database has no card.
        for desk in ["desk1", "desk2", "desk3"] {
            let local = try StationDatabase(path: work.appendingPathComponent(desk).appendingPathComponent("journal.sqlite").path)
            XCTAssertEqual(try PreMadeCardInventory(database: local).checkInvariants().onBooks, 0)
            // Each issuance journaled locally up to 制卡成功, awaiting 领卡启用.
            let journal = try Journal(database: local).unfinished()
            XCTAssertEqual(journal.count, 4)
            XCTAssertTrue(journal.allSatisfy { $0.phaseAfter == .reported }, "\(journal)")
            try local.close()
        }
        try await desk1.close()
    }

    func testDeskKilledWithACardReservedInTheRealWorkflowIsSettledByRecover() async throws {
        try await admin.addOutlet("GZ01", deskRoles: ["desk1"])
        let desk = try await books("desk1", outlet: "GZ01")
        try await importSampleCards(8, into: desk)
        let config = try deskConfig("desk1", outlet: "GZ01")
        let p = try deskProcess(config, ["desk-issue", "--cards", "4", "--crash-at", "3", "--crash-after", "reserve:done"])
        let (status, lines) = finish(p)
        XCTAssertEqual(status, 128 + SIGKILL, "\(lines)")
        XCTAssertEqual(lines.filter { $0.hasPrefix("issued ") }.count, 2, "\(lines)")
        let held = try await desk.reservations()
        XCTAssertEqual(held.map(\.applicationID), ["APP-desk1-3"])
        // The station's own recover: the journal says the card never left its hopper (制卡失败,
        // reservation released), booked on the outlet's books.
        let r = try stationRun(["recover", "--config", config, "--clerk", "张三", "--lang", "en"])
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(r.output.contains("APP-desk1-3"), r.output)
        let afterRecover = try await desk.reservations()
        XCTAssertTrue(afterRecover.isEmpty)
        let card = try await desk.card(held[0].card)
        XCTAssertEqual(card?.state, .inHopper(Hopper(rawValue: 1)!))
        XCTAssertEqual(try ledgerActions("制卡失败"), 1)
        XCTAssertEqual(try ledgerActions("制卡成功"), 2)
        try await assertBalanced(desk)
        let again = try stationRun(["recover", "--config", config, "--clerk", "张三", "--lang", "en"])
        XCTAssertEqual(again.status, 0, again.output)
        XCTAssertTrue(again.output.contains("Nothing to recover"), again.output)
        try await desk.close()
    }
}
