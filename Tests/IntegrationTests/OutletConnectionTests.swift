import Foundation
import OutletStorage
import SimulatedDesk
import XCTest

/// The connection to the outlet's PostgreSQL: `sslmode` and `sslrootcert` in the storage URL
/// (libpq's names), checked against a real server without TLS and one with a self-signed
/// certificate made by the openssl command; and where the password is kept.
final class OutletConnectionTests: XCTestCase {
    func testSSLModeDefaultsToDisableOnlyOnThisMachine() throws {
        XCTAssertEqual(try PostgresLocation(url: "postgresql://desk1@127.0.0.1:5432/sscard").tls, .disable)
        XCTAssertEqual(try PostgresLocation(url: "postgresql://desk1@localhost/sscard").tls, .disable)
        XCTAssertEqual(try PostgresLocation(url: "postgresql://desk1@[::1]/sscard").tls, .disable)
        XCTAssertEqual(try PostgresLocation(url: "postgresql://desk1@x/sscard?host=/run/postgresql").tls, .disable)
        XCTAssertEqual(try PostgresLocation(url: "postgresql://desk1@db.outlet.example/sscard").tls, .verifyFull)
        XCTAssertEqual(try PostgresLocation(url: "postgresql://desk1@10.1.2.3/sscard").tls, .verifyFull)
        let chosen = try PostgresLocation(url: "postgresql://desk1@10.1.2.3/sscard?sslmode=verify-full&sslrootcert=/etc/sscard/ca.pem")
        XCTAssertEqual(chosen.tls, .verifyFull)
        XCTAssertEqual(chosen.rootCertificate, "/etc/sscard/ca.pem")
        XCTAssertEqual(try PostgresLocation(url: "postgresql://desk1@10.1.2.3/sscard?sslmode=disable").tls, .disable)
        XCTAssertEqual(try PostgresLocation(url: "postgresql://desk1@127.0.0.1/sscard?sslmode=require").tls, .require)
    }

    func testABadSSLModeIsAClearErrorInBothLanguages() {
        XCTAssertThrowsError(try PostgresLocation(url: "postgresql://desk1@db.example/sscard?sslmode=prefer")) { error in
            guard case OutletStorageError.badTLSMode("prefer") = error else { return XCTFail("\(error)") }
            let text = "\(error)"
            XCTAssertTrue(text.contains("sslmode=prefer无效") && text.contains("bad sslmode=prefer"), text)
            XCTAssertTrue(text.contains("verify-full"), text)
        }
        XCTAssertThrowsError(try PostgresLocation(url: "postgresql://desk1@db.example/sscard?sslmode=verify-full&sslrootcert=ca.pem")) {
            guard case OutletStorageError.badRootCertificate("ca.pem") = $0 else { return XCTFail("\($0)") }
        }
        XCTAssertThrowsError(try PostgresLocation(url: "postgresql://desk1@x/sscard?host=/run/postgresql&sslmode=require")) {
            guard case OutletStorageError.tlsOverUnixSocket = $0 else { return XCTFail("\($0)") }
        }
    }

    func testThePasswordFromTheEnvironmentIsNotKeptInTheLocation() throws {
        let secret = "s3cret-\(UUID().uuidString)"
        setenv("SSCARD_PG_PASSWORD", secret, 1)
        defer { unsetenv("SSCARD_PG_PASSWORD") }
        let location = try PostgresLocation(url: "postgresql://desk1@db.example:5433/sscard")
        XCTAssertFalse(Self.strings(in: location).contains(secret), "the password was stored in the location")
        XCTAssertFalse(location.description.contains(secret))
        // One written in the URL is kept as the URL is, and never shown.
        let inURL = try PostgresLocation(url: "postgresql://desk1:\(secret)@db.example/sscard")
        XCTAssertFalse(inURL.description.contains(secret))
        XCTAssertThrowsError(try PostgresLocation(url: "mysql://desk1:\(secret)@db.example/sscard")) {
            XCTAssertFalse("\($0)".contains(secret), "\($0)")
        }
    }

    /// Every String reachable in `value`'s stored properties.
    static func strings(in value: Any) -> [String] {
        Mirror(reflecting: value).children.flatMap { child -> [String] in
            if let s = child.value as? String { return [s] }
            return strings(in: child.value)
        }
    }

    func testRequireAgainstAServerWithoutTLSFailsAtOnceWithAClearMessage() async throws {
        guard ThrowawayPostgres.findBinaries() != nil else { throw XCTSkip("PostgreSQL server binaries missing") }
        let server = try ThrowawayPostgres()
        defer { server.stop() }
        let plain = OutletAdministration(location: try PostgresLocation(url: server.url()))
        _ = try await plain.appliedVersions()
        let started = ContinuousClock.now
        do {
            _ = try await OutletAdministration(location: try PostgresLocation(url: server.url() + "?sslmode=require")).appliedVersions()
            XCTFail("sslmode=require connected to a server without TLS")
        } catch let error as OutletStorageError {
            guard case .tlsFailed = error else { return XCTFail("\(error)") }
            XCTAssertTrue(error.description.contains("加密连接") && error.description.contains("does not offer TLS"), error.description)
        }
        // A desk's books do not wait out the reconnection window for it either.
        do {
            _ = try await PostgresOutletBooks.open(location: try PostgresLocation(url: server.url() + "?sslmode=require"),
                                                   outlet: "GZ01", desk: "desk1", reconnectWindow: .seconds(20))
            XCTFail("the books opened without TLS")
        } catch OutletStorageError.tlsFailed {}
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(15), "a TLS refusal is not retried as a lost connection")
    }

    func testVerifyFullAcceptsTheServersOwnCertificateAndRefusesAnother() async throws {
        guard ThrowawayPostgres.findBinaries() != nil else { throw XCTSkip("PostgreSQL server binaries missing") }
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl") else { throw XCTSkip("openssl missing") }
        let server = try ThrowawayPostgres()
        defer { server.stop() }
        let folder = server.folder.path
        // The server's certificate, self-signed for 127.0.0.1, and another that signed nothing here.
        for name in ["server", "other"] {
            try ThrowawayPostgres.run("/usr/bin/openssl", [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                "-keyout", "\(folder)/\(name).key", "-out", "\(folder)/\(name).crt"])
        }
        if getuid() == 0 { try ThrowawayPostgres.run("/bin/chown", ["nobody:nogroup", "\(folder)/server.key", "\(folder)/server.crt"]) }
        chmod("\(folder)/server.key", 0o600)
        try server.psql("ALTER SYSTEM SET ssl_cert_file = '\(folder)/server.crt'")
        try server.psql("ALTER SYSTEM SET ssl_key_file = '\(folder)/server.key'")
        try server.psql("ALTER SYSTEM SET ssl = on")
        // Loopback logins only over TLS from now on: a connection that works is an encrypted one.
        try Data("local all all trust\nhostssl all all 127.0.0.1/32 trust\n".utf8)
            .write(to: server.folder.appendingPathComponent("data/pg_hba.conf"))
        XCTAssertEqual(try server.psql("SELECT pg_reload_conf()"), "t")
        try await Task.sleep(for: .milliseconds(500))
        do {
            _ = try await OutletAdministration(location: try PostgresLocation(url: server.url() + "?sslmode=disable")).appliedVersions()
            XCTFail("the server admitted a login without TLS")
        } catch {}

        let trusted = try PostgresLocation(url: server.url() + "?sslmode=verify-full&sslrootcert=\(folder)/server.crt")
        let versions = try await OutletAdministration(location: trusted).appliedVersions()
        XCTAssertEqual(versions, [])
        // require encrypts without asking who signed the certificate.
        let required = try PostgresLocation(url: server.url() + "?sslmode=require")
        _ = try await OutletAdministration(location: required).appliedVersions()

        let wrongRoot = try PostgresLocation(url: server.url() + "?sslmode=verify-full&sslrootcert=\(folder)/other.crt")
        do {
            _ = try await OutletAdministration(location: wrongRoot).appliedVersions()
            XCTFail("verify-full accepted a certificate the given root did not sign")
        } catch OutletStorageError.tlsFailed(_, let reason) {
            XCTAssertFalse(reason.isEmpty)
        }
        // The system's roots do not know a self-signed certificate either.
        let systemRoots = try PostgresLocation(url: server.url() + "?sslmode=verify-full")
        do {
            _ = try await OutletAdministration(location: systemRoots).appliedVersions()
            XCTFail("verify-full accepted a self-signed certificate without its root")
        } catch OutletStorageError.tlsFailed {}
    }
}
