import Foundation
import XCTest
import SSCardDriver
import SSCardPrinter

/// `scripts/bench-render-pillow.py --serve`, which `sscard-bench render` asks for batches of
/// faces interleaved with its own (docs/performance.md §4). Needs python3 with Pillow
/// (`PillowPython`), which the desk does not: skipped where it is missing.
final class PillowScriptTests: XCTestCase {
    private var script: URL { CProgramHarness.packageRoot.appendingPathComponent("scripts/bench-render-pillow.py") }

    override func setUpWithError() throws {
        if !PillowPython.isAvailable { throw XCTSkip("no python3 with Pillow (apt install python3-pil)") }
        let font = DriverConfiguration.defaultFontChain[0].path
        if !FileManager.default.fileExists(atPath: font) { throw XCTSkip("\(font) is not installed") }
    }

    /// A small face in the benchmark's spec format: one glyph of the chain's first font and a
    /// 40 × 50 JPEG shown in a 20 × 25 box.
    private func writeFace() throws -> URL {
        var pixels = [UInt8](repeating: 0, count: 40 * 50 * 3)
        for i in pixels.indices { pixels[i] = UInt8((i * 7) & 0xFF) }
        let jpeg = try PhotoDecoder.encodeJPEG(XCTUnwrap(RGBImage(width: 40, height: 50, pixels: pixels)))
        let font = DriverConfiguration.defaultFontChain[0]
        let spec: [String: Any] = [
            "width": 120, "height": 80,
            "glyphs": [["char": "张", "font": font.path, "faceIndex": font.faceIndex, "em": 24, "x": 60, "baseline": 40]],
            "photo": ["base64": Data(jpeg).base64EncodedString(), "left": 4, "top": 4, "width": 20, "height": 25],
            "chipPlate": [30, 50, 60, 70],
        ]
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("pillow-face-\(UUID().uuidString).json")
        try JSONSerialization.data(withJSONObject: spec).write(to: url)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    /// Runs the script in serve mode with `input` as its whole standard input.
    private func serve(_ input: String) throws -> (status: Int32, lines: [String], errors: String) {
        let python = Process()
        let command = PillowPython.command
        python.executableURL = URL(fileURLWithPath: command[0])
        python.arguments = command.dropFirst() + [script.path, try writeFace().path, "--serve"]
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        python.standardInput = stdin
        python.standardOutput = stdout
        python.standardError = stderr
        try python.run()
        try stdin.fileHandleForWriting.write(contentsOf: Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let out = String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let errors = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        python.waitUntilExit()
        return (python.terminationStatus, out.split(separator: "\n").map(String.init), errors)
    }

    func testEachBatchLineGivesOneTimePerFaceAndEndOfInputEndsIt() throws {
        let run = try serve("3\n1\n")
        XCTAssertEqual(run.status, 0, run.errors)
        XCTAssertEqual(run.lines.count, 3, "the versions, then one line a batch: \(run.lines)")
        XCTAssertTrue(run.lines[0].hasPrefix("Pillow "), run.lines[0])
        for (line, faces) in zip(run.lines.dropFirst(), [3, 1]) {
            let times = line.split(separator: " ").map { Double($0) }
            XCTAssertEqual(times.count, faces, line)
            for time in times { XCTAssertGreaterThan(try XCTUnwrap(time, line), 0, line) }
        }
    }

    func testABatchOutOfRangeEndsTheScriptWithAReason() throws {
        let run = try serve("2\n0\n5\n")
        XCTAssertNotEqual(run.status, 0)
        XCTAssertEqual(run.lines.count, 2, "the batch of 2 answered, nothing after the bad one: \(run.lines)")
        XCTAssertTrue(run.errors.contains("out of range"), run.errors)
    }

    func testTheOneShotFormStillPrintsTheMedianLine() throws {
        let python = Process()
        let command = PillowPython.command
        python.executableURL = URL(fileURLWithPath: command[0])
        python.arguments = command.dropFirst() + [script.path, try writeFace().path, "5"]
        let stdout = Pipe()
        python.standardOutput = stdout
        python.standardError = FileHandle.nullDevice
        try python.run()
        let out = String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        python.waitUntilExit()
        XCTAssertEqual(python.terminationStatus, 0, out)
        XCTAssertTrue(out.hasPrefix("median "), out)
        XCTAssertTrue(out.contains("(n=5)"), out)
    }
}
