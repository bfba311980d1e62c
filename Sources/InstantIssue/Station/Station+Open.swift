import Foundation
import SSCardDriver
import SSCardSimulator

extension Station {
    /// The station a configuration describes: its database (taking the station lock), the
    /// driver with the printer backend of the driver configuration, and the card-management
    /// system (the embedded simulator, or the HTTP contract of docs/province-api.md).
    public static func open(_ configuration: StationConfiguration,
                            journalObserver: (@Sendable (JournalEntry) -> Void)? = nil) throws -> Station {
        let driverConfiguration = try DriverConfiguration.load(path: configuration.driverConfigurationPath)
        let cardManagement = try makeCardManagement(configuration)
        try FileManager.default.createDirectory(
            atPath: URL(fileURLWithPath: configuration.databasePath).deletingLastPathComponent().path, withIntermediateDirectories: true)
        let database = try StationDatabase(path: configuration.databasePath)
        do {
            return Station(configuration: configuration, database: database, driverConfiguration: driverConfiguration,
                           printer: try PrinterBackend.make(driverConfiguration.printer), cardManagement: cardManagement,
                           journalObserver: journalObserver)
        } catch {
            try? database.close()
            throw error
        }
    }

    static func makeCardManagement(_ configuration: StationConfiguration) throws -> any CardManagementSystem {
        let setting = configuration.cardManagement
        if setting.kind == "http", let text = setting.url, let url = URL(string: text) {
            return CardManagementHTTPClient(baseURL: url, timeout: setting.timeoutSeconds)
        }
        let path = configuration.resolvedSimulatorDatabasePath
        try FileManager.default.createDirectory(
            atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path, withIntermediateDirectories: true)
        return try SimulatedCardManagementSystem(path: path)
    }
}
