import XCTest
import SSCardDriver
@testable import SSCardSimulator

/// READ RECORD and UPDATE RECORD with their security rules.
final class SimulatedCardRecordTests: XCTestCase {
    func testBlankCardEF05ReadsByTagAndByNumber() throws {
        let t = try TestTerminal.blank()
        t.selectSSSE(file: .ef05)
        let id = t.send("00B2010000")
        XCTAssertEqual(id.statusWord, .success)
        XCTAssertEqual(id.data, [0x01, 0x10] + t.cardID)
        XCTAssertEqual(t.send("00B2030400").data, [0x03, 0x04] + Array("3.00".utf8))
        XCTAssertEqual(t.send("00B2020000").data, [0x02, 0x01, 0x33])
        XCTAssertEqual(t.send("00B2050000").data.hexString, "050420211203")
        XCTAssertEqual(t.send("00B2060000").data.hexString, "060420311202")
        XCTAssertEqual(t.send("00B2070000").data, [0x07, 0x09] + Array("SIM000001".utf8))
        XCTAssertEqual(t.send("00B2040400").data.hexString, "040C91560000024116004116006A")
        XCTAssertEqual(t.sw("00B2080400"), 0x6A83)
        XCTAssertEqual(t.sw("00B2090000"), 0x6A83)
        XCTAssertFalse(t.card.image.isPersonalised)
    }

    func testDriverReadsIssuerDataOverTheChannel() throws {
        let t = try TestTerminal.blank()
        let data = try SocialSecurityCard(channel: t.channel).readIssuerData()
        XCTAssertEqual(data.cardIdentificationCode.regionCode, "411600")
        XCTAssertEqual(data.cardNumber, "SIM000001")
        XCTAssertEqual(data.specificationVersion, "3.00")
        XCTAssertEqual(data.issueDate, "20211203")
    }

    func testReadRecordRefusals() throws {
        let t = try TestTerminal.blank()
        XCTAssertEqual(t.sw("00B2010000"), 0x6986, "no EF selected")
        t.selectSSSE()
        XCTAssertEqual(t.sw("00B2010000"), 0x6986, "SSSE selected, no EF")
        t.selectSSSE(file: .ef05)
        XCTAssertEqual(t.sw("00B2000400"), 0x6A86, "record 0")
        XCTAssertEqual(t.sw("00B2010500"), 0x6A86)
        XCTAssertEqual(t.sw("00B20104"), 0x6700, "no Le")
        XCTAssertEqual(t.sw("00B2072C00"), 0x9000, "SFI 5 record 7")
        XCTAssertEqual(t.sw("00B2014C00"), 0x6A82, "SFI 9 does not exist")
        t.selectCertificateADF(file: .signingCertificate)
        XCTAssertEqual(t.sw("00B2010400"), 0x6981, "record command on a binary file")
    }

    func testEF06NeedsInternalAndExternalReadAuthentication() throws {
        let t = try TestTerminal.personalised()
        t.selectSSSE(file: .ef06)
        XCTAssertEqual(t.sw("00B2080000"), 0x6982, "no authentication")
        try t.internalAuthenticate()
        XCTAssertEqual(t.sw("00B2080000"), 0x6982, "internal only")
        XCTAssertEqual(try t.externalAuthenticate(.writeKey), 0x9000)
        XCTAssertEqual(t.sw("00B2080000"), 0x6982, "write key is not the read key")
        XCTAssertEqual(try t.externalAuthenticate(.readKey), 0x9000)
        let ssn = t.send("00B2080000")
        XCTAssertEqual(ssn.statusWord, .success)
        XCTAssertEqual(ssn.data, [0x08, 0x12] + Array("111111198101011110".utf8))
        let name = t.send("00B2020400")
        XCTAssertEqual(name.data.count, 32, "fixed 30-byte element")
        XCTAssertEqual(GB18030.decode(Array(name.data[2..<6])), "张三")
        XCTAssertEqual(Array(name.data[6...]), [UInt8](repeating: 0, count: 26))
        XCTAssertEqual(t.send("00B20C0000").data.hexString, "0C03411602", "出生地 BCD")
        XCTAssertEqual(t.sw("00B24E0000"), 0x6A83, "no name extension on this card")

        // A reset forgets the authentication.
        t.card.reset()
        t.selectSSSE(file: .ef06)
        XCTAssertEqual(t.sw("00B2080000"), 0x6982)
    }

    func testExternalAuthOnlyWithoutInternalIsNotEnough() throws {
        let t = try TestTerminal.personalised()
        t.selectSSSE(file: .ef06)
        XCTAssertEqual(try t.externalAuthenticate(.readKey), 0x9000)
        XCTAssertEqual(t.sw("00B2080000"), 0x6982)
        XCTAssertEqual(t.sw("00B2010400"), 0x6982, "by number as well")
        t.selectSSSE(file: .ef08)
        XCTAssertEqual(t.sw("00B2010400"), 0x6982, "EF08 too")
    }

    func testLeavingTheSSSEDropsTheAuthentication() throws {
        let t = try TestTerminal.personalised()
        t.selectSSSE(file: .ef06)
        try t.internalAuthenticate()
        XCTAssertEqual(try t.externalAuthenticate(.readKey), 0x9000)
        t.selectSSSE(file: .ef06)
        XCTAssertEqual(t.sw("00B2080000"), 0x9000, "re-selecting the SSSE keeps it")
        t.selectCertificateADF()
        t.selectSSSE(file: .ef06)
        XCTAssertEqual(t.sw("00B2080000"), 0x6982)
    }

    func testPersonalisationByUpdateRecordNeedsTheWriteKey() throws {
        let t = try TestTerminal.blank()
        t.selectSSSE(file: .ef06)
        let ssn = SimpleTLV(tag: 0x08, value: Array("41160219900101002X".utf8))
        XCTAssertEqual(t.sw(SSSECommands.updateRecord(number: 1, record: ssn)), 0x6982)
        XCTAssertEqual(try t.externalAuthenticate(.readKey), 0x9000)
        XCTAssertEqual(t.sw(SSSECommands.updateRecord(number: 1, record: ssn)), 0x6982, "read key does not open writing")
        XCTAssertEqual(try t.externalAuthenticate(.writeKey), 0x9000)
        XCTAssertEqual(t.sw(SSSECommands.updateRecord(number: 1, record: ssn)), 0x9000)
        XCTAssertTrue(t.card.image.isPersonalised)
        let name = SimpleTLV(tag: 0x09, value: GB18030.encode("李四")!)
        XCTAssertEqual(t.sw(SSSECommands.updateRecord(number: 2, record: name)), 0x9000)
        XCTAssertEqual(t.card.image.records.value(of: .name), GB18030.encode("李四")! + [UInt8](repeating: 0, count: 26))
        XCTAssertEqual(t.sw(SSSECommands.updateRecord(number: 5, record: SimpleTLV(tag: 0x0B, value: [0x01]))), 0x9000)
        XCTAssertEqual(t.sw(SSSECommands.updateRecord(number: 6, record: SimpleTLV(tag: 0x0C, value: [0x41, 0x16]))), 0x9000)
        XCTAssertEqual(t.card.image.records.value(of: .birthPlace), [0x41, 0x16, 0xFF], "BCD padded with FF")

        // The write key's state carries over to EF05 (as in the personalisation flow).
        XCTAssertEqual(t.sw("00A4000002EF05"), 0x9000)
        XCTAssertEqual(t.sw(SSSECommands.updateRecord(number: 7, record: SimpleTLV(tag: 0x07, value: Array("SIM999999".utf8)))), 0x9000)
        XCTAssertEqual(t.send("00B2070000").data, [0x07, 0x09] + Array("SIM999999".utf8))

        // Read back after read authentication.
        XCTAssertEqual(t.sw("00A4000002EF06"), 0x9000)
        try t.internalAuthenticate()
        XCTAssertEqual(try t.externalAuthenticate(.readKey), 0x9000)
        XCTAssertEqual(t.send("00B2080000").data, ssn.bytes)
    }

    func testUpdateRecordRefusals() throws {
        let t = try TestTerminal.blank()
        XCTAssertEqual(t.sw("00DC010403080141"), 0x6986, "no EF")
        t.selectSSSE(file: .ef06)
        XCTAssertEqual(try t.externalAuthenticate(.writeKey), 0x9000)
        XCTAssertEqual(t.sw("00DC010403090141"), 0x6A80, "tag 09 in record 1 (tag 08)")
        XCTAssertEqual(t.sw("00DC030403080141"), 0x6A80, "record 3 holds tag 4E")
        XCTAssertEqual(t.sw("00DC080403080141"), 0x6A83, "no record 8 in EF06")
        XCTAssertEqual(t.sw("00DC000403080141"), 0x6A86)
        XCTAssertEqual(t.sw("00DC010003080141"), 0x6A86, "by tag is not allowed for UPDATE")
        XCTAssertEqual(t.sw("00DC0104"), 0x6700, "no data")
        // Value longer than the element (sex: 1 byte).
        XCTAssertEqual(t.sw("00DC0404040A023132"), 0x6700)
        // TLV whose length runs past the data, and TLV with trailing bytes.
        XCTAssertEqual(t.sw("00DC01040308054142"), 0x6A80)
        XCTAssertEqual(t.sw("00DC0104040A013100"), 0x6A80)
        XCTAssertEqual(t.sw("00DC01040208FF"), 0x6A80, "three-byte length form cut short")
        XCTAssertEqual(t.sw("00DC010401FF"), 0x6A80)
        XCTAssertFalse(t.card.image.isPersonalised, "nothing was written")
    }

    func testPhotoRecordInEF08() throws {
        let t = try TestTerminal.personalised()
        t.selectSSSE(file: .ef08)
        XCTAssertEqual(try t.externalAuthenticate(.writeKey), 0x9000)
        let photo = [0xFF, 0xD8] + [UInt8](repeating: 0x42, count: 20000) + [0xFF, 0xD9]
        XCTAssertEqual(t.sw(SSSECommands.updateRecord(number: 1, record: SimpleTLV(tag: 0x01, value: photo))), 0x9000)
        let tooBig = SimpleTLV(tag: 0x01, value: [UInt8](repeating: 0, count: 49153))
        XCTAssertEqual(t.sw(SSSECommands.updateRecord(number: 1, record: tooBig)), 0x6700)
        try t.internalAuthenticate()
        XCTAssertEqual(try t.externalAuthenticate(.readKey), 0x9000)
        let r = t.send(CommandAPDU(ins: 0xB2, p1: 1, p2: 4, expectedLength: 65536))
        XCTAssertEqual(r.statusWord, .success)
        XCTAssertEqual(r.data, SimpleTLV(tag: 0x01, value: photo).bytes)
    }
}
