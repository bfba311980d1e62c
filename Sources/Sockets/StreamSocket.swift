import Glibc
import Synchronization

/// A connected stream socket (TCP or Unix), owning its descriptor: it is closed by `close()`,
/// `reset()` or when the object goes away.
///
/// Threads: one thread at a time sends, one receives. Any thread may call `shutdown()` to wake
/// a receive blocked in another thread; `close()` and `reset()` belong to the owner, once no
/// other thread is in a call. The descriptor itself is guarded, so a shutdown never reaches a
/// descriptor number that has since been reused.
///
/// Every socket is in blocking mode; calls with a deadline wait with `poll` and then send or
/// receive without blocking, so a deadline holds however the peer behaves.
public final class StreamSocket: Sendable {
    private let descriptor: Mutex<Int32>

    init(adopting fd: Int32) {
        descriptor = Mutex(fd)
    }

    deinit { close() }

    /// The descriptor for one call; EBADF once closed.
    func fd(for operation: String) throws(SocketError) -> Int32 {
        let fd = descriptor.withLock { $0 }
        guard fd >= 0 else { throw SocketError(operation, code: EBADF) }
        return fd
    }

    /// False once `close()` or `reset()` ran.
    public var isOpen: Bool { descriptor.withLock { $0 >= 0 } }

    // MARK: Connecting

    /// Connects to `address`, giving up with ETIMEDOUT at `deadline` (nil: no limit but the
    /// kernel's). TCP connections get `TCP_NODELAY`: the package's protocols are requests and
    /// answers, not streams.
    public static func connect(to address: SocketAddress, deadline: ContinuousClock.Instant? = nil) throws(SocketError) -> StreamSocket {
        let operation = "connect to \(address)"
        let socket = StreamSocket(adopting: try sysSocket(family: address.family, type: Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue)))
        let fd = try socket.fd(for: operation)
        connecting: while true {
            switch try sysConnect(fd, to: address, operation: operation) {
            case .connected:
                break connecting
            case .inProgress:
                guard try sysPoll(fd, events: Int16(POLLOUT), deadline: deadline) else { throw .timedOut(operation) }
                let failure = try sysGetOption(fd, level: SOL_SOCKET, name: SO_ERROR, label: "SO_ERROR")
                guard failure == 0 else { throw SocketError(operation, code: failure) }
                break connecting
            case .tryAgain:
                if let deadline, ContinuousClock.now >= deadline { throw .timedOut(operation) }
                usleep(5_000)
            }
        }
        try sysSetNonBlocking(fd, false)
        if address.isInternet { try socket.setOption(Int32(IPPROTO_TCP), TCP_NODELAY, 1, label: "TCP_NODELAY") }
        return socket
    }

    /// Resolves `host` (a name or a numeric address) and connects to its addresses in turn
    /// until one answers; the last failure when none does. A name that does not resolve throws
    /// with `domain == .addressInfo`.
    public static func connect(host: String, port: UInt16, deadline: ContinuousClock.Instant? = nil) throws(SocketError) -> StreamSocket {
        let addresses = try SocketAddress.resolve(host: host, port: port)
        var lastError = SocketError("connect to \(host):\(port)", code: EADDRNOTAVAIL)
        for address in addresses {
            do {
                return try connect(to: address, deadline: deadline)
            } catch {
                lastError = error
                if error.isTimeout { break }
            }
        }
        throw lastError
    }

    // MARK: Options

    /// `setsockopt` with an `Int32` value, e.g. `(IPPROTO_TCP, TCP_QUICKACK, 1)`.
    public func setOption(_ level: Int32, _ name: Int32, _ value: Int32, label: String) throws(SocketError) {
        try sysSetOption(try fd(for: "setsockopt(\(label))"), level: level, name: name, value, label: label)
    }

    /// The address this end is bound to.
    public func localAddress() throws(SocketError) -> SocketAddress {
        try sysLocalAddress(try fd(for: "getsockname"))
    }

    // MARK: Ending

    public enum ShutdownDirection: Sendable {
        case read, write, both

        var how: Int32 {
            switch self {
            case .read: Int32(SHUT_RD)
            case .write: Int32(SHUT_WR)
            case .both: Int32(SHUT_RDWR)
            }
        }
    }

    /// Ends one or both directions; a receive blocked in another thread returns "closed". The
    /// peer sees an orderly close (FIN) when writing ends. Safe from any thread; no effect once
    /// closed.
    public func shutdown(_ direction: ShutdownDirection = .both) {
        descriptor.withLock { fd in
            if fd >= 0 { try? sysShutdown(fd, how: direction.how) }
        }
    }

    /// Closes the descriptor; later calls fail with EBADF. No effect when already closed.
    public func close() {
        descriptor.withLock { fd in
            if fd >= 0 { sysClose(fd) }
            fd = -1
        }
    }

    /// Aborts the connection: `SO_LINGER` 0 and close, so the peer gets a reset (RST) and its
    /// next receive fails with ECONNRESET.
    public func reset() {
        descriptor.withLock { fd in
            guard fd >= 0 else { return }
            try? sysSetOption(fd, level: SOL_SOCKET, name: SO_LINGER, linger(l_onoff: 1, l_linger: 0), label: "SO_LINGER")
            sysClose(fd)
            fd = -1
        }
    }
}
