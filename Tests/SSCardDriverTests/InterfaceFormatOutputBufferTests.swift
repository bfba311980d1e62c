import SSCardDriver
import XCTest

/// Strings in and out of the C interface: encodings and cutting to fit a caller's buffer.
final class InterfaceFormatOutputBufferTests: XCTestCase {
    func testEncodings() {
        XCTAssertEqual(InterfaceStringEncoding.default, .gb18030)
        XCTAssertEqual(InterfaceStringEncoding(.utf8), .utf8)
        XCTAssertEqual(InterfaceStringEncoding.gb18030.encode("张三|"), [0xD5, 0xC5, 0xC8, 0xFD, 0x7C])
        XCTAssertEqual(InterfaceStringEncoding.gb18030.encode("䄲𠀀"), [0x82, 0x32, 0xC5, 0x32, 0x95, 0x32, 0x82, 0x36])
        XCTAssertEqual(InterfaceStringEncoding.utf8.encode("张"), [0xE5, 0xBC, 0xA0])
        XCTAssertEqual(InterfaceStringEncoding.gb18030.decode([0xD5, 0xC5, 0xC8, 0xFD]), "张三")
        XCTAssertEqual(InterfaceStringEncoding.utf8.decode([0xE5, 0xBC, 0xA0]), "张")
        XCTAssertEqual(InterfaceStringEncoding.gb18030.decode([]), "")
    }

    func testInvalidBytesDecodeToNil() {
        for bytes: [UInt8] in [[0x81], [0xD5, 0x7F], [0x81, 0x30], [0x81, 0x30, 0x81], [0xFF], [0xFE, 0x39, 0xFE, 0x39]] {
            XCTAssertNil(InterfaceStringEncoding.gb18030.decode(bytes), bytes.hexString)
        }
        for bytes: [UInt8] in [[0xE5, 0xBC], [0xC0, 0x80], [0xFF], [0xED, 0xA0, 0x80], [0x80]] {
            XCTAssertNil(InterfaceStringEncoding.utf8.decode(bytes), bytes.hexString)
        }
    }

    func testTruncationNeverSplitsACharacter() {
        let gb = InterfaceStringEncoding.gb18030
        let name = gb.encode("a张𠀀b")   // 1 + 2 + 4 + 1 bytes
        XCTAssertEqual(gb.truncateForBuffer(name, capacity: 100), name)
        XCTAssertEqual(gb.truncateForBuffer(name, capacity: 9), name, "8 bytes and the NUL")
        XCTAssertEqual(gb.truncateForBuffer(name, capacity: 8), gb.encode("a张𠀀"))
        XCTAssertEqual(gb.truncateForBuffer(name, capacity: 7), gb.encode("a张"))
        XCTAssertEqual(gb.truncateForBuffer(name, capacity: 5), gb.encode("a张"))
        XCTAssertEqual(gb.truncateForBuffer(name, capacity: 4), gb.encode("a张"))
        XCTAssertEqual(gb.truncateForBuffer(name, capacity: 3), gb.encode("a"))
        XCTAssertEqual(gb.truncateForBuffer(name, capacity: 2), gb.encode("a"))
        XCTAssertEqual(gb.truncateForBuffer(name, capacity: 1), [])
        XCTAssertEqual(gb.truncateForBuffer(name, capacity: 0), [])
        XCTAssertEqual(gb.truncateForBuffer(name, capacity: -5), [])

        let utf = InterfaceStringEncoding.utf8
        let text = utf.encode("a张𠀀")   // 1 + 3 + 4 bytes
        XCTAssertEqual(utf.truncateForBuffer(text, capacity: 8), utf.encode("a张"))
        XCTAssertEqual(utf.truncateForBuffer(text, capacity: 5), utf.encode("a张"))
        XCTAssertEqual(utf.truncateForBuffer(text, capacity: 4), utf.encode("a"))

        XCTAssertEqual(gb.bufferBytes(for: "张三", capacity: 4), [0xD5, 0xC5, 0x00])
        XCTAssertEqual(gb.bufferBytes(for: "张三", capacity: 1), [0x00])
        XCTAssertEqual(gb.bufferBytes(for: "张三", capacity: 0), [])
    }

    /// Every cut of every real output decodes, and is the longest that does.
    func testEveryCutOfRealOutputsDecodes() {
        let outputs = [InterfaceFormatBasicInformationTests.specExample, "SSSEEF06|111111198101011110|张䄲𠀀三|$",
                       "密码错误，还可尝试3次", "𪛖𫓧𬴂𩽾𫄧𫠆䶮𫰡𬎆𰌂"]
        for encoding in InterfaceStringEncoding.allCases {
            for output in outputs {
                let bytes = encoding.encode(output)
                for capacity in 0...(bytes.count + 2) {
                    let cut = encoding.truncateForBuffer(bytes, capacity: capacity)
                    XCTAssertLessThanOrEqual(cut.count, max(0, capacity - 1))
                    XCTAssertEqual(Array(bytes.prefix(cut.count)), cut)
                    XCTAssertNotNil(encoding.decode(cut), "\(encoding) \(output) at \(capacity)")
                    if cut.count < bytes.count && capacity > 0 {
                        let longer = Array(bytes.prefix(min(bytes.count, capacity - 1)))
                        if longer.count > cut.count { XCTAssertNil(encoding.decode(longer), "\(encoding) \(output) at \(capacity)") }
                    }
                }
            }
        }
    }
}
