import Foundation
import SSCardDriver

/// Where the stock, the reservations and the ledger live (station.json `storage`,
/// docs/configuration.md and docs/outlet.md). `sqlite`, the default, keeps them in the desk's
/// own database file; `postgresql` shares them with the other desks of the outlet in one
/// PostgreSQL database (many outlets may share it: row-level security keeps each desk's role to
/// its outlet). The crash-recovery journal stays in the desk's SQLite file either way: it must
/// work when the network does not.
public struct StorageSetting: Codable, Hashable, Sendable {
    public enum Kind: String, Codable, Hashable, Sendable { case sqlite, postgresql }

    public var kind: Kind
    /// `postgresql://role[:password]@host[:port]/database[?sslmode=…&sslrootcert=…]`; the password
    /// may instead come from `SSCARD_PG_PASSWORD` (better: it keeps the secret out of station.json).
    public var url: String?
    /// The outlet (网点) code the desk belongs to.
    public var outlet: String?
    /// The desk's name within the outlet (which hopper stock is whose, who did what).
    public var desk: String?

    public init(kind: Kind = .sqlite, url: String? = nil, outlet: String? = nil, desk: String? = nil) {
        self.kind = kind; self.url = url; self.outlet = outlet; self.desk = desk
    }

    /// Outlet and desk names: 1–32 letters, digits, `-` or `_`.
    public static func isValidName(_ s: String) -> Bool {
        (1...32).contains(s.count) && s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }

    func validate() throws(ConfigurationError) {
        guard kind == .postgresql else { return }
        guard let url, url.hasPrefix("postgresql://") || url.hasPrefix("postgres://") else {
            throw .invalid(path: "storage.url", reason: "a postgresql storage needs url postgresql://role@host:port/database")
        }
        // libpq's names (docs/outlet.md, TLS): a typo must not pass for a setting.
        if let mode = URLComponents(string: url)?.queryItems?.first(where: { $0.name == "sslmode" })?.value,
           !["disable", "require", "verify-ca", "verify-full"].contains(mode) {
            throw .invalid(path: "storage.url", reason: "sslmode=\(mode) is none of disable, require, verify-ca, verify-full")
        }
        for (key, value) in [("storage.outlet", outlet), ("storage.desk", desk)] {
            guard let value, Self.isValidName(value) else {
                throw .invalid(path: key, reason: "\"\(value ?? "")\" is not 1–32 letters, digits, - or _")
            }
        }
    }
}
