import Foundation

/// `issue-station doctor --json`: each check with a stable id, its outcome and, for a failure or
/// a warning, the fix; texts in the chosen language.
struct DoctorDocument: Encodable {
    struct Check: Encodable {
        /// The English name in lower case with dashes, e.g. `contact-reader`.
        var id: String
        var name: String
        /// `pass`, `warn` or `fail`.
        var status: String
        var detail: String
        var fix: String?
    }

    var format = JSONOutput.format
    /// No check failed (warnings allowed); the exit status is 2 otherwise.
    var passed: Bool
    var checks: [Check]

    init(_ results: [DoctorResult], _ language: Language) {
        checks = results.map { result in
            Check(id: Self.id(result.name.en), name: result.name.text(language),
                  status: result.warning ? "warn" : result.passed ? "pass" : "fail",
                  detail: result.detail.text(language),
                  fix: (!result.passed || result.warning) ? result.fix?.sentence.text(language) : nil)
        }
        passed = results.allSatisfy(\.passed)
    }

    static func id(_ english: String) -> String {
        english.lowercased().split { !($0.isASCII && ($0.isLetter || $0.isNumber)) }.joined(separator: "-")
    }
}
