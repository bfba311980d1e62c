import Foundation
import XCTest
import SSCardSimulator

/// `issue-station demo`, the README's main job, run as a user runs it. It starts its own pcscd,
/// so this class uses no shared fixture.
final class DemoCommandTests: XCTestCase {
    func testDemoIssuesACardEndToEndAndStopsWhatItStarted() throws {
        let saved = umask(0o022)  // the usual umask, under which an ordinary file comes out 0644
        defer { umask(saved) }
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("demo-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        let (status, text) = try ToolRunner.station(["demo", "--output", output.path])
        XCTAssertEqual(status, 0, text)
        XCTAssertTrue(text.contains("[9/9]") && text.contains("制卡成功"), text)
        // iReadCardBas on the card from the good exit shows the applicant (DEMO-0001 张三).
        let readBack = try XCTUnwrap(text.split(separator: "\n").first { $0.contains("iReadCardBas") }, text)
        XCTAssertTrue(readBack.contains("|张三|") && readBack.contains("|SIM000001|"), String(readBack))
        let face = output.appendingPathComponent("DEMO-0001-SIM000001.png")
        XCTAssertTrue(text.contains(face.path), text)
        XCTAssertEqual(Array(try Data(contentsOf: face).prefix(4)), [0x89, 0x50, 0x4E, 0x47])
        // A face shows a name, a number and a photo: the folder made for it is 0700, the file 0600.
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: output.path)[.posixPermissions] as? Int, 0o700)
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: face.path)[.posixPermissions] as? Int, 0o600)
        XCTAssertNil(VirtualReaderStack.runningPCSCD(), "the demo stopped its pcscd")
    }

    func testDemoSpeaksEnglishWhenAsked() throws {
        let (status, text) = try ToolRunner.station(["demo", "--lang", "en", "--application", "DEMO-0002"])
        XCTAssertEqual(status, 0, text)
        XCTAssertTrue(text.contains("Card made and activated"), text)
        XCTAssertTrue(text.contains("|张䄲|"), "the rare character typed for [CHUI] is on the chip: \(text)")

        // Without --output the face is in a new private folder (mkdtemp), not a fixed /tmp/sscard-demo.
        let line = try XCTUnwrap(text.split(separator: "\n").first { $0.hasPrefix("Card face (PNG): ") }, text)
        let face = URL(fileURLWithPath: String(line.dropFirst("Card face (PNG): ".count)))
        let folder = face.deletingLastPathComponent()
        defer { try? FileManager.default.removeItem(at: folder) }
        XCTAssertTrue(folder.lastPathComponent.hasPrefix("sscard-demo-faces-") && folder.lastPathComponent.count > "sscard-demo-faces-".count,
                      folder.path)
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: folder.path)[.posixPermissions] as? Int, 0o700)
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: face.path)[.posixPermissions] as? Int, 0o600)
    }

    func testHelpScreensDescribeTheCommands() throws {
        for (args, expected) in [(["--help"], "demo"), (["demo", "--help"], "end to end"), (["vcard", "--help"], "vpcd")] {
            let (status, text) = try ToolRunner.station(args)
            XCTAssertEqual(status, 0, text)
            XCTAssertTrue(text.contains(expected), "\(args): \(text)")
        }
    }
}
