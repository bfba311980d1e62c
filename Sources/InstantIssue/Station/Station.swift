import Foundation
import Logging
import SSCardDriver
import SSCardPrinter
import CardManagement
import CounterDocuments

/// One desk: its database (inventory, journal, ledger), the driver with its printer, and the
/// card-management system. The workflow, recovery and activation all work on a `Station`.
/// Opening the database takes the station lock: a second station process on the same database
/// is refused (`StationDatabaseError`).
public final class Station: Sendable {
    public let configuration: StationConfiguration
    public let database: StationDatabase
    public let inventory: PreMadeCardInventory
    public let journal: Journal
    /// The 台账 the counter appends to and reads: the desk's own keyed chain in `database` by
    /// default, the outlet's shared chain when station.json `storage` says postgresql.
    public let ledger: any StationLedger
    /// The stock and ledger the issuance workflow and recovery book on: the desk's own
    /// `inventory` and `ledger` by default, the outlet's shared books when station.json
    /// `storage` says postgresql (the journal stays in `database` either way).
    public let stock: any StationStock
    public let cardManagement: any CardManagementSystem
    public let driver: SSCardInterface
    /// Where the counter's papers go (station.json `documents`), drawn with the card's font chain.
    /// On the outlet's books each paper is also kept in the outlet's database (`documentArchive`).
    public var documents: DocumentDesk {
        var desk = configuration.documentDesk(fontChain: driver.configuration.fontChain)
        desk.archive = documentArchive
        return desk
    }
    /// The outlet's store of the counter's papers (PostgreSQL books); nil on the desk's own books.
    public let documentArchive: (any DocumentArchive)?

    /// Which hopper holds which bank's cards: the driver configuration's `hoppers`, the one
    /// source of truth the issuance chooses iLoadCard's n from (《广东省社会保障卡经办规程》附件9).
    public var hopperMap: HopperMap {
        // The configuration was validated (hoppers 1–9) before the station opened.
        (try? HopperMap(configuration: driver.configuration)) ?? .empty
    }
    /// Called after every journal entry is committed. The crash harness kills the process here
    /// (`SSCARD_CRASH_AFTER`, docs/recovery.md); nothing else should need it.
    public let journalObserver: (@Sendable (JournalEntry) -> Void)?
    /// The driver's security module: holds a card's PKI secrets between the two CA steps.
    let securityModule: CardManagementSecurityModule
    /// The station's events (issuance steps, refusals and failures with their cause, recovery,
    /// imports): label `sscard.station`; the handler masks what may not be written.
    public let logger: Logger
    /// Counters, durations and gauges of the desk (`StationMetrics`).
    public let metrics: StationMetrics

    public init(configuration: StationConfiguration, database: StationDatabase, driverConfiguration: DriverConfiguration,
                printer: (any CardPrinterMechanics)?, cardManagement: any CardManagementSystem,
                channelSource: (@Sendable (ReaderKind, DriverConfiguration) -> (any CardChannel)?)? = nil,
                journalObserver: (@Sendable (JournalEntry) -> Void)? = nil, stock: (any StationStock)? = nil,
                ledger: (any StationLedger)? = nil, documentArchive: (any DocumentArchive)? = nil,
                logger: Logger = Logger(label: "sscard.station"), metrics: StationMetrics = StationMetrics(),
                apduLogger: Logger = Logger(label: "sscard.driver.apdu")) {
        self.configuration = configuration
        self.database = database
        self.logger = logger
        self.metrics = metrics
        var inventory = PreMadeCardInventory(database: database)
        inventory.logger = logger
        inventory.metrics = metrics
        self.inventory = inventory
        journal = Journal(database: database)
        let deskLedger = AuditLedger(database: database)
        self.ledger = ledger ?? deskLedger
        self.documentArchive = documentArchive
        self.stock = stock ?? EmbeddedStationStock(inventory: inventory, ledger: deskLedger)
        self.cardManagement = cardManagement
        database.sendLedgerCheckpoints(terminal: configuration.terminal, every: configuration.ledgerCheckpointInterval) {
            cardManagement
        }
        securityModule = CardManagementSecurityModule(system: cardManagement, terminalNumber: configuration.terminal)
        driver = SSCardInterface(
            configuration: driverConfiguration, securityModule: securityModule,
            printer: printer, channelSource: channelSource, apduLogger: apduLogger, isCounter: true)
        self.journalObserver = journalObserver
    }

    /// Today's date at the desk (China time), YYYYMMDD: the 发卡日期.
    func today() -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "Asia/Shanghai")
        formatter.dateFormat = "yyyyMMdd"
        return formatter.string(from: database.clock())
    }

    /// Appends a journal entry for `record` and tells the observer.
    @discardableResult
    func record(_ record: IssuanceRecord, _ step: IssuanceStep, _ stage: IssuanceStep.Stage,
                from before: IssuancePhase, to after: IssuancePhase) throws -> JournalEntry {
        let entry = try journal.append(applicationID: record.applicationID, cardNumber: record.cardNumber,
                                       step: step, stage: stage, phaseBefore: before, phaseAfter: after, resumeData: record)
        journalObserver?(entry)
        return entry
    }
}
