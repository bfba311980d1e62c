import Foundation

/// One HTTP/1.1 message as the province contract uses it (docs/province-api.md): a start
/// line, headers, and a body framed by `Content-Length` (no chunked encoding).
package struct ProvinceHTTPMessage: Sendable {
    package var startLine: String
    package var headers: [(name: String, value: String)]
    package var body: [UInt8]

    package init(startLine: String, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.startLine = startLine
        self.headers = headers
        self.body = body
    }

    /// The first header of that name (case-insensitive).
    package func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    /// The bytes on the wire; `Content-Length` is added.
    package var wireBytes: [UInt8] {
        var text = startLine + "\r\n"
        for (name, value) in headers where name.caseInsensitiveCompare("Content-Length") != .orderedSame {
            text += "\(name): \(value)\r\n"
        }
        text += "Content-Length: \(body.count)\r\n\r\n"
        return Array(text.utf8) + body
    }

    package static let maximumHeadBytes = 64 * 1024
    package static let maximumBodyBytes = 16 * 1024 * 1024
}
