import Foundation

/// A piece of page markup. Text interpolated into it is escaped unless it is itself `HTML`, so
/// an applicant's name, a clerk's name or an error message is always data, never markup:
/// `"<td>\(name)</td>" as HTML` shows `<script>` as the eight characters it is.
struct HTML: Sendable, Hashable, ExpressibleByStringInterpolation, CustomStringConvertible {
    private(set) var text: String

    init(stringLiteral value: String) { text = value }
    init(stringInterpolation: StringInterpolation) { text = stringInterpolation.text }
    /// Markup the caller vouches for (built by this module, never from input).
    init(trusted text: String) { self.text = text }
    static let empty = HTML(trusted: "")

    var description: String { text }

    struct StringInterpolation: StringInterpolationProtocol {
        var text = ""
        init(literalCapacity: Int, interpolationCount: Int) { text.reserveCapacity(literalCapacity + 16 * interpolationCount) }
        mutating func appendLiteral(_ literal: String) { text += literal }
        mutating func appendInterpolation(_ value: String) { text += HTML.escape(value) }
        mutating func appendInterpolation(_ value: Int) { text += String(value) }
        mutating func appendInterpolation(_ value: HTML) { text += value.text }
        mutating func appendInterpolation(_ values: [HTML]) { for v in values { text += v.text } }
        mutating func appendInterpolation(_ value: Text, _ language: DeskLanguage) { text += HTML.escape(value.in(language)) }
    }

    static func + (a: HTML, b: HTML) -> HTML { HTML(trusted: a.text + b.text) }

    /// Escapes the five characters that can end text or an attribute value (`& < > " '`).
    static func escape(_ value: String) -> String {
        var out = ""
        out.reserveCapacity(value.utf8.count)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// A value for a URL's query or path segment: only RFC 3986's unreserved characters kept.
    static func urlComponent(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }

    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
}
