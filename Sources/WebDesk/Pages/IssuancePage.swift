import CardManagement
import Foundation
import HTTPTypes
import Hummingbird
import InstantIssue

/// 即时制卡: one button starts the issuance in the server; the page then follows every step
/// live (Server-Sent Events from `/issue/<id>/events`) and asks before it is left while the card
/// is in the printer. Closing the browser changes nothing: the page opened again shows where the
/// issuance is. One issuance per printer: a second tab is told the printer is busy. A refusal
/// shows the cause and next step the command line prints; a finished card its face and read-back.
enum IssuancePage: DeskPage {
    static func register(_ routes: DeskRoutes) {
        routes.page("/issue/{id}") { request in try render(request) }
        // Off the cooperative pool: the checks read the books in force (`DeskBooks`).
        routes.action("/issue/{id}/start") { request in try await request.desk.books { _ in try start(request) } }
        routes.page("/issue/{id}/events") { request in
            guard let issuance = request.desk.issuances.issuance(request.parameter("id")) else {
                return .text("no issuance", status: .notFound)
            }
            var headers = HTTPFields()
            headers[.contentType] = "text/event-stream; charset=utf-8"
            headers[.cacheControl] = "no-store"
            let stream = issuance.stream()
            return DeskResponse(headers: headers, body: ResponseBody { writer in
                for await event in stream {
                    try await writer.write(ByteBuffer(string: event.serverSentEvent))
                }
                try await writer.finish(nil)
            })
        }
        routes.page("/issue/{id}/face.png") { request in
            guard let path = request.desk.issuances.issuance(request.parameter("id"))?.facePath,
                  let data = FileManager.default.contents(atPath: path) else { return .text("no face", status: .notFound) }
            return .bytes([UInt8](data), type: "image/png")
        }
    }

    static func start(_ request: DeskRequest) throws -> DeskResponse {
        let id = request.parameter("id")
        let desk = request.desk
        let characters = request.form["c"] ?? []
        if let existing = desk.issuances.issuance(id), !existing.isFinished { return .redirect("/issue/\(HTML.urlComponent(id))") }
        // Busy is said at once, before the application is fetched and checked (the start below
        // takes the printer atomically; this is only the quick answer).
        if let holder = desk.slot.current { return .html(render(request, busy: holder, characters: characters), status: .conflict) }
        let issuanceRequest: IssuanceRequest
        do {
            let application = try desk.station.cardManagement.application(id: id)
            // The checks `issue` makes before a card moves: 补卡/换卡, the old card cancelled first
            // (《广东省社会保障卡经办规程》第二十七条一（四））; 一人一卡, a printed 确认单 signed (附件10).
            try OldCardDesk(station: desk.station).requireOldCardCancelled(application)
            try OnePersonOneCardDesk(station: desk.station).requireSignedFormIfPrinted(applicationID: application.id)
            let validator = try ApplicationValidator(cardManagement: desk.station.cardManagement, configuration: desk.station.driver.configuration)
            issuanceRequest = try validator.validate(application, replacements: characters).issuanceRequest
        } catch {
            return .html(render(request, refusal: desk.settings.adviser(error), characters: characters), status: .unprocessableContent)
        }
        switch desk.issuances.start(issuanceRequest, clerk: request.clerk) {
        case .started:
            return .redirect("/issue/\(HTML.urlComponent(id))")
        case .busy(let holder):
            return .html(render(request, busy: holder, characters: characters), status: .conflict)
        }
    }

    static func render(_ request: DeskRequest) throws -> DeskResponse {
        .html(render(request, characters: ApplicationPage.typed(request)))
    }

    static func render(_ request: DeskRequest, refusal: DeskAdvice? = nil, busy: PrinterSlot.Holder? = nil, characters: [String]) -> HTML {
        let lang = request.language
        let id = request.parameter("id")
        let title = Text("制卡：\(id)", "Issuance: \(id)")
        let desk = request.desk
        let holder = busy ?? desk.slot.current
        if let live = desk.issuances.issuance(id), refusal == nil, busy == nil {
            // After a failed card (制卡失败 done), the same application is made again with a new card.
            let again = live.isFinished && live.events.last?.kind == .failed && holder == nil
            return Layout.page(title, request, progress(live, request) + (again ? startForm(request, characters: characters, label: Text("用新卡重新制卡", "Make it again with a new card")) : .empty))
        }
        let busyNotice: HTML = holder.map {
            Layout.notice("warn", "\(Text("制卡机正忙：柜员 \($0.clerk) 正在\($0.what.zh)。请等它完成后再制卡。", "The printer is busy: \($0.clerk) is \($0.what.en). Wait until it finishes."), lang)", id: "busy")
        } ?? .empty
        let refusalNotice: HTML = refusal.map {
            Layout.notice("error", "<p>\(Text("错误：", "Error: "), lang)\($0.problem, lang)。</p><p>\(Text("下一步：", "Next: "), lang)\($0.next, lang)。</p>", id: "refusal")
        } ?? .empty
        let query = ApplicationPage.charactersQuery(characters)
        let preview: HTML = (try? desk.station.cardManagement.application(id: id)).map { _ in
            "<div class=\"face-frame\"><img class=\"card-face\" id=\"preview\" src=\"/application/\(HTML.urlComponent(id))/preview.png\(query)\" alt=\"\(Text("卡面预览", "Card face preview"), lang)\"></div>"
        } ?? .empty
        return Layout.page(title, request, """
            \(busyNotice)
            \(refusalNotice)
            \(preview)
            \(startForm(request, characters: characters, label: Text("开始制卡", "Make the card"), disabled: holder != nil))
            <p><a href="/application/\(HTML.urlComponent(id))\(query)">\(Text("返回申请", "Back to the application"), lang)</a></p>
            """)
    }

    static func startForm(_ request: DeskRequest, characters: [String], label: Text, disabled: Bool = false) -> HTML {
        let hidden: [HTML] = characters.map { "<input type=\"hidden\" name=\"c\" value=\"\($0)\">" }
        return """
            <form method="post" action="/issue/\(HTML.urlComponent(request.parameter("id")))/start" id="start-form">
            \(request.csrfField)\(hidden)
            <button type="submit" class="primary big" id="start"\(HTML(trusted: disabled ? " disabled" : ""))>\(label, request.language)</button>
            </form>
            """
    }

    /// The live view: the steps so far, rendered by the server (a reopened page shows them at
    /// once), then kept up to date by the script from the event stream.
    static func progress(_ live: LiveIssuance, _ request: DeskRequest) -> HTML {
        let lang = request.language
        let id = HTML.urlComponent(live.applicationID)
        var lines: [HTML] = []
        var outcome: HTML = .empty
        for event in live.events {
            let text = Text(event.zh, event.en)
            switch event.kind {
            case .started: lines.append("<li data-step=\"\(event.step ?? "")\" class=\"running\">\(text, lang)</li>")
            case .finished:
                if let i = lines.lastIndex(where: { $0.description.contains("data-step=\"\(event.step ?? "")\"") }) {
                    lines[i] = "<li data-step=\"\(event.step ?? "")\" class=\"done\">\(text, lang)</li>"
                }
            case .retrying, .preview: lines.append("<li class=\"note\">\(text, lang)</li>")
            case .readBack: outcome = outcome + "<p id=\"read-back\">\(Text("读回：", "Read back: "), lang)<code>\(text, lang)</code></p>"
            case .done:
                outcome = Layout.notice("ok", "\(text, lang)", id: "done") + outcome
                    + "<div class=\"face-frame\"><img class=\"card-face\" id=\"face\" src=\"/issue/\(id)/face.png\" alt=\"\(Text("制成的卡面", "The card's face"), lang)\"></div>"
                    + "<p>\(Text("下一步：核对卡面与身份证件后把卡交给申请人，然后领卡启用。", "Next: check the face against the ID, hand the card over, then activate it."), lang)</p>"
            case .failed:
                // The step that was running when it failed.
                if let i = lines.lastIndex(where: { $0.description.contains("class=\"running\"") }) {
                    lines[i] = HTML(trusted: lines[i].description.replacingOccurrences(of: "class=\"running\"", with: "class=\"failed\""))
                }
                outcome = Layout.notice("error", "<p>\(Text("错误：", "Error: "), lang)\(text, lang)。</p><p>\(Text("下一步：", "Next: "), lang)\(Text(event.nextZh ?? "", event.nextEn ?? ""), lang)</p>", id: "refusal")
            }
        }
        let running = !live.isFinished
        return """
            <section id="issuance" data-events="/issue/\(id)/events" data-running="\(running ? "yes" : "no")" data-lang="\(lang.rawValue)" \
            data-face="/issue/\(id)/face.png" data-leave="\(Text("卡片正在制卡机中，离开本页不会中断制卡，但请留在此页直到完成。确定离开？", "A card is in the printer. Leaving does not stop it, but stay until it is done. Leave?"), lang)">
            <p>\(Text("申请人", "Applicant"), lang)：<strong class="name">\(live.name)</strong> · \(Text("经办柜员", "Clerk"), lang)：\(live.clerk)</p>
            <p id="state" role="status" aria-live="polite">\(running ? Text("制卡中，请勿打开制卡机…", "Making the card; keep the printer closed…") : Text("已结束", "Finished"), lang)</p>
            <div id="outcome">\(outcome)</div>
            <ul id="steps">\(lines)</ul>
            </section>
            <p><a href="/queue" id="back-to-queue">\(Text("返回待制卡队列", "Back to the queue"), lang)</a></p>
            """
    }
}
