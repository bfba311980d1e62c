import Foundation
import XCTest
import InstantIssue
import OutletStorage
import ProvinceSimulator
import SimulatedDesk
import SSCardDriver
import SSCardSimulator

/// The counter's device work on the outlet's shared books (real pcscd with vpcd, the virtual
/// printer over Escape/TCP, a real PostgreSQL): a PIN service's 台账 entry lands in the outlet's
/// chain, and the pre-made card a test print uses is spoiled on the outlet's stock. The desk's
/// own SQLite file (`ProcessDesk` stocks it too) is left alone: were the command to book there,
/// the outlet's books would show it.
final class OutletDeskDeviceTests: PCSCStackTestCase {
    var server: ThrowawayPostgres!

    override func setUp() async throws {
        guard ThrowawayPostgres.findBinaries() != nil else {
            throw XCTSkip("PostgreSQL server binaries missing (/usr/lib/postgresql/*/bin): run scripts/install-deps.sh")
        }
        server = try ThrowawayPostgres()
        let admin = OutletAdministration(location: try PostgresLocation(url: server.url()))
        try await admin.migrate()
        try await admin.addOutlet("GZ01", deskRoles: ["desk1"])
    }

    override func tearDown() {
        server?.stop()
        super.tearDown()  // the cards inserted leave the readers before the next test
    }

    /// Puts `desk`'s station.json on the outlet's books as desk1 of GZ01.
    func moveToOutletBooks(_ desk: ProcessDesk) throws {
        let url = URL(fileURLWithPath: desk.configPath)
        var station = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        station["storage"] = ["kind": "postgresql", "url": server.url(role: "desk1"), "outlet": "GZ01", "desk": "desk1"]
        try JSONSerialization.data(withJSONObject: station).write(to: url)
    }

    /// `issue-station ARGUMENTS` with `desk`'s configuration, for the commands that take no clerk.
    func command(_ desk: ProcessDesk, _ arguments: [String]) throws -> ToolRunner.Finished {
        try ToolRunner.execute(ToolRunner.productsDirectory.appendingPathComponent("issue-station"),
                               arguments + ["--config", desk.configPath, "--lang", "en"])
    }

    func books() async throws -> PostgresOutletBooks {
        try await PostgresOutletBooks.open(location: try PostgresLocation(url: server.url(role: "desk1")), outlet: "GZ01", desk: "desk1")
    }

    /// 第二十条 密码解锁 at a desk on the outlet's books: the entry is in the outlet's chain, by this
    /// desk, with the identity check; the chain verifies; the desk's own ledger has nothing.
    func testAPINServiceIsRecordedInTheOutletsChain() async throws {
        let desk = try ProcessDesk(cardsPerHopper: 1, securityModule: "simulated")
        defer { desk.close() }
        try moveToOutletBooks(desk)
        var image = try PreMadeCardFactory().personalisedCard(.sample(sequence: 9), holder: .sample)
        image.userPIN.triesLeft = 0
        let card = SimulatedSSCard(image: image)
        try insert(card, slot: 1)

        let done = try desk.station(["card", "unblock", "--id-checked", "--reader", Self.slot1])
        XCTAssertEqual(done.status, 0, done.output)
        XCTAssertEqual(card.image.userPIN.triesLeft, 6)
        XCTAssertEqual(try server.psql("SELECT desk || ' ' || subject || ' ' || details FROM ledger_entry WHERE outlet = 'GZ01' AND action = 'card.pin.unblock'"),
                       "desk1 \(image.cardNumber) 已核实本人有效身份证件原件")
        let verified = try command(desk, ["ledger", "verify"])
        XCTAssertEqual(verified.status, 0, verified.output)
        XCTAssertTrue(verified.output.contains("outlet's one ledger chain"), verified.output)
        let exported = try command(desk, ["ledger", "export", "--day", LedgerDay.today()])
        XCTAssertEqual(exported.status, 0, exported.output)
        XCTAssertTrue(exported.output.contains("card.pin.unblock") && exported.output.contains(image.cardNumber), exported.output)

        let local = try StationDatabase(path: desk.configuration.databasePath)
        defer { try? local.close() }
        XCTAssertEqual(try AuditLedger(database: local).entries().filter { $0.action == "card.pin.unblock" }, [])
    }

    /// A test print on the outlet's books: the card fed (found by its chip) is spoiled on the
    /// outlet's stock, which still balances; while the desk's database is held by another
    /// station process of the desk, the test is refused before a card moves.
    func testATestPrintSpoilsTheCardOnTheOutletsStock() async throws {
        let desk = try ProcessDesk(cardsPerHopper: 2)
        defer { desk.close() }
        // The outlet's safe gets the return file of the printer's cards; desk1 loads them into
        // the same hoppers (the free cards go out in file order).
        let hopperCards = (1...2).map { desk.printer.cards(inHopper: $0).map(\.image) }
        let file = SimulatedReturnFile.make(cards: hopperCards.flatMap { $0 }, bank: SimulatedApplications.bank)
        let books = try await books()
        _ = try await books.importReturnFile(try YZKCGFile(fileName: file.fileName, contents: Data(file.text.utf8)), by: "张三")
        for hopper in 1...2 {
            let loaded = try await books.loadHopper(Hopper(rawValue: hopper)!, bank: SimulatedApplications.bank, count: 2, by: "张三")
            XCTAssertEqual(loaded.map(\.value), hopperCards[hopper - 1].map(\.cardNumber), "hopper \(hopper) as in the printer")
        }
        try moveToOutletBooks(desk)

        // Another station process of this desk holds its database: refused, no card moves.
        let held = try StationDatabase(path: desk.configuration.databasePath)
        let refused = try desk.station(["printer", "test-print", "--hopper", "1"], language: "zh")
        XCTAssertEqual(refused.status, 1, refused.output)
        XCTAssertTrue(refused.errors.hasPrefix("错误：制卡站数据库"), refused.errors)
        XCTAssertEqual(desk.printer.cards(inHopper: 1).count, 2, "no card moved")
        try held.close()

        let fedNext = hopperCards[1][0].cardNumber
        let run = try desk.station(["printer", "test-print", "--hopper", "2"])
        XCTAssertEqual(run.status, 0, run.output)
        XCTAssertTrue(run.output.contains("pre-made card \(fedNext); it is recorded as spoiled"), run.output)
        XCTAssertEqual(desk.printer.emptyRejectBox().map(\.image.cardNumber), [fedNext])
        let spoiled = try await books.card(try XCTUnwrap(CardNumber(fedNext)))
        XCTAssertEqual(spoiled?.state, .spoiled(reason: "测试打印 test print"))
        XCTAssertEqual(try server.psql("SELECT desk || ' ' || to_state || ' ' || reason FROM card_movement WHERE card_number = '\(fedNext)' ORDER BY id DESC LIMIT 1"),
                       "desk1 spoiled 测试打印 test print")
        let invariants = try await books.checkInvariants()
        XCTAssertTrue(invariants.holds, "\(invariants)")
        let checked = try ToolRunner.execute(ToolRunner.productsDirectory.appendingPathComponent("issue-station"),
                                             ["storage", "check", "--config", desk.configPath])
        XCTAssertEqual(checked.status, 0, checked.output)
        // The desk's own SQLite copy of the card (ProcessDesk stocked it) was not touched.
        let local = try StationDatabase(path: desk.configuration.databasePath)
        defer { try? local.close() }
        XCTAssertEqual(try PreMadeCardInventory(database: local).card(XCTUnwrap(CardNumber(fedNext)))?.state.kind, .inHopper)
        try await books.close()
    }
}
