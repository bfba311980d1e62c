import CardManagement
import Foundation

/// The 台账 calls the counter makes (领卡, 工本费, 回执, 日报表, 逾期未领卡, `ledger verify` and
/// `export`, the web desk's ledger page), synchronous like the workflow. The composition root
/// chooses it with the books (`StationConfiguration.storage`): the desk's own keyed chain
/// (`AuditLedger`, the SQLite default, unchanged) or the outlet's one chain in PostgreSQL
/// (`OutletStorage`, docs/outlet.md). Each call is one transaction on the books.
public protocol StationLedger: Sendable {
    /// "sqlite" or "postgresql", for messages and reports.
    var storeName: String { get }
    /// Appends one entry now. Throws `AuditLedgerError.clerkRequired` when `clerk` is empty.
    @discardableResult
    func append(clerk: String, action: String, subject: String, details: String) throws -> AuditLedgerEntry
    /// Entries in order, optionally those recorded from `start` (inclusive) to `end` (exclusive).
    func entries(from start: StationTimestamp?, to end: StationTimestamp?) throws -> [AuditLedgerEntry]
    /// The entries about one card or application (`subject`), in order.
    func entries(subject: String) throws -> [AuditLedgerEntry]
    /// The entries of these actions, in order: the counter's lists over the outlet's years
    /// (cards waiting for their holder, cards not collected) read only the entries they use.
    func entries(actions: Set<String>) throws -> [AuditLedgerEntry]
    /// One day's entries as CSV (`AuditLedger.csv`).
    func exportCSV(day: String, timeZone: TimeZone) throws -> Data
    /// Walks the whole chain; `anchor`, a head taken earlier, also catches entries cut off the end.
    func verify(anchor: AuditLedgerAnchor?) throws -> AuditLedgerVerification
    /// `verify(anchor:)`, then, where the store keeps them, against the card-management
    /// system's checkpoints (the desk's SQLite chain only: on the outlet's chain `checkpoints`
    /// stays nil and the caller says the comparison is a desk-ledger extra).
    func verify(anchor: AuditLedgerAnchor?, against system: any CardManagementSystem, terminal: String) throws -> AuditLedgerVerification
}

extension StationLedger {
    /// The outlet's shared chain, not the desk's own.
    public var isShared: Bool { storeName != "sqlite" }
    /// Appends an entry without details.
    @discardableResult
    public func append(clerk: String, action: String, subject: String) throws -> AuditLedgerEntry {
        try append(clerk: clerk, action: action, subject: subject, details: "")
    }
    /// Every entry, in order.
    public func entries() throws -> [AuditLedgerEntry] { try entries(from: nil, to: nil) }
    /// The whole chain checked, without an anchor.
    public func verify() throws -> AuditLedgerVerification { try verify(anchor: nil) }
    /// Checked against the card-management system's checkpoints where the store keeps them.
    public func verify(against system: any CardManagementSystem, terminal: String) throws -> AuditLedgerVerification {
        try verify(anchor: nil, against: system, terminal: terminal)
    }
}

extension AuditLedger: StationLedger {
    public var storeName: String { "sqlite" }
}
