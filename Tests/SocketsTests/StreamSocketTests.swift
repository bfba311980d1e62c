import Foundation
import Glibc
import XCTest
@testable import Sockets

/// `StreamSocket` and `SocketListener` over real loopback and Unix sockets: errno kept as a
/// value, deadlines, large sends, resets, and EINTR retried.
final class StreamSocketTests: XCTestCase {
    /// A listener on a free loopback port, a client connected to it, and the accepted end.
    private func connectedPair() throws -> (listener: SocketListener, client: StreamSocket, server: StreamSocket) {
        let listener = try SocketListener(port: 0)
        let client = try StreamSocket.connect(to: listener.address, deadline: .now + .seconds(5))
        return (listener, client, try listener.accept())
    }

    func testConnectingToAClosedPortKeepsECONNREFUSED() throws {
        let listener = try SocketListener(port: 0)
        let port = listener.port
        listener.close()
        do {
            _ = try StreamSocket.connect(to: .loopback(port: port), deadline: .now + .seconds(5))
            XCTFail("connected to a closed port")
        } catch {
            XCTAssertEqual(error.code, ECONNREFUSED)
            XCTAssertEqual(error.domain, .posix)
            XCTAssertEqual(error.operation, "connect to 127.0.0.1:\(port)")
            XCTAssertEqual(error.description, "connect to 127.0.0.1:\(port): Connection refused (errno \(ECONNREFUSED))")
            switch error {
            case ECONNREFUSED: break
            default: XCTFail("\(error) does not match ECONNREFUSED")
            }
            XCTAssertFalse(error.isTimeout)
        }
    }

    func testAListenerOnPortZeroReportsItsPortAndAccepts() throws {
        let (listener, client, server) = try connectedPair()
        XCTAssertNotEqual(listener.port, 0)
        XCTAssertEqual(listener.address.description, "127.0.0.1:\(listener.port)")
        XCTAssertEqual(listener.address.host, "127.0.0.1")
        try client.sendAll(Array("hello".utf8), deadline: .now + .seconds(2))
        XCTAssertEqual(try server.receive(exactly: 5, deadline: .now + .seconds(2)), Array("hello".utf8))
        try server.sendAll(Array("bye".utf8))
        server.close()
        XCTAssertFalse(server.isOpen)
        XCTAssertEqual(try client.receive(exactly: 3, deadline: .now + .seconds(2)), Array("bye".utf8))
        XCTAssertEqual(try client.receive(deadline: .now + .seconds(2)), [], "closed by the peer")
        XCTAssertNil(try client.receive(exactly: 1, deadline: .now + .seconds(2)))
    }

    func testAReceiveGivesUpAtItsDeadline() throws {
        let (listener, client, server) = try connectedPair()
        defer { withExtendedLifetime((listener, server)) {} }
        let started = ContinuousClock.now
        XCTAssertThrowsError(try client.receive(deadline: .now + .milliseconds(200))) { error in
            XCTAssertTrue((error as? SocketError)?.isTimeout == true, "\(error)")
        }
        let elapsed = ContinuousClock.now - started
        XCTAssertGreaterThanOrEqual(elapsed, .milliseconds(190))
        XCTAssertLessThan(elapsed, .seconds(2))
        // A deadline already passed takes only what is there.
        XCTAssertThrowsError(try client.receive(deadline: .now))
    }

    func testSendAllOfALargeBuffer() throws {
        let (listener, client, server) = try connectedPair()
        defer { withExtendedLifetime(listener) {} }
        let bytes = (0..<(4 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) }
        let received = Handoff()
        let reader = Thread {
            var all: [UInt8] = []
            while let chunk = try? server.receive(deadline: .now + .seconds(10)), !chunk.isEmpty { all += chunk }
            received.set(all)
        }
        reader.start()
        try client.sendAll(bytes, deadline: .now + .seconds(20))
        client.shutdown(.write)
        XCTAssertTrue(received.wait(seconds: 20))
        XCTAssertEqual(received.value.count, bytes.count)
        XCTAssertTrue(received.value == bytes)
    }

    func testSendAllStopsAtItsDeadlineAndCountsWhatLeft() throws {
        let (listener, client, server) = try connectedPair()
        defer { withExtendedLifetime((listener, server)) {} }
        let bytes = [UInt8](repeating: 0x5A, count: 64 << 20)
        var sent = 0
        XCTAssertThrowsError(try client.sendAll(bytes, deadline: .now + .milliseconds(300), sent: &sent)) { error in
            XCTAssertTrue((error as? SocketError)?.isTimeout == true, "\(error)")
        }
        XCTAssertGreaterThan(sent, 0)
        XCTAssertLessThan(sent, bytes.count)
    }

    func testConnectGivesUpAtItsDeadlineWhenNobodyAnswers() throws {
        // A listener that never accepts: once its queue is full the kernel drops the SYNs.
        let listener = try SocketListener(address: .loopback(port: 0), backlog: 0)
        var held: [StreamSocket] = []
        for _ in 0..<16 {
            let started = ContinuousClock.now
            do {
                held.append(try StreamSocket.connect(to: listener.address, deadline: .now + .milliseconds(300)))
            } catch {
                XCTAssertTrue(error.isTimeout, "\(error)")
                XCTAssertEqual(error.operation, "connect to \(listener.address)")
                XCTAssertGreaterThanOrEqual(ContinuousClock.now - started, .milliseconds(290))
                return
            }
        }
        XCTFail("every connection went through")
    }

    func testAUnixSocketRoundTripReplacesAStaleFileAndRemovesItsOwn() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sockets-\(getpid())-\(UInt32.random(in: 0...99999)).sock").path
        _ = FileManager.default.createFile(atPath: path, contents: Data("stale".utf8))
        let listener = try SocketListener(address: .unix(path))
        XCTAssertEqual(listener.address.description, "unix:\(path)")
        XCTAssertEqual(listener.port, 0)
        let client = try StreamSocket.connect(to: .unix(path), deadline: .now + .seconds(2))
        let server = try listener.accept()
        try client.sendAll([1, 2, 3])
        XCTAssertEqual(try server.receive(exactly: 3, deadline: .now + .seconds(2)), [1, 2, 3])
        try server.sendAll([4])
        XCTAssertEqual(try client.receive(deadline: .now + .seconds(2)), [4])
        listener.close()
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
        XCTAssertThrowsError(try StreamSocket.connect(to: .unix(path))) { error in
            XCTAssertEqual((error as? SocketError)?.code, ENOENT)
        }
    }

    func testResetMakesThePeerSeeECONNRESET() throws {
        let (listener, client, server) = try connectedPair()
        defer { withExtendedLifetime(listener) {} }
        try client.sendAll(Array("request".utf8))
        _ = try server.receive(exactly: 7, deadline: .now + .seconds(2))
        server.reset()
        XCTAssertFalse(server.isOpen)
        XCTAssertThrowsError(try client.receive(deadline: .now + .seconds(2))) { error in
            XCTAssertEqual((error as? SocketError)?.code, ECONNRESET, "\(error)")
            XCTAssertTrue((error as? SocketError)?.isConnectionLost == true)
        }
    }

    func testShutdownWakesAReceiveBlockedInAnotherThread() throws {
        let (listener, client, server) = try connectedPair()
        defer { withExtendedLifetime((listener, server)) {} }
        let result = Handoff()
        Thread { received(into: result) { try client.receive() } }.start()
        Thread.sleep(forTimeInterval: 0.1)
        client.shutdown()
        XCTAssertTrue(result.wait(seconds: 5))
        XCTAssertEqual(result.value, [], "a shut-down socket reads as closed")
        client.close()
        XCTAssertThrowsError(try client.receive()) { XCTAssertEqual(($0 as? SocketError)?.code, EBADF) }
        client.shutdown()  // no effect once closed
    }

    func testAddressesThatAreNotAndNamesThatDoNotResolve() {
        XCTAssertThrowsError(try SocketAddress.ipv4("localhost", port: 1)) { XCTAssertEqual(($0 as? SocketError)?.code, EINVAL) }
        XCTAssertThrowsError(try SocketAddress.unix(String(repeating: "x", count: 200))) {
            XCTAssertEqual(($0 as? SocketError)?.code, ENAMETOOLONG)
        }
        XCTAssertThrowsError(try StreamSocket.connect(host: "no-such-host.invalid", port: 1, deadline: .now + .seconds(5))) { error in
            XCTAssertEqual((error as? SocketError)?.operation, "getaddrinfo no-such-host.invalid", "\(error)")
        }
        XCTAssertEqual(try SocketAddress.resolve(host: "127.0.0.1", port: 80), [.loopback(port: 80)])
        XCTAssertEqual(try SocketAddress.ipv4("10.1.2.3", port: 443).description, "10.1.2.3:443")
    }

    /// A signal without SA_RESTART makes a blocked `recv` and `poll` fail with EINTR; the
    /// wrappers call them again and the data still arrives.
    func testInterruptedCallsAreRepeated() throws {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in }
        action.sa_flags = 0
        sigemptyset(&action.sa_mask)
        var previous = sigaction()
        XCTAssertEqual(sigaction(SIGUSR2, &action, &previous), 0)
        defer { sigaction(SIGUSR2, &previous, nil) }

        for deadline in [nil, ContinuousClock.now + .seconds(10)] {
            let (listener, client, server) = try connectedPair()
        defer { withExtendedLifetime(listener) {} }
            let thread = Handoff()
            let result = Handoff()
            Thread {
                thread.setThread(pthread_self())
                received(into: result) { try client.receive(exactly: 4, deadline: deadline) ?? [] }
            }.start()
            let reader = try XCTUnwrap(thread.waitForThread())
            for _ in 0..<5 {
                Thread.sleep(forTimeInterval: 0.02)
                XCTAssertEqual(pthread_kill(reader, SIGUSR2), 0)
            }
            XCTAssertFalse(result.isSet, "the receive ended on a signal")
            try server.sendAll([9, 8, 7, 6])
            XCTAssertTrue(result.wait(seconds: 5))
            XCTAssertEqual(result.value, [9, 8, 7, 6], "deadline \(String(describing: deadline))")
        }
    }
}

/// Runs `body` and stores what it returned (or [0xEE] for an error) in `box`.
private func received(into box: Handoff, _ body: () throws -> [UInt8]) {
    box.set((try? body()) ?? [0xEE])
}

/// A value handed from a helper thread to the test, with a wait.
final class Handoff: @unchecked Sendable {
    // @unchecked Sendable: every property is touched only while holding `condition`.
    private let condition = NSCondition()
    private var bytes: [UInt8]?
    private var thread: pthread_t?

    func set(_ value: [UInt8]) { condition.withLock { bytes = value; condition.broadcast() } }
    var isSet: Bool { condition.withLock { bytes != nil } }
    var value: [UInt8] { condition.withLock { bytes ?? [] } }

    func wait(seconds: Double) -> Bool {
        let until = Date(timeIntervalSinceNow: seconds)
        return condition.withLock {
            while bytes == nil { if !condition.wait(until: until) { return bytes != nil } }
            return true
        }
    }

    func setThread(_ t: pthread_t) { condition.withLock { thread = t; condition.broadcast() } }

    func waitForThread() -> pthread_t? {
        let until = Date(timeIntervalSinceNow: 5)
        return condition.withLock {
            while thread == nil { if !condition.wait(until: until) { break } }
            return thread
        }
    }
}
