import CPCSCLite
import CPCSCShim

/// A connection to the PC/SC resource manager (pcscd): `SCardEstablishContext`.
///
/// `@unchecked Sendable`: the handle is immutable and pcsc-lite's client library serialises the
/// calls made on one context with its own per-context mutex (winscard_clnt.c); `cancel()` is
/// documented as callable from any thread.
public final class PCSCContext: @unchecked Sendable {
    let handle: SCARDCONTEXT

    /// Establishes a system-scope context. Throws `PCSCError.noService` at once when pcscd is
    /// not running. Calls `SCardEstablishContext`.
    public init() throws(PCSCError) {
        var h: SCARDCONTEXT = 0
        try pcscCheck(SCardEstablishContext(DWORD(SCARD_SCOPE_SYSTEM), nil, nil, &h))
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
