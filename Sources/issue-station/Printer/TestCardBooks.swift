import Foundation
import InstantIssue
import OutletStorage
import SSCardDriver

/// The station's books as a test print sees them: the card it used is found by its chip and
/// recorded as spoiled (作废, reason 测试打印) on the stock the configuration chose — the desk's
/// own, or the outlet's shared stock in PostgreSQL — so a pre-made card spent on a test never
/// goes missing. Without books (a technician's bench with no station) the technician is told
/// what to record by hand.
///
/// Held for the whole test: the desk's own database (its lock keeps a running station of this
/// desk — `issue`, `serve` — from feeding from the same printer at the same time; on the
/// outlet's books that file is the desk's journal) and, on the outlet's books, the connection
/// the spoil is booked over, made before any card moves.
struct TestCardBooks {
    static let reason = "测试打印 test print"

    let database: StationDatabase
    let stock: any StationStock

    /// The books, nil when there are none here (no station database can be opened on a desk
    /// with its own books). A database held by another station process refuses the test; on
    /// the outlet's books an unreachable database does too, before a card is fed.
    static func open(_ setup: StationSetup) throws -> TestCardBooks? {
        guard setup.station.storage.kind == .postgresql else {
            let database: StationDatabase
            do {
                database = try setup.openDatabase()
            } catch let error as StationDatabaseError {
                if case .inUse = error { throw error }
                return nil
            } catch {
                return nil
            }
            return TestCardBooks(database: database, stock: EmbeddedStationStock(
                inventory: PreMadeCardInventory(database: database), ledger: AuditLedger(database: database)))
        }
        let database = try setup.openDeskJournal()
        do {
            return TestCardBooks(database: database, stock: try PostgresStationStock.open(setup.station))
        } catch {
            try? database.close()
            throw error
        }
    }

    func close() {
        stock.close()
        try? database.close()
    }

    /// The card identification code of the card at the contact station, read through the
    /// encoder reader; nil when it cannot be read (no encoder reader, a card that is not a
    /// social security card).
    static func identifyCardAtContactStation(_ driver: DriverConfiguration) -> CardIdentificationCode? {
        let interface = SSCardInterface(configuration: driver, securityModule: nil)
        return try? interface.beginBasicReadOfFedCard(timeout: .seconds(2)).cardIdentificationCode
    }

    /// Records the card used as spoiled; says what was done, or what the technician records.
    static func recordUsed(_ card: CardIdentificationCode?, in books: TestCardBooks?, clerk: String) -> Localized {
        guard let card else { return Messages.testPrintNotIdentified }
        guard let books else { return Messages.testPrintNoBooks(card.hex) }
        do {
            guard let stocked = try books.stock.card(identifiedBy: card) else { return Messages.testPrintNotOnBooks(card.hex) }
            if stocked.state.kind.isFinal { return Messages.testPrintNotOnBooks(card.hex) }
            _ = try books.stock.spoilCard(stocked.cardNumber, reason: reason, by: clerk)
            return Messages.testPrintSpoiled(stocked.cardNumber)
        } catch {
            let advice = ErrorAdvice(for: error)
            return Messages.testPrintNotRecorded(card.hex) + Localized("（", " (") + advice.problem + Localized("）", ")")
        }
    }
}
