import Foundation
import InstantIssue
import SSCardDriver

/// 制卡恢复: the issuances a crash, a jam or a lost network left unfinished, each with the one
/// action the journal allows — 制卡补登 for a printed card (put back into the manual feed, its
/// chip checked, 制卡成功 reported), 制卡失败 for one not printed (reject box, reported). A face
/// whose printing was interrupted (`print:start`) leaves the choice to the clerk holding it.
enum RecoveryPage: DeskPage {
    static let navigation: DeskNavigation? = DeskNavigation(path: "/recovery", title: Text("制卡恢复", "Recovery"), order: 30)

    enum Action: String { case backfill, fail }

    static func register(_ routes: DeskRoutes) {
        routes.page("/recovery") { request in try await request.desk.books { _ in .html(try render(request, message: nil)) } }
        routes.action("/recovery/{id}/{action}") { request in try await request.desk.books { _ in try recover(request) } }
    }

    /// The actions the journal's last entry allows.
    static func actions(_ entry: JournalEntry) -> [Action] {
        if entry.step == .print && entry.stage == .start { return [.backfill, .fail] }
        if entry.step == .activate { return [.backfill] }
        return entry.phaseAfter == .printed || entry.step == .backfill ? [.backfill] : [.fail]
    }

    static func recover(_ request: DeskRequest) throws -> DeskResponse {
        let lang = request.language
        let id = request.parameter("id")
        guard let action = Action(rawValue: request.parameter("action")) else { return .text("unknown action", status: .notFound) }
        let desk = request.desk
        let recovery = StationRecovery(station: desk.station)
        guard let entry = try recovery.pending().first(where: { $0.applicationID == id }), actions(entry).contains(action) else {
            return .html(try render(request, message: Layout.notice("warn", "\(Text("\(id) 没有这项待恢复的操作。", "\(id) has no such recovery to do."), lang)")), status: .conflict)
        }
        if let holder = desk.slot.claim(.init(clerk: request.clerk, applicationID: id, what: Text("恢复 \(id)", "recovering \(id)"))) {
            return .html(try render(request, message: Layout.notice("warn", "\(Text("制卡机正忙：柜员 \(holder.clerk) 正在\(holder.what.zh)。", "The printer is busy: \(holder.clerk) is \(holder.what.en)."), lang)", id: "busy")), status: .conflict)
        }
        defer { desk.slot.release() }
        let clerk = WebRecoveryClerk(action: action, reinsert: desk.settings.reinsertPrintedCard)
        let message: HTML
        do {
            switch try recovery.recover(entry, clerk: request.clerk, asking: clerk) {
            case .backfilled(let application, let card):
                message = Layout.notice("ok", "\(Text("\(application)：制卡补登完成，卡号 \(card)。请核对卡面后交给申请人。", "\(application): 制卡补登 done, card \(card). Check the face, then hand it over."), lang)", id: "recovered")
            case .failed(let application, let card, let spoiled):
                message = Layout.notice("ok", "\(Text("\(application)：已按制卡失败处理，卡 \(card?.value ?? "-") \(spoiled ? "已作废（在废卡盒）" : "已退库或放回卡盒")。可重新制卡。", "\(application): handled as 制卡失败, card \(card?.value ?? "-") \(spoiled ? "spoiled (in the reject box)" : "returned to stock or its hopper"). It can be made again."), lang)", id: "recovered")
            case .activated(let application, let card):
                message = Layout.notice("ok", "\(Text("\(application)：领卡启用完成，卡号 \(card)。", "\(application): activated, card \(card)."), lang)", id: "recovered")
            case .stillPending(let application, let reason):
                message = Layout.notice("error", "\(Text("\(application)：未能完成：\(reason)", "\(application): not finished: \(reason)"), lang)", id: "refusal")
            }
        } catch {
            let advice = desk.settings.adviser(error)
            message = Layout.notice("error", "<p>\(Text("错误：", "Error: "), lang)\(advice.problem, lang)。</p><p>\(Text("下一步：", "Next: "), lang)\(advice.next, lang)。</p>", id: "refusal")
        }
        return .html(try render(request, message: message))
    }

    static func render(_ request: DeskRequest, message: HTML?) throws -> HTML {
        let lang = request.language
        let pending = try StationRecovery(station: request.desk.station).pending()
        let rows: [HTML] = pending.map { entry in
            let id = HTML.urlComponent(entry.applicationID)
            let buttons: [HTML] = actions(entry).map { action in
                let label = action == .backfill ? Text("制卡补登", "制卡补登 (complete)") : Text("制卡失败", "制卡失败 (fail the card)")
                let hint = action == .backfill
                    ? Text("先把已打印的卡放入制卡机手动进卡口", "first put the printed card into the printer's manual feed")
                    : Text("卡片进入废卡盒，上报制卡失败", "the card goes to the reject box and 制卡失败 is reported")
                return """
                    <form method="post" action="/recovery/\(id)/\(action.rawValue)" class="inline">\(request.csrfField)\
                    <button type="submit" class="primary" id="\(action.rawValue)-\(entry.applicationID)" title="\(hint, lang)">\(label, lang)</button></form>
                    """
            }
            return """
                <tr><td>\(entry.applicationID)</td><td>\(entry.cardNumber?.value ?? "-")</td>\
                <td>\(Text(entry.step.chinese, entry.step.english), lang)（\(entry.stage == .start ? Text("进行中", "under way") : Text("已完成", "done"), lang)）</td><td>\(entry.recordedAt.text)</td><td>\(buttons)</td></tr>
                """
        }
        let table: HTML = pending.isEmpty
            ? Layout.notice("ok", "\(Text("没有需要恢复的制卡。", "Nothing to recover."), lang)", id: "nothing-pending")
            : """
              <table id="pending"><thead><tr><th>\(Text("申请编号", "Application"), lang)</th><th>\(Text("卡号", "Card"), lang)</th>\
              <th>\(Text("中断于", "Stopped at"), lang)</th><th>\(Text("时间（UTC）", "When (UTC)"), lang)</th><th></th></tr></thead><tbody>\(rows)</tbody></table>
              """
        let help: HTML = """
            <p>\(Text("制卡补登：卡面已打印而卡管系统未确认的卡，先把卡放入制卡机手动进卡口，再点击“制卡补登”，核对芯片后上报制卡成功。制卡失败：卡面未打印的卡进入废卡盒（芯片已写入的作废，否则退库），上报制卡失败，申请可用新卡重新制作。",
                         "制卡补登: a card printed but not confirmed by the card-management system — put it into the printer's manual feed first, then press 制卡补登; its chip is checked and 制卡成功 reported. 制卡失败: a card not printed goes to the reject box (spoiled if its chip was written, else back to stock), 制卡失败 is reported and the application can be made again with a new card."), lang)</p>
            """
        return Layout.page(Text("制卡恢复", "Recovery"), request, help + (message ?? .empty) + table)
    }
}

/// The clerk's answers, given by the button pressed: 制卡补登 says the face is printed and the
/// card is back in the manual feed; 制卡失败 says it is not printed.
struct WebRecoveryClerk: RecoveryClerk {
    let action: RecoveryPage.Action
    let reinsert: (@Sendable (CardNumber) -> Bool)?

    func isFacePrinted(cardNumber: CardNumber) -> Bool { action == .backfill }

    func reinsertPrintedCard(cardNumber: CardNumber) -> Bool {
        guard action == .backfill else { return false }
        return reinsert?(cardNumber) ?? true
    }
}
