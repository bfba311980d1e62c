import Glibc

/// Where a stream socket connects or listens: an IPv4 address and port (or an IPv6 one, as
/// name resolution returns them), or the path of a Unix-domain socket. Kept as the `sockaddr`
/// bytes the kernel takes.
public struct SocketAddress: Hashable, Sendable, CustomStringConvertible {
    private let bytes: [UInt8]

    init(_ sa: UnsafePointer<sockaddr>, length: socklen_t) {
        bytes = Array(UnsafeRawBufferPointer(start: sa, count: Int(length)))
    }

    init(storage: sockaddr_storage, length: socklen_t) {
        var storage = storage
        bytes = withUnsafeBytes(of: &storage) { Array($0.prefix(Int(length))) }
    }

    private init<Address>(raw address: Address) {
        var address = address
        bytes = withUnsafeBytes(of: &address) { Array($0) }
    }

    /// Calls `body` with the address as a `sockaddr` and its length.
    func withSockAddr<Result>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> Result) -> Result {
        var storage = sockaddr_storage()
        return withUnsafeMutableBytes(of: &storage) { raw in
            raw.copyBytes(from: bytes)
            return body(raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(bytes.count))
        }
    }

    // MARK: Making one

    /// A dotted IPv4 address, e.g. "127.0.0.1"; EINVAL when `host` is not one.
    public static func ipv4(_ host: String, port: UInt16) throws(SocketError) -> SocketAddress {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
            throw SocketError("IPv4 address “\(host)”", code: EINVAL)
        }
        return SocketAddress(raw: address)
    }

    /// 127.0.0.1:`port`: reachable from this machine only.
    public static func loopback(port: UInt16) -> SocketAddress {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return SocketAddress(raw: address)
    }

    /// A Unix-domain socket at `path` (1 to 107 bytes; ENAMETOOLONG otherwise).
    public static func unix(_ path: String) throws(SocketError) -> SocketAddress {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let utf8 = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard !utf8.isEmpty, utf8.count < capacity, !utf8.contains(0) else {
            throw SocketError("Unix socket path “\(path)” (1–\(capacity - 1) bytes)", code: ENAMETOOLONG)
        }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: utf8) }
        return SocketAddress(raw: address)
    }

    /// Every address `host` (a name or a numeric address) has for stream sockets, in the order
    /// `getaddrinfo` gives them.
    public static func resolve(host: String, port: UInt16) throws(SocketError) -> [SocketAddress] {
        if let numeric = try? ipv4(host, port: port) { return [numeric] }
        return try sysResolve(host: host, port: port)
    }

    // MARK: Reading it

    /// AF_INET, AF_INET6 or AF_UNIX.
    public var family: Int32 {
        withSockAddr { sa, _ in Int32(sa.pointee.sa_family) }
    }

    /// The port of an IPv4 or IPv6 address; nil for a Unix socket.
    public var port: UInt16? {
        withSockAddr { sa, _ in
            switch Int32(sa.pointee.sa_family) {
            case AF_INET: sa.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin_port) }
            case AF_INET6: sa.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin6_port) }
            default: nil
            }
        }
    }

    /// The numeric host of an IPv4 or IPv6 address ("127.0.0.1", "::1"); nil for a Unix socket.
    public var host: String? {
        withSockAddr { sa, _ in
            var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            let family = Int32(sa.pointee.sa_family)
            let written: UnsafePointer<CChar>?
            switch family {
            case AF_INET:
                written = sa.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { inet in
                    withUnsafePointer(to: inet.pointee.sin_addr) { inet_ntop(family, $0, &text, socklen_t(text.count)) }
                }
            case AF_INET6:
                written = sa.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { inet in
                    withUnsafePointer(to: inet.pointee.sin6_addr) { inet_ntop(family, $0, &text, socklen_t(text.count)) }
                }
            default:
                return nil
            }
            return written == nil ? nil : String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }

    /// The path of a Unix socket; nil for an IP address.
    public var path: String? {
        guard family == AF_UNIX else { return nil }
        let offset = MemoryLayout<sa_family_t>.size
        return String(decoding: bytes.dropFirst(offset).prefix { $0 != 0 }, as: UTF8.self)
    }

    /// True for IPv4 and IPv6 (TCP) addresses.
    public var isInternet: Bool { family == AF_INET || family == AF_INET6 }

    /// "127.0.0.1:35970", "[::1]:8735", "unix:/run/x.sock".
    public var description: String {
        if let path { return "unix:\(path)" }
        guard let host, let port else { return "family \(family)" }
        return family == AF_INET6 ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
