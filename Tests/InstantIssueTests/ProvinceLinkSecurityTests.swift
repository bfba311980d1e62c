import Foundation
import Glibc
import XCTest
import Sockets
import SSCardDriver
import SSCardSimulator
@testable import InstantIssue
@testable import CardManagement
@testable import ProvinceSimulator
import DeskAssembly

/// The province link as a province needs it (docs/province-api.md §4): every request signed by
/// a registered desk (HMAC-SM3 over method, target, body hash, timestamp, nonce and desk id),
/// refused with 401 otherwise; TLS with the server's certificate checked; plain HTTP only on
/// loopback.
final class ProvinceLinkSecurityTests: XCTestCase {
    override class func tearDown() {
        ProvinceLinkTestDesk.removeFiles()
        super.tearDown()
    }

    private func served() throws -> (ProvinceSimulatorServer, CardManagementHTTPClient, SimulatedCardManagementSystem) {
        let (server, client, sim) = try ProvinceHTTPTests.served()
        addTeardownBlock { server.stop() }
        return (server, client, sim)
    }

    private func exchange(_ server: ProvinceSimulatorServer, _ text: String) throws -> String {
        try ProvinceHTTPTests.exchange(server, text)
    }

    private func pkiSecretsBody() -> String {
        #"{"cardIdentificationCode":"411600D1560000050000000000000001"}"#
    }

    /// A status line and the JSON error body's code.
    private func assertRefused(_ answer: String, _ code: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(answer.hasPrefix("HTTP/1.1 401 "), answer, file: file, line: line)
        XCTAssertTrue(answer.contains("WWW-Authenticate: SSCARD-HMAC-SM3"), answer, file: file, line: line)
        XCTAssertTrue(answer.contains("\"code\":\"\(code)\""), answer, file: file, line: line)
    }

    // MARK: The signature

    func testHMACSM3MatchesOpenSSLsCommandLine() throws {
        // echo -n "The quick brown fox" | openssl dgst -sm3 -hmac key
        XCTAssertEqual(try SM3.hmac(key: Array("key".utf8), message: Array("The quick brown fox".utf8)).hexString,
                       "8D54716C0553990422AD09E63A7237386696A8952F64E546A4DEE3B89A931A35")
    }

    func testTheStringToSignIsTheDocumentedSevenLines() throws {
        let text = try ProvinceRequestSigning.stringToSign(method: "POST", target: "/v1/reports", body: [], timestamp: "1700000000",
                                                           nonce: "00112233445566778899AABBCCDDEEFF", deskID: "SSDESK000001")
        XCTAssertEqual(String(decoding: text, as: UTF8.self), """
            SSCARD-HMAC-SM3
            POST
            /v1/reports
            1AB21D8355CFA17F8E61194831E81A8F22BEC8C728FEFB747ED035EB5082AA2B
            1700000000
            00112233445566778899AABBCCDDEEFF
            SSDESK000001
            """)
    }

    // MARK: What the server refuses

    func testAnUnauthenticatedRequestForPKISecretsIs401() throws {
        let (server, _, sim) = try served()
        let body = pkiSecretsBody()
        let answer = try exchange(server, "POST /v1/hsm/pki-secrets HTTP/1.1\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)")
        assertRefused(answer, "UNAUTHENTICATED")
        XCTAssertFalse(answer.contains("masterCardKey"), answer)
        // Nor may an unsigned report move an application.
        let report = String(decoding: ProvinceAPI.encode(try CardManagementContract.report("u-1", "DEMO-0001", .inProduction, card: 1)), as: UTF8.self)
        assertRefused(try exchange(server, "POST /v1/reports HTTP/1.1\r\nContent-Length: \(report.utf8.count)\r\nConnection: close\r\n\r\n\(report)"),
                      "UNAUTHENTICATED")
        XCTAssertEqual(try sim.statusUnfaulted(applicationID: "DEMO-0001").state, .awaitingProduction, "nothing was carried out")
        // Half the headers is no signature either.
        let signed = try ProvinceLinkTestDesk.signedRequest(sim, "GET", "/v1/applications/DEMO-0001/status", headers: ["Connection: close"])
        let withoutNonce = signed.split(separator: "\r\n", omittingEmptySubsequences: false).filter { !$0.hasPrefix("X-Desk-Nonce") }
        assertRefused(try exchange(server, withoutNonce.joined(separator: "\r\n")), "UNAUTHENTICATED")
    }

    func testAWrongSignatureIs401() throws {
        let (server, _, sim) = try served()
        let report = String(decoding: ProvinceAPI.encode(try CardManagementContract.report("w-1", "DEMO-0001", .inProduction, card: 1)), as: UTF8.self)
        // Another secret under the desk's id.
        let impostor = try DeskCredential.generate(deskID: ProvinceLinkTestDesk.id)
        assertRefused(try exchange(server, ProvinceLinkTestDesk.signedRequest(sim, "POST", "/v1/reports", headers: ["Connection: close"],
                                                                              body: report, credential: impostor)), "BAD_CREDENTIAL")
        // A desk the province does not know.
        let stranger = try DeskCredential.generate(deskID: "SSDESK999999")
        assertRefused(try exchange(server, ProvinceLinkTestDesk.signedRequest(sim, "POST", "/v1/reports", headers: ["Connection: close"],
                                                                              body: report, credential: stranger)), "BAD_CREDENTIAL")
        // The right secret, another body than the one signed.
        let signedOther = report.replacingOccurrences(of: "w-1", with: "w-2")
        assertRefused(try exchange(server, ProvinceLinkTestDesk.signedRequest(sim, "POST", "/v1/reports", headers: ["Connection: close"],
                                                                              body: report, signedBody: signedOther)), "BAD_CREDENTIAL")
        // The signature of one path does not open another.
        let status = try ProvinceLinkTestDesk.signedRequest(sim, "GET", "/v1/applications/DEMO-0001/status", headers: ["Connection: close"])
        assertRefused(try exchange(server, status.replacingOccurrences(of: "DEMO-0001", with: "DEMO-0002")), "BAD_CREDENTIAL")
        XCTAssertEqual(try sim.statusUnfaulted(applicationID: "DEMO-0001").state, .awaitingProduction)
        // And the right one is served.
        let right = try exchange(server, ProvinceLinkTestDesk.signedRequest(sim, "POST", "/v1/reports", headers: ["Connection: close"], body: report))
        XCTAssertTrue(right.hasPrefix("HTTP/1.1 200 "), right)
    }

    func testAStaleTimestampIs401() throws {
        let (server, _, sim) = try served()
        let target = "/v1/applications/DEMO-0001/status"
        for offset in [-301.0, 301, -3600] {
            assertRefused(try exchange(server, ProvinceLinkTestDesk.signedRequest(sim, "GET", target, headers: ["Connection: close"],
                                                                                  timestamp: Date().addingTimeInterval(offset))), "STALE_REQUEST")
        }
        let skewed = try exchange(server, ProvinceLinkTestDesk.signedRequest(sim, "GET", target, headers: ["Connection: close"],
                                                                             timestamp: Date().addingTimeInterval(-290)))
        XCTAssertTrue(skewed.hasPrefix("HTTP/1.1 200 "), "within ±300 s: \(skewed)")
    }

    func testAReplayedNonceIs401() throws {
        let (server, _, sim) = try served()
        let report = String(decoding: ProvinceAPI.encode(try CardManagementContract.report("r-1", "DEMO-0001", .inProduction, card: 1)), as: UTF8.self)
        let request = try ProvinceLinkTestDesk.signedRequest(sim, "POST", "/v1/reports", headers: ["Connection: close"], body: report)
        XCTAssertTrue(try exchange(server, request).hasPrefix("HTTP/1.1 200 "))
        assertRefused(try exchange(server, request), "REPLAYED_REQUEST")
        // The same nonce in a newly signed request is a replay too.
        let nonce = try XCTUnwrap(request.split(separator: "\r\n").first { $0.hasPrefix("X-Desk-Nonce: ") }?.dropFirst(14))
        assertRefused(try exchange(server, ProvinceLinkTestDesk.signedRequest(sim, "GET", "/v1/applications/DEMO-0001/status",
                                                                              headers: ["Connection: close"], nonce: String(nonce))), "REPLAYED_REQUEST")
    }

    // MARK: The client

    func testTheClientSignsAndAWrongCredentialIsRefused() throws {
        let (server, client, sim) = try served()
        XCTAssertEqual(try client.status(applicationID: "DEMO-0001").state, .awaitingProduction)
        let stranger = CardManagementHTTPClient(baseURL: server.baseURL, timeout: 5,
                                                credentialFile: try ProvinceLinkTestDesk.writeFile(try DeskCredential.generate(deskID: "SSDESK000009")))
        guard case .refused("BAD_CREDENTIAL", _) = CardManagementContract.cardManagementError({ try stranger.pkiSecrets(
            cardIdentificationCode: CardIdentificationCode(hex: "411600D1560000050000000000000001")!) }) else { return XCTFail() }
        let unsigned = CardManagementHTTPClient(baseURL: server.baseURL, timeout: 5)
        guard case .refused("UNAUTHENTICATED", _) = CardManagementContract.cardManagementError({ try unsigned.status(applicationID: "DEMO-0001") }) else {
            return XCTFail()
        }
        // Rotation: the old file is refused at once, the new one works.
        let old = try ProvinceLinkTestDesk.writeFile(try XCTUnwrap(sim.deskCredential(ProvinceLinkTestDesk.id)))
        let rotated = try ProvinceLinkTestDesk.writeFile(try sim.rotateDesk(ProvinceLinkTestDesk.id))
        guard case .refused("BAD_CREDENTIAL", _) = CardManagementContract.cardManagementError({
            try CardManagementHTTPClient(baseURL: server.baseURL, credentialFile: old).status(applicationID: "DEMO-0001") }) else { return XCTFail() }
        XCTAssertEqual(try CardManagementHTTPClient(baseURL: server.baseURL, credentialFile: rotated).status(applicationID: "DEMO-0001").state,
                       .awaitingProduction)
    }

    func testPlainHTTPToANonLoopbackAddressIsRefusedBeforeConnecting() throws {
        // 192.0.2.1 is TEST-NET-1: never contacted, the refusal comes first.
        for url in ["http://192.0.2.1:8735", "http://10.0.0.1", "http://province.example:8735"] {
            let client = CardManagementHTTPClient(baseURL: URL(string: url)!, timeout: 5)
            let start = ContinuousClock.now
            guard case .unreachable(let detail, let cause) = CardManagementContract.cardManagementError({ try client.status(applicationID: "DEMO-0001") }) else {
                return XCTFail(url)
            }
            XCTAssertNil(cause, "no socket was made for \(url)")
            XCTAssertTrue(detail.contains("127.0.0.0/8") && detail.contains("https://"), detail)
            XCTAssertLessThan(ContinuousClock.now - start, .seconds(1))
        }
        // A station configuration says so at load.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("station-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("station.json").path
        try Data(#"{"cardManagement": {"kind": "http", "url": "http://192.0.2.1:8735"}}"#.utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try StationConfiguration.load(path: path)) { error in
            XCTAssertTrue("\(error)".contains("cardManagement.url"), "\(error)")
        }
    }

    func testTheServerRefusesPlainHTTPOffLoopback() throws {
        let server = ProvinceSimulatorServer(system: try SimulatedCardManagementSystem(), host: "0.0.0.0", port: 0)
        XCTAssertThrowsError(try server.start()) { error in
            XCTAssertNotNil((error as? ProvinceServerError)?.refusal, "\(error)")
        }
        XCTAssertFalse(server.isListening)
    }

    // MARK: TLS

    private func tlsFiles(names: [String] = []) throws -> SimulatorTLSFiles {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tls-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        return try SimulatorTLSFiles.prepare(in: folder.path, names: names)
    }

    private func tlsServer(_ files: SimulatorTLSFiles, host: String = "127.0.0.1")
        throws -> (ProvinceSimulatorServer, SimulatedCardManagementSystem, String) {
        let sim = try SimulatedCardManagementSystem()
        let identity = try ProvinceSimulatorServer.TLSIdentity(certificateFile: files.serverCertificate, keyFile: files.serverKey)
        let server = ProvinceSimulatorServer(system: sim, host: host, port: 0, tls: identity)
        try server.start()
        addTeardownBlock { server.stop() }
        return (server, sim, try ProvinceLinkTestDesk.register(in: sim))
    }

    func testADeskWithItsCredentialWorksOverTLS() throws {
        let files = try tlsFiles()
        XCTAssertTrue(files.caCreated)
        let keyMode = try FileManager.default.attributesOfItem(atPath: files.serverKey)[.posixPermissions] as? Int
        XCTAssertEqual(keyMode, 0o600)
        let (server, sim, credentialFile) = try tlsServer(files)
        XCTAssertEqual(server.baseURL.scheme, "https")
        let client = CardManagementHTTPClient(baseURL: server.baseURL, timeout: 10, credentialFile: credentialFile, caFile: files.caCertificate)
        // Reports, HSM keys and PKI secrets, end to end over TLS.
        try CardManagementContract(cms: client, sim: sim).hsmKeysOpenTheCard()
        // A plain-HTTP client gets nowhere with it.
        let plain = CardManagementHTTPClient(baseURL: URL(string: "http://127.0.0.1:\(server.port)")!, timeout: 2, credentialFile: credentialFile)
        XCTAssertNotNil(CardManagementContract.cardManagementError({ try plain.status(applicationID: "DEMO-0001") }))
        // The lab CA is kept across restarts; the server certificate is made anew.
        let again = try SimulatorTLSFiles.prepare(in: files.directory, names: [])
        XCTAssertFalse(again.caCreated)
        XCTAssertEqual(try String(contentsOfFile: again.caCertificate, encoding: .utf8), try String(contentsOfFile: files.caCertificate, encoding: .utf8))
    }

    func testTheClientRefusesAnUntrustedOrMisnamedServer() throws {
        let files = try tlsFiles()
        let (server, _, credentialFile) = try tlsServer(files)
        // Another lab's CA.
        let other = try tlsFiles()
        let untrusting = CardManagementHTTPClient(baseURL: server.baseURL, timeout: 5, credentialFile: credentialFile, caFile: other.caCertificate)
        guard case .unreachable(let detail, _) = CardManagementContract.cardManagementError({ try untrusting.status(applicationID: "DEMO-0001") }) else {
            return XCTFail()
        }
        XCTAssertTrue(detail.contains("TLS") && detail.contains("certificate verify failed"), detail)

        // A server whose certificate does not name the address the desk dialled.
        let (misnamed, _, misnamedCredential) = try tlsServer(files, host: "127.0.0.2")
        let client = CardManagementHTTPClient(baseURL: misnamed.baseURL, timeout: 5, credentialFile: misnamedCredential, caFile: files.caCertificate)
        guard case .unreachable(let mismatch, _) = CardManagementContract.cardManagementError({ try client.status(applicationID: "DEMO-0001") }) else {
            return XCTFail()
        }
        XCTAssertTrue(mismatch.contains("certificate verify failed"), mismatch)
    }

    // MARK: The credential

    func testTheCredentialFileMustBePrivateAndNeverShowsItsSecret() throws {
        let credential = try DeskCredential.generate(deskID: "SSDESK000007")
        let path = try ProvinceLinkTestDesk.writeFile(credential)
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int, 0o600)
        let secret = credential.withSecret { $0.hexString }
        let loaded = try DeskCredential.load(path: path)
        XCTAssertEqual(loaded.deskID, "SSDESK000007")
        XCTAssertEqual(loaded.withSecret { $0.hexString }, secret)
        var dumped = ""
        dump(loaded, to: &dumped)
        for text in ["\(loaded)", String(reflecting: loaded), dumped] {
            XCTAssertFalse(text.contains(secret), text)
        }

        chmod(path, 0o644)
        XCTAssertThrowsError(try DeskCredential.load(path: path)) { error in
            guard case .tooOpen(_, 0o644) = error as? DeskCredentialError else { return XCTFail("\(error)") }
        }
        // The composition root says so when it assembles the desk, naming the key.
        let setting = CardManagementSetting(kind: .http, url: "http://127.0.0.1:8735", credentialFile: path)
        XCTAssertThrowsError(try DeskAssembly.production.cardManagement(setting, simulatorDatabasePath: "/nonexistent")) { error in
            XCTAssertTrue("\(error)".contains("cardManagement.credentialFile") && "\(error)".contains("600"), "\(error)")
        }
        chmod(path, 0o600)
        XCTAssertNoThrow(try DeskAssembly.production.cardManagement(setting, simulatorDatabasePath: "/nonexistent"))
    }
}
