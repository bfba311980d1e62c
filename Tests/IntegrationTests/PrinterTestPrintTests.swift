import Foundation
import XCTest
import SSCardDriver
import SSCardPrinter
import SSCardSimulator
import InstantIssue

/// `issue-station printer test-print` on a stocked desk (real pcscd, the virtual printer over
/// Escape/TCP): the pre-made card it uses is found by its chip and recorded as spoiled, so no
/// blank card goes missing; a station database held by another process refuses the test
/// before any card moves.
final class PrinterTestPrintTests: PCSCStackTestCase {
    func testThePreMadeCardUsedIsRecordedAsSpoiled() throws {
        let desk = try ProcessDesk(cardsPerHopper: 2)
        defer { desk.close() }
        let fedNext = try XCTUnwrap(desk.printer.cards(inHopper: 2).first).image.cardNumber

        let run = try desk.station(["printer", "test-print", "--hopper", "2"])
        XCTAssertEqual(run.status, 0, run.output)
        XCTAssertTrue(run.output.contains("pre-made card \(fedNext); it is recorded as spoiled"), run.output)
        XCTAssertEqual(desk.printer.emptyRejectBox().map(\.image.cardNumber), [fedNext])

        let database = try StationDatabase(path: desk.configuration.databasePath)
        defer { try? database.close() }
        let inventory = PreMadeCardInventory(database: database)
        XCTAssertEqual(try inventory.card(XCTUnwrap(CardNumber(fedNext)))?.state, .spoiled(reason: "测试打印 test print"))
        XCTAssertTrue(try inventory.checkInvariants().holds)
        XCTAssertEqual(desk.printer.invariantViolations(), [])
    }

    func testRefusedWhileAnotherStationHoldsTheDatabase() throws {
        let desk = try ProcessDesk(cardsPerHopper: 2)
        defer { desk.close() }
        let held = try StationDatabase(path: desk.configuration.databasePath)
        defer { try? held.close() }

        let run = try desk.station(["printer", "test-print", "--hopper", "1"], language: "zh")
        XCTAssertEqual(run.status, 1, run.output)
        XCTAssertTrue(run.errors.hasPrefix("错误：制卡站数据库"), run.errors)
        XCTAssertEqual(desk.printer.cards(inHopper: 1).count, 2, "no card moved")
    }
}
