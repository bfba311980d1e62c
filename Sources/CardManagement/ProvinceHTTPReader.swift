import Foundation
import Sockets

/// Why a message could not be read.
package enum ProvinceHTTPReadError: Error, Sendable {
    /// The peer closed the connection, or reset it (`cause`); `partial` when some bytes of a
    /// message had come.
    case closed(partial: Bool, cause: SocketError?)
    /// The deadline passed first.
    case timedOut(SocketError)
    /// Not HTTP/1.1 as the contract frames it.
    case malformed(String)
    /// The socket failed otherwise.
    case failed(SocketError)
}

/// Reads HTTP messages from a connection, keeping what it read past one message.
/// One thread uses one reader.
package final class ProvinceHTTPReader {
    package let connection: StreamSocket
    private var buffer: [UInt8] = []

    package init(connection: StreamSocket) { self.connection = connection }

    /// The next message; waits at most until `deadline`, or without limit when nil.
    package func readMessage(deadline: ContinuousClock.Instant?) throws(ProvinceHTTPReadError) -> ProvinceHTTPMessage {
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

    private func fill(deadline: ContinuousClock.Instant?, partial: Bool = false) throws(ProvinceHTTPReadError) {
        let partial = partial || !buffer.isEmpty
        let chunk: [UInt8]
        do {
            chunk = try connection.receive(maxCount: 16_384, deadline: deadline)
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
            if Array(haystack[i..<(i + needle.count)]) == needle { return i }
        }
        return nil
    }
}
