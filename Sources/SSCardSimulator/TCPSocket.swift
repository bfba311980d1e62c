import Glibc

/// A POSIX failure in the connector's socket code: the call that failed and its errno.
public struct SocketError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The C call that failed, e.g. "connect".
    public var call: String
    /// The errno it left, or 0 when the failure is not an errno (a timeout, a bad host name).
    public var code: Int32
    /// Extra words for failures that carry no errno.
    public var detail: String?

    init(_ call: String, code: Int32 = errno, detail: String? = nil) {
        self.call = call
        self.code = code
        self.detail = detail
    }

    public var description: String {
        if let detail { return "\(call): \(detail)" }
        return "\(call): \(String(cString: strerror(code))) (errno \(code))"
    }
}

/// A blocking IPv4 TCP connection as vpcd needs it: Nagle off, quick ACKs before every read,
/// each message written with one `send`. One thread reads and writes; another thread may only
/// call `shutdown()` (which wakes a blocked `recv`), never `close()`.
final class TCPStream {
    private(set) var fd: Int32

    private init(fd: Int32) { self.fd = fd }

    deinit { close() }

    /// Connects to `host:port` (a dotted IPv4 address or a name `getaddrinfo` resolves to one),
    /// giving up after `timeout` seconds. Wraps `getaddrinfo`, `socket`, `connect` and `poll`.
    static func connect(host: String, port: UInt16, timeout: Double) throws(SocketError) -> TCPStream {
        let address = try resolve(host: host, port: port)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SocketError("socket") }
        let stream = TCPStream(fd: fd)

        // Non-blocking connect so that a host that drops SYNs cannot hold us past the deadline.
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        var addr = address
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if rc != 0 {
            guard errno == EINPROGRESS else { throw SocketError("connect") }
            var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            let ready = poll(&pfd, 1, Int32(max(0, min(timeout, 3600)) * 1000))
            if ready == 0 { throw SocketError("connect", code: ETIMEDOUT) }
            if ready < 0 { throw SocketError("poll") }
            var soError: Int32 = 0
            var len = socklen_t(MemoryLayout<Int32>.size)
            guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &len) == 0 else { throw SocketError("getsockopt") }
            guard soError == 0 else { throw SocketError("connect", code: soError) }
        }
        _ = fcntl(fd, F_SETFL, flags & ~O_NONBLOCK)
        try stream.setOption(IPPROTO_TCP_LEVEL, TCP_NODELAY, 1, name: "TCP_NODELAY")
        return stream
    }

    /// `getaddrinfo` restricted to IPv4 (vpcd listens on `INADDR_ANY` only).
    private static func resolve(host: String, port: UInt16) throws(SocketError) -> sockaddr_in {
        var hints = addrinfo()
        hints.ai_family = AF_INET
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &result)
        guard rc == 0, let first = result else {
            throw SocketError("getaddrinfo", code: 0, detail: "cannot resolve \(host): \(String(cString: gai_strerror(rc)))")
        }
        defer { freeaddrinfo(result) }
        guard let sa = first.pointee.ai_addr else {
            throw SocketError("getaddrinfo", code: 0, detail: "no IPv4 address for \(host)")
        }
        return sa.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee }
    }

    private func setOption(_ level: Int32, _ option: Int32, _ value: Int32, name: String) throws(SocketError) {
        var v = value
        guard setsockopt(fd, level, option, &v, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
            throw SocketError("setsockopt(\(name))")
        }
    }

    /// Reads exactly `count` bytes, looping over short reads; nil when the peer closed the
    /// connection (or `shutdown()` was called) first. Sets `TCP_QUICKACK` before every `recv`:
    /// Linux clears it again after a while, and without it each vpcd APDU costs ~48 ms.
    func readExact(_ count: Int) throws(SocketError) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            var one: Int32 = 1
            _ = setsockopt(fd, IPPROTO_TCP_LEVEL, TCP_QUICKACK, &one, socklen_t(MemoryLayout<Int32>.size))
            let n = buffer.withUnsafeMutableBytes { raw in
                recv(fd, raw.baseAddress! + filled, count - filled, 0)
            }
            if n > 0 { filled += n; continue }
            if n == 0 { return nil }
            if errno == EINTR { continue }
            // A shutdown from another thread can surface as an error on some kernels.
            if errno == ECONNRESET || errno == EBADF || errno == ENOTCONN { return nil }
            throw SocketError("recv")
        }
        return buffer
    }

    /// Writes all of `bytes`; a message built whole is normally one `send` (one TCP segment).
    func writeAll(_ bytes: [UInt8]) throws(SocketError) {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { raw in
                send(fd, raw.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL))
            }
            if n > 0 { sent += n; continue }
            if n < 0 && errno == EINTR { continue }
            throw SocketError("send")
        }
    }

    /// Wakes a `recv` blocked in another thread and sends FIN: vpcd then sees the card removed.
    func shutdown() {
        if fd >= 0 { _ = Glibc.shutdown(fd, Int32(SHUT_RDWR)) }
    }

    func close() {
        if fd >= 0 {
            _ = Glibc.close(fd)
            fd = -1
        }
    }
}

/// `IPPROTO_TCP` as the `level` argument of `setsockopt`.
let IPPROTO_TCP_LEVEL = Int32(IPPROTO_TCP)
