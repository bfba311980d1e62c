import CPCSCLite
import CPCSCShim

/// A connection to the PC/SC resource manager (pcscd): `SCardEstablishContext`.
///
/// `@unchecked Sendable`: the handle is immutable and pcsc-lite's client library serialises the
/// calls made on one context with its own per-context mutex (winscard_clnt.c); `cancel()` is
/// documented as callable from any thread.
public final class PCSCContext: @unchecked Sendable {
    let handle: SCARDCONTEXT
    /// The context's socket to pcscd, when it was asked for and could be told apart
    /// (`PCSCClientSocket`): what `TransmitWatchdog` shuts down to end a call past its deadline.
    let socket: Int32?

    /// Establishes a system-scope context. Throws `PCSCError.noService` at once when pcscd is
    /// not running. Calls `SCardEstablishContext`.
    public convenience init() throws(PCSCError) {
        try self.init(locatingSocket: false)
    }

    /// A context whose socket to pcscd is found too (`socket`), for a card connection that
    /// transmits with `TransmitWatchdog`'s deadline.
    init(locatingSocket: Bool) throws(PCSCError) {
        var h: SCARDCONTEXT = 0
        if locatingSocket {
            let (rc, found) = PCSCClientSocket.establish { SCardEstablishContext(DWORD(SCARD_SCOPE_SYSTEM), nil, nil, &h) }
            try pcscCheck(rc)
            socket = found
        } else {
            try pcscCheck(SCardEstablishContext(DWORD(SCARD_SCOPE_SYSTEM), nil, nil, &h))
            socket = nil
        }
        handle = h
    }

    deinit {
        SCardReleaseContext(handle)
    }

    /// Names of the readers pcscd knows now; empty when there are none. Calls `SCardListReaders`.
    public func readers() throws(PCSCError) -> [String] {
        var length: DWORD = 0
        let first = SCardListReaders(handle, nil, nil, &length)
        if UInt32(truncatingIfNeeded: first) == CPCSCShim_SCARD_E_NO_READERS_AVAILABLE { return [] }
        try pcscCheck(first)
        var buffer = [CChar](repeating: 0, count: Int(length))
        let second = SCardListReaders(handle, nil, &buffer, &length)
        if UInt32(truncatingIfNeeded: second) == CPCSCShim_SCARD_E_NO_READERS_AVAILABLE { return [] }
        try pcscCheck(second)
        return Self.splitMultiString(buffer)
    }

    /// Ends a `waitForChange` blocked on this context, from any thread. Calls `SCardCancel`.
    public func cancel() {
        SCardCancel(handle)
    }

    /// Whether pcsc-lite still considers the context valid. Client-side only: it stays true
    /// after pcscd restarted (tested here with pcscd 1.9.9), so errors, not this, drive recovery.
    public var isValid: Bool { SCardIsValidContext(handle) == 0 }

    static func splitMultiString(_ buffer: [CChar]) -> [String] {
        var names: [String] = []
        var current: [UInt8] = []
        for c in buffer {
            if c == 0 {
                if current.isEmpty { break }
                names.append(String(decoding: current, as: UTF8.self))
                current.removeAll()
            } else {
                current.append(UInt8(bitPattern: c))
            }
        }
        return names
    }
}
