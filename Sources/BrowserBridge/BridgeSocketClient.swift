import Foundation
import Sockets

/// A small blocking WebSocket client of the bridge (RFC 6455, text messages), over the
/// package's one socket layer: what the benchmark, the tests and a technician's check use to
/// talk to the bridge as a page would, with the `Origin` a browser would send.
///
/// `@unchecked Sendable`: it may be handed to another thread, but is used by one at a time
/// (a request and its reply are one exchange on the socket, which is itself Sendable);
/// `timeout` is only changed between exchanges.
public final class BridgeSocketClient: @unchecked Sendable {
    public enum ClientError: Error, Equatable, CustomStringConvertible {
        /// The handshake was answered with this HTTP status (403: refused) and body.
        case refused(status: Int, body: String)
        case closed
        case protocolError(String)

        public var description: String {
            switch self {
            case .refused(let status, let body): return "handshake refused: HTTP \(status) \(body)"
            case .closed: return "the bridge closed the connection"
            case .protocolError(let what): return "WebSocket protocol error: \(what)"
            }
        }
    }

    private let socket: StreamSocket
    public var timeout: Duration = .seconds(30)
    /// Bytes received and not yet read: one recv usually brings a whole reply.
    private var pending: [UInt8] = []
    private var pendingStart = 0

    /// Connects to `ws://127.0.0.1:<port><path>` sending `origin` (nil: no Origin header) and
    /// `host` (nil: 127.0.0.1:<port>).
    public init(port: Int, origin: String?, path: String = "/", host: String? = nil) throws {
        guard let port16 = UInt16(exactly: port) else { throw ClientError.protocolError("port \(port) is not 0–65535") }
        socket = try StreamSocket.connect(host: "127.0.0.1", port: port16, deadline: .now + .seconds(10))
        var key = [UInt8](repeating: 0, count: 16)
        for i in key.indices { key[i] = UInt8.random(in: 0...255) }
        var request = "GET \(path) HTTP/1.1\r\nHost: \(host ?? "127.0.0.1:\(port)")\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        request += "Sec-WebSocket-Key: \(Data(key).base64EncodedString())\r\nSec-WebSocket-Version: 13\r\n"
        if let origin { request += "Origin: \(origin)\r\n" }
        request += "\r\n"
        try socket.sendAll(Array(request.utf8), deadline: .now + timeout)
        var head: [UInt8] = []
        while !(head.count >= 4 && head.suffix(4) == [13, 10, 13, 10]) {
            guard let byte = try socket.receive(exactly: 1, deadline: .now + timeout) else { throw ClientError.closed }
            head += byte
            guard head.count < 16_384 else { throw ClientError.protocolError("handshake reply too long") }
        }
        let text = String(decoding: head, as: UTF8.self)
        let status = text.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        guard status == 101 else {
            let length = text.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
            let body = length > 0 ? (try? socket.receive(exactly: min(length, 4096), deadline: .now + timeout)) ?? nil : nil
            socket.close()
            throw ClientError.refused(status: status, body: body.map { String(decoding: $0, as: UTF8.self) } ?? "")
        }
    }

    deinit { socket.close() }

    /// Sends one text message (in `fragments` frames) and returns the next text message.
    public func call(_ text: String, fragments: Int = 1) throws -> String {
        try send(text, fragments: fragments)
        return try receiveText()
    }

    /// Sends `text` as one message split over `fragments` frames.
    public func send(_ text: String, fragments: Int = 1) throws {
        let bytes = Array(text.utf8)
        let n = max(1, min(fragments, max(1, bytes.count)))
        let size = (bytes.count + n - 1) / max(n, 1)
        var out: [UInt8] = []
        for i in 0..<n {
            let chunk = Array(bytes[min(bytes.count, i * size)..<min(bytes.count, (i + 1) * size)])
            out += Self.frame(opcode: i == 0 ? 0x1 : 0x0, fin: i == n - 1, payload: chunk)
        }
        try socket.sendAll(out, deadline: .now + timeout)
    }

    /// The next text message; pings are answered, a close frame is `.closed`.
    public func receiveText() throws -> String {
        var message: [UInt8] = []
        while true {
            let h = Array(try take(2))
            let opcode = h[0] & 0x0F, fin = h[0] & 0x80 != 0
            var length = Int(h[1] & 0x7F)
            if length == 126 {
                let l = Array(try take(2))
                length = Int(l[0]) << 8 | Int(l[1])
            } else if length == 127 {
                length = try take(8).reduce(0) { $0 << 8 | Int($1) }
            }
            // An 8-byte length can shift into the sign bit: a negative one is refused with the huge ones.
            guard (0...(64 << 20)).contains(length) else { throw ClientError.protocolError("frame of \(length) bytes") }
            let payload = try take(length)
            switch opcode {
            case 0x8: throw ClientError.closed
            case 0x9: try socket.sendAll(Self.frame(opcode: 0xA, fin: true, payload: Array(payload)), deadline: .now + timeout)
            case 0xA: continue
            default:
                message += payload
                if fin { return String(decoding: message, as: UTF8.self) }
            }
        }
    }

    /// The next `count` bytes from the socket, through `pending`.
    private func take(_ count: Int) throws -> ArraySlice<UInt8> {
        while pending.count - pendingStart < count {
            if pendingStart > 0 {
                pending.removeFirst(pendingStart)
                pendingStart = 0
            }
            let chunk = try socket.receive(maxCount: max(65_536, count), deadline: .now + timeout)
            if chunk.isEmpty { throw ClientError.closed }
            pending += chunk
        }
        defer { pendingStart += count }
        return pending[pendingStart..<pendingStart + count]
    }

    /// One masked client frame (RFC 6455 §5.2).
    static func frame(opcode: UInt8, fin: Bool, payload: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [(fin ? 0x80 : 0) | opcode]
        out.reserveCapacity(payload.count + 14)
        switch payload.count {
        case ..<126: out.append(0x80 | UInt8(payload.count))
        case ..<65_536: out += [0x80 | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        default:
            out.append(0x80 | 127)
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8((payload.count >> shift) & 0xFF)) }
        }
        let mask = (0..<4).map { _ in UInt8.random(in: 0...255) }
        out += mask
        for (i, b) in payload.enumerated() { out.append(b ^ mask[i & 3]) }
        return out
    }

    public func close() { socket.close() }
}
