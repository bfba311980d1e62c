import Foundation
import Glibc
import SSCardSimulator

/// A loopback stand-in for vpcd (the reader driver inside pcscd): listens on 127.0.0.1 and
/// talks the framing with raw POSIX calls, so a test decides exactly how bytes are split into
/// `send`s and sees exactly what each `recv` returns. Written independently of the connector's
/// own socket code on purpose.
final class FakeVPCD {
    let port: UInt16
    private var listenFD: Int32

    /// Listens on 127.0.0.1:`port` (0 = any free port).
    init(port: UInt16 = 0) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw FakeVPCDError.posix("socket", errno) }
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { let e = errno; Glibc.close(fd); throw FakeVPCDError.posix("bind", e) }
        guard listen(fd, 4) == 0 else { let e = errno; Glibc.close(fd); throw FakeVPCDError.posix("listen", e) }
        var actual = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        self.listenFD = fd
        self.port = UInt16(bigEndian: actual.sin_port)
    }

    deinit { close() }

    /// The card's connection, or nil if none arrives within `timeout` seconds.
    func accept(timeout: Double) -> FakeVPCDConnection? {
        guard listenFD >= 0, waitReadable(listenFD, timeout: timeout) else { return nil }
        let fd = Glibc.accept(listenFD, nil, nil)
        return fd >= 0 ? FakeVPCDConnection(fd: fd) : nil
    }

    func close() {
        if listenFD >= 0 { Glibc.close(listenFD); listenFD = -1 }
    }
}

final class FakeVPCDConnection {
    private var fd: Int32

    init(fd: Int32) { self.fd = fd }
    deinit { close() }

    /// One `send` of exactly these bytes.
    func send(_ bytes: [UInt8]) {
        let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, bytes.count, Int32(MSG_NOSIGNAL)) }
        precondition(n == bytes.count, "fake vpcd: short send \(n) of \(bytes.count)")
    }

    /// Length and payload in one `send`.
    func sendFrame(_ payload: [UInt8]) {
        send([UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)] + payload)
    }

    /// Length and payload in two `send`s, as Debian 12's vpcd does.
    func sendFrameInTwoWrites(_ payload: [UInt8]) {
        send([UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)])
        send(payload)
    }

    /// The bytes of ONE `recv` call (up to 70000): nil when nothing arrives within `timeout`
    /// seconds, [] when the card closed the connection.
    func recvOnce(timeout: Double) -> [UInt8]? {
        guard waitReadable(fd, timeout: timeout) else { return nil }
        var buffer = [UInt8](repeating: 0, count: 70_000)
        let n = buffer.withUnsafeMutableBytes { Glibc.recv(fd, $0.baseAddress, $0.count, 0) }
        return n <= 0 ? [] : Array(buffer[..<n])
    }

    /// One whole frame's payload however it was split; nil on timeout or close.
    func readFrame(timeout: Double) -> [UInt8]? {
        let deadline = Date(timeIntervalSinceNow: timeout)
        var buffer: [UInt8] = []
        while true {
            if buffer.count >= 2 {
                let n = Int(buffer[0]) << 8 | Int(buffer[1])
                if buffer.count >= 2 + n { return Array(buffer[2..<(2 + n)]) }
            }
            let left = deadline.timeIntervalSinceNow
            guard left > 0, let chunk = recvOnce(timeout: left), !chunk.isEmpty else { return nil }
            buffer += chunk
        }
    }

    /// True when the card closed the connection within `timeout` seconds (recv returns 0).
    func seesClose(timeout: Double) -> Bool {
        let deadline = Date(timeIntervalSinceNow: timeout)
        while deadline.timeIntervalSinceNow > 0 {
            guard let chunk = recvOnce(timeout: deadline.timeIntervalSinceNow) else { return false }
            if chunk.isEmpty { return true }
        }
        return false
    }

    func close() {
        if fd >= 0 { Glibc.close(fd); fd = -1 }
    }
}

enum FakeVPCDError: Error {
    case posix(String, Int32)
}

private func waitReadable(_ fd: Int32, timeout: Double) -> Bool {
    var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
    return poll(&pfd, 1, Int32(max(0, timeout) * 1000)) > 0
}

/// A card that records power events and answers commands through `respond`
/// (by default: the command echoed, then 9000).
final class VPCDTestCard: VirtualCard, @unchecked Sendable {
    // @unchecked Sendable: `_events` and `_respond` are only touched while holding `lock`.
    let atr: [UInt8] = [0x3B, 0x02, 0x14, 0x50]
    private let lock = NSLock()
    private var _events: [String] = []
    private var _respond: @Sendable ([UInt8]) -> [UInt8] = { $0 + [0x90, 0x00] }

    var events: [String] { lock.withLock { _events } }
    var respond: @Sendable ([UInt8]) -> [UInt8] {
        get { lock.withLock { _respond } }
        set { lock.withLock { _respond = newValue } }
    }

    func powerOn() { lock.withLock { _events.append("on") } }
    func powerOff() { lock.withLock { _events.append("off") } }
    func reset() { lock.withLock { _events.append("reset") } }
    func process(_ command: [UInt8]) -> [UInt8] {
        let r = lock.withLock { () -> @Sendable ([UInt8]) -> [UInt8] in
            _events.append("apdu")
            return _respond
        }
        return r(command)
    }
}

/// Collects a connector's events and APDU traces from its thread.
final class ConnectorRecorder: @unchecked Sendable {
    // @unchecked Sendable: the arrays are only touched while holding `condition`.
    private let condition = NSCondition()
    private var _events: [VPCDConnector.Event] = []
    private var _exchanges: [VPCDConnector.APDUExchange] = []

    init(_ connector: VPCDConnector) {
        connector.onEvent = { [self] event in
            condition.lock(); _events.append(event); condition.broadcast(); condition.unlock()
        }
        connector.onAPDU = { [self] exchange in
            condition.lock(); _exchanges.append(exchange); condition.broadcast(); condition.unlock()
        }
    }

    var events: [VPCDConnector.Event] { condition.lock(); defer { condition.unlock() }; return _events }
    var exchanges: [VPCDConnector.APDUExchange] { condition.lock(); defer { condition.unlock() }; return _exchanges }

    /// Waits until `predicate` holds for the events so far.
    @discardableResult
    func waitForEvents(timeout: Double, _ predicate: ([VPCDConnector.Event]) -> Bool) -> Bool {
        let deadline = Date(timeIntervalSinceNow: timeout)
        condition.lock()
        defer { condition.unlock() }
        while !predicate(_events) {
            if !condition.wait(until: deadline) { return predicate(_events) }
        }
        return true
    }

    func waitForExchanges(_ count: Int, timeout: Double) -> Bool {
        let deadline = Date(timeIntervalSinceNow: timeout)
        condition.lock()
        defer { condition.unlock() }
        while _exchanges.count < count {
            if !condition.wait(until: deadline) { return _exchanges.count >= count }
        }
        return true
    }
}
