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
        let matches = q.isEmpty ? applications : applications.filter { matchesQuery($0, q) }
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

    static func matchesQuery(_ a: Application, _ q: String) -> Bool {
        a.id.localizedCaseInsensitiveContains(q) || a.name.contains(q) || a.socialSecurityNumber.contains(q.uppercased())
    }
}
