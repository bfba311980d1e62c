import Foundation
import InstantIssue
import Logging
import PostgresNIO

/// What the owner of the database does (`issue-station storage …`): migrate the schema, add an
/// outlet and its desk roles, and read the city's stock across outlets. Connects as the role
/// that owns the tables, or for `cityStock` as any member of `sscard_city`.
public struct OutletAdministration: Sendable {
    public let location: PostgresLocation
    let logger: Logger

    public init(location: PostgresLocation, logger: Logger = Logger(label: "sscard.outlet.admin")) {
        self.location = location; self.logger = logger
    }

    func withConnection<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        let c = try await location.connect(id: 1, logger: logger)
        do {
            let value = try await body(c)
            try? await c.close()
            return value
        } catch {
            try? await c.close()
            throw OutletStorageError.wrap(error)
        }
    }

    /// Applies the missing migrations; returns the versions applied now.
    public func migrate(upTo version: Int = OutletSchema.latest) async throws -> [Int] {
        try await withConnection { try await OutletSchema.migrate($0, upTo: version, logger: logger) }
    }

    public func appliedVersions() async throws -> [Int] {
        try await withConnection { try await OutletSchema.appliedVersions($0, logger: logger) }
    }

    /// Adds the outlet (if new) and a login role for each desk, a member of `sscard_desk` that
    /// sees only this outlet's rows. `password` nil: no password is set (peer or trust login,
    /// tests and single-host outlets); otherwise SCRAM as the server is configured.
    public func addOutlet(_ code: String, name: String = "", deskRoles: [String], password: String? = nil) async throws {
        guard StorageSetting.isValidName(code) else { throw OutletStorageError.badURL("outlet \(code)") }
        try await withConnection { c in
            try await c.query("INSERT INTO outlet (code, name) VALUES (\(code), \(name)) ON CONFLICT (code) DO NOTHING", logger: logger)
            // Its partition of the cards (schema version 4; older books have none to make).
            var partitioned = false
            for try await (p) in try await c.query("SELECT to_regprocedure('sscard_outlet_partition(text)') IS NOT NULL", logger: logger)
                .decode(Bool.self) { partitioned = p }
            if partitioned { try await c.query("SELECT sscard_outlet_partition(\(code))", logger: logger) }
            for role in deskRoles {
                guard StorageSetting.isValidName(role), role.first?.isLetter == true else {
                    throw OutletStorageError.badURL("role \(role)")
                }
                // Role names cannot be bound parameters; `isValidName` keeps them to [A-Za-z0-9_-].
                let quoted = "\"\(role)\""
                var exists = false
                for try await (e) in try await c.query("SELECT EXISTS (SELECT FROM pg_roles WHERE rolname = \(role))", logger: logger)
                    .decode(Bool.self) { exists = e }
                if !exists { try await c.query(PostgresQuery(unsafeSQL: "CREATE ROLE \(quoted) LOGIN"), logger: logger) }
                try await c.query(PostgresQuery(unsafeSQL: "GRANT sscard_desk TO \(quoted)"), logger: logger)
                if let password {
                    // Sent as a literal (ALTER ROLE takes no parameters); never logged.
                    let literal = "'" + password.replacingOccurrences(of: "'", with: "''") + "'"
                    try await c.query(PostgresQuery(unsafeSQL: "ALTER ROLE \(quoted) PASSWORD \(literal)"), logger: Logger(label: "quiet"))
                }
                try await c.query("""
                    INSERT INTO outlet_member (role_name, outlet) VALUES (\(role), \(code))
                    ON CONFLICT (role_name) DO UPDATE SET outlet = EXCLUDED.outlet
                    """, logger: logger)
            }
        }
    }

    /// Adds a login role for the card authority that reads every outlet (`sscard_city`).
    public func addCityReader(_ role: String) async throws {
        guard StorageSetting.isValidName(role), role.first?.isLetter == true else { throw OutletStorageError.badURL("role \(role)") }
        try await withConnection { c in
            var exists = false
            for try await (e) in try await c.query("SELECT EXISTS (SELECT FROM pg_roles WHERE rolname = \(role))", logger: logger)
                .decode(Bool.self) { exists = e }
            if !exists { try await c.query(PostgresQuery(unsafeSQL: "CREATE ROLE \"\(role)\" LOGIN"), logger: logger) }
            try await c.query(PostgresQuery(unsafeSQL: "GRANT sscard_city TO \"\(role)\""), logger: logger)
        }
    }

    /// The city stock report: per outlet, bank and state, what the connected role may see
    /// (every outlet for the owner and `sscard_city`, its own outlet for a desk role).
    public func cityStock() async throws -> CityStockReport {
        try await withConnection { c in
            var rows: [CityStockReport.Row] = []
            for try await (o, b, s, n) in try await c.query("""
                SELECT outlet, bank, state, count(*)::bigint FROM pre_made_card GROUP BY outlet, bank, state ORDER BY 1, 2, 3
                """, logger: logger).decode((String, String, String, Int).self) {
                rows.append(.init(outlet: o, bank: b, state: PreMadeCardState.Kind(rawValue: s) ?? .inStock, count: n))
            }
            return CityStockReport(rows: rows)
        }
    }
}

/// Cards per outlet, bank and state across the city (for the card authority, 卡管机构).
public struct CityStockReport: Hashable, Sendable, CustomStringConvertible {
    public struct Row: Hashable, Sendable {
        public var outlet: String, bank: String, state: PreMadeCardState.Kind, count: Int
    }
    public var rows: [Row]
    public var outlets: [String] { Array(Set(rows.map(\.outlet))).sorted() }

    public func total(outlet: String? = nil, state: PreMadeCardState.Kind? = nil) -> Int {
        rows.filter { (outlet == nil || $0.outlet == outlet) && (state == nil || $0.state == state) }.map(\.count).reduce(0, +)
    }

    public var description: String {
        let kinds = PreMadeCardState.Kind.allCases
        var lines = ["全市预制卡库存 City pre-made card stock", "网点 outlet\t银行 bank\t" + kinds.map(\.chinese).joined(separator: "\t")]
        let keys = Set(rows.map { "\($0.outlet)\t\($0.bank)" }).sorted()
        for key in keys {
            let parts = key.split(separator: "\t").map(String.init)
            let counts = kinds.map { k in rows.first { $0.outlet == parts[0] && $0.bank == parts[1] && $0.state == k }?.count ?? 0 }
            lines.append(key + "\t" + counts.map(String.init).joined(separator: "\t"))
        }
        lines.append("合计 total\t\t" + kinds.map { String(total(state: $0)) }.joined(separator: "\t"))
        return lines.joined(separator: "\n")
    }
}
