import CardManagement
import Foundation
import SSCardDriver
import Synchronization

/// The province's side of `ProvinceRequestSigning` (docs/province-api.md §4): a request is
/// carried out only when it names a registered desk, its timestamp is within the replay window
/// of the province's clock, its HMAC-SM3 is right and its nonce has not been seen. Nonces are
/// remembered (in memory) for twice the window, long enough that a replay is stale by then.
final class ProvinceRequestAuthenticator: Sendable {
    /// Why a request is refused: the 401 code and message.
    struct Refusal: Error, Sendable {
        var code: String
        var message: String
    }

    private let credential: @Sendable (String) -> DeskCredential?
    private let now: @Sendable () -> Date
    private let window = ProvinceRequestSigning.replayWindowSeconds
    private struct Nonces {
        var seen: [String: Int64] = [:]
        var insertsSincePrune = 0
    }
    private let nonces = Mutex(Nonces())

    init(credential: @escaping @Sendable (String) -> DeskCredential?, now: @escaping @Sendable () -> Date = { Date() }) {
        self.credential = credential
        self.now = now
    }

    /// Nil when `request` (its method and target as on the request line) may be carried out.
    func check(method: String, target: String, _ request: ProvinceHTTPMessage) -> Refusal? {
        typealias S = ProvinceRequestSigning
        func single(_ name: String) -> String? {
            let values = request.headers(named: name)
            return values.count == 1 ? values[0] : nil
        }
        guard let deskID = single(S.deskHeader), let timestampText = single(S.timestampHeader),
              let nonce = single(S.nonceHeader), let signatureText = single(S.signatureHeader) else {
            return Refusal(code: S.unauthenticated, message: "请求未签名：须带 \(S.deskHeader)、\(S.timestampHeader)、\(S.nonceHeader)、\(S.signatureHeader) 各一个 "
                           + "the request is not signed: it needs one each of \(S.deskHeader), \(S.timestampHeader), \(S.nonceHeader) and \(S.signatureHeader)")
        }
        guard DeskCredential.isValidDeskID(deskID), S.isValidNonce(nonce),
              (1...12).contains(timestampText.utf8.count), timestampText.utf8.allSatisfy({ (48...57).contains($0) }),
              let timestamp = Int64(timestampText),
              signatureText.utf8.count == 2 * SM3.digestSize, let signature = [UInt8](hex: signatureText) else {
            return Refusal(code: S.unauthenticated, message: "签名头格式错 malformed signature headers")
        }
        let clock = Int64(now().timeIntervalSince1970.rounded(.down))
        guard abs(clock - timestamp) <= window else {
            return Refusal(code: S.staleRequest, message: "请求时间 \(timestamp) 与卡管系统时间 \(clock) 相差超过 \(window) 秒，请校准制卡站时钟 "
                           + "the request's timestamp \(timestamp) is more than \(window) s from the province's clock \(clock): set the desk's clock")
        }
        let badCredential = Refusal(code: S.badCredential, message: "桌面凭据不对（桌面未登记或签名错） the desk's credential is wrong (unknown desk or bad signature)")
        guard let credential = credential(deskID) else { return badCredential }
        guard let text = try? S.stringToSign(method: method, target: target, body: request.body, timestamp: timestampText,
                                             nonce: nonce, deskID: deskID),
              let expected = try? S.signature(text, credential: credential),
              SM3.macsEqual(expected, signature) else { return badCredential }
        let fresh = nonces.withLock { n -> Bool in
            let key = deskID + "\n" + nonce
            guard n.seen[key] == nil else { return false }
            n.seen[key] = timestamp
            n.insertsSincePrune += 1
            if n.insertsSincePrune >= 256 {
                n.insertsSincePrune = 0
                n.seen = n.seen.filter { clock - $0.value <= 2 * window }
            }
            return true
        }
        guard fresh else {
            return Refusal(code: S.replayedRequest, message: "重放的请求（随机数已用过） a replayed request (the nonce was used before)")
        }
        return nil
    }
}
