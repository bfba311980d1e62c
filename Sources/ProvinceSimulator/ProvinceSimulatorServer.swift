import Foundation
import SSCardDriver
import SSCardSimulator
import CardManagement
import Sockets
import Synchronization

/// Why the province simulator server could not start: the socket call and its errno, or a
/// refusal of its own (plain HTTP on an address other than loopback).
public struct ProvinceServerError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The socket call that failed, with its errno.
    public var cause: SocketError
    /// Set when the server refused to start by itself.
    public var refusal: String?

    public init(_ cause: SocketError) { self.cause = cause }

    /// Plain HTTP is served on 127.0.0.0/8 only.
    static func plainHTTP(host: String) -> ProvinceServerError {
        var error = ProvinceServerError(SocketError("listen on \(host) over plain HTTP", code: EACCES))
        error.refusal = "明文 HTTP 只在 127.0.0.0/8 上提供；在 \(host) 上监听须配置 TLS。"
            + " Plain HTTP is served on 127.0.0.0/8 only; listening on \(host) needs TLS (a certificate and key)."
        return error
    }

    /// The call, e.g. "bind 127.0.0.1:8735".
    public var call: String { cause.operation }
    /// Its errno.
    public var code: Int32 { cause.code }

    public var description: String {
        if let refusal { return refusal }
        return "省卡管模拟服务无法启动：\(call) 失败（\(cause.message)）。"
            + " The province simulator cannot start: \(call) failed: \(cause.message) (errno \(code))."
    }
}

/// The province simulator (`SimulatedCardManagementSystem`) over HTTP/1.1 with JSON, the
/// contract of docs/province-api.md (模拟省卡管服务). A small server over `Sockets`:
/// one thread per connection up to `Limits.maxConnections`, `Content-Length` bodies,
/// keep-alive. The link as a province needs it (docs/province-api.md §4):
///
/// - TLS 1.2+ with `tls` (a certificate and key); plain HTTP only on 127.0.0.0/8;
/// - every request signed by a registered desk (`ProvinceRequestSigning`): unsigned, wrongly
///   signed, stale or replayed requests get 401 and are not carried out;
/// - strict framing (`ProvinceHTTPReader`): a malformed request gets 400 and the connection is
///   closed; a body over `Limits.maxBodyBytes` gets 413; an idle connection is closed after
///   `Limits.idleTimeout`; a connection over the cap gets 503 (plain HTTP) or is closed (TLS).
///
/// It plays the simulator's `faults` on the wire:
///
/// - delay: waits before carrying out each request;
/// - `.unreachable` (counted): resets the connection (RST) after reading the request, without
///   carrying it out; `faults.isUnreachable`: closes the listening socket, so connections are
///   refused, and listens again when the switch is turned off;
/// - `.timeout`: holds the connection unanswered (nothing carried out) until the client gives up;
/// - `.serverError`: 503 with `{"code": "SIMULATED_FAULT", …}`, nothing carried out;
/// - `.lostResponse`: carries the request out (committed), then closes the connection unanswered.
///
/// It logs request lines and statuses through `onEvent`, never bodies (they carry secrets) nor
/// signatures. The routes are in ProvinceSimulatorServer+Routes.swift.
public final class ProvinceSimulatorServer: Sendable {
    /// What happened, for a console.
    public enum Event: Sendable {
        case listening(String)
        case stoppedListening
        /// A request: method, path, the status answered (nil: no answer, by a fault), the fault.
        case request(method: String, path: String, status: Int?, fault: CardManagementFault?)
        /// A connection that did not get as far as a request: a failed TLS handshake, a
        /// connection over the cap.
        case connectionRefused(String)
    }

    /// The certificate and key the server presents over TLS.
    public struct TLSIdentity: Sendable {
        let context: TLSContext
        public let certificateFile: String
        public let keyFile: String

        /// `certificateFile`: PEM, the server's certificate then any intermediates; `keyFile`: its PEM key.
        public init(certificateFile: String, keyFile: String) throws(TLSError) {
            context = try TLSContext.server(certificateFile: certificateFile, keyFile: keyFile)
            self.certificateFile = certificateFile
            self.keyFile = keyFile
        }
    }

    /// How much the server takes on; past it, it refuses.
    public struct Limits: Sendable {
        /// Connections served at once (a thread each); more get 503 and are closed.
        public var maxConnections: Int
        /// The largest request body; a longer one gets 413.
        public var maxBodyBytes: Int
        /// How long a connection may wait for its next request (or take over one, or over
        /// its TLS handshake) before it is closed.
        public var idleTimeout: Duration

        public init(maxConnections: Int = 64, maxBodyBytes: Int = 1024 * 1024,
                    idleTimeout: Duration = .seconds(30)) {
            self.maxConnections = maxConnections
            self.maxBodyBytes = maxBodyBytes
            self.idleTimeout = idleTimeout
        }
    }

    public static let defaultPort: UInt16 = 8735

    public let system: SimulatedCardManagementSystem
    public let host: String
    /// The port asked for (0: any free one; read `port` after `start`).
    public let requestedPort: UInt16
    /// TLS, or nil for plain HTTP (127.0.0.0/8 only).
    public let tls: TLSIdentity?
    public let limits: Limits

    private struct State {
        var port: UInt16 = 0
        var started = false
        var onEvent: (@Sendable (Event) -> Void)?
    }

    private let state = Mutex(State())
    private let server: SocketServer
    private let authenticator: ProvinceRequestAuthenticator
    /// Turns of the unreachable switch, one at a time.
    private let switching = Mutex(())

    /// `host` must be an IPv4 address (127.0.0.1 by default: loopback only); another than
    /// 127.0.0.0/8 needs `tls`.
    public init(system: SimulatedCardManagementSystem, host: String = "127.0.0.1", port: UInt16 = ProvinceSimulatorServer.defaultPort,
                tls: TLSIdentity? = nil, limits: Limits = Limits()) {
        self.system = system
        self.host = host
        self.requestedPort = port
        self.tls = tls
        self.limits = limits
        server = SocketServer(name: "province-sim", maxConnections: limits.maxConnections)
        authenticator = ProvinceRequestAuthenticator { [system] id in system.deskCredential(id) }
    }

    deinit { stop() }

    /// Called for every event, on the connection's thread; set before `start`.
    public var onEvent: (@Sendable (Event) -> Void)? {
        get { state.withLock { $0.onEvent } }
        set { state.withLock { $0.onEvent = newValue } }
    }

    /// Connections being served now.
    public var connectionCount: Int { server.connectionCount }

    /// True while the listening socket is open.
    public var isListening: Bool { server.isListening }

    /// The port it listens on (after `start`).
    public var port: UInt16 { state.withLock { $0.port } }

    /// `https://host:port`, or `http://host:port` without TLS (after `start`).
    public var baseURL: URL { URL(string: "\(tls == nil ? "http" : "https")://\(host):\(port)")! }

    /// Binds, listens and serves until `stop()`. Starting twice is a programmer error (traps).
    /// Refused without TLS on an address outside 127.0.0.0/8.
    public func start() throws(ProvinceServerError) {
        guard tls != nil || CardManagementHTTPClient.isLoopbackHost(host) else {
            throw .plainHTTP(host: host)
        }
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
        server.serve(listener, overCapacity: { [self] connection in refuseOverCapacity(connection) }) { [self] connection, _ in
            serve(connection)
        }
    }

    /// A connection over `limits.maxConnections`: plain HTTP gets 503 and is closed; a TLS
    /// connection is closed without a word (answering would need a handshake on the accept
    /// thread).
    private func refuseOverCapacity(_ connection: StreamSocket) {
        emit(.connectionRefused("over \(limits.maxConnections) connections"))
        guard tls == nil else { return }
        let reply = Self.answer(503, ProvinceAPI.ErrorBody(code: "SERVER_BUSY", message: "连接过多，请稍后重试 too many connections, retry later"),
                                close: true)
        let deadline = ContinuousClock.now + .milliseconds(200)
        guard (try? connection.sendAll(reply.wireBytes, deadline: deadline)) != nil else { return }
        // Half-close and take what the client sent, so that closing does not reset the
        // connection (RST) before the client has read the answer.
        connection.shutdown(.write)
        while let unread = try? connection.receive(maxCount: 65_536, deadline: deadline), !unread.isEmpty {}
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
    /// connection, it stays idle for `limits.idleTimeout`, or the server stops.
    private func serve(_ connection: StreamSocket) {
        let stream: any ProvinceByteStream
        if let tls {
            let secured: TLSStream
            do {
                secured = try TLSStream(tls.context, over: connection)
                try secured.accept(deadline: .now + limits.idleTimeout)
            } catch {
                emit(.connectionRefused("\(error)"))
                return
            }
            stream = secured
        } else {
            stream = connection
        }
        defer { stream.close() }
        let reader = ProvinceHTTPReader(stream: stream, kind: .request, maximumBodyBytes: limits.maxBodyBytes)
        while server.isRunning {
            let request: ProvinceHTTPMessage
            do {
                request = try reader.readMessage(deadline: .now + limits.idleTimeout)
            } catch {
                switch error {
                case .malformed(let why):
                    emit(.request(method: "-", path: "-", status: 400, fault: nil))
                    send(Self.answer(400, ProvinceAPI.ErrorBody(code: "BAD_REQUEST", message: why), close: true), on: stream)
                case .tooLarge(let limit):
                    emit(.request(method: "-", path: "-", status: 413, fault: nil))
                    send(Self.answer(413, ProvinceAPI.ErrorBody(code: "TOO_LARGE", message: "请求体超过 \(limit) 字节 the body is over \(limit) bytes"),
                                     close: true), on: stream)
                case .closed, .timedOut, .failed:
                    break
                }
                return
            }
            // The reader took only a well-formed request line.
            let parts = request.startLine.split(separator: " ").map(String.init)
            let method = parts[0], path = parts[1]
            let wantsClose = request.header("Connection")?.lowercased() == "close"
            if let refusal = authenticator.check(method: method, target: path, request) {
                emit(.request(method: method, path: path, status: 401, fault: nil))
                let reply = Self.answer(401, ProvinceAPI.ErrorBody(code: refusal.code, message: refusal.message), close: wantsClose,
                                        extra: [("WWW-Authenticate", ProvinceRequestSigning.scheme)])
                guard send(reply, on: stream), !wantsClose else { return }
                continue
            }
            guard let route = Route(method: method, path: path) else {
                let reply = Self.answer(404, ProvinceAPI.ErrorBody(code: "NOT_FOUND", message: "没有此接口 no such endpoint: \(method) \(path)"),
                                        close: wantsClose)
                emit(.request(method: method, path: path, status: 404, fault: nil))
                guard send(reply, on: stream), !wantsClose else { return }
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
                guard send(reply, on: stream), !wantsClose else { return }
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
                guard send(reply, on: stream), !wantsClose else { return }
            }
        }
    }

    /// False when the client is gone.
    @discardableResult
    private func send(_ message: ProvinceHTTPMessage, on stream: any ProvinceByteStream) -> Bool {
        var sent = 0
        return (try? stream.sendAll(message.wireBytes, deadline: .now + limits.idleTimeout, sent: &sent)) != nil
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
