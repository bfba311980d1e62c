import Foundation
import Sockets

/// Why a message could not be read.
package enum ProvinceHTTPReadError: Error, Sendable {
    /// The peer closed the connection, or reset it (`cause`); `partial` when some bytes of a
    /// message had come.
    case closed(partial: Bool, cause: SocketError?)
    /// The deadline passed first.
    case timedOut(SocketError)
    /// Not HTTP/1.1 as the contract frames it: a bad start line, a bad header line (obs-fold,
    /// no colon, space before it, control characters, bare CR or LF), a missing, duplicate or
    /// non-digit `Content-Length`, `Content-Length` with `Transfer-Encoding`, a request with
    /// `Transfer-Encoding`, a bad chunk.
    case malformed(String)
    /// The body is longer than `limit` bytes (HTTP 413); nothing of it was read.
    case tooLarge(limit: Int)
    /// The stream failed otherwise.
    case failed(SocketError)
}

/// Reads HTTP/1.1 messages from a connection, keeping what it read past one message. Strict
/// about framing, so that a proxy in front and this reader cannot disagree on where a message
/// ends (request smuggling): requests are framed by one `Content-Length` of digits only (or
/// have no body); answers by one `Content-Length` or by `Transfer-Encoding: chunked`.
/// One thread uses one reader.
package final class ProvinceHTTPReader {
    /// Requests (a server reads them) or answers (a client does).
    package enum Kind: Sendable { case request, response }

    package let stream: any ProvinceByteStream
    package let kind: Kind
    /// The largest body taken; a longer one is `.tooLarge`.
    package let maximumBodyBytes: Int
    private var buffer: [UInt8] = []

    package init(stream: any ProvinceByteStream, kind: Kind, maximumBodyBytes: Int? = nil) {
        self.stream = stream
        self.kind = kind
        self.maximumBodyBytes = maximumBodyBytes
            ?? (kind == .request ? ProvinceHTTPMessage.maximumRequestBodyBytes : ProvinceHTTPMessage.maximumBodyBytes)
    }

    /// The next message; waits at most until `deadline` for all of it, or without limit when nil.
    package func readMessage(deadline: ContinuousClock.Instant?) throws(ProvinceHTTPReadError) -> ProvinceHTTPMessage {
        if kind == .request {
            // RFC 9112 §2.2: empty lines before a request line are ignored.
            while true {
                if buffer.starts(with: [13, 10]) { buffer.removeFirst(2); continue }
                if buffer.isEmpty || buffer == [13] { try fill(deadline: deadline); continue }
                break
            }
        }
        var headEnd: Int
        while true {
            if let end = Self.find([13, 10, 13, 10], in: buffer) { headEnd = end; break }
            guard buffer.count <= ProvinceHTTPMessage.maximumHeadBytes else { throw .malformed("header over 64 KiB") }
            try fill(deadline: deadline)
        }
        guard headEnd <= ProvinceHTTPMessage.maximumHeadBytes else { throw .malformed("header over 64 KiB") }
        var message = try Self.parseHead(Array(buffer[0..<headEnd]), kind: kind)
        buffer.removeFirst(headEnd + 4)
        switch try framing(of: message) {
        case .length(let length):
            while buffer.count < length { try fill(deadline: deadline, partial: true) }
            message.body = Array(buffer[0..<length])
            buffer.removeFirst(length)
        case .chunked:
            message.body = try readChunks(deadline: deadline)
        }
        return message
    }

    // MARK: The head

    /// The start line and header lines of a head (without its final CRLF CRLF).
    static func parseHead(_ head: [UInt8], kind: Kind) throws(ProvinceHTTPReadError) -> ProvinceHTTPMessage {
        for (i, byte) in head.enumerated() {
            switch byte {
            case 13 where i + 1 >= head.count || head[i + 1] != 10: throw .malformed("bare CR in the header")
            case 10 where i == 0 || head[i - 1] != 13: throw .malformed("bare LF in the header")
            case 0, 1...8, 11, 12, 14...31, 127: throw .malformed("control character in the header")
            default: continue
            }
        }
        // Every CR is followed by LF and every LF preceded by CR: each line but the last ends in CR.
        var lines = head.split(separator: 10, omittingEmptySubsequences: false).map(Array.init)
        for i in lines.indices.dropLast() { lines[i].removeLast() }
        let startLine = String(decoding: lines.removeFirst(), as: UTF8.self)
        switch kind {
        case .request: guard isRequestLine(startLine) else { throw .malformed("bad request line") }
        case .response: guard isStatusLine(startLine) else { throw .malformed("bad status line") }
        }
        var headers: [(name: String, value: String)] = []
        for line in lines {
            guard let first = line.first else { throw .malformed("empty header line") }
            guard first != 32, first != 9 else { throw .malformed("obs-fold (a header line starting with a space or tab)") }
            guard let colon = line.firstIndex(of: 58) else { throw .malformed("header line without ':'") }
            let name = line[..<colon]
            guard !name.isEmpty, name.allSatisfy(isTokenCharacter) else { throw .malformed("bad header name") }
            var value = line[(colon + 1)...]
            while let c = value.first, c == 32 || c == 9 { value.removeFirst() }
            while let c = value.last, c == 32 || c == 9 { value.removeLast() }
            headers.append((String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self)))
        }
        return ProvinceHTTPMessage(startLine: startLine, headers: headers)
    }

    /// `METHOD SP /target SP HTTP/1.1` (or 1.0), single spaces, a token method, an origin-form target.
    static func isRequestLine(_ line: String) -> Bool {
        let parts = line.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, parts[0].utf8.allSatisfy(isTokenCharacter),
              parts[1].hasPrefix("/"), parts[1].utf8.allSatisfy({ $0 > 32 && $0 < 127 }),
              parts[2] == "HTTP/1.1" || parts[2] == "HTTP/1.0" else { return false }
        return true
    }

    /// `HTTP/1.x SP 3DIGIT [SP reason]`.
    static func isStatusLine(_ line: String) -> Bool {
        let bytes = Array(line.utf8)
        guard bytes.count >= 12, line.hasPrefix("HTTP/1."), (48...57).contains(bytes[7]), bytes[8] == 32,
              bytes[9...11].allSatisfy({ (48...57).contains($0) }) else { return false }
        return bytes.count == 12 || bytes[12] == 32
    }

    /// RFC 9110 `tchar`.
    static func isTokenCharacter(_ c: UInt8) -> Bool {
        switch c {
        case 48...57, 65...90, 97...122: true
        default: Array("!#$%&'*+-.^_`|~".utf8).contains(c)
        }
    }

    // MARK: The body

    private enum Framing { case length(Int), chunked }

    private func framing(of message: ProvinceHTTPMessage) throws(ProvinceHTTPReadError) -> Framing {
        let lengths = message.headers(named: "Content-Length")
        let encodings = message.headers(named: "Transfer-Encoding")
        if !encodings.isEmpty {
            guard lengths.isEmpty else { throw .malformed("Content-Length with Transfer-Encoding") }
            guard kind == .response else { throw .malformed("Transfer-Encoding is not accepted in a request; send Content-Length") }
            guard encodings.count == 1, encodings[0].lowercased() == "chunked" else {
                throw .malformed("Transfer-Encoding \(encodings.joined(separator: ", ")) is not supported (only chunked)")
            }
            return .chunked
        }
        guard lengths.count <= 1 else { throw .malformed("duplicate Content-Length") }
        guard let text = lengths.first else { return .length(0) }
        guard !text.isEmpty, text.utf8.count <= 18, text.utf8.allSatisfy({ (48...57).contains($0) }), let length = Int(text) else {
            throw .malformed("bad Content-Length \(text)")
        }
        guard length <= maximumBodyBytes else { throw .tooLarge(limit: maximumBodyBytes) }
        return .length(length)
    }

    /// A chunked body (RFC 9112 §7.1): hex sizes with optional extensions (ignored), the last
    /// chunk, trailer fields (ignored).
    private func readChunks(deadline: ContinuousClock.Instant?) throws(ProvinceHTTPReadError) -> [UInt8] {
        var body: [UInt8] = []
        while true {
            let line = try readLine(deadline: deadline)
            let digits = line.prefix { Self.hexValue($0) != nil }
            let rest = line.dropFirst(digits.count).drop { $0 == 32 || $0 == 9 }
            guard !digits.isEmpty, digits.count <= 15, rest.isEmpty || rest.first == 59 else {  // ';'
                throw .malformed("bad chunk size")
            }
            let size = digits.reduce(0) { $0 << 4 | Int(Self.hexValue($1)!) }
            if size == 0 { break }
            guard body.count + size <= maximumBodyBytes else { throw .tooLarge(limit: maximumBodyBytes) }
            while buffer.count < size + 2 { try fill(deadline: deadline, partial: true) }
            guard buffer[size] == 13, buffer[size + 1] == 10 else { throw .malformed("chunk not followed by CRLF") }
            body += buffer[0..<size]
            buffer.removeFirst(size + 2)
        }
        var trailer = 0
        while true {
            let line = try readLine(deadline: deadline)
            if line.isEmpty { return body }
            trailer += line.count
            guard trailer <= ProvinceHTTPMessage.maximumHeadBytes else { throw .malformed("trailer over 64 KiB") }
        }
    }

    /// One CRLF-terminated line of a chunked body, without the CRLF.
    private func readLine(deadline: ContinuousClock.Instant?) throws(ProvinceHTTPReadError) -> [UInt8] {
        while true {
            if let end = Self.find([13, 10], in: buffer) {
                let line = Array(buffer[0..<end])
                buffer.removeFirst(end + 2)
                return line
            }
            guard buffer.count <= 4096 else { throw .malformed("chunk line over 4 KiB") }
            try fill(deadline: deadline, partial: true)
        }
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: c - 48
        case 65...70: c - 55
        case 97...102: c - 87
        default: nil
        }
    }

    // MARK: Reading

    private func fill(deadline: ContinuousClock.Instant?, partial: Bool = false) throws(ProvinceHTTPReadError) {
        let partial = partial || !buffer.isEmpty
        let chunk: [UInt8]
        do {
            chunk = try stream.receive(maxCount: 16_384, deadline: deadline)
        } catch {
            if error.isTimeout { throw .timedOut(error) }
            if error.isConnectionLost { throw .closed(partial: partial, cause: error) }
            throw .failed(error)
        }
        guard !chunk.isEmpty else { throw .closed(partial: partial, cause: nil) }
        buffer += chunk
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where haystack[i] == needle[0] {
            if haystack[i..<(i + needle.count)].elementsEqual(needle) { return i }
        }
        return nil
    }
}
