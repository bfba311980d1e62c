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
    /// A fresh in-memory simulator served on a free loopback port, with `ProvinceLinkTestDesk`
    /// registered and a client that signs as it.
    static func served(timeout: TimeInterval = 10, limits: ProvinceSimulatorServer.Limits = .init(),
                       file: StaticString = #filePath, line: UInt = #line) throws
        -> (server: ProvinceSimulatorServer, client: CardManagementHTTPClient, sim: SimulatedCardManagementSystem) {
        let sim = try SimulatedCardManagementSystem()
        let server = ProvinceSimulatorServer(system: sim, port: 0, limits: limits)
        try server.start()
        XCTAssertNotEqual(server.port, 0, file: file, line: line)
        let credentialFile = try ProvinceLinkTestDesk.register(in: sim)
        return (server, CardManagementHTTPClient(baseURL: server.baseURL, timeout: timeout, credentialFile: credentialFile), sim)
    }

    override class func tearDown() {
        ProvinceLinkTestDesk.removeFiles()
        super.tearDown()
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
    /// 《广东省社会保障卡经办规程》第二十七条一（一）、（四）: 补卡 after 正式挂失, old card cancelled first.
    func testReplacementNeedsAFormalLossReport() throws { try contract().replacementNeedsAFormalLossReport() }
    /// 《规程》第二十八条至第三十一条: 换卡 reads the old card's chip before cancelling it.
    func testRenewalNeedsTheOldCardsChip() throws { try contract().renewalNeedsTheOldCardsChip() }
    /// 《规程》第三十一条: a change of bank sends the old card to the old bank.
    func testBankChangeLetsTheHolderKeepTheOldCard() throws { try contract().bankChangeLetsTheHolderKeepTheOldCard() }
    /// 《规程》第二十六条一（四）: no 解挂 while a 补换卡 is open; a lost card is no 换卡.
    func testLostCardIsNoRenewal() throws { try contract().lostCardIsNoRenewal() }

    // MARK: The wire

    /// Sends raw bytes, returns the raw answer (the server closes after `Connection: close`).
    static func exchange(_ server: ProvinceSimulatorServer, _ text: String) throws -> String {
        try exchange(server, Array(text.utf8))
    }

    static func exchange(_ server: ProvinceSimulatorServer, _ bytes: [UInt8]) throws -> String {
        let connection = try StreamSocket.connect(to: .loopback(port: server.port), deadline: .now + .seconds(5))
        try connection.sendAll(bytes, deadline: .now + .seconds(5))
        var answer: [UInt8] = []
        while let chunk = try? connection.receive(deadline: .now + .seconds(10)), !chunk.isEmpty { answer += chunk }
        return String(decoding: answer, as: UTF8.self)
    }

    private func exchange(_ server: ProvinceSimulatorServer, _ text: String) throws -> String {
        try Self.exchange(server, text)
    }

    /// A request signed as the test desk: `METHOD target`, `headers` (lines without CRLF), `body`.
    private func signed(_ sim: SimulatedCardManagementSystem, _ method: String, _ target: String, headers: [String] = [],
                        body: String = "") throws -> String {
        try ProvinceLinkTestDesk.signedRequest(sim, method, target, headers: headers, body: body)
    }

    func testErrorBodiesAndStatusCodes() throws {
        let (server, _, sim) = try Self.served()
        defer { server.stop() }
        let unknown = try exchange(server, signed(sim, "GET", "/v1/applications/NOPE", headers: ["Host: x", "Connection: close"]))
        XCTAssertTrue(unknown.hasPrefix("HTTP/1.1 404 "), unknown)
        XCTAssertTrue(unknown.contains("\"code\":\"UNKNOWN_APPLICATION\""), unknown)
        let route = try exchange(server, signed(sim, "GET", "/v2/nothing", headers: ["Connection: close"]))
        XCTAssertTrue(route.hasPrefix("HTTP/1.1 404 ") && route.contains("NOT_FOUND"), route)
        let bad = try exchange(server, signed(sim, "POST", "/v1/reports", headers: ["Connection: close"], body: "{oops"))
        XCTAssertTrue(bad.hasPrefix("HTTP/1.1 422 ") && bad.contains("BAD_REQUEST"), bad)

        // X-Request-ID must be the body's requestID.
        let report = try CardManagementContract.report("body-id", "DEMO-0001", .inProduction, card: 1)
        let body = String(decoding: ProvinceAPI.encode(report), as: UTF8.self)
        let mismatch = try exchange(server, signed(sim, "POST", "/v1/reports", headers: ["X-Request-ID: header-id", "Connection: close"], body: body))
        XCTAssertTrue(mismatch.hasPrefix("HTTP/1.1 422 ") && mismatch.contains("REQUEST_ID_MISMATCH"), mismatch)
        let matching = try exchange(server, signed(sim, "POST", "/v1/reports", headers: ["X-Request-ID: body-id", "Connection: close"], body: body))
        XCTAssertTrue(matching.hasPrefix("HTTP/1.1 200 ") && matching.contains("\"state\":\"inProduction\""), matching)
        let other = body.replacingOccurrences(of: "body-id", with: "other-id")
        let wrong = try exchange(server, signed(sim, "POST", "/v1/reports", headers: ["Connection: close"], body: other))
        XCTAssertTrue(wrong.hasPrefix("HTTP/1.1 409 ") && wrong.contains("WRONG_STATE"), wrong)
    }

    func testKeepAliveServesSeveralRequestsOnOneConnection() throws {
        let (server, _, sim) = try Self.served()
        defer { server.stop() }
        let answer = try exchange(server, signed(sim, "GET", "/v1/applications/DEMO-0003/status")
                                  + signed(sim, "GET", "/v1/applications/DEMO-0001/status", headers: ["Connection: close"]))
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
        let client = CardManagementHTTPClient(baseURL: URL(string: "ftp://127.0.0.1:1")!)
        XCTAssertThrowsError(try client.status(applicationID: "DEMO-0001")) { error in
            guard case .unreachable = error as? CardManagementError else { return XCTFail("\(error)") }
        }
    }
}
