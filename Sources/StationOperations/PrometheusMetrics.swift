import CoreMetrics
import Foundation

/// A swift-metrics backend that keeps every series in memory and writes them in the
/// Prometheus text exposition format (version 0.0.4): counters and floating-point counters as
/// `counter`, meters and non-aggregating recorders as `gauge`, timers as a `histogram` in
/// seconds, aggregating recorders as a `summary` (sum and count). Labels become metric names
/// with anything outside `[a-zA-Z0-9_:]` turned into `_`; dimensions become labels.
///
/// `@unchecked Sendable`: `series` is only touched under `lock`.
public final class PrometheusMetrics: MetricsFactory, @unchecked Sendable {
    /// Upper bounds (seconds) of the timer histograms: card steps take from milliseconds
    /// (inventory) to tens of seconds (printing, a slow province).
    public static let durationBuckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120]

    struct SeriesKey: Hashable, Comparable {
        var name: String
        var labels: [Label]
        static func < (a: SeriesKey, b: SeriesKey) -> Bool {
            (a.name, a.labelText) < (b.name, b.labelText)
        }
        var labelText: String {
            labels.map { "\($0.name)=\"\(PrometheusMetrics.escape($0.value))\"" }.joined(separator: ",")
        }
    }

    struct Label: Hashable {
        var name: String
        var value: String
    }

    enum Value {
        case counter(Double)
        case gauge(Double)
        case summary(sum: Double, count: Int)
        case histogram(buckets: [Int], sum: Double, count: Int)

        var typeName: String {
            switch self {
            case .counter: "counter"
            case .gauge: "gauge"
            case .summary: "summary"
            case .histogram: "histogram"
            }
        }
    }

    private let lock = NSLock()
    private var series: [SeriesKey: Value] = [:]

    public init() {}

    // MARK: MetricsFactory

    public func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        handle(label, dimensions, .counter(0))
    }

    public func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        handle(label, dimensions, .counter(0))
    }

    public func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        handle(label, dimensions, .gauge(0))
    }

    public func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        handle(label, dimensions, aggregate ? .summary(sum: 0, count: 0) : .gauge(0))
    }

    public func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        handle(label, dimensions, .histogram(buckets: Array(repeating: 0, count: Self.durationBuckets.count), sum: 0, count: 0))
    }

    public func destroyCounter(_ handler: any CounterHandler) { remove(handler) }
    public func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) { remove(handler) }
    public func destroyMeter(_ handler: any MeterHandler) { remove(handler) }
    public func destroyRecorder(_ handler: any RecorderHandler) { remove(handler) }
    public func destroyTimer(_ handler: any TimerHandler) { remove(handler) }

    // MARK: The text format

    /// Every series, grouped by metric with one `# TYPE` line each, sorted by name and labels.
    public func exposition() -> String {
        let snapshot = lock.withLock { series }
        var text = ""
        var typed: Set<String> = []
        for key in snapshot.keys.sorted() {
            let value = snapshot[key]!
            if typed.insert(key.name).inserted { text += "# TYPE \(key.name) \(value.typeName)\n" }
            switch value {
            case .counter(let v), .gauge(let v):
                text += line(key.name, key.labels, v)
            case .summary(let sum, let count):
                text += line(key.name + "_sum", key.labels, sum)
                text += line(key.name + "_count", key.labels, Double(count))
            case .histogram(let buckets, let sum, let count):
                var cumulative = 0
                for (bound, n) in zip(Self.durationBuckets, buckets) {
                    cumulative += n
                    text += line(key.name + "_bucket", key.labels + [Label(name: "le", value: Self.number(bound))], Double(cumulative))
                }
                text += line(key.name + "_bucket", key.labels + [Label(name: "le", value: "+Inf")], Double(count))
                text += line(key.name + "_sum", key.labels, sum)
                text += line(key.name + "_count", key.labels, Double(count))
            }
        }
        return text
    }

    private func line(_ name: String, _ labels: [Label], _ value: Double) -> String {
        let labelText = SeriesKey(name: name, labels: labels).labelText
        return name + (labels.isEmpty ? "" : "{\(labelText)}") + " " + Self.number(value) + "\n"
    }

    /// `1`, `0.25`, `+Inf`, `NaN` as Prometheus reads them.
    static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    /// A label value with `\`, `"` and newlines escaped.
    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    /// `[a-zA-Z_:][a-zA-Z0-9_:]*`; labels use the same set without `:`.
    static func sanitize(_ name: String, allowColon: Bool = true) -> String {
        var out = ""
        for (i, c) in name.unicodeScalars.enumerated() {
            let ok = (c.isASCII && (CharacterSet.letters.contains(c) || c == "_" || (allowColon && c == ":")))
                || (i > 0 && c.isASCII && CharacterSet.decimalDigits.contains(c))
            out.unicodeScalars.append(ok ? c : "_")
        }
        return out.isEmpty ? "_" : out
    }

    // MARK: Series

    private func handle(_ label: String, _ dimensions: [(String, String)], _ initial: Value) -> Handle {
        let key = SeriesKey(name: Self.sanitize(label),
                            labels: dimensions.map { Label(name: Self.sanitize($0.0, allowColon: false), value: $0.1) }
                                .sorted { $0.name < $1.name })
        lock.withLock {
            if series[key] == nil { series[key] = initial }
        }
        return Handle(key: key, owner: self)
    }

    private func remove(_ handler: AnyObject) {
        guard let handle = handler as? Handle else { return }
        _ = lock.withLock { series.removeValue(forKey: handle.key) }
    }

    fileprivate func update(_ key: SeriesKey, _ change: (inout Value) -> Void) {
        lock.withLock {
            guard var value = series[key] else { return }
            change(&value)
            series[key] = value
        }
    }

    /// One series as swift-metrics sees it, whatever its kind.
    final class Handle: CounterHandler, FloatingPointCounterHandler, MeterHandler, RecorderHandler, TimerHandler, Sendable {
        let key: SeriesKey
        let owner: PrometheusMetrics

        init(key: SeriesKey, owner: PrometheusMetrics) {
            self.key = key
            self.owner = owner
        }

        func increment(by amount: Int64) { increment(by: Double(amount)) }

        func increment(by amount: Double) {
            owner.update(key) { value in
                switch value {
                case .counter(let v): value = .counter(v + max(0, amount))
                case .gauge(let v): value = .gauge(v + amount)
                default: break
                }
            }
        }

        func decrement(by amount: Double) {
            owner.update(key) { value in
                if case .gauge(let v) = value { value = .gauge(v - amount) }
            }
        }

        func reset() { owner.update(key) { $0 = .counter(0) } }
        func set(_ v: Int64) { set(Double(v)) }
        func set(_ v: Double) { owner.update(key) { $0 = .gauge(v) } }
        func record(_ v: Int64) { record(Double(v)) }

        func record(_ v: Double) {
            owner.update(key) { value in
                switch value {
                case .gauge: value = .gauge(v)
                case .summary(let sum, let count): value = .summary(sum: sum + v, count: count + 1)
                default: break
                }
            }
        }

        func recordNanoseconds(_ duration: Int64) {
            let seconds = Double(duration) / 1e9
            owner.update(key) { value in
                guard case .histogram(var buckets, let sum, let count) = value else { return }
                if let i = PrometheusMetrics.durationBuckets.firstIndex(where: { seconds <= $0 }) { buckets[i] += 1 }
                value = .histogram(buckets: buckets, sum: sum + seconds, count: count + 1)
            }
        }
    }
}
