import Foundation
import Glibc
import Synchronization

/// The deadline of `SCardTransmit` without a thread hop on every APDU: the caller makes the
/// call itself and registers it here; one watchdog thread looks every 10 ms and, for a call
/// past its deadline, shuts the context's socket to pcscd down (`PCSCClientSocket`), which
/// makes the blocked call return at once. The connection is then poisoned, as before.
///
/// Handing every exchange to a queue thread and back (`DeadlineRunner`) cost two thread
/// wake-ups an APDU: 1.2–1.3× the raw libpcsclite round trip (docs/performance.md).
final class TransmitWatchdog: Sendable {
    static let shared = TransmitWatchdog()

    /// How often the watchdog looks; a deadline is kept to within this.
    static let period: Duration = .milliseconds(10)
    /// The watchdog thread ends after this many looks with nothing in flight.
    static let idleLooks = 200

    private struct Call {
        var socket: Int32
        var deadline: ContinuousClock.Instant
        var fired = false
    }

    private struct State {
        var calls: [UInt64: Call] = [:]
        var next: UInt64 = 0
        var watching = false
    }

    private let state = Mutex(State())

    /// Registers a call on `socket` that must end within `timeout`; returns its token.
    func begin(socket: Int32, timeout: Duration) -> UInt64 {
        let (token, start) = state.withLock { s -> (UInt64, Bool) in
            s.next += 1
            s.calls[s.next] = Call(socket: socket, deadline: .now + timeout)
            defer { s.watching = true }
            return (s.next, !s.watching)
        }
        if start {
            let thread = Thread { [self] in watch() }
            thread.name = "PCSC transmit watchdog"
            thread.start()
        }
        return token
    }

    /// Ends the call of `token`: true when its deadline passed and its socket was shut down.
    func end(_ token: UInt64) -> Bool {
        state.withLock { $0.calls.removeValue(forKey: token)?.fired ?? false }
    }

    private func watch() {
        var idle = 0
        while true {
            Thread.sleep(forTimeInterval: Double(Self.period.components.attoseconds) / 1e18)
            let keepWatching = state.withLock { s -> Bool in
                if s.calls.isEmpty {
                    idle += 1
                    if idle >= Self.idleLooks { s.watching = false; return false }
                    return true
                }
                idle = 0
                let now = ContinuousClock.now
                for (token, call) in s.calls where !call.fired && call.deadline <= now {
                    // Under the lock: the call is still in flight, so the socket is still its own.
                    _ = Glibc.shutdown(call.socket, Int32(SHUT_RDWR))
                    s.calls[token]?.fired = true
                }
                return true
            }
            if !keepWatching { return }
        }
    }
}
