import Foundation
import Glibc

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

/// Why a message could not be read.
package enum ProvinceHTTPReadError: Error, Sendable {
    /// The peer closed (or reset) the connection; `partial` when some bytes of a message had come.
    case closed(partial: Bool)
    /// The deadline passed first.
    case timedOut
    /// Not HTTP/1.1 as the contract frames it.
    case malformed(String)
    /// `recv`/`poll` failed with this errno.
    case failed(Int32)
}

/// Reads HTTP messages from a connected socket, keeping what it read past one message.
/// One thread uses one reader.
package final class ProvinceHTTPReader {
    package let fd: Int32
    private var buffer: [UInt8] = []

    package init(fd: Int32) { self.fd = fd }

    /// The next message; waits at most until `deadline` (monotonic seconds, `monotonicNow()`),
    /// or without limit when nil.
    package func readMessage(deadline: Double?) throws(ProvinceHTTPReadError) -> ProvinceHTTPMessage {
        var headEnd: Int?
        while true {
            if let end = Self.find([13, 10, 13, 10], in: buffer) { headEnd = end; break }
            guard buffer.count <= ProvinceHTTPMessage.maximumHeadBytes else { throw .malformed("header over 64 KiB") }
            try fill(deadline: deadline)
        }
        let head = String(decoding: buffer[0..<headEnd!], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let startLine = lines.removeFirst()
        var headers: [(name: String, value: String)] = []
        for line in lines where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { throw .malformed("header line without ':'") }
            headers.append((String(line[..<colon]).trimmingCharacters(in: .whitespaces),
                            String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)))
        }
        var message = ProvinceHTTPMessage(startLine: startLine, headers: headers)
        if message.header("Transfer-Encoding") != nil { throw .malformed("Transfer-Encoding is not supported; send Content-Length") }
        let length: Int
        if let text = message.header("Content-Length") {
            guard let n = Int(text), n >= 0, n <= ProvinceHTTPMessage.maximumBodyBytes else { throw .malformed("bad Content-Length \(text)") }
            length = n
        } else {
            length = 0
        }
        buffer.removeFirst(headEnd! + 4)
        while buffer.count < length { try fill(deadline: deadline, partial: true) }
        message.body = Array(buffer[0..<length])
        buffer.removeFirst(length)
        return message
    }

    private func fill(deadline: Double?, partial: Bool = false) throws(ProvinceHTTPReadError) {
        let partial = partial || !buffer.isEmpty
        while true {
            var timeoutMS: Int32 = -1
            if let deadline {
                let left = deadline - monotonicNow()
                guard left > 0 else { throw .timedOut }
                timeoutMS = Int32(min(left * 1000, 3_600_000).rounded(.up))
            }
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, timeoutMS)
            if ready < 0 {
                if errno == EINTR { continue }
                throw .failed(errno)
            }
            if ready == 0 { throw .timedOut }
            var chunk = [UInt8](repeating: 0, count: 16_384)
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 { buffer += chunk[0..<n]; return }
            if n == 0 { throw .closed(partial: partial) }
            if errno == EINTR || errno == EAGAIN { continue }
            if errno == ECONNRESET || errno == EBADF || errno == ENOTCONN || errno == EPIPE { throw .closed(partial: partial) }
            throw .failed(errno)
        }
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where haystack[i] == needle[0] {
            if Array(haystack[i..<(i + needle.count)]) == needle { return i }
        }
        return nil
    }
}

/// `send` until all is written (no SIGPIPE); returns how many bytes went out and the errno
/// of the failure, if one stopped it.
package func provinceSendAll(_ fd: Int32, _ bytes: [UInt8]) -> (sent: Int, error: Int32?) {
    var sent = 0
    while sent < bytes.count {
        let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
        if n > 0 { sent += n; continue }
        if n < 0 && errno == EINTR { continue }
        return (sent, n < 0 ? errno : EPIPE)
    }
    return (sent, nil)
}

/// Seconds on the monotonic clock.
package func monotonicNow() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
