import Foundation
import XCTest
import SSCardDriver
import SSCardSimulator
import InstantIssue

/// The crash harness: `issue-station issue` is killed with SIGKILL right after each journal
/// entry in turn (`SSCARD_CRASH_AFTER`), then `issue-station recover` runs. The printer (a
/// virtual printer behind Escape over TCP) and pcscd live in this process and survive, as a real
/// printer survives the station. Every run must end with the card issued and reported (制卡补登)
/// or failed and reported (制卡失败), the inventory invariant holding and no application issued
/// twice.
final class CrashRecoveryTests: PCSCStackTestCase {
    func testKilledAtEveryJournalStepThenRecovered() throws {
        let harness = try CrashHarness(cardsPerHopper: 24)
        defer { harness.close() }
        let steps: [IssuanceStep] = [.reserve, .feed, .identify, .reportInProduction, .checkBlank, .writeChip,
                                     .writeCertificates, .print, .reportProduced]
        let points = steps.flatMap { [$0.journalName(.start), $0.journalName(.done)] }
        for (index, point) in points.enumerated() {
            let applicationID = "CRASH-\(index + 1)"
            try harness.addApplication(applicationID, index: index)

            let killed = try harness.station(["issue", applicationID], crashAfter: point)
            XCTAssertEqual(killed.reason, .uncaughtSignal, "\(point): \(killed.output)")
            XCTAssertEqual(killed.status, SIGKILL, "\(point): \(killed.output)")

            // The clerk takes a printed card from the good exit and feeds it back by hand when
            // recovery asks; here, before recovery starts.
            let printed = harness.printer.collectGoodExit()
            for card in printed { try harness.printer.feedByHand(card) }

            let recovered = try harness.station(["recover"])
            XCTAssertEqual(recovered.status, 0, "\(point): \(recovered.output)")
            try harness.assertEnded(applicationID, afterCrashAt: point, printedBeforeRecovery: !printed.isEmpty)
            _ = harness.printer.collectGoodExit()
            _ = harness.printer.emptyRejectBox()
        }
        // One card per application made: the cards issued on the books are the applications produced.
        let produced = try (0..<points.count).filter {
            try harness.cardManagement.status(applicationID: "CRASH-\($0 + 1)").state == .produced
        }.count
        XCTAssertEqual(produced, try harness.issuedCount())
        XCTAssertGreaterThan(produced, 0, "some runs were far enough to be completed by 制卡补登")
    }
}

/// The desk of the crash harness: configuration files for the `issue-station` processes, a
/// virtual printer served over Escape/TCP, the station's books and the simulator's database.
final class CrashHarness {
    let directory: URL
    let printer: VirtualPrinter
    let server: VirtualPrinterServer
    let configPath: String
    let configuration: StationConfiguration
    let cardManagement: SimulatedCardManagementSystem

    init(cardsPerHopper: Int) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("crash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        printer = VirtualPrinter(configuration: .init(mechanicalDelay: .zero, chipContact: .vpcd(.slot(0))))
        let factory = PreMadeCardFactory()
        var images: [CardImage] = []
        for (hopper, first) in [(1, 1), (2, 101)] {
            let cards = try (first..<(first + cardsPerHopper)).map { SimulatedSSCard(image: try factory.blankCard(.sample(sequence: $0))) }
            printer.addCards(cards, toHopper: hopper)
            images += cards.map(\.image)
        }
        server = VirtualPrinterServer(printer: printer, configuration: .init(listen: .loopback(port: 0)))
        try server.start()
        guard case .tcp(_, let port)? = server.endpoint else { throw XCTSkip("the printer server has no TCP port") }

        let driverConfig = directory.appendingPathComponent("driver.json")
        let driver: [String: Any] = ["contactReader": PCSCStackTestCase.slot0, "securityModule": "none",
                                     "printer": ["kind": "escape-tcp", "escapeHost": "127.0.0.1", "escapePort": Int(port)]]
        try JSONSerialization.data(withJSONObject: driver).write(to: driverConfig)
        let station: [String: Any] = ["databasePath": "station.sqlite", "driverConfigurationPath": "driver.json",
                                      "outputDirectory": "faces",
                                      "cardManagement": ["kind": "embedded", "simulatorDatabasePath": "province-sim.sqlite"]]
        configPath = directory.appendingPathComponent("station.json").path
        try JSONSerialization.data(withJSONObject: station).write(to: URL(fileURLWithPath: configPath))
        configuration = try StationConfiguration.load(path: configPath)
        cardManagement = try SimulatedCardManagementSystem(path: configuration.resolvedSimulatorDatabasePath, seedSamples: false)

        // Stock the books: import the return file, load both hoppers.
        let database = try StationDatabase(path: configuration.databasePath)
        defer { try? database.close() }
        let inventory = PreMadeCardInventory(database: database)
        let file = SimulatedReturnFile.make(cards: images, bank: SimulatedApplications.bank)
        let url = directory.appendingPathComponent(file.fileName)
        try Data(file.text.utf8).write(to: url)
        try inventory.importReturnFile(at: url, by: StationDesk.clerk)
        try inventory.loadHopper(Hopper(1)!, cardNumbers: images.prefix(cardsPerHopper).map(\.cardNumber), by: StationDesk.clerk)
        try inventory.loadHopper(Hopper(2)!, cardNumbers: images.suffix(cardsPerHopper).map(\.cardNumber), by: StationDesk.clerk)
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

    /// Runs `issue-station` with this desk's configuration, no standard input, English messages.
    func station(_ arguments: [String], crashAfter: String? = nil) throws -> (status: Int32, reason: Process.TerminationReason, output: String) {
        let p = Process()
        p.executableURL = ToolRunner.productsDirectory.appendingPathComponent("issue-station")
        p.arguments = arguments + ["--config", configPath, "--clerk", StationDesk.clerk, "--lang", "en"]
        var environment = ProcessInfo.processInfo.environment
        environment["SSCARD_CRASH_AFTER"] = crashAfter
        p.environment = environment
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, p.terminationReason, String(decoding: data, as: UTF8.self))
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
            XCTAssertEqual(try inventory.card(XCTUnwrap(status.cardNumber))?.state, .issued(applicationID: applicationID),
                           "\(point)", file: file, line: line)
        case .failed:
            XCTAssertFalse(printedBeforeRecovery, "\(point): a printed card is 补登'd, not failed", file: file, line: line)
            XCTAssertTrue([.failed, .awaitingProduction].contains(status.state), "\(point): \(status)", file: file, line: line)
        default:
            XCTFail("\(point): ended in \(last.phaseAfter) (\(last.step))", file: file, line: line)
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
