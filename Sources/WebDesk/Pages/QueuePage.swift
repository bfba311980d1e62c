import CardManagement
import InstantIssue

/// 待制卡队列: the applications waiting for instant issuance, searchable by name, 社会保障号码 or
/// application id. A desk whose card-management system gives no list finds an application by id.
enum QueuePage: DeskPage {
    static let navigation: DeskNavigation? = DeskNavigation(path: "/queue", title: Text("待制卡", "Queue"), order: 10)
    /// Rows shown at once; the count says how many matched.
    static let rowLimit = 200

    static func register(_ routes: DeskRoutes) {
        routes.page("/") { _ in .redirect("/queue") }
        routes.page("/queue") { request in .html(render(request)) }
    }

    static func render(_ request: DeskRequest) -> HTML {
        let lang = request.language
        let q = (request.queryValue("q") ?? "").trimmingCharacters(in: .whitespaces)
        let desk = request.desk
        var applications: [Application] = []
        var problem: HTML = .empty
        if let queue = desk.settings.queue {
            do {
                applications = try queue()
            } catch {
                let advice = desk.settings.adviser(error)
                problem = Layout.notice("error", "\(advice.problem, lang)。\(advice.next, lang)。")
            }
        } else {
            problem = Layout.notice("warn", "\(Text("卡管系统不提供待制卡列表：请输入申请编号查找。", "The card-management system gives no list: search by application id."), lang)")
        }
        let needle = QueueSearch(q)
        let matches = q.isEmpty ? applications : applications.filter(needle.matches)
        var rows = Array(matches.prefix(rowLimit))
        if !q.isEmpty, rows.isEmpty, let found = try? desk.station.cardManagement.application(id: q) { rows = [found] }
        let unfinished = Set((try? desk.station.journal.unfinished().map(\.applicationID)) ?? [])
        let body: [HTML] = rows.map { a in
            let state: HTML = unfinished.contains(a.id)
                ? "<span class=\"tag warn\">\(Text("制卡未完成", "unfinished"), lang)</span>" : .empty
            return """
                <tr><td><a href="/application/\(HTML.urlComponent(a.id))">\(a.id)</a></td><td class="name">\(a.name)</td>\
                <td>\(a.socialSecurityNumber)</td><td>\(Text(a.kind.chinese, a.kind.rawValue), lang)</td><td>\(a.bank)</td><td>\(state)</td></tr>
                """
        }
        let count = Text("共 \(matches.count) 笔\(matches.count > rowLimit ? "，显示前 \(rowLimit) 笔" : "")",
                         "\(matches.count) application(s)\(matches.count > rowLimit ? ", the first \(rowLimit) shown" : "")")
        return Layout.page(Text("待制卡队列", "Applications waiting"), request, """
            <form method="get" action="/queue" class="search" role="search">
            <label for="q">\(Text("按姓名、社会保障号码或申请编号查找", "Search by name, SSN or application id"), lang)</label>
            <input id="q" name="q" value="\(q)" autofocus>
            <button type="submit">\(Text("查找", "Search"), lang)</button>
            </form>
            \(problem)
            <p id="queue-count">\(count, lang)</p>
            <table id="queue"><thead><tr><th>\(Text("申请编号", "Application"), lang)</th><th>\(Text("姓名", "Name"), lang)</th>\
            <th>\(Text("社会保障号码", "SSN"), lang)</th><th>\(Text("类型", "Kind"), lang)</th><th>\(Text("银行", "Bank"), lang)</th><th></th></tr></thead>
            <tbody>\(body)</tbody></table>
            """)
    }
}

/// A search of the queue: the text anywhere in the application id (ASCII letters in either
/// case), the name or the 社会保障号码 (`x` as `X`). Byte-wise over UTF-8, so 10,000 applications
/// are searched in a few milliseconds (`sscard-bench desk`).
struct QueueSearch: Sendable {
    let needle: [UInt8]

    init(_ text: String) { needle = Array(text.utf8).map(Self.upper) }

    func matches(_ a: Application) -> Bool {
        contains(a.id.utf8) || contains(a.name.utf8) || contains(a.socialSecurityNumber.utf8)
    }

    private func contains(_ haystack: String.UTF8View) -> Bool {
        guard !needle.isEmpty else { return true }
        let bytes = Array(haystack)
        guard bytes.count >= needle.count else { return false }
        outer: for start in 0...(bytes.count - needle.count) {
            for k in 0..<needle.count where Self.upper(bytes[start + k]) != needle[k] { continue outer }
            return true
        }
        return false
    }

    /// ASCII a–z as A–Z; every other byte (UTF-8 continuation bytes included) as it is.
    private static func upper(_ b: UInt8) -> UInt8 { (0x61...0x7A).contains(b) ? b - 0x20 : b }
}
