import Foundation
import InstantIssue
import SSCardDriver

/// Recovery's questions, asked of the clerk at the terminal. With no terminal (end of input)
/// the answers are the safe ones: not printed is not assumed — the card is then handled from
/// what the printer shows — and a card not re-inserted leaves the issuance pending.
struct TerminalRecoveryClerk: RecoveryClerk {
    let console: StationConsole

    func isFacePrinted(cardNumber: CardNumber) -> Bool {
        let answer = IssuanceConsole.ask(console, Localized(
            "制卡中断于打印卡面。请查看卡片 \(cardNumber)：卡面已经打印了吗？（y=已打印 / n=未打印）",
            "The station stopped while printing. Look at card \(cardNumber): is its face printed? (y = printed / n = not printed)"))
        return answer.map { ["y", "yes", "是", "已打印"].contains($0.lowercased()) } ?? true
    }

    func reinsertPrintedCard(cardNumber: CardNumber) -> Bool {
        let answer = IssuanceConsole.ask(console, Localized(
            "制卡补登：请把已打印的卡 \(cardNumber) 放入制卡机的手动进卡口，放好后按回车（输入 n 跳过）。",
            "制卡补登: put the printed card \(cardNumber) into the printer's manual feed, then press Enter (n to skip)."))
        guard let answer else { return false }
        return answer.lowercased() != "n"
    }
}
