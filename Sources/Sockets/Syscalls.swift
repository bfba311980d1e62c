import Glibc

// One wrapper per C call, in the manner of swift-system's `valueOrErrno(retryOnInterrupt:)` and
// SwiftNIO's `syscall`: the call is made again while it fails with EINTR, any other failure
// throws `SocketError` with the errno it left, read at once after the call. `close` is the
// exception: Linux frees the descriptor even when it reports EINTR, so it is never repeated.
// Nothing outside this file calls the C socket functions.

/// Runs `body` again while it returns -1 with EINTR; -1 with another errno throws.
@inline(__always)
func retryingInterrupts<Result: FixedWidthInteger>(
    _ operation: @autoclosure () -> String, _ body: () -> Result
) throws(SocketError) -> Result {
    while true {
        let result = body()
        guard result == -1 else { return result }
        let code = errno
        guard code == EINTR else { throw SocketError(operation(), code: code) }
    }
}

/// `socket(2)`, close-on-exec.
func sysSocket(family: Int32, type: Int32) throws(SocketError) -> Int32 {
    try retryingInterrupts("socket") { socket(family, type | Int32(SOCK_CLOEXEC.rawValue), 0) }
}

/// How far a non-blocking `connect(2)` got.
enum ConnectProgress {
    case connected
    /// EINPROGRESS (or EINTR: the attempt goes on in the background): wait for POLLOUT.
    case inProgress
    /// EAGAIN: a Unix listener's backlog is full; call again later.
    case tryAgain
}

/// `connect(2)` on a non-blocking socket.
func sysConnect(_ fd: Int32, to address: SocketAddress, operation: String) throws(SocketError) -> ConnectProgress {
    let (rc, code) = address.withSockAddr { sa, length in
        let rc = connect(fd, sa, length)
        return (rc, rc == 0 ? 0 : errno)
    }
    if rc == 0 { return .connected }
    switch code {
    case EINPROGRESS, EINTR: return .inProgress
    case EAGAIN: return .tryAgain
    default: throw SocketError(operation, code: code)
    }
}

/// `bind(2)`.
func sysBind(_ fd: Int32, to address: SocketAddress) throws(SocketError) {
    let (rc, code) = address.withSockAddr { sa, length in
        let rc = bind(fd, sa, length)
        return (rc, rc == 0 ? 0 : errno)
    }
    guard rc == 0 else { throw SocketError("bind \(address)", code: code) }
}

/// `listen(2)`.
func sysListen(_ fd: Int32, backlog: Int32) throws(SocketError) {
    _ = try retryingInterrupts("listen") { listen(fd, backlog) }
}

/// `accept(2)`, then close-on-exec (`accept4` is a GNU extension Swift does not see).
func sysAccept(_ fd: Int32) throws(SocketError) -> Int32 {
    let connection = try retryingInterrupts("accept") { accept(fd, nil, nil) }
    _ = fcntl(connection, F_SETFD, FD_CLOEXEC)
    return connection
}

/// `send(2)`, never raising SIGPIPE.
func sysSend(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, flags: Int32) throws(SocketError) -> Int {
    try retryingInterrupts("send") { send(fd, bytes.baseAddress, bytes.count, flags | Int32(MSG_NOSIGNAL)) }
}

/// `recv(2)`: the count read, 0 when the peer closed its side.
func sysRecv(_ fd: Int32, _ buffer: UnsafeMutableRawBufferPointer, flags: Int32) throws(SocketError) -> Int {
    try retryingInterrupts("recv") { recv(fd, buffer.baseAddress, buffer.count, flags) }
}

/// `poll(2)` on one descriptor until it is ready for `events` (or has an error or hang-up), or
/// `deadline` passes (nil: no limit). False when the deadline passed. After EINTR the wait
/// goes on with what is left of the deadline.
func sysPoll(_ fd: Int32, events: Int16, deadline: ContinuousClock.Instant?) throws(SocketError) -> Bool {
    while true {
        var descriptor = pollfd(fd: fd, events: events, revents: 0)
        let ready = try retryingInterrupts("poll") { poll(&descriptor, 1, pollMilliseconds(until: deadline)) }
        if ready > 0 { return true }
        if let deadline, ContinuousClock.now >= deadline { return false }
    }
}

/// `poll(2)`'s timeout for `deadline`: -1 for none, else milliseconds rounded up.
func pollMilliseconds(until deadline: ContinuousClock.Instant?) -> Int32 {
    guard let deadline else { return -1 }
    let left = ContinuousClock.now.duration(to: deadline)
    guard left > .zero else { return 0 }
    let (seconds, attoseconds) = left.components
    guard seconds < Int64(Int32.max / 1000) else { return Int32.max }
    return Int32(seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000)
}

/// `shutdown(2)`.
func sysShutdown(_ fd: Int32, how: Int32) throws(SocketError) {
    _ = try retryingInterrupts("shutdown") { shutdown(fd, how) }
}

/// `close(2)`, once: EINTR is not repeated (the descriptor is gone either way).
func sysClose(_ fd: Int32) {
    _ = close(fd)
}

/// `setsockopt(2)` with a plain value (an `Int32`, a `linger`).
func sysSetOption<Value: BitwiseCopyable>(_ fd: Int32, level: Int32, name: Int32, _ value: Value, label: String) throws(SocketError) {
    _ = try withUnsafeBytes(of: value) { raw throws(SocketError) in
        try retryingInterrupts("setsockopt(\(label))") {
            setsockopt(fd, level, name, raw.baseAddress, socklen_t(raw.count))
        }
    }
}

/// `getsockopt(2)` for an `Int32` option.
func sysGetOption(_ fd: Int32, level: Int32, name: Int32, label: String) throws(SocketError) -> Int32 {
    var value: Int32 = 0
    var length = socklen_t(MemoryLayout<Int32>.size)
    _ = try retryingInterrupts("getsockopt(\(label))") { getsockopt(fd, level, name, &value, &length) }
    return value
}

/// `getsockname(2)`.
func sysLocalAddress(_ fd: Int32) throws(SocketError) -> SocketAddress {
    var storage = sockaddr_storage()
    var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
    _ = try withUnsafeMutablePointer(to: &storage) { pointer throws(SocketError) in
        try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa throws(SocketError) in
            try retryingInterrupts("getsockname") { getsockname(fd, sa, &length) }
        }
    }
    return SocketAddress(storage: storage, length: length)
}

/// `fcntl(2)` F_GETFL/F_SETFL: sets or clears O_NONBLOCK.
func sysSetNonBlocking(_ fd: Int32, _ on: Bool) throws(SocketError) {
    let flags = try retryingInterrupts("fcntl(F_GETFL)") { fcntl(fd, F_GETFL) }
    let wanted = on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK
    guard wanted != flags else { return }
    _ = try retryingInterrupts("fcntl(F_SETFL)") { fcntl(fd, F_SETFL, wanted) }
}

/// `getaddrinfo(3)` for stream sockets of any family; EAI_SYSTEM is reported as its errno.
func sysResolve(host: String, port: UInt16) throws(SocketError) -> [SocketAddress] {
    var hints = addrinfo()
    hints.ai_family = AF_UNSPEC
    hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
    var list: UnsafeMutablePointer<addrinfo>?
    var rc: Int32
    repeat {
        rc = getaddrinfo(host, String(port), &hints, &list)
    } while rc == EAI_SYSTEM && errno == EINTR
    guard rc == 0 else {
        if rc == EAI_SYSTEM { throw SocketError("getaddrinfo \(host)", code: errno) }
        throw SocketError("getaddrinfo \(host)", code: rc, domain: .addressInfo)
    }
    defer { freeaddrinfo(list) }
    var addresses: [SocketAddress] = []
    var entry = list
    while let info = entry {
        if let sa = info.pointee.ai_addr { addresses.append(SocketAddress(sa, length: info.pointee.ai_addrlen)) }
        entry = info.pointee.ai_next
    }
    return addresses
}

/// `unlink(2)` of a stale Unix socket file; a missing file is no error.
func sysUnlinkSocketFile(_ path: String) {
    _ = unlink(path)
}
