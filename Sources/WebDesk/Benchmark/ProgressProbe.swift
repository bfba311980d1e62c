import Foundation
import InstantIssue

/// For `sscard-bench desk`: the server's part of one progress update — the workflow's
/// `IssuanceProgress` turned into the page's event, handed to a listening page's stream and
/// written as its `text/event-stream` line — measured on the very types the desk uses.
public struct ProgressProbe: Sendable {
    public init() {}

    /// Posts `count` step events to an issuance with one listener and returns, for each, the
    /// time from the workflow's callback to the event's SSE text in the listener's hands.
    public func measure(count: Int) async -> [Duration] {
        let issuance = LiveIssuance(applicationID: "BENCH-0001", clerk: "bench", name: "张三")
        let stream = issuance.stream()
        let clock = ContinuousClock()
        var samples: [Duration] = []
        samples.reserveCapacity(count)
        var iterator = stream.makeAsyncIterator()
        let steps = IssuanceStep.allCases
        for i in 0..<count {
            let step = steps[i % steps.count]
            let start = clock.now
            issuance.post(LiveIssuance.event(i % 2 == 0 ? .started(step) : .finished(step)))
            guard let event = await iterator.next() else { break }
            let line = event.serverSentEvent
            samples.append(clock.now - start)
            if line.isEmpty { break }
        }
        return samples
    }
}
