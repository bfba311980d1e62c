import Foundation
import Logging
import XCTest
import SSCardDriver
import SSCardSimulator
import InstantIssue
import CounterDocuments
import SimulatedDesk
import OutletStorage
@testable import CardManagement
@testable import ProvinceSimulator

/// A whole desk for station tests, in this process: a virtual printer whose contact station is
/// vpcd slot 0 of the class's private pcscd, its blank cards on the station's books (imported
/// from their YZKCG return file and loaded into the hoppers), and the embedded card-management
/// simulator in the same folder.
final class StationDesk {
    let directory: URL
    let printer: VirtualPrinter
    let cardManagement: SimulatedCardManagementSystem
    let configuration: StationConfiguration
    let driverConfiguration: DriverConfiguration
    let observer: JournalTap
    let logger: Logger
    let apduLogger: Logger
    let metrics: StationMetrics
    /// The outlet's PostgreSQL books the station books on instead of its own database (its
    /// journal and clerk accounts stay local); nil on the desk's own books.
    let outletStock: PostgresStationStock?
    private(set) var station: Station!
    static let clerk = "测试柜员"

    /// `cardsPerHopper` blank cards of 模拟银行 in hoppers 1 and 2 (numbers SIM000001…, SIM000101…);
    /// the faces in `directory/faces`, kept as `faceRetention` says.
    /// `traceAPDUs`, `logger`, `apduLogger` and `metrics` let a test watch the desk's logs and metrics;
    /// `hoppers` is driver.json's bank → hopper map. With `outletStock` the cards are not booked
    /// here: another desk imports `writeReturnFile()`, then `loadOutletHoppers()` loads them.
    init(cardsPerHopper: Int = 4, firstSequence: Int = 1, faceRetention: CardFaceRetention = .untilComplete,
         hoppers: [String: Int] = [:], traceAPDUs: Bool = false, logger: Logger = Logger(label: "sscard.station"),
         apduLogger: Logger = Logger(label: "sscard.driver.apdu"), metrics: StationMetrics = StationMetrics(),
         outletStock: PostgresStationStock? = nil) throws {
        self.outletStock = outletStock
        self.logger = logger
        self.apduLogger = apduLogger
        self.metrics = metrics
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("station-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        printer = VirtualPrinter.stocked(cardsPerHopper: cardsPerHopper, firstSequence: firstSequence)
        configuration = StationConfiguration(
            databasePath: directory.appendingPathComponent("station.sqlite").path,
            cardManagement: .init(kind: .embedded, simulatorDatabasePath: directory.appendingPathComponent("province-sim.sqlite").path),
            outputDirectory: directory.appendingPathComponent("faces").path, cardFaceRetention: faceRetention,
            documents: DocumentOutputSetting(folder: directory.appendingPathComponent("documents").path))
        driverConfiguration = DriverConfiguration(contactReader: PCSCStackTestCase.slot0, printer: .init(kind: .virtual),
                                                  hoppers: hoppers, traceAPDUs: traceAPDUs)
        cardManagement = try SimulatedCardManagementSystem(path: configuration.resolvedSimulatorDatabasePath)
        observer = JournalTap()
        try open()

        if outletStock == nil { try station.inventory.bookCards(in: printer, returnFileFolder: directory, by: Self.clerk) }
    }

    /// The return file (YZKCG) of the printer's blank cards, hopper by hopper, in `directory`.
    func writeReturnFile() throws -> URL {
        let images = (1...printer.configuration.hopperCount).flatMap { printer.cards(inHopper: $0).map(\.image) }
        let file = SimulatedReturnFile.make(cards: images, bank: SimulatedApplications.bank)
        let url = directory.appendingPathComponent(file.fileName)
        try Data(file.text.utf8).write(to: url)
        return url
    }

    /// On the outlet's books: moves the printer's cards, imported in hopper order, from the
    /// outlet's safe into this desk's hoppers — the cards each hopper physically holds.
    func loadOutletHoppers() throws {
        for number in 1...printer.configuration.hopperCount {
            let cards = printer.cards(inHopper: number).map(\.image.cardNumber)
            guard !cards.isEmpty, let hopper = Hopper(number) else { continue }
            let loaded = try station.stock.loadHopper(hopper, bank: SimulatedApplications.bank, count: cards.count, by: Self.clerk)
            XCTAssertEqual(loaded.map(\.cardNumber.value), cards, "the books load the cards hopper \(number) holds")
        }
    }

    /// Opens (again) the station on the same database, as a restarted process would.
    func open() throws {
        if let station { try station.database.close() }
        station = nil
        let tap = observer
        let shared = outletStock.map(StationBooks.sharedCounterBooks)
        station = Station(configuration: configuration, database: try StationDatabase(path: configuration.databasePath),
                          driverConfiguration: driverConfiguration, printer: printer, cardManagement: cardManagement,
                          journalObserver: { tap.saw($0) }, stock: outletStock, ledger: shared?.ledger,
                          documentArchive: shared?.documents, logger: logger, metrics: metrics, apduLogger: apduLogger)
    }

    func close() {
        try? station?.database.close()
        try? printer.eject(to: .reject)
        try? FileManager.default.removeItem(at: directory)
    }

    /// The request for a seeded application, its name resolved with `resolutions`.
    func request(_ applicationID: String, name: String? = nil) throws -> IssuanceRequest {
        let application = try cardManagement.application(id: applicationID)
        return try IssuanceRequest(application: application, name: name ?? application.name, photoJPEG: application.photoJPEG)
    }

    func issue(_ applicationID: String, name: String? = nil) throws -> IssuedCard {
        try IssuanceWorkflow(station: station).issue(request(applicationID, name: name), clerk: Self.clerk)
    }

    /// 领卡 without a card reader: an agent takes the card (no PIN at the counter), the receipt
    /// (name from the application) is filed, and its signing recorded — what `Activation` needs.
    @discardableResult
    func handOver(_ applicationID: String) throws -> DeliveredDocument {
        let handover = Handover(station: station)
        try handover.checkRecipient(
            applicationID: applicationID, recipient: .agent(PersonIdentity(name: "代领人", idNumber: "110105194912310021"), authorisation: "委托书"),
            documents: RecipientDocuments(holderIDSeen: true, recipientIDSeen: true, recipientIDCopyKept: true), clerk: Self.clerk)
        let receipt = try handover.printReceipt(applicationID: applicationID, card: nil, documents: station.documents, clerk: Self.clerk)
        try handover.recordSignature(applicationID: applicationID, clerk: Self.clerk)
        return receipt
    }

    /// The clerk at recovery: answers from what the virtual printer shows and re-inserts the
    /// printed card from the good exit when asked.
    var recoveryClerk: DeskClerk { DeskClerk(printer: printer) }

    /// The books and the printer agree with the rules after any run.
    func assertInvariants(file: StaticString = #filePath, line: UInt = #line) throws {
        let report = try station.stock.checkInvariants()
        XCTAssertTrue(report.holds, "\(report)", file: file, line: line)
        XCTAssertEqual(printer.invariantViolations(), [], file: file, line: line)
    }
}

/// Sees every journal entry; a test may act at a chosen step (pull the card, cut the network).
final class JournalTap: @unchecked Sendable {
    private let lock = NSLock()
    private var action: (step: String, run: () -> Void)?
    private(set) var steps: [String] = []

    func at(_ step: String, _ run: @escaping () -> Void) { lock.withLock { action = (step, run) } }

    func saw(_ entry: JournalEntry) {
        let run: (() -> Void)? = lock.withLock {
            steps.append(entry.journalName)
            guard let action, action.step == entry.journalName else { return nil }
            self.action = nil
            return action.run
        }
        run?()
    }
}

/// The clerk recovery talks to, answering from the virtual printer.
struct DeskClerk: RecoveryClerk {
    let printer: VirtualPrinter

    func isFacePrinted(cardNumber: CardNumber) -> Bool {
        printer.inventory().contains { $0.card.image.cardNumber == cardNumber.value && !$0.printedJobs.isEmpty }
    }

    func reinsertPrintedCard(cardNumber: CardNumber) -> Bool {
        let out = printer.collectGoodExit()
        guard let card = out.first(where: { $0.image.cardNumber == cardNumber.value }) else { return false }
        return (try? printer.feedByHand(card)) ?? false
    }
}
