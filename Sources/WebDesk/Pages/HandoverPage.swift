import Foundation
import InstantIssue
import SSCardDriver

/// 领卡启用 (《广东省社会保障卡经办规程》附件9): the produced cards waiting for their holder, and for
/// each the handover — who collects it (本人, 代领 or the guardian of a minor), the clerk's
/// confirmation that the ID was checked, then 启用 through `Activation`, which reports to the
/// card-management system and ends the issuance. The ID check is recorded in the 台账 under the
/// signed-in clerk just before the activation. (Built on the existing `Activation` API: the
/// holder's PIN, the receipt and the signature are not part of it yet.)
enum HandoverPage: DeskPage {
    static let navigation: DeskNavigation? = DeskNavigation(path: "/handover", title: Text("领卡启用", "Handover"), order: 35)

    /// Who takes the card.
    enum Collector: String, CaseIterable {
        case holder, proxy, guardian
        var text: Text {
            switch self {
            case .holder: Text("本人领取", "The holder")
            case .proxy: Text("他人代领（核对双方身份证件和委托）", "A proxy (both IDs and the authorisation checked)")
            case .guardian: Text("监护人代领（未成年人或无民事行为能力人）", "A guardian (for a minor or a person without capacity)")
            }
        }
        var ledgerText: String {
            switch self {
            case .holder: "本人 holder"
            case .proxy: "代领 proxy"
            case .guardian: "监护人 guardian"
            }
        }
    }

    static func register(_ routes: DeskRoutes) {
        routes.page("/handover") { request in .html(try render(request, message: nil)) }
        routes.action("/handover/{id}") { request in try handOver(request) }
    }

    /// Issuances whose card is produced (制卡成功 reported) or whose activation was interrupted.
    static func waiting(_ station: Station) throws -> [JournalEntry] {
        try station.journal.unfinished().filter { $0.phaseAfter == .reported || ($0.step == .activate && $0.stage == .start) }
    }

    static func handOver(_ request: DeskRequest) throws -> DeskResponse {
        let lang = request.language
        let id = request.parameter("id")
        let station = request.desk.station
        guard let collector = Collector(rawValue: request.formValue("collector") ?? "") else {
            return refuse(request, Text("没有选择领卡人", "who collects the card was not chosen"), Text("选择本人、代领或监护人后再启用", "choose the holder, a proxy or a guardian, then activate"))
        }
        guard request.formValue("id-checked") == "yes" else {
            return refuse(request, Text("没有确认已核对身份证件", "the ID check was not confirmed"), Text("核对领卡人的身份证件与申请一致后勾选确认", "check the collector's ID against the application, then tick the box"))
        }
        guard let entry = try waiting(station).first(where: { $0.applicationID == id }) else {
            return refuse(request, Text("\(id) 没有待领取的卡", "\(id) has no card waiting to be collected"), Text("在制卡恢复页查看这张卡", "look for the card on the recovery page"))
        }
        do {
            try station.ledger.append(clerk: request.clerk, action: "领卡核验", subject: id,
                                      details: "领卡人 collector: \(collector.ledgerText); 已核对身份证件 ID checked; 卡号 \(entry.cardNumber?.value ?? "-")")
            let card = try Activation(station: station).activate(applicationID: id, clerk: request.clerk)
            let notice = Layout.notice("ok", "<p>\(Text("\(id)：领卡启用完成，卡号 \(card.value)（\(collector.text.zh)）。请把卡交给领卡人。", "\(id): activated, card \(card.value) (\(collector.text.en)). Hand the card over."), lang)</p>", id: "handover-result")
            return .html(try render(request, message: notice))
        } catch {
            let advice = request.desk.settings.adviser(error)
            return refuse(request, advice.problem, advice.next)
        }
    }

    static func refuse(_ request: DeskRequest, _ problem: Text, _ next: Text) -> DeskResponse {
        let lang = request.language
        let notice = Layout.notice("error", "<p>\(Text("错误：", "Error: "), lang)\(problem, lang)。</p><p>\(Text("下一步：", "Next: "), lang)\(next, lang)。</p>", id: "refusal")
        return (try? .html(render(request, message: notice), status: .unprocessableContent)) ?? .text(problem.in(lang), status: .unprocessableContent)
    }

    static func render(_ request: DeskRequest, message: HTML?) throws -> HTML {
        let lang = request.language
        let waiting = try waiting(request.desk.station)
        let items: [HTML] = waiting.map { entry in
            let id = entry.applicationID
            let choices: [HTML] = Collector.allCases.map { c in
                "<label class=\"choice\"><input type=\"radio\" name=\"collector\" value=\"\(c.rawValue)\" id=\"collector-\(c.rawValue)-\(id)\" required>\(c.text, lang)</label>"
            }
            return """
                <section class="handover" aria-labelledby="handover-\(id)"><h2 id="handover-\(id)">\(id) · \(Text("卡号", "card"), lang) <code>\(entry.cardNumber?.value ?? "-")</code></h2>
                <form method="post" action="/handover/\(HTML.urlComponent(id))" class="card-form">\(request.csrfField)
                <fieldset><legend>\(Text("领卡人", "Who collects the card"), lang)</legend>\(choices)</fieldset>
                <label class="choice"><input type="checkbox" name="id-checked" value="yes" id="id-checked-\(id)" required>\(Text("已核对领卡人的身份证件，与申请一致", "I checked the collector's ID against the application"), lang)</label>
                <button type="submit" class="primary big" id="activate-\(id)">\(Text("领卡启用", "Hand over and activate"), lang)</button>
                </form></section>
                """
        }
        let list: HTML = waiting.isEmpty
            ? Layout.notice("ok", "\(Text("没有待领取的卡。", "No card is waiting to be collected."), lang)", id: "nothing-waiting")
            : "<p>\(Text("以下卡已制卡成功，等待领取。领卡人核对身份后启用。", "These cards are made and waiting; activate each after checking who collects it."), lang)</p>\(items)"
        return Layout.page(Text("领卡启用", "Handover"), request, "<link rel=\"stylesheet\" href=\"/assets/stock.css\">" + (message ?? .empty) + list)
    }
}
