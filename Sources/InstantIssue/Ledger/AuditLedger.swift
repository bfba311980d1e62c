import CardManagement
import Foundation
import GRDB
import SSCardDriver

/// 台账: the station's handling records — who did what to which card or application, and when.
/// 《广东省社会保障卡经办规程》第十二条（三）: 发放管理台账
/// "应与省卡管系统电子记录一致，并至少保管5年" (must match the card-management system's records and
/// be kept at least 5 years); 第三十六条 (四) asks for a record of every pre-made card in and out
/// (出入库及使用登记).
///
/// Append-only: SQLite triggers refuse UPDATE and DELETE. Each entry's `hash` is a keyed chain
/// value, HMAC-SM3 (`SM3HMAC`) under the desk key (`LedgerKeyFile`, a file the database does not
/// hold) of its canonical serialisation (`canonicalBytes`), which includes the previous entry's
/// hash. So `verify()` finds an edited, deleted or reordered entry even when someone dropped the
/// triggers, and someone who can rewrite the database but not read the key cannot re-hash the
/// entries after an edit: an entry hashed without the key is reported as forged. Removing the
/// newest entries leaves a shorter but valid chain: the head goes to the card-management system
/// as a checkpoint every `StationConfiguration.ledgerCheckpointInterval` entries, after each
/// stock-take and on `verify(anchor:against:terminal:)`, which compares the chain with the
/// checkpoints the system holds (and `verify(anchor:)` with a head written down earlier).
///
/// Ledgers from before the key (plain SM3 chains) are re-anchored once when the key file is
/// created (`openKeyedChain`): a keyed `ledger.reanchor` entry follows them, and from there on
/// every entry must carry the key.
public struct AuditLedger: Sendable {
    public let database: StationDatabase

    public init(database: StationDatabase) { self.database = database }

    /// The previous hash of the first entry: 64 zeros.
    public static let genesisHash = String(repeating: "0", count: 64)
    /// The action of the entry that puts a ledger from before the key under the key.
    public static let reanchorAction = "ledger.reanchor"
    /// The action of the daily stock-take (日终盘点), after which the head is checkpointed.
    public static let stockTakeAction = "stock.take"
    /// The clerk (经办人) of the entries the station makes by itself.
    public static let stationClerk = "制卡站"

    /// The desk key the chain is made with.
    public var keyFile: LedgerKeyFile { database.ledgerKey }

    /// Appends one entry now, in its own transaction. Throws `AuditLedgerError.clerkRequired` when
    /// `clerk` (经办人) is empty, and the key errors (`.keyMissing`…) when the desk key cannot be read.
    @discardableResult
    public func append(clerk: String, action: String, subject: String, details: String = "") throws -> AuditLedgerEntry {
        let at = database.timestamp()
        return try database.pool.write { db in
            try append(db, at: at, clerk: clerk, action: action, subject: subject, details: details)
        }
    }

    /// Appends inside the caller's transaction, so a stock movement and its ledger entry commit
    /// together or not at all.
    @discardableResult
    func append(_ db: Database, at: StationTimestamp, clerk: String, action: String, subject: String,
                details: String) throws -> AuditLedgerEntry {
        let keyFile = keyFile
        return try append(db, at: at, clerk: clerk, action: action, subject: subject, details: details) { entry in
            try keyFile.withKey { try entry.keyedHash($0) }
        }
    }

    private func append(_ db: Database, at: StationTimestamp, clerk: String, action: String, subject: String, details: String,
                        hash: (AuditLedgerEntry) throws -> String) throws -> AuditLedgerEntry {
        guard !clerk.trimmingCharacters(in: .whitespaces).isEmpty else { throw AuditLedgerError.clerkRequired }
        let last = try Row.fetchOne(db.cachedStatement(sql: "SELECT seq, hash FROM audit_ledger ORDER BY seq DESC LIMIT 1"))
        let seq: Int64 = (last?["seq"] as Int64? ?? 0) + 1
        let previous: String = last?["hash"] ?? Self.genesisHash
        var entry = AuditLedgerEntry(seq: seq, recordedAt: at, clerk: clerk, action: action, subject: subject,
                                     details: details, previousHash: previous, hash: "")
        entry.hash = try hash(entry)
        try db.cachedStatement(sql: """
                INSERT INTO audit_ledger (seq, recorded_at, clerk, action, subject, details, previous_hash, hash)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [entry.seq, entry.recordedAt.text, clerk, action, subject, details, previous, entry.hash])
        database.ledgerCheckpoints.appended(entry, in: db)
        return entry
    }

    /// Runs when the station database opens, before anything else uses the ledger. When the key
    /// file is missing:
    /// - an empty ledger gets a new key (first use);
    /// - a ledger from before the key (its newest entry is a plain SM3 hash) gets a new key and
    ///   one keyed `ledger.reanchor` entry that takes over its chain; the entry's details say how
    ///   many unkeyed entries it covers, their head, and whether their chain was intact;
    /// - a keyed ledger is left alone: using it throws `.keyMissing` (a new key would make every
    ///   entry look forged; the key file must come back from the backup).
    /// A new key is written beside its final name first and moved there only after the
    /// re-anchoring committed, so a crash in between is finished on the next open. A key file
    /// that exists is never replaced, and an unkeyed ledger under an existing key is not
    /// re-anchored: `verify` reports its entries as forged.
    func openKeyedChain() throws {
        let keyFile = keyFile
        guard !keyFile.exists else { return }
        let head = try database.pool.read { db in
            try AuditLedgerEntry.fetchOne(db.cachedStatement(sql: "SELECT * FROM audit_ledger ORDER BY seq DESC LIMIT 1"))
        }
        if keyFile.pendingExists {
            let finished = try head.map { head in try keyFile.withPendingKey { try head.keyedHash($0) == head.hash } } ?? true
            if finished {
                try keyFile.promotePending()
                return
            }
        }
        if let head, (try? head.unkeyedHash()) != head.hash { return }
        if !keyFile.pendingExists { try keyFile.createPending() }
        if head != nil { try reanchor(keyFile) }
        try keyFile.promotePending()
    }

    /// Appends the keyed `ledger.reanchor` entry over the unkeyed chain, with the pending key.
    private func reanchor(_ keyFile: LedgerKeyFile) throws {
        let at = database.timestamp()
        try database.pool.write { db in
            let entries = try AuditLedgerEntry.fetchAll(db.cachedStatement(sql: "SELECT * FROM audit_ledger ORDER BY seq"))
            let intact = Self.verify(entries, legacyEnd: Int64.max, keyedHash: { _ in nil }, anchor: nil).isIntact
            let details = PreMadeCardInventory.json([
                "unkeyedEntries": entries.count, "unkeyedHead": entries.last?.hash ?? Self.genesisHash,
                "unkeyedChainIntact": intact,
            ])
            _ = try append(db, at: at, clerk: Self.stationClerk, action: Self.reanchorAction, subject: "台账 ledger",
                           details: details) { entry in
                try keyFile.withPendingKey { try entry.keyedHash($0) }
            }
        }
    }

    /// The newest entry's number and hash; nil when the ledger is empty.
    public func head() throws -> AuditLedgerAnchor? {
        try database.pool.read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT seq, hash FROM audit_ledger ORDER BY seq DESC LIMIT 1"))
                .map { AuditLedgerAnchor(seq: $0["seq"], hash: $0["hash"]) }
        }
    }

    /// Entries in order, optionally those recorded from `start` (inclusive) to `end` (exclusive).
    public func entries(from start: StationTimestamp? = nil, to end: StationTimestamp? = nil) throws -> [AuditLedgerEntry] {
        try database.pool.read { db in
            try AuditLedgerEntry.fetchAll(
                db.cachedStatement(sql: "SELECT * FROM audit_ledger WHERE recorded_at >= ? AND recorded_at < ? ORDER BY seq"),
                arguments: [start?.text ?? "", end?.text ?? "\u{10FFFF}"])
        }
    }

    /// The entries about one card or application (`subject`), in order.
    public func entries(subject: String) throws -> [AuditLedgerEntry] {
        try database.pool.read { db in
            try AuditLedgerEntry.fetchAll(
                db.cachedStatement(sql: "SELECT * FROM audit_ledger WHERE subject = ? ORDER BY seq"), arguments: [subject])
        }
    }

    /// The entries of these actions, in order.
    public func entries(actions: Set<String>) throws -> [AuditLedgerEntry] {
        guard !actions.isEmpty else { return [] }
        let marks = Array(repeating: "?", count: actions.count).joined(separator: ", ")
        return try database.pool.read { db in
            try AuditLedgerEntry.fetchAll(db, sql: "SELECT * FROM audit_ledger WHERE action IN (\(marks)) ORDER BY seq",
                                          arguments: StatementArguments(actions.sorted()))
        }
    }

    /// Walks the whole chain and names every entry that was edited, forged (hashed without the
    /// key), removed or moved. `anchor`, a head taken earlier, also catches entries removed from
    /// the end. Throws `.keyMissing` (and the other key errors) when the ledger has entries and
    /// the key cannot be read: without the key nothing can be verified.
    public func verify(anchor: AuditLedgerAnchor? = nil) throws -> AuditLedgerVerification {
        try verifiedEntries(anchor: anchor).verification
    }

    /// `verify(anchor:)`, then the chain against the card-management system's checkpoints
    /// (`CardManagementSystem.ledgerCheckpoint`). First the desk only asks (sequence 0): every
    /// checkpoint the system holds must match the entry of its number (`.checkpointMismatch`)
    /// and lie within the ledger (`.checkpointBeyondHead`: entries cut off the end, or the
    /// database rolled back to an older copy). Only a ledger that is intact and agrees with all
    /// of them sends its head as a new checkpoint, so an altered ledger never leaves a head on
    /// the system's books. When the system cannot be reached the result says so in
    /// `checkpoints` (`.unavailable`) and holds the local findings only.
    public func verify(anchor: AuditLedgerAnchor? = nil, against system: any CardManagementSystem,
                       terminal: String) throws -> AuditLedgerVerification {
        var (result, entries) = try verifiedEntries(anchor: anchor)
        do {
            let held = try system.ledgerCheckpoint(terminal: terminal, sequence: 0, head: LedgerCheckpoint.genesisHead)
            result.problems += Self.disagreements(entries, held)
            var sent: AuditLedgerAnchor?
            if result.isIntact, let head = result.head, !held.contains(where: { $0.sequence == head.seq }) {
                // What the system answers now includes the head: it kept it, or one it had
                // already (sent meanwhile by the station's own checkpointing), which must agree.
                result.problems += Self.disagreements(entries, try system.ledgerCheckpoint(
                    terminal: terminal, sequence: head.seq, head: head.hash).filter { $0.sequence == head.seq })
                sent = head
            }
            result.checkpoints = .compared(held: held.count + (sent == nil ? 0 : 1), sent: sent)
        } catch {
            result.checkpoints = .unavailable(error)
        }
        result.problems.sort { $0.seq < $1.seq }
        return result
    }

    /// The checkpoints `held` that the ledger `entries` contradicts.
    private static func disagreements(_ entries: [AuditLedgerEntry], _ held: [LedgerCheckpoint]) -> [AuditLedgerProblem] {
        let hashes = Dictionary(entries.map { ($0.seq, $0.hash) }, uniquingKeysWith: { first, _ in first })
        let headSeq = entries.last?.seq ?? 0
        return held.compactMap { checkpoint in
            if checkpoint.sequence > headSeq { return .checkpointBeyondHead(seq: checkpoint.sequence, ledgerHead: headSeq) }
            if let hash = hashes[checkpoint.sequence], hash != checkpoint.head.uppercased() {
                return .checkpointMismatch(seq: checkpoint.sequence)
            }
            return nil
        }
    }

    private func verifiedEntries(anchor: AuditLedgerAnchor?) throws -> (verification: AuditLedgerVerification, entries: [AuditLedgerEntry]) {
        let entries = try database.pool.read { db in
            try AuditLedgerEntry.fetchAll(db.cachedStatement(sql: "SELECT * FROM audit_ledger ORDER BY seq"))
        }
        // An empty ledger has nothing to check; its key comes with the first entry.
        if entries.isEmpty, !keyFile.exists {
            return (Self.verify([], legacyEnd: 1, keyedHash: { _ in nil }, anchor: anchor), [])
        }
        let verification = try keyFile.withKey { key in Self.verify(entries, key: key, anchor: anchor) }
        return (verification, entries)
    }

    /// The whole chain under `key`. The entries before a keyed `ledger.reanchor` entry of the
    /// station are the unkeyed chain of before the key (plain SM3); every other entry must carry
    /// the key.
    static func verify(_ entries: [AuditLedgerEntry], key: [UInt8], anchor: AuditLedgerAnchor?) -> AuditLedgerVerification {
        let keyed = entries.map { (try? $0.keyedHash(key)) == $0.hash }
        let reanchor = entries.indices.first {
            keyed[$0] && entries[$0].action == reanchorAction && entries[$0].clerk == stationClerk
        }
        return verify(entries, legacyEnd: reanchor.map { entries[$0].seq } ?? 1,
                      keyedHash: { try? $0.keyedHash(key) }, anchor: anchor)
    }

    /// Entries numbered below `legacyEnd` are checked as plain SM3, the others with `keyedHash`.
    static func verify(_ entries: [AuditLedgerEntry], legacyEnd: Int64, keyedHash: (AuditLedgerEntry) -> String?,
                       anchor: AuditLedgerAnchor?) -> AuditLedgerVerification {
        func matches(_ entry: AuditLedgerEntry) -> Bool {
            entry.seq < legacyEnd ? (try? entry.unkeyedHash()) == entry.hash : keyedHash(entry) == entry.hash
        }
        var problems: [AuditLedgerProblem] = []
        // Pass 1: does each entry match its own hash where it stands?
        let intact = entries.map(matches)
        // An entry that should carry the key but is a plain SM3 hash was re-hashed by someone
        // without the key: forged. One that fails at its position but hashes correctly under
        // another failing position's number was moved there; otherwise its content was edited.
        // Bounded: tampering touches few.
        let failing = entries.indices.filter { !intact[$0] }
        var forged: [Int64] = []
        for i in failing {
            if entries[i].seq >= legacyEnd, (try? entries[i].unkeyedHash()) == entries[i].hash {
                forged.append(entries[i].seq)
                continue
            }
            var found: Int64?
            if failing.count <= 10_000 {
                for j in failing where j != i {
                    var candidate = entries[i]
                    candidate.seq = entries[j].seq
                    if matches(candidate) { found = entries[j].seq; break }
                }
            }
            if let original = found {
                problems.append(.moved(seq: entries[i].seq, recordedAs: original))
            } else {
                problems.append(.edited(seq: entries[i].seq))
            }
        }
        // Runs of forged entries, one finding each.
        var run: ClosedRange<Int64>?
        for seq in forged {
            if let r = run, r.upperBound + 1 == seq {
                run = r.lowerBound...seq
            } else {
                if let r = run { problems.append(.forged(seqs: r)) }
                run = seq...seq
            }
        }
        if let r = run { problems.append(.forged(seqs: r)) }
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
                db.cachedStatement(sql: "SELECT * FROM audit_ledger WHERE recorded_at >= ? AND recorded_at < ? ORDER BY seq"),
                arguments: [range.start, range.end])
        }
        return Self.csv(entries, timeZone: timeZone)
    }

    /// `entries` as the CSV of `exportCSV` (the outlet's shared chain exports the same way).
    public static func csv(_ entries: [AuditLedgerEntry], timeZone: TimeZone) -> Data {
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
    /// The desk (终端机编号) that appended it on the outlet's shared chain; nil on a desk's own
    /// ledger, where every entry is the desk's. Not part of `canonicalBytes`.
    public var desk: String?
    /// HMAC-SM3 of `canonicalBytes` under the desk key, 64 upper-case hex (plain SM3 for the
    /// entries of before the key, up to the `ledger.reanchor` entry).
    public var hash: String

    public init(row: Row) throws {
        seq = row["seq"]
        let recorded: String = row["recorded_at"]
        // An unparsable time is kept as written so verify() reports the entry as edited.
        recordedAt = StationTimestamp(text: recorded) ?? StationTimestamp(uncheckedText: recorded)
        clerk = row["clerk"]; action = row["action"]; subject = row["subject"]; details = row["details"]
        previousHash = row["previous_hash"]; hash = row["hash"]
    }

    /// An entry as another store (the outlet's shared chain) holds it.
    public init(seq: Int64, recordedAt: StationTimestamp, clerk: String, action: String, subject: String, details: String,
                previousHash: String, hash: String, desk: String? = nil) {
        self.seq = seq; self.recordedAt = recordedAt; self.clerk = clerk; self.action = action
        self.subject = subject; self.details = details; self.previousHash = previousHash; self.hash = hash
        self.desk = desk
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

    /// The chain value under the desk key: HMAC-SM3(key, canonicalBytes).
    func keyedHash(_ key: [UInt8]) throws -> String { try SM3HMAC.mac(key: key, message: canonicalBytes).hexString }

    /// The chain value of the ledgers of before the key: SM3(canonicalBytes).
    func unkeyedHash() throws -> String { try SM3.hash(canonicalBytes).hexString }
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
    /// In ledger order; empty when the chain is intact (and agrees with the checkpoints).
    public var problems: [AuditLedgerProblem]
    /// How the comparison with the card-management system's checkpoints went; nil when the
    /// system was not asked (`verify(anchor:)`).
    public var checkpoints: LedgerCheckpointComparison?
    public var isIntact: Bool { problems.isEmpty }
    /// The first entry found altered (forged, edited, moved, missing…): where to start looking.
    public var firstAlteredSeq: Int64? { problems.map(\.seq).min() }

    public init(entryCount: Int, head: AuditLedgerAnchor?, problems: [AuditLedgerProblem],
                checkpoints: LedgerCheckpointComparison? = nil) {
        self.entryCount = entryCount; self.head = head; self.problems = problems; self.checkpoints = checkpoints
    }

    public var description: String {
        var text: String
        if isIntact {
            text = "台账完整 ledger intact: \(entryCount) entries, head \(head.map(\.description) ?? "none")"
        } else {
            text = "台账被改动 ledger tampered, first at entry #\(firstAlteredSeq ?? 0):\n"
                + problems.map { "  \($0)" }.joined(separator: "\n")
        }
        if let checkpoints { text += "\n" + checkpoints.description }
        return text
    }
}

/// The comparison of the ledger with the checkpoints the card-management system holds.
public enum LedgerCheckpointComparison: Hashable, Sendable, CustomStringConvertible {
    /// The system was asked; it holds `held` checkpoints for the desk (disagreements are in the
    /// problems). `sent`: the head recorded as a new checkpoint, nil when the ledger was empty or
    /// altered and only the question was sent.
    case compared(held: Int, sent: AuditLedgerAnchor?)
    /// The system could not be asked: the chain was checked locally only.
    case unavailable(CardManagementError)

    public var description: String {
        switch self {
        case let .compared(held, sent):
            "已与卡管系统核对 \(held) 个校验点 compared with \(held) checkpoints of the card-management system"
                + (sent.map { "; 已上报 sent #\($0.seq)" } ?? "")
        case let .unavailable(error):
            "未能与卡管系统核对校验点 the checkpoints could not be compared: \(error)"
        }
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
    /// These entries carry a hash made without the desk key (plain SM3) where the key is
    /// required: someone without the key rewrote them and re-hashed the chain.
    case forged(seqs: ClosedRange<Int64>)
    /// The card-management system holds another head for entry `seq`: the ledger verifies
    /// locally but is not the one the system saw (rebuilt, or rolled back and grown again).
    case checkpointMismatch(seq: Int64)
    /// The system holds a checkpoint for entry `seq` but the ledger ends at `ledgerHead`:
    /// entries were cut off the end, or the database was rolled back to an older copy.
    case checkpointBeyondHead(seq: Int64, ledgerHead: Int64)

    public var seq: Int64 {
        switch self {
        case let .edited(s), let .moved(s, _), let .chainBroken(s), let .anchorMismatch(s), let .checkpointMismatch(s): s
        case let .checkpointBeyondHead(_, head): head + 1
        case let .missing(r), let .forged(r): r.lowerBound
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
        case let .forged(r):
            r.count == 1 ? "第\(r.lowerBound)条是伪造的（哈希未用台账密钥计算） entry #\(r.lowerBound) is forged (hashed without the ledger key)"
                : "第\(r.lowerBound)–\(r.upperBound)条是伪造的（哈希未用台账密钥计算） entries #\(r.lowerBound)–#\(r.upperBound) are forged (hashed without the ledger key)"
        case let .checkpointMismatch(s):
            "第\(s)条与卡管系统留存的校验点不符 entry #\(s) differs from the checkpoint the card-management system holds"
        case let .checkpointBeyondHead(s, head):
            "卡管系统留存了第\(s)条的校验点，但台账只到第\(head)条（末尾被删除或数据库被回退） the card-management system holds a checkpoint for entry #\(s) but the ledger ends at #\(head) (entries cut off or the database rolled back)"
        }
    }
}

public enum AuditLedgerError: Error, Equatable, CustomStringConvertible {
    /// The day is not `YYYY-MM-DD`.
    case badDay(String)
    /// Every entry names the clerk (经办人) who did it.
    case clerkRequired
    /// The desk key file is not there but the ledger was made with it: nothing can be appended
    /// or verified until it is restored (a new key would make every entry look forged).
    case keyMissing(path: String)
    /// The key file exists but cannot be read.
    case keyUnreadable(path: String, reason: String)
    /// The key file is not 64 hex digits.
    case keyInvalid(path: String)
    /// The key file may be read by group or others (`mode`, octal in the message): refused.
    case keyExposed(path: String, mode: Int)
    /// A new key file could not be written.
    case keyNotCreated(path: String, reason: String)

    public var description: String {
        switch self {
        case .clerkRequired: "台账必须记录经办人 a ledger entry needs the clerk (经办人)"
        case let .badDay(d): "日期格式应为 YYYY-MM-DD the day must be YYYY-MM-DD, not \(d)"
        case let .keyMissing(p):
            "台账密钥文件 \(p) 不存在，台账无法记录或校验 the ledger key file \(p) is missing: the ledger can be neither appended to nor verified"
        case let .keyUnreadable(p, r): "无法读取台账密钥文件 \(p)：\(r) cannot read the ledger key file \(p): \(r)"
        case let .keyInvalid(p): "台账密钥文件 \(p) 不是64位十六进制 the ledger key file \(p) is not 64 hex digits"
        case let .keyExposed(p, m):
            "台账密钥文件 \(p) 的权限为 \(String(m, radix: 8))，其他用户可读，拒绝使用 the ledger key file \(p) has mode \(String(m, radix: 8)): readable by others, refused"
        case let .keyNotCreated(p, r): "无法创建台账密钥文件 \(p)：\(r) cannot create the ledger key file \(p): \(r)"
        }
    }
}
