import InstantIssue

/// What the clerk reads for the errors of issuing a card: the application's problems (all of
/// them, numbered), a bad application file, recovery and activation refusals.
extension ErrorAdvice {
    static func issuanceAdvice(_ error: any Error) -> ErrorAdvice? {
        switch error {
        case let e as ApplicationValidationError:
            // Each problem names its own fix (correct the application, retake the photo, clear
            // other cards…); the next step says to do that first.
            return ErrorAdvice(Localized(e.chinese, e.english),
                               next: Localized("按上面说明的办法处理后，再重新办理（issue-station issue）",
                                               "do what the problem above says, then issue the card again (issue-station issue)"))
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
            // Refused while the card was still in its hopper: the cause says what to fix
            // (close the cover, fill the hopper, check the network…) before the clerk tries again.
            if e.outcome == .refused, let cause = e.underlying, let advice = known(cause) {
                return ErrorAdvice(Localized("\(e.step.chinese)失败：", "\(e.step.english.capitalisedFirst) failed: ") + advice.problem,
                                   next: advice.next)
            }
            return ErrorAdvice(Localized(e.chinese, e.english), next: Localized(e.nextStepChinese, e.nextStepEnglish))
        default:
            return nil
        }
    }
}
