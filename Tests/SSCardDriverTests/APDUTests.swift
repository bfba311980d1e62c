import SSCardDriver
import XCTest

/// The seven ISO/IEC 7816-4 command cases, encoded and parsed, and what a card must reject.
final class APDUTests: XCTestCase {
    private let header: [UInt8] = [0x00, 0xA4, 0x04, 0x00]

    private func roundTrip(_ apdu: CommandAPDU, encodes expected: [UInt8], file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(apdu.bytes, expected, "encoding", file: file, line: line)
        XCTAssertEqual(try CommandAPDU(bytes: expected), apdu, "parsing", file: file, line: line)
    }

    func testCase1HeaderOnly() throws {
        let apdu = CommandAPDU(cla: 0x00, ins: 0xA4, p1: 0x04, p2: 0x00)
        XCTAssertFalse(apdu.isExtended)
        try roundTrip(apdu, encodes: header)
    }

    func testCase2ShortLe() throws {
        try roundTrip(CommandAPDU(ins: 0x84, p1: 0, p2: 0, expectedLength: 8), encodes: [0x00, 0x84, 0x00, 0x00, 0x08])
        // Le 256 is written 00.
        try roundTrip(CommandAPDU(ins: 0xB0, p1: 0, p2: 0, expectedLength: 256), encodes: [0x00, 0xB0, 0x00, 0x00, 0x00])
    }

    func testCase3ShortLcData() throws {
        let aid: [UInt8] = [0x73, 0x78, 0x31, 0x2E, 0x73, 0x68, 0x2E, 0xC9, 0xE7, 0xBB, 0xE1, 0xB1, 0xA3, 0xD5, 0xCF]
        let apdu = CommandAPDU(ins: 0xA4, p1: 0x04, p2: 0x00, data: aid)
        try roundTrip(apdu, encodes: header + [0x0F] + aid)
        XCTAssertEqual(apdu.bytes.hexString, "00A404000F7378312E73682EC9E7BBE1B1A3D5CF")
        // 255 data bytes are still short.
        let full = [UInt8](repeating: 0x5A, count: 255)
        let max = CommandAPDU(ins: 0xD6, p1: 0, p2: 0, data: full)
        XCTAssertFalse(max.isExtended)
        try roundTrip(max, encodes: [0x00, 0xD6, 0x00, 0x00, 0xFF] + full)
    }

    func testCase4ShortLcDataLe() throws {
        try roundTrip(
            CommandAPDU(ins: 0xA4, p1: 0x04, p2: 0x00, data: [0xA0, 0x01], expectedLength: 256),
            encodes: header + [0x02, 0xA0, 0x01, 0x00])
        try roundTrip(
            CommandAPDU(cla: 0x80, ins: 0xCA, p1: 0x01, p2: 0x02, data: [0x01], expectedLength: 0x10),
            encodes: [0x80, 0xCA, 0x01, 0x02, 0x01, 0x01, 0x10])
    }

    func testCase2ExtendedLe() throws {
        let apdu = CommandAPDU(ins: 0xB0, p1: 0, p2: 0, expectedLength: 257)
        XCTAssertTrue(apdu.isExtended)
        try roundTrip(apdu, encodes: [0x00, 0xB0, 0x00, 0x00, 0x00, 0x01, 0x01])
        // Le 65536 is written 00 00.
        try roundTrip(CommandAPDU(ins: 0xB0, p1: 0, p2: 0, expectedLength: 65536),
                      encodes: [0x00, 0xB0, 0x00, 0x00, 0x00, 0x00, 0x00])
    }

    func testCase3ExtendedLcData() throws {
        let data = [UInt8](repeating: 0x11, count: 256)
        let apdu = CommandAPDU(ins: 0xD6, p1: 0, p2: 0, data: data)
        XCTAssertTrue(apdu.isExtended)
        try roundTrip(apdu, encodes: [0x00, 0xD6, 0x00, 0x00, 0x00, 0x01, 0x00] + data)
        let biggest = [UInt8](repeating: 0x22, count: 65535)
        try roundTrip(CommandAPDU(ins: 0xD6, p1: 0, p2: 0, data: biggest),
                      encodes: [0x00, 0xD6, 0x00, 0x00, 0x00, 0xFF, 0xFF] + biggest)
    }

    func testCase4ExtendedLcDataLe() throws {
        let data = [UInt8](repeating: 0x33, count: 300)
        try roundTrip(CommandAPDU(ins: 0x2A, p1: 0x9E, p2: 0x9A, data: data, expectedLength: 65536),
                      encodes: [0x00, 0x2A, 0x9E, 0x9A, 0x00, 0x01, 0x2C] + data + [0x00, 0x00])
        // Short data with a long Le forces the extended form for both lengths.
        try roundTrip(CommandAPDU(ins: 0x88, p1: 0, p2: 0, data: [0x01, 0x02], expectedLength: 512),
                      encodes: [0x00, 0x88, 0x00, 0x00, 0x00, 0x00, 0x02, 0x01, 0x02, 0x02, 0x00])
    }

    func testParsedCaseFieldsAreTheRightOnes() throws {
        let c4 = try CommandAPDU(bytes: [0x80, 0xCA, 0x9F, 0x7F, 0x02, 0xAA, 0xBB, 0x2D])
        XCTAssertEqual(c4.cla, 0x80)
        XCTAssertEqual(c4.ins, 0xCA)
        XCTAssertEqual(c4.p1, 0x9F)
        XCTAssertEqual(c4.p2, 0x7F)
        XCTAssertEqual(c4.data, [0xAA, 0xBB])
        XCTAssertEqual(c4.expectedLength, 0x2D)
        let c2e = try CommandAPDU(bytes: [0x00, 0xB0, 0x00, 0x00, 0x00, 0x12, 0x34])
        XCTAssertEqual(c2e.data, [])
        XCTAssertEqual(c2e.expectedLength, 0x1234)
    }

    func testMalformedInputsThrowInsteadOfTrapping() {
        func rejects(_ bytes: [UInt8], _ expected: APDUFormatError, line: UInt = #line) {
            XCTAssertThrowsError(try CommandAPDU(bytes: bytes), line: line) { error in
                XCTAssertEqual(error as? APDUFormatError, expected, line: line)
            }
        }
        rejects([], .tooShort(0))
        rejects([0x00, 0xA4, 0x04], .tooShort(3))
        // Lc 5 but only 2 data bytes.
        rejects(header + [0x05, 0x01, 0x02], .lengthMismatch(declared: 5, actual: 2))
        // Lc 1, one data byte, then two bytes too many for a case 4 Le.
        rejects(header + [0x01, 0xAA, 0x00, 0x00], .lengthMismatch(declared: 1, actual: 3))
        // A lone 00 after the short Le position: neither 2S nor extended.
        rejects(header + [0x00, 0x01], .lengthMismatch(declared: 0, actual: 1))
        // Extended Lc 0 is not allowed when data follow.
        rejects(header + [0x00, 0x00, 0x00, 0xAA], .lengthMismatch(declared: 0, actual: 1))
        // Extended Lc 3, 2 data bytes.
        rejects(header + [0x00, 0x00, 0x03, 0x01, 0x02], .lengthMismatch(declared: 3, actual: 2))
        // Extended Lc 1, data, and a 1-byte Le (extended Le needs 2).
        rejects(header + [0x00, 0x00, 0x01, 0xAA, 0x10], .lengthMismatch(declared: 1, actual: 2))
        // Hostile extended Lc far beyond the data.
        rejects(header + [0x00, 0xFF, 0xFF, 0x01], .lengthMismatch(declared: 65535, actual: 1))
    }

    func testEveryTruncationOfAValidAPDUIsRejectedOrIsAnotherCase() {
        // Truncating a case-4E APDU must never read out of bounds; each prefix is either
        // rejected or parsed as a shorter, self-consistent case.
        let full = CommandAPDU(ins: 0x2A, p1: 0x80, p2: 0x86, data: [UInt8](repeating: 7, count: 260), expectedLength: 300).bytes
        for n in 0..<full.count {
            let prefix = Array(full[..<n])
            if let parsed = try? CommandAPDU(bytes: prefix) {
                XCTAssertEqual(parsed.bytes, prefix, "prefix of \(n) bytes parsed to \(parsed)")
            }
        }
    }

    func testErrorDescriptionsNameTheProblem() {
        XCTAssertEqual(APDUFormatError.tooShort(2).description, "APDU of 2 bytes is shorter than its 4-byte header")
        XCTAssertEqual(APDUFormatError.lengthMismatch(declared: 5, actual: 2).description,
                       "APDU declares 5 data bytes but carries 2")
    }

    func testResponseAPDUSplitsDataAndStatusWord() throws {
        let r = try XCTUnwrap(ResponseAPDU(bytes: [0x01, 0x02, 0x03, 0x90, 0x00]))
        XCTAssertEqual(r.data, [0x01, 0x02, 0x03])
        XCTAssertEqual(r.statusWord, .success)
        XCTAssertEqual(r.bytes, [0x01, 0x02, 0x03, 0x90, 0x00])
        let bare = try XCTUnwrap(ResponseAPDU(bytes: [0x6A, 0x82]))
        XCTAssertEqual(bare.data, [])
        XCTAssertEqual(bare.statusWord, .fileNotFound)
        XCTAssertNil(ResponseAPDU(bytes: [0x90]))
        XCTAssertNil(ResponseAPDU(bytes: []))
        XCTAssertEqual(r.description, "010203 9000 (success)")
    }
}
