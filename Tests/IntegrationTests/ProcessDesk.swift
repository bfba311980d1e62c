import Foundation
import XCTest
import SSCardDriver
import SSCardPrinter
import SSCardSimulator
import InstantIssue
import SimulatedDesk
@testable import CardManagement
@testable import ProvinceSimulator

/// A desk for tests that run `issue-station` as separate processes (the crash harness, the
/// clerk's errors): configuration files, a virtual printer served over Escape/TCP from the test
/// process, the station's books stocked from a return file, and the simulator's database.
final class ProcessDesk {
    let directory: URL
    let printer: VirtualPrinter
    let server: VirtualPrinterServer
    let configPath: String
    let configuration: StationConfiguration
    let cardManagement: SimulatedCardManagementSystem

    /// `cardManagementSetting` replaces the embedded simulator's setting (e.g. an HTTP URL);
    /// `contactReader` is the printer's encoder reader the driver looks for; `securityModule`
    /// the driver's ("simulated" for the card services that need one).
    init(cardsPerHopper: Int, cardManagementSetting: [String: Any]? = nil, contactReader: String = PCSCStackTestCase.slot0,
         securityModule: String = "none") throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("desk-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        printer = VirtualPrinter.stocked(cardsPerHopper: cardsPerHopper)
        server = VirtualPrinterServer(printer: printer, configuration: .init(listen: .loopback(port: 0)))
        try server.start()
        guard case .tcp(_, let port)? = server.endpoint else { throw XCTSkip("the printer server has no TCP port") }

        let driverConfig = directory.appendingPathComponent("driver.json")
        let driver: [String: Any] = ["contactReader": contactReader, "securityModule": securityModule,
                                     "printer": ["kind": "escape-tcp", "escapeHost": "127.0.0.1", "escapePort": Int(port)]]
        try JSONSerialization.data(withJSONObject: driver).write(to: driverConfig)
        let station: [String: Any] = ["databasePath": "station.sqlite", "driverConfigurationPath": "driver.json",
                                      "outputDirectory": "faces", "documents": ["folder": "documents"],
                                      "cardManagement": cardManagementSetting ?? ["kind": "embedded", "simulatorDatabasePath": "province-sim.sqlite"]]
        configPath = directory.appendingPathComponent("station.json").path
        try JSONSerialization.data(withJSONObject: station).write(to: URL(fileURLWithPath: configPath))
        configuration = try StationConfiguration.load(path: configPath)
        cardManagement = try SimulatedCardManagementSystem(
            path: directory.appendingPathComponent("province-sim.sqlite").path, seedSamples: false)

        // Stock the books: import the return file, load both hoppers.
        let database = try StationDatabase(path: configuration.databasePath)
        defer { try? database.close() }
        try PreMadeCardInventory(database: database).bookCards(in: printer, returnFileFolder: directory, by: StationDesk.clerk)
    }

    func close() {
        server.stop()
        try? printer.eject(to: .reject)
        try? FileManager.default.removeItem(at: directory)
    }

    /// An adult applicant with a valid SSN, a photo and the bank of the stocked cards.
    func addApplication(_ id: String, index: Int) throws {
        let ssn = SimulatedApplications.citizenNumber("4116021980" + String(format: "%02d", index % 12 + 1) + "01" + String(format: "%03d", index))
        let month = String(format: "%02d", index % 12 + 1)
        try cardManagement.add(Application(
            id: id, name: "测试\(["甲", "乙", "丙", "丁"][index % 4])", socialSecurityNumber: ssn, sex: index % 2 == 0 ? "2" : "1",
            ethnicity: "01", birthDate: "1980\(month)01", birthPlace: "411602", bank: SimulatedApplications.bank,
            regionCode: SimulatedApplications.regionCode, photoJPEG: SimulatedApplications.samplePhotoJPEG))
    }

    /// 领卡 through the commands (an agent, the receipt filed with the application's name), then
    /// `activate`: the last command's result.
    func handOverAndActivate(_ applicationID: String) throws -> ToolRunner.Finished {
        for step in [["handover", "check", applicationID, "--recipient", "agent", "--name", "代领人", "--id-number", "110105194912310021",
                      "--authorisation", "委托书", "--holder-id-checked", "--recipient-id-checked", "--copy-kept"],
                     ["handover", "receipt", applicationID, "--no-card"], ["handover", "signed", applicationID]] {
            let done = try station(step)
            guard done.status == 0 else { return done }
        }
        return try station(["activate", applicationID])
    }

    /// Runs `issue-station` with this desk's configuration and no standard input: the exit, how
    /// it ended, everything it printed, and its standard error alone (where errors go).
    func station(_ arguments: [String], crashAfter: String? = nil, signal: String? = nil, language: String = "en")
        throws -> ToolRunner.Finished {
        // The card commands record nothing and take no clerk, but for the PIN services.
        let recordsNothing = (arguments.first == "card" && !["unblock", "reset-pin"].contains(arguments.dropFirst().first ?? ""))
            || arguments.prefix(2) == ["handover", "status"]
        let clerk = recordsNothing ? [] : ["--clerk", StationDesk.clerk]
        var environment = ProcessInfo.processInfo.environment
        environment["SSCARD_CRASH_AFTER"] = crashAfter
        environment["SSCARD_CRASH_SIGNAL"] = signal
        return try ToolRunner.execute(ToolRunner.productsDirectory.appendingPathComponent("issue-station"),
                                      arguments + ["--config", configPath, "--lang", language] + clerk, environment: environment)
    }

    func issuedCount() throws -> Int {
        let database = try StationDatabase(path: configuration.databasePath)
        defer { try? database.close() }
        return try PreMadeCardInventory(database: database).stockReport().totals[.issued] ?? 0
    }

    /// The application ended issued-and-reported or failed-and-reported; books and printer agree.
    func assertEnded(_ applicationID: String, afterCrashAt point: String, printedBeforeRecovery: Bool,
                     file: StaticString = #filePath, line: UInt = #line) throws {
        let database = try StationDatabase(path: configuration.databasePath)
        defer { try? database.close() }
        let journal = Journal(database: database)
        let inventory = PreMadeCardInventory(database: database)
        let last = try XCTUnwrap(journal.entries(for: applicationID).last, file: file, line: line)
        let status = try cardManagement.status(applicationID: applicationID)
        let issued = try inventory.stockReport().hopperCards.filter { $0.reservedFor == applicationID }
        XCTAssertEqual(issued, [], "\(point): no card stays reserved", file: file, line: line)
        switch last.phaseAfter {
        case .reported:
            XCTAssertTrue(printedBeforeRecovery, "\(point): reported only when the face was printed", file: file, line: line)
            XCTAssertEqual(status.state, .produced, "\(point)", file: file, line: line)
            XCTAssertEqual(try inventory.card(XCTUnwrap(status.cardNumber.flatMap(CardNumber.init)))?.state, .issued(applicationID: applicationID),
                           "\(point)", file: file, line: line)
        case .failed:
            XCTAssertFalse(printedBeforeRecovery, "\(point): a printed card is 补登'd, not failed", file: file, line: line)
            XCTAssertTrue([.failed, .awaitingProduction].contains(status.state), "\(point): \(status)", file: file, line: line)
        default:
            XCTFail("\(point): ended in \(last.phaseAfter) (\(last.journalName))", file: file, line: line)
        }
        let reports = try cardManagement.recordedReports(applicationID: applicationID)
        XCTAssertLessThanOrEqual(reports.filter { $0.status == .produced || $0.status == .backfilled }.count, 1,
                                 "\(point): 制卡成功 once", file: file, line: line)
        let invariant = try inventory.checkInvariants()
        XCTAssertTrue(invariant.holds, "\(point): \(invariant)", file: file, line: line)
        XCTAssertEqual(printer.invariantViolations(), [], "\(point)", file: file, line: line)
        XCTAssertEqual(try journal.unfinished().filter { $0.phaseAfter != .reported }, [], "\(point): nothing left to recover", file: file, line: line)
    }
}
