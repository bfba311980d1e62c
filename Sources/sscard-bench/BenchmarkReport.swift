import Foundation
import Synchronization

/// Where every benchmark puts what it measured. Text lines are printed as they come; each
/// figure is also kept by name, so that with `--json` the whole run ends as one JSON object
/// on standard output (the text lines then go to standard error, keeping stdout parseable).
///
/// A benchmark writes `report.line("  through pcscd: \(report.timing("apdu.pcscd", t))")`:
/// `timing` records the figure and returns its text summary.
final class BenchmarkReport: Sendable {
    /// The one report of this process (a benchmark's `run()` takes no arguments, so new
    /// benchmarks hook in with one line in main.swift).
    static let shared = BenchmarkReport()

    /// One named figure: a timing (milliseconds) or a plain value with its unit.
    struct Figure: Codable, Sendable, Equatable {
        var name: String
        var unit: String
        var value: Double?
        var median: Double?
        var p90: Double?
        var min: Double?
        var samples: Int?
    }

    private struct State {
        var json = false
        var figures: [Figure] = []
    }

    private let state = Mutex(State())

    /// With `json`, text lines go to standard error and `finish` prints the figures.
    func start(json: Bool) {
        state.withLock { $0 = State(json: json) }
    }

    /// A line for the reader.
    func line(_ text: String = "") {
        if state.withLock({ $0.json }) {
            FileHandle.standardError.write(Data((text + "\n").utf8))
        } else {
            print(text)
        }
    }

    /// Records `timing` as `name` (milliseconds) and returns its summary for the text line.
    @discardableResult
    func timing(_ name: String, _ timing: Timing) -> String {
        guard !timing.samples.isEmpty else { return timing.summary }
        record(Figure(name: name, unit: "ms", median: Timing.milliseconds(timing.percentile(0.5)),
                      p90: Timing.milliseconds(timing.percentile(0.9)), min: Timing.milliseconds(timing.samples.min()!),
                      samples: timing.samples.count))
        return timing.summary
    }

    /// Records a single value, e.g. `value("wire.issuance.apdus", 71, unit: "count")`.
    func value(_ name: String, _ value: Double, unit: String) {
        record(Figure(name: name, unit: unit, value: value))
    }

    private func record(_ figure: Figure) {
        state.withLock { $0.figures.append(figure) }
    }

    /// Everything recorded so far, in the order it was recorded.
    var figures: [Figure] { state.withLock { $0.figures } }

    /// In JSON mode, prints `{"benchmark": …, "figures": [...]}` on standard output.
    func finish(benchmark: String) throws {
        let (json, figures) = state.withLock { ($0.json, $0.figures) }
        guard json else { return }
        struct Output: Encodable { var benchmark: String; var figures: [Figure] }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(Output(benchmark: benchmark, figures: figures)), as: UTF8.self))
    }
}

/// The report every benchmark writes to.
let report = BenchmarkReport.shared
