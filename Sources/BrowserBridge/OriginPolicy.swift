/// Who may open the bridge, checked at the WebSocket handshake (a refusal is HTTP 403 and no
/// connection): the `Origin` a browser puts on every WebSocket request must be on the list, the
/// `Host` must be the bridge's own loopback name (a DNS-rebinding page carries its own host),
/// and a site given a token must send it (`?token=` on the URL).
///
/// With no origin configured only the desk's own pages are allowed: the bridge's own origin
/// (`http://127.0.0.1:<port>`, `http://localhost:<port>`), which serves /sscard.js and the
/// example page.
public struct OriginPolicy: Sendable, Hashable {
    /// Allowed origins, normalised (`scheme://host[:port]`, lower case, no trailing slash).
    public var allowedOrigins: Set<String>
    /// Per-site tokens: an origin listed here must also present its token.
    public var tokens: [String: String]

    public init(allowedOrigins: [String] = [], tokens: [String: String] = [:]) {
        self.allowedOrigins = Set(allowedOrigins.map(Self.normalised))
        self.tokens = Dictionary(tokens.map { (Self.normalised($0.key), $0.value) }, uniquingKeysWith: { $1 })
    }

    /// The desk's own origins for a bridge on `port`.
    public static func deskOrigins(port: Int) -> Set<String> {
        ["http://127.0.0.1:\(port)", "http://localhost:\(port)"]
    }

    /// Why a handshake is refused, or nil to let it through.
    public func refusal(origin: String?, host: String?, token: String?, port: Int) -> String? {
        guard let host, Self.isOwnHost(host, port: port) else {
            return "Host \(host ?? "(none)") is not this bridge (127.0.0.1:\(port) or localhost:\(port))"
        }
        guard let origin else { return "no Origin header: only a browser page on an allowed origin may connect" }
        let o = Self.normalised(origin)
        let allowed = allowedOrigins.isEmpty ? Self.deskOrigins(port: port) : allowedOrigins.union(Self.deskOrigins(port: port))
        guard allowed.contains(o) else { return "origin \(o) is not allowed (--allow-origin)" }
        if let expected = tokens[o] {
            guard let token, Self.constantTimeEqual(token, expected) else { return "origin \(o) must present its token" }
        }
        return nil
    }

    /// `Origin` as browsers send it is already `scheme://host[:port]`; this also drops a
    /// trailing slash and the default port, and lower-cases it, so configuration may be loose.
    public static func normalised(_ origin: String) -> String {
        var o = origin.trimmingCharacters(in: .whitespaces).lowercased()
        while o.hasSuffix("/") { o.removeLast() }
        if o.hasPrefix("http://"), o.hasSuffix(":80") { o.removeLast(3) }
        if o.hasPrefix("https://"), o.hasSuffix(":443") { o.removeLast(4) }
        return o
    }

    static func isOwnHost(_ host: String, port: Int) -> Bool {
        let h = host.lowercased()
        return h == "127.0.0.1:\(port)" || h == "localhost:\(port)" || h == "[::1]:\(port)"
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in x.indices { diff |= x[i] ^ y[i] }
        return diff == 0
    }
}

import Foundation
