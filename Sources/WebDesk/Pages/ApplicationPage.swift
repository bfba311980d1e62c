import CardManagement
import Foundation
import InstantIssue

/// 申请详情: the application as the card-management system holds it, its photo, every problem
/// the application rules find (each naming its field and the rule it breaks), and 一人一卡.
enum ApplicationPage: DeskPage {
    static func register(_ routes: DeskRoutes) {
        routes.page("/application/{id}") { request in try render(request) }
        routes.page("/application/{id}/photo.jpg") { request in
            let application = try request.desk.station.cardManagement.application(id: request.parameter("id"))
            guard let photo = application.photoJPEG else { return .text("no photo", status: .notFound) }
            return .bytes([UInt8](photo), type: "image/jpeg")
        }
    }

    /// The characters typed for the name's placeholders (`c`, in order), as the query carries them.
    static func typed(_ request: DeskRequest) -> [String] { request.query["c"] ?? request.form["c"] ?? [] }

    /// `?c=…&c=…` for links that carry the typed characters on.
    static func charactersQuery(_ characters: [String]) -> String {
        characters.isEmpty ? "" : "?" + characters.map { "c=" + HTML.urlComponent($0) }.joined(separator: "&")
    }

    static func render(_ request: DeskRequest) throws -> DeskResponse {
        let lang = request.language
        let station = request.desk.station
        let id = request.parameter("id")
        let application: Application
        do {
            application = try station.cardManagement.application(id: id)
        } catch {
            let advice = request.desk.settings.adviser(error)
            return .html(Layout.page(Text("申请 \(id)", "Application \(id)"), request,
                                     Layout.notice("error", "\(advice.problem, lang)。\(advice.next, lang)。", id: "application-error")),
                         status: .notFound)
        }
        let placeholders = (try? ApplicantName(application.name).placeholders) ?? []
        let characters = typed(request)
        var problems: [ApplicationProblem] = []
        var notices: [ApplicationNotice] = []
        var resolvedName: String?
        do {
            let validator = try ApplicationValidator(cardManagement: station.cardManagement, configuration: station.driver.configuration)
            let checked = try validator.validate(application, replacements: characters)
            notices = checked.notices
            resolvedName = checked.name.text
        } catch let error as ApplicationValidationError {
            problems = error.problems
            notices = error.notices
        }
        let conflicts: HTML
        do {
            let cards = try station.cardManagement.conflictingCards(socialSecurityNumber: application.socialSecurityNumber, applicationID: id)
            conflicts = cards.isEmpty
                ? Layout.notice("ok", "\(Text("一人一卡：此人在本省没有妨碍本次申请的卡。", "One person, one card: no other card stands in the way."), lang)", id: "one-card")
                : Layout.notice("error", "\(Text("一人一卡：此人持有其他卡", "One person, one card: other cards held"), lang)：\(cards.map { "\($0.cardNumber)（\($0.state)）" }.joined(separator: "，"))", id: "one-card")
        } catch {
            let advice = request.desk.settings.adviser(error)
            conflicts = Layout.notice("error", "\(advice.problem, lang)。\(advice.next, lang)。", id: "one-card")
        }
        // A placeholder not typed yet is the rare-character page's work, not a problem to show here.
        let shown = problems.filter { if case .name(.unresolved) = $0 { false } else { true } }
        let problemList: HTML = shown.isEmpty
            ? Layout.notice("ok", "\(Text("申请信息符合制卡规则。", "The application meets the rules."), lang)", id: "problems")
            : """
              <div class="notice error" role="alert" id="problems"><p>\(Text("申请有 \(shown.count) 个问题：", "The application has \(shown.count) problem(s):"), lang)</p><ol>\
              \(shown.map { p in "<li><strong>\(Text(p.field.chinese, p.field.rawValue), lang)</strong>：\(Text(p.chinese, p.english), lang)</li>" as HTML })</ol></div>
              """
        let noticeList: [HTML] = notices.map { Layout.notice("warn", "\(Text($0.chinese, $0.english), lang)") }
        let photo: HTML = application.photoJPEG == nil
            ? "<p class=\"photo none\">\(Text("无照片", "No photo"), lang)</p>"
            : "<img class=\"photo\" src=\"/application/\(HTML.urlComponent(id))/photo.jpg\" alt=\"\(Text("申请人照片", "Applicant's photo"), lang)\">"
        let next: HTML
        if !placeholders.isEmpty && characters.count != placeholders.count {
            next = "<a class=\"button primary\" id=\"to-characters\" href=\"/application/\(HTML.urlComponent(id))/characters\">\(Text("输入生僻字", "Enter the rare characters"), lang)</a>"
        } else if shown.isEmpty {
            next = "<a class=\"button primary\" id=\"to-issue\" href=\"/issue/\(HTML.urlComponent(id))\(charactersQuery(characters))\">\(Text("去制卡", "Go to issuance"), lang)</a>"
        } else {
            next = .empty
        }
        let rows: [(Text, String)] = [
            (Text("申请编号", "Application"), application.id), (Text("姓名", "Name"), resolvedName ?? application.name),
            (Text("社会保障号码", "SSN"), application.socialSecurityNumber), (Text("类型", "Kind"), lang == .zh ? application.kind.chinese : application.kind.rawValue),
            (Text("性别", "Sex"), application.sex), (Text("出生日期", "Birth date"), application.birthDate),
            (Text("银行", "Bank"), application.bank), (Text("发卡地区", "Region"), application.regionCode),
        ]
        return .html(Layout.page(Text("申请 \(id)", "Application \(id)"), request, """
            <div class="columns">
            <div>\(photo)</div>
            <table class="fields" id="application-fields">\(rows.map { "<tr><th>\($0.0, lang)</th><td>\($0.1)</td></tr>" as HTML })</table>
            </div>
            \(problemList)
            \(noticeList)
            \(conflicts)
            <p class="actions">\(next)</p>
            """))
    }
}
