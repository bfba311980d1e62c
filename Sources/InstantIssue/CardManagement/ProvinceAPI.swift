import Foundation
import SSCardDriver

/// The JSON bodies and status codes of the province HTTP contract (docs/province-api.md),
/// shared by `ProvinceSimulatorServer` and `CardManagementHTTPClient`.
enum ProvinceAPI {
    static let requestIDHeader = "X-Request-ID"

    /// `{"code": "...", "message": "..."}`, with the application and its state for 404/409.
    struct ErrorBody: Codable, Sendable {
        var code: String
        var message: String
        var applicationID: String?
        var state: ApplicationStatus.State?
    }

    struct ConflictQuery: Codable, Sendable {
        var socialSecurityNumber: String
        var applicationID: String
    }

    struct ConflictAnswer: Codable, Sendable {
        var cards: [ExistingCard]
    }

    struct AuthenticationKeyRequest: Codable, Sendable {
        var applicationID: String
        var access: CardAccess
        /// The Step1 output (`HSMAuthenticationChallenge.interfaceText`).
        var challenge: String
    }

    struct AuthenticationKeyAnswer: Codable, Sendable {
        /// The Step2 `pKey` (`HSMAuthenticationKey.interfaceText`).
        var key: String
    }

    struct PKISecretsRequest: Codable, Sendable {
        var cardIdentificationCode: String
    }

    struct PKISecretsAnswer: Codable, Sendable {
        /// ASCII text.
        var initialAdminPIN: String
        /// 32 hex digits.
        var masterCardKey: String
    }

    struct CertificateRequest: Codable, Sendable {
        var applicationID: String
        var socialSecurityNumber: String
        var cardNumber: String
        var name: String
        var regionCode: String
        var cardIdentificationCode: String
        /// 128 hex digits (X‖Y).
        var signingPublicKey: String
        var algorithm: String
    }

    struct CertificateAnswer: Codable, Sendable {
        /// `签名证书|加密证书|加密密钥|主控密钥|管理员PIN` (`CAIssuance.interfaceText`).
        var items: String
    }

    struct ActivationRequest: Codable, Sendable {
        var requestID: String
        var applicationID: String
        var cardNumber: String
    }

    /// The HTTP status and body the server answers a refusal with.
    static func response(for error: CardManagementError) -> (status: Int, body: ErrorBody) {
        switch error {
        case .unknownApplication(let id):
            return (404, ErrorBody(code: "UNKNOWN_APPLICATION", message: error.description, applicationID: id))
        case .wrongState(let id, let state):
            return (409, ErrorBody(code: "WRONG_STATE", message: error.description, applicationID: id, state: state))
        case .refused(let code, let message):
            return (422, ErrorBody(code: code, message: message))
        case .serverError(let status, let message):
            return ((500...599).contains(status) ? status : 500, ErrorBody(code: "SERVER_ERROR", message: message))
        case .unreachable(let detail), .outcomeUnknown(let detail):
            // The simulator's rules never throw these; a gateway would say 502.
            return (502, ErrorBody(code: "BAD_GATEWAY", message: detail))
        }
    }

    /// The error a non-2xx answer stands for. `applicationID`: the one the request was about.
    static func error(status: Int, body: [UInt8], applicationID: String?) -> CardManagementError {
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

    static func encode<T: Encodable>(_ value: T) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // The contract's bodies are plain Codable values and always encode.
        return Array(try! encoder.encode(value))
    }

    /// Percent-encodes an application id for one path segment.
    static func pathSegment(_ text: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/?#%")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
