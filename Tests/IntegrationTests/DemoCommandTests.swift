import Foundation
import XCTest
import SSCardSimulator

/// `issue-station demo`, the README's main job, run as a user runs it. It starts its own pcscd,
/// so this class uses no shared fixture.
final class DemoCommandTests: XCTestCase {
    func testDemoReadsBothCardsThroughPCSCDAndStopsWhatItStarted() throws {
        let (status, text) = try ToolRunner.station(["demo"])
        XCTAssertEqual(status, 0, text)
        XCTAssertTrue(text.contains("SIM000001"), text)
        XCTAssertTrue(text.contains("6982"), "EF06 of the blank card refused: \(text)")
        XCTAssertTrue(text.contains("张三") && text.contains("111111198101011110"), text)
        XCTAssertTrue(text.contains("median APDU round trip"), text)
        XCTAssertNil(VirtualReaderStack.runningPCSCD(), "the demo stopped its pcscd")
    }

    func testHelpScreensDescribeTheCommands() throws {
        for (args, expected) in [(["--help"], "demo"), (["demo", "--help"], "private pcscd"), (["vcard", "--help"], "vpcd")] {
            let (status, text) = try ToolRunner.station(args)
            XCTAssertEqual(status, 0, text)
            XCTAssertTrue(text.contains(expected), "\(args): \(text)")
        }
    }
}
