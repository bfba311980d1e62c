import Foundation
import InstantIssue
import SSCardDriver

/// After a desk stopped with cards reserved (killed, power cut, database gone mid-issuance):
/// each of the desk's reservations is settled by what the desk's own journal says happened to
/// the application. The journal is local to the desk, so this works for either store.
public enum DeskRecovery {
    /// What the desk's journal knows of an application whose card is still reserved.
    public enum Outcome: Sendable, Equatable {
        /// The card was personalised and handed over: book it issued.
        case issued
        /// The card was written to but not issued: spoil it with the reason.
        case spoiled(reason: String)
        /// The card never left the hopper: give the reservation back.
        case untouched
    }

    /// Settles every reservation of this desk; returns what was done per application.
    @discardableResult
    public static func recover(_ books: any OutletBooks, clerk: String,
                               outcome: (String) throws -> Outcome) async throws -> [(applicationID: String, card: CardNumber, outcome: Outcome)] {
        var done: [(applicationID: String, card: CardNumber, outcome: Outcome)] = []
        for (card, application) in try await books.reservations() {
            let o = try outcome(application)
            switch o {
            case .issued: try await books.markIssued(card, applicationID: application, by: clerk)
            case let .spoiled(reason): try await books.markSpoiled(card, reason: reason, by: clerk)
            case .untouched: try await books.releaseReservation(applicationID: application, by: clerk)
            }
            done.append((application, card, o))
        }
        return done
    }
}
