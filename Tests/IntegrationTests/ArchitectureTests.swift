import Foundation
import XCTest

/// The rules of docs/ARCHITECTURE.md that the build itself does not enforce: no production
/// target reaches a simulation target, and the shipped C library carries no simulator — no
/// simulator symbol and none of the public simulator test keys — and no station.
final class ArchitectureTests: XCTestCase {
    static let production: Set<String> = [
        "CPCSCLite", "COpenSSL", "CLibSSL", "CFreeType", "CJPEG", "CPNG", "CLibUSB", "CPCSCShim", "CSSCardDriverABI",
        "Sockets", "SSCardDriver", "SSCardPrinter", "CardManagement", "InstantIssue", "DeskAssembly", "SSCardDriverABI",
        "BrowserBridge", "WebDesk", "StationOperations", "CCairo", "CounterDocuments", "OutletStorage",
        "ChildProcess",
    ]
    static let simulation: Set<String> = ["SSCardSimulator", "ProvinceSimulator", "SimulatedDesk", "VPCDLoopback", "Conformance"]
    static let programsAndTests: Set<String> = [
        "issue-station", "sscard-bench", "sscard-conformance-probe",
        "SocketsTests", "SSCardDriverTests", "InstantIssueTests", "SSCardDriverABITests", "SSCardSimulatorTests", "IntegrationTests",
        "BridgeTests", "WebDeskTests", "ChildProcessTests",
    ]

    func testNoProductionTargetReachesASimulationTarget() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("dump-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let (status, text) = try ToolRunner.run(URL(fileURLWithPath: "/usr/bin/env"), [
            "swift", "package", "--package-path", CProgramHarness.packageRoot.path, "--scratch-path", scratch.path, "dump-package",
        ])
        XCTAssertEqual(status, 0, text)
        let json = try XCTUnwrap(text.firstIndex(of: "{").map { String(text[$0...]) })
        let manifest = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let targets = try XCTUnwrap(manifest["targets"] as? [[String: Any]])
        var dependencies: [String: [String]] = [:]
        for target in targets {
            let name = try XCTUnwrap(target["name"] as? String)
            dependencies[name] = (target["dependencies"] as? [[String: Any]] ?? []).compactMap { dependency in
                (dependency.values.first as? [Any])?.first as? String
            }
        }
        XCTAssertEqual(Set(dependencies.keys), Self.production.union(Self.simulation).union(Self.programsAndTests),
                       "every target is production, simulation, or a program or test target: classify a new one here and in docs/ARCHITECTURE.md")
        for target in Self.production {
            var reached: Set<String> = []
            var queue = dependencies[target] ?? []
            while let next = queue.popLast() {
                if reached.insert(next).inserted { queue += dependencies[next] ?? [] }
            }
            XCTAssertTrue(reached.isDisjoint(with: Self.simulation),
                          "\(target) reaches \(reached.intersection(Self.simulation).sorted())")
        }
    }

    func testTheCLibraryHoldsNoSimulator() throws {
        let library = ToolRunner.productsDirectory.appendingPathComponent("libSSCardDriver.so")
        let (status, symbols) = try ToolRunner.run(URL(fileURLWithPath: "/usr/bin/nm"), [library.path])
        XCTAssertEqual(status, 0)
        let lines = symbols.split(separator: "\n")
        // Swift mangles a module's name as its length and its name, e.g. 15SSCardSimulator.
        func count(_ module: String) -> Int { lines.filter { $0.contains("\(module.count)\(module)") }.count }
        XCTAssertGreaterThan(count("SSCardDriver"), 1000, "the library's own symbols are there to be seen")
        for module in Self.simulation.sorted() + ["SimulatedHSM", "VirtualPrinter", "SimulatedSSCard"] {
            XCTAssertEqual(count(module), 0, "libSSCardDriver.so holds \(module)")
        }
        // Nor the station: a reader integrator's library needs no station logic or SQLite.
        for module in ["InstantIssue", "GRDB"] {
            XCTAssertEqual(count(module), 0, "libSSCardDriver.so holds \(module)")
        }
        let bytes = try Data(contentsOf: library)
        XCTAssertNil(bytes.range(of: Data("SIMTESTKEY".utf8)), "the simulator's public test keys are in the library")
    }
}
