import CounterDocuments
import Foundation
import InstantIssue
import Logging

/// The composition root's one decision about storage: the books a desk's configuration asks
/// for (`StationConfiguration.storage`), opened once.
public enum StationBooks {
    /// SQLite: the desk's own database (`databasePath`, which must not be open elsewhere);
    /// PostgreSQL: the outlet's database as the desk's role, migrated first when `migrate`.
    public static func open(_ configuration: StationConfiguration, migrate: Bool = true,
                            reconnectWindow: Duration = .seconds(30)) async throws -> any OutletBooks {
        let s = configuration.storage
        switch s.kind {
        case .sqlite:
            let database = try StationDatabase(path: configuration.databasePath, ledgerKeyPath: configuration.ledgerKeyPath)
            return EmbeddedOutletBooks(database: database, desk: s.desk ?? configuration.terminal)
        case .postgresql:
            return try await PostgresOutletBooks.open(location: try PostgresLocation(url: s.url ?? ""), outlet: s.outlet ?? "",
                                                      desk: s.desk ?? configuration.terminal, migrate: migrate,
                                                      reconnectWindow: reconnectWindow)
        }
    }

    /// The stock the station's issuance workflow books on (`Station.stock`): nil for SQLite
    /// (the station's own database), the outlet's PostgreSQL books otherwise, opened once here
    /// and waited on from the workflow's thread.
    public static func stationStock(_ configuration: StationConfiguration,
                                    reconnectWindow: Duration = .seconds(30)) throws -> PostgresStationStock? {
        switch configuration.storage.kind {
        case .sqlite: return nil
        case .postgresql: return try PostgresStationStock.open(configuration, reconnectWindow: reconnectWindow)
        }
    }

    /// The outlet's shared 台账 and papers over the same connection as `stock`: what the
    /// station's counter (`Station.ledger`, `Station.documents`) uses on PostgreSQL books.
    public static func sharedCounterBooks(_ stock: PostgresStationStock) -> (ledger: any StationLedger, documents: any DocumentArchive) {
        (PostgresStationLedger(stock: stock), PostgresDocumentArchive(stock: stock))
    }
}
