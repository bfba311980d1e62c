import CounterDocuments
import Foundation
import InstantIssue
import NIOCore
import PostgresNIO

/// The outlet's 台账 chain and papers as the counter reads and writes them (`PostgresStationLedger`,
/// `PostgresDocumentArchive`): each call one transaction, the outlet's rows only (row-level
/// security keeps a desk's role to its outlet whatever the query says).
extension PostgresOutletBooks {
    /// Appends one entry and returns it as stored (its seq and hash), in one transaction.
    public func appendLedgerEntry(clerk: String, action: String, subject: String, details: String) async throws -> AuditLedgerEntry {
        guard !clerk.trimmingCharacters(in: .whitespaces).isEmpty else { throw AuditLedgerError.clerkRequired }
        return try await transaction { c, at in
            try await self.appendLedger(c, at: at, clerk: clerk, action: action, subject: subject, details: details)
            // Still under the outlet's advisory lock: the head is the entry just appended.
            guard let entry = try await self.ledgerRows(c, tail: "ORDER BY seq DESC LIMIT 1").first else {
                throw OutletStorageError.server(sqlState: "-", message: "台账追加后读不到本条 the appended ledger entry cannot be read back")
            }
            return Self.auditEntry(entry)
        }
    }

    /// Entries recorded from `start` (inclusive) to `end` (exclusive), in chain order.
    public func ledgerEntries(from start: String?, to end: String?) async throws -> [AuditLedgerEntry] {
        try await run { c in
            var q: PostgresQuery = """
                SELECT seq, desk, recorded_at, clerk, action, subject, details, previous_hash, hash
                FROM ledger_entry WHERE outlet = \(self.outlet)
                """
            // Timestamps compare as bytes, as on the desk's SQLite ledger, whatever the database's collation.
            if let start { q.sql += " AND recorded_at COLLATE \"C\" >= $\(q.binds.count + 1)"; q.binds.append(start) }
            if let end { q.sql += " AND recorded_at COLLATE \"C\" < $\(q.binds.count + 1)"; q.binds.append(end) }
            q.sql += " ORDER BY seq"
            return try await self.ledgerRows(c, q).map(Self.auditEntry)
        }
    }

    /// The entries about one card or application, in chain order.
    public func ledgerEntries(subject: String) async throws -> [AuditLedgerEntry] {
        try await run { c in
            let q: PostgresQuery = """
                SELECT seq, desk, recorded_at, clerk, action, subject, details, previous_hash, hash
                FROM ledger_entry WHERE outlet = \(self.outlet) AND subject = \(subject) ORDER BY seq
                """
            return try await self.ledgerRows(c, q).map(Self.auditEntry)
        }
    }

    /// The entries of these actions, in chain order (index `ledger_entry_by_action`, schema version 5).
    public func ledgerEntries(actions: Set<String>) async throws -> [AuditLedgerEntry] {
        guard !actions.isEmpty else { return [] }
        return try await run { c in
            let q: PostgresQuery = """
                SELECT seq, desk, recorded_at, clerk, action, subject, details, previous_hash, hash
                FROM ledger_entry WHERE outlet = \(self.outlet) AND action = ANY(\(actions.sorted())) ORDER BY seq
                """
            return try await self.ledgerRows(c, q).map(Self.auditEntry)
        }
    }

    /// The whole chain checked (`OutletLedgerChain.verify`), then against `anchor`, a head taken earlier.
    public func verifyLedger(anchor: AuditLedgerAnchor?) async throws -> AuditLedgerVerification {
        var result = try await verifyLedger()
        guard let anchor else { return result }
        let entries = try await ledgerEntries(from: nil, to: nil)
        if let entry = entries.first(where: { $0.seq == anchor.seq }) {
            if entry.hash != anchor.hash { result.problems.append(.anchorMismatch(seq: anchor.seq)) }
        } else {
            result.problems.append(.missing(seqs: anchor.seq...anchor.seq))
        }
        result.problems.sort { $0.seq < $1.seq }
        return result
    }

    /// Keeps a paper of this desk in `outlet_document`; a name kept before is left as it is.
    public func keepDocument(kind: String, name: String, pdf: [UInt8], createdAt: String) async throws {
        _ = try await transaction { c, _ in
            try await c.query("""
                INSERT INTO outlet_document (outlet, desk, kind, name, content, created_at)
                VALUES (\(self.outlet), \(self.desk), \(kind), \(name), \(ByteBuffer(bytes: pdf)), \(createdAt))
                ON CONFLICT (outlet, kind, name) DO NOTHING
                """, logger: self.logger)
        }
    }

    /// The outlet's papers, newest first (`kind` only when given): desk, kind, name, time, size.
    public func documents(kind: String?) async throws -> [ArchivedDocument] {
        try await run { c in
            var q: PostgresQuery = """
                SELECT desk, kind, name, created_at, octet_length(content)::bigint FROM outlet_document WHERE outlet = \(self.outlet)
                """
            if let kind { q.sql += " AND kind = $\(q.binds.count + 1)"; q.binds.append(kind) }
            q.sql += " ORDER BY created_at COLLATE \"C\" DESC, id DESC"
            var out: [ArchivedDocument] = []
            for try await (d, k, n, at, size) in try await c.query(q, logger: self.logger).decode((String, String, String, String, Int).self) {
                out.append(ArchivedDocument(desk: d, kind: k, name: n, createdAt: at, byteCount: size))
            }
            return out
        }
    }

    /// The content of the outlet's paper `name` of `kind`, nil when there is none.
    public func document(kind: String, name: String) async throws -> [UInt8]? {
        try await run { c in
            var found: [UInt8]?
            for try await (content) in try await c.query("""
                SELECT content FROM outlet_document WHERE outlet = \(self.outlet) AND kind = \(kind) AND name = \(name)
                """, logger: self.logger).decode(ByteBuffer.self) { found = Array(buffer: content) }
            return found
        }
    }

    private func ledgerRows(_ c: PostgresConnection, tail: String) async throws -> [OutletLedgerChain.Entry] {
        var q: PostgresQuery = """
            SELECT seq, desk, recorded_at, clerk, action, subject, details, previous_hash, hash
            FROM ledger_entry WHERE outlet = \(outlet)
            """
        q.sql += " " + tail
        return try await ledgerRows(c, q)
    }

    private func ledgerRows(_ c: PostgresConnection, _ q: PostgresQuery) async throws -> [OutletLedgerChain.Entry] {
        var entries: [OutletLedgerChain.Entry] = []
        for try await (seq, d, at, clerk, action, subject, details, previous, hash) in try await c.query(q, logger: logger)
            .decode((Int64, String, String, String, String, String, String, String, String).self) {
            entries.append(.init(outlet: outlet, seq: seq, desk: d, recordedAt: at, clerk: clerk, action: action,
                                 subject: subject, details: details, previousHash: previous, hash: hash))
        }
        return entries
    }

    static func auditEntry(_ e: OutletLedgerChain.Entry) -> AuditLedgerEntry {
        AuditLedgerEntry(seq: e.seq, recordedAt: StationTimestamp(text: e.recordedAt) ?? StationTimestamp(uncheckedText: e.recordedAt),
                         clerk: e.clerk, action: e.action, subject: e.subject, details: e.details,
                         previousHash: e.previousHash, hash: e.hash, desk: e.desk)
    }
}
