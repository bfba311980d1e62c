import InstantIssue

/// 柜员管理 (administrators): the accounts, a new clerk, a new password, an account disabled or
/// enabled again. Every change is a 台账 entry by the administrator signed in.
enum ClerksPage: DeskPage {
    static let navigation: DeskNavigation? = DeskNavigation(path: "/clerks", title: Text("柜员管理", "Clerks"), order: 90, role: .administrator)

    static func register(_ routes: DeskRoutes) {
        routes.page("/clerks", role: .administrator) { request in .html(try render(request, message: nil)) }
        routes.action("/clerks", role: .administrator) { request in
            let lang = request.language
            let name = (request.formValue("name") ?? "").trimmingCharacters(in: .whitespaces)
            let password = request.formValue("password") ?? ""
            let message: HTML
            do {
                switch request.formValue("do") {
                case "add":
                    guard password.count >= 8 else {
                        return .html(try render(request, message: Layout.notice("error", "\(Text("密码至少 8 个字符。", "A password has at least 8 characters."), lang)")), status: .unprocessableContent)
                    }
                    let role = ClerkRole(rawValue: request.formValue("role") ?? "") ?? .clerk
                    try request.desk.addClerk(name: name, password: password, role: role, by: request.clerk)
                    message = Layout.notice("ok", "\(Text("已添加柜员 \(name)。", "Clerk \(name) added."), lang)")
                case "password":
                    guard password.count >= 8 else {
                        return .html(try render(request, message: Layout.notice("error", "\(Text("密码至少 8 个字符。", "A password has at least 8 characters."), lang)")), status: .unprocessableContent)
                    }
                    try request.desk.accounts.setCredential(PasswordKDF.credential(for: password, iterations: request.desk.settings.passwordIterations),
                                                            for: name, by: request.clerk)
                    message = Layout.notice("ok", "\(Text("已为 \(name) 设置新密码。", "New password set for \(name)."), lang)")
                case "disable", "enable":
                    let enable = request.formValue("do") == "enable"
                    guard enable || name != request.clerk else {
                        return .html(try render(request, message: Layout.notice("error", "\(Text("不能停用自己的账号。", "You cannot disable your own account."), lang)")), status: .unprocessableContent)
                    }
                    try request.desk.accounts.setActive(enable, for: name, by: request.clerk)
                    message = Layout.notice("ok", "\(enable ? Text("已启用 \(name)。", "\(name) enabled.") : Text("已停用 \(name)。", "\(name) disabled."), lang)")
                default:
                    return .text("unknown action", status: .badRequest)
                }
            } catch let error as ClerkAccountError {
                return .html(try render(request, message: Layout.notice("error", "\(Text(error.chinese, error.english), lang)。")), status: .unprocessableContent)
            }
            return .html(try render(request, message: message))
        }
    }

    static func render(_ request: DeskRequest, message: HTML?) throws -> HTML {
        let lang = request.language
        let rows: [HTML] = try request.desk.accounts.all().map { a in
            let toggle = a.active ? "disable" : "enable"
            return """
                <tr><td>\(a.name)</td><td>\(a.role == .administrator ? Text("管理员", "administrator") : Text("柜员", "clerk"), lang)</td>\
                <td>\(a.active ? Text("在用", "active") : Text("已停用", "disabled"), lang)</td><td>\(a.lockedUntil?.text ?? "")</td>
                <td><form method="post" action="/clerks" class="inline">\(request.csrfField)<input type="hidden" name="name" value="\(a.name)">\
                <input type="hidden" name="do" value="\(toggle)"><button type="submit">\(a.active ? Text("停用", "Disable") : Text("启用", "Enable"), lang)</button></form></td></tr>
                """
        }
        return Layout.page(Text("柜员管理", "Clerks"), request, """
            \(message ?? .empty)
            <table id="clerks"><thead><tr><th>\(Text("姓名", "Name"), lang)</th><th>\(Text("角色", "Role"), lang)</th><th>\(Text("状态", "State"), lang)</th><th>\(Text("锁定至", "Locked until"), lang)</th><th></th></tr></thead><tbody>\(rows)</tbody></table>
            <h2>\(Text("添加柜员或重设密码", "Add a clerk or set a password"), lang)</h2>
            <form method="post" action="/clerks" class="card-form" id="clerk-form">
            \(request.csrfField)
            <label for="clerk-name">\(Text("姓名", "Name"), lang)</label><input id="clerk-name" name="name" required>
            <label for="clerk-password">\(Text("密码（至少 8 个字符）", "Password (8 characters or more)"), lang)</label><input id="clerk-password" name="password" type="password" autocomplete="new-password" required>
            <label for="clerk-role">\(Text("角色", "Role"), lang)</label>
            <select id="clerk-role" name="role"><option value="clerk">\(Text("柜员", "clerk"), lang)</option><option value="administrator">\(Text("管理员", "administrator"), lang)</option></select>
            <div class="actions"><button type="submit" name="do" value="add" class="primary">\(Text("添加", "Add"), lang)</button>
            <button type="submit" name="do" value="password">\(Text("重设密码", "Set the password"), lang)</button></div>
            </form>
            """)
    }
}
