import Foundation
import InstantIssue
import Synchronization

/// One browser's session: a random token in an HttpOnly, SameSite=Strict cookie, its CSRF token
/// (put in every form the desk serves and checked on every POST) and, once signed in, the clerk.
struct DeskSession: Sendable, Hashable {
    var token: String
    var csrf: String
    var clerk: String?
    var role: ClerkRole?
    var language: DeskLanguage
    var lastSeen: Date
}

/// The sessions of this server process, in memory: a restart signs everyone out, which is what
/// a desk expects of its station program.
final class SessionStore: Sendable {
    static let cookieName = "sscard_desk"
    /// A session nobody used for this long is gone.
    let idleLimit: TimeInterval
    private let sessions = Mutex<[String: DeskSession]>([:])

    init(idleLimit: TimeInterval = 8 * 3600) { self.idleLimit = idleLimit }

    /// The live session for a cookie value, touched; nil when unknown or idle too long.
    func session(_ token: String?) -> DeskSession? {
        guard let token else { return nil }
        let now = Date()
        return sessions.withLock { all in
            guard var s = all[token] else { return nil }
            guard now.timeIntervalSince(s.lastSeen) < idleLimit else { all[token] = nil; return nil }
            s.lastSeen = now
            all[token] = s
            return s
        }
    }

    /// A new anonymous session (for the sign-in form's CSRF token).
    func open(language: DeskLanguage) -> DeskSession {
        let s = DeskSession(token: Self.randomToken(), csrf: Self.randomToken(), clerk: nil, role: nil, language: language, lastSeen: Date())
        sessions.withLock { $0[s.token] = s }
        return s
    }

    /// Signs a clerk in: the old session is dropped and a new token issued, so a token planted
    /// before sign-in is worth nothing after it.
    func signIn(replacing old: String?, clerk: String, role: ClerkRole, language: DeskLanguage) -> DeskSession {
        let s = DeskSession(token: Self.randomToken(), csrf: Self.randomToken(), clerk: clerk, role: role, language: language, lastSeen: Date())
        sessions.withLock { all in
            if let old { all[old] = nil }
            all[s.token] = s
        }
        return s
    }

    func close(_ token: String) { sessions.withLock { $0[token] = nil } }

    func setLanguage(_ language: DeskLanguage, for token: String) {
        sessions.withLock { $0[token]?.language = language }
    }

    /// 32 random bytes as hex (the system's CSPRNG: getrandom(2)).
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<4).map { _ in String(generator.next() as UInt64, radix: 16).leftPadded(16) }.joined()
    }
}

extension String {
    /// Zeros in front up to `width` characters.
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}
