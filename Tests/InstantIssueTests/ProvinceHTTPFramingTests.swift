import Foundation
import Glibc
import XCTest
import Sockets
import SSCardDriver
@testable import CardManagement
@testable import ProvinceSimulator

/// The province server's HTTP framing is strict (no request smuggling, no header tricks) and
/// bounded (connections, body size, idle time); the client reads chunked answers.
final class ProvinceHTTPFramingTests: XCTestCase {
    override class func tearDown() {
        ProvinceLinkTestDesk.removeFiles()
        super.tearDown()
    }

    private func served(limits: ProvinceSimulatorServer.Limits = .init()) throws -> (ProvinceSimulatorServer, SimulatedCardManagementSystem) {
        let (server, _, sim) = try ProvinceHTTPTests.served(limits: limits)
        addTeardownBlock { server.stop() }
        return (server, sim)
    }

    private func assertBadRequest(_ server: ProvinceSimulatorServer, _ text: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let answer = try ProvinceHTTPTests.exchange(server, text)
        XCTAssertTrue(answer.hasPrefix("HTTP/1.1 400 "), "\(text.debugDescription) → \(answer)", file: file, line: line)
        XCTAssertTrue(answer.contains("\"code\":\"BAD_REQUEST\""), answer, file: file, line: line)
        XCTAssertEqual(answer.components(separatedBy: "HTTP/1.1 ").count, 2, "one answer, then the connection is closed: \(answer)",
                       file: file, line: line)
    }

    // MARK: Framing attacks → 400

    func testDuplicateContentLengthIs400AndNothingHidesInTheBody() throws {
        let (server, sim) = try served()
        let hidden = try ProvinceLinkTestDesk.signedRequest(sim, "GET", "/v1/applications/DEMO-0001/status")
        try assertBadRequest(server, "POST /v1/reports HTTP/1.1\r\nContent-Length: 0\r\nContent-Length: \(hidden.utf8.count)\r\n\r\n\(hidden)")
        try assertBadRequest(server, "POST /v1/reports HTTP/1.1\r\nContent-Length: 2\r\ncontent-length: 2\r\n\r\n{}")
        try assertBadRequest(server, "POST /v1/reports HTTP/1.1\r\nContent-Length: 2, 2\r\n\r\n{}")
    }

    func testNonDigitContentLengthIs400() throws {
        let (server, _) = try served()
        for value in ["+2", "-1", "0x2", "2a", "", "1e3", "99999999999999999999"] {
            try assertBadRequest(server, "POST /v1/reports HTTP/1.1\r\nContent-Length: \(value)\r\n\r\n{}")
        }
    }

    func testTransferEncodingInARequestIs400() throws {
        let (server, _) = try served()
        try assertBadRequest(server, "POST /v1/reports HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
        try assertBadRequest(server, "POST /v1/reports HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n")
    }

    func testObsFoldAndBadHeaderLinesAre400() throws {
        let (server, _) = try served()
        try assertBadRequest(server, "GET /v1/applications/DEMO-0001 HTTP/1.1\r\nX-Desk-ID: SSDESK000001\r\n folded\r\n\r\n")
        try assertBadRequest(server, "GET /v1/applications/DEMO-0001 HTTP/1.1\r\nX-Desk-ID: a\r\n\tfolded\r\n\r\n")
        try assertBadRequest(server, "GET /v1/applications/DEMO-0001 HTTP/1.1\r\nContent-Length : 0\r\n\r\n")
        try assertBadRequest(server, "GET /v1/applications/DEMO-0001 HTTP/1.1\r\nNo colon here\r\n\r\n")
        try assertBadRequest(server, "GET /v1/applications/DEMO-0001 HTTP/1.1\r\nX-A: 1\nX-B: 2\r\n\r\n")
        try assertBadRequest(server, "GET /v1/applications/DEMO-0001 HTTP/1.1\r\nX-A: 1\r2\r\n\r\n")
        try assertBadRequest(server, "GET /v1/applications/DEMO-0001 HTTP/1.1\r\nX-A: \u{0}\r\n\r\n")
    }

    func testBadRequestLinesAre400() throws {
        let (server, _) = try served()
        for line in ["GET  /v1/applications/DEMO-0001 HTTP/1.1", "GET /v1/applications/DEMO-0001  HTTP/1.1",
                     "GET /v1/applications/DEMO-0001 HTTP/2.0", "GET v1/applications HTTP/1.1", "G(T / HTTP/1.1",
                     "GET /v1/applications/DEMO-0001", "GET /v1/a b HTTP/1.1", "GET http://x/v1 HTTP/1.1", " GET / HTTP/1.1"] {
            try assertBadRequest(server, line + "\r\nConnection: close\r\n\r\n")
        }
    }

    // MARK: Limits

    func testTheDefaultLimits() {
        let limits = ProvinceSimulatorServer.Limits()
        XCTAssertEqual(limits.maxConnections, 64)
        XCTAssertEqual(limits.maxBodyBytes, 1024 * 1024)
        XCTAssertEqual(limits.idleTimeout, .seconds(30))
    }

    func testAnOversizedBodyIs413() throws {
        let (server, sim) = try served(limits: .init(maxBodyBytes: 1024))
        let answer = try ProvinceHTTPTests.exchange(server, "POST /v1/reports HTTP/1.1\r\nContent-Length: 1025\r\n\r\n")
        XCTAssertTrue(answer.hasPrefix("HTTP/1.1 413 ") && answer.contains("TOO_LARGE"), answer)
        // At the limit it is read (and then judged on its signature and content).
        let body = String(repeating: " ", count: 1000) + "{}"
        let atLimit = try ProvinceHTTPTests.exchange(server, try ProvinceLinkTestDesk.signedRequest(
            sim, "POST", "/v1/one-person-one-card", headers: ["Connection: close"], body: body))
        XCTAssertTrue(atLimit.hasPrefix("HTTP/1.1 422 "), atLimit)
        // The default: 1 MiB.
        let (defaults, _) = try served()
        let big = try ProvinceHTTPTests.exchange(defaults, "POST /v1/reports HTTP/1.1\r\nContent-Length: \(1024 * 1024 + 1)\r\n\r\n")
        XCTAssertTrue(big.hasPrefix("HTTP/1.1 413 "), big)
    }

    func testConnectionsOverTheCapGet503AndAreClosed() throws {
        let (server, sim) = try served(limits: .init(maxConnections: 3))
        var held: [StreamSocket] = []
        defer { held.forEach { $0.close() } }
        for _ in 0..<3 { held.append(try StreamSocket.connect(to: .loopback(port: server.port), deadline: .now + .seconds(5))) }
        // Every one of them is being served (each has a thread) before the next knocks.
        let deadline = Date().addingTimeInterval(5)
        while server.connectionCount < 3 && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        XCTAssertEqual(server.connectionCount, 3)

        let extra = try StreamSocket.connect(to: .loopback(port: server.port), deadline: .now + .seconds(5))
        defer { extra.close() }
        var answer: [UInt8] = []
        while let chunk = try? extra.receive(deadline: .now + .seconds(5)), !chunk.isEmpty { answer += chunk }
        let text = String(decoding: answer, as: UTF8.self)
        XCTAssertTrue(text.hasPrefix("HTTP/1.1 503 ") && text.contains("SERVER_BUSY"), text)
        XCTAssertEqual(server.connectionCount, 3, "the refused one never had a thread")

        // One leaves: the next is served.
        held.removeFirst().close()
        let leftDeadline = Date().addingTimeInterval(5)
        while server.connectionCount > 2 && Date() < leftDeadline { Thread.sleep(forTimeInterval: 0.01) }
        let served = try ProvinceHTTPTests.exchange(server, try ProvinceLinkTestDesk.signedRequest(
            sim, "GET", "/v1/applications/DEMO-0001/status", headers: ["Connection: close"]))
        XCTAssertTrue(served.hasPrefix("HTTP/1.1 200 "), served)
    }

    func testAnIdleConnectionIsClosed() throws {
        let (server, sim) = try served(limits: .init(idleTimeout: .milliseconds(300)))
        // Nothing sent.
        let idle = try StreamSocket.connect(to: .loopback(port: server.port), deadline: .now + .seconds(5))
        defer { idle.close() }
        let start = ContinuousClock.now
        XCTAssertEqual(try idle.receive(deadline: .now + .seconds(5)), [], "closed by the server")
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(3))
        // Half a request, then silence (slowloris).
        let slow = try StreamSocket.connect(to: .loopback(port: server.port), deadline: .now + .seconds(5))
        defer { slow.close() }
        try slow.sendAll(Array("GET /v1/applications/DEMO-0001/status HTTP/1.1\r\nX-Desk-ID: SS".utf8), deadline: .now + .seconds(1))
        XCTAssertEqual(try slow.receive(deadline: .now + .seconds(5)), [])
        // Keep-alive between requests closer together than the timeout goes on.
        let busy = try StreamSocket.connect(to: .loopback(port: server.port), deadline: .now + .seconds(5))
        defer { busy.close() }
        let reader = ProvinceHTTPReader(stream: busy, kind: .response)
        for _ in 0..<3 {
            try busy.sendAll(Array(try ProvinceLinkTestDesk.signedRequest(sim, "GET", "/v1/applications/DEMO-0001/status").utf8),
                             deadline: .now + .seconds(1))
            XCTAssertTrue(try reader.readMessage(deadline: .now + .seconds(5)).startLine.hasPrefix("HTTP/1.1 200"))
            Thread.sleep(forTimeInterval: 0.1)
        }
    }

    // MARK: The reader

    /// Bytes handed out in the pieces given.
    final class ScriptedStream: ProvinceByteStream {
        var pieces: [[UInt8]]
        init(_ pieces: [String]) { self.pieces = pieces.map { Array($0.utf8) } }
        func receive(maxCount: Int, deadline: ContinuousClock.Instant?) throws(SocketError) -> [UInt8] {
            pieces.isEmpty ? [] : pieces.removeFirst()
        }
        func sendAll(_ bytes: [UInt8], deadline: ContinuousClock.Instant?, sent: inout Int) throws(SocketError) { sent = bytes.count }
        func close() {}
    }

    private func readAnswer(_ pieces: String...) throws(ProvinceHTTPReadError) -> ProvinceHTTPMessage {
        try ProvinceHTTPReader(stream: ScriptedStream(pieces), kind: .response).readMessage(deadline: nil)
    }

    func testAChunkedAnswerIsRead() throws {
        let answer = try readAnswer("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"a\":\r\n",
                                    "4;ext=1\r\n\"b\"}\r\n", "0\r\nX-Trailer: t\r\n\r\n")
        XCTAssertEqual(String(decoding: answer.body, as: UTF8.self), #"{"a":"b"}"#)
        let split = try readAnswer("HTTP/1.1 200 OK\r\ntransfer-encoding: Chunked\r\n\r\n", "1", "0\r\n0123456789ABCDEF", "\r\n0\r\n\r\n")
        XCTAssertEqual(String(decoding: split.body, as: UTF8.self), "0123456789ABCDEF")
        // Malformed chunks and framings.
        for pieces in [["HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"],
                       ["HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n"],
                       ["HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n"],
                       ["HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"],
                       ["HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx"],
                       ["HTTP/1.1 2000 OK\r\n\r\n"]] {
            XCTAssertThrowsError(try ProvinceHTTPReader(stream: ScriptedStream(pieces), kind: .response).readMessage(deadline: nil)) { error in
                guard case .malformed = error as? ProvinceHTTPReadError else { return XCTFail("\(pieces): \(error)") }
            }
        }
        // A chunked body over the limit.
        XCTAssertThrowsError(try ProvinceHTTPReader(stream: ScriptedStream(["HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n"]),
                                                    kind: .response, maximumBodyBytes: 8).readMessage(deadline: nil)) { error in
            guard case .tooLarge(8) = error as? ProvinceHTTPReadError else { return XCTFail("\(error)") }
        }
    }

    func testTheClientAcceptsAChunkedAnswer() throws {
        // A province (or a proxy) that answers in chunks.
        let listener = try SocketListener(port: 0)
        let body = #"{"applicationID":"DEMO-0001","state":"produced","cardNumber":"SIM000001"}"#
        let served = Thread {
            guard let connection = try? listener.accept() else { return }
            let reader = ProvinceHTTPReader(stream: connection, kind: .request)
            guard (try? reader.readMessage(deadline: .now + .seconds(5))) != nil else { return }
            let first = String(body.prefix(20)), rest = String(body.dropFirst(20))
            let text = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                + String(first.utf8.count, radix: 16) + "\r\n" + first + "\r\n"
                + String(rest.utf8.count, radix: 16) + "\r\n" + rest + "\r\n0\r\n\r\n"
            try? connection.sendAll(Array(text.utf8), deadline: .now + .seconds(5))
            connection.close()
        }
        served.start()
        defer { listener.close() }
        let client = CardManagementHTTPClient(baseURL: URL(string: "http://127.0.0.1:\(listener.port)")!, timeout: 5)
        XCTAssertEqual(try client.status(applicationID: "DEMO-0001"),
                       ApplicationStatus(applicationID: "DEMO-0001", state: .produced, cardNumber: "SIM000001"))
    }
}
