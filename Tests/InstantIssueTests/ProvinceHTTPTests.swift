import Foundation
import Glibc
import XCTest
import Sockets
import SSCardDriver
import SSCardSimulator
@testable import InstantIssue
@testable import CardManagement
@testable import ProvinceSimulator

/// The province contract over HTTP: `CardManagementHTTPClient` talking to
/// `ProvinceSimulatorServer` on a loopback port, the same `CardManagementContract` as the
/// embedded simulator, plus what only the wire has.
final class ProvinceHTTPTests: XCTestCase {
    /// A fresh in-memory simulator served on a free loopback port.
    static func served(timeout: TimeInterval = 10, file: StaticString = #filePath, line: UInt = #line) throws
        -> (server: ProvinceSimulatorServer, client: CardManagementHTTPClient, sim: SimulatedCardManagementSystem) {
        let sim = try SimulatedCardManagementSystem()
        let server = ProvinceSimulatorServer(system: sim, port: 0)
        try server.start()
        XCTAssertNotEqual(server.port, 0, file: file, line: line)
        return (server, CardManagementHTTPClient(baseURL: server.baseURL, timeout: timeout), sim)
    }

    private func contract() throws -> CardManagementContract {
        let (server, client, sim) = try Self.served()
        addTeardownBlock { server.stop() }
        return CardManagementContract(cms: client, sim: sim)
    }

    func testApplications() throws { try contract().applications() }
    func testStatusMachine() throws { try contract().statusMachine() }
    func testIdempotency() throws { try contract().idempotency() }
    func testOnePersonOneCard() throws { try contract().onePersonOneCard() }
    func testHSMKeysOpenTheCard() throws { try contract().hsmKeysOpenTheCard() }
    func testCertificates() throws { try contract().certificates() }
    func testLedgerCheckpoints() throws { try contract().ledgerCheckpoints() }

    // MARK: The wire

    /// Sends raw bytes, returns the raw answer (the server closes after `Connection: close`).
    private func exchange(_ server: ProvinceSimulatorServer, _ text: String) throws -> String {
        let connection = try StreamSocket.connect(to: .loopback(port: server.port), deadline: .now + .seconds(5))
        try connection.sendAll(Array(text.utf8), deadline: .now + .seconds(5))
        var answer: [UInt8] = []
        while let chunk = try? connection.receive(deadline: .now + .seconds(10)), !chunk.isEmpty { answer += chunk }
        return String(decoding: answer, as: UTF8.self)
    }

    func testErrorBodiesAndStatusCodes() throws {
        let (server, _, _) = try Self.served()
        defer { server.stop() }
        let unknown = try exchange(server, "GET /v1/applications/NOPE HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        XCTAssertTrue(unknown.hasPrefix("HTTP/1.1 404 "), unknown)
        XCTAssertTrue(unknown.contains("\"code\":\"UNKNOWN_APPLICATION\""), unknown)
        let route = try exchange(server, "GET /v2/nothing HTTP/1.1\r\nConnection: close\r\n\r\n")
        XCTAssertTrue(route.hasPrefix("HTTP/1.1 404 ") && route.contains("NOT_FOUND"), route)
        let bad = try exchange(server, "POST /v1/reports HTTP/1.1\r\nContent-Length: 5\r\nConnection: close\r\n\r\n{oops")
        XCTAssertTrue(bad.hasPrefix("HTTP/1.1 422 ") && bad.contains("BAD_REQUEST"), bad)

        // X-Request-ID must be the body's requestID.
        let report = try CardManagementContract.report("body-id", "DEMO-0001", .inProduction, card: 1)
        let body = String(decoding: ProvinceAPI.encode(report), as: UTF8.self)
        let mismatch = try exchange(server, "POST /v1/reports HTTP/1.1\r\nX-Request-ID: header-id\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)")
        XCTAssertTrue(mismatch.hasPrefix("HTTP/1.1 422 ") && mismatch.contains("REQUEST_ID_MISMATCH"), mismatch)
        let matching = try exchange(server, "POST /v1/reports HTTP/1.1\r\nX-Request-ID: body-id\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)")
        XCTAssertTrue(matching.hasPrefix("HTTP/1.1 200 ") && matching.contains("\"state\":\"inProduction\""), matching)
        let other = body.replacingOccurrences(of: "body-id", with: "other-id")
        let wrong = try exchange(server, "POST /v1/reports HTTP/1.1\r\nContent-Length: \(other.utf8.count)\r\nConnection: close\r\n\r\n\(other)")
        XCTAssertTrue(wrong.hasPrefix("HTTP/1.1 409 ") && wrong.contains("WRONG_STATE"), wrong)
    }

    func testKeepAliveServesSeveralRequestsOnOneConnection() throws {
        let (server, _, _) = try Self.served()
        defer { server.stop() }
        let answer = try exchange(server, "GET /v1/applications/DEMO-0003/status HTTP/1.1\r\n\r\n"
                                  + "GET /v1/applications/DEMO-0001/status HTTP/1.1\r\nConnection: close\r\n\r\n")
        XCTAssertEqual(answer.components(separatedBy: "HTTP/1.1 200 OK").count, 3, answer)
        XCTAssertTrue(answer.contains("DEMO-0003") && answer.contains("DEMO-0001"))
    }

    func testConcurrentClients() throws {
        let (server, client, sim) = try Self.served()
        defer { server.stop() }
        for i in 0..<8 {
            var app = try sim.application(id: "DEMO-0001")
            app.id = "PAR-\(i)"
            app.socialSecurityNumber = SimulatedApplications.citizenNumber("4116021981010120\(i)")
            try sim.add(app)
        }
        DispatchQueue.concurrentPerform(iterations: 8) { i in
            do {
                let report = try CardManagementContract.report("par-\(i)", "PAR-\(i)", .inProduction, card: 200 + i)
                XCTAssertEqual(try client.report(report).state, .inProduction)
                XCTAssertEqual(try client.application(id: "PAR-\(i)").photoJPEG, SimulatedApplications.samplePhotoJPEG)
            } catch {
                XCTFail("\(i): \(error)")
            }
        }
    }

    func testClientRefusesANonHTTPBaseURL() {
        let client = CardManagementHTTPClient(baseURL: URL(string: "https://127.0.0.1:1")!)
        XCTAssertThrowsError(try client.status(applicationID: "DEMO-0001")) { error in
            guard case .unreachable = error as? CardManagementError else { return XCTFail("\(error)") }
        }
    }
}
