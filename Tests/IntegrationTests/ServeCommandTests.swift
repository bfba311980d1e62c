import Foundation
import XCTest

/// `issue-station serve` as a process: a port another program holds is one sentence naming the
/// port and what to do, with the error status; as a service (output not a terminal) the first
/// administrator's password goes to a private file, never to the journal; `--metrics-port`.
final class ServeCommandTests: XCTestCase {
    func testAPortInUseIsOneSentenceNamingThePort() throws {
        let holder = try ForgingSite()  // any server: it holds a port of 127.0.0.1
        let port = try XCTUnwrap(Int(holder.origin.split(separator: ":").last ?? ""))
        let (status, text) = try ToolRunner.station(["serve", "--demo", "--port", String(port)])
        XCTAssertEqual(status, 1, text)
        XCTAssertTrue(text.contains("错误：端口 \(port) 已被其他程序占用"), text)
        XCTAssertTrue(text.contains("下一步：") && text.contains("--port"), text)
        let (statusEN, english) = try ToolRunner.station(["serve", "--demo", "--lang", "en", "--port", String(port)])
        XCTAssertEqual(statusEN, 1, english)
        XCTAssertTrue(english.contains("Error: Port \(port) on 127.0.0.1 is already used by another program"), english)
    }

    func testAsAServiceTheFirstPasswordGoesToAPrivateFileAndMetricsAnswerOnLoopback() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("serve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = folder.appendingPathComponent("station.json")
        try Data(#"{"databasePath": "station.sqlite", "cardManagement": {"kind": "embedded", "simulatorDatabasePath": "sim.sqlite"}}"#.utf8)
            .write(to: config)
        let port = 30_000 + Int.random(in: 0..<10_000), metricsPort = port + 10_000
        let process = Process()
        process.executableURL = ToolRunner.productsDirectory.appendingPathComponent("issue-station")
        process.arguments = ["serve", "--config", config.path, "--port", String(port), "--metrics-port", String(metricsPort), "--lang", "en"]
        process.environment = ProcessInfo.processInfo.environment.merging(["SSCARD_DRIVER_CONFIG": ""]) { $1 }
        let output = Pipe()  // not a terminal: what a service's journal would get
        process.standardOutput = output
        process.standardError = output
        try process.run()
        var answer: (head: String, body: String)?
        for _ in 0..<100 where answer == nil {
            answer = try? StationObservabilityTests.get(port: metricsPort, path: "/metrics")
            if answer == nil { Thread.sleep(forTimeInterval: 0.1) }
        }
        let desk = try? StationObservabilityTests.get(port: port, path: "/")
        process.terminate()
        process.waitUntilExit()
        let log = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)

        let metrics = try XCTUnwrap(answer, "metrics answered on \(metricsPort): \(log)")
        XCTAssertTrue(metrics.head.hasPrefix("HTTP/1.1 200"), metrics.head)
        XCTAssertTrue(metrics.body.contains("sscard_recovery_backlog 0"), metrics.body)
        XCTAssertNotNil(desk, "the desk answered on \(port)")

        let file = folder.appendingPathComponent("administrator-initial-password").path
        let password = try String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(password.count, 12, password)
        let attributes = try FileManager.default.attributesOfItem(atPath: file)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        XCTAssertTrue(log.contains("the initial password is in \(file)"), log)
        XCTAssertFalse(log.contains(password), log)
    }
}
