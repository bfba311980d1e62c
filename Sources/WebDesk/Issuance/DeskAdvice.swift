import InstantIssue

/// What the clerk reads when something is refused: one sentence saying what went wrong and one
/// saying what to do next, as the command line prints them. `issue-station serve` passes the
/// command line's own table (`ErrorAdvice`), so the page and the terminal say the same thing.
public struct DeskAdvice: Sendable, Hashable {
    public var problemChinese: String
    public var problemEnglish: String
    public var nextChinese: String
    public var nextEnglish: String

    public init(problemChinese: String, problemEnglish: String, nextChinese: String, nextEnglish: String) {
        self.problemChinese = problemChinese; self.problemEnglish = problemEnglish
        self.nextChinese = nextChinese; self.nextEnglish = nextEnglish
    }

    var problem: Text { Text(problemChinese, problemEnglish) }
    var next: Text { Text(nextChinese, nextEnglish) }

    /// Turns any error into advice.
    public typealias Adviser = @Sendable (any Error) -> DeskAdvice

    /// Without the command line's table: the library's own sentences.
    public static let libraryAdviser: Adviser = { error in
        switch error {
        case let e as IssuanceError:
            return DeskAdvice(problemChinese: e.chinese, problemEnglish: e.english,
                              nextChinese: e.nextStepChinese, nextEnglish: e.nextStepEnglish)
        case let e as ApplicationValidationError:
            return DeskAdvice(problemChinese: e.chinese, problemEnglish: e.english,
                              nextChinese: "按上面说明的办法处理后，再重新办理", nextEnglish: "do what the problem above says, then issue the card again")
        default:
            return DeskAdvice(problemChinese: "\(error)", problemEnglish: "\(error)",
                              nextChinese: "请联系技术员，并把这条信息告诉他", nextEnglish: "call the technician and show them this message")
        }
    }
}
