import Foundation
import SSCardDriver
import CardManagement
import CounterDocuments

/// What a desk is configured with (docs/configuration.md, "station"): where its database
/// lives, which driver configuration it uses, how it reaches the card-management system, and
/// who it is. Read from JSON; every field has a default so an empty file is a working
/// simulated desk.
public struct StationConfiguration: Codable, Hashable, Sendable {
    /// The station database (inventory, journal, ledger). One station process per database.
    public var databasePath: String
    /// The driver's configuration file; nil = the driver's own search (`SSCARD_CONFIG`, /etc).
    public var driverConfigurationPath: String?
    /// How the card-management system is reached.
    public var cardManagement: CardManagementSetting
    /// 终端机编号 of the desk, 12 characters, reported with every status.
    public var terminal: String
    /// Where card-face previews and printed faces are written (PNG).
    public var outputDirectory: String
    /// 卡有效期: years from the issue date written to EF05 [design: configurable; 10 years].
    public var cardValidityYears: Int
    /// How long the card-face PNGs in `outputDirectory` are kept (`CardFaceRetention`); by default
    /// only until the issuance is complete.
    public var cardFaceRetention: CardFaceRetention
    /// The desk key file of the ledger's keyed chain (docs/inventory-and-ledger.md), created on
    /// first use with mode 0600. From a configuration file: `ledger.key` beside it unless given;
    /// with no file at all: /etc/sscard/ledger.key; nil: `ledger.key` beside the database.
    public var ledgerKeyPath: String?
    /// Every how many ledger entries the head goes to the card-management system as a checkpoint.
    public var ledgerCheckpointInterval: Int
    /// Where the counter's papers go (handover receipt, 受理回执, daily report): a CUPS queue, or
    /// a private folder kept five years by default (第十二条（三）).
    public var documents: DocumentOutputSetting
    /// The 工本费 and the city's waivers (第二十二条、第二十八条).
    public var fees: FeeSetting
    /// Where stock, reservations and ledger live: the desk's SQLite file (default) or the
    /// outlet's PostgreSQL (`StorageSetting`, docs/outlet.md).
    public var storage: StorageSetting = .init()

    public static let defaultDatabasePath = "/var/lib/sscard/station.sqlite"
    public static let defaultOutputDirectory = "/var/lib/sscard/faces"
    /// The key file of a desk with no station configuration file.
    public static let defaultLedgerKeyPath = "/etc/sscard/ledger.key"
    public static let defaultLedgerCheckpointInterval = 100

    public init(databasePath: String = StationConfiguration.defaultDatabasePath, driverConfigurationPath: String? = nil,
                cardManagement: CardManagementSetting = .init(), terminal: String = "SSDESK000001",
                outputDirectory: String = StationConfiguration.defaultOutputDirectory, cardValidityYears: Int = 10,
                cardFaceRetention: CardFaceRetention = .untilComplete,
                ledgerKeyPath: String? = nil, ledgerCheckpointInterval: Int = StationConfiguration.defaultLedgerCheckpointInterval,
                documents: DocumentOutputSetting = DocumentOutputSetting(), fees: FeeSetting = FeeSetting()) {
        self.documents = documents
        self.fees = fees
        self.databasePath = databasePath; self.driverConfigurationPath = driverConfigurationPath
        self.cardManagement = cardManagement; self.terminal = terminal; self.outputDirectory = outputDirectory
        self.cardValidityYears = cardValidityYears
        self.cardFaceRetention = cardFaceRetention
        self.ledgerKeyPath = ledgerKeyPath; self.ledgerCheckpointInterval = ledgerCheckpointInterval
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = StationConfiguration()
        databasePath = try c.decodeIfPresent(String.self, forKey: .databasePath) ?? d.databasePath
        driverConfigurationPath = try c.decodeIfPresent(String.self, forKey: .driverConfigurationPath)
        cardManagement = try c.decodeIfPresent(CardManagementSetting.self, forKey: .cardManagement) ?? d.cardManagement
        terminal = try c.decodeIfPresent(String.self, forKey: .terminal) ?? d.terminal
        outputDirectory = try c.decodeIfPresent(String.self, forKey: .outputDirectory) ?? d.outputDirectory
        cardValidityYears = try c.decodeIfPresent(Int.self, forKey: .cardValidityYears) ?? d.cardValidityYears
        cardFaceRetention = try c.decodeIfPresent(CardFaceRetention.self, forKey: .cardFaceRetention) ?? d.cardFaceRetention
        ledgerKeyPath = try c.decodeIfPresent(String.self, forKey: .ledgerKeyPath)
        ledgerCheckpointInterval = try c.decodeIfPresent(Int.self, forKey: .ledgerCheckpointInterval) ?? d.ledgerCheckpointInterval
        documents = try c.decodeIfPresent(DocumentOutputSetting.self, forKey: .documents) ?? d.documents
        fees = try c.decodeIfPresent(FeeSetting.self, forKey: .fees) ?? d.fees
        storage = try c.decodeIfPresent(StorageSetting.self, forKey: .storage) ?? d.storage
    }

    /// `SSCARD_STATION_CONFIG`, else /etc/sscard/station.json when it exists, else nil (defaults).
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let path = environment["SSCARD_STATION_CONFIG"], !path.isEmpty { return path }
        return FileManager.default.fileExists(atPath: "/etc/sscard/station.json") ? "/etc/sscard/station.json" : nil
    }

    /// Loads `path` (nil = `defaultPath()`, or the defaults when there is none). Relative
    /// paths inside the file are taken relative to the file's folder.
    public static func load(path: String?) throws(ConfigurationError) -> StationConfiguration {
        guard let path = path ?? defaultPath() else { return StationConfiguration(ledgerKeyPath: defaultLedgerKeyPath) }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw .unreadable(path: path, reason: error.localizedDescription)
        }
        var configuration: StationConfiguration
        do { configuration = try JSONDecoder().decode(StationConfiguration.self, from: data) } catch let error as DecodingError {
            throw .invalid(path: path, reason: ConfigurationError.explain(error))
        } catch {
            throw .invalid(path: path, reason: "\(error)")
        }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        func absolute(_ p: String) -> String { p.hasPrefix("/") ? p : folder.appendingPathComponent(p).path }
        configuration.databasePath = absolute(configuration.databasePath)
        configuration.outputDirectory = absolute(configuration.outputDirectory)
        configuration.documents.folder = absolute(configuration.documents.folder)
        configuration.driverConfigurationPath = configuration.driverConfigurationPath.map(absolute)
        configuration.ledgerKeyPath = absolute(configuration.ledgerKeyPath ?? "ledger.key")
        configuration.cardManagement.simulatorDatabasePath = configuration.cardManagement.simulatorDatabasePath.map(absolute)
        configuration.cardManagement.credentialFile = configuration.cardManagement.credentialFile.map(absolute)
        configuration.cardManagement.caFile = configuration.cardManagement.caFile.map(absolute)
        try configuration.validate(path: path)
        return configuration
    }

    func validate(path: String) throws(ConfigurationError) {
        try storage.validate()
        if cardManagement.kind == .http {
            guard let url = cardManagement.url.flatMap(URL.init(string:)) else {
                throw .invalid(path: "cardManagement.url", reason: "an http card-management system needs a url")
            }
            let scheme = url.scheme?.lowercased()
            guard scheme == "https" || (scheme == "http" && url.host.map(CardManagementHTTPClient.isLoopbackHost) == true) else {
                throw .invalid(path: "cardManagement.url",
                               reason: "\(url) is not https://host:port (plain http:// only to 127.0.0.0/8, docs/province-api.md §4)")
            }
        }
        guard terminal.count == 12, terminal.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            throw .invalid(path: "terminal", reason: "\"\(terminal)\" is not 12 letters or digits")
        }
        guard (1...30).contains(cardValidityYears) else {
            throw .invalid(path: "cardValidityYears", reason: "\(cardValidityYears) is not 1–30")
        }
        guard (1...100_000).contains(ledgerCheckpointInterval) else {
            throw .invalid(path: "ledgerCheckpointInterval", reason: "\(ledgerCheckpointInterval) is not 1–100000")
        }
        if let ledgerKeyPath, ledgerKeyPath == databasePath {
            throw .invalid(path: "ledgerKeyPath", reason: "the ledger key cannot be the database itself")
        }
    }

    /// The ledger key file in force: `ledgerKeyPath`, else `ledger.key` beside the database.
    public var resolvedLedgerKeyPath: String {
        ledgerKeyPath ?? URL(fileURLWithPath: databasePath).deletingLastPathComponent().appendingPathComponent("ledger.key").path
    }

    /// The desk's papers: printed on `documents.printerQueue`, or filed in `documents.folder`,
    /// drawn with the driver configuration's font chain (the card face's).
    public func documentDesk(fontChain: [DriverConfiguration.FontFace]) -> DocumentDesk {
        DocumentDesk(setting: documents, renderer: DocumentRenderer(fontFaces: fontChain))
    }

    /// The card-face PNGs of this desk: `outputDirectory` under `cardFaceRetention`.
    public var cardFaces: CardFaceFiles { CardFaceFiles(directory: outputDirectory, retention: cardFaceRetention) }

    /// Where the embedded simulator keeps its state.
    public var resolvedSimulatorDatabasePath: String {
        cardManagement.simulatorDatabasePath
            ?? URL(fileURLWithPath: databasePath).deletingLastPathComponent().appendingPathComponent("province-sim.sqlite").path
    }
}
