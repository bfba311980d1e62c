import SSCardDriver
import XCTest

final class StatusWordTests: XCTestCase {
    func testBytesAndRawValueAgree() {
        let sw = StatusWord(0x69, 0x82)
        XCTAssertEqual(sw.rawValue, 0x6982)
        XCTAssertEqual(sw.sw1, 0x69)
        XCTAssertEqual(sw.sw2, 0x82)
        XCTAssertEqual(sw.bytes, [0x69, 0x82])
        XCTAssertEqual(sw, .securityStatusNotSatisfied)
        XCTAssertEqual(StatusWord(rawValue: 0x9000), .success)
    }

    func testOnlyNineThousandIsSuccess() {
        XCTAssertTrue(StatusWord.success.isSuccess)
        for raw: UInt16 in [0x9001, 0x6100, 0x6282, 0x0090, 0x0000] {
            XCTAssertFalse(StatusWord(rawValue: raw).isSuccess, "\(raw)")
        }
    }

    func testInterfaceCodeIsTheNegativeDecimal() {
        XCTAssertEqual(StatusWord.securityStatusNotSatisfied.interfaceCode, -27010)
        XCTAssertEqual(StatusWord.fileNotFound.interfaceCode, -27266)
        XCTAssertEqual(StatusWord.success.interfaceCode, -36864)
    }

    func testTriesLeftOnlyFor63Cx() {
        XCTAssertEqual(StatusWord(0x63, 0xC3).triesLeft, 3)
        XCTAssertEqual(StatusWord(0x63, 0xC0).triesLeft, 0)
        XCTAssertEqual(StatusWord(0x63, 0xCF).triesLeft, 15)
        XCTAssertNil(StatusWord(0x63, 0x00).triesLeft)
        XCTAssertNil(StatusWord(0x63, 0xD3).triesLeft)
        XCTAssertNil(StatusWord(0x64, 0xC3).triesLeft)
        XCTAssertEqual(StatusWord(0x63, 0xC2).meaning, "verification failed, 2 tries left")
    }

    func testT0ChainingWords() {
        let more = StatusWord(0x61, 0x10)
        XCTAssertTrue(more.isBytesAvailable)
        XCTAssertFalse(more.isWrongLe)
        XCTAssertEqual(more.meaning, "16 bytes available")
        XCTAssertEqual(StatusWord(0x61, 0x00).meaning, "256 bytes available")
        let wrongLe = StatusWord(0x6C, 0x08)
        XCTAssertTrue(wrongLe.isWrongLe)
        XCTAssertFalse(wrongLe.isBytesAvailable)
        XCTAssertEqual(wrongLe.meaning, "wrong Le, 8 bytes available")
        XCTAssertEqual(StatusWord(0x6C, 0x00).meaning, "wrong Le, 256 bytes available")
    }

    func testDescriptionShowsHexAndMeaning() {
        XCTAssertEqual(StatusWord.securityStatusNotSatisfied.description, "6982 (security status not satisfied)")
        XCTAssertEqual(StatusWord.authenticationMethodBlocked.description, "6983 (authentication method blocked (PIN or key locked))")
        XCTAssertEqual(StatusWord(0x12, 0x34).description, "1234 (unknown status)")
    }

    func testNamedConstantsHaveTheISOValues() {
        let table: [(StatusWord, UInt16)] = [
            (.endOfFileReached, 0x6282), (.wrongLength, 0x6700), (.conditionsNotSatisfied, 0x6985),
            (.wrongData, 0x6A80), (.recordNotFound, 0x6A83), (.incorrectP1P2, 0x6A86),
            (.referencedDataNotFound, 0x6A88), (.instructionNotSupported, 0x6D00),
            (.classNotSupported, 0x6E00), (.noPreciseDiagnosis, 0x6F00),
        ]
        for (sw, raw) in table { XCTAssertEqual(sw.rawValue, raw, sw.description) }
    }
}
