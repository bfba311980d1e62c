import CardManagement
import Dispatch
import GRDB
import Synchronization

/// Sends the 台账 head to the card-management system as a checkpoint
/// (`CardManagementSystem.ledgerCheckpoint`) after the commit of every entry whose number is a
/// multiple of the interval, of every stock-take (the daily count, 日终) and of the
/// re-anchoring. One per `StationDatabase`; the station (or a command) attaches the system
/// with `StationDatabase.sendLedgerCheckpoints`, and a checkpoint that fell due before that goes
/// out then.
///
/// Sending happens on a background queue, never inside the database transaction, so a slow or
/// unreachable system does not hold up a stock movement or an issuance. `flush()` waits for it
/// (`StationDatabase.close()` flushes). A failed send is kept as `lastError` and the head stays
/// due, so the next trigger sends the newest head; `ledger verify` sends one anyway.
final class LedgerCheckpointSender: Sendable {
    private struct State: Sendable {
        var interval = StationConfiguration.defaultLedgerCheckpointInterval
        var terminal: String?
        var system: (@Sendable () throws -> any CardManagementSystem)?
        var due: AuditLedgerAnchor?
        var lastSent: AuditLedgerAnchor?
        var lastError: String?
    }

    private let state = Mutex(State())
    private let queue = DispatchQueue(label: "sscard.ledger-checkpoints")

    /// Called in the transaction that appended `entry`: a due head is handed over after commit.
    func appended(_ entry: AuditLedgerEntry, in db: Database) {
        let interval = Int64(state.withLock { $0.interval })
        guard entry.seq % interval == 0 || entry.action == AuditLedger.stockTakeAction
                || entry.action == AuditLedger.reanchorAction else { return }
        let anchor = AuditLedgerAnchor(seq: entry.seq, hash: entry.hash)
        db.afterNextTransaction(onCommit: { [self] _ in becameDue(anchor) })
    }

    func attach(terminal: String, interval: Int, system: @escaping @Sendable () throws -> any CardManagementSystem) {
        let due = state.withLock { s -> Bool in
            s.terminal = terminal
            s.interval = max(1, interval)
            s.system = system
            return s.due != nil
        }
        if due { schedule() }
    }

    /// Waits until what was due has been sent (or failed).
    func flush() { queue.sync {} }

    /// The last head the system took, and why the last send failed (nil after a success).
    var lastSent: AuditLedgerAnchor? { state.withLock { $0.lastSent } }
    var lastError: String? { state.withLock { $0.lastError } }

    private func becameDue(_ anchor: AuditLedgerAnchor) {
        let attached = state.withLock { s -> Bool in
            if (s.due?.seq ?? 0) < anchor.seq { s.due = anchor }
            return s.system != nil
        }
        if attached { schedule() }
    }

    private func schedule() {
        queue.async { [self] in send() }
    }

    private func send() {
        guard let (anchor, terminal, system) = state.withLock({ s -> (AuditLedgerAnchor, String, @Sendable () throws -> any CardManagementSystem)? in
            guard let due = s.due, let terminal = s.terminal, let system = s.system else { return nil }
            return (due, terminal, system)
        }) else { return }
        do {
            _ = try system().ledgerCheckpoint(terminal: terminal, sequence: anchor.seq, head: anchor.hash)
            state.withLock { s in
                if s.due == anchor { s.due = nil }
                s.lastSent = anchor
                s.lastError = nil
            }
        } catch {
            state.withLock { $0.lastError = "\(error)" }
        }
    }
}

extension StationDatabase {
    /// Sends the ledger's checkpoints to `system` (made when the first one is due) as desk
    /// `terminal`, every `interval` entries and after each stock-take (docs/inventory-and-ledger.md).
    /// `Station` does this with its card-management system; a command that opens only the
    /// database may do it too.
    public func sendLedgerCheckpoints(terminal: String, every interval: Int,
                                      to system: @escaping @Sendable () throws -> any CardManagementSystem) {
        ledgerCheckpoints.attach(terminal: terminal, interval: interval, system: system)
    }

    /// Waits for a checkpoint being sent. `close()` does this too.
    public func flushLedgerCheckpoints() { ledgerCheckpoints.flush() }

    /// The newest head the card-management system took as a checkpoint from this process.
    public var lastLedgerCheckpoint: AuditLedgerAnchor? { ledgerCheckpoints.lastSent }
    /// Why the last checkpoint could not be sent; nil after a success.
    public var ledgerCheckpointError: String? { ledgerCheckpoints.lastError }
}
