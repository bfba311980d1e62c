import SSCardDriver
import XCTest

final class SimpleTLVTests: XCTestCase {
    func testShortFormEncodesAndParses() throws {
        let tlv = SimpleTLV(tag: 0x07, value: Array("A12345678".utf8))
        XCTAssertEqual(tlv.bytes, [0x07, 0x09] + Array("A12345678".utf8))
        let (parsed, used) = try SimpleTLV.parseOne(tlv.bytes[...])
        XCTAssertEqual(parsed, tlv)
        XCTAssertEqual(used, 11)
    }

    func testEmptyValue() throws {
        let (parsed, used) = try SimpleTLV.parseOne([0x4E, 0x00][...])
        XCTAssertEqual(parsed, SimpleTLV(tag: 0x4E, value: []))
        XCTAssertEqual(used, 2)
    }

    func testLengthsFrom255UseTheFFForm() throws {
        let v254 = [UInt8](repeating: 1, count: 254)
        XCTAssertEqual(Array(SimpleTLV(tag: 0x08, value: v254).bytes.prefix(2)), [0x08, 0xFE])
        let v255 = [UInt8](repeating: 2, count: 255)
        let t255 = SimpleTLV(tag: 0x08, value: v255)
        XCTAssertEqual(Array(t255.bytes.prefix(4)), [0x08, 0xFF, 0x00, 0xFF])
        XCTAssertEqual(try SimpleTLV.parseOne(t255.bytes[...]).0, t255)
        let v1000 = [UInt8](repeating: 3, count: 1000)
        let t1000 = SimpleTLV(tag: 0x08, value: v1000)
        XCTAssertEqual(Array(t1000.bytes.prefix(4)), [0x08, 0xFF, 0x03, 0xE8])
        let (parsed, used) = try SimpleTLV.parseOne(t1000.bytes[...])
        XCTAssertEqual(parsed, t1000)
        XCTAssertEqual(used, 1004)
        // The FF form may also carry a small length.
        XCTAssertEqual(try SimpleTLV.parseOne([0x01, 0xFF, 0x00, 0x01, 0xAB][...]).0, SimpleTLV(tag: 0x01, value: [0xAB]))
    }

    func testHostileLengthsNeverReadPastTheData() {
        func rejects(_ bytes: [UInt8], _ expected: TLVError, line: UInt = #line) {
            XCTAssertThrowsError(try SimpleTLV.parseOne(bytes[...]), line: line) { error in
                XCTAssertEqual(error as? TLVError, expected, line: line)
            }
        }
        rejects([], .truncated(at: 0))
        rejects([0x01], .truncated(at: 1))
        rejects([0x01, 0x05, 0xAA, 0xBB], .lengthBeyondData(tag: 0x01, declared: 5, available: 2))
        rejects([0x01, 0xFE], .lengthBeyondData(tag: 0x01, declared: 254, available: 0))
        rejects([0x01, 0xFF], .truncated(at: 2))
        rejects([0x01, 0xFF, 0x00], .truncated(at: 2))
        rejects([0x01, 0xFF, 0xFF, 0xFF, 0x00], .lengthBeyondData(tag: 0x01, declared: 65535, available: 1))
        rejects([0x00, 0x01, 0xAA], .invalidTag(0x00))
        rejects([0xFF, 0x01, 0xAA], .invalidTag(0xFF))
    }

    func testParsingASliceCountsFromTheSliceStart() throws {
        let record: [UInt8] = [0x01, 0x01, 0xAA, 0x02, 0x02, 0xBB, 0xCC]
        let (second, used) = try SimpleTLV.parseOne(record[3...])
        XCTAssertEqual(second, SimpleTLV(tag: 0x02, value: [0xBB, 0xCC]))
        XCTAssertEqual(used, 4)
        XCTAssertThrowsError(try SimpleTLV.parseOne(record[3..<6])) { error in
            XCTAssertEqual(error as? TLVError, .lengthBeyondData(tag: 0x02, declared: 2, available: 1))
        }
    }

    func testParseAllReadsASequenceAndStopsAtPadding() throws {
        let a = SimpleTLV(tag: 0x05, value: [0x20, 0x24, 0x01, 0x31])
        let b = SimpleTLV(tag: 0x06, value: [0x20, 0x34, 0x01, 0x30])
        XCTAssertEqual(try SimpleTLV.parseAll(a.bytes + b.bytes), [a, b])
        XCTAssertEqual(try SimpleTLV.parseAll(a.bytes + [0xFF, 0xFF, 0xFF]), [a])
        XCTAssertEqual(try SimpleTLV.parseAll(a.bytes + [0x00, 0x00]), [a])
        XCTAssertEqual(try SimpleTLV.parseAll([]), [])
        XCTAssertEqual(try SimpleTLV.parseAll([0xFF, 0xFF]), [])
    }

    func testParseAllRejectsATruncatedLastObject() {
        let a = SimpleTLV(tag: 0x05, value: [1, 2, 3])
        XCTAssertThrowsError(try SimpleTLV.parseAll(a.bytes + [0x06, 0x04, 0x01])) { error in
            XCTAssertEqual(error as? TLVError, .lengthBeyondData(tag: 0x06, declared: 4, available: 1))
        }
    }

    func testErrorDescriptions() {
        XCTAssertEqual(TLVError.lengthBeyondData(tag: 0x09, declared: 30, available: 4).description,
                       "TLV tag 09 declares 30 bytes but only 4 follow")
        XCTAssertEqual(TLVError.invalidTag(0xFF).description, "TLV tag FF is not allowed")
        XCTAssertEqual(TLVError.truncated(at: 2).description, "TLV truncated at byte 2")
    }

    func testParseAllRejectsAnObjectHiddenAfterPadding() {
        XCTAssertThrowsError(try SimpleTLV.parseAll([0x01, 0x01, 0x41, 0x00, 0x00, 0x02, 0x01, 0x42])) {
            XCTAssertEqual($0 as? TLVError, .dataAfterPadding(at: 5))
        }
        XCTAssertEqual(try SimpleTLV.parseAll([0x01, 0x01, 0x41, 0x00, 0xFF, 0x00]).count, 1)
    }
}
