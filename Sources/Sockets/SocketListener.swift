import Glibc
import Synchronization

/// A listening stream socket: bound (to the loopback interface unless told otherwise),
/// listening, handing out connections one `accept()` at a time. `SocketServer` runs the accept
/// loop over it.
///
/// Threads: `shutdown()` may come from any thread and wakes an `accept()` blocked in another;
/// `close()` belongs to the owner, once no other thread is in `accept()`.
public final class SocketListener: Sendable {
    /// The address as bound: port 0 has become the port the kernel chose.
    public let address: SocketAddress
    private let descriptor: Mutex<Int32>

    /// Binds `address` and listens. TCP listeners set `SO_REUSEADDR` (a restarted server gets
    /// its port back while old connections wait out TIME_WAIT); a Unix listener replaces a
    /// stale socket file at its path, and `close()` removes the file again.
    public init(address: SocketAddress = .loopback(port: 0), backlog: Int32 = 64) throws(SocketError) {
        let fd = try sysSocket(family: address.family, type: Int32(SOCK_STREAM.rawValue))
        do throws(SocketError) {
            if let path = address.path {
                sysUnlinkSocketFile(path)
            } else {
                try sysSetOption(fd, level: SOL_SOCKET, name: SO_REUSEADDR, Int32(1), label: "SO_REUSEADDR")
            }
            try sysBind(fd, to: address)
            try sysListen(fd, backlog: backlog)
            self.address = address.path == nil ? try sysLocalAddress(fd) : address
        } catch {
            sysClose(fd)
            throw error
        }
        descriptor = Mutex(fd)
    }

    /// Listens on `host` (a dotted IPv4 address; 127.0.0.1, this machine only, by default) and
    /// `port` (0: any free port; read `port` afterwards).
    public convenience init(host: String = "127.0.0.1", port: UInt16, backlog: Int32 = 64) throws(SocketError) {
        try self.init(address: try .ipv4(host, port: port), backlog: backlog)
    }

    deinit { close() }

    /// The bound port; 0 for a Unix socket.
    public var port: UInt16 { address.port ?? 0 }

    /// The next connection, waiting as long as it takes. A client that gave up before being
    /// accepted (ECONNABORTED) is skipped. Throws once the listener is shut down (EINVAL) or
    /// closed (EBADF). TCP connections get `TCP_NODELAY`.
    public func accept() throws(SocketError) -> StreamSocket {
        while true {
            let fd = descriptor.withLock { $0 }
            guard fd >= 0 else { throw SocketError("accept", code: EBADF) }
            do throws(SocketError) {
                let connection = StreamSocket(adopting: try sysAccept(fd))
                if address.isInternet { try? connection.setOption(Int32(IPPROTO_TCP), TCP_NODELAY, 1, label: "TCP_NODELAY") }
                return connection
            } catch ECONNABORTED {
                continue
            }
        }
    }

    /// Stops listening: new connections are refused and a blocked `accept()` returns with an
    /// error. Safe from any thread; the descriptor stays until `close()`.
    public func shutdown() {
        descriptor.withLock { fd in
            if fd >= 0 { try? sysShutdown(fd, how: Int32(SHUT_RDWR)) }
        }
    }

    /// Closes the listener (and removes a Unix socket's file). No effect when already closed.
    public func close() {
        let wasOpen = descriptor.withLock { fd -> Bool in
            guard fd >= 0 else { return false }
            sysClose(fd)
            fd = -1
            return true
        }
        if wasOpen, let path = address.path { sysUnlinkSocketFile(path) }
    }
}
