import Glibc

extension StreamSocket {
    // MARK: Sending

    /// Sends every byte of `bytes`, waiting for room in the socket buffer until `deadline`
    /// (nil: no limit). A message built whole normally leaves in one `send` (one TCP segment).
    public func sendAll(_ bytes: [UInt8], deadline: ContinuousClock.Instant? = nil) throws(SocketError) {
        var sent = 0
        try sendAll(bytes, deadline: deadline, sent: &sent)
    }

    /// `sendAll`, counting in `sent` what left before a failure: a caller can tell "nothing was
    /// sent" from "part of it was".
    public func sendAll(_ bytes: [UInt8], deadline: ContinuousClock.Instant?, sent: inout Int) throws(SocketError) {
        let fd = try fd(for: "send")
        while sent < bytes.count {
            do throws(SocketError) {
                sent += try bytes.withUnsafeBytes { raw in
                    Result { () throws(SocketError) in
                        try sysSend(fd, UnsafeRawBufferPointer(rebasing: raw[sent...]), flags: Int32(MSG_DONTWAIT))
                    }
                }.get()
            } catch EAGAIN {
                guard try sysPoll(fd, events: Int16(POLLOUT), deadline: deadline) else {
                    throw .timedOut("send (\(sent) of \(bytes.count) bytes sent)")
                }
            }
        }
    }

    // MARK: Receiving

    /// What has arrived, at most `maxCount` bytes, waiting until `deadline` for the first
    /// (nil: no limit; a deadline already passed only takes what is there). Empty when the
    /// peer closed its side (or `shutdown()` was called); ETIMEDOUT when the deadline passed.
    public func receive(maxCount: Int = 65_536, deadline: ContinuousClock.Instant? = nil) throws(SocketError) -> [UInt8] {
        let fd = try fd(for: "recv")
        var buffer = [UInt8](repeating: 0, count: maxCount)
        while true {
            if deadline != nil {
                guard try sysPoll(fd, events: Int16(POLLIN), deadline: deadline) else { throw .timedOut("recv") }
            }
            do throws(SocketError) {
                let n = try buffer.withUnsafeMutableBytes { raw in
                    Result { () throws(SocketError) in try sysRecv(fd, raw, flags: deadline == nil ? 0 : Int32(MSG_DONTWAIT)) }
                }.get()
                buffer.removeLast(maxCount - n)
                return buffer
            } catch EAGAIN {
                continue  // readable was a false alarm (e.g. a checksum failure): wait again
            }
        }
    }

    /// Exactly `count` bytes, however the peer split them; nil when the peer closed first.
    /// `quickAck` sets `TCP_QUICKACK` before every `recv` (Linux clears it again by itself):
    /// for a peer that writes a message in two pieces and waits for the ACK of the first.
    public func receive(exactly count: Int, deadline: ContinuousClock.Instant? = nil, quickAck: Bool = false) throws(SocketError) -> [UInt8]? {
        var message: [UInt8] = []
        message.reserveCapacity(count)
        while message.count < count {
            if quickAck { try? setOption(Int32(IPPROTO_TCP), TCP_QUICKACK, 1, label: "TCP_QUICKACK") }
            let chunk = try receive(maxCount: count - message.count, deadline: deadline)
            if chunk.isEmpty { return nil }
            message += chunk
        }
        return message
    }
}
