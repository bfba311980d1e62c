import Sockets

/// What the province link's HTTP runs over: a plain `StreamSocket` (loopback only) or a
/// `TLSStream` on one. Failures are the socket's `SocketError`; a TLS failure after the
/// handshake is `EPROTO` with OpenSSL's words in the operation.
package protocol ProvinceByteStream: AnyObject {
    /// At most `maxCount` bytes, waiting until `deadline` for the first (nil: no limit); empty
    /// when the peer closed its side.
    func receive(maxCount: Int, deadline: ContinuousClock.Instant?) throws(SocketError) -> [UInt8]
    /// Every byte of `bytes`; `sent` counts what left before a failure.
    func sendAll(_ bytes: [UInt8], deadline: ContinuousClock.Instant?, sent: inout Int) throws(SocketError)
    /// Ends the connection (a TLS stream says close_notify first).
    func close()
}

extension StreamSocket: ProvinceByteStream {}
