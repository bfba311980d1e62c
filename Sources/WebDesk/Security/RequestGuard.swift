/// The checks every state-changing request passes before its handler runs: the `Host` is the
/// desk's own (a DNS-rebinding page carries its own host), the `Origin` is the desk's own (a page
/// of another site cannot post to the desk, even from the clerk's browser), and the form's CSRF
/// token is the session's. Any failure is 403 and nothing changes.
struct RequestGuard: Sendable {
    /// `host:port` names the desk answers to.
    let ownHosts: Set<String>

    init(host: String, port: Int) {
        var hosts: Set<String> = ["\(host.lowercased()):\(port)"]
        if host == "127.0.0.1" || host == "localhost" || host == "::1" {
            hosts.formUnion(["127.0.0.1:\(port)", "localhost:\(port)", "[::1]:\(port)"])
        }
        ownHosts = hosts
    }

    /// Why a POST is refused, or nil.
    func refusal(host: String?, origin: String?, formToken: String?, session: DeskSession?) -> String? {
        guard let host, ownHosts.contains(host.lowercased()) else { return "Host \(host ?? "-") is not this desk" }
        guard let origin else { return "no Origin header" }
        guard let originHost = Self.hostOfOrigin(origin), ownHosts.contains(originHost) else {
            return "origin \(origin) is not this desk"
        }
        guard let session else { return "no session" }
        guard let formToken, Self.constantTimeEqual(formToken, session.csrf) else { return "CSRF token missing or wrong" }
        return nil
    }

    /// `http://127.0.0.1:8740` → `127.0.0.1:8740`; nil for anything but an http origin.
    static func hostOfOrigin(_ origin: String) -> String? {
        let o = origin.lowercased()
        guard o.hasPrefix("http://") else { return nil }
        let rest = o.dropFirst(7)
        guard !rest.isEmpty, !rest.contains("/") else { return nil }
        return rest.contains(":") && !rest.hasSuffix("]") ? String(rest) : String(rest) + ":80"
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var d: UInt8 = 0
        for i in x.indices { d |= x[i] ^ y[i] }
        return d == 0
    }
}
