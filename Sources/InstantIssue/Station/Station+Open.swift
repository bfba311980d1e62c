import CardManagement
import CounterDocuments
import Foundation
import SSCardDriver
import SSCardPrinter

extension Station {
    /// The station `configuration` describes, from parts the composition root made: opens its
    /// database (taking the station lock; its folder is made 0700 when missing) and builds the driver
    /// with `printer` over `driverConfiguration`. `stock` is the outlet's shared books when the
    /// configuration's `storage` chose them; nil books on the desk's own database; `ledger` and `documentArchive` likewise.
    public static func open(_ configuration: StationConfiguration, driverConfiguration: DriverConfiguration,
                            printer: (any CardPrinterMechanics)?, cardManagement: any CardManagementSystem,
                            journalObserver: (@Sendable (JournalEntry) -> Void)? = nil,
                            stock: (any StationStock)? = nil, ledger: (any StationLedger)? = nil,
                            documentArchive: (any DocumentArchive)? = nil) throws -> Station {
        try PrivateFile.makeFolder(URL(fileURLWithPath: configuration.databasePath).deletingLastPathComponent().path)
        let database = try StationDatabase(path: configuration.databasePath, ledgerKeyPath: configuration.resolvedLedgerKeyPath)
        return Station(configuration: configuration, database: database, driverConfiguration: driverConfiguration,
                       printer: printer, cardManagement: cardManagement, journalObserver: journalObserver, stock: stock,
                       ledger: ledger, documentArchive: documentArchive)
    }
}
