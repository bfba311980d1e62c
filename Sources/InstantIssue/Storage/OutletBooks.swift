import Foundation
import SSCardDriver

/// The books a desk keeps with the others of its outlet: pre-made card stock, reservations,
/// the recorded moves and the 台账. Two stores implement it: `EmbeddedOutletBooks` (the desk's
/// own SQLite file, one desk, the default) and the PostgreSQL store of `OutletStorage` (several
/// desks and outlets, docs/outlet.md). Each call is one transaction: it moves the card, records
/// the move and appends the ledger entry, or changes nothing and throws (`InventoryError`,
/// `YZKCGImportError`).
///
/// Calls that may be repeated after a lost connection are idempotent: `reserve` gives back the
/// card already reserved for the application, `markIssued` and `markSpoiled` accept a card
/// already in that state for the same application or reason.
public protocol OutletBooks: Sendable {
    /// "sqlite" or "postgresql", for reports.
    var storeName: String { get }
    /// The desk these books act for; the hoppers named in calls are this desk's.
    var desk: String { get }

    /// Imports a return file into the outlet's safe, all cards or none. A file (or a card) the
    /// outlet already has is refused with the desk and time of the first import.
    func importReturnFile(_ file: YZKCGFile, by clerk: String) async throws -> YZKCGImportReceipt
    /// Moves `count` cards of `bank` from the outlet's safe into this desk's `hopper`.
    func loadHopper(_ hopper: Hopper, bank: String, count: Int, by clerk: String) async throws -> [CardNumber]
    /// Cards of this desk's `hopper` not reserved.
    func freeCards(in hopper: Hopper) async throws -> Int
    /// Reserves a card of `bank` from this desk's hoppers for `applicationID`.
    func reserve(bank: String, applicationID: String, by clerk: String) async throws -> CardNumber
    func markIssued(_ cardNumber: CardNumber, applicationID: String, by clerk: String) async throws
    func markSpoiled(_ cardNumber: CardNumber, reason: String, by clerk: String) async throws
    func releaseReservation(applicationID: String, by clerk: String) async throws
    /// This desk's reservations: card and application.
    func reservations() async throws -> [(card: CardNumber, applicationID: String)]
    /// A ledger entry outside a card move (a note, an issuance outcome).
    func appendLedger(clerk: String, action: String, subject: String, details: String) async throws
    /// The stock invariant of the outlet (`PreMadeCardInventory.checkInvariants` on SQLite).
    func checkInvariants() async throws -> InventoryInvariantReport
    /// The ledger chain of the outlet, checked end to end.
    func verifyLedger() async throws -> AuditLedgerVerification
    func close() async throws
}

/// The SQLite books of one desk, through the synchronous `PreMadeCardInventory` and
/// `AuditLedger` the station already uses: the embedded default.
public struct EmbeddedOutletBooks: OutletBooks {
    public let database: StationDatabase
    public let desk: String
    public var storeName: String { "sqlite" }
    var inventory: PreMadeCardInventory { PreMadeCardInventory(database: database) }

    public init(database: StationDatabase, desk: String = "desk") { self.database = database; self.desk = desk }

    public func importReturnFile(_ file: YZKCGFile, by clerk: String) async throws -> YZKCGImportReceipt {
        try inventory.importReturnFile(file, by: clerk)
    }

    public func loadHopper(_ hopper: Hopper, bank: String, count: Int, by clerk: String) async throws -> [CardNumber] {
        try inventory.loadHopper(hopper, bank: bank, count: count, by: clerk).map(\.cardNumber)
    }

    public func freeCards(in hopper: Hopper) async throws -> Int {
        try inventory.cards(in: hopper).filter { $0.state.kind == .inHopper }.count
    }

    public func reserve(bank: String, applicationID: String, by clerk: String) async throws -> CardNumber {
        if let held = try inventory.reservation(for: applicationID) { return held.cardNumber }
        return try inventory.reserve(bank: bank, applicationID: applicationID, by: clerk).cardNumber
    }

    public func markIssued(_ cardNumber: CardNumber, applicationID: String, by clerk: String) async throws {
        if case .issued(let a)? = try inventory.card(cardNumber)?.state, a == applicationID { return }
        try inventory.markIssued(cardNumber, applicationID: applicationID, by: clerk)
    }

    public func markSpoiled(_ cardNumber: CardNumber, reason: String, by clerk: String) async throws {
        if case .spoiled? = try inventory.card(cardNumber)?.state { return }
        try inventory.markSpoiled(cardNumber, reason: reason, by: clerk)
    }

    public func releaseReservation(applicationID: String, by clerk: String) async throws {
        try inventory.releaseReservation(applicationID: applicationID, by: clerk)
    }

    public func reservations() async throws -> [(card: CardNumber, applicationID: String)] {
        try inventory.cards(state: .reserved).compactMap { card in
            guard case .reserved(let a) = card.state else { return nil }
            return (card.cardNumber, a)
        }
    }

    public func appendLedger(clerk: String, action: String, subject: String, details: String) async throws {
        _ = try AuditLedger(database: database).append(clerk: clerk, action: action, subject: subject, details: details)
    }

    public func checkInvariants() async throws -> InventoryInvariantReport { try inventory.checkInvariants() }
    public func verifyLedger() async throws -> AuditLedgerVerification { try AuditLedger(database: database).verify() }
    public func close() async throws { try database.close() }
}
