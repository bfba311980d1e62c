import Foundation
import XCTest

/// Tests/CProgram/abi_fuzz.c against libSSCardDriver.so: 100,000 hostile inputs through every
/// function of include/SSCardDriver.h and through configuration files, in forked children that
/// may die. No child may die, hang, write past its buffer or return a positive code, and every
/// function the header declares must have been called. No card or service is needed: with no
/// reader every function must still answer a code. (scripts/fuzz-abi.sh runs a million.)
final class ABIFuzzHarnessTests: XCTestCase {
    /// Compiles abi_fuzz.c with gcc against the header and the library, as a caller would.
    static func buildHarness(in directory: URL) throws -> URL {
        let library = ToolRunner.productsDirectory.appendingPathComponent("libSSCardDriver.so")
        for name in ["libSSCardDriver.so", "libSSCardDriver.so.1"] {
            try FileManager.default.createSymbolicLink(at: directory.appendingPathComponent(name), withDestinationURL: library)
        }
        let binary = directory.appendingPathComponent("abi_fuzz")
        let root = CProgramHarness.packageRoot
        let (status, text) = try ToolRunner.run(URL(fileURLWithPath: "/usr/bin/gcc"), [
            "-Wall", "-Wextra", "-Werror", "-std=c99", "-O1", "-I", root.appendingPathComponent("include").path,
            root.appendingPathComponent("Tests/CProgram/abi_fuzz.c").path,
            "-L", directory.path, "-lSSCardDriver", "-Wl,-rpath," + directory.path, "-o", binary.path,
        ])
        guard status == 0 else { throw XCTSkip("gcc failed: \(text)") }
        return binary
    }

    /// The functions include/SSCardDriver.h declares (`long name(`).
    static func headerFunctions() throws -> Set<String> {
        let header = try String(contentsOf: CProgramHarness.packageRoot.appendingPathComponent("include/SSCardDriver.h"), encoding: .utf8)
        var names = Set<String>()
        for line in header.split(separator: "\n") where line.hasPrefix("long ") {
            let rest = line.dropFirst(5)
            if let open = rest.firstIndex(of: "(") { names.insert(String(rest[..<open]).trimmingCharacters(in: .whitespaces)) }
        }
        return names
    }

    func testHundredThousandHostileInputsThroughEveryFunctionCrashNothing() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("abi-fuzz-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let harness = try Self.buildHarness(in: directory)
        let start = ContinuousClock.now
        let run = try ToolRunner.execute(harness, ["-n", "100000", "-s", "20261206", "-j", "2", "-t", "30"])
        let elapsed = ContinuousClock.now - start
        if run.status == 2, run.output.contains("answers here") {
            throw XCTSkip("a pcscd or desk service answers on this machine; the fuzz would talk to it")
        }
        let lines = run.output.split(separator: "\n").map(String.init)
        func figure(_ name: String) -> Int? {
            lines.first { $0.hasPrefix(name + " ") }.flatMap { Int($0.dropFirst(name.count + 1)) }
        }
        var calls: [String: Int] = [:]
        for line in lines where line.hasPrefix("function ") {
            let parts = line.split(separator: " ")
            if parts.count == 3 { calls[String(parts[1])] = Int(parts[2]) }
        }
        print("abi_fuzz: \(figure("inputs") ?? 0) inputs, \(figure("calls") ?? 0) calls in \(elapsed)")
        let failures = lines.filter { $0.hasPrefix("crash") || $0.hasPrefix("hang") || $0.hasPrefix("violation") || $0.hasPrefix("  ") }
        XCTAssertEqual(figure("crashes"), 0, failures.joined(separator: "\n"))
        XCTAssertEqual(figure("hangs"), 0, failures.joined(separator: "\n"))
        XCTAssertEqual(figure("violations"), 0, failures.joined(separator: "\n"))
        XCTAssertEqual(run.status, 0, run.output)
        XCTAssertGreaterThanOrEqual(figure("inputs") ?? 0, 100_000)
        XCTAssertGreaterThan(figure("configurations") ?? 0, 1000, "configuration files were fuzzed too")
        let declared = try Self.headerFunctions()
        XCTAssertGreaterThanOrEqual(declared.count, 44)
        XCTAssertEqual(Set(calls.keys), declared, "the harness calls exactly the functions of the header")
        for name in declared.sorted() {
            XCTAssertGreaterThan(calls[name] ?? 0, 500, "\(name) was called")
        }
    }
}
