import SSCardDriver
import Glibc
import Synchronization

/// A printer link over a local stream socket: TCP (the virtual printer listens on
/// 127.0.0.1:35970 by default) or a Unix-domain socket. 套接字链路.
///
/// The socket is non-blocking and every wait is a `poll` with the caller's deadline. Replies
/// end at CR, LF or NUL. The connection opens on the first `send` and again after the peer
/// closed it or an error, so a restarted virtual printer is found again.
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
    }

    public let endpoint: Endpoint
    /// Longest wait for the connection itself (the command's own timeout caps it too).
    public let connectTimeout: Duration

    private struct Link {
        var fd: Int32 = -1
        var replies = EscapeReplyAssembler()
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
            if l.fd < 0 {
                l.fd = try Self.connect(endpoint, timeout: min(timeout, connectTimeout))
                l.replies.reset()
            }
            do throws(PrinterTransportError) {
                try Self.writeAll(l.fd, bytes, deadline: deadline)
            } catch {
                // Half a command may be out: the stream is no longer in step with the printer.
                Self.drop(&l)
                throw error
            }
        }
    }

    public func receiveReply(timeout: Duration) throws(PrinterTransportError) -> [UInt8] {
        let deadline = TransportDeadline(timeout)
        return try link.withLock { l throws(PrinterTransportError) -> [UInt8] in
            while true {
                if let reply = l.replies.nextReply() { return reply }
                guard l.fd >= 0 else { throw .closed("no connection to \(endpoint)") }
                var pfd = pollfd(fd: l.fd, events: Int16(POLLIN), revents: 0)
                let ready = poll(&pfd, 1, Int32(clamping: deadline.remainingMilliseconds()))
                if ready < 0 {
                    if errno == EINTR { continue }
                    let e = errno
                    Self.drop(&l)
                    throw .socket(call: "poll", errno: e, detail: String(cString: strerror(e)))
                }
                if ready == 0 { throw .timeout("waiting for the reply from \(endpoint)") }
                var buffer = [UInt8](repeating: 0, count: 4_096)
                let n = buffer.withUnsafeMutableBytes { recv(l.fd, $0.baseAddress, $0.count, 0) }
                if n > 0 {
                    l.replies.append(buffer[0..<n])
                } else if n == 0 {
                    Self.drop(&l)
                    throw .closed("\(endpoint) closed the connection")
                } else if errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK {
                    let e = errno
                    Self.drop(&l)
                    throw .socket(call: "recv", errno: e, detail: String(cString: strerror(e)))
                }
            }
        }
    }

    public func discardPendingInput() {
        link.withLock { l in
            l.replies.reset()
            guard l.fd >= 0 else { return }
            var buffer = [UInt8](repeating: 0, count: 4_096)
            while true {
                let n = buffer.withUnsafeMutableBytes { recv(l.fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
                if n > 0 { continue }
                if n == 0 { Self.drop(&l) }  // closed: reconnect on the next send
                return
            }
        }
    }

    public func close() {
        link.withLock { Self.drop(&$0) }
    }

    // MARK: POSIX (one wrapper per call site)

    private static func drop(_ l: inout Link) {
        if l.fd >= 0 { _ = Glibc.close(l.fd) }
        l.fd = -1
        l.replies.reset()
    }

    /// `socket`, `connect` (non-blocking, then `poll` for the deadline), `TCP_NODELAY`.
    private static func connect(_ endpoint: Endpoint, timeout: Duration) throws(PrinterTransportError) -> Int32 {
        let family = endpoint.isUnix ? AF_UNIX : AF_INET
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw failure("socket") }
        var ok = false
        defer { if !ok { _ = Glibc.close(fd) } }

        let rc: Int32
        switch endpoint {
        case .tcp(let host, let port):
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_port = port.bigEndian
            guard inet_pton(AF_INET, host, &addr.sin_addr) == 1 else {
                throw .socket(call: "inet_pton", errno: EINVAL, detail: "“\(host)” is not an IPv4 address")
            }
            rc = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            var one: Int32 = 1
            _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        case .unix(let path):
            var addr = try unixAddress(path)
            rc = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
        }
        if rc != 0 {
            guard errno == EINPROGRESS || errno == EAGAIN else { throw failure("connect to \(endpoint)") }
            var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            let ready = poll(&pfd, 1, Int32(clamping: TransportDeadline(timeout).remainingMilliseconds()))
            if ready == 0 { throw .timeout("connecting to \(endpoint)") }
            if ready < 0 { throw failure("poll") }
            var soError: Int32 = 0
            var len = socklen_t(MemoryLayout<Int32>.size)
            guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &len) == 0 else { throw failure("getsockopt") }
            guard soError == 0 else {
                throw .socket(call: "connect to \(endpoint)", errno: soError, detail: String(cString: strerror(soError)))
            }
        }
        ok = true
        return fd
    }

    /// A `sockaddr_un` for `path` (at most 107 bytes).
    static func unixAddress(_ path: String) throws(PrinterTransportError) -> sockaddr_un {
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: addr.sun_path)
        guard !bytes.isEmpty, bytes.count < capacity else {
            throw .socket(call: "connect", errno: ENAMETOOLONG, detail: "a Unix socket path is 1–\(capacity - 1) bytes")
        }
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
        }
        return addr
    }

    /// `send` until every byte is out, waiting with `poll` when the socket buffer is full.
    private static func writeAll(_ fd: Int32, _ bytes: [UInt8], deadline: TransportDeadline) throws(PrinterTransportError) {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { raw in
                Glibc.send(fd, raw.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL))
            }
            if n > 0 { sent += n; continue }
            if n < 0 && errno == EINTR { continue }
            if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                let ready = poll(&pfd, 1, Int32(clamping: deadline.remainingMilliseconds()))
                if ready == 0 { throw .timeout("sending \(bytes.count) bytes (\(sent) sent)") }
                if ready < 0 && errno != EINTR { throw failure("poll") }
                continue
            }
            throw failure("send")
        }
    }

    private static func failure(_ call: String) -> PrinterTransportError {
        let e = errno
        return .socket(call: call, errno: e, detail: String(cString: strerror(e)))
    }
}

extension SocketPrinterTransport.Endpoint {
    var isUnix: Bool {
        if case .unix = self { return true }
        return false
    }
}
