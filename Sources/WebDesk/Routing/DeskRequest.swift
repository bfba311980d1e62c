import Foundation
import HTTPTypes
import Hummingbird
import InstantIssue

/// What a page handler gets: the desk, the session (signed in for `page` and `action` routes),
/// the language, the query, the form of a POST and the path's parameters.
struct DeskRequest: Sendable {
    let desk: WebDesk
    let session: DeskSession?
    let query: [String: [String]]
    let form: [String: [String]]
    let parameters: Parameters
    let path: String

    var language: DeskLanguage { session?.language ?? desk.settings.language }
    /// The signed-in clerk: who the journal and the 台账 record.
    var clerk: String { session?.clerk ?? "" }
    var role: ClerkRole? { session?.role }
    var csrf: String { session?.csrf ?? "" }

    func text(_ t: Text) -> String { t.in(language) }
    func text(_ zh: String, _ en: String) -> String { language == .zh ? zh : en }

    func parameter(_ name: String) -> String { parameters.get(name) ?? "" }
    func queryValue(_ name: String) -> String? { query[name]?.first }
    func formValue(_ name: String) -> String? { form[name]?.first }

    /// The hidden field every form of the desk carries.
    var csrfField: HTML { "<input type=\"hidden\" name=\"csrf\" value=\"\(csrf)\">" }

    /// `a=1&b=2` as a dictionary of lists; `+` is a space, as forms send it.
    static func parseForm(_ text: Substring) -> [String: [String]] {
        var out: [String: [String]] = [:]
        for pair in text.split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String {
                String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            out[decode(parts[0]), default: []].append(parts.count > 1 ? decode(parts[1]) : "")
        }
        return out
    }
}

/// What a page handler answers.
struct DeskResponse: Sendable {
    var status: HTTPResponse.Status = .ok
    var headers: HTTPFields = HTTPFields()
    var body: ResponseBody

    static func html(_ page: HTML, status: HTTPResponse.Status = .ok) -> DeskResponse {
        var h = HTTPFields()
        h[.contentType] = "text/html; charset=utf-8"
        return DeskResponse(status: status, headers: h, body: .init(byteBuffer: ByteBuffer(string: page.description)))
    }

    /// 303 See Other: after a POST, the browser GETs the page that shows the result.
    static func redirect(_ location: String) -> DeskResponse {
        var h = HTTPFields()
        h[.location] = location
        return DeskResponse(status: .seeOther, headers: h, body: .init())
    }

    static func bytes(_ data: [UInt8], type: String, cache: Bool = false) -> DeskResponse {
        var h = HTTPFields()
        h[.contentType] = type
        if cache { h[.cacheControl] = "private, max-age=3600" }
        return DeskResponse(headers: h, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func json<T: Encodable>(_ value: T) -> DeskResponse {
        let data = (try? JSONEncoder().encode(value)) ?? Data("null".utf8)
        return bytes([UInt8](data), type: "application/json; charset=utf-8")
    }

    static func text(_ text: String, status: HTTPResponse.Status) -> DeskResponse {
        var h = HTTPFields()
        h[.contentType] = "text/plain; charset=utf-8"
        return DeskResponse(status: status, headers: h, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    var response: Response { Response(status: status, headers: headers, body: body) }
}
