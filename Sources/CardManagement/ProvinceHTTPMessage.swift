import Foundation

/// One HTTP/1.1 message as the province contract uses it (docs/province-api.md): a start
/// line, headers, and a body framed by `Content-Length` (answers may come chunked;
/// `ProvinceHTTPReader` reads both).
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

    /// Every header of that name (case-insensitive), in order.
    package func headers(named name: String) -> [String] {
        headers.filter { $0.name.caseInsensitiveCompare(name) == .orderedSame }.map(\.value)
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
    /// The largest answer body a client takes.
    package static let maximumBodyBytes = 16 * 1024 * 1024
    /// The largest request body a server takes (a larger one is answered 413).
    package static let maximumRequestBodyBytes = 1024 * 1024
}
