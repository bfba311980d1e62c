import Foundation
import InstantIssue
import OutletStorage
import ProvinceSimulator
import SSCardDriver
import StationOperations
import XCTest

/// The metrics' hopper gauge on the outlet's books (real PostgreSQL, `OutletStockTests`' harness):
/// with a printer that does not count its cards, `sscard_hopper_cards` reads this desk's hoppers
/// on the outlet's books, not the desk's local SQLite (which holds only its journal there).
extension OutletStockTests {
    func testTheHopperGaugeCountsThisDesksHoppersOnTheOutletBooks() throws {
        let desk1 = try deskConfig("desk1"), desk2 = try deskConfig("desk2")
        let file = try sampleFile(cards: 10)
        XCTAssertEqual(try run(desk2, ["inventory", "import", file, "--clerk", "李四"]).status, 0)
        XCTAssertEqual(try run(desk2, ["inventory", "load", "--hopper", "2", "--bank", bank, "--count", "4", "--clerk", "李四"]).status, 0)

        let configuration = try StationConfiguration.load(path: desk1)
        let stock = try XCTUnwrap(try StationBooks.stationStock(configuration))
        defer { stock.close() }
        _ = try stock.loadHopper(Hopper(rawValue: 2)!, bank: bank, count: 3, by: "张三")
        let metrics = PrometheusMetrics()
        let station = Station(configuration: configuration, database: try StationDatabase(path: configuration.databasePath),
                              driverConfiguration: DriverConfiguration(), printer: CountlessPrinter(),
                              cardManagement: try SimulatedCardManagementSystem(path: work.appendingPathComponent("province.sqlite").path),
                              stock: stock, metrics: StationMetrics(factory: metrics))
        defer { try? station.database.close() }
        station.metrics.observe(station)
        let text = metrics.exposition()
        let lines = text.split(separator: "\n").map(String.init)
        // A printer that does not count its cards: the books in force say 3 in this desk's hopper 2
        // (desk2's 4 in its own hopper 2 are not this desk's; the local SQLite has none).
        XCTAssertTrue(lines.contains(#"sscard_hopper_cards{hopper="2"} 3"#), text)
        XCTAssertTrue(lines.contains(#"sscard_hopper_cards{hopper="1"} 0"#), text)
    }
}

/// A printer whose feeders see cards but do not count them (real feeders have an empty and a
/// near-empty sensor only): the hopper gauge then reads the books.
private final class CountlessPrinter: CardPrinterMechanics, @unchecked Sendable {
    func status() throws(PrinterError) -> PrinterStatus {
        PrinterStatus(hoppers: [HopperStatus(number: 1, hasCards: false), HopperStatus(number: 2, hasCards: true)],
                      defaultHopper: 1, coverOpen: false, ribbonPanelsRemaining: nil, cardPosition: .none, rejectBoxFull: false)
    }
    func loadCard(fromHopper hopper: Int?) throws(PrinterError) {}
    func moveToPrint() throws(PrinterError) {}
    func printPanels(_ job: PrintJob) throws(PrinterError) {}
    func eject(to exit: CardExit) throws(PrinterError) {}
}
