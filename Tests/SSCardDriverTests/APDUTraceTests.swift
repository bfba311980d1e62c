import SSCardDriver
import XCTest

/// A trace shows every APDU but never the PIN or key inside one.
final class APDUTraceTests: XCTestCase {
    func testPlainCommandsShowInFull() {
        XCTAssertEqual(APDUTrace.command([0x00, 0xA4, 0x04, 0x00, 0x02, 0x3F, 0x00]), "00 A4 04 00 02 3F 00")
        XCTAssertEqual(APDUTrace.command([0x00, 0x84, 0x00, 0x00, 0x08]), "00 84 00 00 08")
    }

    func testPINAndKeyCommandsHideTheirData() throws {
        let verify = try XCTUnwrap(SSSECommands.verifyPIN(Array("123456".utf8)))
        let text = APDUTrace.command(verify.bytes)
        XCTAssertFalse(text.contains("12 34 56"), text)
        XCTAssertTrue(text.hasPrefix("00 20 00 00 03 ‹3 bytes hidden›"), text)
        // CHANGE PIN (old FF new), PUT KEY, the admin PIN's VERIFY: all hidden, header kept.
        XCTAssertEqual(APDUTrace.command([0x80, 0x5E, 0x01, 0x00, 0x07, 0x12, 0x34, 0x56, 0xFF, 0x65, 0x43, 0x21]),
                       "80 5E 01 00 07 ‹7 bytes hidden›")
        XCTAssertEqual(APDUTrace.command([0x84, 0xD4, 0x01, 0x00, 0x04, 0xDE, 0xAD, 0xBE, 0xEF, 0x00]),
                       "84 D4 01 00 04 ‹4 bytes hidden› 00")
        XCTAssertEqual(APDUTrace.command([0x00, 0x20, 0x00, 0x01, 0x08] + Array("12345678".utf8)), "00 20 00 01 08 ‹8 bytes hidden›")
        // A PIN-tries query has no data to hide.
        XCTAssertEqual(APDUTrace.command([0x00, 0x20, 0x00, 0x00]), "00 20 00 00")
    }
}
