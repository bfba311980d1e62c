import CounterDocuments
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
        case let e as HandoverError:
            let next: Localized = switch e {
            case .incomplete(let a, let missing):
                Localized("先完成领卡手续：issue-station handover \(missing.first?.command ?? "status") \(a)（issue-station handover status \(a) 查看进度）",
                          "finish the handover first: issue-station handover \(missing.first?.command ?? "status") \(a) (issue-station handover status \(a) shows where it stands)")
            case .stepMissing(let step):
                Localized("先运行 issue-station handover \(step.command)", "run issue-station handover \(step.command) first")
            case .wrongCard:
                Localized("把本笔制成的卡放入柜台读卡器后重试", "put the card made for this application in the desk reader and retry")
            default:
                Localized("核验证件、补齐材料后重新运行 issue-station handover check（《广东省社会保障卡经办规程》第十四条）",
                          "check the documents, complete what is missing, then run issue-station handover check again (第十四条)")
            }
            return ErrorAdvice(Localized(e.chinese, e.english), next: next)
        case let e as FeeError:
            return ErrorAdvice(Localized(e.chinese, e.english),
                               next: Localized("按上面的说明更正后重新运行 issue-station fee（《广东省社会保障卡经办规程》第二十二条、第二十八条）",
                                               "correct it as said, then run issue-station fee again (第二十二条, 第二十八条)"))
        case let e as DocumentError:
            return ErrorAdvice(Localized(e.chineseMessage, e.englishMessage),
                               next: Localized("检查 station.json 的 documents（打印队列、目录）和字体链后重试", "check documents in station.json (queue, folder) and the font chain, then retry"))
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
