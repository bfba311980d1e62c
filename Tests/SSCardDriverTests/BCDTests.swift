import SSCardDriver
import XCTest

final class BCDTests: XCTestCase {
    func testDatesPackTwoDigitsPerByte() {
        XCTAssertEqual(BCD.encode("20240131"), [0x20, 0x24, 0x01, 0x31])
        XCTAssertEqual(BCD.encode("20240131", byteCount: 4), [0x20, 0x24, 0x01, 0x31])
        XCTAssertEqual(BCD.decode([0x20, 0x24, 0x01, 0x31]), "20240131")
    }

    func testOddDigitCountsAndLongFieldsArePaddedWithF() {
        XCTAssertEqual(BCD.encode("123"), [0x12, 0x3F])
        XCTAssertEqual(BCD.encode("310104", byteCount: 4), [0x31, 0x01, 0x04, 0xFF])
        XCTAssertEqual(BCD.encode("1", byteCount: 2), [0x1F, 0xFF])
        XCTAssertEqual(BCD.encode("", byteCount: 2), [0xFF, 0xFF])
        XCTAssertEqual(BCD.encode(""), [])
        XCTAssertEqual(BCD.decode([0x12, 0x3F]), "123")
        XCTAssertEqual(BCD.decode([0x31, 0x01, 0x04, 0xFF]), "310104")
        XCTAssertEqual(BCD.decode([0xFF, 0xFF]), "")
        XCTAssertEqual(BCD.decode([]), "")
    }

    func testEncodeRejectsNonDigitsAndOverflow() {
        XCTAssertNil(BCD.encode("12a4"))
        XCTAssertNil(BCD.encode("12 4"))
        XCTAssertNil(BCD.encode("１２"))  // full-width digits are not ASCII digits
        XCTAssertNil(BCD.encode("12345", byteCount: 2))
        XCTAssertNil(BCD.encode("1", byteCount: 0))
    }

    func testDecodeRejectsNibblesAToEAndDigitsAfterPadding() {
        XCTAssertNil(BCD.decode([0x1A]))
        XCTAssertNil(BCD.decode([0xE0]))
        XCTAssertNil(BCD.decode([0xF1]))
        XCTAssertNil(BCD.decode([0x1F, 0x23]))
    }

    func testRoundTripOfEveryLengthUpToTwentyDigits() {
        let digits = "09876543211234567890"
        for n in 0...digits.count {
            let s = String(digits.prefix(n))
            let packed = BCD.encode(s)
            XCTAssertEqual(packed?.count, (n + 1) / 2, s)
            XCTAssertEqual(packed.flatMap(BCD.decode), s)
        }
    }
}
