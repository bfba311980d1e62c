import Foundation
import InstantIssue
import SSCardDriver

/// The station's books as a test print sees them: the card it used is found by its chip and
/// recorded as spoiled (作废, reason 测试打印), so a pre-made card spent on a test never goes
/// missing. Without books (a technician's bench with no station) the technician is told what
/// to record by hand.
enum TestCardBooks {
    static let reason = "测试打印 test print"

    /// The station database, held for the whole test so that a running station cannot feed
    /// at the same time. A database held by another station process refuses the test; one
    /// that cannot be opened for another reason (no station here) means no books.
    static func open(_ setup: StationSetup) throws -> StationDatabase? {
        do {
            return try setup.openDatabase()
        } catch let error as StationDatabaseError {
            if case .inUse = error { throw error }
            return nil
        } catch {
            return nil
        }
    }

    /// The card identification code of the card at the contact station, read through the
    /// encoder reader; nil when it cannot be read (no encoder reader, a card that is not a
    /// social security card).
    static func identifyCardAtContactStation(_ driver: DriverConfiguration) -> CardIdentificationCode? {
        let interface = SSCardInterface(configuration: driver, securityModule: nil)
        return try? interface.beginBasicReadOfFedCard(timeout: .seconds(2)).cardIdentificationCode
    }

    /// Records the card used as spoiled; says what was done, or what the technician records.
    static func recordUsed(_ card: CardIdentificationCode?, in database: StationDatabase?, clerk: String) -> Localized {
        guard let card else { return Messages.testPrintNotIdentified }
        guard let database else { return Messages.testPrintNoBooks(card.hex) }
        let inventory = PreMadeCardInventory(database: database)
        do {
            guard let stocked = try inventory.card(identifiedBy: card) else { return Messages.testPrintNotOnBooks(card.hex) }
            if stocked.state.kind.isFinal { return Messages.testPrintNotOnBooks(card.hex) }
            try inventory.markSpoiled(stocked.cardNumber, reason: reason, by: clerk)
            return Messages.testPrintSpoiled(stocked.cardNumber)
        } catch {
            let advice = ErrorAdvice(for: error)
            return Messages.testPrintNotRecorded(card.hex) + Localized("（", " (") + advice.problem + Localized("）", ")")
        }
    }
}
