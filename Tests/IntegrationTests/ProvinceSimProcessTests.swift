import Foundation
import XCTest
import SSCardDriver
import SSCardSimulator
import InstantIssue
@testable import CardManagement

/// `issue-station province-sim` as its own process, over TLS with its lab CA
/// (`--tls-self-signed`), and a desk registered with `province-sim desks add` issuing through
/// it with its credential: the card is made and 制卡成功 is on the simulator's books; a response
/// lost after the simulator committed (`lose 1 report`, typed on its console) is retried with
/// the same request id and counted once.
final class ProvinceSimProcessTests: PCSCStackTestCase {
    /// The simulator process; its console is our pipe.
    final class Simulator {
        let process = Process()
        let input = Pipe()
        let output = Pipe()
        private(set) var port: UInt16 = 0

        init(database: String, tlsFolder: String) throws {
            process.executableURL = ToolRunner.productsDirectory.appendingPathComponent("issue-station")
            process.arguments = ["province-sim", "--port", "0", "--database", database, "--tls-self-signed", tlsFolder, "--lang", "en"]
            process.standardInput = input
            process.standardOutput = output
            process.standardError = output
            try process.run()
            // "Listening on https://127.0.0.1:PORT"
            var seen = ""
            let deadline = Date().addingTimeInterval(20)
            while Date() < deadline {
                let data = output.fileHandleForReading.availableData
                if data.isEmpty { break }
                seen += String(decoding: data, as: UTF8.self)
                if let range = seen.range(of: "Listening on https://127.0.0.1:") {
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

    func testADeskIssuesThroughTheSimulatorOverTLS() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("province-sim-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let books = folder.appendingPathComponent("books.sqlite").path
        let credentialFile = folder.appendingPathComponent("desk.credential").path
        let registered = try ToolRunner.station(["province-sim", "desks", "add", "SSDESK000001", "--database", books,
                                                 "--credential-file", credentialFile, "--lang", "en"])
        XCTAssertEqual(registered.status, 0, registered.output)
        XCTAssertFalse(registered.output.contains("secret="), "written to the file, not shown: \(registered.output)")
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: credentialFile)[.posixPermissions] as? Int, 0o600)
        let tls = folder.appendingPathComponent("tls")
        let simulator = try Simulator(database: books, tlsFolder: tls.path)
        defer { simulator.stop() }
        let url = "https://127.0.0.1:\(simulator.port)"
        let caFile = tls.appendingPathComponent("ca.pem").path

        let desk = try ProcessDesk(cardsPerHopper: 2, cardManagementSetting: [
            "kind": "http", "url": url, "timeoutSeconds": 3, "credentialFile": credentialFile, "caFile": caFile,
        ])
        defer { desk.close() }
        simulator.type("lose 1 report")
        let made = try desk.station(["issue", "DEMO-0001"])
        XCTAssertEqual(made.status, 0, made.output)
        XCTAssertTrue(made.output.contains("Card made"), made.output)
        XCTAssertTrue(made.output.contains("try 2"), "the lost response was retried: \(made.output)")

        let client = CardManagementHTTPClient(baseURL: URL(string: url)!, timeout: 3, credentialFile: credentialFile, caFile: caFile)
        let status = try client.status(applicationID: "DEMO-0001")
        XCTAssertEqual(status.state, .produced)
        XCTAssertEqual(try desk.issuedCount(), 1)
        // Without the lab CA the desk does not trust the server; without the credential the
        // server does not serve the desk.
        let untrusting = CardManagementHTTPClient(baseURL: URL(string: url)!, timeout: 3, credentialFile: credentialFile)
        XCTAssertThrowsError(try untrusting.status(applicationID: "DEMO-0001")) { error in
            guard case .unreachable(let detail, _) = error as? CardManagementError else { return XCTFail("\(error)") }
            XCTAssertTrue(detail.contains("certificate verify failed"), detail)
        }
        let anonymous = CardManagementHTTPClient(baseURL: URL(string: url)!, timeout: 3, caFile: caFile)
        // PKICardSecrets is non-copyable, so the call is made here rather than in an autoclosure.
        do {
            _ = try anonymous.pkiSecrets(cardIdentificationCode: CardIdentificationCode(hex: "411600D1560000050000000000000001")!)
            XCTFail("an unsigned request got the card's secrets")
        } catch {
            guard case .refused("UNAUTHENTICATED", _) = error else { return XCTFail("\(error)") }
        }
    }
}
