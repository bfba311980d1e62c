import Foundation
import XCTest
import SSCardDriver
import SSCardSimulator
import InstantIssue
@testable import CardManagement

/// `issue-station province-sim` as its own process, and a desk issuing through it over HTTP:
/// the card is made and 制卡成功 is on the simulator's books; a response lost after the
/// simulator committed (`lose 1 report`, typed on its console) is retried with the same request
/// id and counted once.
final class ProvinceSimProcessTests: PCSCStackTestCase {
    /// The simulator process; its console is our pipe.
    final class Simulator {
        let process = Process()
        let input = Pipe()
        let output = Pipe()
        private(set) var port: UInt16 = 0

        init(database: String) throws {
            process.executableURL = ToolRunner.productsDirectory.appendingPathComponent("issue-station")
            process.arguments = ["province-sim", "--port", "0", "--database", database, "--lang", "en"]
            process.standardInput = input
            process.standardOutput = output
            process.standardError = output
            try process.run()
            // "Listening on http://127.0.0.1:PORT"
            var seen = ""
            let deadline = Date().addingTimeInterval(20)
            while Date() < deadline {
                let data = output.fileHandleForReading.availableData
                if data.isEmpty { break }
                seen += String(decoding: data, as: UTF8.self)
                if let range = seen.range(of: "Listening on http://127.0.0.1:") {
                    let digits = seen[range.upperBound...].prefix { $0.isNumber }
                    if let value = UInt16(digits), seen[range.upperBound...].count > digits.count {
                        port = value
                        return
                    }
                }
            }
            throw XCTSkip("province-sim did not say where it listens: \(seen)")
        }

        func type(_ line: String) {
            input.fileHandleForWriting.write(Data((line + "\n").utf8))
        }

        func stop() {
            type("quit")
            process.waitUntilExit()
        }
    }

    func testADeskIssuesThroughTheSimulatorOverHTTP() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("province-sim-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let simulator = try Simulator(database: folder.appendingPathComponent("books.sqlite").path)
        defer { simulator.stop() }
        let url = "http://127.0.0.1:\(simulator.port)"

        let desk = try ProcessDesk(cardsPerHopper: 2, cardManagementSetting: ["kind": "http", "url": url, "timeoutSeconds": 3])
        defer { desk.close() }
        simulator.type("lose 1 report")
        let made = try desk.station(["issue", "DEMO-0001"])
        XCTAssertEqual(made.status, 0, made.output)
        XCTAssertTrue(made.output.contains("Card made"), made.output)
        XCTAssertTrue(made.output.contains("try 2"), "the lost response was retried: \(made.output)")

        let client = CardManagementHTTPClient(baseURL: URL(string: url)!, timeout: 3)
        let status = try client.status(applicationID: "DEMO-0001")
        XCTAssertEqual(status.state, .produced)
        XCTAssertEqual(try desk.issuedCount(), 1)
    }
}
