import Foundation
import XCTest
import SSCardDriver
import SSCardSimulator
import InstantIssue

/// `--json` on doctor, readers, printer status, inventory list and inventory stocktake: one
/// JSON document on stdout that decodes into the documented fields (docs/technician.md §17),
/// with values that agree with pcscd, the virtual printer and the books read directly.
final class StationJSONOutputTests: PCSCStackTestCase {
    /// Runs `issue-station` with the desk's configuration; stdout alone and the exit status.
    func json(_ desk: ProcessDesk, _ arguments: [String]) throws -> (status: Int32, object: [String: Any], stdout: String) {
        let run = try ToolRunner.execute(ToolRunner.productsDirectory.appendingPathComponent("issue-station"),
                                         arguments + ["--json", "--config", desk.configPath, "--lang", "en"])
        let stdout = String(decoding: Array(run.output.utf8.dropLast(run.errors.utf8.count)), as: UTF8.self)
        let parsed = try JSONSerialization.jsonObject(with: Data(stdout.utf8))
        let object = try XCTUnwrap(parsed as? [String: Any], "not a JSON object: \(stdout)\nstderr: \(run.errors)")
        XCTAssertEqual(object["format"] as? Int, 1, stdout)
        return (run.status, object, stdout)
    }

    func testReadersListsEachReaderWithCardATRAndRole() throws {
        let card = TestCards.personalised()
        try insert(card, slot: 1)
        let desk = try ProcessDesk(cardsPerHopper: 1, contactReader: Self.slot1)
        defer { desk.close() }

        let (status, object, stdout) = try json(desk, ["readers"])
        XCTAssertEqual(status, 0, stdout)
        let readers = try XCTUnwrap(object["readers"] as? [[String: Any]], stdout)
        XCTAssertEqual(readers.map { $0["name"] as? String }, try PCSCContext().readers(), "pcscd's readers in its order")
        XCTAssertEqual(readers.map { $0["index"] as? Int }, Array(0..<readers.count))
        let contact = try XCTUnwrap(readers.first { $0["name"] as? String == Self.slot1 }, stdout)
        XCTAssertEqual(contact["card"] as? String, "present")
        XCTAssertEqual(contact["atr"] as? String, card.atr.map { String(format: "%02X", $0) }.joined())
        XCTAssertEqual(contact["roles"] as? [String], ["contact"])
        let empty = try XCTUnwrap(readers.first { $0["name"] as? String == Self.slot0 }, stdout)
        XCTAssertEqual(empty["card"] as? String, "absent")
        XCTAssertNil(empty["atr"], "no ATR without a card")
        XCTAssertEqual(empty["roles"] as? [String], [])
    }

    func testPrinterStatusHasTheSensorsAndTheBooks() throws {
        let desk = try ProcessDesk(cardsPerHopper: 3)
        defer { desk.close() }
        let (status, object, stdout) = try json(desk, ["printer", "status"])
        XCTAssertEqual(status, 0, stdout)
        XCTAssertEqual(object["coverOpen"] as? Bool, false)
        XCTAssertEqual(object["rejectBoxFull"] as? Bool, false)
        XCTAssertEqual(object["cardPosition"] as? String, "none")
        XCTAssertTrue((object["printer"] as? String)?.hasPrefix("escape-tcp 127.0.0.1:") == true, stdout)
        XCTAssertEqual(object["attention"] as? [String], [])
        let hoppers = try XCTUnwrap(object["hoppers"] as? [[String: Any]], stdout)
        XCTAssertEqual(hoppers.map { $0["number"] as? Int }, [1, 2])
        for hopper in hoppers {
            let number = try XCTUnwrap(hopper["number"] as? Int)
            XCTAssertEqual(hopper["hasCards"] as? Bool, true)
            XCTAssertNil(hopper["cardCount"], "an Escape printer only says empty or not: no count")
            XCTAssertEqual(desk.printer.cards(inHopper: number).count, 3)
            XCTAssertEqual(hopper["booked"] as? Int, 3, "the books put 3 in each hopper")
        }
        XCTAssertEqual(hoppers.filter { $0["isDefault"] as? Bool == true }.count, 1)

        // An empty hopper needs attention, said in the chosen language.
        let taken = desk.printer.takeCards(fromHopper: 2)
        defer { desk.printer.putBack(taken, inHopper: 2) }
        let (_, after, text) = try json(desk, ["printer", "status"])
        let two = try XCTUnwrap((after["hoppers"] as? [[String: Any]])?.first { $0["number"] as? Int == 2 }, text)
        XCTAssertEqual(two["hasCards"] as? Bool, false)
        XCTAssertTrue((after["attention"] as? [String])?.contains { $0.contains("Hopper 2 is empty") } == true, text)
    }

    func testInventoryListAndStocktakeAgreeWithTheBooks() throws {
        let desk = try ProcessDesk(cardsPerHopper: 2)
        defer { desk.close() }
        let database = try StationDatabase(path: desk.configuration.databasePath)
        let books = try PreMadeCardInventory(database: database).cards(state: nil, bank: nil, limit: nil)
        try database.close()

        var (status, object, stdout) = try json(desk, ["inventory", "list"])
        XCTAssertEqual(status, 0, stdout)
        let cards = try XCTUnwrap(object["cards"] as? [[String: Any]], stdout)
        XCTAssertEqual(Set(cards.compactMap { $0["cardNumber"] as? String }), Set(books.map(\.cardNumber.value)))
        XCTAssertEqual(object["truncated"] as? Bool, false)
        for card in cards {
            XCTAssertEqual(card["state"] as? String, "inHopper", "\(card)")
            XCTAssertNotNil(card["hopper"] as? Int)
            XCTAssertNotNil((card["updatedAt"] as? String).flatMap(StationTimestamp.init(text:)), "\(card)")
        }
        for secret in books.map(\.bankCardNumber) where !secret.isEmpty {
            XCTAssertFalse(stdout.contains(secret), "bank card numbers are never listed")
        }
        (status, object, stdout) = try json(desk, ["inventory", "list", "--limit", "1"])
        XCTAssertEqual((object["cards"] as? [Any])?.count, 1, stdout)
        XCTAssertEqual(object["truncated"] as? Bool, true, stdout)

        (status, object, stdout) = try json(desk, ["inventory", "stocktake", "--clerk", StationDesk.clerk])
        XCTAssertEqual(status, 0, stdout)
        XCTAssertEqual(object["booksAddUp"] as? Bool, true, stdout)
        XCTAssertEqual(object["violations"] as? [String], [])
        XCTAssertEqual(object["recorded"] as? Bool, true)
        XCTAssertEqual(object["takenBy"] as? String, StationDesk.clerk)
        XCTAssertEqual(object["imported"] as? Int, books.count)
        let totals = try XCTUnwrap(object["totals"] as? [String: Int], stdout)
        XCTAssertEqual(Set(totals.keys), Set(PreMadeCardState.Kind.allCases.map(\.rawValue)), "every state is present")
        XCTAssertEqual(totals["inHopper"], books.count)
        XCTAssertEqual((object["hopperCards"] as? [Any])?.count, books.count)
        let head = try XCTUnwrap(object["ledgerHead"] as? [String: Any], stdout)
        XCTAssertNotNil(head["seq"] as? Int)
        XCTAssertEqual((head["hash"] as? String)?.count, 64)

        (status, object, stdout) = try json(desk, ["inventory", "stocktake", "--dry-run", "--clerk", StationDesk.clerk])
        XCTAssertEqual(object["recorded"] as? Bool, false, stdout)
        XCTAssertNil(object["takenBy"])
    }

    func testDoctorGivesEveryCheckAnIdAndExitsTwoOnAFailure() throws {
        // The contact reader is a name no reader has: that check fails, the others run.
        let desk = try ProcessDesk(cardsPerHopper: 1, contactReader: "NoSuchReader-7f3a")
        defer { desk.close() }
        let (status, object, stdout) = try json(desk, ["doctor"])
        XCTAssertEqual(status, 2, stdout)
        XCTAssertEqual(object["passed"] as? Bool, false)
        let checks = try XCTUnwrap(object["checks"] as? [[String: Any]], stdout)
        let ids = checks.compactMap { $0["id"] as? String }
        XCTAssertEqual(ids.count, checks.count)
        XCTAssertEqual(Set(ids).count, ids.count, "ids are unique: \(ids)")
        for id in ["station-configuration", "driver-configuration", "pc-sc-service-pcscd", "contact-reader", "card-printer"] {
            XCTAssertTrue(ids.contains(id), "no \(id) in \(ids)")
        }
        for check in checks {
            XCTAssertTrue(["pass", "warn", "fail"].contains(check["status"] as? String ?? ""), "\(check)")
            XCTAssertFalse((check["name"] as? String ?? "").isEmpty)
            XCTAssertEqual(check["fix"] != nil, check["status"] as? String != "pass", "a fix exactly for a failure or warning: \(check)")
        }
        let reader = try XCTUnwrap(checks.first { $0["id"] as? String == "contact-reader" })
        XCTAssertEqual(reader["status"] as? String, "fail")
        XCTAssertTrue((reader["detail"] as? String)?.contains("NoSuchReader-7f3a") == true, "\(reader)")
        XCTAssertEqual(checks.first { $0["id"] as? String == "pc-sc-service-pcscd" }?["status"] as? String, "pass")
        XCTAssertEqual(checks.first { $0["id"] as? String == "card-printer" }?["status"] as? String, "pass", stdout)
    }
}
