import Foundation
import GRDB
import SSCardDriver

/// The workflow journal: one entry before and after every side effect of an issuance (reserve,
/// feed, chip write, CA, print, report, activation), so that after a crash, power cut, jam or
/// network failure recovery knows what the card and the card-management system have (制卡补登
/// when the face was printed, 制卡失败 when it was not;
/// 《广东省社会保障卡经办规程》第三十六条二（三）).
///
/// Each `append` is its own transaction and returns only after SQLite committed it with
/// `synchronous = FULL`. Resume data is JSON; secrets never go in it (`JournalSecretGuard`).
public struct Journal: Sendable {
    public let database: StationDatabase

    public init(database: StationDatabase) { self.database = database }

    /// Appends one step. `resumeData` is encoded as JSON (sorted keys) and refused, with nothing
    /// written, if any key anywhere in it names a secret (PIN, key, password, admin…).
    @discardableResult
    public func append(applicationID: String, cardNumber: CardNumber?, step: IssuanceStep, stage: IssuanceStep.Stage,
                       phaseBefore: IssuancePhase, phaseAfter: IssuancePhase, resumeData: some Encodable) throws -> JournalEntry {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = try encoder.encode(resumeData)
        try JournalSecretGuard.check(json)
        return try append(applicationID: applicationID, cardNumber: cardNumber, step: step, stage: stage, phaseBefore: phaseBefore,
                          phaseAfter: phaseAfter, json: String(decoding: json, as: UTF8.self))
    }

    /// Appends one step with no resume data (`{}`).
    @discardableResult
    public func append(applicationID: String, cardNumber: CardNumber?, step: IssuanceStep, stage: IssuanceStep.Stage,
                       phaseBefore: IssuancePhase, phaseAfter: IssuancePhase) throws -> JournalEntry {
        try append(applicationID: applicationID, cardNumber: cardNumber, step: step, stage: stage, phaseBefore: phaseBefore,
                   phaseAfter: phaseAfter, json: "{}")
    }

    private func append(applicationID: String, cardNumber: CardNumber?, step: IssuanceStep, stage: IssuanceStep.Stage,
                        phaseBefore: IssuancePhase, phaseAfter: IssuancePhase, json: String) throws -> JournalEntry {
        precondition(!applicationID.isEmpty, "a journal entry needs an application id")
        let at = database.timestamp()
        return try database.pool.write { db in
            try db.execute(sql: """
                INSERT INTO journal_entry (application_id, card_number, step, stage, phase_before, phase_after, is_final, recorded_at, resume_data)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [applicationID, cardNumber?.value, step.rawValue, stage.rawValue, phaseBefore.rawValue,
                                 phaseAfter.rawValue, phaseAfter.isFinal, at.text, json])
            return JournalEntry(id: db.lastInsertedRowID, applicationID: applicationID, cardNumber: cardNumber, step: step,
                                stage: stage, phaseBefore: phaseBefore, phaseAfter: phaseAfter, recordedAt: at, resumeJSON: json)
        }
    }

    /// The last entry of every issuance whose last step did not end in a final phase: what
    /// recovery must look at, oldest first.
    public func unfinished() throws -> [JournalEntry] {
        try database.pool.read { db in
            try JournalEntry.fetchAll(db, sql: """
                SELECT j.* FROM journal_entry j
                JOIN (SELECT application_id, MAX(id) AS last FROM journal_entry GROUP BY application_id) l ON j.id = l.last
                WHERE j.is_final = 0 ORDER BY j.id
                """)
        }
    }

    /// Every entry of one issuance, in order.
    public func entries(for applicationID: String) throws -> [JournalEntry] {
        try database.pool.read { db in
            try JournalEntry.fetchAll(db, sql: "SELECT * FROM journal_entry WHERE application_id = ? ORDER BY id",
                                      arguments: [applicationID])
        }
    }

    /// The journal as first shipped: `step` held `<step>:<stage>` in one text column.
    static func createSchema(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE journal_entry (
                id INTEGER PRIMARY KEY,
                application_id TEXT NOT NULL,
                card_number TEXT,
                step TEXT NOT NULL,
                phase_before TEXT NOT NULL,
                phase_after TEXT NOT NULL,
                is_final INTEGER NOT NULL CHECK (is_final IN (0, 1)),
                recorded_at TEXT NOT NULL,
                resume_data TEXT NOT NULL CHECK (json_valid(resume_data))
            );
            CREATE INDEX journal_entry_by_application ON journal_entry (application_id, id);
            """)
    }

    /// Migration 4: the step and its stage in columns of their own. `step` keeps the step's
    /// name (`identify`), the new `stage` column gets `start` or `done`: an existing
    /// `identify:done` is split at its colon. A row that does not split (no colon) keeps its
    /// text in `step` and gets no stage; such a row, like any unknown step or stage, is refused
    /// when it is read (`JournalError.corruptEntry`), so nothing is lost and nothing is guessed.
    static func splitStepAndStage(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE journal_entry ADD COLUMN stage TEXT;
            UPDATE journal_entry SET step = substr(step, 1, instr(step, ':') - 1), stage = substr(step, instr(step, ':') + 1)
                WHERE instr(step, ':') > 0;
            """)
    }
}

/// One journal entry.
public struct JournalEntry: Hashable, Sendable, FetchableRecord {
    public var id: Int64
    public var applicationID: String
    /// 社保卡号 of the pre-made card, once one is reserved.
    public var cardNumber: CardNumber?
    /// What was done or is about to be done.
    public var step: IssuanceStep
    /// Before the step's side effect (`start`) or after it (`done`).
    public var stage: IssuanceStep.Stage
    public var phaseBefore: IssuancePhase
    public var phaseAfter: IssuancePhase
    public var recordedAt: StationTimestamp
    /// The resume data as stored JSON.
    public var resumeJSON: String

    public var isFinal: Bool { phaseAfter.isFinal }

    /// The entry's name as recovery and the crash harness write it: `identify:done`.
    public var journalName: String { step.journalName(stage) }

    /// Decodes the resume data.
    public func resumeData<T: Decodable>(as type: T.Type) throws -> T {
        try JSONDecoder().decode(type, from: Data(resumeJSON.utf8))
    }

    /// Reads a stored entry. An unknown step or stage (or none), or a card number that is not
    /// one, is `JournalError.corruptEntry`: recovery must not act on a guess.
    public init(row: Row) throws {
        id = row["id"]; applicationID = row["application_id"]
        let stepText: String = row["step"]
        guard let step = IssuanceStep(rawValue: stepText) else {
            throw JournalError.corruptEntry(id: id, column: "step", value: stepText)
        }
        let stageText: String? = row["stage"]
        guard let stage = stageText.flatMap(IssuanceStep.Stage.init(rawValue:)) else {
            throw JournalError.corruptEntry(id: id, column: "stage", value: stageText ?? "NULL")
        }
        self.step = step
        self.stage = stage
        if let text = row["card_number"] as String? {
            guard let number = CardNumber(text) else { throw JournalError.corruptEntry(id: id, column: "card_number", value: text) }
            cardNumber = number
        }
        phaseBefore = IssuancePhase(rawValue: row["phase_before"]); phaseAfter = IssuancePhase(rawValue: row["phase_after"])
        recordedAt = StationTimestamp(uncheckedText: row["recorded_at"]); resumeJSON = row["resume_data"]
    }

    init(id: Int64, applicationID: String, cardNumber: CardNumber?, step: IssuanceStep, stage: IssuanceStep.Stage,
         phaseBefore: IssuancePhase, phaseAfter: IssuancePhase, recordedAt: StationTimestamp, resumeJSON: String) {
        self.id = id; self.applicationID = applicationID; self.cardNumber = cardNumber; self.step = step; self.stage = stage
        self.phaseBefore = phaseBefore; self.phaseAfter = phaseAfter; self.recordedAt = recordedAt; self.resumeJSON = resumeJSON
    }
}

/// Where an issuance stands (docs/recovery.md, the steps of one card). Open: the workflow may add
/// phases; only the three in `finalPhases` end an issuance.
public struct IssuancePhase: RawRepresentable, Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { rawValue = value }

    /// The application is open, no card yet.
    public static let applied: IssuancePhase = "applied"
    /// A pre-made card is reserved.
    public static let reserved: IssuancePhase = "reserved"
    /// `iLoadCard` fed the card and its chip matched the stock record.
    public static let loaded: IssuancePhase = "loaded"
    /// EF05/EF06 written and read back.
    public static let chipWritten: IssuancePhase = "chipWritten"
    /// `iWriteCaStep2` done.
    public static let caWritten: IssuancePhase = "caWritten"
    /// The printer confirmed the face.
    public static let printed: IssuancePhase = "printed"
    /// 制卡成功 reported to the card-management system.
    public static let reported: IssuancePhase = "reported"
    /// 领卡启用: the applicant took the card. Final.
    public static let activated: IssuancePhase = "activated"
    /// 制卡失败 handled: card spoiled or returned, failure reported. Final.
    public static let failed: IssuancePhase = "failed"
    /// Abandoned before any card was touched. Final.
    public static let cancelled: IssuancePhase = "cancelled"

    public static let finalPhases: Set<IssuancePhase> = [.activated, .failed, .cancelled]
    public var isFinal: Bool { Self.finalPhases.contains(self) }
    public var description: String { rawValue }
}

/// Keeps secrets out of the journal: refuses resume data with any key, at any depth, that names a
/// PIN, a key, a password, an admin credential or the CA items 管理员PIN/主控密钥/加密密钥. Keys are
/// split into words (camelCase, snake_case, kebab-case, digits), so `pinBlock`, `admin_pin`,
/// `sessionKey`, `GLYPIN` are refused while `spinner` or `keyboardLayout` pass. A request id for
/// the card-management system must therefore not be called `idempotencyKey` (use `requestID`).
public enum JournalSecretGuard {
    /// Words that are secrets on their own.
    static let secretWords: Set<String> = [
        "pin", "pins", "key", "keys", "password", "passwords", "passwd", "pwd", "passphrase", "admin", "secret",
        "secrets", "credential", "credentials", "token", "glypin", "zkmy", "jmmy",
    ]
    /// Fragments refused anywhere in a key (Chinese terms and run-together English).
    static let secretFragments = ["password", "passwd", "secret", "密码", "密钥", "口令", "管理员", "privatekey", "pinblock"]

    /// The offending key, or nil when `key` is allowed.
    public static func isSecret(_ key: String) -> Bool {
        let lower = key.lowercased()
        if secretFragments.contains(where: lower.contains) { return true }
        return words(of: key).contains { secretWords.contains($0) }
    }

    /// Throws `JournalError.secretInResumeData` naming the first secret key in the JSON.
    static func check(_ json: Data) throws {
        guard let object = try? JSONSerialization.jsonObject(with: json, options: [.fragmentsAllowed]) else { return }
        if let path = firstSecret(in: object, path: "") { throw JournalError.secretInResumeData(keyPath: path) }
    }

    private static func firstSecret(in object: Any, path: String) -> String? {
        if let dictionary = object as? [String: Any] {
            for key in dictionary.keys.sorted() {
                let here = path.isEmpty ? key : path + "." + key
                if isSecret(key) { return here }
                if let inner = firstSecret(in: dictionary[key]!, path: here) { return inner }
            }
        } else if let array = object as? [Any] {
            for (i, element) in array.enumerated() {
                if let inner = firstSecret(in: element, path: path + "[\(i)]") { return inner }
            }
        }
        return nil
    }

    /// `adminPIN` → admin, pin; `card_key2` → card, key, 2; `PINBlock` → pin, block.
    static func words(of key: String) -> [String] {
        var words: [String] = []
        var current = ""
        let scalars = Array(key.unicodeScalars)
        func flush() { if !current.isEmpty { words.append(current.lowercased()); current = "" } }
        for (i, s) in scalars.enumerated() {
            let isUpper = s.properties.isUppercase, isLetter = s.properties.isAlphabetic, isDigit = ("0"..."9").contains(s)
            if !isLetter && !isDigit { flush(); continue }
            if let last = current.unicodeScalars.last {
                let lastIsDigit = ("0"..."9").contains(last)
                let nextIsLower = i + 1 < scalars.count && scalars[i + 1].properties.isLowercase
                if isDigit != lastIsDigit
                    || (isUpper && last.properties.isLowercase)
                    || (isUpper && last.properties.isUppercase && nextIsLower) {
                    flush()
                }
            }
            current.unicodeScalars.append(s)
        }
        flush()
        return words
    }
}

public enum JournalError: Error, Hashable, CustomStringConvertible {
    /// The resume data has a key that names a secret; nothing was written.
    case secretInResumeData(keyPath: String)
    /// A stored entry holds what no entry may hold (a card number that is not one, an unknown
    /// step or stage, no stage): the journal is never read with a guess in its place.
    case corruptEntry(id: Int64, column: String, value: String)

    public var description: String {
        switch self {
        case let .secretInResumeData(path):
            "流水记录不得保存密码或密钥（字段\(path)） the journal must never hold a PIN, key or password (key \(path))"
        case let .corruptEntry(id, column, value):
            "流水记录第\(id)条的\(column)“\(value)”无效 journal entry \(id): \(column) \"\(value)\" is not valid"
        }
    }
}
