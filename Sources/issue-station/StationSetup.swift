import ArgumentParser
import Foundation
import CardManagement
import DeskAssembly
import InstantIssue
import OutletStorage
import SimulatedDesk
import SSCardDriver
import SSCardPrinter
#if canImport(Glibc)
import Glibc
#endif

/// What a command works with: the station configuration (`--config`), the driver
/// configuration it names, and the station database. Loading explains a bad JSON file by key
/// and reason instead of printing the decoder's dump.
struct StationSetup {
    /// The station configuration file read, nil when the defaults are used.
    let stationConfigurationPath: String?
    let station: StationConfiguration
    /// The language of the day's stock-take reminder.
    let language: Language

    init(_ global: GlobalOptions) throws {
        let path = global.config ?? StationConfiguration.defaultPath()
        stationConfigurationPath = path
        language = global.language
        station = try Self.loadStation(path: path)
    }

    /// The driver configuration file in force: the station's `driverConfigurationPath`, else
    /// the driver's own search (`SSCARD_DRIVER_CONFIG`, /etc/sscard/driver.json); nil = defaults.
    var driverConfigurationPath: String? {
        station.driverConfigurationPath ?? DriverConfiguration.defaultPath()
    }

    func driverConfiguration() throws(ConfigurationError) -> DriverConfiguration {
        try DriverConfiguration.load(path: driverConfigurationPath)
    }

    /// The station with its parts from the composition root — simulators where the
    /// configuration names them (the embedded province system, the virtual printer).
    ///
    /// The stock and ledger come from the books station.json `storage` chose, opened here once:
    /// the desk's own database, or the outlet's PostgreSQL books (with the outlet's 台账 chain as
    /// `Station.ledger` and its papers' archive behind `Station.documents`); the desk's crash
    /// journal is its own database either way. The commands book through `Station.stock` and
    /// `Station.ledger`, so each runs on either store; the stock commands take the stock alone
    /// (`withStock`), the ledger's `withLedger`.
    func openStation(journalObserver: (@Sendable (JournalEntry) -> Void)? = nil) throws -> Station {
        let assembly = DeskAssembly.withSimulators
        let driver = try driverConfiguration()
        let cardManagement = try cardManagementSystem()
        let stock = try StationBooks.stationStock(station)
        let opened: Station
        do {
            let shared = stock.map(StationBooks.sharedCounterBooks)
            opened = try Station.open(station, driverConfiguration: driver, printer: try assembly.printer(driver.printer),
                                      cardManagement: cardManagement, journalObserver: journalObserver, stock: stock,
                                      ledger: shared?.ledger, documentArchive: shared?.documents)
        } catch {
            stock?.close()
            throw error
        }
        // On the outlet's books the reminder reads the outlet's 台账, not this desk's empty local stock.
        if let stock { StockTakeReminder.remind(stock, language: language) } else {
            StockTakeReminder.remind(opened.database, language: language)
        }
        return opened
    }

    /// The card-management system the configuration names (the embedded simulator by default).
    func cardManagementSystem() throws -> any CardManagementSystem {
        try DeskAssembly.withSimulators.cardManagement(station.cardManagement,
                                                       simulatorDatabasePath: station.resolvedSimulatorDatabasePath)
    }

    /// Opens the station database, creating its folder (0700) when missing, with the configured ledger
    /// key; ledger checkpoints due while it is open go to the card-management system, which is
    /// only made when one is due. Close it when done (`withDatabase` does), so the WAL is
    /// checkpointed into the file and a checkpoint being sent gets out.
    func openDatabase() throws -> StationDatabase {
        try requireDeskBooks()
        let folder = URL(fileURLWithPath: station.databasePath).deletingLastPathComponent()
        if !FileManager.default.fileExists(atPath: folder.path) {
            do {
                try PrivateFile.makeFolder(folder.path)
            } catch {
                throw StationSetupError.databaseFolder(path: folder.path)
            }
        }
        let database = try StationDatabase(path: station.databasePath, ledgerKeyPath: station.resolvedLedgerKeyPath)
        let setup = self
        database.sendLedgerCheckpoints(terminal: station.terminal, every: station.ledgerCheckpointInterval) {
            try setup.cardManagementSystem()
        }
        StockTakeReminder.remind(database, language: language)
        return database
    }

    /// The desk's own SQLite file when the stock and ledger are the outlet's (PostgreSQL): the
    /// desk's crash journal, and its lock — held, it keeps another station process of this
    /// desk from working with the same printer (`printer test-print`). Its folder is made
    /// (0700) when missing. Nothing is booked there: no ledger checkpoints, no stock reminder.
    func openDeskJournal() throws -> StationDatabase {
        try PrivateFile.makeFolder(URL(fileURLWithPath: station.databasePath).deletingLastPathComponent().path)
        return try StationDatabase(path: station.databasePath, ledgerKeyPath: station.resolvedLedgerKeyPath)
    }

    /// Runs `body` with the open database and closes it afterwards, whatever happens.
    func withDatabase<T>(_ body: (StationDatabase) throws -> T) throws -> T {
        let database = try openDatabase()
        defer { try? database.close() }
        return try body(database)
    }

    /// Runs `body` with the stock station.json `storage` chose — the desk's own database (opened
    /// and closed as `withDatabase` does) or the outlet's PostgreSQL books (connected for the
    /// command, `reconnectWindow` the wait for a database that is away) — and lets it go afterwards.
    func withStock<T>(reconnectWindow: Duration = .seconds(30), _ body: (any StationStock) throws -> T) throws -> T {
        guard let shared = try StationBooks.stationStock(station, reconnectWindow: reconnectWindow) else {
            return try withDatabase { database in
                try body(EmbeddedStationStock(inventory: PreMadeCardInventory(database: database), ledger: AuditLedger(database: database)))
            }
        }
        defer { shared.close() }
        StockTakeReminder.remind(shared, language: language)
        return try body(shared)
    }

    /// Runs `body` with the 台账 the configuration chose: the desk's own keyed chain (its
    /// database opened and closed as `withDatabase` does) or the outlet's shared chain.
    func withLedger<T>(_ body: (any StationLedger) throws -> T) throws -> T {
        guard let stock = try StationBooks.stationStock(station) else {
            return try withDatabase { try body(AuditLedger(database: $0)) }
        }
        defer { stock.close() }
        StockTakeReminder.remind(stock, language: language)
        return try body(StationBooks.sharedCounterBooks(stock).ledger)
    }

    /// `openDatabase` is the desk's own books: on the outlet's books a call of it is a mistake
    /// of the program (it would book on the desk's empty local stock), refused rather than done.
    private func requireDeskBooks() throws {
        guard station.storage.kind == .postgresql else { return }
        let words = CommandLine.arguments.dropFirst().prefix { !$0.hasPrefix("-") }.prefix(2)
        throw StationSetupError.notOnOutletBooks(command: words.joined(separator: " "))
    }

    /// `StationConfiguration.load`, with JSON decoding errors explained by key.
    static func loadStation(path: String?) throws -> StationConfiguration {
        guard let path else { return StationConfiguration() }
        if let data = FileManager.default.contents(atPath: path) {
            do {
                _ = try JSONDecoder().decode(StationConfiguration.self, from: data)
            } catch let error as DecodingError {
                throw ConfigurationError.invalid(path: path, reason: explain(error))
            }
        }
        let loaded: Result<StationConfiguration, ConfigurationError> = Result { () throws(ConfigurationError) in
            try StationConfiguration.load(path: path)
        }
        // The station's own checks name the key, not the file.
        if case .failure(.invalid(let key, let reason)) = loaded, key != path {
            throw ConfigurationError.invalid(path: path, reason: "\(key): \(reason)")
        }
        return try loaded.get()
    }

    /// A decoding error as `key.path: what is wrong`, without Swift's dump of the context.
    static func explain(_ error: DecodingError) -> String {
        func path(_ c: DecodingError.Context) -> String {
            let p = c.codingPath.map(\.stringValue).joined(separator: ".")
            return p.isEmpty ? "" : p + ": "
        }
        switch error {
        case .dataCorrupted(let c):
            return c.codingPath.isEmpty ? "不是有效的 JSON / not valid JSON" : "\(path(c))\(c.debugDescription)"
        case .typeMismatch(let type, let c): return "\(path(c))应为 \(type) / must be \(type)"
        case .valueNotFound(let type, let c): return "\(path(c))缺少 \(type) / missing \(type)"
        case .keyNotFound(let key, let c): return "\(path(c))缺少 \(key.stringValue) / \(key.stringValue) is missing"
        @unknown default: return "不是有效的配置 / not a valid configuration"
        }
    }
}

/// Failures of setting a command up that no library reports.
enum StationSetupError: AdvisedError {
    /// The database's folder does not exist and cannot be made.
    case databaseFolder(path: String)
    /// Something asked for the desk's own database, but the stock and ledger are the outlet's.
    case notOnOutletBooks(command: String)

    var advice: ErrorAdvice {
        switch self {
        case .notOnOutletBooks(let command):
            ErrorAdvice(Localized("本窗口的库存和台账在网点共享数据库（PostgreSQL）中，“\(command)”却要用本机的库存，为免用到本机空的库存已拒绝执行",
                                  "This desk's stock and ledger are in the outlet's shared database (PostgreSQL), but \"\(command)\" asked for the desk's own stock; it was refused rather than use the desk's empty local stock"),
                        next: Localized("这是程序的错误：请把这条消息报告技术员（docs/outlet.md 列出在共享库上运行的命令）",
                                        "this is a fault of the program: report this message to the technician (docs/outlet.md lists the commands on the shared books)"))
        case .databaseFolder(let path):
            ErrorAdvice(Localized("无法创建数据库目录 \(path)", "Cannot create the database folder \(path)"),
                        next: Localized("请技术员建立该目录并授予写权限，或在站点配置中改 databasePath", "ask the technician to create it and make it writable, or change databasePath in the station configuration"))
        }
    }
}

/// `--clerk`: who does the work (经办人), recorded with every stock move and ledger entry
/// (《广东省社会保障卡经办规程》第三十六条（四）: log every card in and out).
struct ClerkOption: ParsableArguments {
    @Option(name: .customLong("clerk"), help: ArgumentHelp(
        "经办人姓名，记入出入库登记和台账；不给时用环境变量 SSCARD_CLERK，再用登录用户名。 "
            + "The clerk (经办人) recorded with stock moves and in the ledger; without it SSCARD_CLERK, else the login name.",
        valueName: "name"))
    var clerk: String?

    var resolved: String {
        let environment = ProcessInfo.processInfo.environment
        for candidate in [clerk, environment["SSCARD_CLERK"], environment["USER"], environment["LOGNAME"]] {
            if let c = candidate?.trimmingCharacters(in: .whitespaces), !c.isEmpty { return c }
        }
        if let entry = getpwuid(getuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return ""
    }
}
