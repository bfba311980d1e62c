import Foundation
import InstantIssue
import OutletStorage
import SimulatedDesk
import SSCardDriver
import XCTest

/// The PostgreSQL import's row order and its phase clock (real PostgreSQL, `OutletStorageTests`'
/// harness): cards sent in 社保卡号 order keep their own line and 序号, the safe still gives them
/// out in the file's order, and a duplicate is reported at its line in the file.
extension OutletStorageTests {
    /// A return file whose 社保卡号 (and the card's other keys) do not follow its lines: line i
    /// carries the card of row (i × 7) mod `rows` of a sample file. Lines and 序号 stay 1, 2, 3…
    func outOfOrderFile(rows: Int, first: Int, batch: String) throws -> YZKCGFile {
        let sample = try SampleReturnFile.make(rows: rows, first: first, batch: batch)
        var file = sample
        for i in 0..<rows {
            var card = sample.records[(i * 7) % rows]
            card.line = sample.records[i].line
            card.sequence = sample.records[i].sequence
            file.records[i] = card
        }
        return file
    }

    func testCardsOutOfCardNumberOrderKeepTheirLineSequenceAndSafeOrder() async throws {
        try await admin.addOutlet("GZ01", deskRoles: ["desk1"])
        let desk = try await books("desk1", outlet: "GZ01")
        let file = try outOfOrderFile(rows: 30, first: 100, batch: "B001")
        XCTAssertNotEqual(file.records.map(\.cardNumber.value), file.records.map(\.cardNumber.value).sorted(),
                          "the file's cards are not in 社保卡号 order")
        _ = try await desk.importReturnFile(file, by: "张三")
        let stored = try server.psql("""
            SELECT sequence || ' ' || card_number || ' ' || card_identification_code || ' ' || bank_card_number || ' ' || packing_position
            FROM pre_made_card WHERE outlet = 'GZ01' ORDER BY sequence
            """).split(separator: "\n").map(String.init)
        XCTAssertEqual(stored, file.records.map { r in
            "\(r.sequence) \(r.cardNumber.value) \(r.cardIdentificationCode.hex) \(r.bankCardNumber) \(r.packingPosition)"
        })
        // The safe gives cards out in the file's order (序号), not in the order they were sent.
        let loaded = try await desk.loadHopper(Hopper(rawValue: 1)!, bank: bank, count: 4, by: "张三")
        XCTAssertEqual(loaded.map(\.value), file.records.prefix(4).map(\.cardNumber.value))

        // A later file out of order holding one card already on the books: refused at that card's line.
        var second = try outOfOrderFile(rows: 10, first: 500, batch: "B002")
        second.records[6].cardNumber = file.records[12].cardNumber
        do {
            _ = try await desk.importReturnFile(second, by: "李四")
            XCTFail("a card already on the books was imported again")
        } catch let error as YZKCGImportError {
            XCTAssertEqual(error.problems.map(\.kind), [.duplicateInStock])
            XCTAssertEqual(error.problems.first?.line, second.records[6].line)
            XCTAssertEqual(error.problems.first?.field, .cardNumber)
        }
        XCTAssertEqual(try server.psql("SELECT count(*) FROM pre_made_card WHERE outlet = 'GZ01'"), "30", "nothing of the refused file kept")
        try await assertBalanced(desk)
        try await desk.close()
    }

    /// The safe's index is by import and 序号 (schema version 4): a hopper load takes the returned
    /// cards first, then the oldest import of its bank to the end and on into the next, never
    /// another bank's or another outlet's cards; the safe's count on the books follows.
    func testTheSafeGivesCardsImportByImportOfItsBankAndOutlet() async throws {
        try await admin.addOutlet("GZ01", deskRoles: ["desk1"])
        try await admin.addOutlet("GZ02", deskRoles: ["desk2"])
        let desk = try await books("desk1", outlet: "GZ01")
        let other = try await books("desk2", outlet: "GZ02")
        let first = try SampleReturnFile.make(rows: 3, first: 100, batch: "B001")
        let otherBank = try SampleReturnFile.make(rows: 3, first: 200, batch: "B002", bank: "建设银行")
        let otherOutlet = try SampleReturnFile.make(rows: 3, first: 300, batch: "B003")
        let second = try SampleReturnFile.make(rows: 3, first: 400, batch: "B004")
        _ = try await desk.importReturnFile(first, by: "张三")
        _ = try await desk.importReturnFile(otherBank, by: "张三")
        _ = try await other.importReturnFile(otherOutlet, by: "王五")
        _ = try await desk.importReturnFile(second, by: "张三")

        let hopper = Hopper(rawValue: 1)!
        let loaded = try await desk.loadHopper(hopper, bank: bank, count: 5, by: "张三")
        XCTAssertEqual(loaded.map(\.value), (first.records + second.records.prefix(2)).map(\.cardNumber.value))
        // The five back to the safe as returned: the next load takes them before the import's last card.
        _ = try await desk.unloadHopper(hopper, by: "张三")
        let again = try await desk.loadHopper(hopper, bank: bank, count: 6, by: "张三")
        XCTAssertEqual(Set(again.prefix(5).map(\.value)), Set(loaded.map(\.value)), "returned cards first")
        XCTAssertEqual(again.last?.value, second.records[2].cardNumber.value)
        do {
            _ = try await desk.loadHopper(Hopper(rawValue: 2)!, bank: bank, count: 1, by: "张三")
            XCTFail("the outlet's other cards of this bank are in hopper 1, and GZ02's are not GZ01's")
        } catch InventoryError.notEnoughStock(_, let wanted, let available) {
            XCTAssertEqual([wanted, available], [1, 0])
        }
        // The safe now holds the other bank's three cards; counted so, the books balance.
        var count = PhysicalStockCount()
        try count.set(.safe, 3)
        try count.set(.hopper(hopper), 6)
        let result = try await desk.takeStock(counted: count, by: "张三")
        XCTAssertTrue(result.balanced, "\(result.lines)")
        try await assertBalanced(desk)
        try await assertBalanced(other)
        try await desk.close()
        try await other.close()
    }

    /// The desk's connection cut while the import's COPY is on the wire, by the server ending
    /// the backend (as an administrator or a network fault does): the desk process ends plainly,
    /// not by a signal, and the outlet's books hold all of the file or none of it, never a part.
    func testConnectionCutDuringTheImportsCopyKeepsAllOrNothing() async throws {
        try await importCutMidCopy { pids in
            XCTAssertEqual(try self.server.psql("SELECT bool_and(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE pid IN (\(pids))"), "t")
        }
    }

    /// The same with the server stopped as by a crash in the middle of the COPY and started again.
    func testServerCrashDuringTheImportsCopyKeepsAllOrNothing() async throws {
        try await importCutMidCopy { _ in
            try self.server.stopServer(immediate: true)
            try await Task.sleep(for: .seconds(1))
            try self.server.start()
        }
    }

    /// An import that passes its deadline in the middle of its COPY (a server too slow for the
    /// file) is given up plainly: the call throws, the process goes on, nothing of the file is
    /// kept, and the same books import it afterwards.
    func testImportPastItsDeadlineMidCopyIsGivenUpAndKeepsNothing() async throws {
        try await admin.addOutlet("GZ01", deskRoles: ["desk1"])
        let file = try SampleReturnFile.make(rows: 200_000)
        let hasty = try await PostgresOutletBooks.open(location: try PostgresLocation(url: server.url(role: "desk1")), outlet: "GZ01",
                                                       desk: "desk1", reconnectWindow: .seconds(1), importTimeout: .milliseconds(400))
        do {
            _ = try await hasty.importReturnFile(file, by: "张三")
            XCTFail("a 200,000-card import finished within 0.4 s")
        } catch let error as OutletStorageError {
            guard case .unreachable = error else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(try server.psql("SELECT count(*) FROM pre_made_card WHERE outlet = 'GZ01'"), "0")
        XCTAssertEqual(try server.psql("SELECT count(*) FROM yzkcg_import WHERE outlet = 'GZ01'"), "0")
        try await hasty.close()
        let desk = try await books("desk1", outlet: "GZ01")
        _ = try await desk.importReturnFile(file, by: "张三")
        XCTAssertEqual(try server.psql("SELECT count(*) FROM pre_made_card WHERE outlet = 'GZ01'"), "200000")
        try await assertBalanced(desk)
        try await desk.close()
    }

    func testClosingTheBooksMidCopyCancelsTheImportAndKeepsNothing() async throws {
        // The station shutting down while a clerk's import runs: `close()` cancels the COPY
        // instead of closing the connection under it (which stopped the process), the import
        // is not repeated on a new connection, and nothing of it is kept.
        try await admin.addOutlet("GZ01", deskRoles: ["desk1"])
        let file = try SampleReturnFile.make(rows: 200_000)
        let desk = try await books("desk1", outlet: "GZ01")
        let importing = Task { try await desk.importReturnFile(file, by: "张三") }
        var copying = ""
        let deadline = ContinuousClock.now + .seconds(60)
        while copying.isEmpty, ContinuousClock.now < deadline {
            copying = try server.psql("SELECT pid FROM pg_stat_activity WHERE usename = 'desk1' AND query LIKE 'COPY%' AND state = 'active'")
        }
        XCTAssertFalse(copying.isEmpty, "the import's COPY was seen")
        try await desk.close()
        do {
            _ = try await importing.value
            XCTFail("the import finished although the books were closed under it")
        } catch let error as OutletStorageError {
            guard case .closed = error else { return XCTFail("\(error)") }
            XCTAssertTrue(error.description.contains("正在退出"))
        }
        XCTAssertEqual(try server.psql("SELECT count(*) FROM pre_made_card WHERE outlet = 'GZ01'"), "0")
        XCTAssertEqual(try server.psql("SELECT count(*) FROM yzkcg_import WHERE outlet = 'GZ01'"), "0")
        // Closed books start no call.
        do {
            _ = try await desk.importReturnFile(file, by: "张三")
            XCTFail("closed books imported")
        } catch let error as OutletStorageError {
            guard case .closed = error else { return XCTFail("\(error)") }
        }
        let again = try await books("desk1", outlet: "GZ01")
        _ = try await again.importReturnFile(file, by: "张三")
        XCTAssertEqual(try server.psql("SELECT count(*) FROM pre_made_card WHERE outlet = 'GZ01'"), "200000")
        try await assertBalanced(again)
        try await again.close()
    }

    /// A 200,000-card import by a desk process (`storage import`), cut by `cut` (given the pids
    /// of the desk's backends) once the desk's COPY is running; then the books are checked.
    private func importCutMidCopy(_ cut: (String) async throws -> Void) async throws {
        try await admin.addOutlet("GZ01", deskRoles: ["desk1"])
        let config = try deskConfig("desk1", outlet: "GZ01")
        let rows = 200_000
        let file = work.appendingPathComponent(SampleReturnFile.fileName(rows: rows))
        try SampleReturnFile.contents(rows: rows).write(to: file)
        let importing = try SpawnedProcess(station, ["storage", "import", file.path, "--config", config, "--clerk", "张三"])
        var copying = ""
        let deadline = ContinuousClock.now + .seconds(60)
        while copying.isEmpty, ContinuousClock.now < deadline {
            copying = try server.psql("SELECT pid FROM pg_stat_activity WHERE usename = 'desk1' AND query LIKE 'COPY%' AND state = 'active'")
        }
        XCTAssertFalse(copying.isEmpty, "the import's COPY was seen")
        try await cut(copying.split(separator: "\n").joined(separator: ","))
        let ended = importing.finish(within: .seconds(180))
        XCTAssertFalse(ended.timedOut)
        XCTAssertNil(ended.signal, "the desk process was not stopped by a signal: \(ended.errors.suffix(2000))")
        let cards = try server.psql("SELECT count(*) FROM pre_made_card WHERE outlet = 'GZ01'")
        let imports = try server.psql("SELECT count(*) FROM yzkcg_import WHERE outlet = 'GZ01'")
        if ended.exitStatus == 0 {
            // The desk rode out the cut on a new connection: the whole file, once.
            XCTAssertEqual([cards, imports], [String(rows), "1"])
            XCTAssertTrue(ended.errors.contains("retrying"), "the desk saw the cut: \(ended.errors.suffix(1000))")
        } else {
            XCTAssertEqual([cards, imports], ["0", "0"], "nothing of the cut import kept")
            XCTAssertFalse(ended.errors.isEmpty, "the desk says why it stopped")
            // The clerk imports the file again, and it goes in whole.
            let again = try SpawnedProcess(station, ["storage", "import", file.path, "--config", config, "--clerk", "张三"])
                .finish(within: .seconds(180))
            XCTAssertEqual(again.exitStatus, 0, again.errors)
            XCTAssertEqual(try server.psql("SELECT count(*) FROM pre_made_card WHERE outlet = 'GZ01'"), String(rows))
        }
        let desk = try await books("desk1", outlet: "GZ01")
        try await assertBalanced(desk)
        try await desk.close()
    }

    func testImportPhasesAreTimedWithinTheCall() async throws {
        try await admin.addOutlet("GZ01", deskRoles: ["desk1"])
        let desk = try await books("desk1", outlet: "GZ01")
        let phases = ImportPhaseClock()
        let started = ContinuousClock.now
        let receipt = try await desk.importReturnFile(try SampleReturnFile.make(rows: 200), by: "张三", phases: phases)
        let elapsed = ContinuousClock.now - started
        XCTAssertEqual(receipt.count, 200)
        let spent = phases.durations
        // Straight into the outlet's partition: no check or INSERT of their own (older books have them).
        XCTAssertEqual(Set(spent.keys), [.start, .copyRows, .copy, .ledger, .commit])
        XCTAssertLessThanOrEqual(spent[.copyRows]!, spent[.copy]!, "the rows' building is part of COPY")
        let whole = spent.filter { $0.key != .copyRows }.values.reduce(Duration.zero, +)
        XCTAssertGreaterThan(whole, .zero)
        XCTAssertLessThanOrEqual(whole, elapsed, "the phases are parts of the call")
        try await desk.close()
    }
}
