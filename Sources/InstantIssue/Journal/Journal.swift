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
    /// written, if any key anywhere in it names a secret (PIN, key, password, admin…) or any value
    /// looks like one (`JournalSecretGuard.secretShape`).
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
            // Prepared once per connection (GRDB's statement cache): every card appends ~18.
            try db.cachedStatement(sql: """
                INSERT INTO journal_entry (application_id, card_number, step, stage, phase_before, phase_after, is_final, recorded_at, resume_data)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [applicationID, cardNumber?.value, step.rawValue, stage.rawValue, phaseBefore.rawValue,
                                         phaseAfter.rawValue, phaseAfter.isFinal, at.text, json])
            return JournalEntry(id: db.lastInsertedRowID, applicationID: applicationID, cardNumber: cardNumber, step: step,
                                stage: stage, phaseBefore: phaseBefore, phaseAfter: phaseAfter, recordedAt: at, resumeJSON: json)
        }
    }

    /// The last entry of every issuance whose last step did not end in a final phase: what
    /// recovery must look at, oldest first.
    public func unfinished() throws -> [JournalEntry] {
        try database.pool.read { db in
            try JournalEntry.fetchAll(db.cachedStatement(sql: """
                SELECT j.* FROM journal_entry j
                JOIN (SELECT application_id, MAX(id) AS last FROM journal_entry GROUP BY application_id) l ON j.id = l.last
                WHERE j.is_final = 0 ORDER BY j.id
                """))
        }
    }

    /// Every entry of one issuance, in order.
    public func entries(for applicationID: String) throws -> [JournalEntry] {
        try database.pool.read { db in
            try JournalEntry.fetchAll(db.cachedStatement(sql: "SELECT * FROM journal_entry WHERE application_id = ? ORDER BY id"),
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
    /// The fragments as UTF-8, for `holds`.
    private static let secretFragmentBytes = secretFragments.map { Array($0.utf8) }

    /// The offending key, or nil when `key` is allowed.
    public static func isSecret(_ key: String) -> Bool {
        let lower = Array(key.lowercased().utf8)
        if secretFragmentBytes.contains(where: { holds(lower, $0) }) { return true }
        return words(of: key).contains { secretWords.contains($0) }
    }

    /// Whether `text` contains `fragment`, byte for byte in UTF-8 (the same as comparing the
    /// characters: UTF-8 is self-synchronising). Foundation's `contains` is a locale-aware search
    /// that cost more than the rest of a journal entry's checks together (docs/performance.md).
    private static func holds(_ text: [UInt8], _ fragment: [UInt8]) -> Bool {
        guard !fragment.isEmpty, fragment.count <= text.count else { return fragment.isEmpty }
        for start in 0...(text.count - fragment.count) where text[start] == fragment[0] {
            if text[start..<(start + fragment.count)].elementsEqual(fragment) { return true }
        }
        return false
    }

    /// Throws `JournalError.secretInResumeData` naming the first secret key in the JSON,
    /// `.secretValueInResumeData` naming the first field whose value looks like a secret, and
    /// `.unreadableResumeData` for what is not JSON (refused: what cannot be checked is not stored).
    static func check(_ json: Data) throws {
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: json, options: [.fragmentsAllowed]) } catch {
            throw JournalError.unreadableResumeData
        }
        if let path = firstSecret(in: object, path: "") { throw JournalError.secretInResumeData(keyPath: path) }
        var identifiers: Set<String> = []
        collectIdentifiers(in: object, into: &identifiers)
        if let (path, shape) = firstSecretValue(in: object, path: "", key: nil, identifiers: identifiers) {
            throw JournalError.secretValueInResumeData(keyPath: path, shape: shape)
        }
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

    // MARK: Values

    /// Keys whose value is a public identifier of exactly 32 hex digits: the 卡识别码. Its
    /// value may also be quoted elsewhere in the same record (a failure reason naming the card).
    static let hexIdentifierKeys: Set<String> = ["cardIdentificationCode", "card_identification_code", "kscode"]

    /// The shapes of a secret value the guard refuses.
    public enum SecretShape: String, Hashable, Sendable, CustomStringConvertible {
        /// A run of 32 or more hex digits: an SM4 key (32), a pair of keys, an SM2 private key (64).
        case hexKey
        /// The base64 form of a 16- or 32-byte key.
        case base64Key
        /// 4–16 digits under a key that contains "pin".
        case pin

        public var description: String {
            switch self {
            case .hexKey: "32位以上十六进制（像密钥） a run of 32 or more hex digits (looks like a key)"
            case .base64Key: "16/32字节的base64（像密钥） base64 of 16 or 32 bytes (looks like a key)"
            case .pin: "4–16位数字（像密码） 4–16 digits under a PIN-named field (looks like a PIN)"
            }
        }
    }

    private static func collectIdentifiers(in object: Any, into found: inout Set<String>) {
        if let dictionary = object as? [String: Any] {
            for (key, value) in dictionary {
                if hexIdentifierKeys.contains(key), let text = value as? String, isHexIdentifier(text) {
                    found.insert(text.uppercased())
                }
                collectIdentifiers(in: value, into: &found)
            }
        } else if let array = object as? [Any] {
            for element in array { collectIdentifiers(in: element, into: &found) }
        }
    }

    private static func isHexIdentifier(_ text: String) -> Bool {
        text.utf8.count == 32 && text.utf8.allSatisfy(isHexDigit)
    }

    private static func firstSecretValue(in object: Any, path: String, key: String?,
                                         identifiers: Set<String>) -> (String, SecretShape)? {
        if let dictionary = object as? [String: Any] {
            for inner in dictionary.keys.sorted() {
                let here = path.isEmpty ? inner : path + "." + inner
                if let found = firstSecretValue(in: dictionary[inner]!, path: here, key: inner, identifiers: identifiers) {
                    return found
                }
            }
        } else if let array = object as? [Any] {
            for (i, element) in array.enumerated() {
                if let found = firstSecretValue(in: element, path: path + "[\(i)]", key: key, identifiers: identifiers) {
                    return found
                }
            }
        } else if let text = object as? String {
            if let shape = secretShape(text, key: key, identifiers: identifiers) { return (path.isEmpty ? "(value)" : path, shape) }
        } else if let number = object as? NSNumber {   // a Bool reads "0"/"1": no shape
            if let shape = secretShape(number.stringValue, key: key, identifiers: identifiers) {
                return (path.isEmpty ? "(value)" : path, shape)
            }
        }
        return nil
    }

    /// The secret shape `value` has under `key`, nil when it looks like none.
    static func secretShape(_ value: String, key: String?, identifiers: Set<String> = []) -> SecretShape? {
        if let key, key.lowercased().contains("pin") {
            let digits = value.utf8
            if PINRules.lengths.contains(digits.count) && digits.allSatisfy({ (0x30...0x39).contains($0) }) { return .pin }
        }
        let identifierField = key.map(hexIdentifierKeys.contains) ?? false
        for run in hexRuns(value) where run.count >= 32 {
            if run.count == 32 && (identifierField || identifiers.contains(run.uppercased())) { continue }
            return .hexKey
        }
        if looksLikeBase64Key(value) { return .base64Key }
        return nil
    }

    private static func isHexDigit(_ c: UInt8) -> Bool {
        (0x30...0x39).contains(c) || (0x41...0x46).contains(c) || (0x61...0x66).contains(c)
    }

    /// The maximal runs of hex digits in `text`.
    private static func hexRuns(_ text: String) -> [String] {
        var runs: [String] = []
        var current: [UInt8] = []
        for c in text.utf8 {
            if isHexDigit(c) { current.append(c); continue }
            if current.count >= 32 { runs.append(String(decoding: current, as: UTF8.self)) }
            current.removeAll(keepingCapacity: true)
        }
        if current.count >= 32 { runs.append(String(decoding: current, as: UTF8.self)) }
        return runs
    }

    /// Base64 of 16 or 32 bytes, as a whole token of the value (split at characters outside the
    /// base64 alphabet): padded (24 chars ending "==", 44 ending "="), or unpadded (22 or 43
    /// chars) when it mixes upper case, lower case and digits as random bytes do. In an absolute
    /// path (a card face's file) `/` separates the folders: "/var/lib/sscard/faces/" and a 21-letter
    /// application id would otherwise make one 43-character "token".
    private static func looksLikeBase64Key(_ value: String) -> Bool {
        let isPath = value.utf8.first == UInt8(ascii: "/") && value.utf8.filter { $0 == UInt8(ascii: "/") }.count >= 2
        let separates: (UInt8) -> Bool = { c in
            (!isBase64Character(c) && c != UInt8(ascii: "=")) || (isPath && c == UInt8(ascii: "/"))
        }
        for token in value.utf8.split(whereSeparator: separates) {
            let bytes = Array(token)
            let body = bytes.prefix { $0 != UInt8(ascii: "=") }
            let padding = bytes.count - body.count
            guard body.allSatisfy(isBase64Character), bytes[body.count...].allSatisfy({ $0 == UInt8(ascii: "=") }) else { continue }
            if (bytes.count == 24 && padding == 2) || (bytes.count == 44 && padding == 1) {
                if let decoded = Data(base64Encoded: String(decoding: bytes, as: UTF8.self)), decoded.count == 16 || decoded.count == 32 { return true }
            }
            if padding == 0 && (body.count == 22 || body.count == 43) {
                let upper = body.contains { (0x41...0x5A).contains($0) }
                let lower = body.contains { (0x61...0x7A).contains($0) }
                let digit = body.contains { (0x30...0x39).contains($0) }
                if upper && lower && digit { return true }
            }
        }
        return false
    }

    private static func isBase64Character(_ c: UInt8) -> Bool {
        (0x41...0x5A).contains(c) || (0x61...0x7A).contains(c) || (0x30...0x39).contains(c)
            || c == UInt8(ascii: "+") || c == UInt8(ascii: "/") || c == UInt8(ascii: "-") || c == UInt8(ascii: "_")
    }

    /// `adminPIN` → admin, pin; `card_key2` → card, key, 2; `PINBlock` → pin, block.
    static func words(of key: String) -> [String] {
        // Resume data keys are ASCII coding keys, checked on every journal entry (~18 a card):
        // bytes give the same words as Unicode properties there without looking them up.
        let bytes = Array(key.utf8)
        if bytes.allSatisfy({ $0 < 0x80 }) { return asciiWords(of: bytes) }
        return unicodeWords(of: key)
    }

    /// `words(of:)` for an ASCII key, the same rules on bytes.
    static func asciiWords(of key: [UInt8]) -> [String] {
        func isUpper(_ c: UInt8) -> Bool { (0x41...0x5A).contains(c) }
        func isLower(_ c: UInt8) -> Bool { (0x61...0x7A).contains(c) }
        func isDigit(_ c: UInt8) -> Bool { (0x30...0x39).contains(c) }
        var words: [String] = []
        var start = 0, count = 0
        func flush() {
            guard count > 0 else { return }
            words.append(String(decoding: key[start..<(start + count)].map { isUpper($0) ? $0 | 0x20 : $0 }, as: UTF8.self))
            count = 0
        }
        for (i, c) in key.enumerated() {
            guard isUpper(c) || isLower(c) || isDigit(c) else { flush(); continue }
            if count > 0 {
                let last = key[i - 1]
                let nextIsLower = i + 1 < key.count && isLower(key[i + 1])
                if isDigit(c) != isDigit(last) || (isUpper(c) && isLower(last)) || (isUpper(c) && isUpper(last) && nextIsLower) {
                    flush()
                }
            }
            if count == 0 { start = i }
            count += 1
        }
        flush()
        return words
    }

    /// `words(of:)` for any key, by the scalars' Unicode properties.
    static func unicodeWords(of key: String) -> [String] {
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
    /// A value in the resume data looks like a secret (a key in hex or base64, a PIN under a
    /// PIN-named field); nothing was written.
    case secretValueInResumeData(keyPath: String, shape: JournalSecretGuard.SecretShape)
    /// The resume data is not JSON, so it cannot be checked; nothing was written.
    case unreadableResumeData
    /// A stored entry holds what no entry may hold (a card number that is not one, an unknown
    /// step or stage, no stage): the journal is never read with a guess in its place.
    case corruptEntry(id: Int64, column: String, value: String)

    public var description: String {
        switch self {
        case let .secretInResumeData(path):
            "流水记录不得保存密码或密钥（字段\(path)） the journal must never hold a PIN, key or password (key \(path))"
        case let .secretValueInResumeData(path, shape):
            "流水记录不得保存密码或密钥：字段\(path)的值是\(shape) the journal must never hold a PIN or key: the value of \(path) looks like a secret"
        case .unreadableResumeData:
            "流水记录的续做数据不是JSON，无法检查，不予保存 the journal's resume data is not JSON, so it cannot be checked and is not stored"
        case let .corruptEntry(id, column, value):
            "流水记录第\(id)条的\(column)“\(value)”无效 journal entry \(id): \(column) \"\(value)\" is not valid"
        }
    }
}
