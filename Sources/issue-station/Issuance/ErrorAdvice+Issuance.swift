import InstantIssue

/// What the clerk reads for the errors of issuing a card: the application's problems (all of
/// them, numbered), a bad application file, recovery and activation refusals.
extension ErrorAdvice {
    static func issuanceAdvice(_ error: any Error) -> ErrorAdvice? {
        switch error {
        case let e as ApplicationValidationError:
            return ErrorAdvice(Localized(e.chinese, e.english),
                               next: Localized("在卡管系统中更正申请（或按提示重新输入生僻字）后重试",
                                               "correct the application in the card-management system (or type the rare characters again), then retry"))
        case let e as ApplicationFileError:
            return ErrorAdvice(Localized(e.chinese, e.english),
                               next: Localized("按提示修改申请文件后重试（格式见 docs/applications.md）",
                                               "fix the application file as said, then retry (format: docs/applications.md)"))
        case let e as RecoveryProblem:
            return ErrorAdvice(Localized(e.chinese, e.english),
                               next: Localized("处理后再运行 issue-station recover", "then run issue-station recover again"))
        case let e as ActivationError:
            return ErrorAdvice(Localized(e.chinese, e.english),
                               next: Localized("先用 issue-station recover 完成未结束的制卡", "finish any unfinished issuance with issue-station recover first"))
        case let e as IssuanceError:
            return ErrorAdvice(Localized(e.chinese, e.english), next: Localized(e.nextStepChinese, e.nextStepEnglish))
        default:
            return nil
        }
    }
}
