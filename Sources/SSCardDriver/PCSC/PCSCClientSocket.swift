import CPCSCLite
import Foundation
import Glibc

/// The socket pcsc-lite's client library opens to pcscd for each context. pcsc-lite does not
/// expose it; it is found as the one new descriptor connected to pcscd's socket
/// (`…/pcscd.comm`) after `SCardEstablishContext`. The transmit deadline shuts it down to
/// unblock a call that waits on a mute card (`TransmitWatchdog`).
enum PCSCClientSocket {
    /// Serialises the contexts this process establishes, so a new descriptor is this one's.
    private static let establishing = NSLock()

    /// Runs `establish` (an `SCardEstablishContext`) and returns its code with the context's
    /// socket, or nil when exactly one new pcscd socket cannot be told apart.
    static func establish(_ establish: () -> LONG) -> (LONG, Int32?) {
        establishing.lock()
        defer { establishing.unlock() }
        let before = pcscdSockets()
        let rc = establish()
        guard rc == 0 else { return (rc, nil) }
        let new = pcscdSockets().subtracting(before)
        return (rc, new.count == 1 ? new.first : nil)
    }

    /// The open descriptors of this process that are stream sockets connected to pcscd.
    static func pcscdSockets() -> Set<Int32> {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return [] }
        var found: Set<Int32> = []
        for name in names {
            guard let fd = Int32(name), fd >= 0, isConnectedToPCSCD(fd) else { continue }
            found.insert(fd)
        }
        return found
    }

    private static func isConnectedToPCSCD(_ fd: Int32) -> Bool {
        var address = sockaddr_un()
        var length = socklen_t(MemoryLayout<sockaddr_un>.size)
        let rc = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(fd, $0, &length) }
        }
        guard rc == 0, address.sun_family == sa_family_t(AF_UNIX) else { return false }
        let path = withUnsafeBytes(of: address.sun_path) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        return path.hasSuffix("/pcscd.comm")
    }
}
