import Foundation
import SSCardDriver
import Sockets

/// The province card-management system over the HTTP contract of docs/province-api.md
/// (卡管系统接口客户端): JSON over HTTP/1.1, one connection per call, a small blocking client
/// over `Sockets` (docs/province-api.md §6 says why not URLSession).
///
/// Failures map to `CardManagementError` by what the desk can know:
/// - the name does not resolve, the connection is refused or cannot be made within the
///   timeout, or not a byte of the request could be sent → `.unreachable` (nothing was done);
/// - the request left (even partly) and no complete answer came within the timeout, or the
///   connection closed or reset before the answer → `.outcomeUnknown` (repeat with the same
///   request id);
/// - the socket's `SocketError` (its errno) stays underneath as the error's `cause`;
/// - 5xx → `.serverError`; 404 `UNKNOWN_APPLICATION` → `.unknownApplication`; 409
///   `WRONG_STATE` → `.wrongState`; 422 and other 4xx → `.refused` with the server's code.
///
/// The answers carry secrets (HSM keys, admin PIN, master key): nothing here logs a body.
public final class CardManagementHTTPClient: CardManagementSystem {
    /// `http://host:port` with an optional path prefix, e.g. `http://127.0.0.1:8735`.
    public let baseURL: URL
    /// Seconds for the whole call: connect, send and the complete answer.
    public let timeout: TimeInterval

    public init(baseURL: URL, timeout: TimeInterval = 10) {
        self.baseURL = baseURL
        self.timeout = timeout
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

    private struct NoBody: Encodable {}

    private func call<Answer: Decodable>(_ method: String, _ path: String, applicationID: String?,
                                         as type: Answer.Type) throws(CardManagementError) -> Answer {
        try call(method, path, body: NoBody?.none, applicationID: applicationID, as: type)
    }

    private func call<Body: Encodable, Answer: Decodable>(
        _ method: String, _ path: String, body: Body?, requestID: String? = nil, applicationID: String?,
        as type: Answer.Type
    ) throws(CardManagementError) -> Answer {
        let deadline = ContinuousClock.now + .seconds(timeout)
        guard baseURL.scheme?.lowercased() == "http", let host = baseURL.host, !host.isEmpty else {
            throw .unreachable("地址 \(baseURL) 不是 http://主机:端口 the base URL \(baseURL) is not http://host:port")
        }
        guard let port = UInt16(exactly: baseURL.port ?? 80) else {
            throw .unreachable("地址 \(baseURL) 的端口无效 the base URL \(baseURL) has no valid port")
        }
        let prefix = baseURL.path.hasSuffix("/") ? String(baseURL.path.dropLast()) : baseURL.path
        var headers: [(name: String, value: String)] = [
            ("Host", "\(host):\(port)"), ("Accept", "application/json"), ("Connection", "close"),
        ]
        var bytes: [UInt8] = []
        if let body {
            bytes = ProvinceAPI.encode(body)
            headers.append(("Content-Type", "application/json; charset=utf-8"))
        }
        if let requestID { headers.append((ProvinceAPI.requestIDHeader, requestID)) }
        var wire = ProvinceHTTPMessage(startLine: "\(method) \(prefix)\(path) HTTP/1.1", headers: headers, body: bytes).wireBytes
        defer { KeyMaterial.wipe(&wire) }

        let connection = try Self.connect(host: host, port: port, deadline: deadline)
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
            answer = try ProvinceHTTPReader(connection: connection).readMessage(deadline: deadline)
        } catch {
            switch error {
            case .timedOut(let cause):
                throw .outcomeUnknown("\(timeout) 秒内无应答 no answer within \(timeout) s", cause: cause)
            case .closed(_, let cause):
                throw .outcomeUnknown("应答前连接断开 the connection closed before the answer", cause: cause)
            case .malformed(let why):
                throw .outcomeUnknown("应答格式错 malformed answer: \(why)")
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

    /// Resolves `host` and connects to its addresses in turn before `deadline`. Any failure
    /// here is `.unreachable`: nothing was sent.
    private static func connect(host: String, port: UInt16, deadline: ContinuousClock.Instant) throws(CardManagementError) -> StreamSocket {
        do {
            return try StreamSocket.connect(host: host, port: port, deadline: deadline)
        } catch where error.domain == .addressInfo {
            throw .unreachable("无法解析主机名 \(host) cannot resolve \(host): \(error.message)", cause: error)
        } catch {
            throw .unreachable("无法连接 \(host):\(port) cannot connect to \(host):\(port): \(error.message)", cause: error)
        }
    }
}
