import Foundation
import PostgresNIO

/// A `postgresql://role[:password]@host[:port]/database` URL as a connection configuration.
/// The password may come from `SSCARD_PG_PASSWORD` instead of the URL (kept out of station.json);
/// it is never logged. `?host=/path` connects through the unix socket folder `/path` instead
/// of TCP, as libpq does.
public struct PostgresLocation: Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var role: String
    public var database: String
    var password: String?
    var socketFolder: String?

    public init(url text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        guard let url = URLComponents(string: text), ["postgresql", "postgres"].contains(url.scheme ?? ""),
              let role = url.user, !role.isEmpty else {
            throw OutletStorageError.badURL(text.replacingOccurrences(of: #":[^:@/]*@"#, with: ":***@", options: .regularExpression))
        }
        self.role = role
        host = url.host ?? "127.0.0.1"
        port = url.port ?? 5432
        guard (1...65535).contains(port) else { throw OutletStorageError.badURL("port \(port)") }
        database = String(url.path.drop(while: { $0 == "/" }))
        if database.isEmpty { database = role }
        password = url.password ?? environment["SSCARD_PG_PASSWORD"]
        socketFolder = url.queryItems?.first(where: { $0.name == "host" })?.value.flatMap { $0.hasPrefix("/") ? $0 : nil }
    }

    /// The same server and database as another role (the password from the environment).
    public func with(role: String, password: String? = nil) -> PostgresLocation {
        var copy = self
        copy.role = role
        copy.password = password
        return copy
    }

    var configuration: PostgresConnection.Configuration {
        var c: PostgresConnection.Configuration
        if let socketFolder {
            c = .init(unixSocketPath: "\(socketFolder)/.s.PGSQL.\(port)", username: role, password: password, database: database)
        } else {
            c = .init(host: host, port: port, username: role, password: password, database: database, tls: .disable)
        }
        c.options.connectTimeout = .seconds(5)
        return c
    }

    /// Without the password.
    public var description: String { "postgresql://\(role)@\(socketFolder ?? host):\(port)/\(database)" }
}
