/// Round-trip samples and the figures printed from them.
struct Timing {
    private(set) var samples: [Duration] = []

    mutating func measure(_ body: () throws -> Void) rethrows {
        let clock = ContinuousClock()
        let start = clock.now
        try body()
        samples.append(clock.now - start)
    }

    mutating func append(_ sample: Duration) { samples.append(sample) }

    func percentile(_ p: Double) -> Duration {
        let sorted = samples.sorted()
        return sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * p))]
    }

    /// "median 0.131 ms, p90 0.160 ms, min 0.098 ms (n=1000)"
    var summary: String {
        guard !samples.isEmpty else { return "no samples" }
        return "median \(Self.ms(percentile(0.5))), p90 \(Self.ms(percentile(0.9))), min \(Self.ms(samples.min()!)) (n=\(samples.count))"
    }

    static func ms(_ d: Duration) -> String {
        String(format: "%.3f ms", milliseconds(d))
    }

    static func milliseconds(_ d: Duration) -> Double {
        Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
    }
}

import Foundation
