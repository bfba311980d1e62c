import Glibc

/// A socket call that failed: what was being done and the code the system left, kept as a
/// value so a caller can act on it (`error.code == ECONNREFUSED`, `case ECONNREFUSED:` in a
/// `switch` over a `SocketError`) and a message can still say it in words.
///
/// A deadline that passes is `ETIMEDOUT` (`isTimeout`), as the kernel says it for a connection
/// that never answers. Name resolution fails with `getaddrinfo`'s own `EAI_…` code
/// (`domain == .addressInfo`).
public struct SocketError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Which table `code` belongs to.
    public enum Domain: Hashable, Sendable {
        /// `errno` (or `SO_ERROR`): `ECONNREFUSED`, `ETIMEDOUT`, …
        case posix
        /// `getaddrinfo`'s `EAI_…` codes.
        case addressInfo
    }

    /// What failed, e.g. "connect to 127.0.0.1:8735", "recv", "bind 127.0.0.1:35970".
    public var operation: String
    /// The raw code: an `errno` value, or an `EAI_…` value when `domain` is `.addressInfo`.
    public var code: Int32
    public var domain: Domain

    public init(_ operation: String, code: Int32, domain: Domain = .posix) {
        self.operation = operation
        self.code = code
        self.domain = domain
    }

    /// The deadline passed before the call could complete.
    public static func timedOut(_ operation: String) -> SocketError {
        SocketError(operation, code: ETIMEDOUT)
    }

    /// The system's words for `code`: `strerror` or `gai_strerror`, e.g. "Connection refused".
    public var message: String {
        switch domain {
        case .posix: String(cString: strerror(code))
        case .addressInfo: String(cString: gai_strerror(code))
        }
    }

    /// "connect to 127.0.0.1:1: Connection refused (errno 111)".
    public var description: String {
        switch domain {
        case .posix: "\(operation): \(message) (errno \(code))"
        case .addressInfo: "\(operation): \(message) (getaddrinfo \(code))"
        }
    }

    /// `ETIMEDOUT`: a deadline passed (or the kernel gave up on the peer).
    public var isTimeout: Bool { domain == .posix && code == ETIMEDOUT }

    /// The connection is gone under the caller: reset by the peer, broken, or already shut down
    /// or closed on this side.
    public var isConnectionLost: Bool {
        domain == .posix && [ECONNRESET, EPIPE, ENOTCONN, ECONNABORTED, EBADF].contains(code)
    }

    /// `case ECONNREFUSED:` in a `switch` over a `SocketError`.
    public static func ~= (pattern: Int32, error: SocketError) -> Bool {
        error.domain == .posix && error.code == pattern
    }
}
