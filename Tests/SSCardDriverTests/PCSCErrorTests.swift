import XCTest
@testable import SSCardDriver

final class PCSCErrorTests: XCTestCase {
    func testKeepsRawCodeAndPCSCLiteText() {
        let e = PCSCError(rawValue: 0x8010_0069)
        XCTAssertEqual(e, .removedCard)
        XCTAssertEqual(e.pcscText, "Card was removed.")
        XCTAssertTrue(e.description.contains("0x80100069"), e.description)
    }

    func test64BitLongCodesCompareBy32BitValue() {
        // pcsc-lite's LONG is 64-bit on Linux x86_64: 0x8010001D arrives positive.
        XCTAssertEqual(PCSCError(code: 0x8010_001D), .noService)
        XCTAssertNil(PCSCError(code: 0))
        XCTAssertTrue(PCSCError.noService.meansServiceLost)
        XCTAssertFalse(PCSCError.removedCard.meansServiceLost)
    }

    func testPatternMatchInCatch() {
        do { throw PCSCError.resetCard } catch PCSCError.resetCard {
            // matched
        } catch { XCTFail("\(error) not matched") }
    }

    func testEstablishContextWithoutServiceFailsAtOnce() throws {
        guard !FileManager.default.fileExists(atPath: "/run/pcscd/pcscd.comm") else {
            throw XCTSkip("a pcscd is running; this checks the no-service path")
        }
        let start = ContinuousClock().now
        XCTAssertThrowsError(try PCSCContext()) { XCTAssertEqual($0 as? PCSCError, .noService) }
        XCTAssertLessThan(ContinuousClock().now - start, .seconds(1))
    }

    func testReaderStatusMasksEventCounter() {
        let s = ReaderStatus(reader: "r", eventState: 0x0005_0022, atr: [])
        XCTAssertEqual(s.state, [.present])
        XCTAssertEqual(s.eventCount, 5)
        XCTAssertTrue(s.hasCard)
    }

    func testMultiStringSplitsReaderNames() {
        let raw: [CChar] = Array("Virtual PCD 00 00\0Virtual PCD 00 01\0\0".utf8).map { CChar(bitPattern: $0) }
        XCTAssertEqual(PCSCContext.splitMultiString(raw), ["Virtual PCD 00 00", "Virtual PCD 00 01"])
    }

    func testPart10FeatureParsing() {
        let tlv: [UInt8] = [0x06, 0x04, 0x42, 0x33, 0x00, 0x06, 0x07, 0x04, 0x42, 0x33, 0x00, 0x07]
        let f = ReaderFeatures(tlv: tlv)
        XCTAssertEqual(f.verifyPINDirect, 0x4233_0006)
        XCTAssertEqual(f.modifyPINDirect, 0x4233_0007)
        XCTAssertNil(ReaderFeatures(tlv: [0x06, 0x04, 0x42]).verifyPINDirect, "truncated list")
        XCTAssertNil(ReaderFeatures(tlv: []).verifyPINDirect)
    }

    func testDeadlineRunnerGivesUpOnBlockedCall() {
        let runner = DeadlineRunner(label: "test")
        let gate = DispatchSemaphore(value: 0)
        let start = ContinuousClock().now
        let result: Int? = runner.run(timeout: .milliseconds(100)) { gate.wait(); return 1 }
        XCTAssertNil(result)
        XCTAssertLessThan(ContinuousClock().now - start, .seconds(2))
        gate.signal()
        XCTAssertEqual(DeadlineRunner(label: "ok").run(timeout: .seconds(5)) { 42 }, 42)
    }
}
