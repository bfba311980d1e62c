import BrowserBridge
import Foundation
import XCTest

/// `issue-station bridge` as a process: its options, its handshake refusals, its log lines.
final class BridgeCommandTests: XCTestCase {
    func testTheCommandServesAllowedOriginsAndLogsEachCallWithoutCardData() throws {
        let port = 30_000 + Int.random(in: 0..<20_000)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bridge-cmd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        // The configuration's bridge object adds a site; the command line adds another.
        let config = directory.appendingPathComponent("driver.json")
        try Data(#"{"bridge": {"allowOrigins": ["https://sbk.example.gov.cn"]}}"#.utf8).write(to: config)
        let process = Process()
        process.executableURL = ToolRunner.productsDirectory.appendingPathComponent("issue-station")
        process.arguments = ["bridge", "--port", String(port), "--allow-origin", "https://his.example.cn",
                             "--driver-config", config.path, "--lang", "en"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        defer { process.terminate(); process.waitUntilExit() }

        var client: BridgeSocketClient?
        for _ in 0..<100 where client == nil {
            client = try? BridgeSocketClient(port: port, origin: "https://his.example.cn")
            if client == nil { Thread.sleep(forTimeInterval: 0.1) }
        }
        let page = try XCTUnwrap(client, "the bridge answered on \(port)")
        let reply = try page.call(#"{"function":"iReadCardBas","iType":1,"id":"a"}"#)
        XCTAssertTrue(reply.hasPrefix(#"{"functionName":"iReadCardBas","success":"#), reply)
        XCTAssertNoThrow(try BridgeSocketClient(port: port, origin: "https://sbk.example.gov.cn"), "allowed by the configuration")
        XCTAssertThrowsError(try BridgeSocketClient(port: port, origin: "https://evil.example")) { error in
            guard case BridgeSocketClient.ClientError.refused(403, let body)? = error as? BridgeSocketClient.ClientError else {
                return XCTFail("\(error)")
            }
            XCTAssertTrue(body.contains("not allowed"), body)
        }
        process.terminate()
        process.waitUntilExit()
        let log = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertTrue(log.contains("browser bridge on ws://127.0.0.1:\(port)/"), log)
        XCTAssertTrue(log.contains("origin=https://his.example.cn function=iReadCardBas code="), log)
        XCTAssertTrue(log.contains("bridge refused origin=https://evil.example: origin https://evil.example is not allowed"), log)
    }

    func testMetricsPortServesTheBridgesCallCountsOnLoopback() throws {
        let port = 30_000 + Int.random(in: 0..<10_000)
        let metricsPort = port + 10_000
        let process = Process()
        process.executableURL = ToolRunner.productsDirectory.appendingPathComponent("issue-station")
        // No driver configuration: the first reader, whatever answers (or not) counts as a call.
        process.arguments = ["bridge", "--port", String(port), "--metrics-port", String(metricsPort), "--allow-origin", "https://his.example.cn",
                             "--lang", "en"]
        process.environment = ProcessInfo.processInfo.environment.merging(["SSCARD_DRIVER_CONFIG": ""]) { $1 }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        defer { process.terminate(); process.waitUntilExit() }

        var client: BridgeSocketClient?
        for _ in 0..<100 where client == nil {
            client = try? BridgeSocketClient(port: port, origin: "https://his.example.cn")
            if client == nil { Thread.sleep(forTimeInterval: 0.1) }
        }
        let page = try XCTUnwrap(client, "the bridge answered on \(port)")
        _ = try page.call(#"{"function":"iReadCardBas","iType":1,"id":"a"}"#)
        _ = try page.call(#"{"function":"iReadCardBas","iType":1,"id":"b"}"#)
        var answer: (head: String, body: String)?
        for _ in 0..<50 where answer == nil {
            answer = try? StationObservabilityTests.get(port: metricsPort, path: "/metrics")
            if answer == nil { Thread.sleep(forTimeInterval: 0.1) }
        }
        let metrics = try XCTUnwrap(answer, "metrics answered on \(metricsPort)")
        XCTAssertTrue(metrics.head.hasPrefix("HTTP/1.1 200"), metrics.head)
        let lines = metrics.body.split(separator: "\n").map(String.init)
        let calls = lines.filter { $0.hasPrefix("sscard_bridge_calls_total{") }.compactMap { $0.split(separator: " ").last.flatMap { Int($0) } }
        XCTAssertEqual(calls.reduce(0, +), 2, metrics.body)
        XCTAssertTrue(lines.contains("sscard_bridge_call_seconds_count 2"), metrics.body)
        // Loopback only: the listener is bound to 127.0.0.1.
        let table = try String(contentsOfFile: "/proc/net/tcp", encoding: .utf8)
        let hexPort = String(format: ":%04X ", metricsPort)
        let listeners = table.split(separator: "\n").filter { $0.contains(hexPort) && $0.split(separator: " ")[3] == "0A" }
        XCTAssertFalse(listeners.isEmpty, table)
        for line in listeners { XCTAssertTrue(line.split(separator: " ")[1].hasPrefix("0100007F:"), String(line)) }
    }

    func testABadOriginIsRefusedBeforeItListens() throws {
        let (status, output) = try StationCLI.run(["bridge", "--allow-origin", "https://a.example/path", "--lang", "en"])
        XCTAssertNotEqual(status, 0)
        XCTAssertTrue(output.contains("https://a.example/path"), output)
    }
}
