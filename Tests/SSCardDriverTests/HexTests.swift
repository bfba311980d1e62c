import SSCardDriver
import XCTest

final class HexTests: XCTestCase {
    func testParsesBothCasesAndIgnoresSpaces() {
        XCTAssertEqual([UInt8](hex: "00A40400"), [0x00, 0xA4, 0x04, 0x00])
        XCTAssertEqual([UInt8](hex: "00 a4 04 00"), [0x00, 0xA4, 0x04, 0x00])
        XCTAssertEqual([UInt8](hex: "  0 0 F f  "), [0x00, 0xFF])
        XCTAssertEqual([UInt8](hex: ""), [])
        XCTAssertEqual([UInt8](hex: "   "), [])
    }

    func testRejectsOddCountsAndForeignCharacters() {
        XCTAssertNil([UInt8](hex: "0"))
        XCTAssertNil([UInt8](hex: "00A"))
        XCTAssertNil([UInt8](hex: "0x00"))
        XCTAssertNil([UInt8](hex: "GG"))
        XCTAssertNil([UInt8](hex: "00:11"))
        XCTAssertNil([UInt8](hex: "00\t11"))  // only spaces are separators
        XCTAssertNil([UInt8](hex: "００"))
    }

    func testHexStringIsUpperCaseWithoutSeparators() {
        XCTAssertEqual([UInt8]([0x00, 0x0F, 0xA0, 0xFF]).hexString, "000FA0FF")
        XCTAssertEqual([UInt8]().hexString, "")
    }

    func testRoundTripOfAllByteValues() {
        let all = (0...255).map { UInt8($0) }
        XCTAssertEqual(all.hexString.count, 512)
        XCTAssertEqual([UInt8](hex: all.hexString), all)
        XCTAssertEqual([UInt8](hex: all.hexString.lowercased()), all)
    }

    func testSubstringInput() {
        let line = "SW=9000;"
        let digits = line.dropFirst(3).dropLast()
        XCTAssertEqual([UInt8](hex: digits), [0x90, 0x00])
    }
}
