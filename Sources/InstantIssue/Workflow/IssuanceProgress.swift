/// What the workflow tells the clerk's screen as it goes.
public enum IssuanceProgress: Sendable, Hashable {
    case started(IssuanceStep)
    case finished(IssuanceStep)
    /// The card-face preview was written (PNG).
    case preview(path: String)
    /// A step is being repeated after a retryable failure (network).
    case retrying(IssuanceStep, attempt: Int, reason: String)
}

/// Set by the clerk (Ctrl-C, a Cancel button) and checked between steps: a cancelled issuance
/// ends cleanly — its card released, returned or spoiled, 制卡失败 reported when 制卡中 was.
public final class IssuanceCancellation: Sendable {
    private let flag = Flag()
    public init() {}
    public func cancel() { flag.set() }
    public var isCancelled: Bool { flag.isSet }
}

import Synchronization

private final class Flag: Sendable {
    private let value = Atomic<Bool>(false)
    func set() { value.store(true, ordering: .sequentiallyConsistent) }
    var isSet: Bool { value.load(ordering: .sequentiallyConsistent) }
}
