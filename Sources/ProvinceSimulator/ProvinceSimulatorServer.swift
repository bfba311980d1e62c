import Foundation
import Glibc
import SSCardDriver
import SSCardSimulator
import CardManagement
import Synchronization

/// Why the province simulator server could not start: the socket call and its errno.
public struct ProvinceServerError: Error, Hashable, Sendable, CustomStringConvertible {
    public var call: String
    public var code: Int32

    public var description: String {
        "省卡管模拟服务无法启动：\(call) 失败（\(String(cString: strerror(code)))）。"
            + " The province simulator cannot start: \(call) failed: \(String(cString: strerror(code))) (errno \(code))."
    }
}

/// The province simulator (`SimulatedCardManagementSystem`) over HTTP/1.1 with JSON, the
/// contract of docs/province-api.md (模拟省卡管服务). A small server over POSIX sockets: one
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

    private struct Sockets {
        var listenFD: Int32 = -1
        var port: UInt16 = 0
        var connections: [Int: Int32] = [:]
        var nextConnection = 1
        var running = false
        var onEvent: (@Sendable (Event) -> Void)?
    }

    private let sockets = Mutex(Sockets())
    private let finished = DispatchGroup()

    /// `host` must be an IPv4 address (127.0.0.1 by default: loopback only).
    public init(system: SimulatedCardManagementSystem, host: String = "127.0.0.1", port: UInt16 = ProvinceSimulatorServer.defaultPort) {
        self.system = system
        self.host = host
        self.requestedPort = port
    }

    deinit { stop() }

    /// Called for every event, on the connection's thread; set before `start`.
    public var onEvent: (@Sendable (Event) -> Void)? {
        get { sockets.withLock { $0.onEvent } }
        set { sockets.withLock { $0.onEvent = newValue } }
    }

    /// The port it listens on (after `start`).
    public var port: UInt16 { sockets.withLock { $0.port } }

    /// `http://host:port` (after `start`).
    public var baseURL: URL { URL(string: "http://\(host):\(port)")! }

    /// Binds, listens and serves until `stop()`. Starting twice is a programmer error (traps).
    public func start() throws(ProvinceServerError) {
        let fd = try Self.listen(host: host, port: requestedPort)
        let port = Self.boundPort(fd)
        sockets.withLock { s in
            precondition(!s.running, "ProvinceSimulatorServer.start() called twice")
            s.running = true
            s.port = port
        }
        system.faults.observe { [weak self] in self?.unreachableSwitchChanged() }
        if system.faults.isUnreachable {
            _ = Glibc.close(fd)
            emit(.stoppedListening)
        } else {
            startAccepting(fd)
        }
    }

    /// Stops listening, closes every connection and waits for the threads to end.
    public func stop() {
        let wasRunning = sockets.withLock { s -> Bool in
            guard s.running else { return false }
            s.running = false
            if s.listenFD >= 0 { _ = Glibc.shutdown(s.listenFD, Int32(SHUT_RDWR)) }
            for fd in s.connections.values { _ = Glibc.shutdown(fd, Int32(SHUT_RDWR)) }
            return true
        }
        guard wasRunning else { return }
        finished.wait()
    }

    private func startAccepting(_ fd: Int32) {
        sockets.withLock { $0.listenFD = fd }
        emit(.listening("\(host):\(port)"))
        finished.enter()
        let thread = Thread { [self] in acceptLoop(fd) }
        thread.name = "province-sim-accept"
        thread.start()
    }

    /// The unreachable switch: close the listener when on, listen again when off.
    private func unreachableSwitchChanged() {
        let unreachable = system.faults.isUnreachable
        let (running, listening, port) = sockets.withLock { ($0.running, $0.listenFD >= 0, $0.port) }
        guard running else { return }
        if unreachable && listening {
            sockets.withLock { s in
                if s.listenFD >= 0 { _ = Glibc.shutdown(s.listenFD, Int32(SHUT_RDWR)) }
            }
            // The accept loop closes the descriptor and clears listenFD; wait for that.
            while sockets.withLock({ $0.listenFD >= 0 && $0.running }) { usleep(1000) }
        } else if !unreachable && !listening {
            guard let fd = try? Self.listen(host: host, port: port) else { return }
            startAccepting(fd)
        }
    }

    private func acceptLoop(_ listenFD: Int32) {
        defer {
            sockets.withLock { s in if s.listenFD == listenFD { s.listenFD = -1 } }
            _ = Glibc.close(listenFD)
            emit(.stoppedListening)
            finished.leave()
        }
        while sockets.withLock({ $0.running && $0.listenFD == listenFD }) {
            let fd = accept(listenFD, nil, nil)
            if fd < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                return  // shut down
            }
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            var one: Int32 = 1
            _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            let id: Int? = sockets.withLock { s in
                guard s.running else { return nil }
                let id = s.nextConnection
                s.nextConnection += 1
                s.connections[id] = fd
                return id
            }
            guard let id else { _ = Glibc.close(fd); return }
            finished.enter()
            let thread = Thread { [self] in serve(fd, id: id) }
            thread.name = "province-sim-\(id)"
            thread.start()
        }
    }

    private func serve(_ fd: Int32, id: Int) {
        var closeWithReset = false
        defer {
            sockets.withLock { _ = $0.connections.removeValue(forKey: id) }
            if closeWithReset {
                var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
                _ = setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
            }
            _ = Glibc.close(fd)
            finished.leave()
        }
        let reader = ProvinceHTTPReader(fd: fd)
        while sockets.withLock({ $0.running }) {
            let request: ProvinceHTTPMessage
            do {
                // An idle keep-alive connection is closed after 60 s.
                request = try reader.readMessage(deadline: monotonicNow() + 60)
            } catch {
                if case .malformed(let why) = error {
                    _ = provinceSendAll(fd, Self.answer(400, ProvinceAPI.ErrorBody(code: "BAD_REQUEST", message: why), close: true).wireBytes)
                }
                return
            }
            let parts = request.startLine.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            guard parts.count == 3, parts[2].hasPrefix("HTTP/1.") else {
                _ = provinceSendAll(fd, Self.answer(400, ProvinceAPI.ErrorBody(code: "BAD_REQUEST", message: "bad request line"), close: true).wireBytes)
                return
            }
            let method = parts[0], path = parts[1]
            let wantsClose = request.header("Connection")?.lowercased() == "close"
            guard let route = Route(method: method, path: path) else {
                let reply = Self.answer(404, ProvinceAPI.ErrorBody(code: "NOT_FOUND", message: "没有此接口 no such endpoint: \(method) \(path)"),
                                        close: wantsClose)
                emit(.request(method: method, path: path, status: 404, fault: nil))
                guard provinceSendAll(fd, reply.wireBytes).error == nil, !wantsClose else { return }
                continue
            }
            let (delay, fault) = system.faults.take(for: route.operation)
            CardManagementFaults.pause(delay)
            switch fault {
            case .unreachable:
                emit(.request(method: method, path: path, status: nil, fault: fault))
                closeWithReset = true
                return
            case .timeout:
                emit(.request(method: method, path: path, status: nil, fault: fault))
                holdUntilClientLeaves(fd)
                return
            case .serverError:
                emit(.request(method: method, path: path, status: 503, fault: fault))
                let reply = Self.answer(503, ProvinceAPI.ErrorBody(code: "SIMULATED_FAULT", message: "模拟服务器故障 simulated server failure"),
                                        close: wantsClose)
                guard provinceSendAll(fd, reply.wireBytes).error == nil, !wantsClose else { return }
                continue
            case .lostResponse:
                let (status, _) = handle(route, request)
                emit(.request(method: method, path: path, status: status, fault: fault))
                _ = Glibc.shutdown(fd, Int32(SHUT_RDWR))
                return
            case nil:
                let (status, body) = handle(route, request)
                emit(.request(method: method, path: path, status: status, fault: nil))
                let reply = ProvinceHTTPMessage(
                    startLine: "HTTP/1.1 \(status) \(Self.reason(status))",
                    headers: [("Content-Type", "application/json; charset=utf-8"), ("Connection", wantsClose ? "close" : "keep-alive")],
                    body: body)
                guard provinceSendAll(fd, reply.wireBytes).error == nil, !wantsClose else { return }
            }
        }
    }

    /// A timeout fault: say nothing until the client closes the connection or the server stops.
    private func holdUntilClientLeaves(_ fd: Int32) {
        var scratch = [UInt8](repeating: 0, count: 4096)
        while sockets.withLock({ $0.running }) {
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, 200)
            if ready < 0 && errno != EINTR { return }
            if ready > 0 {
                let n = scratch.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if n <= 0 { return }
            }
        }
    }

    // MARK: Routes

    private enum Route {
        case application(String)
        case status(String)
        case conflicts, authenticationKey, pkiSecrets, certificates, reports, activations
        case internalAuthentication, externalAuthentication, pinMAC
        case ledgerCheckpoints

        init?(method: String, path: String) {
            let clean = path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? path
            let segments = clean.split(separator: "/", omittingEmptySubsequences: true).map { String($0).removingPercentEncoding ?? String($0) }
            switch (method, segments.count) {
            case ("GET", 3) where segments[0] == "v1" && segments[1] == "applications":
                self = .application(segments[2])
            case ("GET", 4) where segments[0] == "v1" && segments[1] == "applications" && segments[3] == "status":
                self = .status(segments[2])
            case ("POST", _):
                switch "/" + segments.joined(separator: "/") {
                case "/v1/one-person-one-card": self = .conflicts
                case "/v1/hsm/authentication-key": self = .authenticationKey
                case "/v1/hsm/pki-secrets": self = .pkiSecrets
                case "/v1/hsm/internal-authentication": self = .internalAuthentication
                case "/v1/hsm/external-authentication": self = .externalAuthentication
                case "/v1/hsm/pin-mac": self = .pinMAC
                case "/v1/ca/certificates": self = .certificates
                case "/v1/reports": self = .reports
                case "/v1/activations": self = .activations
                case "/v1/ledger/checkpoints": self = .ledgerCheckpoints
                default: return nil
                }
            default:
                return nil
            }
        }

        var operation: CardManagementOperation {
            switch self {
            case .application: .application
            case .status: .status
            case .conflicts: .conflictingCards
            case .authenticationKey: .authenticationKey
            case .pkiSecrets: .pkiSecrets
            case .internalAuthentication, .externalAuthentication, .pinMAC: .terminalHSM
            case .certificates: .issueCertificates
            case .reports: .report
            case .activations: .activate
            case .ledgerCheckpoints: .ledgerCheckpoint
            }
        }
    }

    /// Carries out one request: the status and the JSON body.
    private func handle(_ route: Route, _ request: ProvinceHTTPMessage) -> (Int, [UInt8]) {
        do {
            switch route {
            case .application(let id):
                return (200, ProvinceAPI.encode(try system.applicationUnfaulted(id: id)))
            case .status(let id):
                return (200, ProvinceAPI.encode(try system.statusUnfaulted(applicationID: id)))
            case .conflicts:
                let query = try decode(ProvinceAPI.ConflictQuery.self, request)
                let cards = try system.conflictingCardsUnfaulted(socialSecurityNumber: query.socialSecurityNumber, applicationID: query.applicationID)
                return (200, ProvinceAPI.encode(ProvinceAPI.ConflictAnswer(cards: cards)))
            case .authenticationKey:
                let body = try decode(ProvinceAPI.AuthenticationKeyRequest.self, request)
                let challenge: HSMAuthenticationChallenge
                do { challenge = try HSMAuthenticationChallenge(parsing: body.challenge) } catch {
                    throw CardManagementError.refused(code: "BAD_REQUEST", message: "challenge: \(error)")
                }
                let key = try system.authenticationKeyUnfaulted(for: challenge, access: body.access, applicationID: body.applicationID)
                return (200, ProvinceAPI.encode(ProvinceAPI.AuthenticationKeyAnswer(key: key.interfaceText)))
            case .pkiSecrets:
                let body = try decode(ProvinceAPI.PKISecretsRequest.self, request)
                guard let id = CardIdentificationCode(hex: body.cardIdentificationCode) else {
                    throw CardManagementError.refused(code: "BAD_REQUEST", message: "卡识别码格式错 malformed card identification code")
                }
                var secrets = try system.pkiSecretsUnfaulted(cardIdentificationCode: id)
                defer { secrets.wipe() }
                return (200, ProvinceAPI.encode(ProvinceAPI.PKISecretsAnswer(
                    initialAdminPIN: String(decoding: secrets.initialAdminPIN, as: UTF8.self), masterCardKey: secrets.masterCardKey.hexString)))
            case .internalAuthentication:
                let body = try decode(ProvinceAPI.InternalAuthenticationRequest.self, request)
                guard let id = CardIdentificationCode(hex: body.cardIdentificationCode),
                      let factor = [UInt8](hex: body.factor), let raw = [UInt8](hex: body.raw) else {
                    throw CardManagementError.refused(code: "BAD_REQUEST", message: "卡识别码或数据格式错 malformed card identification code or data")
                }
                let answer = try system.internalAuthenticationUnfaulted(cardIdentificationCode: id, factor: factor, raw: raw)
                return (200, ProvinceAPI.encode(ProvinceAPI.HSMDataAnswer(data: answer.hexString)))
            case .externalAuthentication:
                let body = try decode(ProvinceAPI.ExternalAuthenticationRequest.self, request)
                guard let id = CardIdentificationCode(hex: body.cardIdentificationCode), let keyID = UInt8(exactly: body.keyID),
                      let challenge = [UInt8](hex: body.challenge) else {
                    throw CardManagementError.refused(code: "BAD_REQUEST", message: "卡识别码、密钥号或随机数格式错 malformed card identification code, key id or challenge")
                }
                let answer = try system.externalAuthenticationUnfaulted(cardIdentificationCode: id, keyID: keyID, challenge: challenge)
                return (200, ProvinceAPI.encode(ProvinceAPI.HSMDataAnswer(data: answer.hexString)))
            case .pinMAC:
                let body = try decode(ProvinceAPI.PINMACRequest.self, request)
                guard let id = CardIdentificationCode(hex: body.cardIdentificationCode), let input = [UInt8](hex: body.macInput) else {
                    throw CardManagementError.refused(code: "BAD_REQUEST", message: "卡识别码或MAC输入格式错 malformed card identification code or MAC input")
                }
                let mac = try system.pinCommandMACUnfaulted(cardIdentificationCode: id, macInput: input)
                return (200, ProvinceAPI.encode(ProvinceAPI.HSMDataAnswer(data: mac.hexString)))
            case .certificates:
                let body = try decode(ProvinceAPI.CertificateRequest.self, request)
                guard let id = CardIdentificationCode(hex: body.cardIdentificationCode), let key = [UInt8](hex: body.signingPublicKey) else {
                    throw CardManagementError.refused(code: "BAD_REQUEST", message: "卡识别码或签名公钥格式错 malformed card identification code or signing key")
                }
                let caRequest = CACertificateRequest(
                    socialSecurityNumber: body.socialSecurityNumber, cardNumber: body.cardNumber, name: body.name,
                    regionCode: body.regionCode, cardIdentificationCode: id, signingPublicKey: key, algorithm: body.algorithm)
                var items = try system.issueCertificatesUnfaulted(caRequest, applicationID: body.applicationID)
                defer { items.wipeSecrets() }
                return (200, ProvinceAPI.encode(ProvinceAPI.CertificateAnswer(items: items.interfaceText)))
            case .reports:
                let report = try decode(IssuanceReport.self, request)
                try checkRequestIDHeader(request, body: report.requestID)
                return (200, ProvinceAPI.encode(try system.reportUnfaulted(report)))
            case .activations:
                let body = try decode(ProvinceAPI.ActivationRequest.self, request)
                try checkRequestIDHeader(request, body: body.requestID)
                try system.activateUnfaulted(applicationID: body.applicationID, cardNumber: body.cardNumber, requestID: body.requestID)
                return (200, ProvinceAPI.encode(try system.statusUnfaulted(applicationID: body.applicationID)))
            case .ledgerCheckpoints:
                let body = try decode(ProvinceAPI.LedgerCheckpointRequest.self, request)
                let held = try system.ledgerCheckpointUnfaulted(terminal: body.terminal, sequence: body.sequence, head: body.head)
                return (200, ProvinceAPI.encode(ProvinceAPI.LedgerCheckpointAnswer(checkpoints: held)))
            }
        } catch let error as CardManagementError {
            let (status, body) = ProvinceAPI.response(for: error)
            return (status, ProvinceAPI.encode(body))
        } catch {
            return (500, ProvinceAPI.encode(ProvinceAPI.ErrorBody(code: "SERVER_ERROR", message: "\(error)")))
        }
    }

    private func decode<T: Decodable>(_ type: T.Type, _ request: ProvinceHTTPMessage) throws(CardManagementError) -> T {
        do { return try JSONDecoder().decode(type, from: Data(request.body)) } catch {
            throw .refused(code: "BAD_REQUEST", message: "请求体不是约定的 JSON the body is not the contract's JSON: \(error)")
        }
    }

    private func checkRequestIDHeader(_ request: ProvinceHTTPMessage, body: String) throws(CardManagementError) {
        if let header = request.header(ProvinceAPI.requestIDHeader), header != body {
            throw .refused(code: "REQUEST_ID_MISMATCH", message: "X-Request-ID 与请求体的 requestID 不符 X-Request-ID differs from the body's requestID")
        }
    }

    private static func answer(_ status: Int, _ body: ProvinceAPI.ErrorBody, close: Bool) -> ProvinceHTTPMessage {
        ProvinceHTTPMessage(startLine: "HTTP/1.1 \(status) \(reason(status))",
                            headers: [("Content-Type", "application/json; charset=utf-8"), ("Connection", close ? "close" : "keep-alive")],
                            body: ProvinceAPI.encode(body))
    }

    private static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 400: "Bad Request"
        case 404: "Not Found"
        case 409: "Conflict"
        case 422: "Unprocessable Entity"
        case 500: "Internal Server Error"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        default: "Status"
        }
    }

    private func emit(_ event: Event) {
        sockets.withLock { $0.onEvent }?(event)
    }

    // MARK: Sockets

    /// `socket`, `bind` to host:port (IPv4, SO_REUSEADDR), `listen`.
    private static func listen(host: String, port: UInt16) throws(ProvinceServerError) -> Int32 {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        guard inet_pton(AF_INET, host, &addr.sin_addr) == 1 else { throw ProvinceServerError(call: "inet_pton \(host)", code: EINVAL) }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ProvinceServerError(call: "socket", code: errno) }
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { let e = errno; _ = Glibc.close(fd); throw ProvinceServerError(call: "bind \(host):\(port)", code: e) }
        guard Glibc.listen(fd, 64) == 0 else { let e = errno; _ = Glibc.close(fd); throw ProvinceServerError(call: "listen", code: e) }
        return fd
    }

    private static func boundPort(_ fd: Int32) -> UInt16 {
        var actual = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        return UInt16(bigEndian: actual.sin_port)
    }
}
