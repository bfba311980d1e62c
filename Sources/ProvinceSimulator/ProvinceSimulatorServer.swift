import Foundation
import SSCardDriver
import SSCardSimulator
import CardManagement
import Sockets
import Synchronization

/// Why the province simulator server could not start: the socket call and its errno.
public struct ProvinceServerError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The socket call that failed, with its errno.
    public var cause: SocketError

    public init(_ cause: SocketError) { self.cause = cause }

    /// The call, e.g. "bind 127.0.0.1:8735".
    public var call: String { cause.operation }
    /// Its errno.
    public var code: Int32 { cause.code }

    public var description: String {
        "省卡管模拟服务无法启动：\(call) 失败（\(cause.message)）。"
            + " The province simulator cannot start: \(call) failed: \(cause.message) (errno \(code))."
    }
}

/// The province simulator (`SimulatedCardManagementSystem`) over HTTP/1.1 with JSON, the
/// contract of docs/province-api.md (模拟省卡管服务). A small server over `Sockets`: one
/// thread per connection, `Content-Length` bodies, keep-alive. It plays the simulator's
/// `faults` on the wire:
///
/// - delay: waits before carrying out each request;
/// - `.unreachable` (counted): resets the connection (RST) after reading the request, without
///   carrying it out; `faults.isUnreachable`: closes the listening socket, so connections are
///   refused, and listens again when the switch is turned off;
/// - `.timeout`: holds the connection unanswered (nothing carried out) until the client gives up;
/// - `.serverError`: 503 with `{"code": "SIMULATED_FAULT", …}`, nothing carried out;
/// - `.lostResponse`: carries the request out (committed), then closes the connection unanswered.
///
/// It logs request lines and statuses through `onEvent`, never bodies (they carry secrets).
/// The routes are in ProvinceSimulatorServer+Routes.swift.
public final class ProvinceSimulatorServer: Sendable {
    /// What happened, for a console.
    public enum Event: Sendable {
        case listening(String)
        case stoppedListening
        /// A request: method, path, the status answered (nil: no answer, by a fault), the fault.
        case request(method: String, path: String, status: Int?, fault: CardManagementFault?)
    }

    public static let defaultPort: UInt16 = 8735

    public let system: SimulatedCardManagementSystem
    public let host: String
    /// The port asked for (0: any free one; read `port` after `start`).
    public let requestedPort: UInt16

    private struct State {
        var port: UInt16 = 0
        var started = false
        var onEvent: (@Sendable (Event) -> Void)?
    }

    private let state = Mutex(State())
    private let server = SocketServer(name: "province-sim")
    /// Turns of the unreachable switch, one at a time.
    private let switching = Mutex(())

    /// `host` must be an IPv4 address (127.0.0.1 by default: loopback only).
    public init(system: SimulatedCardManagementSystem, host: String = "127.0.0.1", port: UInt16 = ProvinceSimulatorServer.defaultPort) {
        self.system = system
        self.host = host
        self.requestedPort = port
    }

    deinit { stop() }

    /// Called for every event, on the connection's thread; set before `start`.
    public var onEvent: (@Sendable (Event) -> Void)? {
        get { state.withLock { $0.onEvent } }
        set { state.withLock { $0.onEvent = newValue } }
    }

    /// The port it listens on (after `start`).
    public var port: UInt16 { state.withLock { $0.port } }

    /// `http://host:port` (after `start`).
    public var baseURL: URL { URL(string: "http://\(host):\(port)")! }

    /// Binds, listens and serves until `stop()`. Starting twice is a programmer error (traps).
    public func start() throws(ProvinceServerError) {
        let listener = try listen(port: requestedPort)
        state.withLock { s in
            precondition(!s.started, "ProvinceSimulatorServer.start() called twice")
            s.started = true
            s.port = listener.port
        }
        system.faults.observe { [weak self] in self?.unreachableSwitchChanged() }
        switching.withLock { _ in
            if system.faults.isUnreachable {
                listener.close()
                emit(.stoppedListening)
            } else {
                serve(listener)
            }
        }
    }

    /// Stops listening, closes every connection and waits for the threads to end.
    public func stop() {
        let wasListening = server.isListening
        server.stop()
        if wasListening { emit(.stoppedListening) }
    }

    private func listen(port: UInt16) throws(ProvinceServerError) -> SocketListener {
        do {
            return try SocketListener(host: host, port: port)
        } catch {
            throw ProvinceServerError(error)
        }
    }

    private func serve(_ listener: SocketListener) {
        emit(.listening("\(host):\(listener.port)"))
        server.serve(listener) { [self] connection, _ in serve(connection) }
    }

    /// The unreachable switch: close the listener when on, listen again on the same port when off.
    private func unreachableSwitchChanged() {
        switching.withLock { _ in
            guard server.isRunning else { return }
            let unreachable = system.faults.isUnreachable
            if unreachable && server.isListening {
                server.stopListening()
                emit(.stoppedListening)
            } else if !unreachable && !server.isListening {
                guard let listener = try? listen(port: port) else { return }
                serve(listener)
            }
        }
    }

    // MARK: A connection

    /// Reads requests and answers them, keep-alive, until the client leaves, a fault ends the
    /// connection or the server stops.
    private func serve(_ connection: StreamSocket) {
        let reader = ProvinceHTTPReader(connection: connection)
        while server.isRunning {
            let request: ProvinceHTTPMessage
            do {
                // An idle keep-alive connection is closed after 60 s.
                request = try reader.readMessage(deadline: .now + .seconds(60))
            } catch {
                if case .malformed(let why) = error {
                    send(Self.answer(400, ProvinceAPI.ErrorBody(code: "BAD_REQUEST", message: why), close: true), on: connection)
                }
                return
            }
            let parts = request.startLine.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            guard parts.count == 3, parts[2].hasPrefix("HTTP/1.") else {
                send(Self.answer(400, ProvinceAPI.ErrorBody(code: "BAD_REQUEST", message: "bad request line"), close: true), on: connection)
                return
            }
            let method = parts[0], path = parts[1]
            let wantsClose = request.header("Connection")?.lowercased() == "close"
            guard let route = Route(method: method, path: path) else {
                let reply = Self.answer(404, ProvinceAPI.ErrorBody(code: "NOT_FOUND", message: "没有此接口 no such endpoint: \(method) \(path)"),
                                        close: wantsClose)
                emit(.request(method: method, path: path, status: 404, fault: nil))
                guard send(reply, on: connection), !wantsClose else { return }
                continue
            }
            let (delay, fault) = system.faults.take(for: route.operation)
            CardManagementFaults.pause(delay)
            switch fault {
            case .unreachable:
                emit(.request(method: method, path: path, status: nil, fault: fault))
                connection.reset()
                return
            case .timeout:
                emit(.request(method: method, path: path, status: nil, fault: fault))
                holdUntilClientLeaves(connection)
                return
            case .serverError:
                emit(.request(method: method, path: path, status: 503, fault: fault))
                let reply = Self.answer(503, ProvinceAPI.ErrorBody(code: "SIMULATED_FAULT", message: "模拟服务器故障 simulated server failure"),
                                        close: wantsClose)
                guard send(reply, on: connection), !wantsClose else { return }
                continue
            case .lostResponse:
                let (status, _) = handle(route, request)
                emit(.request(method: method, path: path, status: status, fault: fault))
                connection.shutdown()
                return
            case nil:
                let (status, body) = handle(route, request)
                emit(.request(method: method, path: path, status: status, fault: nil))
                let reply = ProvinceHTTPMessage(
                    startLine: "HTTP/1.1 \(status) \(Self.reason(status))",
                    headers: [("Content-Type", "application/json; charset=utf-8"), ("Connection", wantsClose ? "close" : "keep-alive")],
                    body: body)
                guard send(reply, on: connection), !wantsClose else { return }
            }
        }
    }

    /// False when the client is gone.
    @discardableResult
    private func send(_ message: ProvinceHTTPMessage, on connection: StreamSocket) -> Bool {
        (try? connection.sendAll(message.wireBytes)) != nil
    }

    /// A timeout fault: say nothing until the client closes the connection or the server stops
    /// (which shuts the connection down).
    private func holdUntilClientLeaves(_ connection: StreamSocket) {
        while let unread = try? connection.receive(), !unread.isEmpty {}
    }

    private func emit(_ event: Event) {
        state.withLock { $0.onEvent }?(event)
    }
}
