import Foundation

/// The outcome of one case, as the JSON report holds it.
public struct CaseReport: Codable, Hashable, Sendable {
    public var id: String
    public var group: CaseGroup
    public var title: Bilingual
    public var clause: String
    public var expected: Bilingual
    /// What the case saw: codes, outputs, the card's state afterwards.
    public var seen: [String]
    public var verdict: Verdict
    /// Why it failed, or why it could not be tested.
    public var reasons: [String]
    public var calls: [CallRecord]
    /// The APDUs between the reader and the simulated card, personal data masked.
    public var apdus: [String]
}

/// The whole run: what was tested, every case, the timing per function, and the summary that
/// decides the exit status.
public struct ConformanceReport: Codable, Hashable, Sendable {
    public struct Summary: Codable, Hashable, Sendable {
        public var passed = 0
        public var failed = 0
        public var notTestable = 0
        public var notApplicable = 0
    }

    public struct FunctionTiming: Codable, Hashable, Sendable {
        public var function: String
        public var figures: TimingFigures
    }

    public var tester: String
    /// The command line of the run.
    public var command: String
    public var library: String
    public var reader: String
    public var startedAt: String
    public var durationSeconds: Double
    public var summary: Summary
    public var cases: [CaseReport]
    /// Median and p90 per function over every call outside the robustness cases.
    public var timing: [FunctionTiming]

    /// 0 when every applicable case passed, 1 when one failed.
    public var exitStatus: Int32 { summary.failed == 0 ? 0 : 1 }

    /// Writes conformance-report.json and conformance-report.html into `directory`.
    public func write(to directory: URL) throws -> (json: URL, html: URL) {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let json = directory.appendingPathComponent("conformance-report.json")
        let html = directory.appendingPathComponent("conformance-report.html")
        try encoder.encode(self).write(to: json)
        try Data(ReportHTML.page(self).utf8).write(to: html)
        return (json, html)
    }
}
