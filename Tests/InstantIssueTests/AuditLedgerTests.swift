import Foundation
import GRDB
import SSCardDriver
import XCTest
@testable import InstantIssue

/// 台账 (《广东省社会保障卡经办规程》第十二条（三）): append-only, hash-chained, tampering found
/// and named.
final class AuditLedgerTests: StationTestCase {
    /// Ten entries, one a minute.
    func appendTen() throws {
        for i in 1...10 {
            try ledger.append(clerk: "clerk0\(i % 3)", action: "card.issue", subject: "A0100000\(i - 1)", details: #"{"n":\#(i)}"#)
            clock.advance(60)
        }
    }

    /// Runs raw SQL with the append-only triggers dropped, as someone with the file could.
    func tamper(_ sql: String) throws {
        try database.pool.write { db in
            try db.execute(sql: "DROP TRIGGER IF EXISTS audit_ledger_no_update; DROP TRIGGER IF EXISTS audit_ledger_no_delete")
            try db.execute(sql: sql)
        }
    }

    func testChainsEntriesWithSM3HMACUnderTheDeskKey() throws {
        try appendTen()
        let entries = try ledger.entries()
        XCTAssertEqual(entries.map(\.seq), Array(1...10))
        XCTAssertEqual(entries[0].previousHash, AuditLedger.genesisHash)
        for i in 1..<entries.count { XCTAssertEqual(entries[i].previousHash, entries[i - 1].hash) }
        let key = try database.ledgerKey.withKey { $0 }
        for e in entries {
            XCTAssertEqual(e.hash, try SM3HMAC.mac(key: key, message: e.canonicalBytes).hexString)
            XCTAssertNotEqual(e.hash, try SM3.hash(e.canonicalBytes).hexString)
        }
        XCTAssertEqual(String(decoding: entries[0].canonicalBytes, as: UTF8.self),
                       "SSCARD-LEDGER-1\n1:1\n24:2024-05-01T01:00:00.000Z\n7:clerk01\n10:card.issue\n9:A01000000\n7:{\"n\":1}\n64:\(AuditLedger.genesisHash)\n")
        let verification = try ledger.verify()
        XCTAssertTrue(verification.isIntact, verification.description)
        XCTAssertEqual(verification.entryCount, 10)
        XCTAssertEqual(verification.head, try ledger.head())
        XCTAssertThrowsError(try ledger.append(clerk: "", action: "x", subject: "y")) { error in
            XCTAssertEqual(error as? AuditLedgerError, .clerkRequired)
        }
    }

    func testEntriesOfSomeActionsInChainOrder() throws {
        for (action, subject) in [("制卡成功", "A1"), ("工本费", "A1"), ("制卡成功", "A2"), ("领卡启用", "A1"), ("回执", "A2")] {
            try ledger.append(clerk: "clerk01", action: action, subject: subject)
        }
        let made = try ledger.entries(actions: ["制卡成功", "领卡启用"])
        XCTAssertEqual(made.map(\.seq), [1, 3, 4])
        XCTAssertEqual(made, try ledger.entries().filter { ["制卡成功", "领卡启用"].contains($0.action) })
        XCTAssertEqual(try ledger.entries(actions: []), [])
    }

    func testTriggersRefuseUpdateAndDelete() throws {
        try appendTen()
        for sql in ["UPDATE audit_ledger SET clerk = 'x' WHERE seq = 2", "DELETE FROM audit_ledger WHERE seq = 2"] {
            XCTAssertThrowsError(try database.pool.write { try $0.execute(sql: sql) }, sql) { error in
                XCTAssertTrue("\(error)".contains("append-only"), "\(error)")
            }
        }
        XCTAssertTrue(try ledger.verify().isIntact)
    }

    func testFindsAnEditedEntry() throws {
        try appendTen()
        try tamper("UPDATE audit_ledger SET subject = 'A01000099' WHERE seq = 3")
        let verification = try ledger.verify()
        XCTAssertEqual(verification.problems, [.edited(seq: 3)])
        XCTAssertTrue(verification.description.contains("第3条被修改") && verification.description.contains("entry #3 was edited"))
    }

    func testFindsAnEditedAndRehashedEntry() throws {
        try appendTen()
        var entry = try ledger.entries()[4]
        entry.details = #"{"n":500}"#
        let hash = try SM3.hash(entry.canonicalBytes).hexString
        try tamper("UPDATE audit_ledger SET details = '{\"n\":500}', hash = '\(hash)' WHERE seq = 5")
        XCTAssertEqual(try ledger.verify().problems, [.forged(seqs: 5...5)], "re-hashed without the key: forged where it stands")
        // Someone who has the key can re-hash the entry; the next one no longer follows it.
        let keyed = try database.ledgerKey.withKey { try SM3HMAC.mac(key: $0, message: entry.canonicalBytes).hexString }
        try tamper("UPDATE audit_ledger SET hash = '\(keyed)' WHERE seq = 5")
        XCTAssertEqual(try ledger.verify().problems, [.chainBroken(seq: 6)])
    }

    func testFindsADeletedEntry() throws {
        try appendTen()
        try tamper("DELETE FROM audit_ledger WHERE seq = 4")
        XCTAssertEqual(try ledger.verify().problems, [.missing(seqs: 4...4)])
        try tamper("DELETE FROM audit_ledger WHERE seq IN (7, 8)")
        let problems = try ledger.verify().problems
        XCTAssertEqual(problems, [.missing(seqs: 4...4), .missing(seqs: 7...8)])
        XCTAssertTrue(problems[1].description.contains("entries #7–#8 are missing"))
    }

    func testFindsSwappedEntries() throws {
        try appendTen()
        try tamper("""
            UPDATE audit_ledger SET seq = 1000 WHERE seq = 3;
            UPDATE audit_ledger SET seq = 3 WHERE seq = 6;
            UPDATE audit_ledger SET seq = 6 WHERE seq = 1000;
            """)
        let problems = try ledger.verify().problems
        XCTAssertEqual(problems, [.moved(seq: 3, recordedAs: 6), .moved(seq: 6, recordedAs: 3)])
        XCTAssertTrue(problems[0].description.contains("recorded as #6 (reordered)"))
    }

    func testFindsTheLastEntriesRemovedWithAnAnchor() throws {
        try appendTen()
        let anchor = try XCTUnwrap(ledger.head())
        XCTAssertTrue(try ledger.verify(anchor: anchor).isIntact)
        try tamper("DELETE FROM audit_ledger WHERE seq >= 9")
        XCTAssertTrue(try ledger.verify().isIntact, "a cut at the end leaves a valid chain")
        XCTAssertEqual(try ledger.verify(anchor: anchor).problems, [.missing(seqs: 10...10)])
    }

    func testExportsOneDayAsCSV() throws {
        let shanghai = try XCTUnwrap(TimeZone(identifier: "Asia/Shanghai"))
        // 2024-04-30 23:59 and 2024-05-01 00:00 local, then two more on 05-01, one on 05-02.
        clock.set(Date(timeIntervalSince1970: 1_714_492_740))
        try ledger.append(clerk: "c1", action: "card.issue", subject: "A01000001")
        clock.advance(60)
        try ledger.append(clerk: "张三", action: "card.spoil", subject: "A01000002", details: #"{"reason":"划伤, \"严重\""}"#)
        clock.advance(3600)
        try ledger.append(clerk: "c1", action: "note", subject: "=HYPERLINK(\"http://x\")", details: "line1\nline2")
        clock.advance(3600)
        try ledger.append(clerk: "c1", action: "note", subject: "-5", details: "")
        clock.advance(86_400)
        try ledger.append(clerk: "c1", action: "stock.take", subject: "预制卡")

        let data = try ledger.exportCSV(day: "2024-05-01", timeZone: shanghai)
        XCTAssertEqual(Array(data.prefix(3)), [0xEF, 0xBB, 0xBF])
        let text = String(decoding: data.dropFirst(3), as: UTF8.self)
        let lines = text.components(separatedBy: "\r\n")
        XCTAssertEqual(lines[0], "序号,记录时间(UTC),本地时间,经办人,操作,对象,详情,前一条哈希,本条哈希")
        XCTAssertTrue(lines[1].hasPrefix("2,2024-04-30T16:00:00.000Z,2024-05-01 00:00:00.000,张三,card.spoil,A01000002,"), lines[1])
        XCTAssertTrue(lines[1].contains(#","{""reason"":""划伤, \""严重\""""}","#), lines[1])
        XCTAssertTrue(text.contains("3,2024-04-30T17:00:00.000Z,2024-05-01 01:00:00.000,c1,note,\"'=HYPERLINK(\"\"http://x\"\")\",\"line1\nline2\","), text)
        XCTAssertTrue(text.contains(",c1,note,'-5,,"), text)
        XCTAssertFalse(text.contains("A01000001") || text.contains("stock.take"), "other days stay out")
        XCTAssertTrue(text.hasSuffix("\r\n"))
        let hashes = try ledger.entries().map(\.hash)
        XCTAssertTrue(text.contains(hashes[1]) && text.contains(hashes[3]))

        let empty = try ledger.exportCSV(day: "2024-06-01", timeZone: shanghai)
        XCTAssertEqual(String(decoding: empty.dropFirst(3), as: UTF8.self).components(separatedBy: "\r\n").count, 2)
        XCTAssertThrowsError(try ledger.exportCSV(day: "2024-02-30", timeZone: shanghai)) { error in
            XCTAssertEqual(error as? AuditLedgerError, .badDay("2024-02-30"))
        }
    }

    func testCSVQuotingFollowsRFC4180() {
        XCTAssertEqual(AuditLedger.csvCell("plain"), "plain")
        XCTAssertEqual(AuditLedger.csvCell("a,b"), "\"a,b\"")
        XCTAssertEqual(AuditLedger.csvCell("say \"hi\""), "\"say \"\"hi\"\"\"")
        XCTAssertEqual(AuditLedger.csvCell("a\r\nb"), "\"a\r\nb\"")
        XCTAssertEqual(AuditLedger.csvCell("+1"), "'+1")
        XCTAssertEqual(AuditLedger.csvCell("@cmd"), "'@cmd")
    }
}
