/// The two-step (HSM) functions keep state in the driver between their steps (the card's
/// single-use challenge, a new PIN held for RELOAD PIN). The bridge binds that state to the
/// connection that began it: another connection's Step2/Step3 is refused (−9003) without the
/// driver seeing it, and no other call reaches the card until the session ends, fails,
/// expires or its connection closes — a second tab can neither finish nor spoil it.
public enum HSMSessionFamily: String, Sendable, Hashable {
    case readBasic, readCard, writeCard, reloadPIN, unblockPIN

    /// The step that ends a session of this family.
    var lastStep: Int { self == .reloadPIN || self == .unblockPIN ? 3 : 2 }
}

/// One open two-step session.
struct HSMSession: Sendable {
    var owner: Int
    var family: HSMSessionFamily
    var nextStep: Int
    var expiry: ContinuousClock.Instant
    /// What the session keeps from other connections between its steps.
    var resources: Set<BridgeResource>

    func isLive(now: ContinuousClock.Instant) -> Bool { now < expiry }

    /// Why `owner` may not take step `step` of `family` now, or nil.
    static func refusal(_ session: HSMSession?, family: HSMSessionFamily, step: Int, owner: Int,
                        now: ContinuousClock.Instant) -> (String, String)? {
        guard step > 1 else { return nil }
        guard let session, session.isLive(now: now) else {
            return ("没有本连接开始的两步操作（未开始或已超时）", "no two-step session begun by this connection (never begun or expired)")
        }
        guard session.owner == owner else {
            return ("两步操作属于另一个连接，本连接不能继续", "the two-step session belongs to another connection")
        }
        guard session.family == family, session.nextStep == step else {
            return ("两步操作的下一步不是这一步", "this is not the next step of the open two-step session")
        }
        return nil
    }
}
