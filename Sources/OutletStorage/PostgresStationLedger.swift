import CardManagement
import CounterDocuments
import Foundation
import InstantIssue

/// The outlet's 台账 chain as the synchronous `StationLedger` the counter calls (领卡, 工本费,
/// 回执, 日报表, `ledger verify` and `export`, the web desk): each call one transaction on the
/// books the station's `PostgresStationStock` opened, waited for on the calling thread with the
/// same bound (never from an async context, as there).
///
/// The outlet's chain is one SM3 chain for every desk (`OutletLedgerChain`), not the desk's
/// keyed chain, and the card-management system's checkpoints are per desk ledger: the
/// checkpoint comparison of `verify(anchor:against:terminal:)` is a SQLite-desk extra, left
/// out here (`checkpoints` nil; the commands say so).
public struct PostgresStationLedger: StationLedger {
    public let stock: PostgresStationStock
    public var storeName: String { "postgresql" }

    public init(stock: PostgresStationStock) { self.stock = stock }

    @discardableResult
    public func append(clerk: String, action: String, subject: String, details: String) throws -> AuditLedgerEntry {
        try wait { try await $0.appendLedgerEntry(clerk: clerk, action: action, subject: subject, details: details) }
    }

    public func entries(from start: StationTimestamp?, to end: StationTimestamp?) throws -> [AuditLedgerEntry] {
        try wait { try await $0.ledgerEntries(from: start?.text, to: end?.text) }
    }

    public func entries(subject: String) throws -> [AuditLedgerEntry] {
        try wait { try await $0.ledgerEntries(subject: subject) }
    }

    public func entries(actions: Set<String>) throws -> [AuditLedgerEntry] {
        try wait { try await $0.ledgerEntries(actions: actions) }
    }

    public func exportCSV(day: String, timeZone: TimeZone) throws -> Data {
        guard let range = StationTimestamp.range(ofDay: day, in: timeZone) else { throw AuditLedgerError.badDay(day) }
        let entries = try wait { try await $0.ledgerEntries(from: range.start, to: range.end) }
        return AuditLedger.csv(entries, timeZone: timeZone)
    }

    public func verify(anchor: AuditLedgerAnchor?) throws -> AuditLedgerVerification {
        try wait { try await $0.verifyLedger(anchor: anchor) }
    }

    public func verify(anchor: AuditLedgerAnchor?, against system: any CardManagementSystem,
                       terminal: String) throws -> AuditLedgerVerification {
        try verify(anchor: anchor)
    }

    private func wait<T: Sendable>(_ body: @escaping @Sendable (PostgresOutletBooks) async throws -> T) throws -> T {
        let books = stock.books
        return try PostgresStationStock.blocking(within: stock.patience, location: books.location.description) { try await body(books) }
    }
}

/// The outlet's `outlet_document` table as the synchronous `DocumentArchive` of the station's
/// `DocumentDesk`: every paper issued at a desk of the outlet is kept there (PDF as issued, the
/// personal data it shows as on the printed paper), listed by `documents list` at any desk of
/// the outlet, invisible to other outlets (row-level security).
public struct PostgresDocumentArchive: DocumentArchive {
    public let stock: PostgresStationStock

    public init(stock: PostgresStationStock) { self.stock = stock }

    public func keep(kind: DocumentKind, name: String, pdf: [UInt8], at date: Date) throws {
        let at = StationTimestamp(date).text
        try wait { try await $0.keepDocument(kind: kind.rawValue, name: name, pdf: pdf, createdAt: at) }
    }

    public func list(kind: DocumentKind?) throws -> [ArchivedDocument] {
        try wait { try await $0.documents(kind: kind?.rawValue) }
    }

    private func wait<T: Sendable>(_ body: @escaping @Sendable (PostgresOutletBooks) async throws -> T) throws -> T {
        let books = stock.books
        return try PostgresStationStock.blocking(within: stock.patience, location: books.location.description) { try await body(books) }
    }
}
