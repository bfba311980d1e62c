import Foundation
import Glibc
import Synchronization
import XCTest
import Sockets
import SSCardDriver
import SSCardSimulator
@testable import InstantIssue
@testable import CardManagement
@testable import ProvinceSimulator

/// Injected faults: each maps to the error the desk must handle, in the embedded simulator and
/// over HTTP, and a report whose answer was lost is applied once when repeated.
final class CardManagementFaultTests: XCTestCase {
    override class func tearDown() {
        ProvinceLinkTestDesk.removeFiles()
        super.tearDown()
    }

    private func error(_ body: () throws -> some Any, file: StaticString = #filePath, line: UInt = #line) -> CardManagementError? {
        CardManagementContract.cardManagementError(body, file: file, line: line)
    }

    private func report(_ id: String = "f-1", card: Int = 1) throws -> IssuanceReport {
        try CardManagementContract.report(id, "DEMO-0001", .inProduction, card: card)
    }

    // MARK: Embedded

    func testEmbeddedFaultsMapToTheClientsErrors() throws {
        let sim = try SimulatedCardManagementSystem()
        sim.faults.inject(.unreachable)
        guard case .unreachable = error({ try sim.status(applicationID: "DEMO-0001") }) else { return XCTFail() }
        sim.faults.inject(.timeout)
        guard case .outcomeUnknown = error({ try sim.report(report()) }) else { return XCTFail() }
        XCTAssertEqual(try sim.status(applicationID: "DEMO-0001").state, .awaitingProduction, "a timeout carried nothing out")
        sim.faults.inject(.serverError)
        guard case .serverError(503, _) = error({ try sim.report(report()) }) else { return XCTFail() }
        XCTAssertEqual(try sim.status(applicationID: "DEMO-0001").state, .awaitingProduction)
        XCTAssertTrue([CardManagementError.unreachable(""), .outcomeUnknown(""), .serverError(status: 503, message: "")].allSatisfy(\.isRetryable))

        // Lost answer: committed, the caller does not know; the repeat is applied once.
        sim.faults.inject(.lostResponse)
        guard case .outcomeUnknown = error({ try sim.report(report()) }) else { return XCTFail() }
        XCTAssertEqual(try sim.status(applicationID: "DEMO-0001").state, .inProduction)
        XCTAssertEqual(try sim.report(report()).state, .inProduction)
        XCTAssertEqual(try sim.recordedReports(applicationID: "DEMO-0001").count, 1)
        XCTAssertEqual(sim.faults.pendingCount(.lostResponse), 0)
    }

    func testEmbeddedScopedCountsDelayAndSwitch() throws {
        let sim = try SimulatedCardManagementSystem()
        sim.faults.inject(.serverError, count: 2, only: .report)
        XCTAssertEqual(sim.faults.pendingCount(.serverError), 2)
        XCTAssertEqual(try sim.status(applicationID: "DEMO-0001").state, .awaitingProduction, "other calls are not touched")
        XCTAssertNotNil(error { try sim.report(report()) })
        XCTAssertNotNil(error { try sim.report(report()) })
        XCTAssertEqual(try sim.report(report()).state, .inProduction, "the third goes through")

        sim.faults.delayMilliseconds = 150
        let start = Date()
        _ = try sim.status(applicationID: "DEMO-0001")
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(start), 0.14)
        sim.faults.delayMilliseconds = 0

        sim.faults.isUnreachable = true
        for _ in 0..<3 { guard case .unreachable = error({ try sim.application(id: "DEMO-0001") }) else { return XCTFail() } }
        sim.faults.isUnreachable = false
        XCTAssertEqual(try sim.application(id: "DEMO-0001").name, "张三")

        sim.faults.inject(.timeout, count: 3)
        sim.faults.clear()
        XCTAssertEqual(try sim.status(applicationID: "DEMO-0001").state, .inProduction)
        XCTAssertTrue(sim.faults.summary.contains("0 ms"))
    }

    func testFaultsAreThreadSafe() throws {
        let faults = CardManagementFaults()
        faults.inject(.timeout, count: 1000)
        let taken = Atomic(0)
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            for _ in 0..<200 where faults.take(for: .status).fault != nil { taken.add(1, ordering: .relaxed) }
        }
        XCTAssertEqual(taken.load(ordering: .relaxed), 1000)
        XCTAssertEqual(faults.pendingCount(.timeout), 0)
    }

    // MARK: HTTP

    func testHTTPNothingListeningOrNoSuchHostIsUnreachable() throws {
        // A port that was free a moment ago.
        let (server, _, _) = try ProvinceHTTPTests.served()
        let port = server.port
        server.stop()
        let client = CardManagementHTTPClient(baseURL: URL(string: "http://127.0.0.1:\(port)")!, timeout: 2)
        guard case .unreachable(_, let refused?) = error({ try client.status(applicationID: "DEMO-0001") }) else { return XCTFail() }
        XCTAssertEqual(refused.code, ECONNREFUSED, "the socket's errno stays underneath")
        // Plain http goes to loopback addresses only; a name is resolved on the way to TLS.
        let nowhere = CardManagementHTTPClient(baseURL: URL(string: "https://no-such-host.invalid:8735")!, timeout: 2)
        guard case .unreachable(let detail, let unresolved?) = error({ try nowhere.status(applicationID: "DEMO-0001") }) else { return XCTFail() }
        XCTAssertTrue(detail.hasPrefix("无法解析主机名 no-such-host.invalid cannot resolve no-such-host.invalid: "), detail)
        XCTAssertEqual(unresolved.operation, "getaddrinfo no-such-host.invalid")
    }

    func testHTTPUnreachableSwitchRefusesConnectionsThenListensAgain() throws {
        let (server, client, sim) = try ProvinceHTTPTests.served(timeout: 2)
        defer { server.stop() }
        sim.faults.isUnreachable = true
        guard case .unreachable(let detail, let cause) = error({ try client.report(report()) }) else { return XCTFail() }
        XCTAssertEqual(detail, "无法连接 127.0.0.1:\(server.port) cannot connect to 127.0.0.1:\(server.port): Connection refused", "reads as before")
        XCTAssertEqual(cause?.code, ECONNREFUSED)
        XCTAssertEqual(try sim.statusUnfaulted(applicationID: "DEMO-0001").state, .awaitingProduction)
        sim.faults.isUnreachable = false
        XCTAssertEqual(try client.report(report()).state, .inProduction)
    }

    func testHTTPCountedUnreachableResetsWithoutCarryingOut() throws {
        let (server, client, sim) = try ProvinceHTTPTests.served(timeout: 2)
        defer { server.stop() }
        sim.faults.inject(.unreachable, only: .report)
        // The client cannot tell a reset before the work from one after it.
        guard case .outcomeUnknown(_, let reset) = error({ try client.report(report()) }) else { return XCTFail() }
        XCTAssertEqual(reset?.code, ECONNRESET, "the reset (RST) is what the client saw")
        XCTAssertEqual(try client.status(applicationID: "DEMO-0001").state, .awaitingProduction, "nothing was carried out")
        XCTAssertEqual(try client.report(report()).state, .inProduction)
    }

    func testHTTPTimeoutIsOutcomeUnknownAndNothingIsDone() throws {
        let (server, client, sim) = try ProvinceHTTPTests.served(timeout: 0.5)
        defer { server.stop() }
        sim.faults.inject(.timeout, only: .report)
        let start = Date()
        guard case .outcomeUnknown(let detail, let cause) = error({ try client.report(report()) }) else { return XCTFail() }
        let elapsed = Date().timeIntervalSince(start)
        XCTAssertEqual(detail, "0.5 秒内无应答 no answer within 0.5 s")
        XCTAssertEqual(cause?.isTimeout, true)
        XCTAssertGreaterThanOrEqual(elapsed, 0.45)
        XCTAssertLessThan(elapsed, 5)
        XCTAssertEqual(try client.status(applicationID: "DEMO-0001").state, .awaitingProduction)
    }

    func testHTTPServerErrorIs5xx() throws {
        let (server, client, sim) = try ProvinceHTTPTests.served()
        defer { server.stop() }
        sim.faults.inject(.serverError, count: 2)
        XCTAssertEqual(error { try client.application(id: "DEMO-0001") }, .serverError(status: 503, message: "模拟服务器故障 simulated server failure"))
        guard case .serverError(503, _) = error({ try client.report(report()) }) else { return XCTFail() }
        XCTAssertEqual(try client.status(applicationID: "DEMO-0001").state, .awaitingProduction)
    }

    func testHTTPLostResponseIsAppliedOnceWhenRepeated() throws {
        let (server, client, sim) = try ProvinceHTTPTests.served()
        defer { server.stop() }
        sim.faults.inject(.lostResponse, only: .report)
        guard case .outcomeUnknown = error({ try client.report(report("lost-1")) }) else { return XCTFail() }
        XCTAssertEqual(try client.status(applicationID: "DEMO-0001"),
                       ApplicationStatus(applicationID: "DEMO-0001", state: .inProduction, cardNumber: "SIM000001"), "the server committed")
        XCTAssertEqual(try client.report(report("lost-1")).state, .inProduction, "the repeat gets the stored answer")
        XCTAssertEqual(try sim.recordedReports(applicationID: "DEMO-0001").map(\.requestID), ["lost-1"])

        // Activation too.
        try client.report(CardManagementContract.report("lost-2", "DEMO-0001", .produced, card: 1))
        sim.faults.inject(.lostResponse, only: .activate)
        guard case .outcomeUnknown = error({ try client.activate(applicationID: "DEMO-0001", cardNumber: "SIM000001", requestID: "act-lost") }) else {
            return XCTFail()
        }
        try client.activate(applicationID: "DEMO-0001", cardNumber: "SIM000001", requestID: "act-lost")
        XCTAssertEqual(try client.status(applicationID: "DEMO-0001").state, .activated)
    }

    func testHTTPDelayPastTheClientsTimeoutIsOutcomeUnknownAndMayStillHappen() throws {
        let (server, client, sim) = try ProvinceHTTPTests.served(timeout: 0.2)
        defer { server.stop() }
        sim.faults.delayMilliseconds = 600
        guard case .outcomeUnknown = error({ try client.report(report()) }) else { return XCTFail() }
        sim.faults.delayMilliseconds = 0
        // The server carried it out after the client gave up.
        let deadline = Date().addingTimeInterval(5)
        while try sim.status(applicationID: "DEMO-0001").state != .inProduction && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        XCTAssertEqual(try sim.status(applicationID: "DEMO-0001").state, .inProduction)
        XCTAssertEqual(try client.report(report()).state, .inProduction)
        XCTAssertEqual(try sim.recordedReports(applicationID: "DEMO-0001").count, 1)
    }
}
