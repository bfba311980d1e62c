import Foundation
import Logging
import PostgresNIO

/// A `postgresql://role[:password]@host[:port]/database[?sslmode=…]` URL as a connection
/// configuration. `?host=/path` connects through the unix socket folder `/path` instead of TCP,
/// as libpq does.
///
/// The password: better from `SSCARD_PG_PASSWORD` than in the URL (it stays out of
/// station.json). It is read from the environment each time a connection is made, not kept in
/// this value; a password written in the URL is kept as the URL is. Neither is ever logged.
/// What cannot be wiped: PostgresNIO takes the password as a Swift `String` (immutable, copied
/// freely, never zeroed) and keeps it in the connection's configuration while the connection
/// lives; the environment variable itself stays in the process for reconnections.
///
/// TLS (`sslmode`, as libpq names it, docs/outlet.md): `disable`, `require` (encrypted, the
/// server's certificate not checked), `verify-ca` (signed by `sslrootcert`), `verify-full`
/// (signed by `sslrootcert` and naming the host). Without `sslmode`: `disable` for a unix socket
/// or a loopback host, `verify-full` for any other host (a desk's traffic crosses the outlet's
/// network: the password and every card's data). `sslrootcert=/path` is a PEM file of the
/// certificate authority; without it, the system's trusted roots.
public struct PostgresLocation: Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var role: String
    public var database: String
    public private(set) var tls: TLSMode
    public private(set) var rootCertificate: String?
    /// A password written in the URL; nil when it comes from the environment at connection time.
    var urlPassword: String?
    var socketFolder: String?
    /// Where the password comes from when there is none in the URL (tests pass their own).
    var environmentPassword: @Sendable () -> String? = { PostgresLocation.passwordFromEnvironment() }

    /// libpq's `sslmode` values this station knows.
    public enum TLSMode: String, Sendable, CaseIterable {
        case disable, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    public static let passwordVariable = "SSCARD_PG_PASSWORD"

    public init(url text: String) throws {
        try self.init(url: text, environmentPassword: { PostgresLocation.passwordFromEnvironment() })
    }

    /// `environmentPassword` is asked at each connection (the real one reads `SSCARD_PG_PASSWORD`).
    init(url text: String, environmentPassword: @escaping @Sendable () -> String?) throws {
        guard let url = URLComponents(string: text), ["postgresql", "postgres"].contains(url.scheme ?? ""),
              let role = url.user, !role.isEmpty else {
            throw OutletStorageError.badURL(Self.redacted(text))
        }
        self.role = role
        host = url.host ?? "127.0.0.1"
        port = url.port ?? 5432
        guard (1...65535).contains(port) else { throw OutletStorageError.badURL("port \(port)") }
        database = String(url.path.drop(while: { $0 == "/" }))
        if database.isEmpty { database = role }
        urlPassword = url.password
        self.environmentPassword = environmentPassword
        let items = url.queryItems ?? []
        socketFolder = items.first(where: { $0.name == "host" })?.value.flatMap { $0.hasPrefix("/") ? $0 : nil }
        let local = socketFolder != nil || Self.isLoopback(host)
        if let mode = items.first(where: { $0.name == "sslmode" })?.value {
            guard let known = TLSMode(rawValue: mode) else { throw OutletStorageError.badTLSMode(mode) }
            tls = known
        } else {
            tls = local ? .disable : .verifyFull
        }
        rootCertificate = items.first(where: { $0.name == "sslrootcert" })?.value
        if let rootCertificate, !rootCertificate.hasPrefix("/") { throw OutletStorageError.badRootCertificate(rootCertificate) }
        if socketFolder != nil, tls != .disable { throw OutletStorageError.tlsOverUnixSocket }
    }

    /// The same server and database as another role (the password from the environment unless given).
    public func with(role: String, password: String? = nil) -> PostgresLocation {
        var copy = self
        copy.role = role
        copy.urlPassword = password
        return copy
    }

    /// A new connection; a TLS failure (the server offers none, a certificate not trusted) is
    /// `OutletStorageError.tlsFailed` at once: waiting and trying again would not change it.
    func connect(id: Int, logger: Logger) async throws -> PostgresConnection {
        do {
            return try await PostgresConnection.connect(configuration: try configuration(), id: id, logger: logger)
        } catch let error as OutletStorageError {
            throw error
        } catch {
            if let reason = OutletStorageError.tlsProblem(error) {
                throw OutletStorageError.tlsFailed(location: description, reason: reason)
            }
            throw error
        }
    }

    /// The configuration of one connection, the password read now (`SSCARD_PG_PASSWORD`).
    func configuration() throws -> PostgresConnection.Configuration {
        let password = urlPassword ?? environmentPassword()
        var c: PostgresConnection.Configuration
        if let socketFolder {
            c = .init(unixSocketPath: "\(socketFolder)/.s.PGSQL.\(port)", username: role, password: password, database: database)
        } else {
            c = .init(host: host, port: port, username: role, password: password, database: database, tls: try tlsSetting())
        }
        c.options.connectTimeout = .seconds(5)
        return c
    }

    func tlsSetting() throws -> PostgresConnection.Configuration.TLS {
        var t = TLSConfiguration.makeClientConfiguration()
        switch tls {
        case .disable: return .disable
        case .require: t.certificateVerification = .none
        case .verifyCA: t.certificateVerification = .noHostnameVerification
        case .verifyFull: t.certificateVerification = .fullVerification
        }
        if let rootCertificate, tls != .require {
            guard FileManager.default.isReadableFile(atPath: rootCertificate) else {
                throw OutletStorageError.badRootCertificate(rootCertificate)
            }
            t.trustRoots = .file(rootCertificate)
        }
        do {
            return .require(try NIOSSLContext(configuration: t))
        } catch {
            throw OutletStorageError.tlsFailed(location: description, reason: String(describing: error))
        }
    }

    /// `SSCARD_PG_PASSWORD`, read now (an empty value counts as none).
    static func passwordFromEnvironment() -> String? {
        guard let value = getenv(passwordVariable) else { return nil }
        let text = String(cString: value)
        return text.isEmpty ? nil : text
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
    }

    static func redacted(_ text: String) -> String {
        text.replacingOccurrences(of: #":[^:@/]*@"#, with: ":***@", options: .regularExpression)
    }

    /// Without the password.
    public var description: String { "postgresql://\(role)@\(socketFolder ?? host):\(port)/\(database)?sslmode=\(tls.rawValue)" }
}
