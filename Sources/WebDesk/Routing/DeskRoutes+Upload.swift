import Foundation
import HTTPTypes
import Hummingbird
import InstantIssue

extension DeskRoutes {
    /// A POST whose body is a file, streamed to the handler rather than collected: the CSRF token
    /// comes in the `X-CSRF-Token` header (the body is the file), and Host, Origin, token,
    /// sign-in and role are checked as for `action` before a byte of the body is read.
    func upload(_ path: RouterPath, role: ClerkRole = .clerk,
                _ handler: @escaping @Sendable (DeskRequest, Request) async throws -> DeskResponse) {
        let desk = desk
        router.post(path) { request, context in
            let session = desk.sessions.session(request.cookies[SessionStore.cookieName]?.value)
            if let refusal = desk.requestGuard.refusal(host: request.head.authority, origin: request.headers[.origin],
                                                       formToken: request.headers[Self.csrfHeader], session: session) {
                return DeskResponse.text("403 \(refusal)", status: .forbidden).response
            }
            guard let session, session.clerk != nil else { return DeskResponse.text("403 not signed in", status: .forbidden).response }
            guard Self.allows(session.role, role) else { return DeskResponse.text("403 administrators only", status: .forbidden).response }
            let deskRequest = DeskRequest(desk: desk, session: session, query: DeskRequest.parseForm((request.uri.query ?? "")[...]),
                                          form: [:], parameters: context.parameters, path: request.uri.path)
            return try await handler(deskRequest, request).response
        }
    }

    static let csrfHeader = HTTPField.Name("X-CSRF-Token")!
}
