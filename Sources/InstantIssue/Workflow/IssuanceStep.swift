/// The steps of one issuance as the journal names them (docs/recovery.md, the steps of one
/// card). Each side effect is journaled twice: stage `start` before it, with the phase
/// unchanged, and `done` after it, with the phase it reached — so recovery knows whether a
/// side effect may have happened (`start` last) or surely did (`done` last). The journal keeps
/// step and stage in columns of their own; `<step>:<stage>` (`identify:done`) is how people,
/// docs/recovery.md and the crash harness (`SSCARD_CRASH_AFTER`) name an entry.
public enum IssuanceStep: String, CaseIterable, Hashable, Sendable, Codable {
    /// Reserve a pre-made card of the applicant's bank (inventory).
    case reserve
    /// iLoadCard: feed the reserved card's hopper to the contact station.
    case feed
    /// Read the fed card (iReadCardBas_HSM_Step1) and match it with the stock record.
    case identify
    /// Report 制卡中 to the card-management system.
    case reportInProduction
    /// Check the chip is blank (iReadCardBas_HSM_Step2 with the HSM's read key).
    case checkBlank
    /// Write EF05/EF06 through the HSM two steps and read them back.
    case writeChip
    /// iWriteCaStep1 → CA → iWriteCaStep2.
    case writeCertificates
    /// Render the face and iPrint to the good exit.
    case print
    /// Report 制卡成功; the card is issued on the books.
    case reportProduced
    /// 领卡启用: the applicant took the card.
    case activate
    /// 制卡失败: reject and spoil or return the card, report the failure.
    case fail
    /// 制卡补登: confirm the printed card's chip, report it.
    case backfill
    /// Abandoned before a card left its hopper.
    case cancel

    /// The entry's name, `<step>:<stage>`, e.g. `identify:done`.
    public func journalName(_ stage: Stage) -> String { rawValue + ":" + stage.rawValue }

    /// Before a step's side effect, or after it.
    public enum Stage: String, Sendable, Hashable, CaseIterable, Codable { case start, done }

    /// What the clerk sees while the step runs.
    public var chinese: String {
        switch self {
        case .reserve: "预留预制卡"
        case .feed: "从卡盒进卡"
        case .identify: "读卡核对预制卡"
        case .reportInProduction: "上报制卡中"
        case .checkBlank: "确认芯片为空白卡"
        case .writeChip: "写入芯片个人信息"
        case .writeCertificates: "写入数字证书"
        case .print: "打印卡面"
        case .reportProduced: "上报制卡成功"
        case .activate: "领卡启用"
        case .fail: "制卡失败处理"
        case .backfill: "制卡补登"
        case .cancel: "取消制卡"
        }
    }

    public var english: String {
        switch self {
        case .reserve: "reserving a pre-made card"
        case .feed: "feeding the card from its hopper"
        case .identify: "reading and matching the pre-made card"
        case .reportInProduction: "reporting 制卡中 (in production)"
        case .checkBlank: "checking the chip is blank"
        case .writeChip: "writing the holder's data to the chip"
        case .writeCertificates: "writing the certificates"
        case .print: "printing the card face"
        case .reportProduced: "reporting 制卡成功 (produced)"
        case .activate: "activating the card (领卡启用)"
        case .fail: "handling 制卡失败 (failed card)"
        case .backfill: "制卡补登 (completing a printed card's record)"
        case .cancel: "cancelling"
        }
    }

    /// Parses an entry's name, e.g. `print:start`; nil when it names no step and stage.
    public static func parse(_ text: String) -> (IssuanceStep, Stage)? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let step = IssuanceStep(rawValue: String(parts[0])),
              let stage = Stage(rawValue: String(parts[1])) else { return nil }
        return (step, stage)
    }
}
