import Foundation
import XCTest
import SSCardSimulator

/// `issue-station demo`, the README's main job, run as a user runs it. It starts its own pcscd,
/// so this class uses no shared fixture.
final class DemoCommandTests: XCTestCase {
    func testDemoReadsBothCardsThroughPCSCDAndStopsWhatItStarted() throws {
        let demo = Process()
        demo.executableURL = Bundle.main.bundleURL.appendingPathComponent("issue-station")
        demo.arguments = ["demo"]
        let out = Pipe()
        demo.standardOutput = out
        demo.standardError = out
        try demo.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        demo.waitUntilExit()
        XCTAssertEqual(demo.terminationStatus, 0, text)
        XCTAssertTrue(text.contains("SIM000001"), text)
        XCTAssertTrue(text.contains("6982"), "EF06 of the blank card refused: \(text)")
        XCTAssertTrue(text.contains("张三") && text.contains("111111198101011110"), text)
        XCTAssertTrue(text.contains("median APDU round trip"), text)
        XCTAssertNil(VirtualReaderStack.runningPCSCD(), "the demo stopped its pcscd")
    }

    func testHelpScreensDescribeTheCommands() throws {
        for (args, expected) in [(["--help"], "demo"), (["demo", "--help"], "private pcscd"), (["vcard", "--help"], "vpcd")] {
            let p = Process()
            p.executableURL = Bundle.main.bundleURL.appendingPathComponent("issue-station")
            p.arguments = args
            let out = Pipe()
            p.standardOutput = out
            p.standardError = out
            try p.run()
            let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            XCTAssertEqual(p.terminationStatus, 0, text)
            XCTAssertTrue(text.contains(expected), "\(args): \(text)")
        }
    }
}
