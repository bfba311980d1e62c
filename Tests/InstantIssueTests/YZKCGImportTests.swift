import Foundation
import GRDB
import SSCardDriver
import XCTest
@testable import InstantIssue

/// Importing 预制卡回盘数据 (《广东省社会保障卡经办规程》附件9 一（四）): all or nothing, every row
/// checked.
final class YZKCGImportTests: StationTestCase {
    func testImportsAGeneratedFileOf100Cards() throws {
        let fixture = YZKCGFixture(count: 100)
        let url = try fixture.write(to: directory)
        let receipt = try inventory.importReturnFile(at: url, by: "clerk01")
        XCTAssertEqual(receipt.count, 100)
        XCTAssertEqual(receipt.bank, "工商银行")
        XCTAssertEqual(receipt.importedBy, "clerk01")

        let report = try inventory.stockReport()
        XCTAssertEqual(report.imported, 100)
        XCTAssertEqual(report.totals[.inStock], 100)
        XCTAssertEqual(report.byBank["工商银行"]?[.inStock], 100)

        let card = try XCTUnwrap(inventory.card(fixture.cardNumber(42)))
        XCTAssertEqual(card.state, .inStock)
        XCTAssertEqual(card.cardIdentificationCode.regionCode, "440100")
        XCTAssertEqual(card.bankCardNumber, fixture.bankCardNumber(42))
        XCTAssertEqual(card.packingPosition, "箱1-42")
        let code = try XCTUnwrap(CardIdentificationCode(hex: fixture.cardIdentificationCode(7)))
        XCTAssertEqual(try inventory.card(identifiedBy: code)?.cardNumber, fixture.cardNumber(7))

        let moves = try inventory.movements(of: fixture.cardNumber(42))
        XCTAssertEqual(moves.count, 1)
        XCTAssertNil(moves[0].from)
        XCTAssertEqual(moves[0].to, .inStock)
        XCTAssertEqual(moves[0].clerk, "clerk01")
        XCTAssertEqual(moves[0].at.text, "2024-05-01T01:00:00.000Z")

        let entries = try ledger.entries()
        XCTAssertEqual(entries.map(\.action), ["yzkcg.import"])
        XCTAssertEqual(entries[0].subject, fixture.fileName)
        XCTAssertTrue(entries[0].details.contains("\"count\":100"))
        XCTAssertTrue(try inventory.checkInvariants().holds)
    }

    func testParsesTheFileNameFields() throws {
        let name = try YZKCGFileName(parsing: "YZKCG_工商银行_广州市社保卡管理中心_B001_100_金邦达_102581000013_20240501120000.txt")
        XCTAssertEqual(name.bank, "工商银行")
        XCTAssertEqual(name.cityAgency, "广州市社保卡管理中心")
        XCTAssertEqual(name.batch, "B001")
        XCTAssertEqual(name.count, 100)
        XCTAssertEqual(name.cardMaker, "金邦达")
        XCTAssertEqual(name.bankBranchCode, "102581000013")
        XCTAssertEqual(name.time, "20240501120000")
        for bad in ["YZKSJ_工商银行_广州_B1_100_金邦达_102581000013_20240501.txt",
                    "YZKCG_工商银行_广州_B1_100_金邦达_20240501.txt",
                    "YZKCG_工商银行_广州_B1_一百_金邦达_102581000013_20240501.txt",
                    "YZKCG_工商银行_广州_B1_100_金邦达_102581000013_2024.txt",
                    "YZKCG_工商银行_广州_B1_100_金邦达_102581000013_20240501.csv",
                    "YZKCG__广州_B1_100_金邦达_102581000013_20240501.txt"] {
            XCTAssertThrowsError(try YZKCGFileName(parsing: bad), bad) { error in
                XCTAssertEqual((error as? YZKCGProblem)?.kind, .fileName)
            }
        }
    }

    func testRefusesAWrongCount() throws {
        let fixture = YZKCGFixture(count: 10)
        // Line 1 disagrees with the rows and with the file name.
        var problems = importProblems { try fixture.parse(fixture.text(declared: "9")) }
        XCTAssertEqual(problems.map(\.kind), [.count, .count])
        XCTAssertTrue(problems.allSatisfy { $0.line == 1 })
        // Line 1 and the name agree, a row is missing.
        problems = importProblems { try fixture.parse(fixture.text(rows: Array(fixture.rows.dropLast()))) }
        XCTAssertEqual(problems.map(\.kind), [.count])
        XCTAssertTrue(problems[0].english.contains("line 1 says 10 cards but the file has 9 rows"), problems[0].english)
        // The name says another count than line 1 and the rows.
        problems = importProblems {
            try YZKCGFile(fileName: fixture.fileName(count: 11), contents: fixture.data())
        }
        XCTAssertEqual(problems.map(\.kind), [.count])
        problems = importProblems { try fixture.parse(fixture.text(declared: "ten")) }
        XCTAssertEqual(problems.first?.kind, .count)
        XCTAssertEqual(try count("SELECT COUNT(*) FROM pre_made_card"), 0)
    }

    func testRefusesABadHeader() throws {
        let fixture = YZKCGFixture(count: 3)
        for header in [YZKCGFile.header.replacingOccurrences(of: "卡复位码", with: "复位码"),
                       YZKCGFile.header + ",备注",
                       YZKCGFile.header.replacingOccurrences(of: ",", with: "，"),
                       ""] {
            let problems = importProblems { try fixture.parse(fixture.text(header: header)) }
            XCTAssertEqual(problems.map(\.kind), [.header], header)
            XCTAssertEqual(problems.first?.line, 2)
            XCTAssertTrue(problems.first?.description.contains("序号,社保卡号,身份证号") == true)
        }
    }

    /// One bad value in each kind of field: the file is refused, the line and the field named.
    func testRefusesABadRowNamingLineAndField() throws {
        let fixture = YZKCGFixture(count: 5)
        let cases: [(YZKCGField, String)] = [
            (.sequence, "7"),
            (.sequence, "三"),
            (.cardNumber, "a01000003"),
            (.cardNumber, "A0100003"),
            (.cardNumber, "*00000003"),
            (.idNumber, "440101199001011234"),
            (.name, "张三"),
            (.makeDate, "20240230"),
            (.makeDate, "2024-04-15"),
            (.expiryDate, "20230101"),
            (.cardIdentificationCode, "440100D156000005000100000000000"),
            (.cardIdentificationCode, "440100D156000006000100000000000003"),
            (.cardIdentificationCode, "440100D15600000600010000000000AB"),
            (.cardIdentificationCode, "4A0100D1560000050001000000000003"),
            (.cardIdentificationCode, "sbm4567890sbm4567890sbm456789011"),
            (.resetCode, "008C544CB386844116018593C"),
            (.resetCode, "fwm4567890sbm4567890sbm451"),
            (.resetCode, ""),
            (.personalAccount, "12345X"),
            (.personalAccount, ""),
            (.bankCardNumber, "622200123"),
            (.bankCardNumber, "62220012345678901234"),
            (.bankCardNumber, "6222 0012345678901"),
            (.bankAccount, "ABC"),
            (.packingPosition, "箱\"1\""),
            (.packingPosition, "箱\u{7}1"),
        ]
        for (field, value) in cases {
            var rows = fixture.rows
            var fields = fixture.fields(3)
            fields[YZKCGField.allCases.firstIndex(of: field)!] = value
            rows[2] = fields.joined(separator: ",")
            let problems = importProblems { try fixture.parse(fixture.text(rows: rows)) }
            XCTAssertEqual(problems.count, 1, "\(field) \(value): \(problems)")
            XCTAssertEqual(problems.first?.kind, .field, "\(field) \(value)")
            XCTAssertEqual(problems.first?.line, 5, "\(field) \(value)")
            XCTAssertEqual(problems.first?.field, field, "\(field) \(value)")
            let text = problems.first?.description ?? ""
            XCTAssertTrue(text.contains("第5行 \(field.rawValue)") && text.contains("line 5, \(field.english)"), text)
        }
        // Too few fields.
        var rows = fixture.rows
        rows[1] = fixture.fields(2).dropLast().joined(separator: ",")
        let problems = importProblems { try fixture.parse(fixture.text(rows: rows)) }
        XCTAssertEqual(problems.map(\.line), [4])
        XCTAssertTrue(problems[0].english.contains("expected 12 fields, found 11"))
    }

    func testAccountNumbersAreNotEchoedInMessages() throws {
        let fixture = YZKCGFixture(count: 2)
        var fields = fixture.fields(1)
        fields[9] = "62220012345"
        let problems = importProblems { try fixture.parse(fixture.text(rows: [fields.joined(separator: ","), fixture.rows[1]])) }
        XCTAssertFalse(problems[0].description.contains("62220012345"), problems[0].description)
    }

    func testEveryBadRowIsListedNotOnlyTheFirst() throws {
        let fixture = YZKCGFixture(count: 200)
        var rows = fixture.rows
        for i in [9, 99, 199] {
            var fields = fixture.fields(i + 1)
            fields[1] = "bad"
            rows[i] = fields.joined(separator: ",")
        }
        do {
            _ = try fixture.parse(fixture.text(rows: rows))
            XCTFail("accepted")
        } catch let error as YZKCGImportError {
            XCTAssertEqual(error.total, 3)
            XCTAssertEqual(error.problems.map(\.line), [12, 102, 202])
            XCTAssertTrue(error.description.contains("整个文件被拒绝") && error.description.contains("the whole file is refused"))
        }
    }

    func testRefusesADuplicateCardNumberInTheFile() throws {
        let fixture = YZKCGFixture(count: 10)
        var rows = fixture.rows
        var fields = fixture.fields(7)
        fields[1] = fixture.cardNumber(3).value
        rows[6] = fields.joined(separator: ",")
        var problems = importProblems { try fixture.parse(fixture.text(rows: rows)) }
        XCTAssertEqual(problems.count, 1)
        XCTAssertEqual(problems[0].kind, .duplicateInFile)
        XCTAssertEqual(problems[0].line, 9)
        XCTAssertEqual(problems[0].field, .cardNumber)
        XCTAssertTrue(problems[0].description.contains("与第5行重复") && problems[0].description.contains("repeats line 5"))

        // The same chip twice (卡识别码, case-insensitive) is refused as well.
        fields = fixture.fields(8)
        fields[6] = fixture.cardIdentificationCode(2).lowercased()
        rows = fixture.rows
        rows[7] = fields.joined(separator: ",")
        problems = importProblems { try fixture.parse(fixture.text(rows: rows)) }
        XCTAssertEqual(problems.map(\.field), [.cardIdentificationCode])
        XCTAssertEqual(problems.map(\.line), [10])
    }

    func testBankCardNumbersAreDuplicatesOnlyWhenTheTextsAreEqual() throws {
        // 银行卡号 are compared packed into numbers (`YZKCGUniqueKey`): a leading zero makes
        // another number, the same digits twice are a duplicate however far apart.
        let fixture = YZKCGFixture(count: 2_000)
        var rows = fixture.rows
        func set(_ row: Int, _ bankCard: String) {
            var fields = fixture.fields(row)
            fields[9] = bankCard
            rows[row - 1] = fields.joined(separator: ",")
        }
        set(1_500, "0123456789012345")
        set(1_600, "123456789012345")
        let file = try fixture.parse(fixture.text(rows: rows))
        XCTAssertEqual(file.records[1_499].bankCardNumber, "0123456789012345")
        XCTAssertEqual(file.records[1_599].bankCardNumber, "123456789012345")

        set(1_999, "123456789012345")
        let problems = importProblems { try fixture.parse(fixture.text(rows: rows)) }
        XCTAssertEqual(problems.map(\.kind), [.duplicateInFile])
        XCTAssertEqual(problems.map(\.field), [.bankCardNumber])
        XCTAssertEqual(problems.map(\.line), [2_001])
        XCTAssertTrue(problems[0].description.contains("与第1602行重复"), problems[0].description)
    }

    func testALargeFileReadInTwoRunsListsItsProblemsInFileOrder() throws {
        // 25,000 rows are read in two runs at once (rows 1–12,500 and 12,501–25,000): the
        // problems of both runs and the duplicates across them read as one pass would list them.
        let fixture = YZKCGFixture(count: 25_000)
        var rows = fixture.rows
        func set(_ row: Int, _ field: YZKCGField, _ value: String) { YZKCGFixture.set(&rows, row, field, value) }
        set(5, .makeDate, "20241301")
        set(12_000, .resetCode, "XYZ")
        set(20_000, .cardNumber, fixture.cardNumber(10).value)
        set(24_000, .personalAccount, "")
        var problems = importProblems { try fixture.parse(fixture.text(rows: rows)) }
        XCTAssertEqual(problems.map(\.line), [7, 12_002, 20_002, 24_002])
        XCTAssertEqual(problems.map(\.field), [.makeDate, .resetCode, .cardNumber, .personalAccount])
        XCTAssertEqual(problems[2].kind, .duplicateInFile)
        XCTAssertTrue(problems[2].description.contains("与第12行重复"), problems[2].description)

        // 201 bad rows across the boundary of the runs: the first 100 are kept, all are counted.
        rows = fixture.rows
        for row in 12_400...12_600 { set(row, .bankAccount, "x") }
        do {
            _ = try fixture.parse(fixture.text(rows: rows))
            XCTFail("bad rows imported")
        } catch let error as YZKCGImportError {
            XCTAssertEqual(error.total, 201)
            XCTAssertEqual(error.problems.map(\.line), Array(12_402...12_501))
        }
    }

    func testABadRowInTheMiddleOfALargeFileRefusesTheWholeFile() throws {
        let fixture = YZKCGFixture(count: 5_000)
        var rows = fixture.rows
        var fields = fixture.fields(2_500)
        fields[6] = "440100D156000005000100000000G9C4"
        rows[2_499] = fields.joined(separator: ",")
        let url = try fixture.write(to: directory, text: fixture.text(rows: rows))
        let problems = importProblems { try self.inventory.importReturnFile(at: url, by: "clerk01") }
        XCTAssertEqual(problems.map(\.line), [2_502])
        XCTAssertEqual(problems.map(\.field), [.cardIdentificationCode])
        XCTAssertEqual(try count("SELECT COUNT(*) FROM pre_made_card"), 0)
        XCTAssertEqual(try count("SELECT COUNT(*) FROM yzkcg_import"), 0)
        // The same file without the bad row's mistake goes in whole.
        try inventory.importReturnFile(at: fixture.write(to: directory), by: "clerk01")
        XCTAssertEqual(try count("SELECT COUNT(*) FROM pre_made_card"), 5_000)
        XCTAssertEqual(try inventory.card(fixture.cardNumber(2_500))?.cardIdentificationCode.hex, fixture.cardIdentificationCode(2_500))
    }

    func testRefusesCardsAlreadyInStockAndImportsNothingOfThatFile() throws {
        try importBatch(batch: 1, count: 20)
        // Batch 2's row 4 reuses a card number of batch 1, row 6 a bank card number.
        let second = YZKCGFixture(batch: 2, count: 10)
        var rows = second.rows
        var fields = second.fields(4)
        fields[1] = YZKCGFixture(batch: 1).cardNumber(15).value
        rows[3] = fields.joined(separator: ",")
        fields = second.fields(6)
        fields[9] = YZKCGFixture(batch: 1).bankCardNumber(2)
        rows[5] = fields.joined(separator: ",")
        let url = try second.write(to: directory, text: second.text(rows: rows))
        let problems = importProblems { try self.inventory.importReturnFile(at: url, by: "clerk01") }
        XCTAssertEqual(problems.map(\.kind), [.duplicateInStock, .duplicateInStock])
        XCTAssertEqual(problems.map(\.line), [6, 8])
        XCTAssertEqual(problems.map(\.field), [.cardNumber, .bankCardNumber])
        XCTAssertTrue(problems[0].description.contains("A01000015"))
        XCTAssertEqual(try count("SELECT COUNT(*) FROM pre_made_card"), 20)
        XCTAssertEqual(try count("SELECT COUNT(*) FROM yzkcg_import"), 1)
        XCTAssertEqual(try ledger.entries().count, 1)
    }

    func testRefusesTheSameFileTwice() throws {
        let fixture = YZKCGFixture(count: 5)
        let url = try fixture.write(to: directory)
        try inventory.importReturnFile(at: url, by: "clerk01")
        let problems = importProblems { try self.inventory.importReturnFile(at: url, by: "clerk02") }
        XCTAssertEqual(problems.map(\.kind), [.alreadyImported])
        XCTAssertTrue(problems[0].description.contains("clerk01"))
    }

    func testReadsAGB18030File() throws {
        let fixture = YZKCGFixture(count: 30)
        var rows = fixture.rows
        var fields = fixture.fields(30)
        fields[11] = "广州仓库䶮号箱"
        rows[29] = fields.joined(separator: ",")
        let data = try XCTUnwrap(fixture.text(rows: rows, lineEnd: "\r\n").data(using: String.Encoding(rawValue: 0x8000_0632)))
        XCTAssertNil(String(validating: Array(data), as: UTF8.self), "the test file must not be valid UTF-8")
        let file = try YZKCGFile(fileName: fixture.fileName, contents: data)
        XCTAssertEqual(file.encoding, .gb18030)
        XCTAssertEqual(file.records.count, 30)
        XCTAssertEqual(file.records[29].packingPosition, "广州仓库䶮号箱")
        try inventory.importReturnFile(file, by: "clerk01")
        XCTAssertEqual(try inventory.card(fixture.cardNumber(30))?.packingPosition, "广州仓库䶮号箱")
    }

    func testReadsUTF8WithBOMAndCRLF() throws {
        let fixture = YZKCGFixture(count: 4)
        let file = try YZKCGFile(fileName: fixture.fileName, contents: Data([0xEF, 0xBB, 0xBF]) + fixture.data(fixture.text(lineEnd: "\r\n") + "\r\n"))
        XCTAssertEqual(file.encoding, .utf8)
        XCTAssertEqual(file.records.map(\.cardNumber), (1...4).map(fixture.cardNumber))
    }

    func testRefusesTextInNeitherEncoding() throws {
        let fixture = YZKCGFixture(count: 1)
        let problems = importProblems { try YZKCGFile(fileName: fixture.fileName, contents: Data([0x31, 0x0A, 0xFF, 0xFE, 0x80])) }
        XCTAssertEqual(problems.map(\.kind), [.encoding])
    }

    /// A failure in the middle of writing rolls the whole file back: no card, no batch, no
    /// movement, no ledger entry.
    func testNothingIsHalfImportedWhenTheDatabaseFailsMidway() throws {
        let fixture = YZKCGFixture(count: 100)
        let url = try fixture.write(to: directory)
        try database.pool.write { db in
            try db.execute(sql: """
                CREATE TRIGGER fail_at_row_60 BEFORE INSERT ON pre_made_card WHEN NEW.sequence = 60
                BEGIN SELECT RAISE(ABORT, 'disk full (simulated)'); END
                """)
        }
        XCTAssertThrowsError(try inventory.importReturnFile(at: url, by: "clerk01")) { error in
            XCTAssertTrue("\(error)".contains("disk full (simulated)"), "\(error)")
        }
        for table in ["pre_made_card", "yzkcg_import", "pre_made_card_movement", "audit_ledger"] {
            XCTAssertEqual(try count("SELECT COUNT(*) FROM \(table)"), 0, table)
        }
        try database.pool.write { try $0.execute(sql: "DROP TRIGGER fail_at_row_60") }
        XCTAssertEqual(try inventory.importReturnFile(at: url, by: "clerk01").count, 100)
        XCTAssertTrue(try inventory.checkInvariants().holds)
    }

    func testTheImportCheckpointsAfterItsCommitAndKeepsTheAutomaticCheckpoint() throws {
        // The commit is made without SQLite's automatic checkpoint; the checkpoint runs on the
        // writer's queue after the call, and the setting is back for every later write, after a
        // refused import too.
        let fixture = YZKCGFixture(count: 300)
        func fileSize() throws -> Int {
            try XCTUnwrap(FileManager.default.attributesOfItem(atPath: database.path)[.size] as? Int)
        }
        let before = try fileSize()
        try inventory.importReturnFile(fixture.parse(), by: "clerk01")
        try database.finishQueuedWrites()
        XCTAssertGreaterThan(try fileSize(), before + 300 * 100, "the cards were copied from the WAL into the database file")
        XCTAssertThrowsError(try inventory.importReturnFile(fixture.parse(), by: "clerk01"))
        let pages = try database.pool.writeWithoutTransaction { try Int.fetchOne($0, sql: "PRAGMA wal_autocheckpoint") }
        XCTAssertEqual(pages, 1000)
        XCTAssertEqual(try count("SELECT COUNT(*) FROM pre_made_card"), 300)
    }

    func testAnEmptyClerkIsRefused() throws {
        let fixture = YZKCGFixture(count: 1)
        XCTAssertThrowsError(try inventory.importReturnFile(fixture.parse(), by: " ")) { error in
            XCTAssertEqual(error as? InventoryError, .clerkRequired)
        }
    }

    func testTheQuickRowPathAcceptsOnlyWhatParseAcceptsAndGivesTheSameRecord() {
        // Rows `parse` accepts (some unusual) and refuses: the byte path must agree on every one,
        // returning `parse`'s record or leaving the row to `parse`.
        let fixture = YZKCGFixture(count: 5)
        let c1 = "\u{85}", long = String(repeating: "箱", count: 64)
        let variants: [(YZKCGField, String)] = [
            (.sequence, "3"), (.sequence, "003"), (.sequence, "0000000000000000000003"), (.sequence, "7"), (.sequence, ""),
            (.sequence, "+3"), (.sequence, "三"), (.cardNumber, "a01000003"), (.cardNumber, "A0100003"), (.cardNumber, "Ａ01000003"),
            (.idNumber, "1"), (.name, "张"), (.makeDate, ""), (.makeDate, "20240229"), (.makeDate, "20230229"),
            (.makeDate, "18991231"), (.makeDate, "20241301"), (.expiryDate, "20240415"), (.expiryDate, "20240416"),
            (.expiryDate, "20240414"), (.expiryDate, "20340415"), (.cardIdentificationCode, "440100d156000005000100000000000a"),
            (.cardIdentificationCode, "4A0100D1560000050001000000000003"), (.cardIdentificationCode, "440100D156000006000100000000000A"),
            (.resetCode, "008c544cb386844116018593ca"), (.resetCode, String(repeating: "AB", count: 33)),
            (.resetCode, String(repeating: "AB", count: 34)), (.resetCode, "0"), (.personalAccount, String(repeating: "1", count: 32)),
            (.personalAccount, String(repeating: "1", count: 33)), (.personalAccount, "１２"), (.bankCardNumber, String(repeating: "6", count: 13)),
            (.bankCardNumber, String(repeating: "6", count: 12)), (.bankAccount, ""), (.bankAccount, "x"),
            (.packingPosition, ""), (.packingPosition, long), (.packingPosition, long + "箱"), (.packingPosition, "箱" + c1),
            (.packingPosition, "箱\u{7F}"), (.packingPosition, "箱\u{A0}1"), (.packingPosition, "é́"), (.packingPosition, "a\"b"),
            (.packingPosition, "箱\r"),
        ]
        var rows = variants.map { field, value -> String in
            var fields = fixture.fields(3)
            fields[field.index] = value
            return fields.joined(separator: ",")
        }
        rows += [fixture.fields(3).joined(separator: ","), fixture.fields(3).dropLast().joined(separator: ","),
                 (fixture.fields(3) + ["x"]).joined(separator: ",")]
        for row in rows {
            var problems = YZKCGProblemList()
            let parsed = YZKCGRecord.parse(Substring(row), lineNumber: 5, expectedSequence: 3, problems: &problems)
            var bytes = row
            let quick = bytes.withUTF8 { YZKCGRecord.parseValid($0, lineNumber: 5, expectedSequence: 3) }
            if let quick {
                XCTAssertEqual(quick, parsed, row)
                XCTAssertEqual(problems.total, 0, row)
            }
            if parsed == nil { XCTAssertNil(quick, row) }
        }
        // The unusual valid rows do go the quick way.
        for (field, value) in [(YZKCGField.resetCode, "008c544cb386844116018593ca"), (.packingPosition, long), (.sequence, "003")] {
            var fields = fixture.fields(3)
            fields[field.index] = value
            var row = fields.joined(separator: ",")
            XCTAssertNotNil(row.withUTF8 { YZKCGRecord.parseValid($0, lineNumber: 5, expectedSequence: 3) }, "\(field) \(value)")
        }
    }
}
