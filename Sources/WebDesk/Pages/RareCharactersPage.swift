import CardManagement
import Foundation
import InstantIssue
import SSCardPrinter

/// 输入生僻字: a field for each `[PINYIN]` placeholder of the name, taking IME input or a paste.
/// Each character is checked against the font chain as it is typed (the page asks
/// `/application/<id>/check`), shown as the project's renderer draws it (`/glyph.png`) or with
/// the reason it cannot be printed, and the card face is previewed as it will be printed.
/// Without script the form's "check" button does the same through a page load.
enum RareCharactersPage: DeskPage {
    static func register(_ routes: DeskRoutes) {
        routes.page("/application/{id}/characters") { request in try render(request) }
        routes.page("/application/{id}/check") { request in
            let application = try request.desk.station.cardManagement.application(id: request.parameter("id"))
            return .json(try check(request, application))
        }
        routes.page("/application/{id}/preview.png") { request in
            let application = try request.desk.station.cardManagement.application(id: request.parameter("id"))
            let result = try check(request, application)
            guard let name = result.name else { return .text("the name is not resolved", status: .unprocessableContent) }
            do {
                let png = try await request.desk.books { station in try FacePictures(station: station).preview(application, name: name) }
                return .bytes(png, type: "image/png")
            } catch {
                return .text("\(error)", status: .unprocessableContent)
            }
        }
        routes.page("/glyph.png") { request in
            let c = request.queryValue("c") ?? ""
            guard (1...4).contains(c.count) else { return .text("one character", status: .badRequest) }
            do {
                return .bytes(try FacePictures(station: request.desk.station).glyph(c), type: "image/png", cache: true)
            } catch {
                return .text("\(error)", status: .unprocessableContent)
            }
        }
    }

    struct CheckResult: Encodable {
        var characters: [CharacterCheck]
        /// The whole name, when every character can be printed.
        var name: String?
        var preview: String?
        var issue: String?
    }

    static func check(_ request: DeskRequest, _ application: Application) throws -> CheckResult {
        let placeholders = (try? ApplicantName(application.name).placeholders) ?? []
        var typed = ApplicationPage.typed(request).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        typed += Array(repeating: "", count: max(0, placeholders.count - typed.count))
        typed = Array(typed.prefix(placeholders.count))
        let fonts = try FontChain.shared(request.desk.station.driver.configuration.fontChain)
        let checks = zip(placeholders, typed).map { CharacterCheck.check(placeholder: $0, typed: $1, fonts: fonts) }
        var result = CheckResult(characters: checks)
        if checks.allSatisfy(\.ok), let resolved = try? ApplicantName(application.name).resolved(with: typed, fonts: fonts) {
            let query = ApplicationPage.charactersQuery(typed)
            let id = HTML.urlComponent(application.id)
            result.name = resolved.text
            result.preview = "/application/\(id)/preview.png\(query)"
            result.issue = "/issue/\(id)\(query)"
        }
        return result
    }

    static func render(_ request: DeskRequest) throws -> DeskResponse {
        let lang = request.language
        let id = request.parameter("id")
        let application = try request.desk.station.cardManagement.application(id: id)
        let result = try check(request, application)
        let fields: [HTML] = result.characters.enumerated().map { index, c in
            let status: HTML
            if c.ok {
                status = "<img class=\"glyph\" src=\"/glyph.png?c=\(HTML.urlComponent(c.typed))\" alt=\"\(c.typed)\"><span class=\"ok\">\(Text("可以打印", "printable"), lang)</span>"
            } else if c.typed.isEmpty {
                status = .empty
            } else {
                status = "<span class=\"bad\">\(Text(c.reasonZh ?? "", c.reasonEn ?? ""), lang)</span>"
            }
            return """
                <div class="rare-field">
                <label for="c\(index)">[\(c.placeholder)] \(Text("对应的汉字", "is the character"), lang)</label>
                <input id="c\(index)" name="c" value="\(c.typed)" lang="zh-CN" autocomplete="off" data-placeholder="\(c.placeholder)" class="rare-input">
                <output for="c\(index)" id="c\(index)-check" aria-live="polite">\(status)</output>
                </div>
                """
        }
        let preview: HTML = result.preview.map {
            "<img class=\"card-face\" id=\"preview\" src=\"\($0)\" alt=\"\(Text("卡面预览", "Card face preview"), lang)\">"
        } ?? "<img class=\"card-face\" id=\"preview\" hidden alt=\"\(Text("卡面预览", "Card face preview"), lang)\">"
        let issue: HTML = "<a class=\"button primary\" id=\"to-issue\" href=\"\(result.issue ?? "#")\"\(HTML(trusted: result.issue == nil ? " hidden" : ""))>\(Text("用这个姓名制卡", "Make the card with this name"), lang)</a>"
        return .html(Layout.page(Text("输入生僻字：\(application.id)", "Rare characters: \(application.id)"), request, """
            <p>\(Text("姓名", "Name"), lang)：<strong class="name" id="name-with-placeholders">\(application.name)</strong>。\
            \(Text("请在每个框中用输入法输入或粘贴拼音占位所代表的汉字。", "Type (with the input method) or paste the character each pinyin placeholder stands for."), lang)</p>
            <form method="get" action="/application/\(HTML.urlComponent(id))/characters" id="rare-form" data-check="/application/\(HTML.urlComponent(id))/check">
            \(fields)
            <button type="submit" id="check">\(Text("检查", "Check"), lang)</button>
            </form>
            <h2>\(Text("卡面预览（将要打印的样子）", "Card face preview (as it will print)"), lang)</h2>
            <div class="face-frame">\(preview)</div>
            <p class="actions">\(issue)</p>
            """))
    }
}
