import Foundation
import SSCardDriver
import CardManagement

/// The province simulator's routes: each endpoint of docs/province-api.md carried out on the
/// simulator (without its faults, which the server plays on the wire), and the answers.
extension ProvinceSimulatorServer {
    /// The contract's endpoints (docs/province-api.md).
    enum Route {
        case application(String)
        case status(String)
        case conflicts, authenticationKey, pkiSecrets, certificates, reports, activations
        case internalAuthentication, externalAuthentication, pinMAC
        case ledgerCheckpoints
        case oldCard(String), oldCardChipConfirmation, oldCardCancellation

        init?(method: String, path: String) {
            let clean = path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? path
            let segments = clean.split(separator: "/", omittingEmptySubsequences: true).map { String($0).removingPercentEncoding ?? String($0) }
            switch (method, segments.count) {
            case ("GET", 3) where segments[0] == "v1" && segments[1] == "applications":
                self = .application(segments[2])
            case ("GET", 4) where segments[0] == "v1" && segments[1] == "applications" && segments[3] == "status":
                self = .status(segments[2])
            case ("GET", 4) where segments[0] == "v1" && segments[1] == "applications" && segments[3] == "old-card":
                self = .oldCard(segments[2])
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
                case "/v1/old-cards/chip-confirmations": self = .oldCardChipConfirmation
                case "/v1/old-cards/cancellations": self = .oldCardCancellation
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
            case .oldCard, .oldCardChipConfirmation, .oldCardCancellation: .oldCard
            }
        }
    }

    /// Carries out one request: the status and the JSON body.
    func handle(_ route: Route, _ request: ProvinceHTTPMessage) -> (Int, [UInt8]) {
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
                let secrets = try system.pkiSecretsUnfaulted(cardIdentificationCode: id)
                // The wire format is JSON text: these Strings are the one copy that cannot be wiped.
                let pin = secrets.initialAdminPIN.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
                let key = secrets.masterCardKey.withTemporaryArray { $0.hexString }
                return (200, ProvinceAPI.encode(ProvinceAPI.PKISecretsAnswer(initialAdminPIN: pin, masterCardKey: key)))
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
            case .oldCard(let id):
                return (200, ProvinceAPI.encode(try system.oldCardUnfaulted(applicationID: id)))
            case .oldCardChipConfirmation:
                let body = try decode(OldCardChipConfirmation.self, request)
                try checkRequestIDHeader(request, body: body.requestID)
                return (200, ProvinceAPI.encode(try system.confirmOldCardChipUnfaulted(body)))
            case .oldCardCancellation:
                let body = try decode(OldCardCancellation.self, request)
                try checkRequestIDHeader(request, body: body.requestID)
                return (200, ProvinceAPI.encode(try system.cancelOldCardUnfaulted(body)))
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

    static func answer(_ status: Int, _ body: ProvinceAPI.ErrorBody, close: Bool,
                       extra: [(name: String, value: String)] = []) -> ProvinceHTTPMessage {
        ProvinceHTTPMessage(startLine: "HTTP/1.1 \(status) \(reason(status))",
                            headers: [("Content-Type", "application/json; charset=utf-8"), ("Connection", close ? "close" : "keep-alive")] + extra,
                            body: ProvinceAPI.encode(body))
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 404: "Not Found"
        case 409: "Conflict"
        case 413: "Content Too Large"
        case 422: "Unprocessable Entity"
        case 500: "Internal Server Error"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        default: "Status"
        }
    }
}
