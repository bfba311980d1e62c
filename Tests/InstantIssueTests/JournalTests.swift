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
        try journal.append(applicationID: "APP-1", cardNumber: nil, step: "reserve", phaseBefore: .applied, phaseAfter: .reserved)
        clock.advance(1)
        try journal.append(applicationID: "APP-2", cardNumber: CardNumber("A01000002"), step: "reserve", phaseBefore: .applied, phaseAfter: .reserved)
        clock.advance(1)
        let printing = try journal.append(applicationID: "APP-1", cardNumber: CardNumber("A01000001"), step: "iPrint", phaseBefore: .caWritten,
                                          phaseAfter: "printing", resumeData: resume)
        try journal.append(applicationID: "APP-2", cardNumber: CardNumber("A01000002"), step: "activate", phaseBefore: .reported, phaseAfter: .activated)
        try journal.append(applicationID: "APP-3", cardNumber: CardNumber("A01000003"), step: "fail", phaseBefore: .loaded, phaseAfter: .failed)

        let open = try journal.unfinished()
        XCTAssertEqual(open.map(\.applicationID), ["APP-1"])
        XCTAssertEqual(open.first, printing)
        XCTAssertEqual(open.first?.step, "iPrint")
        XCTAssertEqual(open.first?.phaseBefore, .caWritten)
        XCTAssertEqual(open.first?.phaseAfter, "printing")
        XCTAssertFalse(open.first?.isFinal ?? true)
        XCTAssertEqual(open.first?.recordedAt.text, "2024-05-01T01:00:02.000Z")
        XCTAssertEqual(try open.first?.resumeData(as: PrintResume.self), resume)
        XCTAssertEqual(open.first?.resumeJSON,
                       #"{"cardIdentificationCode":"440100D1560000050001000000000003","hopper":1,"requestID":"R-1"}"#)
        XCTAssertEqual(try journal.entries(for: "APP-1").map(\.step), ["reserve", "iPrint"])
        XCTAssertEqual(try journal.entries(for: "APP-2").last?.isFinal, true)
    }

    func testEntriesSurviveClosingAndReopening() throws {
        try journal.append(applicationID: "APP-7", cardNumber: CardNumber("A01000007"), step: "iWriteCard", phaseBefore: .loaded,
                           phaseAfter: "writingChip", resumeData: ["cardIdentificationCode": "440100D1560000050001000000000007"])
        try database.close()
        let clock = clock!
        database = try StationDatabase(path: databasePath, clock: { clock.now })
        XCTAssertEqual(try journal.unfinished().map(\.step), ["iWriteCard"])
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
            XCTAssertThrowsError(try journal.append(applicationID: "APP-S", cardNumber: nil, step: "s", phaseBefore: .applied,
                                                    phaseAfter: .reserved, resumeData: value), json) { error in
                XCTAssertEqual(error as? JournalError, .secretInResumeData(keyPath: path), json)
                XCTAssertTrue("\(error)".contains("不得保存密码或密钥"))
            }
        }
        XCTAssertEqual(try journal.entries(for: "APP-S"), [], "a refused entry writes nothing")
        for key in ["spinner", "keyboardLayout", "cardNumber", "hopper", "requestID", "monkey", "pinyinName", "administrative"] {
            XCTAssertFalse(JournalSecretGuard.isSecret(key), key)
        }
        try journal.append(applicationID: "APP-S", cardNumber: nil, step: "s", phaseBefore: .applied, phaseAfter: .reserved,
                           resumeData: ["spinner": 1, "keyboardLayout": 2])
        XCTAssertEqual(try journal.entries(for: "APP-S").count, 1)
    }

    func testSplitsKeysIntoWords() {
        XCTAssertEqual(JournalSecretGuard.words(of: "adminPIN"), ["admin", "pin"])
        XCTAssertEqual(JournalSecretGuard.words(of: "PINBlock"), ["pin", "block"])
        XCTAssertEqual(JournalSecretGuard.words(of: "card_key2"), ["card", "key", "2"])
        XCTAssertEqual(JournalSecretGuard.words(of: "kebab-case-Key"), ["kebab", "case", "key"])
        XCTAssertEqual(JournalSecretGuard.words(of: "cardIdentificationCode"), ["card", "identification", "code"])
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
