import Foundation
import SSCardDriver

/// How a desk signs its requests to the province (docs/province-api.md §4, scheme
/// `SSCARD-HMAC-SM3`). Every request carries four headers:
///
/// | Header | Value |
/// |---|---|
/// | `X-Desk-ID` | the desk id of its credential |
/// | `X-Desk-Timestamp` | Unix time in whole seconds, decimal |
/// | `X-Desk-Nonce` | 32 upper-case hex digits, random, never used twice |
/// | `X-Desk-Signature` | HMAC-SM3 with the desk's secret over the string to sign, 64 hex digits |
///
/// The string to sign is these seven lines joined by LF (no LF after the last), in UTF-8:
///
///     SSCARD-HMAC-SM3
///     <method, e.g. POST>
///     <request target as on the request line, e.g. /v1/hsm/pki-secrets>
///     <SM3 of the body, 64 upper-case hex digits (of no bytes for a GET)>
///     <X-Desk-Timestamp>
///     <X-Desk-Nonce>
///     <X-Desk-ID>
///
/// The province answers 401 with the contract's error body when a header is missing or
/// malformed (`UNAUTHENTICATED`), the desk is unknown or the signature wrong
/// (`BAD_CREDENTIAL`), the timestamp is more than `replayWindowSeconds` from its clock
/// (`STALE_REQUEST`), or the nonce was seen before (`REPLAYED_REQUEST`).
package enum ProvinceRequestSigning {
    package static let scheme = "SSCARD-HMAC-SM3"
    package static let deskHeader = "X-Desk-ID"
    package static let timestampHeader = "X-Desk-Timestamp"
    package static let nonceHeader = "X-Desk-Nonce"
    package static let signatureHeader = "X-Desk-Signature"
    /// How far a request's timestamp may be from the province's clock, either way.
    package static let replayWindowSeconds: Int64 = 300

    /// The 401 codes.
    package static let unauthenticated = "UNAUTHENTICATED"
    package static let badCredential = "BAD_CREDENTIAL"
    package static let staleRequest = "STALE_REQUEST"
    package static let replayedRequest = "REPLAYED_REQUEST"
    package static let refusalCodes: Set<String> = [unauthenticated, badCredential, staleRequest, replayedRequest]

    /// The string to sign (see above).
    package static func stringToSign(method: String, target: String, body: [UInt8], timestamp: String, nonce: String,
                                     deskID: String) throws(CryptoError) -> [UInt8] {
        let bodyHash = try SM3.hash(body).hexString
        return Array([scheme, method, target, bodyHash, timestamp, nonce, deskID].joined(separator: "\n").utf8)
    }

    /// HMAC-SM3 of `stringToSign` with `credential`'s secret.
    package static func signature(_ stringToSign: [UInt8], credential: DeskCredential) throws(CryptoError) -> [UInt8] {
        try credential.withSecret { secret throws(CryptoError) in try SM3.hmac(key: secret, message: stringToSign) }
    }

    /// The four headers for one request, signed now with a fresh nonce.
    package static func headers(method: String, target: String, body: [UInt8], credential: DeskCredential,
                                now: Date = Date()) throws(CryptoError) -> [(name: String, value: String)] {
        let timestamp = String(Int64(now.timeIntervalSince1970.rounded(.down)))
        let nonce = try SecureRandom.bytes(16).hexString
        let text = try stringToSign(method: method, target: target, body: body, timestamp: timestamp, nonce: nonce,
                                    deskID: credential.deskID)
        let mac = try signature(text, credential: credential)
        return [(deskHeader, credential.deskID), (timestampHeader, timestamp), (nonceHeader, nonce),
                (signatureHeader, mac.hexString)]
    }

    /// 16–64 letters, digits, '-' or '_'.
    package static func isValidNonce(_ nonce: String) -> Bool {
        (16...64).contains(nonce.utf8.count)
            && nonce.utf8.allSatisfy { (48...57).contains($0) || (65...90).contains($0) || (97...122).contains($0) || $0 == 45 || $0 == 95 }
    }
}
