import Foundation

/// The `function` JSON dialect of the vendors' local WebSocket services, as pages speak it:
/// request `{"function":"iReadCardBas","iType":3}`, reply
/// `{"functionName":"iReadCardBas","success":"1","pOutInfo":"…"}`. `success` is "1" on success,
/// otherwise the code as text ("-2": insert the card). The bridge adds one thing the old
/// dialect lacks: an optional `"id"` echoed in the reply, so concurrent calls can be matched.
public enum BridgeDialect {
    /// Request keys that are not parameters of a function.
    static let envelopeKeys: Set<String> = ["function", "id", "wait"]
}

/// One request of a page, decoded but not yet checked against a function.
public struct BridgeRequest: Sendable {
    /// The name as the page sent it (before aliases).
    public var function: String
    /// The page's `id`, echoed as sent (string or number).
    public var id: JSONValue?
    /// The page's wait for a busy reader, in milliseconds (extension; 0…60000).
    public var waitMilliseconds: Int?
    /// Every other key of the request.
    public var fields: [String: JSONValue]

    /// Decodes one text message. The error says what is wrong, in both languages.
    public static func decode(_ text: String) -> Result<BridgeRequest, BridgeRefusal> {
        let object: [String: JSONValue]
        do {
            object = try JSONDecoder().decode([String: JSONValue].self, from: Data(text.utf8))
        } catch {
            return .failure(BridgeRefusal(.malformed, "请求不是 JSON 对象", "the request is not a JSON object"))
        }
        let id = object["id"]
        guard case .string(let function)? = object["function"], !function.isEmpty else {
            return .failure(BridgeRefusal(.malformed, "请求缺少 function 字段（字符串）", "the request has no \"function\" string", id: id))
        }
        var wait: Int?
        if let w = object["wait"] {
            guard case .number(let n) = w, n.rounded() == n, (0...60_000).contains(n) else {
                return .failure(BridgeRefusal(.badParameter, "wait 应为 0–60000 毫秒", "wait must be 0–60000 milliseconds", function: function, id: id))
            }
            wait = Int(n)
        }
        var fields = object
        for key in BridgeDialect.envelopeKeys { fields[key] = nil }
        return .success(BridgeRequest(function: function, id: id, waitMilliseconds: wait, fields: fields))
    }
}

/// One reply in the dialect.
public struct BridgeReply: Hashable, Sendable {
    public var functionName: String
    /// 0 for success (sent as "1"), otherwise the driver's or the bridge's negative code.
    public var code: Int
    public var pOutInfo: String
    public var id: JSONValue?

    public init(functionName: String, code: Int, pOutInfo: String, id: JSONValue? = nil) {
        self.functionName = functionName
        self.code = code
        self.pOutInfo = pOutInfo
        self.id = id
    }

    /// `success` as the dialect writes it.
    public var success: String { code == 0 ? "1" : String(code) }

    /// The reply's JSON text (UTF-8 when sent: JSON is UTF-8, RFC 8259 §8.1).
    public var jsonText: String {
        var out = "{\"functionName\":" + JSONValue.quoted(functionName)
        out += ",\"success\":" + JSONValue.quoted(success)
        out += ",\"pOutInfo\":" + JSONValue.quoted(pOutInfo)
        if let id { out += ",\"id\":" + id.jsonText }
        return out + "}"
    }
}

/// The bridge's own codes, beside the national ones (−1…−2204): pages see them in `success`.
public enum BridgeCode: Int, Sendable, CaseIterable {
    /// The national −13: a function the bridge does not serve.
    case unsupported = -13
    /// The national −14: malformed JSON, a missing or mistyped parameter, an oversized message.
    case badParameter = -14
    /// The reader (or the printer) is busy with another page's call or two-step session.
    case busy = -9001
    /// This connection sent more requests than its rate allows; nothing was done.
    case rateLimited = -9002
    /// A step 2/3 of a two-step session this connection did not begin (or that expired).
    case notYourSession = -9003
    /// A field that looks like a PIN: PINs are entered on the PIN pad or the desk, never sent.
    case pinInJSON = -9004

    static let malformed = BridgeCode.badParameter
}

/// A request the bridge refuses before the driver sees it.
public struct BridgeRefusal: Error, Hashable, Sendable {
    public var code: BridgeCode
    public var chinese: String
    public var english: String
    public var function: String
    public var id: JSONValue?

    public init(_ code: BridgeCode, _ chinese: String, _ english: String, function: String = "", id: JSONValue? = nil) {
        self.code = code
        self.chinese = chinese
        self.english = english
        self.function = function
        self.id = id
    }

    func reply(language: BridgeLanguage) -> BridgeReply {
        BridgeReply(functionName: function, code: code.rawValue, pOutInfo: language == .zh ? chinese : english, id: id)
    }
}

/// The language of the bridge's own messages (the driver's pOutInfo is as the C ABI gives it).
public enum BridgeLanguage: String, Sendable {
    case zh, en
}
