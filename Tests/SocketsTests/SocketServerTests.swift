import Foundation
import Glibc
import Synchronization
import XCTest
@testable import Sockets

/// The one accept loop: a thread per connection, the stop switch, and a listener closed and
/// opened again on the same port.
final class SocketServerTests: XCTestCase {
    /// Echoes what it reads until the peer closes; counts the handlers that ended.
    private func echo(_ ended: Counter) -> SocketServer.Handler {
        { connection, _ in
            while let chunk = try? connection.receive(), !chunk.isEmpty {
                guard (try? connection.sendAll(chunk)) != nil else { break }
            }
            ended.add()
        }
    }

    func testEachConnectionIsServedOnItsOwnThreadAndStopEndsThem() throws {
        let ended = Counter()
        let server = SocketServer(name: "echo")
        let listener = try SocketListener(port: 0)
        server.serve(listener, handler: echo(ended))
        XCTAssertTrue(server.isListening)

        // Three clients at once: each is answered while the others stay open.
        let clients = try (0..<3).map { _ in try StreamSocket.connect(to: listener.address, deadline: .now + .seconds(2)) }
        for (i, client) in clients.enumerated().reversed() {
            try client.sendAll([UInt8(i)], deadline: .now + .seconds(2))
            XCTAssertEqual(try client.receive(deadline: .now + .seconds(2)), [UInt8(i)])
        }
        server.stop()
        XCTAssertEqual(ended.value, 3, "stop() waits for every handler")
        XCTAssertFalse(server.isRunning)
        XCTAssertFalse(server.isListening)
        for client in clients { XCTAssertEqual(try client.receive(deadline: .now + .seconds(2)), []) }
        XCTAssertThrowsError(try StreamSocket.connect(to: listener.address, deadline: .now + .seconds(2))) {
            XCTAssertEqual(($0 as? SocketError)?.code, ECONNREFUSED)
        }
    }

    func testConnectionsOverTheCapAreAnsweredAndClosedWithoutAThread() throws {
        let ended = Counter()
        let server = SocketServer(name: "capped", maxConnections: 2)
        defer { server.stop() }
        let listener = try SocketListener(port: 0)
        server.serve(listener, overCapacity: { try? $0.sendAll(Array("busy".utf8)) }, handler: echo(ended))
        let served = try (0..<2).map { _ in try StreamSocket.connect(to: listener.address, deadline: .now + .seconds(2)) }
        for client in served {
            try client.sendAll([1], deadline: .now + .seconds(2))
            XCTAssertEqual(try client.receive(deadline: .now + .seconds(2)), [1])
        }
        XCTAssertEqual(server.connectionCount, 2)
        let refused = try StreamSocket.connect(to: listener.address, deadline: .now + .seconds(2))
        XCTAssertEqual(try refused.receive(deadline: .now + .seconds(2)), Array("busy".utf8))
        XCTAssertEqual(try refused.receive(deadline: .now + .seconds(2)), [], "closed after the answer")
        XCTAssertEqual(server.connectionCount, 2)
        XCTAssertEqual(ended.value, 0, "no handler ran for it")
    }

    func testConnectionIDsCountFromOne() throws {
        let ids = Mutex<[Int]>([])
        let server = SocketServer(name: "ids")
        defer { server.stop() }
        let listener = try SocketListener(port: 0)
        server.serve(listener) { connection, id in
            ids.withLock { $0.append(id) }
            try? connection.sendAll([UInt8(id)])
        }
        for expected in 1...3 {
            let client = try StreamSocket.connect(to: listener.address, deadline: .now + .seconds(2))
            XCTAssertEqual(try client.receive(deadline: .now + .seconds(2)), [UInt8(expected)])
            XCTAssertEqual(try client.receive(deadline: .now + .seconds(2)), [], "closed when the handler returns")
        }
        XCTAssertEqual(ids.withLock { $0 }, [1, 2, 3])
    }

    func testStopListeningFreesThePortAndTheServerListensAgain() throws {
        let ended = Counter()
        let server = SocketServer(name: "again")
        defer { server.stop() }
        let listener = try SocketListener(port: 0)
        let port = listener.port
        server.serve(listener, handler: echo(ended))
        let early = try StreamSocket.connect(to: listener.address, deadline: .now + .seconds(2))
        try early.sendAll([1])
        XCTAssertEqual(try early.receive(deadline: .now + .seconds(2)), [1], "accepted and served")

        server.stopListening()
        XCTAssertFalse(server.isListening)
        XCTAssertThrowsError(try StreamSocket.connect(to: .loopback(port: port), deadline: .now + .seconds(2))) {
            XCTAssertEqual(($0 as? SocketError)?.code, ECONNREFUSED)
        }
        try early.sendAll([42])
        XCTAssertEqual(try early.receive(deadline: .now + .seconds(2)), [42], "open connections go on")

        server.serve(try SocketListener(port: port), handler: echo(ended))
        let late = try StreamSocket.connect(to: .loopback(port: port), deadline: .now + .seconds(2))
        try late.sendAll([7])
        XCTAssertEqual(try late.receive(deadline: .now + .seconds(2)), [7])
    }

    func testServingAfterStopClosesTheListener() throws {
        let server = SocketServer(name: "late")
        server.stop()
        let listener = try SocketListener(port: 0)
        server.serve(listener) { _, _ in XCTFail("served after stop") }
        XCTAssertThrowsError(try StreamSocket.connect(to: listener.address, deadline: .now + .seconds(2)))
    }
}

/// A count handlers add to from their threads.
final class Counter: Sendable {
    private let count = Mutex(0)
    func add() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
