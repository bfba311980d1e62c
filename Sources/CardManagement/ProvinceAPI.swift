import Foundation
import SSCardDriver

/// The JSON bodies and status codes of the province HTTP contract (docs/province-api.md),
/// shared by `ProvinceSimulatorServer` and `CardManagementHTTPClient`.
package enum ProvinceAPI {
    package static let requestIDHeader = "X-Request-ID"

    /// `{"code": "...", "message": "..."}`, with the application and its state for 404/409.
    package struct ErrorBody: Codable, Sendable {
        package var code: String
        package var message: String
        package var applicationID: String?
        package var state: ApplicationStatus.State?
        package init(code: String, message: String, applicationID: String? = nil, state: ApplicationStatus.State? = nil) {
            self.code = code
            self.message = message
            self.applicationID = applicationID
            self.state = state
        }
    }

    package struct ConflictQuery: Codable, Sendable {
        package var socialSecurityNumber: String
        package var applicationID: String
        package init(socialSecurityNumber: String, applicationID: String) {
            self.socialSecurityNumber = socialSecurityNumber
            self.applicationID = applicationID
        }
    }

    package struct ConflictAnswer: Codable, Sendable {
        package var cards: [ExistingCard]
        package init(cards: [ExistingCard]) {
            self.cards = cards
        }
    }

    package struct AuthenticationKeyRequest: Codable, Sendable {
        package var applicationID: String
        package var access: CardAccess
        /// The Step1 output (`HSMAuthenticationChallenge.interfaceText`).
        package var challenge: String
        package init(applicationID: String, access: CardAccess, challenge: String) {
            self.applicationID = applicationID
            self.access = access
            self.challenge = challenge
        }
    }

    package struct AuthenticationKeyAnswer: Codable, Sendable {
        /// The Step2 `pKey` (`HSMAuthenticationKey.interfaceText`).
        package var key: String
        package init(key: String) {
            self.key = key
        }
    }

    /// `/v1/hsm/internal-authentication`: factor and raw as hex.
    package struct InternalAuthenticationRequest: Codable, Sendable {
        package var cardIdentificationCode: String
        package var factor: String
        package var raw: String
        package init(cardIdentificationCode: String, factor: String, raw: String) {
            self.cardIdentificationCode = cardIdentificationCode
            self.factor = factor
            self.raw = raw
        }
    }

    /// `/v1/hsm/external-authentication`: the key id (e.g. 10 for 0A) and the card's challenge as hex.
    package struct ExternalAuthenticationRequest: Codable, Sendable {
        package var cardIdentificationCode: String
        package var keyID: Int
        package var challenge: String
        package init(cardIdentificationCode: String, keyID: Int, challenge: String) {
            self.cardIdentificationCode = cardIdentificationCode
            self.keyID = keyID
            self.challenge = challenge
        }
    }

    /// `/v1/hsm/pin-mac`: the 16-byte MAC input as hex.
    package struct PINMACRequest: Codable, Sendable {
        package var cardIdentificationCode: String
        package var macInput: String
        package init(cardIdentificationCode: String, macInput: String) {
            self.cardIdentificationCode = cardIdentificationCode
            self.macInput = macInput
        }
    }

    /// The answer of the three one-step HSM calls: the bytes as hex.
    package struct HSMDataAnswer: Codable, Sendable {
        package var data: String
        package init(data: String) {
            self.data = data
        }
    }

    package struct PKISecretsRequest: Codable, Sendable {
        package var cardIdentificationCode: String
        package init(cardIdentificationCode: String) {
            self.cardIdentificationCode = cardIdentificationCode
        }
    }

    package struct PKISecretsAnswer: Codable, Sendable {
        /// ASCII text.
        package var initialAdminPIN: String
        /// 32 hex digits.
        package var masterCardKey: String
        package init(initialAdminPIN: String, masterCardKey: String) {
            self.initialAdminPIN = initialAdminPIN
            self.masterCardKey = masterCardKey
        }
    }

    package struct CertificateRequest: Codable, Sendable {
        package var applicationID: String
        package var socialSecurityNumber: String
        package var cardNumber: String
        package var name: String
        package var regionCode: String
        package var cardIdentificationCode: String
        /// 128 hex digits (X‖Y).
        package var signingPublicKey: String
        package var algorithm: String
        package init(applicationID: String, socialSecurityNumber: String, cardNumber: String, name: String, regionCode: String, cardIdentificationCode: String, signingPublicKey: String, algorithm: String) {
            self.applicationID = applicationID
            self.socialSecurityNumber = socialSecurityNumber
            self.cardNumber = cardNumber
            self.name = name
            self.regionCode = regionCode
            self.cardIdentificationCode = cardIdentificationCode
            self.signingPublicKey = signingPublicKey
            self.algorithm = algorithm
        }
    }

    package struct CertificateAnswer: Codable, Sendable {
        /// `签名证书|加密证书|加密密钥|主控密钥|管理员PIN` (`CAIssuance.interfaceText`).
        package var items: String
        package init(items: String) {
            self.items = items
        }
    }

    package struct ActivationRequest: Codable, Sendable {
        package var requestID: String
        package var applicationID: String
        package var cardNumber: String
        package init(requestID: String, applicationID: String, cardNumber: String) {
            self.requestID = requestID
            self.applicationID = applicationID
            self.cardNumber = cardNumber
        }
    }

    /// `POST /v1/ledger/checkpoints`: a desk's ledger head (sequence 0: record nothing).
    package struct LedgerCheckpointRequest: Codable, Sendable {
        package var terminal: String
        package var sequence: Int64
        package var head: String
        package init(terminal: String, sequence: Int64, head: String) {
            self.terminal = terminal
            self.sequence = sequence
            self.head = head
        }
    }

    /// The checkpoints the system holds for the terminal, in sequence order.
    package struct LedgerCheckpointAnswer: Codable, Sendable {
        package var checkpoints: [LedgerCheckpoint]
        package init(checkpoints: [LedgerCheckpoint]) {
            self.checkpoints = checkpoints
        }
    }

    /// The HTTP status and body the server answers a refusal with.
    package static func response(for error: CardManagementError) -> (status: Int, body: ErrorBody) {
        switch error {
        case .unknownApplication(let id):
            return (404, ErrorBody(code: "UNKNOWN_APPLICATION", message: error.description, applicationID: id))
        case .wrongState(let id, let state):
            return (409, ErrorBody(code: "WRONG_STATE", message: error.description, applicationID: id, state: state))
        case .refused(let code, let message):
            return (422, ErrorBody(code: code, message: message))
        case .serverError(let status, let message):
            return ((500...599).contains(status) ? status : 500, ErrorBody(code: "SERVER_ERROR", message: message))
        case .unreachable(let detail, _), .outcomeUnknown(let detail, _):
            // The simulator's rules never throw these; a gateway would say 502.
            return (502, ErrorBody(code: "BAD_GATEWAY", message: detail))
        }
    }

    /// The error a non-2xx answer stands for. `applicationID`: the one the request was about.
    package static func error(status: Int, body: [UInt8], applicationID: String?) -> CardManagementError {
        let decoded = try? JSONDecoder().decode(ErrorBody.self, from: Data(body))
        let message = decoded?.message ?? String(decoding: body.prefix(512), as: UTF8.self)
        switch status {
        case 404 where decoded?.code == "UNKNOWN_APPLICATION":
            return .unknownApplication(decoded?.applicationID ?? applicationID ?? "")
        case 409 where decoded?.code == "WRONG_STATE" && decoded?.state != nil:
            return .wrongState(applicationID: decoded?.applicationID ?? applicationID ?? "", state: decoded!.state!)
        case 500...599:
            return .serverError(status: status, message: message)
        default:
            return .refused(code: decoded?.code ?? "HTTP_\(status)", message: message)
        }
    }

    package static func encode<T: Encodable>(_ value: T) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // The contract's bodies are plain Codable values and always encode.
        return Array(try! encoder.encode(value))
    }

    /// Percent-encodes an application id for one path segment.
    package static func pathSegment(_ text: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/?#%")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
