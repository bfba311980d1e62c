import Synchronization

/// The station's printer, one job at a time: an issuance or a recovery holds it until it ends.
/// A second tab asking for it is told who holds it ("busy") and no second card is fed.
final class PrinterSlot: Sendable {
    struct Holder: Sendable, Hashable {
        var clerk: String
        var applicationID: String
        var what: Text
    }
    private let holder = Mutex<Holder?>(nil)

    /// Takes the printer for `claimant`; returns the current holder instead when it is taken.
    func claim(_ claimant: Holder) -> Holder? {
        holder.withLock { current in
            if let current { return current }
            current = claimant
            return nil
        }
    }

    func release() { holder.withLock { $0 = nil } }
    var current: Holder? { holder.withLock { $0 } }
}
