import SSCardSimulator
import CardManagement
import Foundation
import Synchronization

/// The calls of `CardManagementSystem`, to scope an injected fault to one of them.
public enum CardManagementOperation: String, Hashable, Sendable, Codable, CaseIterable {
    case application
    case conflictingCards
    case authenticationKey
    case pkiSecrets
    /// The HSM's one-step calls: internal and external authentication, PIN command MAC.
    case terminalHSM
    case issueCertificates
    case report
    case status
    case activate
    /// 台账校验点 (`ledgerCheckpoint`).
    case ledgerCheckpoint
    /// 补卡/换卡: the old card asked for, confirmed by its chip, cancelled.
    case oldCard
}

/// A failure the province simulator plays on purpose (故障注入), the same way in the embedded
/// simulator and in `ProvinceSimulatorServer`.
public enum CardManagementFault: String, Hashable, Sendable, Codable, CaseIterable {
    /// 网络不通: nothing is carried out. Embedded: throws `.unreachable`. Over HTTP the
    /// server resets the connection before reading the request; the client cannot tell that
    /// from a reset after the work was done, so it reports `.outcomeUnknown` (see
    /// `CardManagementFaults.isUnreachable` for refused connections).
    case unreachable
    /// 超时: the request is not carried out and no answer comes. Embedded: `.outcomeUnknown`.
    /// Over HTTP the server holds the connection without answering until the client gives up.
    case timeout
    /// 服务器错误: HTTP 503, nothing carried out. Embedded: `.serverError(status: 503, …)`.
    case serverError
    /// 应答丢失: the request IS carried out and committed, then the answer is lost.
    /// Embedded: `.outcomeUnknown`; over HTTP the server closes the connection unanswered.
    case lostResponse
}

/// Faults to inject into the province simulator, settable at run time from any thread and
/// shared by the embedded `SimulatedCardManagementSystem` and `ProvinceSimulatorServer`.
///
/// - `delayMilliseconds`: every call waits this long before it is carried out.
/// - `inject(_:count:only:)`: the next `count` calls (of one operation, or of any) fail with
///   the fault; injections queue up in order.
/// - `isUnreachable`: while true every call is unreachable; the server closes its listening
///   socket (connections are refused) and opens it again when this turns false.
public final class CardManagementFaults: Sendable {
    private struct Pending: Sendable {
        var fault: CardManagementFault
        var remaining: Int
        var operation: CardManagementOperation?
    }

    private struct State: Sendable {
        var delayMilliseconds = 0
        var unreachable = false
        var pending: [Pending] = []
        var observers: [@Sendable () -> Void] = []
    }

    private let state = Mutex(State())

    public init() {}

    /// Milliseconds every call waits before it is carried out (0: none).
    public var delayMilliseconds: Int {
        get { state.withLock { $0.delayMilliseconds } }
        set { state.withLock { $0.delayMilliseconds = max(0, newValue) }; notify() }
    }

    /// 网络中断: while true, the system cannot be reached at all.
    public var isUnreachable: Bool {
        get { state.withLock { $0.unreachable } }
        set { state.withLock { $0.unreachable = newValue }; notify() }
    }

    /// The next `count` calls (only of `operation` when given) fail with `fault`.
    /// A count below 1 is a programmer error (traps).
    public func inject(_ fault: CardManagementFault, count: Int = 1, only operation: CardManagementOperation? = nil) {
        precondition(count >= 1, "inject a fault for at least one call")
        state.withLock { $0.pending.append(Pending(fault: fault, remaining: count, operation: operation)) }
        notify()
    }

    /// Removes every injected fault, the delay and the unreachable switch.
    public func clear() {
        state.withLock { s in
            s.pending = []
            s.delayMilliseconds = 0
            s.unreachable = false
        }
        notify()
    }

    /// How many calls are still to fail with `fault` (of any operation).
    public func pendingCount(_ fault: CardManagementFault) -> Int {
        state.withLock { $0.pending.filter { $0.fault == fault }.reduce(0) { $0 + $1.remaining } }
    }

    /// One line for a console: delay, switch and what is pending.
    public var summary: String {
        state.withLock { s in
            var parts = ["延迟 delay \(s.delayMilliseconds) ms"]
            if s.unreachable { parts.append("网络中断 unreachable") }
            for p in s.pending {
                parts.append("\(p.fault.rawValue)×\(p.remaining)" + (p.operation.map { " (\($0.rawValue))" } ?? ""))
            }
            return parts.joined(separator: ", ")
        }
    }

    /// What this call suffers: the delay and the fault it takes (consuming one count).
    func take(for operation: CardManagementOperation) -> (delayMilliseconds: Int, fault: CardManagementFault?) {
        state.withLock { s in
            if s.unreachable { return (s.delayMilliseconds, .unreachable) }
            guard let index = s.pending.firstIndex(where: { $0.operation == nil || $0.operation == operation }) else {
                return (s.delayMilliseconds, nil)
            }
            let fault = s.pending[index].fault
            s.pending[index].remaining -= 1
            if s.pending[index].remaining == 0 { s.pending.remove(at: index) }
            return (s.delayMilliseconds, fault)
        }
    }

    /// Called after every change, on the changing thread (the server watches the switch).
    func observe(_ observer: @escaping @Sendable () -> Void) {
        state.withLock { $0.observers.append(observer) }
    }

    private func notify() {
        for observer in state.withLock({ $0.observers }) { observer() }
    }

    /// Sleeps the calling thread for `milliseconds`.
    static func pause(_ milliseconds: Int) {
        guard milliseconds > 0 else { return }
        Thread.sleep(forTimeInterval: Double(milliseconds) / 1000)
    }
}
