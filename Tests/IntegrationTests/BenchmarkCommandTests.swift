import Foundation
import XCTest

/// `sscard-bench` as a technician runs it: a bad `--count` is an error, not a default, and
/// `wire --json` gives every figure as JSON — among them the APDU counts docs/performance.md
/// tabulates for one issuance and one iReadCardBas.
final class BenchmarkCommandTests: XCTestCase {
    private var bench: URL { ToolRunner.productsDirectory.appendingPathComponent("sscard-bench") }

    func testABadCountIsRefusedBeforeAnythingRuns() throws {
        for (benchmark, count) in [("station", "many"), ("apdu", "0"), ("render", "-5"), ("iprint", "1e3"), ("interface", "")] {
            let run = try ToolRunner.execute(bench, [benchmark, "--count", count])
            XCTAssertEqual(run.reason, .exit, run.output)
            XCTAssertEqual(run.status, 64, "\(benchmark) --count \(count): \(run.output)")
            XCTAssertTrue(run.errors.contains("--count"), run.errors)
            XCTAssertFalse(run.output.contains("median"), "nothing was measured: \(run.output)")
        }
        let unknown = try ToolRunner.execute(bench, ["sprint"])
        XCTAssertEqual(unknown.status, 64, unknown.output)
    }

    func testWireGivesItsFiguresAsJSON() throws {
        let run = try ToolRunner.execute(bench, ["wire", "--json"])
        XCTAssertEqual(run.status, 0, run.output)
        // Standard output holds only the JSON; the text went to standard error.
        let stdout = String(run.output.dropLast(run.errors.count))
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any], stdout)
        XCTAssertEqual(object["benchmark"] as? String, "wire")
        let figures = try XCTUnwrap(object["figures"] as? [[String: Any]])
        var values: [String: Double] = [:]
        for figure in figures {
            if let name = figure["name"] as? String, let value = figure["value"] as? Double { values[name] = value }
        }
        XCTAssertEqual(values["wire.issuance.apdus"], 92, "docs/performance.md: the issuance sequence")
        XCTAssertEqual(values["wire.iReadCardBas.apdus"], 14, "docs/performance.md: iReadCardBas")
        // The wire time grows with the bytes: the slow line costs more than the fast one.
        let slow = try XCTUnwrap(values["wire.issuance.ms_at_9600"]), fast = try XCTUnwrap(values["wire.issuance.ms_at_115200"])
        XCTAssertGreaterThan(slow, fast)
        XCTAssertTrue(run.errors.contains("APDUs"), run.errors)
    }

    func testDeskGivesTheQueueAndProgressFiguresAsJSON() throws {
        let run = try ToolRunner.execute(bench, ["desk", "--count", "2", "--json"])
        XCTAssertEqual(run.status, 0, run.output)
        let stdout = String(run.output.dropLast(run.errors.count))
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any], stdout)
        XCTAssertEqual(object["benchmark"] as? String, "desk")
        let figures = try XCTUnwrap(object["figures"] as? [[String: Any]])
        let medians = Dictionary(uniqueKeysWithValues: figures.compactMap { f in
            (f["name"] as? String).flatMap { name in (f["median"] as? Double).map { (name, $0) } }
        })
        for name in ["desk.queue.server", "desk.queue.roundtrip", "desk.queue.name.server", "desk.queue.ssn.server", "desk.progress"] {
            XCTAssertNotNil(medians[name], "\(name) in \(figures)")
        }
        // The server's part of a request is part of its round trip.
        XCTAssertLessThanOrEqual(try XCTUnwrap(medians["desk.queue.server"]), try XCTUnwrap(medians["desk.queue.roundtrip"]))
        XCTAssertTrue(run.errors.contains("10000 applications waiting"), run.errors)
    }

    /// The render benchmark beside Pillow: with python3 + Pillow, the ratios of the interleaved
    /// batches (docs/performance.md §4, eighth round); without them, the skipped line and our
    /// own figures only.
    func testRenderGivesThePairedPillowRatiosOrSaysWhyNot() throws {
        let run = try ToolRunner.execute(bench, ["render", "--json"], directory: CProgramHarness.packageRoot)
        XCTAssertEqual(run.status, 0, run.output)
        let stdout = String(run.output.dropLast(run.errors.count))
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any], stdout)
        let figures = try XCTUnwrap(object["figures"] as? [[String: Any]])
        var numbers: [String: Double] = [:]
        for figure in figures {
            guard let name = figure["name"] as? String, let number = (figure["value"] ?? figure["median"]) as? Double else { continue }
            numbers[name] = number
        }
        for name in ["render.face", "render.face_cold", "render.photo_decode", "render.resample", "render.text_only"] {
            XCTAssertGreaterThan(numbers[name] ?? 0, 0, "\(name) in \(numbers)")
        }
        let pillowNames = ["render.pillow", "render.pillow_median", "render.pillow_ratio", "render.pillow_ratio_cold",
                           "render.pillow_ratio_paired", "render.pillow_ratio_paired_min", "render.pillow_ratio_paired_max",
                           "render.pillow_ratio_paired_cold", "render.pillow_ratio_paired_cold_min", "render.pillow_ratio_paired_cold_max"]
        if run.errors.contains("Pillow:         skipped") {
            // Skipped only where no python3 has Pillow (scripts/install-deps.sh installs python3-pil).
            XCTAssertFalse(PillowPython.isAvailable, "Pillow is installed, yet the comparison was skipped: \(run.errors)")
            for name in pillowNames { XCTAssertNil(numbers[name], "no Pillow figure when skipped: \(name)") }
            return
        }
        for name in pillowNames { XCTAssertGreaterThan(numbers[name] ?? 0, 0, "\(name) in \(numbers)") }
        // Both sides gave all their faces: 200 by default, in 20 rounds of 10.
        let samples = Dictionary(uniqueKeysWithValues: figures.compactMap { f in
            (f["name"] as? String).flatMap { name in (f["samples"] as? Int).map { (name, $0) } }
        })
        XCTAssertEqual(samples["render.pillow"], 200)
        XCTAssertEqual(samples["render.face"], 200)
        let paired = try XCTUnwrap(numbers["render.pillow_ratio_paired"])
        XCTAssertLessThanOrEqual(try XCTUnwrap(numbers["render.pillow_ratio_paired_min"]), paired)
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(numbers["render.pillow_ratio_paired_max"]), paired)
        XCTAssertTrue(run.errors.contains("paired, 20 rounds of 10 faces"), run.errors)
    }
}
