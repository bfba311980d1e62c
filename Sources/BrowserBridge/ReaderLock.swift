import Synchronization

/// What a call occupies while it runs: a reader, the printer, or the driver's two-step state.
public enum BridgeResource: Hashable, Sendable {
    case contactReader, contactlessReader, printer
    /// The driver keeps one pending two-step state: every two-step function takes it.
    case twoStepState
}

/// One card operation per reader at a time across connections. A call takes its resources for
/// as long as it runs; a two-step session keeps them from other connections between its steps
/// (`HSMSession`). A call that finds them taken waits until they are free or its deadline
/// passes (then "busy", −9001); a session that outlives its expiry is dropped, and its
/// connection's next step refused.
///
/// A mutex, not an actor: a call that finds its resources free takes them without a hop to
/// another executor (the benchmark's 1 ms budget); only a call that must wait suspends.
final class ReaderLock: Sendable {
    private struct State {
        var callHolders: [BridgeResource: Int] = [:]
        var session: HSMSession?
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter = 0
    }

    private let state = Mutex(State())
    let sessionTimeout: Duration

    init(sessionTimeout: Duration) {
        self.sessionTimeout = sessionTimeout
    }

    var session: HSMSession? { state.withLock { $0.session } }

    /// Takes `resources` for `owner`, waiting until `deadline`; false when still busy then.
    func acquire(_ resources: Set<BridgeResource>, owner: Int, deadline: ContinuousClock.Instant) async -> Bool {
        while true {
            let now = ContinuousClock.now
            // Taken at once, or the instant to wake up at (deadline, or the holding session's expiry).
            let wake: ContinuousClock.Instant? = state.withLock { s in
                if let session = s.session, !session.isLive(now: now) { s.session = nil }
                if Self.isFree(resources, for: owner, in: s) {
                    for r in resources { s.callHolders[r] = owner }
                    return nil
                }
                var wake = deadline
                if let session = s.session, session.owner != owner { wake = min(wake, session.expiry) }
                return wake
            }
            guard let wake else { return true }
            guard now < deadline else { return false }
            await wait(until: wake, for: resources, owner: owner)
        }
    }

    private static func isFree(_ resources: Set<BridgeResource>, for owner: Int, in s: State) -> Bool {
        for r in resources {
            if let h = s.callHolders[r], h != owner { return false }
            if let session = s.session, session.owner != owner, session.resources.contains(r) { return false }
        }
        return true
    }

    /// Ends `owner`'s call on `resources`.
    func release(_ resources: Set<BridgeResource>, owner: Int) {
        let woken = state.withLock { s in
            for r in resources where s.callHolders[r] == owner { s.callHolders[r] = nil }
            return Self.takeWaiters(&s)
        }
        for c in woken { c.resume() }
    }

    /// Why `owner` may not take this step, or nil.
    func refusal(family: HSMSessionFamily, step: Int, owner: Int) -> (String, String)? {
        state.withLock { HSMSession.refusal($0.session, family: family, step: step, owner: owner, now: .now) }
    }

    /// Records how a step ended: a Step1 that succeeded opens a session for its connection, a
    /// middle step renews it, the last step or any failure closes it.
    func stepEnded(family: HSMSessionFamily, step: Int, owner: Int, succeeded: Bool, resources: Set<BridgeResource>) {
        let woken = state.withLock { s in
            if succeeded && step < family.lastStep {
                s.session = HSMSession(owner: owner, family: family, nextStep: step + 1,
                                       expiry: .now + sessionTimeout, resources: resources)
            } else if step == 1 || s.session?.owner == owner {
                s.session = nil
            }
            return Self.takeWaiters(&s)
        }
        for c in woken { c.resume() }
    }

    /// A connection closed: its calls and its session end.
    func connectionClosed(_ owner: Int) {
        let woken = state.withLock { s in
            for (r, h) in s.callHolders where h == owner { s.callHolders[r] = nil }
            if s.session?.owner == owner { s.session = nil }
            return Self.takeWaiters(&s)
        }
        for c in woken { c.resume() }
    }

    /// Suspends until something is released or `instant` passes. Registering re-checks under
    /// the lock, so a release between the caller's check and this wait is not missed.
    private func wait(until instant: ContinuousClock.Instant, for resources: Set<BridgeResource>, owner: Int) async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let id: Int? = state.withLock { s in
                if Self.isFree(resources, for: owner, in: s) { return nil }
                let id = s.nextWaiter
                s.nextWaiter += 1
                s.waiters[id] = c
                return id
            }
            guard let id else { return c.resume() }
            Task { [weak self] in
                try? await Task.sleep(until: instant, clock: .continuous)
                self?.state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
            }
        }
    }

    private static func takeWaiters(_ s: inout State) -> [CheckedContinuation<Void, Never>] {
        guard !s.waiters.isEmpty else { return [] }
        let all = Array(s.waiters.values)
        s.waiters.removeAll()
        return all
    }
}
