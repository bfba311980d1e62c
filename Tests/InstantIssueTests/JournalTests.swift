import Foundation
import GRDB
import SSCardDriver
import XCTest
@testable import InstantIssue

/// The workflow journal: append, what is unfinished, no secrets.
final class JournalTests: StationTestCase {
    var journal: Journal { Journal(database: database) }

    struct PrintResume: Codable, Equatable {
        var hopper: Int
        var cardIdentificationCode: String
        var requestID: String
    }

    func testAppendsStepsAndListsUnfinishedIssuances() throws {
        let resume = PrintResume(hopper: 1, cardIdentificationCode: "440100D1560000050001000000000003", requestID: "R-1")
        try journal.append(applicationID: "APP-1", cardNumber: nil, step: .reserve, stage: .done, phaseBefore: .applied, phaseAfter: .reserved)
        clock.advance(1)
        try journal.append(applicationID: "APP-2", cardNumber: CardNumber("A01000002"), step: .reserve, stage: .done,
                           phaseBefore: .applied, phaseAfter: .reserved)
        clock.advance(1)
        let printing = try journal.append(applicationID: "APP-1", cardNumber: CardNumber("A01000001"), step: .print, stage: .start,
                                          phaseBefore: .caWritten, phaseAfter: "printing", resumeData: resume)
        try journal.append(applicationID: "APP-2", cardNumber: CardNumber("A01000002"), step: .activate, stage: .done,
                           phaseBefore: .reported, phaseAfter: .activated)
        try journal.append(applicationID: "APP-3", cardNumber: CardNumber("A01000003"), step: .fail, stage: .done,
                           phaseBefore: .loaded, phaseAfter: .failed)

        let open = try journal.unfinished()
        XCTAssertEqual(open.map(\.applicationID), ["APP-1"])
        XCTAssertEqual(open.first, printing)
        XCTAssertEqual(open.first?.step, .print)
        XCTAssertEqual(open.first?.stage, .start)
        XCTAssertEqual(open.first?.journalName, "print:start")
        XCTAssertEqual(open.first?.cardNumber, CardNumber("A01000001"))
        XCTAssertEqual(open.first?.phaseBefore, .caWritten)
        XCTAssertEqual(open.first?.phaseAfter, "printing")
        XCTAssertFalse(open.first?.isFinal ?? true)
        XCTAssertEqual(open.first?.recordedAt.text, "2024-05-01T01:00:02.000Z")
        XCTAssertEqual(try open.first?.resumeData(as: PrintResume.self), resume)
        XCTAssertEqual(open.first?.resumeJSON,
                       #"{"cardIdentificationCode":"440100D1560000050001000000000003","hopper":1,"requestID":"R-1"}"#)
        XCTAssertEqual(try journal.entries(for: "APP-1").map(\.journalName), ["reserve:done", "print:start"])
        XCTAssertEqual(try journal.entries(for: "APP-2").last?.isFinal, true)
    }

    func testEntriesSurviveClosingAndReopening() throws {
        try journal.append(applicationID: "APP-7", cardNumber: CardNumber("A01000007"), step: .writeChip, stage: .start, phaseBefore: .loaded,
                           phaseAfter: "writingChip", resumeData: ["cardIdentificationCode": "440100D1560000050001000000000007"])
        try database.close()
        let clock = clock!
        database = try StationDatabase(path: databasePath, clock: { clock.now })
        XCTAssertEqual(try journal.unfinished().map(\.journalName), ["writeChip:start"])
        let sync = try database.pool.write { try Int.fetchOne($0, sql: "PRAGMA synchronous") }
        XCTAssertEqual(sync, 2, "journal writes must commit with synchronous = FULL")
    }

    func testRefusesSecretsInResumeData() throws {
        let refused: [(String, String)] = [
            (#"{"pin":"123456"}"#, "pin"),
            (#"{"newPIN":"1234"}"#, "newPIN"),
            (#"{"adminPIN":"x"}"#, "adminPIN"),
            (#"{"GLYPIN":"x"}"#, "GLYPIN"),
            (#"{"sessionKey":"00"}"#, "sessionKey"),
            (#"{"admin_password":"x"}"#, "admin_password"),
            (#"{"Password":"x"}"#, "Password"),
            (#"{"userPasswd":"x"}"#, "userPasswd"),
            (#"{"ca":{"zkmy":"00"}}"#, "ca.zkmy"),
            (#"{"ca":{"JMMY":"00"}}"#, "ca.JMMY"),
            (#"{"steps":[{"ok":1},{"pinBlock":"00"}]}"#, "steps[1].pinBlock"),
            (#"{"管理员PIN":"x"}"#, "管理员PIN"),
            (#"{"用户密码":"x"}"#, "用户密码"),
            (#"{"主控密钥":"x"}"#, "主控密钥"),
            (#"{"admin":"x"}"#, "admin"),
            (#"{"signing-key":"x"}"#, "signing-key"),
            (#"{"apiToken":"x"}"#, "apiToken"),
        ]
        for (json, path) in refused {
            let value = try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8))
            XCTAssertThrowsError(try journal.append(applicationID: "APP-S", cardNumber: nil, step: .reserve, stage: .start,
                                                    phaseBefore: .applied, phaseAfter: .reserved, resumeData: value), json) { error in
                XCTAssertEqual(error as? JournalError, .secretInResumeData(keyPath: path), json)
                XCTAssertTrue("\(error)".contains("不得保存密码或密钥"))
            }
        }
        XCTAssertEqual(try journal.entries(for: "APP-S"), [], "a refused entry writes nothing")
        for key in ["spinner", "keyboardLayout", "cardNumber", "hopper", "requestID", "monkey", "pinyinName", "administrative"] {
            XCTAssertFalse(JournalSecretGuard.isSecret(key), key)
        }
        try journal.append(applicationID: "APP-S", cardNumber: nil, step: .reserve, stage: .start, phaseBefore: .applied,
                           phaseAfter: .reserved, resumeData: ["spinner": 1, "keyboardLayout": 2])
        XCTAssertEqual(try journal.entries(for: "APP-S").count, 1)
    }

    /// Values are checked too: a key in hex or base64 and a PIN under a PIN-named field are
    /// refused whatever the field is called, naming the field; the 卡识别码 under its own name
    /// (and quoted in a failure reason of the same record) still passes.
    func testRefusesSecretShapedValuesNamingTheField() throws {
        typealias Shape = JournalSecretGuard.SecretShape
        let key16 = "A1B2C3D4E5F60718293A4B5C6D7E8F90"
        let refused: [(String, String, Shape)] = [
            (#"{"note":"\#(key16)"}"#, "note", .hexKey),
            (#"{"note":"key is \#(key16.lowercased()) here"}"#, "note", .hexKey),
            (#"{"facePath":"/tmp/\#(key16)\#(key16).png"}"#, "facePath", .hexKey),
            (#"{"cardIdentificationCode":"\#(key16)00"}"#, "cardIdentificationCode", .hexKey),
            (#"{"failureReason":"写卡失败：\#(key16)","cardIdentificationCode":"440100D1560000050001000000000003"}"#,
             "failureReason", .hexKey),
            (#"{"blob":"AAECAwQFBgcICQoLDA0ODw=="}"#, "blob", .base64Key),
            (#"{"blob":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="}"#, "blob", .base64Key),
            (#"{"steps":[{"ok":1},{"value":"q83vASNFZ4mrze8BI0VniQ"}]}"#, "steps[1].value", .base64Key),
            (#"{"spinValue":"123456"}"#, "spinValue", .pin),
            (#"{"SPINDLE":"0000"}"#, "SPINDLE", .pin),
            (#"{"opinion":["1234567890123456"]}"#, "opinion[0]", .pin),
        ]
        for (json, path, shape) in refused {
            let value = try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8))
            XCTAssertThrowsError(try journal.append(applicationID: "APP-V", cardNumber: nil, step: .reserve, stage: .start,
                                                    phaseBefore: .applied, phaseAfter: .reserved, resumeData: value), json) { error in
                XCTAssertEqual(error as? JournalError, .secretValueInResumeData(keyPath: path, shape: shape), json)
                XCTAssertTrue("\(error)".contains("不得保存密码或密钥"))
                XCTAssertTrue("\(error)".contains(path), "the error names the field: \(error)")
                XCTAssertFalse("\(error)".contains(key16), "the error does not repeat the value")
            }
        }
        XCTAssertThrowsError(try journal.append(applicationID: "APP-V", cardNumber: nil, step: .reserve, stage: .start,
                                                phaseBefore: .applied, phaseAfter: .reserved, resumeData: ["spinCount": 123456])) { error in
            XCTAssertEqual(error as? JournalError, .secretValueInResumeData(keyPath: "spinCount", shape: .pin))
        }
        XCTAssertEqual(try journal.entries(for: "APP-V"), [], "a refused entry writes nothing")

        // Not JSON: refused, not passed.
        XCTAssertThrowsError(try JournalSecretGuard.check(Data("pin=123456".utf8))) { error in
            XCTAssertEqual(error as? JournalError, .unreadableResumeData)
            XCTAssertTrue("\(error)".contains("不是JSON"))
        }

        // What a real record holds passes.
        var record = IssuanceRecord(applicationID: "APP-2026-000123", attempt: 2, bank: "102", terminal: "T-4401-01")
        record.cardNumber = CardNumber("A01000003")
        record.cardIdentificationCode = CardIdentificationCode(hex: "440100D1560000050001000000000003")
        record.hopper = 1
        record.facePath = "/var/lib/sscard/faces/APP-2026-000123-A01000003.png"
        record.failureReason = "写卡：卡 440100D1560000050001000000000003 不在制卡中"
        try journal.append(applicationID: "APP-V", cardNumber: record.cardNumber, step: .fail, stage: .done,
                           phaseBefore: .loaded, phaseAfter: .failed, resumeData: record)
        // A face in the default folder under a 21-character application id: the folder and the id
        // are no 43-character base64 key.
        record.facePath = "/var/lib/sscard/faces/GZ2026120600000000001-A01000003.png"
        try journal.append(applicationID: "APP-V3", cardNumber: record.cardNumber, step: .fail, stage: .done,
                           phaseBefore: .loaded, phaseAfter: .failed, resumeData: record)
        XCTAssertEqual(try journal.entries(for: "APP-V3").count, 1)
        // A key kept in a path's file name is still refused.
        XCTAssertThrowsError(try journal.append(applicationID: "APP-V4", cardNumber: nil, step: .reserve, stage: .start,
                                                phaseBefore: .applied, phaseAfter: .reserved,
                                                resumeData: ["facePath": "/tmp/faces/q83vASNFZ4mrze8BI0VniQ.png"])) { error in
            XCTAssertEqual(error as? JournalError, .secretValueInResumeData(keyPath: "facePath", shape: .base64Key))
        }
        let plain = try JSONDecoder().decode(JSONValue.self, from: Data(
            #"{"hopper":1234,"requestID":"T-4401-01-APP-1-1-produced","hopperCount":99999,"ok":true}"#.utf8))
        try journal.append(applicationID: "APP-V2", cardNumber: nil, step: .reserve, stage: .start, phaseBefore: .applied,
                           phaseAfter: .reserved, resumeData: plain)
        XCTAssertEqual(try journal.entries(for: "APP-V").count, 1)
        XCTAssertEqual(try journal.entries(for: "APP-V2").count, 1)
    }

    func testStepAndStageAreColumnsOfTheirOwn() throws {
        try journal.append(applicationID: "APP-C", cardNumber: CardNumber("A01000009"), step: .identify, stage: .done,
                           phaseBefore: .reserved, phaseAfter: .loaded)
        let row = try XCTUnwrap(database.pool.read { try Row.fetchOne($0, sql: "SELECT step, stage, card_number FROM journal_entry") })
        XCTAssertEqual(row["step"] as String, "identify")
        XCTAssertEqual(row["stage"] as String, "done")
        XCTAssertEqual(row["card_number"] as String, "A01000009")
    }

    func testAnUnknownStepOrStageReadFromTheDatabaseIsAnError() throws {
        try journal.append(applicationID: "APP-U", cardNumber: nil, step: .feed, stage: .start, phaseBefore: .reserved, phaseAfter: .reserved)
        let corruptions: [(sql: String, column: String, value: String)] = [
            ("UPDATE journal_entry SET step = 'launch'", "step", "launch"),
            ("UPDATE journal_entry SET step = 'feed', stage = 'middle'", "stage", "middle"),
            ("UPDATE journal_entry SET stage = NULL", "stage", "NULL"),
            ("UPDATE journal_entry SET stage = 'start', card_number = 'A0100000'", "card_number", "A0100000"),
        ]
        for corruption in corruptions {
            try database.pool.write { try $0.execute(sql: corruption.sql) }
            for read in [{ try self.journal.entries(for: "APP-U") }, { try self.journal.unfinished() }] {
                XCTAssertThrowsError(try read(), corruption.sql) { error in
                    guard case .corruptEntry(_, let column, let value)? = error as? JournalError else { return XCTFail("\(error)") }
                    XCTAssertEqual(column, corruption.column)
                    XCTAssertEqual(value, corruption.value)
                    XCTAssertTrue("\(error)".contains(corruption.value))
                }
            }
        }
    }

    /// A database written before migration 4 holds `<step>:<stage>` in `step`; opening it
    /// splits every such row, and a row that does not split is refused when read.
    func testMigrationSplitsTheOldStepText() throws {
        try database.close()
        let path = directory.appendingPathComponent("written-before-migration-4.sqlite").path
        let old = try DatabaseQueue(path: path)
        var through3 = DatabaseMigrator()
        through3.registerMigration("1 audit ledger", migrate: AuditLedger.createSchema)
        through3.registerMigration("2 pre-made card inventory", migrate: PreMadeCardInventory.createSchema)
        through3.registerMigration("3 workflow journal", migrate: Journal.createSchema)
        try through3.migrate(old)
        try old.write { db in
            let insert = """
                INSERT INTO journal_entry (application_id, card_number, step, phase_before, phase_after, is_final, recorded_at, resume_data)
                VALUES (?, ?, ?, ?, ?, ?, '2024-05-01T01:00:00.000Z', '{}')
                """
            try db.execute(sql: insert, arguments: ["APP-1", nil, "reserve:start", "applied", "applied", false])
            try db.execute(sql: insert, arguments: ["APP-1", "A01000001", "reserve:done", "applied", "reserved", false])
            try db.execute(sql: insert, arguments: ["APP-1", "A01000001", "identify:done", "reserved", "loaded", false])
            try db.execute(sql: insert, arguments: ["APP-2", "A01000002", "activate:done", "reported", "activated", true])
            try db.execute(sql: insert, arguments: ["APP-3", "A01000003", "print", "caWritten", "caWritten", false])
            try db.execute(sql: insert, arguments: ["APP-4", "A01000004", "teleport:done", "loaded", "loaded", false])
        }
        try old.close()

        let clock = clock!
        database = try StationDatabase(path: path, clock: { clock.now })
        XCTAssertTrue(try database.appliedMigrations().contains("4 journal step and stage columns"))
        let rows = try database.pool.read { try Row.fetchAll($0, sql: "SELECT step, stage FROM journal_entry ORDER BY id") }
        XCTAssertEqual(rows.map { $0["step"] as String }, ["reserve", "reserve", "identify", "activate", "print", "teleport"])
        XCTAssertEqual(rows.map { $0["stage"] as String? }, ["start", "done", "done", "done", nil, "done"])

        let entries = try journal.entries(for: "APP-1")
        XCTAssertEqual(entries.map(\.step), [.reserve, .reserve, .identify])
        XCTAssertEqual(entries.map(\.stage), [.start, .done, .done])
        XCTAssertEqual(entries.map(\.journalName), ["reserve:start", "reserve:done", "identify:done"])
        XCTAssertEqual(entries.last?.cardNumber, CardNumber("A01000001"))
        XCTAssertEqual(try journal.entries(for: "APP-2").first?.isFinal, true)
        XCTAssertThrowsError(try journal.entries(for: "APP-3")) { error in
            XCTAssertEqual(error as? JournalError, .corruptEntry(id: 5, column: "stage", value: "NULL"))
        }
        XCTAssertThrowsError(try journal.entries(for: "APP-4")) { error in
            XCTAssertEqual(error as? JournalError, .corruptEntry(id: 6, column: "step", value: "teleport"))
        }
        XCTAssertThrowsError(try journal.unfinished(), "an unreadable unfinished entry stops recovery instead of being guessed")

        // New entries go in typed beside the migrated ones.
        try journal.append(applicationID: "APP-1", cardNumber: CardNumber("A01000001"), step: .reportInProduction, stage: .start,
                           phaseBefore: .loaded, phaseAfter: .loaded)
        XCTAssertEqual(try journal.entries(for: "APP-1").last?.journalName, "reportInProduction:start")
    }

    func testEntryNamesParseBack() {
        for step in IssuanceStep.allCases {
            for stage in IssuanceStep.Stage.allCases {
                XCTAssertTrue(IssuanceStep.parse(step.journalName(stage)).map { $0 == (step, stage) } ?? false)
            }
        }
        for bad in ["identify", "identify:", ":done", "identify:done:x", "iPrint:start", "identify:DONE", ""] {
            XCTAssertNil(IssuanceStep.parse(bad), bad)
        }
    }

    func testSplitsKeysIntoWords() {
        XCTAssertEqual(JournalSecretGuard.words(of: "adminPIN"), ["admin", "pin"])
        XCTAssertEqual(JournalSecretGuard.words(of: "PINBlock"), ["pin", "block"])
        XCTAssertEqual(JournalSecretGuard.words(of: "card_key2"), ["card", "key", "2"])
        XCTAssertEqual(JournalSecretGuard.words(of: "kebab-case-Key"), ["kebab", "case", "key"])
        XCTAssertEqual(JournalSecretGuard.words(of: "cardIdentificationCode"), ["card", "identification", "code"])
        XCTAssertEqual(JournalSecretGuard.words(of: "新PINBlock"), ["新pin", "block"])
    }

    /// The byte path for ASCII keys splits exactly as the Unicode-property path does: every
    /// short key over letters, digits and separators, and random longer ones.
    func testASCIIKeysSplitAsTheUnicodeRulesDo() {
        let alphabet = Array("aZb9_-Y0.".utf8)
        var keys: [[UInt8]] = [[]]
        for _ in 1...4 { keys += keys.filter { $0.count == keys.last!.count }.flatMap { k in alphabet.map { k + [$0] } } }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            keys.append((0..<Int.random(in: 1...24, using: &generator)).map { _ in UInt8.random(in: 0x20...0x7E, using: &generator) })
        }
        for key in keys {
            let text = String(decoding: key, as: UTF8.self)
            XCTAssertEqual(JournalSecretGuard.asciiWords(of: key), JournalSecretGuard.unicodeWords(of: text), text)
        }
        XCTAssertGreaterThan(keys.count, 7_000)
    }
}

/// Any JSON, to feed the guard arbitrary documents.
enum JSONValue: Codable, Equatable {
    case string(String), number(Double), bool(Bool), null, array([JSONValue]), object([String: JSONValue])

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let n = try? c.decode(Double.self) { self = .number(n) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case let .string(s): try c.encode(s)
        case let .number(n): try c.encode(n)
        case let .bool(b): try c.encode(b)
        case .null: try c.encodeNil()
        case let .array(a): try c.encode(a)
        case let .object(o): try c.encode(o)
        }
    }
}
