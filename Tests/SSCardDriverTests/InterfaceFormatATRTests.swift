import SSCardDriver
import XCTest

/// ATR parsing per ISO/IEC 7816-3 and the historical bytes iReadCardBas reports as 卡复位信息.
final class InterfaceFormatATRTests: XCTestCase {
    /// The 卡复位信息 of public samples (the 38号文 example, a blank 3.0 card in
    /// leithergit/SSCard_System, an HSM Step1 output, leithergit/Z390Kylin's test data), behind the
    /// `3B6D0000` prefix that leithergit/Z390Kylin slices off (T=0, TB1 and TC1 present, 13
    /// historical bytes).
    func testRealSamplesBehindTheT0Prefix() throws {
        for historical in ["00814E43238697159900BF7C7A", "008C544CB386844116018593CA",
                           "00904A3001866033110000048A", "0096DF21018649542600028141"] {
            let atr = try AnswerToReset(hex: "3B6D0000" + historical)
            XCTAssertEqual(atr.historicalBytesHex, historical)
            XCTAssertEqual(atr.convention, .direct)
            XCTAssertEqual(atr.interfaceBytes, [0x00, 0x00])
            XCTAssertEqual(atr.protocols, [0])
            XCTAssertNil(atr.checkByte)
        }
    }

    func testT1WithTCKAsTheSimulatorBuildsIt() throws {
        let historical = "0053494D338630411600000001"
        var bytes: [UInt8] = [0x3B, 0x8D, 0x01] + [UInt8](hex: historical)!
        bytes.append(bytes.dropFirst().reduce(0, ^))
        let atr = try AnswerToReset(bytes: bytes)
        XCTAssertEqual(atr.historicalBytesHex, historical)
        XCTAssertEqual(atr.protocols, [1])
        XCTAssertEqual(atr.checkByte, bytes.last)
        XCTAssertEqual(try AnswerToReset(bytes: [0x3B, 0x0D] + [UInt8](hex: historical)!).protocols, [0])
    }

    func testPublicATRs() throws {
        // PC/SC part 3 storage card: TD1 T=0, TD2 T=1, 15 historical bytes, TCK 6A.
        let storage = try AnswerToReset(hex: "3B 8F 80 01 80 4F 0C A0 00 00 03 06 03 00 01 00 00 00 00 6A")
        XCTAssertEqual(storage.historicalBytesHex, "804F0CA00000030603000100000000")
        XCTAssertEqual(storage.historicalBytes.count, 15)
        XCTAssertEqual(storage.protocols, [0, 1])
        XCTAssertEqual(storage.checkByte, 0x6A)
        // JCOP: TA1 TB1 TC1 TD1(T=1) TD2(T=1, TA3 TB3), "JCOPv241".
        let jcop = try AnswerToReset(hex: "3BF81300008131FE454A434F5076323431B7")
        XCTAssertEqual(String(decoding: jcop.historicalBytes, as: UTF8.self), "JCOPv241")
        XCTAssertEqual(jcop.interfaceBytes, [0x13, 0x00, 0x00, 0x81, 0x31, 0xFE, 0x45])
        XCTAssertEqual(jcop.protocols, [1])
        // T=0 and T=15 (global bytes, TA3): a TCK is present, and T=15 is no protocol.
        var global: [UInt8] = [0x3B, 0x80, 0x80, 0x1F, 0x03]
        global.append(global.dropFirst().reduce(0, ^))
        let t15 = try AnswerToReset(bytes: global)
        XCTAssertEqual(t15.protocols, [0])
        XCTAssertEqual(t15.interfaceBytes, [0x80, 0x1F, 0x03])
        XCTAssertNotNil(t15.checkByte)
        XCTAssertInterfaceError(.wrongCardType, mentioning: "TCK") { try AnswerToReset(bytes: Array(global.dropLast())) }
        // Inverse convention as the reader delivers it, no historical bytes.
        let inverse = try AnswerToReset(hex: "3F6225083604")
        XCTAssertEqual(inverse.convention, .inverse)
        XCTAssertEqual(inverse.historicalBytesHex, "3604")
        XCTAssertEqual(try AnswerToReset(hex: "3B00").historicalBytes, [])
    }

    func testMalformedATRs() {
        func bad(_ hex: String, _ mentioning: String, code: InterfaceCode = .wrongCardType, line: UInt = #line) {
            XCTAssertInterfaceError(code, mentioning: mentioning, { try AnswerToReset(hex: hex) }, line: line)
        }
        bad("", "不足2字节")
        bad("3B", "不足2字节")
        bad("3C6D0000008C544CB386844116018593CA", "TS")
        bad("3B6D00", "截断")
        bad("3B6D0000008C544CB386844116018593", "历史字节不足13个")
        bad("3B6D0000008C544CB386844116018593CA00", "多出1字节")
        bad("3B80", "TD1")
        bad("3B8001", "TCK")
        bad("3B800100", "TCK", code: .checksumError)
        bad("3B8D01" + "0053494D338630411600000001" + "00", "TCK", code: .checksumError)
        bad("3B" + String(repeating: "00", count: 33), "33字节")
        XCTAssertInterfaceError(.badParameter, mentioning: "十六进制") { try AnswerToReset(hex: "3B6X") }
    }
}
