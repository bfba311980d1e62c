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
actor ReaderLock {
    private var callHolders: [BridgeResource: Int] = [:]
    private(set) var session: HSMSession?
    private var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    private var nextWaiter = 0
    let sessionTimeout: Duration

    init(sessionTimeout: Duration) {
        self.sessionTimeout = sessionTimeout
    }

    /// Takes `resources` for `owner`, waiting until `deadline`; false when still busy then.
    func acquire(_ resources: Set<BridgeResource>, owner: Int, deadline: ContinuousClock.Instant) async -> Bool {
        while true {
            let now = ContinuousClock.now
            if let s = session, !s.isLive(now: now) { session = nil }
            if isFree(resources, for: owner) {
                for r in resources { callHolders[r] = owner }
                return true
            }
            guard now < deadline else { return false }
            var wake = deadline
            if let s = session, s.owner != owner { wake = min(wake, s.expiry) }
            await wait(until: wake)
        }
    }

    private func isFree(_ resources: Set<BridgeResource>, for owner: Int) -> Bool {
        for r in resources {
            if let h = callHolders[r], h != owner { return false }
            if let s = session, s.owner != owner, s.resources.contains(r) { return false }
        }
        return true
    }

    /// Ends `owner`'s call on `resources`.
    func release(_ resources: Set<BridgeResource>, owner: Int) {
        for r in resources where callHolders[r] == owner { callHolders[r] = nil }
        wakeAll()
    }

    /// Why `owner` may not take this step, or nil.
    func refusal(family: HSMSessionFamily, step: Int, owner: Int) -> (String, String)? {
        HSMSession.refusal(session, family: family, step: step, owner: owner, now: .now)
    }

    /// Records how a step ended: a Step1 that succeeded opens a session for its connection, a
    /// middle step renews it, the last step or any failure closes it.
    func stepEnded(family: HSMSessionFamily, step: Int, owner: Int, succeeded: Bool, resources: Set<BridgeResource>) {
        if succeeded && step < family.lastStep {
            session = HSMSession(owner: owner, family: family, nextStep: step + 1,
                                 expiry: .now + sessionTimeout, resources: resources)
        } else if step == 1 || session?.owner == owner {
            session = nil
        }
        wakeAll()
    }

    /// A connection closed: its calls and its session end.
    func connectionClosed(_ owner: Int) {
        for (r, h) in callHolders where h == owner { callHolders[r] = nil }
        if session?.owner == owner { session = nil }
        wakeAll()
    }

    private func wait(until instant: ContinuousClock.Instant) async {
        let id = nextWaiter
        nextWaiter += 1
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            waiters[id] = c
            Task { [weak self] in
                try? await Task.sleep(until: instant, clock: .continuous)
                await self?.timeout(id)
            }
        }
    }

    private func timeout(_ id: Int) {
        waiters.removeValue(forKey: id)?.resume()
    }

    private func wakeAll() {
        let all = waiters
        waiters.removeAll()
        for c in all.values { c.resume() }
    }
}
