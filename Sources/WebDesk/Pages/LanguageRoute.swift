/// 中文 / English: the switch in the page frame, remembered for the session.
enum LanguageRoute: DeskPage {
    static func register(_ routes: DeskRoutes) {
        routes.openAction("/language") { request in
            if let token = request.session?.token, let to = request.formValue("to").flatMap(DeskLanguage.init(rawValue:)) {
                request.desk.sessions.setLanguage(to, for: token)
            }
            let back = request.formValue("back") ?? "/"
            // Only a path of this desk: never an address elsewhere.
            return .redirect(back.hasPrefix("/") && !back.hasPrefix("//") ? back : "/")
        }
    }
}
