/// A connection's request rate: a token bucket of `burst` calls refilled at `perSecond`. A call
/// over the rate is answered −9002 without touching the driver; the connection stays open.
struct RateLimiter: Sendable {
    let perSecond: Double
    let burst: Double
    private var tokens: Double
    private var last: ContinuousClock.Instant

    init(perSecond: Double, burst: Int, now: ContinuousClock.Instant = .now) {
        self.perSecond = perSecond
        self.burst = Double(burst)
        tokens = Double(burst)
        last = now
    }

    /// Takes one token if there is one.
    mutating func allow(now: ContinuousClock.Instant = .now) -> Bool {
        let elapsed = now - last
        last = now
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        tokens = min(burst, tokens + seconds * perSecond)
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }
}
