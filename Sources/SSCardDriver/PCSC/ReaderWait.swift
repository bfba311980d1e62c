import Foundation
import CPCSCLite

/// Waiting for a card to be inserted or removed: `SCardGetStatusChange`.
///
/// The wait blocks inside pcsc-lite, so it runs on a thread of its own, never on the Swift
/// cooperative pool; task cancellation reaches it through `SCardCancel`. Use a context that no
/// other call uses meanwhile: pcsc-lite holds the context's lock while it waits.
extension PCSCContext {
    /// The reader's state now (timeout 0 returns at once).
    public func status(of reader: String) throws(PCSCError) -> ReaderStatus {
        try statusChange(reader: reader, known: [], timeoutMilliseconds: 0)
    }

    /// Blocks until the reader's state differs from `known`, up to `timeout` (nil = no limit).
    /// Throws `.timeout` when the time runs out, `.cancelled` after `cancel()`.
    public func waitForChange(of reader: String, from known: ReaderStateFlags, timeout: Duration?) throws(PCSCError) -> ReaderStatus {
        try statusChange(reader: reader, known: known, timeoutMilliseconds: Self.milliseconds(timeout))
    }

    /// Blocks until a card is present (or, with `present: false`, absent) in `reader`.
    /// Throws `.timeout` when the time runs out and `.cancelled` after `cancel()`.
    public func waitForCard(in reader: String, present: Bool = true, timeout: Duration?) throws(PCSCError) -> ReaderStatus {
        let clock = ContinuousClock()
        let deadline = timeout.map { clock.now + $0 }
        var status = try self.status(of: reader)
        while status.hasCard != present {
            let left = deadline.map { $0 - clock.now }
            if let left, left <= .zero { throw .timeout }
            status = try waitForChange(of: reader, from: status.state, timeout: left)
        }
        return status
    }

    /// The same wait, for async callers: runs on a dedicated thread and is cancelled with the task.
    public func waitForCard(in reader: String, present: Bool = true, timeout: Duration?) async throws -> ReaderStatus {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<ReaderStatus, any Error>) in
                let thread = Thread { [self] in
                    continuation.resume(with: Result { () throws(PCSCError) -> ReaderStatus in
                        try self.waitForCard(in: reader, present: present, timeout: timeout)
                    })
                }
                thread.name = "PCSC wait \(reader)"
                thread.start()
            }
        } onCancel: {
            self.cancel()
        }
    }

    private func statusChange(reader: String, known: ReaderStateFlags, timeoutMilliseconds: DWORD) throws(PCSCError) -> ReaderStatus {
        let (rc, state) = reader.withCString { name in
            var state = SCARD_READERSTATE()
            state.szReader = name
            state.dwCurrentState = DWORD(known.rawValue)
            let rc = SCardGetStatusChange(handle, timeoutMilliseconds, &state, 1)
            state.szReader = nil
            return (rc, state)
        }
        try pcscCheck(rc)
        let atr = withUnsafeBytes(of: state.rgbAtr) { Array($0.prefix(Int(min(state.cbAtr, 33)))) }
        return ReaderStatus(reader: reader, eventState: state.dwEventState, atr: atr)
    }

    static func milliseconds(_ timeout: Duration?) -> DWORD {
        guard let timeout else { return 0xFFFF_FFFF }  // INFINITE
        let ms = timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000
        return DWORD(max(0, min(ms, 0xFFFF_FFFE)))
    }
}
