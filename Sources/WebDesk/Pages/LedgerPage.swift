import Foundation
import InstantIssue

/// 台账: the ledger of one day (who did what to which card, when), its export as the same CSV
/// `issue-station ledger export` writes (UTF-8 with BOM, formula cells defused), and its
/// verification against the keyed hash chain and the card-management system's checkpoints, as
/// `issue-station ledger verify` does (《广东省社会保障卡经办规程》第十二条（三）).
enum LedgerPage: DeskPage {
    static let navigation: DeskNavigation? = DeskNavigation(path: "/ledger", title: Text("台账", "Ledger"), order: 45)

    static func register(_ routes: DeskRoutes) {
        routes.page("/ledger") { request in
            guard let day = day(request) else { return badDay(request) }
            return try await request.desk.books { _ in .html(try render(request, day: day, message: nil)) }
        }
        routes.page("/ledger/export") { request in
            guard let day = day(request) else { return badDay(request) }
            let csv = try await request.desk.books { station in try station.ledger.exportCSV(day: day, timeZone: .current) }
            var response = DeskResponse.bytes([UInt8](csv), type: "text/csv; charset=utf-8")
            response.headers[.contentDisposition] = "attachment; filename=\"ledger-\(day).csv\""
            return response
        }
        routes.action("/ledger/verify") { request in try await request.desk.books { _ in try verify(request) } }
    }

    /// The day asked for (`?day=YYYY-MM-DD`), today (local) when none; nil when it is not a day.
    static func day(_ request: DeskRequest) -> String? {
        guard let asked = request.queryValue("day") ?? request.formValue("day"), !asked.isEmpty else { return today() }
        return StationTimestamp.range(ofDay: asked, in: .current) == nil ? nil : asked
    }

    static func today(_ date: Date = Date()) -> String { formatter.string(from: date) }

    static var formatter: DateFormatter {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = .current
        f.dateFormat = "yyyy-MM-dd"
        return f
    }

    static func badDay(_ request: DeskRequest) -> DeskResponse {
        let lang = request.language
        let notice = Layout.notice("error", "\(Text("日期应写成 2024-05-01 这样。", "Write the day like 2024-05-01."), lang)", id: "refusal")
        return (try? .html(render(request, day: today(), message: notice), status: .badRequest)) ?? .text("bad day", status: .badRequest)
    }

    static func verify(_ request: DeskRequest) throws -> DeskResponse {
        let lang = request.language
        let station = request.desk.station
        let day = day(request) ?? today()
        let result: AuditLedgerVerification
        do {
            result = try station.ledger.verify(against: station.cardManagement, terminal: station.configuration.terminal)
        } catch {
            let advice = request.desk.settings.adviser(error)
            let notice = Layout.notice("error", "<p>\(Text("错误：", "Error: "), lang)\(advice.problem, lang)。</p><p>\(Text("下一步：", "Next: "), lang)\(advice.next, lang)。</p>", id: "verify-result")
            return .html(try render(request, day: day, message: notice), status: .unprocessableContent)
        }
        let checkpoints: Text
        switch result.checkpoints {
        case let .compared(held, sent)?:
            checkpoints = Text("与卡管系统留存的 \(held) 个校验点一致" + (sent.map { "，已上报第 \($0.seq) 条为新校验点" } ?? "") + "。",
                               "Agrees with the \(held) checkpoint\(held == 1 ? "" : "s") the card-management system holds" + (sent.map { "; entry #\($0.seq) sent as a new checkpoint" } ?? "") + ".")
        case let .unavailable(error)?:
            checkpoints = Text("警告：未能与卡管系统核对校验点（\(error.chinese)），只核对了本机台账；网络恢复后再核对一次。",
                               "Warning: the checkpoints could not be compared with the card-management system (\(error.english)); only the local chain was checked. Verify again when the system is reachable.")
        case nil where station.ledger.isShared:
            checkpoints = Text("网点共享台账（各窗口共用一条链）：与卡管系统校验点的比对只对单机 SQLite 台账进行。",
                               "The outlet's shared ledger (one chain for its desks): the comparison with the card-management system's checkpoints is done for a desk's own SQLite ledger only.")
        case nil:
            checkpoints = Text("未与卡管系统核对校验点。", "The checkpoints were not compared.")
        }
        if result.isIntact {
            let head = result.head.map { "\($0.seq):\($0.hash)" } ?? "-"
            let notice = Layout.notice("ok", """
                <p id="ledger-intact">\(Text("台账完好：共 \(result.entryCount) 条记录。最新记录 ", "The ledger is intact: \(result.entryCount) entries. Newest entry "), lang)<code>\(head)</code></p><p>\(checkpoints, lang)</p>
                """, id: "verify-result")
            return .html(try render(request, day: day, message: notice))
        }
        let problems: [HTML] = result.problems.map { "<li>\($0.description)</li>" }
        let first = result.firstAlteredSeq.map { Text("，最早一处在第 \($0) 条", ", the first at entry #\($0)") } ?? Text("", "")
        let notice = Layout.notice("error", """
            <p id="ledger-tampered">\(Text("错误：台账被改动过，发现 \(result.problems.count) 处问题", "Error: the ledger was altered; \(result.problems.count) problems") + first, lang)：</p><ul>\(problems)</ul>\
            <p>\(checkpoints, lang)</p><p>\(Text("下一步：停止办卡，不要再改动数据库，立即报告负责人和技术员（用备份核对）。", "Next: stop issuing, do not touch the database, and report to your supervisor and the technician at once (compare with the backups)."), lang)</p>
            """, id: "verify-result")
        return .html(try render(request, day: day, message: notice), status: .conflict)
    }

    static func render(_ request: DeskRequest, day: String, message: HTML?) throws -> HTML {
        let lang = request.language
        var entries: [AuditLedgerEntry] = []
        if let range = StationTimestamp.range(ofDay: day, in: .current),
           let start = StationTimestamp(text: range.start), let end = StationTimestamp(text: range.end) {
            entries = try request.desk.station.ledger.entries(from: start, to: end)
        }
        let local = DateFormatter()
        local.locale = Locale(identifier: "en_US_POSIX")
        local.timeZone = .current
        local.dateFormat = "HH:mm:ss"
        // The outlet's shared chain holds every desk's entries: each says which desk wrote it.
        let shared = request.desk.station.ledger.isShared
        let rows: [HTML] = entries.map { e in
            let desk: HTML = shared ? "<td class=\"desk\">\(e.desk ?? "-")</td>" : .empty
            return "<tr><td>\(Int(e.seq))</td><td>\(local.string(from: e.recordedAt.date))</td>\(desk)<td class=\"clerk\">\(e.clerk)</td><td class=\"action\">\(e.action)</td><td>\(e.subject)</td><td class=\"details\"><code>\(e.details)</code></td></tr>"
        }
        let deskHeader: HTML = shared ? "<th>\(Text("窗口", "Desk"), lang)</th>" : .empty
        let date = formatter.date(from: day) ?? Date()
        let before = today(date.addingTimeInterval(-86_400)), after = today(date.addingTimeInterval(86_400 + 3_600))
        let table: HTML = entries.isEmpty
            ? Layout.notice("ok", "\(Text("\(day) 没有台账记录。", "No ledger entries on \(day)."), lang)", id: "no-entries")
            : """
              <table id="ledger-entries"><thead><tr><th>\(Text("序号", "No."), lang)</th><th>\(Text("时间", "Time"), lang)</th>\(deskHeader)<th>\(Text("经办人", "Clerk"), lang)</th>\
              <th>\(Text("操作", "Action"), lang)</th><th>\(Text("对象", "Subject"), lang)</th><th>\(Text("详情", "Details"), lang)</th></tr></thead><tbody>\(rows)</tbody></table>
              """
        let tools: HTML = """
            <link rel="stylesheet" href="/assets/stock.css">
            <form method="get" action="/ledger" class="search" id="day-form">
            <label for="ledger-day">\(Text("日期（本机时区）", "Day (this computer's time zone)"), lang)</label>
            <a class="button" id="previous-day" href="/ledger?day=\(before)">\(Text("前一天", "Previous day"), lang)</a>
            <input type="date" id="ledger-day" name="day" value="\(day)">
            <button type="submit" id="show-day">\(Text("查看", "Show"), lang)</button>
            <a class="button" id="next-day" href="/ledger?day=\(after)">\(Text("后一天", "Next day"), lang)</a>
            </form>
            <div class="actions">
            <a class="button primary" id="export-day" href="/ledger/export?day=\(day)" download="ledger-\(day).csv">\(Text("导出 \(day) 的台账（CSV）", "Export \(day) as CSV"), lang)</a>
            <form method="post" action="/ledger/verify" class="inline" id="verify-form">\(request.csrfField)<input type="hidden" name="day" value="\(day)">
            <button type="submit" class="primary" id="verify-ledger">\(Text("核对台账", "Verify the ledger"), lang)</button></form>
            </div>
            <p class="hint">\(verifyHint(shared), lang)</p>
            <h2>\(Text("\(day) 的记录（\(entries.count) 条）", "Entries of \(day) (\(entries.count))"), lang)</h2>
            """
        return Layout.page(Text("台账", "Ledger"), request, (message ?? .empty) + tools + table)
    }

    /// What "verify" checks on the ledger in force: the desk's keyed chain and the province's
    /// checkpoints, or the outlet's one SM3 chain of every desk.
    static func verifyHint(_ shared: Bool) -> Text {
        shared
            ? Text("核对：逐条检查网点共享台账的 SM3 哈希链（网点各窗口共用一条链），发现伪造、修改、调换或删除的记录。",
                   "Verify checks every entry's SM3 hash along the outlet's shared chain (one chain for all its desks): forged, edited, moved or removed entries are found.")
            : Text("核对：逐条检查带密钥的哈希链，并与卡管系统留存的校验点比对，发现伪造、修改、调换或删除的记录。",
                   "Verify checks every entry's keyed hash and the chain, and compares it with the checkpoints the card-management system holds: forged, edited, moved or removed entries are found.")
    }
}
