/// The frame of every page: the skip link, the menu (from `DeskPages.menu`), the clerk signed
/// in, the language switch and sign-out, then the page's own content in `<main>`. Every asset
/// is the server's own (/assets/…): outlets are offline and the CSP allows nothing else.
enum Layout {
    static func page(_ title: Text, _ request: DeskRequest, _ content: HTML) -> HTML {
        let lang = request.language
        let menu: [HTML] = request.session?.clerk == nil ? [] : DeskPages.menu(for: request.role).map { item in
            let current = request.path == item.path || request.path.hasPrefix(item.path + "/")
            return "<li><a href=\"\(item.path)\"\(HTML(trusted: current ? " aria-current=\"page\"" : ""))>\(item.title, lang)</a></li>"
        }
        let other: DeskLanguage = lang == .zh ? .en : .zh
        let languageSwitch: HTML = request.session == nil ? .empty : """
            <form method="post" action="/language" class="inline">\(request.csrfField)<input type="hidden" name="to" value="\(other.rawValue)"><input type="hidden" name="back" value="\(request.path)"><button type="submit" class="link" lang="\(other == .zh ? "zh-CN" : "en")" id="language-switch">\(other == .zh ? "中文" : "English")</button></form>
            """
        let clerk: HTML = request.session?.clerk.map { name in
            """
            <span class="clerk">\(Text("柜员", "Clerk"), lang)：<strong id="signed-in-clerk">\(name)</strong></span>
            <form method="post" action="/signout" class="inline">\(request.csrfField)<button type="submit" class="link" id="sign-out">\(Text("退出", "Sign out"), lang)</button></form>
            """
        } ?? .empty
        return """
            <!DOCTYPE html>
            <html lang="\(lang == .zh ? "zh-CN" : "en")">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(title, lang) · \(Text("社保卡即时制卡台", "Social security card desk"), lang)</title>
            <link rel="stylesheet" href="/assets/desk.css">
            <script src="/assets/desk.js" defer></script>
            </head>
            <body>
            <a class="skip" href="#main">\(Text("跳到正文", "Skip to content"), lang)</a>
            <header>
            <span class="brand">\(Text("社保卡即时制卡台", "Social security card desk"), lang)</span>
            <nav aria-label="\(Text("菜单", "Menu"), lang)"><ul>\(menu)</ul></nav>
            <div class="who">\(clerk)\(languageSwitch)</div>
            </header>
            <main id="main" tabindex="-1">
            <h1>\(title, lang)</h1>
            \(content)
            </main>
            </body>
            </html>
            """
    }

    /// A notice box: `kind` is ok, warn or error (CSS classes).
    static func notice(_ kind: String, _ text: HTML, id: String = "") -> HTML {
        "<div class=\"notice \(kind)\" role=\"\(kind == "error" ? "alert" : "status")\"\(HTML(trusted: id.isEmpty ? "" : " id=\"\(HTML.escape(id))\""))>\(text)</div>"
    }
}
