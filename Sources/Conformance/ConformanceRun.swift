import Foundation
import SSCardSimulator

/// What to test and where.
public struct ConformanceOptions: Sendable {
    /// The driver library under test (a path for dlopen).
    public var library: String
    /// The vpcd reader the cards are served in; the library must use it as its contact reader.
    public var reader: String
    /// Use the running pcscd (it must have the vpcd readers) instead of starting a private one.
    public var useRunningPCSCD: Bool
    /// Run only the cases whose id is listed or starts with one of these followed by "." (empty: all).
    public var cases: [String]
    /// `sscard-conformance-probe`.
    public var probe: URL
    /// The command line that started the run, for the report.
    public var commandLine: String

    public init(library: String, reader: String = VirtualReaderStack.readerNames[0], useRunningPCSCD: Bool = false,
                cases: [String] = [], probe: URL, commandLine: String = "") {
        self.library = library
        self.reader = reader
        self.useRunningPCSCD = useRunningPCSCD
        self.cases = cases
        self.probe = probe
        self.commandLine = commandLine
    }
}

/// The run could not start (exit status 2): the library does not load, the probe or pcscd is
/// missing, a simulator does not start, or no case matches.
public struct ConformanceStartError: Error, CustomStringConvertible {
    public var description: String
}

/// Runs the cases against a library and collects the report.
public enum ConformanceRun {
    /// The case ids, for `--case` and the help.
    public static var caseIDs: [String] { CaseCatalogue.all.map(\.id) }

    /// Runs the chosen cases; `progress` hears one line per case.
    public static func run(_ options: ConformanceOptions, progress: (String) -> Void = { _ in }) throws(ConformanceStartError) -> ConformanceReport {
        let started = Date()
        let clock = ContinuousClock.now
        let selected = CaseCatalogue.all.filter { c in
            options.cases.isEmpty || options.cases.contains { c.id == $0 || c.id.hasPrefix($0 + ".") }
        }
        guard !selected.isEmpty else {
            throw ConformanceStartError(description: "no case matches \(options.cases.joined(separator: ", ")); the cases are: \(caseIDs.joined(separator: ", "))")
        }
        guard FileManager.default.isExecutableFile(atPath: options.probe.path) else {
            throw ConformanceStartError(description: "\(options.probe.path) is missing: build it with `swift build` (product sscard-conformance-probe), it ships beside issue-station")
        }
        guard FileManager.default.fileExists(atPath: options.library) else {
            throw ConformanceStartError(description: "the library \(options.library) does not exist")
        }
        // The library must load before anything is started for it.
        do {
            let probe = try DriverProbe(probe: options.probe, library: options.library, environment: [:])
            probe.close()
        } catch {
            throw ConformanceStartError(description: "the library \(options.library) cannot be loaded: \(error)")
        }
        let bench: ConformanceBench
        do { bench = try ConformanceBench(reader: options.reader, useRunningPCSCD: options.useRunningPCSCD) } catch {
            throw ConformanceStartError(description: "\(error)")
        }
        defer { bench.stop() }

        var reports: [CaseReport] = []
        var times: [String: [Duration]] = [:]
        for item in selected {
            let ctx = CaseContext(bench: bench, library: options.library, probeURL: options.probe)
            var verdict = Verdict.pass
            var reasons: [String] = []
            do {
                try item.run(ctx)
                if !ctx.failures.isEmpty { verdict = .fail }
                reasons = ctx.failures
            } catch CaseStop.notTestable(let why) {
                verdict = ctx.failures.isEmpty ? .notTestable : .fail
                reasons = ctx.failures + ["\(why.zh) / \(why.en)"]
            } catch CaseStop.notApplicable(let why) {
                verdict = ctx.failures.isEmpty ? .notApplicable : .fail
                reasons = ctx.failures + ["\(why.zh) / \(why.en)"]
            } catch {
                verdict = .fail
                reasons = ctx.failures + ["\(error)"]
            }
            ctx.finish()
            if item.group != .robustness {
                for call in ctx.timedCalls { times[call.function, default: []].append(call.elapsed) }
            }
            reports.append(CaseReport(id: item.id, group: item.group, title: item.title, clause: item.clause, expected: item.expected,
                                      seen: ctx.seen, verdict: verdict, reasons: reasons, calls: ctx.calls, apdus: ctx.apdus))
            progress("\(verdictMark(verdict)) \(item.id)" + (reasons.isEmpty ? "" : ": " + reasons.joined(separator: "; ")))
        }

        var summary = ConformanceReport.Summary()
        for r in reports {
            switch r.verdict {
            case .pass: summary.passed += 1
            case .fail: summary.failed += 1
            case .notTestable: summary.notTestable += 1
            case .notApplicable: summary.notApplicable += 1
            }
        }
        let formatter = ISO8601DateFormatter()
        return ConformanceReport(
            tester: "issue-station conformance (sscard-conformance-probe, pcscd + vpcd, province-sim HSM, virtual printer)",
            command: options.commandLine, library: options.library, reader: options.reader, startedAt: formatter.string(from: started),
            durationSeconds: (ContinuousClock.now - clock).milliseconds / 1000, summary: summary, cases: reports,
            timing: times.keys.sorted().map { ConformanceReport.FunctionTiming(function: $0, figures: TimingFigures(times[$0]!)) })
    }

    static func verdictMark(_ v: Verdict) -> String {
        switch v {
        case .pass: return "通过 pass          "
        case .fail: return "不通过 FAIL        "
        case .notTestable: return "无法测试 not testable"
        case .notApplicable: return "不适用 n/a        "
        }
    }
}
