import ArgumentParser
import Foundation
import InstantIssue

/// `issue-station uncollected`: 逾期未领卡 (《广东省社会保障卡经办规程》第三十二条) — the cards not taken
/// within six months, and their return.
struct UncollectedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "uncollected",
        abstract: "逾期未领卡：清单和回收登记。 Cards not collected: the list and their return.",
        discussion: """
            制成后6个月内未领取（未领卡启用）的卡应在提醒后10个工作日内回收：实体卡交回服务银行，数据回退市卡管机构\
            （第三十二条）。 A card not taken (activated) within six months of being made is returned within 10 \
            working days of the alert: the card goes back to the service bank, its data to the city card authority.
            """,
        subcommands: [UncollectedListCommand.self, UncollectedReturnCommand.self])
}

struct MonthsOption: ParsableArguments {
    @Option(help: ArgumentHelp("逾期期限（月），默认 6（第三十二条）。 The period in months, 6 by default.", valueName: "months"))
    var months: Int = UncollectedCards.defaultMonths
}

/// `uncollected list`: the overdue cards with their return deadline; exit 2 when one is late.
struct UncollectedListCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "列出逾期未领的卡及回收期限。 Lists the overdue cards and their return deadline.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var period: MonthsOption
    @Flag(help: ArgumentHelp("同时列出已回收的卡。 Also lists the cards already returned."))
    var all = false

    func execute(_ console: StationConsole) throws {
        let station = try StationSetup(global).openStation()
        defer { station.stock.close(); try? station.database.close() }
        let cards = try UncollectedCards(station: station).list(months: period.months, includeReturned: all)
        if cards.isEmpty {
            console.say(Localized("没有逾期未领的卡。", "No card is overdue."))
            return
        }
        for card in cards {
            let made = UncollectedMessages.day(card.issuedAt), by = UncollectedMessages.day(card.returnBy)
            if let returned = card.returnedAt {
                console.say(Localized("\(card.applicationID)\t\(card.cardNumber)\t制卡 \(made)\t已回收 \(UncollectedMessages.day(returned))（\(card.returnedBy ?? "")）",
                                      "\(card.applicationID)\t\(card.cardNumber)\tmade \(made)\treturned \(UncollectedMessages.day(returned)) (\(card.returnedBy ?? ""))"))
            } else {
                console.say(Localized("\(card.applicationID)\t\(card.cardNumber)\t制卡 \(made)\t回收期限 \(by)" + (card.late ? "\t已超期" : ""),
                                      "\(card.applicationID)\t\(card.cardNumber)\tmade \(made)\treturn by \(by)" + (card.late ? "\tLATE" : "")))
            }
        }
        let open = cards.filter { $0.returnedAt == nil }
        if !open.isEmpty {
            console.say(Localized("下一步：卡交回服务银行、在省卡管系统“市内再次分发”回退数据后，逐张运行 issue-station uncollected return 申请编号。",
                                  "Next: hand the cards to the service bank, roll their data back in the province system, then run issue-station uncollected return ID for each."))
        }
        if open.contains(where: \.late) { throw ExitCode.checkFailed }
    }
}

/// `uncollected return ID`: records the return of one overdue card.
struct UncollectedReturnCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "return", abstract: "登记一张逾期未领卡已回收。 Records the return of one overdue card.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var clerk: ClerkOption
    @OptionGroup var period: MonthsOption
    @Argument(help: ArgumentHelp("申请编号。 The application id.", valueName: "application-id"))
    var applicationID: String
    @Option(help: ArgumentHelp("回收原因。 The reason.", valueName: "text"))
    var reason = "逾期6个月未领取"

    func execute(_ console: StationConsole) throws {
        let station = try StationSetup(global).openStation()
        defer { station.stock.close(); try? station.database.close() }
        let card = try UncollectedCards(station: station).recordReturn(applicationID: applicationID, clerk: clerk.resolved,
                                                                       months: period.months, reason: reason)
        console.say(Localized("已登记回收：\(card.applicationID) 卡号 \(card.cardNumber)，记入台账。",
                              "Return recorded: \(card.applicationID), card \(card.cardNumber), in the ledger."))
    }
}

enum UncollectedMessages {
    static func day(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "Asia/Shanghai")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: date)
    }
}

extension UncollectedCardError: AdvisedError {
    var advice: ErrorAdvice {
        switch self {
        case let .badPeriod(months):
            ErrorAdvice(Localized("逾期期限 \(months) 个月不在 1–120 之内", "The period of \(months) months is not within 1–120"),
                        next: Localized("去掉 --months 使用 6 个月（第三十二条）", "leave out --months for six months"))
        case let .notOverdue(id):
            ErrorAdvice(Localized("申请 \(id) 的卡不在逾期未领清单上", "The card of application \(id) is not on the overdue list"),
                        next: Localized("运行 issue-station uncollected list 查看清单", "run issue-station uncollected list"))
        }
    }
}
