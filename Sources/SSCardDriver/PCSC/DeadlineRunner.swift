import Dispatch

/// Runs blocking C calls on a dedicated dispatch queue (never the Swift cooperative pool) and
/// gives up waiting after a deadline.
///
/// pcsc-lite has no timeout on `SCardTransmit` and vpcd none on the card's answer, so a mute card
/// would hang the caller for ever (tested here with pcscd 1.9.9 and vpcd 3.3). After a timeout the
/// call is still blocked on the queue: the owner must treat the handle as poisoned and never use
/// this runner again.
final class DeadlineRunner: Sendable {
    private let queue: DispatchQueue

    init(label: String) {
        queue = DispatchQueue(label: label)
    }

    /// Runs `body` on the queue; nil if it had not finished after `timeout` (nil = no deadline).
    func run<T: Sendable>(timeout: Duration?, _ body: @escaping @Sendable () -> T) -> T? {
        let done = DispatchSemaphore(value: 0)
        let box = ResultBox<T>()
        queue.async {
            box.value = body()
            done.signal()
        }
        if let timeout {
            let nanos = timeout.components.seconds * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000
            guard done.wait(timeout: .now() + .nanoseconds(Int(nanos))) == .success else { return nil }
        } else {
            done.wait()
        }
        return box.value
    }
}

/// Carries a result from the queue to the waiting thread.
/// `@unchecked Sendable`: written once on the queue before `signal()`, read only after `wait()`
/// succeeded, so the semaphore orders the two accesses.
private final class ResultBox<T>: @unchecked Sendable {
    var value: T?
}
