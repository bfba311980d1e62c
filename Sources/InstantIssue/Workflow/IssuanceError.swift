import SSCardDriver
import CardManagement

/// Why an issuance did not end with an issued card, in Chinese and English, with what the clerk
/// does next. The underlying error (driver, printer, card-management) is kept.
public struct IssuanceError: Error, Sendable, CustomStringConvertible {
    public enum Outcome: Sendable, Hashable {
        /// Refused before any card left its hopper (a reserved card was released): fix the
        /// cause and issue again.
        case refused
        /// The card failed and 制卡失败 was handled: card rejected and spoiled or returned,
        /// failure reported. The application can be made again.
        case cardFailed(cardNumber: CardNumber?, spoiled: Bool)
        /// The issuance stopped half-way and could not be cleaned up now (e.g. network down):
        /// `issue-station recover` finishes it.
        case needsRecovery
        /// The face is printed but 制卡成功 is not confirmed: keep the card; recovery does 制卡补登.
        case printedAwaitingReport(cardNumber: CardNumber)
        /// The clerk cancelled; the card was released or failed cleanly.
        case cancelled
    }

    public var applicationID: String
    /// The step that failed.
    public var step: IssuanceStep
    public var outcome: Outcome
    public var chinese: String
    public var english: String
    public var underlying: (any Error)?

    public init(applicationID: String, step: IssuanceStep, outcome: Outcome, chinese: String, english: String,
                underlying: (any Error)? = nil) {
        self.applicationID = applicationID; self.step = step; self.outcome = outcome
        self.chinese = chinese; self.english = english; self.underlying = underlying
    }

    /// What the clerk should do next.
    public var nextStepChinese: String {
        switch outcome {
        case .refused: "请核对申请信息后重试。"
        case .cardFailed: "已按制卡失败处理，卡片在废卡盒；排除故障后可用新的预制卡重新制卡（issue-station issue）。"
        case .needsRecovery: "请排除故障（网络、制卡机）后运行 issue-station recover 完成处理。"
        case .printedAwaitingReport: "卡面已打印但卡管系统未确认：请保留此卡，不要交给申请人；网络恢复后运行 issue-station recover 完成制卡补登。"
        case .cancelled: "已取消；申请可重新办理。"
        }
    }

    public var nextStepEnglish: String {
        switch outcome {
        case .refused: "Check the application and try again."
        case .cardFailed: "Handled as 制卡失败: the card is in the reject box. Fix the fault, then make the card again with a new pre-made card (issue-station issue)."
        case .needsRecovery: "Fix the fault (network, printer), then run issue-station recover to finish."
        case .printedAwaitingReport: "The face is printed but the card-management system has not confirmed it: keep the card, do not hand it out; when the network is back run issue-station recover (制卡补登)."
        case .cancelled: "Cancelled; the application can be made again."
        }
    }

    public var description: String { "\(chinese) \(english)" }

    /// A short bilingual cause from any lower error.
    static func cause(_ error: any Error) -> (chinese: String, english: String) {
        switch error {
        case let e as InterfaceError: return (e.message + "（代码 \(e.code.rawValue)）", e.englishMessage + " (code \(e.code.rawValue))")
        case let e as CardManagementError: return (e.chinese, e.english)
        case let e as IssuanceError: return (e.chinese, e.english)
        case let e as RecoveryProblem: return (e.chinese, e.english)
        case let e as InventoryError: return ("\(e)", "\(e)")
        default: return ("\(error)", "\(error)")
        }
    }
}
