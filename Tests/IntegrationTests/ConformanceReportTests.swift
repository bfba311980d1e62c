import Foundation
import SSCardSimulator
import XCTest
@testable import Conformance

/// The tester's own parts that need no pcscd: what the probe's answers may be, the hostile
/// inputs, the APDU masking and the HTML escaping of the report.
final class ConformanceReportTests: XCTestCase {
    func testProbeAnswersAreRangeChecked() throws {
        let good = try XCTUnwrap(DriverCallResult(probeLine: "ret -2 1500 4 0 41424344", capacity: 1024))
        XCTAssertEqual(good.code, -2)
        XCTAssertEqual(good.nulPosition, 4)
        XCTAssertEqual(good.output, Array("ABCD".utf8))
        XCTAssertFalse(good.overran)
        XCTAssertNil(try XCTUnwrap(DriverCallResult(probeLine: "ret 0 1 -1 1 41", capacity: 1)).nulPosition)
        for bad in ["ret 0 -5 0 0 ", "ret 0 1 1024 0 ", "ret 0 1 0 2 ", "ret 0 1 0 0 4", "ret 0 1 0 0 ZZ", "ret x 1 0 0 ",
                    "ret 0 1 0 0 " + String(repeating: "41", count: 1025), "error missing", "ret 0 1 0 0"] {
            XCTAssertNil(DriverCallResult(probeLine: bad, capacity: 1024), bad)
        }
    }

    func testNoHostileInputIsAValidCall() {
        for (function, signature) in CaseCatalogue.signatures {
            let inputs = CaseCatalogue.hostileInputs(signature)
            XCTAssertFalse(inputs.isEmpty, function)
            XCTAssertTrue(inputs.contains { $0.outputSize == nil }, "\(function): a NULL pOutInfo")
            for input in inputs {
                // Every input holds a number out of range or a NULL/empty/malformed string, so
                // none can reach a card, a printer or an HSM.
                let numbers = input.arguments.compactMap { if case .int(let v) = $0 { return v } else { return nil } }
                XCTAssertTrue(numbers.isEmpty || numbers.contains { CaseCatalogue.badNumbers.contains($0) }, "\(function) \(input)")
                XCTAssertFalse(numbers.contains(0), "\(function): 0 is iLoadCard's default hopper")
            }
            if signature.contains("s") {
                XCTAssertTrue(inputs.contains { $0.arguments.contains(.null) }, "\(function): a NULL string")
            }
        }
    }

    func testAPDUsShowHeadersAndStatusButNoPersonalData() {
        let ssn = Array("110101199003077777".utf8)
        XCTAssertEqual(APDUMasking.line(command: [0x00, 0xB2, 0x08, 0x00, 0x00], response: ssn + [0x90, 0x00]),
                       "→ 00 B2 08 00 00  ← [18 B masked] 90 00")
        XCTAssertEqual(APDUMasking.line(command: [0x00, 0x20, 0x00, 0x00, 0x03, 0x12, 0x34, 0x56], response: [0x90, 0x00]),
                       "→ 00 20 00 00 03 [3 B masked]  ← 90 00")
        let update = APDUMasking.line(command: [0x00, 0xDC, 0x08, 0x00, UInt8(ssn.count)] + ssn, response: [0x90, 0x00])
        XCTAssertFalse(update.contains("31 31 30 31"), update)
        XCTAssertEqual(APDUMasking.line(command: [0x00, 0xA4, 0x00, 0x00, 0x02, 0xEF, 0x05], response: [0x90, 0x00]),
                       "→ 00 A4 00 00 02 EF 05  ← 90 00")
        XCTAssertEqual(APDUMasking.line(command: [0x00, 0x84, 0x00, 0x00, 0x08], response: nil), "→ 00 84 00 00 08  ← (no answer)")
    }

    func testSecretArgumentsAreNeverShown() {
        let call = DriverCall("iWriteCaStep2", [.secret(Array("cert|cert|key|0011223344|12345678".utf8))])
        XCTAssertFalse(call.shown.contains("12345678"), call.shown)
        XCTAssertTrue(call.probeLine.hasSuffix("s:" + Array("cert|cert|key|0011223344|12345678".utf8).hexString))
    }

    func testTheHTMLPageEscapesWhatTheLibraryWrote() {
        let hostile = "<script>alert('x')</script> & \"q\""
        let report = ConformanceReport(
            tester: "t", command: "issue-station conformance --library <x>", library: "/tmp/<lib>.so", reader: "Virtual PCD 00 00",
            startedAt: "2026-12-06T00:00:00Z", durationSeconds: 1, summary: .init(passed: 0, failed: 1, notTestable: 0, notApplicable: 0),
            cases: [CaseReport(id: "read-basic.itype1", group: .readBasic, title: Bilingual("标题", "title"), clause: "c",
                               expected: Bilingual("预期", "expected"), seen: [hostile], verdict: .fail, reasons: [hostile],
                               calls: [CallRecord(call: "iReadCardBas(1, out[1024])", code: 0, milliseconds: 1, output: hostile)], apdus: [])],
            timing: [])
        let page = ReportHTML.page(report)
        XCTAssertFalse(page.contains("<script>"), "unescaped library output in the page")
        XCTAssertTrue(page.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"))
        XCTAssertTrue(page.contains("不通过 FAIL"))
        XCTAssertLessThan(page.range(of: "不通过 1")!.lowerBound, page.range(of: "failed 1")!.lowerBound, "Chinese first")
        XCTAssertEqual(report.exitStatus, 1)
    }
}
