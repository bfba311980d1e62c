import Foundation
import InstantIssue
import Hummingbird
import SSCardDriver

/// 库存: the pre-made cards — what the books say is in the safe and in each hopper (and what
/// the printer says it holds), 入库 of a card maker's return file (YZKCG) by upload with a
/// progress bar, 装卡, 卸卡, 作废 and the daily 盘点 (《广东省社会保障卡经办规程》第三十六条（四）).
/// Each action is the library call of the matching `issue-station inventory` command, recorded
/// under the signed-in clerk.
enum StockPage: DeskPage {
    static let navigation: DeskNavigation? = DeskNavigation(path: "/stock", title: Text("库存", "Stock"), order: 40)

    static func register(_ routes: DeskRoutes) {
        routes.page("/stock") { request in try await request.desk.books { _ in .html(try render(request, message: uploadOutcome(request))) } }
        routes.upload("/stock/import") { request, raw in try await importFile(request, raw) }
        routes.page("/stock/import/{id}") { request in
            guard let p = request.desk.uploads.progress(request.parameter("id"), clerk: request.clerk) else {
                return .text("no such upload", status: .notFound)
            }
            return .json(p)
        }
        routes.action("/stock/load") { request in try await request.desk.books { _ in try load(request) } }
        routes.action("/stock/unload") { request in try await request.desk.books { _ in try unload(request) } }
        routes.action("/stock/spoil") { request in try await request.desk.books { _ in try spoil(request) } }
        routes.action("/stock/stocktake") { request in try await request.desk.books { _ in try stocktake(request) } }
        routes.open("/assets/stock.css") { _ in .bytes(Array(StockAssets.styleSheet.utf8), type: "text/css; charset=utf-8") }
        routes.open("/assets/stock.js") { _ in .bytes(Array(StockAssets.script.utf8), type: "text/javascript; charset=utf-8") }
    }

    // MARK: Actions

    static func importFile(_ request: DeskRequest, _ raw: Hummingbird.Request) async throws -> DeskResponse {
        let id = request.queryValue("upload") ?? ""
        guard ReturnFileUploads.isValidID(id) else { return .text("400 upload id missing or not valid", status: .badRequest) }
        let size = raw.headers[.contentLength].flatMap(Int.init)
        let run = ReturnFileImport(stock: request.desk.station.stock, uploads: request.desk.uploads, adviser: request.desk.settings.adviser)
        do {
            let outcome = try await run.run(id: id, fileName: request.queryValue("name") ?? "", declaredSize: size, body: raw.body, clerk: request.clerk)
            var response = DeskResponse.json(outcome)
            if outcome.phase == .failed { response.status = .unprocessableContent }
            return response
        } catch ReturnFileImport.Refusal.duplicateID {
            return .text("409 this upload was sent already", status: .conflict)
        }
    }

    /// The outcome of the upload the page was reloaded after (`/stock?upload=ID`).
    static func uploadOutcome(_ request: DeskRequest) -> HTML? {
        guard let id = request.queryValue("upload"), let p = request.desk.uploads.progress(id, clerk: request.clerk),
              p.phase == .done || p.phase == .failed else { return nil }
        let lang = request.language
        let text = Text(p.zh ?? "", p.en ?? ""), next = Text(p.nextZh ?? "", p.nextEn ?? "")
        if p.phase == .done { return Layout.notice("ok", "<p>\(text, lang)</p><p>\(next, lang)</p>", id: "import-result") }
        let problems: [HTML] = p.problems.map { "<li>\($0)</li>" }
        return Layout.notice("error", """
            <p>\(Text("错误：", "Error: "), lang)\(text, lang)。</p><p>\(Text("下一步：", "Next: "), lang)\(next, lang)。</p>\
            \(problems.isEmpty ? HTML.empty : "<ul id=\"import-problems\">\(problems)</ul>")
            """, id: "import-result")
    }

    static func load(_ request: DeskRequest) throws -> DeskResponse {
        let lang = request.language
        guard let n = Int(request.formValue("hopper") ?? ""), let hopper = Hopper(n) else { return refuse(request, Text("卡盒号应为 1 至 9", "the hopper must be 1 to 9"), Text("选择卡盒后再装卡", "choose the hopper and load again")) }
        let bank = (request.formValue("bank") ?? "").trimmingCharacters(in: .whitespaces)
        guard let count = Int(request.formValue("count") ?? ""), count >= 1 else { return refuse(request, Text("张数至少为 1", "the count must be at least 1"), Text("填写要装入的张数", "enter how many cards to load")) }
        // 附件9: one bank per hopper, the one the driver configuration names (as the command line checks).
        let hoppers = request.desk.station.driver.configuration.hoppers
        if let configured = hoppers[bank], configured != n {
            return refuse(request, Text("驱动配置规定\(bank)的卡放在卡盒\(configured)，不是卡盒\(n)", "the driver configuration puts \(bank) cards in hopper \(configured), not hopper \(n)"),
                          Text("把卡装入卡盒\(configured)，或请技术员修改 driver.json 的 hoppers", "load them into hopper \(configured), or ask the technician to change hoppers in driver.json"))
        }
        do {
            let loaded = try request.desk.station.stock.loadHopper(hopper, bank: bank, count: count, by: request.clerk)
            var note: HTML = "<p>\(Text("已登记 \(loaded.count) 张\(bank)预制卡装入卡盒\(n)。请从保险柜取出下列卡装入卡盒\(n)：", "Recorded \(loaded.count) \(bank) pre-made cards loaded into hopper \(n). Take these cards from the safe and put them into hopper \(n):"), lang)</p>" + cardList(loaded)
            if hoppers[bank] == nil {
                note = note + "<p>\(Text("注意：驱动配置的 hoppers 中没有\(bank)；请技术员加上 \"\(bank)\": \(n)，否则办卡时找不到这家银行的卡盒。", "Note: the driver configuration's hoppers lacks \(bank); ask the technician to add \"\(bank)\": \(n), or issuing cannot find this bank's hopper."), lang)</p>"
            }
            return .html(try render(request, message: Layout.notice("ok", note, id: "stock-result")))
        } catch { return refuse(request, error) }
    }

    static func unload(_ request: DeskRequest) throws -> DeskResponse {
        let lang = request.language
        guard let n = Int(request.formValue("hopper") ?? ""), let hopper = Hopper(n) else { return refuse(request, Text("卡盒号应为 1 至 9", "the hopper must be 1 to 9"), Text("选择卡盒后再卸卡", "choose the hopper and unload again")) }
        do {
            let unloaded = try request.desk.station.stock.unloadHopper(hopper, by: request.clerk)
            let note: HTML = unloaded.isEmpty
                ? "<p>\(Text("卡盒\(n)在账上没有可退库的卡。", "Hopper \(n) holds no cards to return on the books."), lang)</p>"
                : "<p>\(Text("已登记卡盒\(n)的 \(unloaded.count) 张卡退库。请把下列卡从卡盒取出放回保险柜：", "Recorded \(unloaded.count) cards of hopper \(n) returned. Take these cards out of the hopper and put them in the safe:"), lang)</p>" + cardList(unloaded)
            return .html(try render(request, message: Layout.notice("ok", note, id: "stock-result")))
        } catch { return refuse(request, error) }
    }

    static func spoil(_ request: DeskRequest) throws -> DeskResponse {
        let lang = request.language
        let typed = (request.formValue("card") ?? "").trimmingCharacters(in: .whitespaces).uppercased()
        let reason = (request.formValue("reason") ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard let card = CardNumber(typed) else { return refuse(request, Text("“\(typed)”不是社保卡号", "“\(typed)” is not a card number"), Text("照卡面抄写 9 位社保卡号", "copy the 9-character card number from the card")) }
        guard !reason.isEmpty else { return refuse(request, Text("没有填写作废原因", "no reason was given"), Text("写明作废原因，例如“卡面污损”", "say why, e.g. \"face damaged\"")) }
        do {
            let spoiled = try request.desk.station.stock.spoilCard(card, reason: reason, by: request.clerk)
            return .html(try render(request, message: Layout.notice("ok", "<p>\(Text("卡 \(spoiled.cardNumber.value) 已作废（\(reason)），请放入废卡登记。", "Card \(spoiled.cardNumber.value) is spoiled (\(reason)); file it with the spoiled cards."), lang)</p>", id: "stock-result")))
        } catch { return refuse(request, error) }
    }

    static func stocktake(_ request: DeskRequest) throws -> DeskResponse {
        let lang = request.language
        let inventory = request.desk.station.stock
        do {
            let report = try inventory.takeStock(by: request.clerk)
            let check = try inventory.checkInvariants()
            let totals: [HTML] = PreMadeCardState.Kind.allCases.map { k in "<li>\(Text(k.chinese, k.rawValue), lang)：<span data-state=\"\(k.rawValue)\">\(report.totals[k] ?? 0)</span></li>" }
            let head = report.ledgerHead.map { "\($0.seq):\($0.hash)" } ?? "-"
            var body: HTML = "<p>\(Text("盘点已记入台账（经办人 \(request.clerk)）。导入共 \(report.imported) 张：", "The stock-take is in the ledger (clerk \(request.clerk)). \(report.imported) imported:"), lang)</p><ul>\(totals)</ul>"
            body = body + "<p>\(Text("请在纸质盘点表上抄下台账最新记录：", "Write the ledger head on the paper copy:"), lang)<code id=\"ledger-head\">\(head)</code></p>"
            if check.holds {
                body = body + "<p id=\"books-add-up\">\(Text("账目相符。", "The books add up."), lang)</p>"
                return .html(try render(request, message: Layout.notice("ok", body, id: "stock-result")))
            }
            let violations: [HTML] = check.violations.map { "<li>\($0)</li>" }
            body = body + "<p>\(Text("账目不平，\(check.violations.count) 处：", "The books do not add up, \(check.violations.count) problems:"), lang)</p><ul>\(violations)</ul><p>\(Text("下一步：清点保险柜和卡盒里的卡，报告负责人。", "Next: count the cards in the safe and the hoppers, and report to your supervisor."), lang)</p>"
            return .html(try render(request, message: Layout.notice("error", body, id: "stock-result")), status: .conflict)
        } catch { return refuse(request, error) }
    }

    // MARK: Rendering

    static func cardList(_ cards: [PreMadeCard]) -> HTML {
        let items: [HTML] = cards.map { c in "<li><code>\(c.cardNumber.value)</code>\(c.packingPosition.isEmpty ? HTML.empty : " \(c.packingPosition)")</li>" }
        return "<ol class=\"cards\" id=\"cards-to-take\">\(items)</ol>"
    }

    static func refuse(_ request: DeskRequest, _ error: any Error) -> DeskResponse {
        let advice = request.desk.settings.adviser(error)
        return refuse(request, advice.problem, advice.next)
    }

    static func refuse(_ request: DeskRequest, _ problem: Text, _ next: Text) -> DeskResponse {
        let lang = request.language
        let notice = Layout.notice("error", "<p>\(Text("错误：", "Error: "), lang)\(problem, lang)。</p><p>\(Text("下一步：", "Next: "), lang)\(next, lang)。</p>", id: "refusal")
        return (try? .html(render(request, message: notice), status: .unprocessableContent)) ?? .text(problem.in(lang), status: .unprocessableContent)
    }

    static func render(_ request: DeskRequest, message: HTML?) throws -> HTML {
        let lang = request.language
        let inventory = request.desk.station.stock
        let report = try inventory.stockReport()
        let banks = try inventory.banks()
        let kinds = PreMadeCardState.Kind.allCases
        let head: [HTML] = kinds.map { "<th>\(Text($0.chinese, $0.rawValue), lang)</th>" }
        let bankRows: [HTML] = report.byBank.keys.sorted().map { bank in
            let cells: [HTML] = kinds.map { "<td data-state=\"\($0.rawValue)\">\(report.byBank[bank]?[$0] ?? 0)</td>" }
            return "<tr data-bank=\"\(bank)\"><th scope=\"row\">\(bank)</th>\(cells)</tr>"
        }
        let totalCells: [HTML] = kinds.map { "<td data-state=\"\($0.rawValue)\">\(report.totals[$0] ?? 0)</td>" }
        let books: HTML = """
            <h2>\(Text("账上的预制卡", "Pre-made cards on the books"), lang)</h2>
            <table id="stock-books"><thead><tr><th>\(Text("银行", "Bank"), lang)</th>\(head)</tr></thead>
            <tbody>\(bankRows)<tr id="stock-total"><th scope="row">\(Text("合计", "Total"), lang)</th>\(totalCells)</tr></tbody></table>
            <p>\(Text("导入共 \(report.imported) 张；保险柜里应有“在库”与“已退库”的卡。", "\(report.imported) imported; the safe should hold the cards in stock and returned."), lang)</p>
            """
        // What each hopper holds: the books, and what the printer itself reports.
        let printerStatus = try? request.desk.station.driver.printer?.status()
        let numbers = Set(report.hopperCards.map(\.hopper.rawValue) + (printerStatus?.hoppers.map(\.number) ?? [])).sorted()
        let hopperRows: [HTML] = numbers.map { n in
            let cards = report.hopperCards.filter { $0.hopper.rawValue == n }
            let bankNames = Set(cards.map(\.bank)).sorted().joined(separator: "、")
            let reserved = cards.filter { $0.reservedFor != nil }.count
            let device: String = printerStatus?.hopper(n).map { h in
                h.hasCards ? (h.cardCount.map { Text("有卡（\($0) 张）", "cards (\($0))").in(lang) } ?? Text("有卡", "cards").in(lang)) : Text("空", "empty").in(lang)
            } ?? Text("未知", "unknown").in(lang)
            return "<tr data-hopper=\"\(n)\"><th scope=\"row\">\(Text("卡盒\(n)", "Hopper \(n)"), lang)</th><td>\(bankNames.isEmpty ? "-" : bankNames)</td><td class=\"count\">\(cards.count)</td><td>\(reserved)</td><td>\(device)</td></tr>"
        }
        let hoppers: HTML = """
            <h2>\(Text("卡盒", "Hoppers"), lang)</h2>
            <table id="hoppers"><thead><tr><th>\(Text("卡盒", "Hopper"), lang)</th><th>\(Text("银行", "Bank"), lang)</th><th>\(Text("账上张数", "On the books"), lang)</th><th>\(Text("其中已预留", "Reserved"), lang)</th><th>\(Text("制卡机报告", "Printer reports"), lang)</th></tr></thead><tbody>\(hopperRows)</tbody></table>
            """
        let bankOptions: [HTML] = banks.map { "<option value=\"\($0)\">\($0)</option>" }
        let hopperOptions: [HTML] = (1...9).map { "<option value=\"\($0)\">\($0)</option>" }
        let upload: HTML = """
            <link rel="stylesheet" href="/assets/stock.css">
            <h2 id="import-heading">\(Text("入库：导入回盘文件（YZKCG）", "Import a return file (YZKCG)"), lang)</h2>
            <form id="import-form" class="card-form" method="post" action="/stock/import" enctype="application/octet-stream" data-csrf="\(request.csrf)"\
             data-failed="\(Text("上传失败", "The upload failed"), lang)" data-receiving="\(Text("正在上传", "Uploading"), lang)" data-checking="\(Text("正在检查文件", "Checking the file"), lang)" data-importing="\(Text("正在入库", "Importing"), lang)">
            <label for="return-file">\(Text("回盘文件（YZKCG_….txt）", "Return file (YZKCG_….txt)"), lang)</label>
            <input type="file" id="return-file" name="file" accept=".txt,text/plain" required>
            <button type="submit" class="primary" id="import-button">\(Text("上传并入库", "Upload and import"), lang)</button>
            <progress id="import-progress" max="100" value="0" hidden></progress>
            <div id="import-status" role="status" aria-live="polite"></div>
            <p class="hint">\(Text("文件有任何错误都不导入，库存不变；同一文件不能导入两次。", "If anything in the file is wrong nothing is imported; the same file cannot be imported twice."), lang)</p>
            </form>
            """
        let moves: HTML = """
            <h2>\(Text("装卡", "Load a hopper"), lang)</h2>
            <form method="post" action="/stock/load" class="card-form" id="load-form">\(request.csrfField)
            <label for="load-hopper">\(Text("卡盒", "Hopper"), lang)</label><select id="load-hopper" name="hopper">\(hopperOptions)</select>
            <label for="load-bank">\(Text("银行", "Bank"), lang)</label><select id="load-bank" name="bank">\(bankOptions)</select>
            <label for="load-count">\(Text("张数", "Cards"), lang)</label><input id="load-count" name="count" type="number" min="1" value="10" required>
            <button type="submit" class="primary" id="load-button">\(Text("登记装卡", "Record loading"), lang)</button></form>
            <h2>\(Text("卸卡", "Unload a hopper"), lang)</h2>
            <form method="post" action="/stock/unload" class="card-form" id="unload-form">\(request.csrfField)
            <label for="unload-hopper">\(Text("卡盒", "Hopper"), lang)</label><select id="unload-hopper" name="hopper">\(hopperOptions)</select>
            <button type="submit" class="primary" id="unload-button">\(Text("登记卸卡退库", "Record unloading"), lang)</button></form>
            <h2>\(Text("作废", "Spoil a card"), lang)</h2>
            <form method="post" action="/stock/spoil" class="card-form" id="spoil-form">\(request.csrfField)
            <label for="spoil-card">\(Text("社保卡号", "Card number"), lang)</label><input id="spoil-card" name="card" required autocomplete="off">
            <label for="spoil-reason">\(Text("作废原因", "Reason"), lang)</label><input id="spoil-reason" name="reason" required>
            <button type="submit" class="primary" id="spoil-button">\(Text("登记作废", "Record as spoiled"), lang)</button></form>
            <h2>\(Text("盘点", "Stock-take"), lang)</h2>
            <form method="post" action="/stock/stocktake" class="card-form" id="stocktake-form">\(request.csrfField)
            <p>\(Text("每天盘点一次：清点保险柜和卡盒里的卡，与上表核对后登记。", "Once a day: count the cards in the safe and the hoppers, compare with the tables above, then record it."), lang)</p>
            <button type="submit" class="primary" id="stocktake-button">\(Text("登记盘点", "Record the stock-take"), lang)</button></form>
            <script src="/assets/stock.js" defer></script>
            """
        return Layout.page(Text("库存", "Stock"), request, (message ?? .empty) + upload + books + hoppers + moves)
    }
}
