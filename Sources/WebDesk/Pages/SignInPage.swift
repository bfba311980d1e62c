import HTTPTypes
import InstantIssue

/// 柜员登录: name and password against the accounts in the station database; wrong passwords are
/// counted and lock the account for a while (`ClerkSignIn`). The session cookie is HttpOnly and
/// SameSite=Strict, and is replaced on sign-in.
enum SignInPage: DeskPage {
    static func register(_ routes: DeskRoutes) {
        routes.open("/signin") { request in
            if request.session?.clerk != nil { return .redirect("/queue") }
            var session = request.session
            if session == nil { session = request.desk.sessions.open(language: request.desk.settings.language) }
            let page = form(request.with(session: session!), message: nil)
            return withCookie(.html(page), session!.token)
        }
        routes.openAction("/signin") { request in
            let name = (request.formValue("name") ?? "").trimmingCharacters(in: .whitespaces)
            let password = request.formValue("password") ?? ""
            let outcome = try request.desk.signIn.signIn(name: name, password: password)
            switch outcome {
            case .signedIn(let account):
                let session = request.desk.sessions.signIn(replacing: request.session?.token, clerk: account.name, role: account.role,
                                                           language: request.language)
                return withCookie(.redirect("/queue"), session.token)
            case .wrong:
                return .html(form(request, message: Text("姓名或密码不正确。", "The name or the password is wrong.")), status: .unauthorized)
            case .locked(let until):
                return .html(form(request, message: Text("密码错误次数过多，账号已锁定至 \(until.text)（UTC）；请稍后再试或请管理员重设密码。",
                                                         "Too many wrong passwords: the account is locked until \(until.text) (UTC); try later or ask an administrator to reset the password.")),
                             status: .unauthorized)
            }
        }
        routes.action("/signout") { request in
            if let token = request.session?.token { request.desk.sessions.close(token) }
            return .redirect("/signin")
        }
    }

    static func form(_ request: DeskRequest, message: Text?) -> HTML {
        let lang = request.language
        let error: HTML = message.map { Layout.notice("error", "\($0, lang)", id: "signin-error") } ?? .empty
        return Layout.page(Text("柜员登录", "Clerk sign-in"), request, """
            \(error)
            <form method="post" action="/signin" class="card-form" id="signin-form">
            \(request.csrfField)
            <label for="name">\(Text("柜员姓名", "Clerk's name"), lang)</label>
            <input id="name" name="name" autocomplete="username" required autofocus>
            <label for="password">\(Text("密码", "Password"), lang)</label>
            <input id="password" name="password" type="password" autocomplete="current-password" required>
            <button type="submit" class="primary" id="signin">\(Text("登录", "Sign in"), lang)</button>
            </form>
            """)
    }

    static func withCookie(_ response: DeskResponse, _ token: String) -> DeskResponse {
        var r = response
        r.headers[.setCookie] = "\(SessionStore.cookieName)=\(token); Path=/; HttpOnly; SameSite=Strict"
        return r
    }
}

extension DeskRequest {
    func with(session: DeskSession) -> DeskRequest {
        DeskRequest(desk: desk, session: session, query: query, form: form, parameters: parameters, path: path)
    }
}
