import Foundation
import XCTest

/// `issue-station conformance` against our libSSCardDriver.so (every applicable case passes)
/// and against small C libraries that forward to it and get one thing wrong
/// (Tests/ConformanceDrivers/wrong_driver.c): each fault is caught by the case meant for it,
/// and a right library that prints to stdout still passes.
/// The command starts its own private pcscd, so this class is not a PCSCStackTestCase.
final class ConformanceTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("conformance-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: directory)
        super.tearDown()
    }

    private var ourLibrary: URL { ToolRunner.productsDirectory.appendingPathComponent("libSSCardDriver.so") }

    /// Compiles wrong_driver.c with one fault, forwarding to our library.
    private func wrongDriver(_ fault: String) throws -> URL {
        let output = directory.appendingPathComponent("libwrong-\(fault).so")
        let root = CProgramHarness.packageRoot
        let (status, text) = try ToolRunner.run(URL(fileURLWithPath: "/usr/bin/gcc"), [
            "-Wall", "-Wextra", "-Werror", "-shared", "-fPIC", "-I", root.appendingPathComponent("include").path,
            "-DREAL_LIBRARY=\"\(ourLibrary.path)\"", "-D\(fault)",
            root.appendingPathComponent("Tests/ConformanceDrivers/wrong_driver.c").path, "-o", output.path,
        ])
        XCTAssertEqual(status, 0, text)
        return output
    }

    private struct Run {
        var status: Int32
        var output: String
        var report: [String: Any]
        var verdicts: [String: String]
        var cases: [[String: Any]]
    }

    private func conformance(_ library: URL, cases: [String] = []) throws -> Run {
        let reportDirectory = directory.appendingPathComponent("report-\(UUID().uuidString)")
        let (status, output) = try ToolRunner.station(
            ["conformance", "--library", library.path, "--report", reportDirectory.path, "--lang", "en"] + cases.flatMap { ["--case", $0] })
        let data = try Data(contentsOf: reportDirectory.appendingPathComponent("conformance-report.json"))
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any], output)
        let list = try XCTUnwrap(report["cases"] as? [[String: Any]])
        var verdicts: [String: String] = [:]
        for c in list { verdicts[c["id"] as? String ?? ""] = c["verdict"] as? String }
        XCTAssertTrue(FileManager.default.fileExists(atPath: reportDirectory.appendingPathComponent("conformance-report.html").path))
        return Run(status: status, output: output, report: report, verdicts: verdicts, cases: list)
    }

    private func reasons(_ run: Run, _ id: String) -> String {
        let c = run.cases.first { $0["id"] as? String == id }
        return ((c?["reasons"] as? [String]) ?? []).joined(separator: "; ")
    }

    func testOurLibraryPassesEveryApplicableCase() throws {
        let run = try conformance(ourLibrary)
        let failed = run.verdicts.filter { $0.value == "fail" }.keys.sorted()
        XCTAssertEqual(failed, [], failed.map { "\($0): \(reasons(run, $0))" }.joined(separator: "\n"))
        XCTAssertEqual(run.status, 0, run.output)
        let summary = try XCTUnwrap(run.report["summary"] as? [String: Int])
        XCTAssertEqual(summary["failed"], 0)
        XCTAssertGreaterThanOrEqual(summary["passed"] ?? 0, 60, "\(summary)")
        // The groups the issue names all ran and passed with our library.
        for id in ["exports.national", "read-basic.itype1", "read-basic.gb18030", "read-basic.mute-card", "read-basic.removed",
                   "read-basic.wrong-card", "read-write.write-read-back", "read-write.refused-without-authentication",
                   "hsm.read-basic", "hsm.read-write", "pin.wrong", "pin.locked", "buffers.at-limit",
                   "robustness.iReadCardBas_HSM_Step2", "timing.read-basic", "issuance.load-and-reject", "issuance.refused-item-ejects", "issuance.certificates"] {
            XCTAssertEqual(run.verdicts[id], "pass", "\(id): \(reasons(run, id))")
        }
        // APDUs are there, with the holder's data masked: no 社会保障号码 bytes in any of them.
        let apdus = run.cases.flatMap { ($0["apdus"] as? [String]) ?? [] }
        XCTAssertGreaterThan(apdus.count, 100)
        let ssn = Array("110101199003077777".utf8).map { String(format: "%02X", $0) }.joined(separator: " ")
        XCTAssertFalse(apdus.contains { $0.contains(ssn) }, "a 社会保障号码 in the APDUs")
        XCTAssertTrue(apdus.contains { $0.contains("masked") })
        let timing = try XCTUnwrap(run.report["timing"] as? [[String: Any]])
        XCTAssertTrue(timing.contains { $0["function"] as? String == "iReadCardBas" })
    }

    func testWrongFieldOrderIsCaughtByTheFieldCase() throws {
        let run = try conformance(try wrongDriver("WRONG_FIELD_ORDER"), cases: ["read-basic.itype1", "exports.national"])
        XCTAssertEqual(run.verdicts["read-basic.itype1"], "fail")
        XCTAssertTrue(reasons(run, "read-basic.itype1").contains("社会保障号码"), reasons(run, "read-basic.itype1"))
        XCTAssertEqual(run.verdicts["exports.national"], "pass")
        XCTAssertEqual(run.status, 1, run.output)
    }

    func testUTF8InsteadOfGB18030IsCaughtByTheEncodingCase() throws {
        let run = try conformance(try wrongDriver("UTF8_OUTPUT"), cases: ["read-basic.gb18030", "exports.national"])
        XCTAssertEqual(run.verdicts["read-basic.gb18030"], "fail")
        XCTAssertTrue(reasons(run, "read-basic.gb18030").contains("UTF-8"), reasons(run, "read-basic.gb18030"))
        XCTAssertEqual(run.verdicts["exports.national"], "pass")
        XCTAssertEqual(run.status, 1, run.output)
    }

    func testAMissingNULIsCaughtByTheBufferCase() throws {
        let run = try conformance(try wrongDriver("NO_NUL"), cases: ["buffers.nul-terminated", "exports.national"])
        XCTAssertEqual(run.verdicts["buffers.nul-terminated"], "fail")
        XCTAssertTrue(reasons(run, "buffers.nul-terminated").contains("no NUL"), reasons(run, "buffers.nul-terminated"))
        XCTAssertEqual(run.verdicts["exports.national"], "pass")
        XCTAssertEqual(run.status, 1, run.output)
    }

    func testACrashOnNULLFailsItsCaseAndTheRunGoesOn() throws {
        let run = try conformance(try wrongDriver("CRASH_ON_NULL"),
                                  cases: ["robustness.iReadCardBas_HSM_Step2", "robustness.iReadCardBas"])
        XCTAssertEqual(run.verdicts["robustness.iReadCardBas_HSM_Step2"], "fail")
        XCTAssertTrue(reasons(run, "robustness.iReadCardBas_HSM_Step2").contains("crashed (signal 11"),
                      reasons(run, "robustness.iReadCardBas_HSM_Step2"))
        XCTAssertEqual(run.verdicts["robustness.iReadCardBas"], "pass", "the next case ran in a new child")
        XCTAssertEqual(run.status, 1, run.output)
    }

    func testAMissingFunctionIsCaughtByTheExportsCase() throws {
        let run = try conformance(try wrongDriver("MISSING_FUNCTION"), cases: ["exports.national", "robustness.iUnblockPIN", "read-basic.no-card"])
        XCTAssertEqual(run.verdicts["exports.national"], "fail")
        XCTAssertTrue(reasons(run, "exports.national").contains("iUnblockPIN"), reasons(run, "exports.national"))
        XCTAssertEqual(run.verdicts["robustness.iUnblockPIN"], "fail")
        XCTAssertEqual(run.verdicts["read-basic.no-card"], "pass")
        XCTAssertEqual(run.status, 1, run.output)
    }

    func testALibraryThatNeverReturnsFailsItsCaseAfterTheDeadline() throws {
        let run = try conformance(try wrongDriver("HANG_ON_BAD_ITYPE"),
                                  cases: ["robustness.iReadCardBas_HSM_Step1", "read-basic.no-card"])
        XCTAssertEqual(run.verdicts["robustness.iReadCardBas_HSM_Step1"], "fail")
        XCTAssertTrue(reasons(run, "robustness.iReadCardBas_HSM_Step1").contains("no answer within 20 s"),
                      reasons(run, "robustness.iReadCardBas_HSM_Step1"))
        XCTAssertEqual(run.verdicts["read-basic.no-card"], "pass", "the next case ran in a new child")
        XCTAssertEqual(run.status, 1, run.output)
    }

    /// A right library that prints to stdout passes: the probe's answers do not travel there.
    func testAChattyButRightLibraryPasses() throws {
        let run = try conformance(try wrongDriver("CHATTY"), cases: ["read-basic.itype1", "hsm.read-basic", "robustness.iReadCardBas_HSM_Step1"])
        XCTAssertEqual(run.verdicts.values.sorted(), ["pass", "pass", "pass"], "\(run.verdicts) \(run.output)")
        XCTAssertEqual(run.status, 0, run.output)
    }

    /// With no PIN pad the tester can type on and no PIN provider, the PIN cases are "not
    /// testable" — never passed — and they do not fail the run.
    func testPINCasesAreNotTestableWithoutAWayToEnterThePIN() throws {
        let run = try conformance(try wrongDriver("NO_PIN_PROVIDER"), cases: ["pin", "exports.national"])
        for id in ["pin.verify", "pin.wrong", "pin.locked", "pin.change"] {
            XCTAssertEqual(run.verdicts[id], "not-testable", "\(id): \(reasons(run, id))")
            XCTAssertTrue(reasons(run, id).contains("cannot enter a PIN"), reasons(run, id))
        }
        XCTAssertEqual(run.verdicts["exports.national"], "pass")
        let summary = try XCTUnwrap(run.report["summary"] as? [String: Int])
        XCTAssertEqual(summary["notTestable"], 4)
        XCTAssertEqual(summary["passed"], 1)
        XCTAssertEqual(run.status, 0, run.output)
    }

    func testARunThatCannotStartExitsWithTwo() throws {
        let notALibrary = directory.appendingPathComponent("not-a-library.so")
        try Data("not an ELF file".utf8).write(to: notALibrary)
        for library in [notALibrary.path, directory.appendingPathComponent("absent.so").path] {
            let (status, output) = try ToolRunner.station(["conformance", "--library", library, "--report", directory.path, "--lang", "en"])
            XCTAssertEqual(status, 2, output)
            XCTAssertTrue(output.contains("could not start"), output)
        }
        let (status, output) = try ToolRunner.station(["conformance", "--library", ourLibrary.path, "--case", "no-such-case", "--report", directory.path])
        XCTAssertEqual(status, 2, output)
    }
}
