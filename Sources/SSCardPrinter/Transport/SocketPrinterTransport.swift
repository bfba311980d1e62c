import SSCardDriver
import Sockets
import Synchronization

/// A printer link over a local stream socket: TCP (the virtual printer listens on
/// 127.0.0.1:35970 by default) or a Unix-domain socket. 套接字链路.
///
/// Every wait has the caller's deadline (`StreamSocket` polls). Replies end at CR, LF or NUL.
/// The connection opens on the first `send` and again after the peer closed it or an error,
/// so a restarted virtual printer is found again.
public final class SocketPrinterTransport: PrinterTransport {
    /// Where the printer listens.
    public enum Endpoint: Hashable, Sendable, CustomStringConvertible {
        /// IPv4 TCP; `host` is a dotted address (the virtual printer binds loopback only).
        case tcp(host: String, port: UInt16)
        /// A Unix-domain stream socket at `path`.
        case unix(path: String)

        /// The virtual printer's default: 127.0.0.1:35970.
        public static let virtualPrinterDefault = Endpoint.tcp(host: "127.0.0.1", port: 35970)

        public var description: String {
            switch self {
            case .tcp(let host, let port): return "\(host):\(port)"
            case .unix(let path): return "unix:\(path)"
            }
        }

        /// The socket address: EINVAL for a host that is not a dotted IPv4 address.
        func socketAddress() throws(SocketError) -> SocketAddress {
            switch self {
            case .tcp(let host, let port): return try .ipv4(host, port: port)
            case .unix(let path): return try .unix(path)
            }
        }
    }

    public let endpoint: Endpoint
    /// Longest wait for the connection itself (the command's own timeout caps it too).
    public let connectTimeout: Duration

    private struct Link {
        var socket: StreamSocket?
        var replies = EscapeReplyAssembler()

        /// Closes the connection: the next `send` opens a new one.
        mutating func drop() {
            socket?.close()
            socket = nil
            replies.reset()
        }
    }

    private let link = Mutex(Link())

    public init(endpoint: Endpoint = .virtualPrinterDefault, connectTimeout: Duration = .seconds(5)) {
        self.endpoint = endpoint
        self.connectTimeout = connectTimeout
    }

    deinit {
        close()
    }

    public var endpointDescription: String { endpoint.description }

    public func send(_ bytes: [UInt8], timeout: Duration) throws(PrinterTransportError) {
        let deadline = TransportDeadline(timeout)
        try link.withLock { l throws(PrinterTransportError) in
            if l.socket == nil {
                l.socket = try connect(timeout: min(timeout, connectTimeout))
                l.replies.reset()
            }
            guard let socket = l.socket else { return }
            var sent = 0
            do throws(SocketError) {
                try socket.sendAll(bytes, deadline: deadline.end, sent: &sent)
            } catch {
                // Half a command may be out: the stream is no longer in step with the printer.
                l.drop()
                if error.isTimeout { throw .timeout("sending \(bytes.count) bytes (\(sent) sent)") }
                throw .socket(error)
            }
        }
    }

    public func receiveReply(timeout: Duration) throws(PrinterTransportError) -> [UInt8] {
        let deadline = TransportDeadline(timeout)
        return try link.withLock { l throws(PrinterTransportError) -> [UInt8] in
            while true {
                if let reply = l.replies.nextReply() { return reply }
                guard let socket = l.socket else { throw .closed("no connection to \(endpoint)") }
                let chunk: [UInt8]
                do throws(SocketError) {
                    chunk = try socket.receive(maxCount: 4_096, deadline: deadline.end)
                } catch {
                    if error.isTimeout { throw .timeout("waiting for the reply from \(endpoint)") }
                    l.drop()
                    throw .socket(error)
                }
                guard !chunk.isEmpty else {
                    l.drop()
                    throw .closed("\(endpoint) closed the connection")
                }
                l.replies.append(chunk)
            }
        }
    }

    public func discardPendingInput() {
        link.withLock { l in
            l.replies.reset()
            // Whatever is there now, without waiting; closed: reconnect on the next send.
            while let socket = l.socket, let chunk = try? socket.receive(maxCount: 4_096, deadline: .now) {
                if chunk.isEmpty { l.drop() }
            }
        }
    }

    public func close() {
        link.withLock { $0.drop() }
    }

    /// Connects to the endpoint within `timeout`.
    private func connect(timeout: Duration) throws(PrinterTransportError) -> StreamSocket {
        do {
            return try StreamSocket.connect(to: try endpoint.socketAddress(), deadline: TransportDeadline(timeout).end)
        } catch {
            if error.isTimeout { throw .timeout("connecting to \(endpoint)") }
            throw .socket(error)
        }
    }
}
