import Foundation
import GRDB
import SSCardDriver

/// 台账: the station's handling records — who did what to which card or application, and when.
/// 《广东省社会保障卡经办规程》第十二条（三）: 发放管理台账
/// "应与省卡管系统电子记录一致，并至少保管5年" (must match the card-management system's records and
/// be kept at least 5 years); 第三十六条 (四) asks for a record of every pre-made card in and out
/// (出入库及使用登记).
///
/// Append-only: SQLite triggers refuse UPDATE and DELETE, and each entry carries the SM3 hash of
/// its canonical serialisation (`canonicalBytes`), which includes the previous entry's hash, so
/// `verify()` finds an edited, deleted or reordered entry even when someone dropped the triggers.
/// Removing the newest entries leaves a shorter but valid chain: keep the `head()` printed on the
/// daily stock-take and pass it to `verify(anchor:)` to catch that too.
public struct AuditLedger: Sendable {
    public let database: StationDatabase

    public init(database: StationDatabase) { self.database = database }

    /// The previous hash of the first entry: 64 zeros.
    public static let genesisHash = String(repeating: "0", count: 64)

    /// Appends one entry now, in its own transaction. Throws `AuditLedgerError.clerkRequired` when
    /// `clerk` (经办人) is empty.
    @discardableResult
    public func append(clerk: String, action: String, subject: String, details: String = "") throws -> AuditLedgerEntry {
        let at = database.timestamp()
        return try database.pool.write { db in
            try Self.append(db, at: at, clerk: clerk, action: action, subject: subject, details: details)
        }
    }

    /// Appends inside the caller's transaction, so a stock movement and its ledger entry commit
    /// together or not at all.
    @discardableResult
    static func append(_ db: Database, at: StationTimestamp, clerk: String, action: String, subject: String,
                       details: String) throws -> AuditLedgerEntry {
        guard !clerk.trimmingCharacters(in: .whitespaces).isEmpty else { throw AuditLedgerError.clerkRequired }
        let last = try Row.fetchOne(db, sql: "SELECT seq, hash FROM audit_ledger ORDER BY seq DESC LIMIT 1")
        let seq: Int64 = (last?["seq"] as Int64? ?? 0) + 1
        let previous: String = last?["hash"] ?? genesisHash
        var entry = AuditLedgerEntry(seq: seq, recordedAt: at, clerk: clerk, action: action, subject: subject,
                                     details: details, previousHash: previous, hash: "")
        entry.hash = try entry.computedHash()
        try db.execute(
            sql: """
                INSERT INTO audit_ledger (seq, recorded_at, clerk, action, subject, details, previous_hash, hash)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [entry.seq, entry.recordedAt.text, clerk, action, subject, details, previous, entry.hash])
        return entry
    }

    /// The newest entry's number and hash; nil when the ledger is empty.
    public func head() throws -> AuditLedgerAnchor? {
        try database.pool.read { db in
            try Row.fetchOne(db, sql: "SELECT seq, hash FROM audit_ledger ORDER BY seq DESC LIMIT 1")
                .map { AuditLedgerAnchor(seq: $0["seq"], hash: $0["hash"]) }
        }
    }

    /// Entries in order, optionally those recorded from `start` (inclusive) to `end` (exclusive).
    public func entries(from start: StationTimestamp? = nil, to end: StationTimestamp? = nil) throws -> [AuditLedgerEntry] {
        try database.pool.read { db in
            try AuditLedgerEntry.fetchAll(
                db,
                sql: "SELECT * FROM audit_ledger WHERE recorded_at >= ? AND recorded_at < ? ORDER BY seq",
                arguments: [start?.text ?? "", end?.text ?? "\u{10FFFF}"])
        }
    }

    /// Walks the whole chain and names every entry that was edited, removed or moved. `anchor`, a
    /// head taken earlier, also catches entries removed from the end.
    public func verify(anchor: AuditLedgerAnchor? = nil) throws -> AuditLedgerVerification {
        let entries = try database.pool.read { db in
            try AuditLedgerEntry.fetchAll(db, sql: "SELECT * FROM audit_ledger ORDER BY seq")
        }
        return Self.verify(entries, anchor: anchor)
    }

    static func verify(_ entries: [AuditLedgerEntry], anchor: AuditLedgerAnchor?) -> AuditLedgerVerification {
        var problems: [AuditLedgerProblem] = []
        // Pass 1: does each entry match its own hash where it stands?
        var intact = [Bool](repeating: false, count: entries.count)
        for (i, entry) in entries.enumerated() {
            intact[i] = (try? entry.computedHash()) == entry.hash
        }
        // An entry that fails at its position but hashes correctly under another failing position's
        // number was moved there; otherwise its content was edited. Bounded: tampering touches few.
        let failing = entries.indices.filter { !intact[$0] }
        var moved = Set<Int>()
        for i in failing {
            var found: Int64?
            if failing.count <= 10_000 {
                for j in failing where j != i {
                    var candidate = entries[i]
                    candidate.seq = entries[j].seq
                    if (try? candidate.computedHash()) == entries[i].hash { found = entries[j].seq; break }
                }
            }
            if let original = found {
                moved.insert(i)
                problems.append(.moved(seq: entries[i].seq, recordedAs: original))
            } else {
                problems.append(.edited(seq: entries[i].seq))
            }
        }
        // Pass 2: numbering and links between neighbours that are themselves intact.
        for i in entries.indices {
            let expectedSeq: Int64 = i == 0 ? 1 : entries[i - 1].seq + 1
            if entries[i].seq > expectedSeq {
                problems.append(.missing(seqs: expectedSeq...(entries[i].seq - 1)))
                continue
            }
            guard intact[i], i == 0 || intact[i - 1] else { continue }
            let expectedPrevious = i == 0 ? genesisHash : entries[i - 1].hash
            if entries[i].previousHash != expectedPrevious {
                problems.append(.chainBroken(seq: entries[i].seq))
            }
        }
        if let anchor {
            if let entry = entries.first(where: { $0.seq == anchor.seq }) {
                if entry.hash != anchor.hash { problems.append(.anchorMismatch(seq: anchor.seq)) }
            } else {
                problems.append(.missing(seqs: anchor.seq...anchor.seq))
            }
        }
        problems.sort { $0.seq < $1.seq }
        return AuditLedgerVerification(entryCount: entries.count, head: entries.last.map {
            AuditLedgerAnchor(seq: $0.seq, hash: $0.hash)
        }, problems: problems)
    }

    /// One day's entries (`day` as `YYYY-MM-DD` in `timeZone`) as CSV for spreadsheet users:
    /// UTF-8 with a byte-order mark, CRLF line ends and RFC 4180 quoting, a header row first.
    /// A cell that starts with `=`, `+`, `-`, `@`, tab or CR gets a leading `'` so a spreadsheet
    /// shows it as text instead of running it as a formula (the ledger itself keeps the original).
    public func exportCSV(day: String, timeZone: TimeZone = .current) throws -> Data {
        guard let range = StationTimestamp.range(ofDay: day, in: timeZone) else {
            throw AuditLedgerError.badDay(day)
        }
        let entries = try database.pool.read { db in
            try AuditLedgerEntry.fetchAll(
                db, sql: "SELECT * FROM audit_ledger WHERE recorded_at >= ? AND recorded_at < ? ORDER BY seq",
                arguments: [range.start, range.end])
        }
        let local = DateFormatter()
        local.locale = Locale(identifier: "en_US_POSIX")
        local.timeZone = timeZone
        local.dateFormat = "yyyy-MM-dd HH:mm:ss.SSS"
        var rows = [Self.csvHeader]
        for e in entries {
            rows.append([String(e.seq), e.recordedAt.text, local.string(from: e.recordedAt.date), e.clerk, e.action,
                         e.subject, e.details, e.previousHash, e.hash])
        }
        var text = "\u{FEFF}"
        for row in rows {
            text += row.map(Self.csvCell).joined(separator: ",")
            text += "\r\n"
        }
        return Data(text.utf8)
    }

    /// 序号, 记录时间(UTC), 本地时间, 经办人, 操作, 对象, 详情, 前一条哈希, 本条哈希.
    public static let csvHeader = ["序号", "记录时间(UTC)", "本地时间", "经办人", "操作", "对象", "详情", "前一条哈希", "本条哈希"]

    static func csvCell(_ value: String) -> String {
        var v = value
        if let first = v.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) { v = "'" + v }
        guard v.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else {
            return v
        }
        return "\"" + v.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func createSchema(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE audit_ledger (
                seq INTEGER PRIMARY KEY CHECK (seq >= 1),
                recorded_at TEXT NOT NULL,
                clerk TEXT NOT NULL CHECK (clerk <> ''),
                action TEXT NOT NULL,
                subject TEXT NOT NULL,
                details TEXT NOT NULL,
                previous_hash TEXT NOT NULL,
                hash TEXT NOT NULL UNIQUE
            );
            CREATE INDEX audit_ledger_recorded_at ON audit_ledger (recorded_at);
            CREATE TRIGGER audit_ledger_no_update BEFORE UPDATE ON audit_ledger
                BEGIN SELECT RAISE(ABORT, '台账只能追加 the audit ledger is append-only'); END;
            CREATE TRIGGER audit_ledger_no_delete BEFORE DELETE ON audit_ledger
                BEGIN SELECT RAISE(ABORT, '台账只能追加 the audit ledger is append-only'); END;
            """)
    }
}

/// One 台账 entry: who (经办人) did what (操作) to which card or application (对象), when.
public struct AuditLedgerEntry: Hashable, Sendable, FetchableRecord {
    /// 1, 2, 3… with no gaps.
    public var seq: Int64
    public var recordedAt: StationTimestamp
    public var clerk: String
    /// What happened, e.g. `card.issued`, `yzkcg.import`, `stock.take`.
    public var action: String
    /// The card number, application id or file it concerns.
    public var subject: String
    /// Compact JSON or free text; never a PIN, key or password.
    public var details: String
    /// `hash` of the entry before, `AuditLedger.genesisHash` for the first.
    public var previousHash: String
    /// SM3 of `canonicalBytes`, 64 upper-case hex.
    public var hash: String

    public init(row: Row) throws {
        seq = row["seq"]
        let recorded: String = row["recorded_at"]
        // An unparsable time is kept as written so verify() reports the entry as edited.
        recordedAt = StationTimestamp(text: recorded) ?? StationTimestamp(uncheckedText: recorded)
        clerk = row["clerk"]; action = row["action"]; subject = row["subject"]; details = row["details"]
        previousHash = row["previous_hash"]; hash = row["hash"]
    }

    init(seq: Int64, recordedAt: StationTimestamp, clerk: String, action: String, subject: String, details: String,
         previousHash: String, hash: String) {
        self.seq = seq; self.recordedAt = recordedAt; self.clerk = clerk; self.action = action
        self.subject = subject; self.details = details; self.previousHash = previousHash; self.hash = hash
    }

    /// `SSCARD-LEDGER-1\n` then seq, recorded_at, clerk, action, subject, details and previous_hash,
    /// each as `<UTF-8 byte count>:<bytes>\n`. Length prefixes make the split unambiguous: no
    /// content can be moved from one field to its neighbour without changing the hash.
    public var canonicalBytes: [UInt8] {
        var out = Array("SSCARD-LEDGER-1\n".utf8)
        for field in [String(seq), recordedAt.text, clerk, action, subject, details, previousHash] {
            let bytes = Array(field.utf8)
            out += Array("\(bytes.count):".utf8)
            out += bytes
            out.append(0x0A)
        }
        return out
    }

    func computedHash() throws -> String { try SM3.hash(canonicalBytes).hexString }
}

/// A ledger position to check later: the entry number and the hash it had.
public struct AuditLedgerAnchor: Hashable, Sendable, CustomStringConvertible {
    public var seq: Int64
    public var hash: String
    public init(seq: Int64, hash: String) { self.seq = seq; self.hash = hash }
    public var description: String { "#\(seq) \(hash)" }
}

/// What `AuditLedger.verify` found.
public struct AuditLedgerVerification: Hashable, Sendable, CustomStringConvertible {
    public var entryCount: Int
    public var head: AuditLedgerAnchor?
    /// In ledger order; empty when the chain is intact.
    public var problems: [AuditLedgerProblem]
    public var isIntact: Bool { problems.isEmpty }

    public var description: String {
        if isIntact { return "台账完整 ledger intact: \(entryCount) entries, head \(head.map(\.description) ?? "none")" }
        return "台账被改动 ledger tampered:\n" + problems.map { "  \($0)" }.joined(separator: "\n")
    }
}

/// One finding of `AuditLedger.verify`.
public enum AuditLedgerProblem: Hashable, Sendable, CustomStringConvertible {
    /// The entry at `seq` does not match its own hash: its content was changed.
    case edited(seq: Int64)
    /// The entry at position `seq` is intact but was recorded as entry `recordedAs`: reordered.
    case moved(seq: Int64, recordedAs: Int64)
    /// These entry numbers are gone: deleted.
    case missing(seqs: ClosedRange<Int64>)
    /// The entry at `seq` is intact but does not follow the one before it: the one before was
    /// changed and re-hashed, or entries between them were removed and the rest renumbered.
    case chainBroken(seq: Int64)
    /// The entry at `seq` no longer has the hash recorded in the anchor.
    case anchorMismatch(seq: Int64)

    public var seq: Int64 {
        switch self {
        case let .edited(s), let .moved(s, _), let .chainBroken(s), let .anchorMismatch(s): s
        case let .missing(r): r.lowerBound
        }
    }

    public var description: String {
        switch self {
        case let .edited(s): "第\(s)条被修改 entry #\(s) was edited (does not match its hash)"
        case let .moved(s, r): "第\(s)条位置被调换，原为第\(r)条 entry at #\(s) was recorded as #\(r) (reordered)"
        case let .missing(r):
            r.count == 1 ? "第\(r.lowerBound)条被删除 entry #\(r.lowerBound) is missing (deleted)"
                : "第\(r.lowerBound)–\(r.upperBound)条被删除 entries #\(r.lowerBound)–#\(r.upperBound) are missing (deleted)"
        case let .chainBroken(s):
            "第\(s)条与前一条不相接 entry #\(s) does not follow the entry before it (that entry was re-hashed, or entries removed)"
        case let .anchorMismatch(s): "第\(s)条与留存的哈希不符 entry #\(s) differs from the recorded anchor"
        }
    }
}

public enum AuditLedgerError: Error, Equatable, CustomStringConvertible {
    /// The day is not `YYYY-MM-DD`.
    case badDay(String)
    /// Every entry names the clerk (经办人) who did it.
    case clerkRequired
    public var description: String {
        switch self {
        case .clerkRequired: "台账必须记录经办人 a ledger entry needs the clerk (经办人)"
        case let .badDay(d): "日期格式应为 YYYY-MM-DD the day must be YYYY-MM-DD, not \(d)"
        }
    }
}
