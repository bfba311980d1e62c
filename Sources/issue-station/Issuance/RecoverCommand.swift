import ArgumentParser
import Foundation
import InstantIssue

/// `issue-station recover`: finishes every issuance a crash, power cut, jam or network failure
/// left open (《广东省社会保障卡经办规程》第三十六条二（三）): 制卡补登 for a printed card,
/// 制卡失败 for one not printed.
struct RecoverCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "recover",
        abstract: "完成中断的制卡：已打印的卡做制卡补登，未打印的卡按制卡失败处理。 Finishes interrupted issuances: 制卡补登 for printed cards, 制卡失败 for cards not printed.",
        discussion: """
            工作站被中断（断电、死机、卡纸、网络故障）后运行。对每笔未完成的制卡，根据流水记录、卡片和卡管系统决定：\
            卡面已打印而卡管系统仍为“制卡中”的，按提示把卡放回制卡机手动进卡口，核对芯片后上报制卡补登；\
            卡面未打印的，卡片进入废卡盒（芯片已写入个人信息的作废，否则退库），上报制卡失败，申请可用新卡重新制作。\
            等待领卡的卡不受影响。 \
            Run after the station was interrupted (power cut, crash, jam, network failure). For every unfinished \
            issuance the journal, the card and the card-management system decide: a printed card the system still \
            shows as 制卡中 is put back into the printer's manual feed when asked, its chip checked and 制卡补登 \
            reported; a card not printed goes to the reject box (spoiled if its chip holds personal data, else \
            returned to stock), 制卡失败 is reported and the application can be made again. Cards awaiting pickup \
            are left alone.
            """)

    @OptionGroup var global: GlobalOptions

    @OptionGroup var clerkOption: ClerkOption
    /// The clerk the journal and the ledger record (--clerk, SSCARD_CLERK, else the login name).
    var clerk: String { clerkOption.resolved }

    func execute(_ console: StationConsole) throws {
        let station = try StationSetup(global).openStation()
        defer { station.stock.close(); try? station.database.close() }
        let recovery = StationRecovery(station: station)
        let pending = try recovery.pending()
        guard !pending.isEmpty else {
            console.say(Localized("没有需要恢复的制卡。", "Nothing to recover."))
            return
        }
        console.say(Localized("有 \(pending.count) 笔未完成的制卡：", "\(pending.count) unfinished issuance(s):"))
        let results = try recovery.recoverAll(clerk: clerk, asking: TerminalRecoveryClerk(console: console),
                                              progress: IssuanceConsole.progressPrinter(console))
        var stillPending = 0
        for result in results {
            switch result {
            case .backfilled(let application, let card):
                console.say(Localized("✓ \(application)：制卡补登完成，卡号 \(card)。请核对卡面后交给申请人，然后运行 issue-station activate \(application)。",
                                      "✓ \(application): 制卡补登 done, card \(card). Check the face, hand it over, then run issue-station activate \(application)."))
            case .failed(let application, let card, let spoiled):
                let fate = spoiled ? Localized("已作废（在废卡盒）", "spoiled (in the reject box)") : Localized("已退库或放回卡盒", "returned to stock or to its hopper")
                console.say(Localized("✓ \(application)：已按制卡失败处理，卡 \(card?.value ?? "-") ", "✓ \(application): handled as 制卡失败, card \(card?.value ?? "-") ")
                            + fate + Localized("。可用 issue-station issue \(application) 重新制卡。", ". Make it again with issue-station issue \(application)."))
            case .activated(let application, let card):
                console.say(Localized("✓ \(application)：领卡启用完成，卡号 \(card)。", "✓ \(application): activated, card \(card)."))
            case .stillPending(let application, let reason):
                stillPending += 1
                console.fail(Localized("✗ \(application)：未能完成：\(reason)", "✗ \(application): not finished: \(reason)"))
            }
        }
        if stillPending > 0 {
            console.fail(Localized("仍有 \(stillPending) 笔未完成：排除上面所说的问题后再次运行 issue-station recover。",
                                   "\(stillPending) still unfinished: fix what is said above, then run issue-station recover again."))
            throw ExitCode(ErrorAdvice.errorStatus)
        }
    }
}
