import Foundation
import HTTPTypes
import Hummingbird
import InstantIssue

/// Where pages register their routes. `page` and `action` routes are for a signed-in clerk of
/// the role given (others are sent to sign in, or refused 403); every `action` (POST) is
/// refused 403 before its handler runs unless its Host and Origin are the desk's own and its
/// form carries the session's CSRF token (`RequestGuard`).
struct DeskRoutes {
    let desk: WebDesk
    let router: Router<BasicRequestContext>
    /// The largest form a POST may send.
    static let formLimit = 1 << 20

    typealias Handler = @Sendable (DeskRequest) async throws -> DeskResponse

    /// A GET for a signed-in clerk.
    func page(_ path: RouterPath, role: ClerkRole = .clerk, _ handler: @escaping Handler) {
        let desk = desk
        router.get(path) { request, context in
            let session = desk.sessions.session(request.cookies[SessionStore.cookieName]?.value)
            guard let session, session.clerk != nil else { return DeskResponse.redirect("/signin").response }
            guard Self.allows(session.role, role) else { return DeskResponse.text("403 administrators only", status: .forbidden).response }
            return try await handler(Self.deskRequest(desk, request, context, session: session, form: [:])).response
        }
    }

    /// A POST for a signed-in clerk, after the Host, Origin and CSRF checks.
    func action(_ path: RouterPath, role: ClerkRole = .clerk, _ handler: @escaping Handler) {
        let desk = desk
        router.post(path) { request, context in
            let session = desk.sessions.session(request.cookies[SessionStore.cookieName]?.value)
            let form = try await Self.form(request)
            if let refusal = desk.requestGuard.refusal(host: request.head.authority, origin: request.headers[.origin],
                                                       formToken: form["csrf"]?.first, session: session) {
                return DeskResponse.text("403 \(refusal)", status: .forbidden).response
            }
            guard let session, session.clerk != nil else { return DeskResponse.redirect("/signin").response }
            guard Self.allows(session.role, role) else { return DeskResponse.text("403 administrators only", status: .forbidden).response }
            return try await handler(Self.deskRequest(desk, request, context, session: session, form: form)).response
        }
    }

    /// A GET anyone may load (the sign-in page, the assets).
    func open(_ path: RouterPath, _ handler: @escaping Handler) {
        let desk = desk
        router.get(path) { request, context in
            let session = desk.sessions.session(request.cookies[SessionStore.cookieName]?.value)
            return try await handler(Self.deskRequest(desk, request, context, session: session, form: [:])).response
        }
    }

    /// A POST before sign-in (the sign-in form): Host, Origin and the anonymous session's CSRF
    /// token are checked as for `action`.
    func openAction(_ path: RouterPath, _ handler: @escaping Handler) {
        let desk = desk
        router.post(path) { request, context in
            let session = desk.sessions.session(request.cookies[SessionStore.cookieName]?.value)
            let form = try await Self.form(request)
            if let refusal = desk.requestGuard.refusal(host: request.head.authority, origin: request.headers[.origin],
                                                       formToken: form["csrf"]?.first, session: session) {
                return DeskResponse.text("403 \(refusal)", status: .forbidden).response
            }
            return try await handler(Self.deskRequest(desk, request, context, session: session, form: form)).response
        }
    }

    private static func deskRequest(_ desk: WebDesk, _ request: Request, _ context: BasicRequestContext, session: DeskSession?,
                             form: [String: [String]]) -> DeskRequest {
        DeskRequest(desk: desk, session: session, query: DeskRequest.parseForm((request.uri.query ?? "")[...]),
                    form: form, parameters: context.parameters, path: request.uri.path)
    }

    static func allows(_ have: ClerkRole?, _ need: ClerkRole) -> Bool {
        need == .clerk || have == .administrator
    }

    static func form(_ request: Request) async throws -> [String: [String]] {
        let body = try await request.body.collect(upTo: formLimit)
        return DeskRequest.parseForm(String(decoding: body.readableBytesView, as: UTF8.self)[...])
    }
}
