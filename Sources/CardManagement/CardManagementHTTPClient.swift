import Foundation
import Glibc
import SSCardDriver
import Sockets

/// The province card-management system over the HTTP contract of docs/province-api.md
/// (卡管系统接口客户端): JSON over HTTP/1.1, one connection per call, a small blocking client
/// over `Sockets` (docs/province-api.md §6 says why not URLSession).
///
/// The link (docs/province-api.md §4): `https://` is TLS 1.2 or later, the server's certificate
/// checked against `caFile` (or the system's trust store) and the URL's host name or address;
/// plain `http://` only to a loopback address (127.0.0.0/8; `localhost` is resolved and only its
/// 127.x addresses are used) — any other is refused before a connection is tried. With a
/// `credentialFile` every request is signed (`ProvinceRequestSigning`): the file is read for
/// each call (so a rotated credential takes effect at once) and its secret wiped after signing.
///
/// Failures map to `CardManagementError` by what the desk can know:
/// - the name does not resolve, the connection is refused or cannot be made within the
///   timeout, the TLS handshake fails (certificate not trusted, wrong host), the credential
///   cannot be read, or not a byte of the request could be sent → `.unreachable` (nothing was
///   done);
/// - the request left (even partly) and no complete answer came within the timeout, or the
///   connection closed or reset before the answer → `.outcomeUnknown` (repeat with the same
///   request id);
/// - the socket's `SocketError` (its errno) stays underneath as the error's `cause`;
/// - 5xx → `.serverError`; 404 `UNKNOWN_APPLICATION` → `.unknownApplication`; 409
///   `WRONG_STATE` → `.wrongState`; 401 (not authenticated), 422 and other 4xx → `.refused`
///   with the server's code.
///
/// The answers carry secrets (HSM keys, admin PIN, master key): nothing here logs a body, and
/// nothing logs the credential.
public final class CardManagementHTTPClient: CardManagementSystem {
    /// `https://host:port` (or `http://127.0.0.1:port`) with an optional path prefix.
    public let baseURL: URL
    /// Seconds for the whole call: connect, TLS handshake, send and the complete answer.
    public let timeout: TimeInterval
    /// The desk's credential file (`DeskCredential`, mode 0600); nil sends unsigned requests,
    /// which a province refuses.
    public let credentialFile: String?
    /// PEM file of the CA certificates an `https` server's chain must lead to; nil: the
    /// system's trust store.
    public let caFile: String?

    public init(baseURL: URL, timeout: TimeInterval = 10, credentialFile: String? = nil, caFile: String? = nil) {
        self.baseURL = baseURL
        self.timeout = timeout
        self.credentialFile = credentialFile
        self.caFile = caFile
    }

    /// True for a dotted IPv4 address in 127.0.0.0/8 and for `localhost`: where plain HTTP may go.
    public static func isLoopbackHost(_ host: String) -> Bool {
        if host.lowercased() == "localhost" { return true }
        var address = in_addr()
        guard inet_pton(AF_INET, host, &address) == 1 else { return false }
        return UInt32(bigEndian: address.s_addr) >> 24 == 127
    }

    // MARK: CardManagementSystem

    public func application(id: String) throws(CardManagementError) -> Application {
        try call("GET", "/v1/applications/\(ProvinceAPI.pathSegment(id))", applicationID: id, as: Application.self)
    }

    public func conflictingCards(socialSecurityNumber: String, applicationID: String) throws(CardManagementError) -> [ExistingCard] {
        try call("POST", "/v1/one-person-one-card",
                 body: ProvinceAPI.ConflictQuery(socialSecurityNumber: socialSecurityNumber, applicationID: applicationID),
                 applicationID: applicationID, as: ProvinceAPI.ConflictAnswer.self).cards
    }

    public func authenticationKey(for challenge: HSMAuthenticationChallenge, access: CardAccess,
                                  applicationID: String) throws(CardManagementError) -> HSMAuthenticationKey {
        let answer = try call("POST", "/v1/hsm/authentication-key",
                              body: ProvinceAPI.AuthenticationKeyRequest(applicationID: applicationID, access: access,
                                                                         challenge: challenge.interfaceText),
                              applicationID: applicationID, as: ProvinceAPI.AuthenticationKeyAnswer.self)
        do { return try HSMAuthenticationKey(parsing: answer.key) } catch {
            throw .refused(code: "BAD_ANSWER", message: "加密机应答格式错 the HSM's answer is malformed: \(error)")
        }
    }

    public func pkiSecrets(cardIdentificationCode: CardIdentificationCode) throws(CardManagementError) -> PKICardSecrets {
        let answer = try call("POST", "/v1/hsm/pki-secrets",
                              body: ProvinceAPI.PKISecretsRequest(cardIdentificationCode: cardIdentificationCode.hex),
                              applicationID: nil, as: ProvinceAPI.PKISecretsAnswer.self)
        // Decoded straight into SecretBytes; the answer's Strings cannot be wiped.
        guard let key = SecretBytes(hex: answer.masterCardKey), key.count == 16 else {
            throw .refused(code: "BAD_ANSWER", message: "加密机应答的主控密钥格式错 the HSM's master key is malformed")
        }
        return PKICardSecrets(initialAdminPIN: SecretBytes(utf8: answer.initialAdminPIN), masterCardKey: key)
    }

    public func internalAuthentication(cardIdentificationCode: CardIdentificationCode, factor: [UInt8],
                                       raw: [UInt8]) throws(CardManagementError) -> [UInt8] {
        try hsmData("/v1/hsm/internal-authentication", ProvinceAPI.InternalAuthenticationRequest(
            cardIdentificationCode: cardIdentificationCode.hex, factor: factor.hexString, raw: raw.hexString), count: nil)
    }

    public func externalAuthentication(cardIdentificationCode: CardIdentificationCode, keyID: UInt8,
                                       challenge: [UInt8]) throws(CardManagementError) -> [UInt8] {
        try hsmData("/v1/hsm/external-authentication", ProvinceAPI.ExternalAuthenticationRequest(
            cardIdentificationCode: cardIdentificationCode.hex, keyID: Int(keyID), challenge: challenge.hexString), count: 16)
    }

    public func pinCommandMAC(cardIdentificationCode: CardIdentificationCode, macInput: [UInt8]) throws(CardManagementError) -> [UInt8] {
        try hsmData("/v1/hsm/pin-mac", ProvinceAPI.PINMACRequest(
            cardIdentificationCode: cardIdentificationCode.hex, macInput: macInput.hexString), count: 4)
    }

    /// One of the one-step HSM calls: its answer's bytes, `count` of them when given.
    private func hsmData<Body: Encodable>(_ path: String, _ body: Body, count: Int?) throws(CardManagementError) -> [UInt8] {
        let answer = try call("POST", path, body: body, applicationID: nil, as: ProvinceAPI.HSMDataAnswer.self)
        guard let bytes = [UInt8](hex: answer.data), !bytes.isEmpty, count.map({ bytes.count == $0 }) ?? true else {
            throw .refused(code: "BAD_ANSWER", message: "加密机应答格式错 the HSM's answer is malformed")
        }
        return bytes
    }

    public func issueCertificates(_ request: CACertificateRequest, applicationID: String) throws(CardManagementError) -> CAIssuance {
        let body = ProvinceAPI.CertificateRequest(
            applicationID: applicationID, socialSecurityNumber: request.socialSecurityNumber, cardNumber: request.cardNumber,
            name: request.name, regionCode: request.regionCode, cardIdentificationCode: request.cardIdentificationCode.hex,
            signingPublicKey: request.signingPublicKey.hexString, algorithm: request.algorithm)
        let answer = try call("POST", "/v1/ca/certificates", body: body, applicationID: applicationID, as: ProvinceAPI.CertificateAnswer.self)
        do { return try CAIssuance(interfaceText: answer.items) } catch {
            throw .refused(code: "BAD_ANSWER", message: "CA 应答格式错 the CA's answer is malformed: \(error)")
        }
    }

    @discardableResult
    public func report(_ report: IssuanceReport) throws(CardManagementError) -> ApplicationStatus {
        try call("POST", "/v1/reports", body: report, requestID: report.requestID, applicationID: report.applicationID,
                 as: ApplicationStatus.self)
    }

    public func status(applicationID: String) throws(CardManagementError) -> ApplicationStatus {
        try call("GET", "/v1/applications/\(ProvinceAPI.pathSegment(applicationID))/status", applicationID: applicationID,
                 as: ApplicationStatus.self)
    }

    public func activate(applicationID: String, cardNumber: String, requestID: String) throws(CardManagementError) {
        _ = try call("POST", "/v1/activations",
                     body: ProvinceAPI.ActivationRequest(requestID: requestID, applicationID: applicationID, cardNumber: cardNumber),
                     requestID: requestID, applicationID: applicationID, as: ApplicationStatus.self)
    }

    public func ledgerCheckpoint(terminal: String, sequence: Int64, head: String) throws(CardManagementError) -> [LedgerCheckpoint] {
        try call("POST", "/v1/ledger/checkpoints",
                 body: ProvinceAPI.LedgerCheckpointRequest(terminal: terminal, sequence: sequence, head: head),
                 applicationID: nil, as: ProvinceAPI.LedgerCheckpointAnswer.self).checkpoints
    }

    // MARK: One call

    struct NoBody: Encodable {}

    func call<Answer: Decodable>(_ method: String, _ path: String, applicationID: String?,
                                         as type: Answer.Type) throws(CardManagementError) -> Answer {
        try call(method, path, body: NoBody?.none, applicationID: applicationID, as: type)
    }

    func call<Body: Encodable, Answer: Decodable>(
        _ method: String, _ path: String, body: Body?, requestID: String? = nil, applicationID: String?,
        as type: Answer.Type
    ) throws(CardManagementError) -> Answer {
        let deadline = ContinuousClock.now + .seconds(timeout)
        let link = try Self.link(baseURL)
        var headers: [(name: String, value: String)] = [
            ("Host", link.hostHeader), ("Accept", "application/json"), ("Connection", "close"),
        ]
        var bytes: [UInt8] = []
        if let body {
            bytes = ProvinceAPI.encode(body)
            headers.append(("Content-Type", "application/json; charset=utf-8"))
        }
        if let requestID { headers.append((ProvinceAPI.requestIDHeader, requestID)) }
        let target = "\(link.prefix)\(path)"
        if let credentialFile { headers += try sign(method, target, bytes, credentialFile: credentialFile) }
        var wire = ProvinceHTTPMessage(startLine: "\(method) \(target) HTTP/1.1", headers: headers, body: bytes).wireBytes
        defer { KeyMaterial.wipe(&wire) }

        let connection = try open(link, deadline: deadline)
        defer { connection.close() }
        var sent = 0
        do {
            try connection.sendAll(wire, deadline: deadline, sent: &sent)
        } catch {
            if sent == 0 { throw .unreachable("发送失败 sending failed: \(error.message)", cause: error) }
            throw .outcomeUnknown("请求只发出一部分 the request was only partly sent: \(error.message)", cause: error)
        }

        let answer: ProvinceHTTPMessage
        do {
            answer = try ProvinceHTTPReader(stream: connection, kind: .response).readMessage(deadline: deadline)
        } catch {
            switch error {
            case .timedOut(let cause):
                throw .outcomeUnknown("\(timeout) 秒内无应答 no answer within \(timeout) s", cause: cause)
            case .closed(_, let cause):
                throw .outcomeUnknown("应答前连接断开 the connection closed before the answer", cause: cause)
            case .malformed(let why):
                throw .outcomeUnknown("应答格式错 malformed answer: \(why)")
            case .tooLarge(let limit):
                throw .outcomeUnknown("应答超过 \(limit) 字节 the answer is over \(limit) bytes")
            case .failed(let cause):
                throw .outcomeUnknown("接收失败 receiving failed: \(cause.message)", cause: cause)
            }
        }
        let statusParts = answer.startLine.split(separator: " ", maxSplits: 2)
        guard statusParts.count >= 2, statusParts[0].hasPrefix("HTTP/1."), let status = Int(statusParts[1]) else {
            throw .outcomeUnknown("应答状态行格式错 malformed status line")
        }
        var answerBody = answer.body
        defer { KeyMaterial.wipe(&answerBody) }
        guard (200...299).contains(status) else {
            throw ProvinceAPI.error(status: status, body: answerBody, applicationID: applicationID)
        }
        do {
            return try JSONDecoder().decode(type, from: Data(answerBody))
        } catch {
            // The server did the work but its answer cannot be read.
            throw .outcomeUnknown("应答不是约定的 JSON the answer is not the contract's JSON: \(error)")
        }
    }

    // MARK: The link

    /// Where `baseURL` points and how to speak to it.
    private struct Link {
        var tls: Bool
        var host: String
        var port: UInt16
        /// The URL's path without a final '/', put before every endpoint's path.
        var prefix: String

        var hostHeader: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
    }

    /// `https://host[:port]` or, to a loopback address only, `http://host[:port]`. Refused here,
    /// before any connection: another scheme, no host, a bad port, plain HTTP elsewhere.
    private static func link(_ url: URL) throws(CardManagementError) -> Link {
        let scheme = url.scheme?.lowercased()
        guard scheme == "http" || scheme == "https", let host = url.host, !host.isEmpty else {
            throw .unreachable("地址 \(url) 不是 https://主机:端口 the base URL \(url) is not https://host:port")
        }
        let tls = scheme == "https"
        guard let port = UInt16(exactly: url.port ?? (tls ? 443 : 80)), port != 0 else {
            throw .unreachable("地址 \(url) 的端口无效 the base URL \(url) has no valid port")
        }
        guard tls || isLoopbackHost(host) else { throw plainHTTPRefused(host) }
        let prefix = url.path.hasSuffix("/") ? String(url.path.dropLast()) : url.path
        return Link(tls: tls, host: host, port: port, prefix: prefix)
    }

    private static func plainHTTPRefused(_ host: String) -> CardManagementError {
        .unreachable("明文 http:// 只用于本机回环地址（127.0.0.0/8），\(host) 须用 https:// "
                     + "plain http:// is only for loopback addresses (127.0.0.0/8); use https:// for \(host)")
    }

    /// The four signature headers, with the credential read from its file for this call only.
    private func sign(_ method: String, _ target: String, _ body: [UInt8],
                      credentialFile: String) throws(CardManagementError) -> [(name: String, value: String)] {
        let credential: DeskCredential
        do { credential = try DeskCredential.load(path: credentialFile) } catch {
            throw .unreachable("\(error)")
        }
        do {
            return try ProvinceRequestSigning.headers(method: method, target: target, body: body, credential: credential)
        } catch {
            throw .unreachable("请求无法签名 the request cannot be signed: \(error)")
        }
    }

    /// A connection to `link` before `deadline`: TLS with the server's certificate checked, or
    /// plain TCP to a loopback address. Any failure here is `.unreachable`: nothing was sent.
    private func open(_ link: Link, deadline: ContinuousClock.Instant) throws(CardManagementError) -> any ProvinceByteStream {
        guard link.tls else { return try Self.connectLoopback(host: link.host, port: link.port, deadline: deadline) }
        let context: TLSContext
        do { context = try TLSContext.client(caFile: caFile) } catch {
            throw .unreachable("TLS 设置有误 the TLS setup is wrong: \(error)")
        }
        let socket = try Self.connect(host: link.host, port: link.port, deadline: deadline)
        let stream: TLSStream
        do {
            stream = try TLSStream(context, over: socket)
            try stream.connect(host: link.host, deadline: deadline)
        } catch {
            socket.close()
            throw .unreachable("与 \(link.host):\(link.port) 的 TLS 握手失败 the TLS handshake with \(link.host):\(link.port) failed: \(error.reason)",
                               cause: error.cause)
        }
        return stream
    }

    /// Resolves `host` and connects to its addresses in turn before `deadline`.
    private static func connect(host: String, port: UInt16, deadline: ContinuousClock.Instant) throws(CardManagementError) -> StreamSocket {
        do {
            return try StreamSocket.connect(host: host, port: port, deadline: deadline)
        } catch where error.domain == .addressInfo {
            throw .unreachable("无法解析主机名 \(host) cannot resolve \(host): \(error.message)", cause: error)
        } catch {
            throw .unreachable("无法连接 \(host):\(port) cannot connect to \(host):\(port): \(error.message)", cause: error)
        }
    }

    /// Plain TCP to the 127.0.0.0/8 addresses of `host` only.
    private static func connectLoopback(host: String, port: UInt16, deadline: ContinuousClock.Instant) throws(CardManagementError) -> StreamSocket {
        let addresses: [SocketAddress]
        do { addresses = try SocketAddress.resolve(host: host, port: port) } catch {
            throw .unreachable("无法解析主机名 \(host) cannot resolve \(host): \(error.message)", cause: error)
        }
        let loopback = addresses.filter { $0.family == AF_INET && ($0.host.map(isLoopbackHost) ?? false) }
        guard !loopback.isEmpty else { throw plainHTTPRefused(host) }
        var last: SocketError?
        for address in loopback {
            do {
                return try StreamSocket.connect(to: address, deadline: deadline)
            } catch {
                last = error
                if error.isTimeout { break }
            }
        }
        let cause = last ?? SocketError("connect to \(host):\(port)", code: EADDRNOTAVAIL)
        throw .unreachable("无法连接 \(host):\(port) cannot connect to \(host):\(port): \(cause.message)", cause: cause)
    }
}
