import CLibSSL
import Glibc
import Sockets

/// Why a TLS connection could not be set up: the step, OpenSSL's reason (or the certificate
/// check's), and the socket error underneath when the network failed.
public struct TLSError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What was being done, e.g. "TLS handshake with 10.20.0.5:8735", "load CA file /etc/sscard/ca.pem".
    public var operation: String
    /// Why, e.g. "certificate verify failed (hostname mismatch)".
    public var reason: String
    /// The socket's error when the connection itself failed.
    public var cause: SocketError?

    public init(_ operation: String, reason: String, cause: SocketError? = nil) {
        self.operation = operation
        self.reason = reason
        self.cause = cause
    }

    public var description: String { "\(operation): \(reason)" }

    /// OpenSSL's queued errors for this thread, in words, and the queue emptied.
    static func openSSLReason(_ fallback: String = "unknown OpenSSL error") -> String {
        var reasons: [String] = []
        while true {
            let code = ERR_get_error()
            guard code != 0 else { break }
            var text = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &text, text.count)
            reasons.append(String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return reasons.isEmpty ? fallback : reasons.joined(separator: "; ")
    }
}

/// An OpenSSL `SSL_CTX`: TLS 1.2 or later, no renegotiation, no compression.
///
/// A client context verifies the server's certificate chain against a CA file (or, without
/// one, the system's trust store) and each connection checks the host name or IP address
/// against it. A server context holds the certificate chain and private key it presents.
/// Configured once, then shared by any number of connections on any threads.
package final class TLSContext: @unchecked Sendable {
    // @unchecked Sendable: the SSL_CTX is configured in the initialiser and only read after
    // (OpenSSL makes SSL_new on a shared context thread-safe).
    package enum Role: Sendable { case client, server }

    let context: OpaquePointer
    package let role: Role

    private init(role: Role) throws(TLSError) {
        ERR_clear_error()
        guard let context = SSL_CTX_new(role == .client ? TLS_client_method() : TLS_server_method()) else {
            throw TLSError("SSL_CTX_new", reason: TLSError.openSSLReason())
        }
        self.context = context
        self.role = role
        guard sscard_tls_configure(context) == 1 else {
            throw TLSError("TLS 1.2 minimum", reason: TLSError.openSSLReason())
        }
    }

    deinit { SSL_CTX_free(context) }

    /// A client that trusts the CA certificates in `caFile` (PEM), or the system's trust store
    /// when nil.
    package static func client(caFile: String?) throws(TLSError) -> TLSContext {
        let tls = try TLSContext(role: .client)
        SSL_CTX_set_verify(tls.context, SSL_VERIFY_PEER, nil)
        if let caFile {
            guard SSL_CTX_load_verify_file(tls.context, caFile) == 1 else {
                throw TLSError("load CA file \(caFile)", reason: TLSError.openSSLReason("no certificate in it"))
            }
        } else {
            guard SSL_CTX_set_default_verify_paths(tls.context) == 1 else {
                throw TLSError("load the system's CA certificates", reason: TLSError.openSSLReason())
            }
        }
        return tls
    }

    /// A server presenting the certificate chain in `certificateFile` (PEM: its certificate
    /// first, then any intermediates) with the private key in `keyFile` (PEM).
    package static func server(certificateFile: String, keyFile: String) throws(TLSError) -> TLSContext {
        let tls = try TLSContext(role: .server)
        guard SSL_CTX_use_certificate_chain_file(tls.context, certificateFile) == 1 else {
            throw TLSError("load certificate \(certificateFile)", reason: TLSError.openSSLReason())
        }
        guard SSL_CTX_use_PrivateKey_file(tls.context, keyFile, sscard_tls_filetype_pem()) == 1 else {
            throw TLSError("load private key \(keyFile)", reason: TLSError.openSSLReason())
        }
        guard SSL_CTX_check_private_key(tls.context) == 1 else {
            throw TLSError("match \(keyFile) to \(certificateFile)", reason: TLSError.openSSLReason())
        }
        return tls
    }
}

/// One TLS connection over a connected `StreamSocket`. OpenSSL reads and writes through a BIO
/// whose calls are the socket's own `receive` and `sendAll` with the deadline of the current
/// call, so every byte still goes through `Sockets` (EINTR, errno, deadlines) and a blocked
/// receive wakes when another thread shuts the socket down. One thread at a time uses it.
package final class TLSStream: ProvinceByteStream {
    package let socket: StreamSocket
    private let ssl: OpaquePointer
    private let io: SocketBIO
    private var established = false

    package init(_ context: TLSContext, over socket: StreamSocket) throws(TLSError) {
        ERR_clear_error()
        guard let ssl = SSL_new(context.context) else { throw TLSError("SSL_new", reason: TLSError.openSSLReason()) }
        guard let bio = BIO_new(socketBIOMethod) else {
            SSL_free(ssl)
            throw TLSError("BIO_new", reason: TLSError.openSSLReason())
        }
        self.socket = socket
        self.ssl = ssl
        io = SocketBIO(socket)
        BIO_set_data(bio, Unmanaged.passUnretained(io).toOpaque())
        BIO_set_init(bio, 1)
        SSL_set_bio(ssl, bio, bio)  // the SSL owns the BIO from here
        if context.role == .server { SSL_set_accept_state(ssl) } else { SSL_set_connect_state(ssl) }
    }

    deinit { SSL_free(ssl) }

    /// The client's handshake: the server's chain must lead to a trusted CA and name `host`
    /// (a DNS name, matched with SNI, or an IP address, matched against its IP entries).
    package func connect(host: String, deadline: ContinuousClock.Instant?) throws(TLSError) {
        ERR_clear_error()
        var ipv4 = in_addr(), ipv6 = in6_addr()
        if inet_pton(AF_INET, host, &ipv4) == 1 || inet_pton(AF_INET6, host, &ipv6) == 1 {
            guard X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host) == 1 else {
                throw TLSError("TLS: expect IP \(host)", reason: TLSError.openSSLReason())
            }
        } else {
            guard SSL_set1_host(ssl, host) == 1, sscard_tls_set_server_name(ssl, host) == 1 else {
                throw TLSError("TLS: expect host \(host)", reason: TLSError.openSSLReason())
            }
        }
        try handshake("TLS handshake with \(host)", deadline: deadline) { SSL_connect($0) }
    }

    /// The server's handshake.
    package func accept(deadline: ContinuousClock.Instant?) throws(TLSError) {
        try handshake("TLS handshake", deadline: deadline) { SSL_accept($0) }
    }

    private func handshake(_ operation: String, deadline: ContinuousClock.Instant?, _ step: (OpaquePointer) -> Int32) throws(TLSError) {
        io.begin(deadline)
        ERR_clear_error()
        let rc = step(ssl)
        guard rc != 1 else { established = true; return }
        let verification = SSL_get_verify_result(ssl)
        if verification != Int(X509_V_OK) {
            let why = String(cString: X509_verify_cert_error_string(verification))
            ERR_clear_error()
            throw TLSError(operation, reason: "certificate verify failed (\(why))")
        }
        if let cause = io.error {
            ERR_clear_error()
            throw TLSError(operation, reason: cause.message, cause: cause)
        }
        throw TLSError(operation, reason: TLSError.openSSLReason("the peer closed the connection"))
    }

    // MARK: ProvinceByteStream

    package func receive(maxCount: Int, deadline: ContinuousClock.Instant?) throws(SocketError) -> [UInt8] {
        io.begin(deadline)
        ERR_clear_error()
        var buffer = [UInt8](repeating: 0, count: max(1, min(maxCount, Int(Int32.max))))
        let n = buffer.withUnsafeMutableBytes { SSL_read(ssl, $0.baseAddress, Int32($0.count)) }
        if n > 0 {
            buffer.removeLast(buffer.count - Int(n))
            return buffer
        }
        let kind = SSL_get_error(ssl, n)
        if let cause = io.error { ERR_clear_error(); throw cause }
        switch kind {
        case SSL_ERROR_ZERO_RETURN, SSL_ERROR_SYSCALL:
            ERR_clear_error()
            return []  // close_notify, or the end of the stream
        default:
            throw SocketError("TLS read: \(TLSError.openSSLReason())", code: EPROTO)
        }
    }

    package func sendAll(_ bytes: [UInt8], deadline: ContinuousClock.Instant?, sent: inout Int) throws(SocketError) {
        io.begin(deadline)
        while sent < bytes.count {
            ERR_clear_error()
            let n = bytes.withUnsafeBytes { raw in
                SSL_write(ssl, raw.baseAddress! + sent, Int32(min(raw.count - sent, 1 << 20)))
            }
            if n > 0 { sent += Int(n); continue }
            if let cause = io.error { ERR_clear_error(); throw cause }
            throw SocketError("TLS write: \(TLSError.openSSLReason())", code: EPROTO)
        }
    }

    /// Says close_notify (within half a second) when the handshake was done, then closes the socket.
    package func close() {
        if established {
            io.begin(.now + .milliseconds(500))
            ERR_clear_error()
            _ = SSL_shutdown(ssl)
            ERR_clear_error()
            established = false
        }
        socket.close()
    }
}

/// The socket under a `TLSStream`'s BIO, the deadline of the call in progress and the socket
/// error that failed it.
private final class SocketBIO {
    let socket: StreamSocket
    var deadline: ContinuousClock.Instant?
    var error: SocketError?

    init(_ socket: StreamSocket) { self.socket = socket }

    func begin(_ deadline: ContinuousClock.Instant?) {
        self.deadline = deadline
        error = nil
    }

    static func from(_ bio: OpaquePointer?) -> SocketBIO? {
        guard let bio, let data = BIO_get_data(bio) else { return nil }
        return Unmanaged<SocketBIO>.fromOpaque(data).takeUnretainedValue()
    }
}

/// The BIO method over `SocketBIO`: reads and writes block until the call's deadline and are
/// never to be retried; flush succeeds; other controls are not supported.
nonisolated(unsafe) private let socketBIOMethod: OpaquePointer = {
    let method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "sscard-socket")!
    _ = BIO_meth_set_write(method) { bio, data, length in
        guard let io = SocketBIO.from(bio), let data, length >= 0 else { return -1 }
        sscard_bio_clear_retry(bio)
        let bytes = Array(UnsafeRawBufferPointer(start: data, count: Int(length)))
        var sent = 0
        do throws(SocketError) {
            try io.socket.sendAll(bytes, deadline: io.deadline, sent: &sent)
            return length
        } catch {
            io.error = error
            return -1
        }
    }
    _ = BIO_meth_set_read(method) { bio, data, length in
        guard let io = SocketBIO.from(bio), let data, length > 0 else { return -1 }
        sscard_bio_clear_retry(bio)
        do throws(SocketError) {
            let chunk = try io.socket.receive(maxCount: Int(length), deadline: io.deadline)
            guard !chunk.isEmpty else { return 0 }  // the end of the stream
            chunk.withUnsafeBytes { UnsafeMutableRawPointer(data).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            return Int32(chunk.count)
        } catch {
            io.error = error
            return -1
        }
    }
    _ = BIO_meth_set_ctrl(method) { _, command, _, _ in command == sscard_bio_ctrl_flush() ? 1 : 0 }
    return method
}()
