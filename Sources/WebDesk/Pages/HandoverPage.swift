import Foundation
import InstantIssue
import SSCardDriver

/// 领卡启用 (《广东省社会保障卡经办规程》第十二条、第十四条、第十八条): the produced cards waiting
/// for their holder, and for each the handover of `Handover`, one step per request — who takes
/// the card and which original IDs were seen (本人, 代领 with the authorisation, or a minor's
/// guardian with the proof), the holder's own PIN set on the card at the desk reader's PIN pad
/// (never typed into a page), the 领卡签收单 printed or filed, the signature recorded — then
/// 启用 through `Activation`, which refuses until every step is in the 台账.
enum HandoverPage: DeskPage {
    static let navigation: DeskNavigation? = DeskNavigation(path: "/handover", title: Text("领卡启用", "Handover"), order: 35)

    enum Kind: String, CaseIterable {
        case holder, agent, guardian
        var text: Text {
            switch self {
            case .holder: Text("本人领取", "The holder")
            case .agent: Text("他人代领（核对双方身份证件原件和委托书）", "An agent (both original IDs and the authorisation)")
            case .guardian: Text("监护人代领（未满16周岁的持卡人）", "A guardian (a holder under 16)")
            }
        }
    }

    static func register(_ routes: DeskRoutes) {
        routes.page("/handover") { request in try await request.desk.books { _ in .html(try list(request, message: nil)) } }
        routes.page("/handover/{id}") { request in try await request.desk.books { _ in .html(try render(request, message: nil)) } }
        routes.action("/handover/{id}/{step}") { request in try await request.desk.books { _ in try step(request) } }
    }

    /// Issuances whose card is produced (制卡成功 reported) or whose activation was interrupted;
    /// on the outlet's shared books, the outlet's other desks' too (`Handover.waiting`).
    static func waiting(_ station: Station) throws -> [(applicationID: String, cardNumber: CardNumber?)] {
        try Handover(station: station).waiting()
    }

    static func step(_ request: DeskRequest) throws -> DeskResponse {
        let lang = request.language
        let id = request.parameter("id")
        let station = request.desk.station
        let handover = Handover(station: station)
        let ok: Text
        do {
            switch request.parameter("step") {
            case "check":
                try handover.checkRecipient(applicationID: id, recipient: try recipient(request), documents: documents(request), clerk: request.clerk)
                ok = Text("已记录领取人身份核验。", "The recipient's ID check is recorded.")
            case "pin":
                // The holder types the current (initial) PIN and the new one twice on the desk
                // reader's PIN pad: the PIN never passes through the browser or this page.
                try handover.setPIN(applicationID: id, card: station.driver, reader: .contact, holderEntry: nil, clerk: request.clerk)
                ok = Text("持卡人已设置密码。", "The holder has set the PIN.")
            case "receipt":
                let delivered = try handover.printReceipt(applicationID: id, card: nil, documents: station.documents, clerk: request.clerk)
                ok = Text("领卡签收单：\(delivered)。请领取人签字。", "Handover receipt: \(delivered). Have the recipient sign it.")
            case "signed":
                guard request.formValue("signed") == "yes" else {
                    throw DeskRefusal(problem: Text("没有确认领取人已签字", "the signature was not confirmed"),
                                      next: Text("请领取人在签收单上签字后勾选确认", "have the recipient sign the receipt, then tick the box"))
                }
                try handover.recordSignature(applicationID: id, clerk: request.clerk)
                ok = Text("已记录领取人签收。", "The signature is recorded.")
            case "activate":
                let card = try Activation(station: station).activate(applicationID: id, clerk: request.clerk)
                let notice = Layout.notice("ok", "<p>\(Text("\(id)：领卡启用完成，卡号 \(card.value)。请把卡交给领取人。", "\(id): activated, card \(card.value). Hand the card over."), lang)</p>", id: "handover-result")
                return .html(try list(request, message: notice))
            default:
                return .text("unknown step", status: .notFound)
            }
        } catch let refusal as DeskRefusal {
            return refuse(request, refusal.problem, refusal.next)
        } catch {
            let advice = request.desk.settings.adviser(error)
            return refuse(request, advice.problem, advice.next)
        }
        return .html(try render(request, message: Layout.notice("ok", "\(ok, lang)", id: "step-result")))
    }

    struct DeskRefusal: Error { var problem: Text; var next: Text }

    static func recipient(_ request: DeskRequest) throws -> CardRecipient {
        guard let kind = Kind(rawValue: request.formValue("kind") ?? "") else {
            throw DeskRefusal(problem: Text("没有选择领取人", "who takes the card was not chosen"), next: Text("选择本人、代领或监护人", "choose the holder, an agent or a guardian"))
        }
        let person = PersonIdentity(name: (request.formValue("name") ?? "").trimmingCharacters(in: .whitespaces),
                                    idNumber: (request.formValue("idNumber") ?? "").trimmingCharacters(in: .whitespaces))
        let paper = (request.formValue("paper") ?? "").trimmingCharacters(in: .whitespaces)
        switch kind {
        case .holder: return .holder
        case .agent: return .agent(person, authorisation: paper)
        case .guardian: return .guardian(person, proof: paper)
        }
    }

    static func documents(_ request: DeskRequest) -> RecipientDocuments {
        RecipientDocuments(holderIDSeen: request.formValue("holderIDSeen") == "yes",
                           recipientIDSeen: request.formValue("recipientIDSeen") == "yes",
                           recipientIDCopyKept: request.formValue("copyKept") == "yes")
    }

    static func refuse(_ request: DeskRequest, _ problem: Text, _ next: Text) -> DeskResponse {
        let lang = request.language
        let notice = Layout.notice("error", "<p>\(Text("错误：", "Error: "), lang)\(problem, lang)。</p><p>\(Text("下一步：", "Next: "), lang)\(next, lang)。</p>", id: "refusal")
        return (try? .html(render(request, message: notice), status: .unprocessableContent)) ?? .text(problem.in(lang), status: .unprocessableContent)
    }

    static let style: HTML = "<link rel=\"stylesheet\" href=\"/assets/stock.css\">"

    static func list(_ request: DeskRequest, message: HTML?) throws -> HTML {
        let lang = request.language
        let handover = Handover(station: request.desk.station)
        let rows: [HTML] = try waiting(request.desk.station).map { entry in
            let id = entry.applicationID
            let missing = (try? handover.status(applicationID: id).missing) ?? []
            let next: Text = missing.first.map { Text($0.chinese, $0.english) } ?? Text("可以启用", "ready to activate")
            return "<tr><td>\(id)</td><td><code>\(entry.cardNumber?.value ?? "-")</code></td><td>\(next, lang)</td><td><a class=\"button primary\" id=\"open-\(id)\" href=\"/handover/\(HTML.urlComponent(id))\">\(Text("办理", "Open"), lang)</a></td></tr>"
        }
        let table: HTML = rows.isEmpty
            ? Layout.notice("ok", "\(Text("没有待领取的卡。", "No card is waiting to be collected."), lang)", id: "nothing-waiting")
            : "<table id=\"waiting\"><thead><tr><th>\(Text("申请编号", "Application"), lang)</th><th>\(Text("卡号", "Card"), lang)</th><th>\(Text("下一步", "Next step"), lang)</th><th></th></tr></thead><tbody>\(rows)</tbody></table>"
        return Layout.page(Text("领卡启用", "Handover"), request, style + (message ?? .empty) + table)
    }

    static func render(_ request: DeskRequest, message: HTML?) throws -> HTML {
        let lang = request.language
        let id = request.parameter("id")
        let path = "/handover/\(HTML.urlComponent(id))"
        let status: HandoverStatus
        do { status = try Handover(station: request.desk.station).status(applicationID: id) } catch {
            let advice = request.desk.settings.adviser(error)
            return try list(request, message: Layout.notice("error", "<p>\(advice.problem, lang)。</p><p>\(advice.next, lang)。</p>", id: "refusal"))
        }
        let missing = status.missing
        let steps: [HTML] = HandoverStep.allCases.map { s in
            let state = missing.contains(s) ? (s == missing.first ? "current" : "todo") : (s == .pinSet && !(status.check?.recipient.setsPIN ?? true) ? "skipped" : "done")
            let mark = state == "done" ? "✓ " : state == "skipped" ? "— " : ""
            return "<li class=\"\(state)\" data-step=\"\(s.rawValue)\">\(mark)\(Text(s.chinese, s.english), lang)</li>"
        }
        let csrf = request.csrfField
        let form: HTML
        switch missing.first {
        case .recipientChecked?:
            let kinds: [HTML] = Kind.allCases.map { k in
                "<label class=\"choice\"><input type=\"radio\" name=\"kind\" value=\"\(k.rawValue)\" id=\"kind-\(k.rawValue)\" required>\(k.text, lang)</label>"
            }
            form = """
                <form method="post" action="\(path)/check" class="card-form" id="check-form">\(csrf)
                <fieldset><legend>\(Text("领取人", "Who takes the card"), lang)</legend>\(kinds)</fieldset>
                <label class="choice"><input type="checkbox" name="holderIDSeen" value="yes" id="holder-id-seen">\(Text("已核实持卡人本人有效身份证件原件", "I saw the holder's original ID"), lang)</label>
                <p class="hint">\(Text("代领或监护人代领时还要填写：", "For an agent or a guardian also:"), lang)</p>
                <label for="recipient-name">\(Text("领取人姓名", "Recipient's name"), lang)</label><input id="recipient-name" name="name" autocomplete="off">
                <label for="recipient-id">\(Text("领取人身份证件号码", "Recipient's ID number"), lang)</label><input id="recipient-id" name="idNumber" autocomplete="off">
                <label for="recipient-paper">\(Text("委托书或监护关系证明", "Authorisation or proof of guardianship"), lang)</label><input id="recipient-paper" name="paper" autocomplete="off">
                <label class="choice"><input type="checkbox" name="recipientIDSeen" value="yes" id="recipient-id-seen">\(Text("已核实领取人身份证件原件", "I saw the recipient's original ID"), lang)</label>
                <label class="choice"><input type="checkbox" name="copyKept" value="yes" id="copy-kept">\(Text("已留存领取人身份证件复印件", "A copy of the recipient's ID is kept"), lang)</label>
                <button type="submit" class="primary" id="check-button">\(Text("记录身份核验", "Record the ID check"), lang)</button></form>
                """
        case .pinSet?:
            form = """
                <form method="post" action="\(path)/pin" class="card-form" id="pin-form">\(csrf)
                <p>\(Text("请把卡插入柜台读卡器，按下面的按钮后，由持卡人在读卡器密码键盘上输入初始密码和两次新密码（6 位数字）。密码不经过本页面。", "Put the card into the desk reader, press the button, and let the holder type the initial PIN and the new PIN twice on the reader's PIN pad. The PIN never passes through this page."), lang)</p>
                <button type="submit" class="primary" id="pin-button">\(Text("持卡人设置密码", "The holder sets the PIN"), lang)</button></form>
                """
        case .receiptPrinted?:
            form = """
                <form method="post" action="\(path)/receipt" class="card-form" id="receipt-form">\(csrf)
                <button type="submit" class="primary" id="receipt-button">\(Text("打印领卡签收单", "Print the handover receipt"), lang)</button></form>
                """
        case .signed?:
            form = """
                <form method="post" action="\(path)/signed" class="card-form" id="signed-form">\(csrf)
                <label class="choice"><input type="checkbox" name="signed" value="yes" id="signed-check" required>\(Text("领取人已在签收单上签字", "The recipient signed the receipt"), lang)</label>
                <button type="submit" class="primary" id="signed-button">\(Text("记录签收", "Record the signature"), lang)</button></form>
                """
        case nil:
            form = """
                <form method="post" action="\(path)/activate" class="card-form" id="activate-form">\(csrf)
                <button type="submit" class="primary big" id="activate-button">\(Text("领卡启用", "Activate"), lang)</button></form>
                """
        }
        let content: HTML = """
            \(style)\(message ?? .empty)
            <p>\(Text("卡号", "Card"), lang) <code id="handover-card">\(status.cardNumber.value)</code></p>
            <ol id="handover-steps" class="steps">\(steps)</ol>
            \(form)
            <p><a href="/handover">\(Text("返回待领取列表", "Back to the list"), lang)</a></p>
            """
        return Layout.page(Text("领卡启用：\(id)", "Handover: \(id)"), request, content)
    }
}
