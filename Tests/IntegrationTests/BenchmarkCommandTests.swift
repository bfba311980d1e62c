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
}
