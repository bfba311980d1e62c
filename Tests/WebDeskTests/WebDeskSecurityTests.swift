import CardManagement
import Foundation
import InstantIssue
import Synchronization
import XCTest
@testable import WebDesk

/// The web desk's own safety parts, without a browser: the password KDF, the lockout, the
/// Host/Origin/CSRF guard on every POST, and the escaping that keeps a name data.
final class WebDeskSecurityTests: XCTestCase {
    var folder: URL!
    var database: StationDatabase!
    let now = TestClock()

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("webdesk-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let clock = now
        database = try StationDatabase(path: folder.appendingPathComponent("station.sqlite").path, clock: { clock.date })
    }

    override func tearDownWithError() throws {
        try? database.close()
        try? FileManager.default.removeItem(at: folder)
    }

    // MARK: KDF

    func testPBKDF2MatchesTheRFC7914TestVector() throws {
        // RFC 7914 §11: PBKDF2-HMAC-SHA256, P = "passwd", S = "salt", c = 1, dkLen = 64 (first 32 bytes).
        let key = try PasswordKDF.derive("passwd", salt: Array("salt".utf8), iterations: 1)
        XCTAssertEqual(key.map { String(format: "%02x", $0) }.joined(),
                       "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc")
    }

    func testACredentialVerifiesItsPasswordOnlyAndHasAFreshSalt() throws {
        let a = try PasswordKDF.credential(for: "correct horse", iterations: 1000)
        let b = try PasswordKDF.credential(for: "correct horse", iterations: 1000)
        XCTAssertEqual(a.scheme, "pbkdf2-sha256")
        XCTAssertEqual(a.salt.count, 16)
        XCTAssertNotEqual(a.salt, b.salt, "a random salt per password")
        XCTAssertNotEqual(a.hash, b.hash)
        XCTAssertTrue(PasswordKDF.verify("correct horse", against: a))
        XCTAssertFalse(PasswordKDF.verify("correct hors", against: a))
        XCTAssertFalse(PasswordKDF.verify("", against: a))
        var tampered = a
        tampered.iterations = 999
        XCTAssertFalse(PasswordKDF.verify("correct horse", against: tampered), "the cost is part of the credential")
        XCTAssertEqual(PasswordKDF.defaultIterations, 600_000)
    }

    func testThePasswordIsNotStoredAndTheAccountChangeIsInTheLedger() throws {
        let accounts = ClerkAccounts(database: database)
        try accounts.add(name: "李柜员", role: .clerk, credential: PasswordKDF.credential(for: "s3cret-pass", iterations: 1000), by: "管理员")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: database.path)) + ((try? Data(contentsOf: URL(fileURLWithPath: database.path + "-wal"))) ?? Data())
        XCTAssertNil(bytes.range(of: Data("s3cret-pass".utf8)), "only the derived key is in the books")
        let entry = try XCTUnwrap(try AuditLedger(database: database).entries().last)
        XCTAssertEqual(entry.clerk, "管理员")
        XCTAssertEqual(entry.action, "clerk.add")
        XCTAssertEqual(entry.subject, "李柜员")
        XCTAssertThrowsError(try accounts.add(name: "李柜员", role: .clerk, credential: PasswordKDF.credential(for: "x", iterations: 1), by: "管理员"))
        XCTAssertThrowsError(try accounts.add(name: "bad\nname", role: .clerk, credential: PasswordKDF.credential(for: "x", iterations: 1), by: "管理员"))
    }

    // MARK: Lockout

    func testFiveWrongPasswordsLockTheAccountForFifteenMinutes() throws {
        let accounts = ClerkAccounts(database: database)
        try accounts.add(name: "王柜员", role: .clerk, credential: PasswordKDF.credential(for: "right-password", iterations: 1000), by: "管理员")
        var signIn = ClerkSignIn(accounts: accounts)
        signIn.iterations = 1000
        for _ in 1...4 { XCTAssertEqual(try signIn.signIn(name: "王柜员", password: "wrong"), .wrong) }
        guard case .locked = try signIn.signIn(name: "王柜员", password: "wrong") else { return XCTFail("the fifth wrong password locks") }
        guard case .locked = try signIn.signIn(name: "王柜员", password: "right-password") else {
            return XCTFail("while locked even the right password is refused")
        }
        XCTAssertEqual(try AuditLedger(database: database).entries().last?.action, "clerk.locked")
        now.advance(15 * 60 + 1)
        guard case .signedIn(let account) = try signIn.signIn(name: "王柜员", password: "right-password") else {
            return XCTFail("the lock ends")
        }
        XCTAssertEqual(account.role, .clerk)
        XCTAssertEqual(try accounts.account(named: "王柜员")?.failedAttempts, 0)
    }

    func testAGoodSignInResetsTheCountAndADisabledOrUnknownClerkCannotSignIn() throws {
        let accounts = ClerkAccounts(database: database)
        try accounts.add(name: "赵柜员", role: .administrator, credential: PasswordKDF.credential(for: "pw-12345678", iterations: 1000), by: "管理员")
        var signIn = ClerkSignIn(accounts: accounts)
        signIn.iterations = 1000
        for _ in 1...4 { _ = try signIn.signIn(name: "赵柜员", password: "wrong") }
        guard case .signedIn = try signIn.signIn(name: "赵柜员", password: "pw-12345678") else { return XCTFail() }
        XCTAssertEqual(try signIn.signIn(name: "赵柜员", password: "wrong"), .wrong, "the count started again")
        XCTAssertEqual(try signIn.signIn(name: "无此人", password: "pw-12345678"), .wrong)
        try accounts.setActive(false, for: "赵柜员", by: "管理员")
        XCTAssertEqual(try signIn.signIn(name: "赵柜员", password: "pw-12345678"), .wrong)
    }

    // MARK: CSRF and Origin

    func testAPostNeedsTheDesksHostAndOriginAndTheSessionsToken() {
        let guardian = RequestGuard(host: "127.0.0.1", port: 8740)
        let session = DeskSession(token: "t", csrf: "abc123", clerk: "柜员", role: .clerk, language: .zh, lastSeen: Date())
        XCTAssertNil(guardian.refusal(host: "127.0.0.1:8740", origin: "http://127.0.0.1:8740", formToken: "abc123", session: session))
        XCTAssertNil(guardian.refusal(host: "localhost:8740", origin: "http://localhost:8740", formToken: "abc123", session: session))
        XCTAssertNotNil(guardian.refusal(host: "127.0.0.1:8740", origin: "http://127.0.0.1:8740", formToken: nil, session: session), "no token")
        XCTAssertNotNil(guardian.refusal(host: "127.0.0.1:8740", origin: "http://127.0.0.1:8740", formToken: "abc124", session: session), "wrong token")
        XCTAssertNotNil(guardian.refusal(host: "127.0.0.1:8740", origin: "http://evil.example", formToken: "abc123", session: session), "another site")
        XCTAssertNotNil(guardian.refusal(host: "127.0.0.1:8740", origin: "http://127.0.0.1:9999", formToken: "abc123", session: session), "another port")
        XCTAssertNotNil(guardian.refusal(host: "127.0.0.1:8740", origin: "null", formToken: "abc123", session: session))
        XCTAssertNotNil(guardian.refusal(host: "127.0.0.1:8740", origin: nil, formToken: "abc123", session: session), "no Origin")
        XCTAssertNotNil(guardian.refusal(host: "evil.example:8740", origin: "http://evil.example:8740", formToken: "abc123", session: session),
                        "a DNS-rebinding page has its own Host")
        XCTAssertNotNil(guardian.refusal(host: "127.0.0.1:8740", origin: "http://127.0.0.1:8740", formToken: "abc123", session: nil), "no session")
    }

    func testSessionsAreRandomAndSignInReplacesTheToken() {
        let store = SessionStore()
        let anonymous = store.open(language: .zh)
        XCTAssertEqual(anonymous.token.count, 64)
        XCTAssertNotEqual(anonymous.token, anonymous.csrf)
        let signedIn = store.signIn(replacing: anonymous.token, clerk: "柜员", role: .clerk, language: .zh)
        XCTAssertNil(store.session(anonymous.token), "the pre-sign-in token is worth nothing after it")
        XCTAssertEqual(store.session(signedIn.token)?.clerk, "柜员")
        store.close(signedIn.token)
        XCTAssertNil(store.session(signedIn.token))
    }

    // MARK: Escaping

    func testANameIsDataNeverMarkup() {
        let name = "<script>alert('x')</script>&\"张\""
        let html: HTML = "<td title=\"\(name)\">\(name)</td>"
        XCTAssertEqual(html.description,
                       "<td title=\"&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;张&quot;\">&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;张&quot;</td>")
        let inner: HTML = "<b>\(name)</b>"
        let outer: HTML = "<p>\(inner)</p>"
        XCTAssertTrue(outer.description.hasPrefix("<p><b>&lt;script"), "markup built by the desk stays markup, its data stays escaped")
        XCTAssertEqual(HTML.escape("张𠀀䄲"), "张𠀀䄲", "rare characters pass unchanged")
        XCTAssertEqual(HTML.urlComponent("张 a/b?&"), "%E5%BC%A0%20a%2Fb%3F%26")
    }

    func testFormsAreDecodedAsBrowsersEncodeThem() {
        let form = DeskRequest.parseForm("csrf=ab&c=%E4%84%B2&c=x+y&empty=&flag"[...])
        XCTAssertEqual(form["csrf"], ["ab"])
        XCTAssertEqual(form["c"], ["䄲", "x y"])
        XCTAssertEqual(form["empty"], [""])
        XCTAssertEqual(form["flag"], [""])
    }
}

/// A clock the test moves by hand.
final class TestClock: Sendable {
    private let now = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
    var date: Date { now.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { now.withLock { $0 += seconds } }
}

/// The queue's search: id in either case, name, 社会保障号码.
final class QueueSearchTests: XCTestCase {
    func testFindsByIdNameOrNumber() {
        let a = Application(id: "DEMO-0002", name: "张䄲", socialSecurityNumber: "41160219900307002X", sex: "2", ethnicity: "01",
                            birthDate: "19900307", birthPlace: "411602", bank: "模拟银行", regionCode: "411600", photoJPEG: nil)
        XCTAssertTrue(QueueSearch("demo-0002").matches(a))
        XCTAssertTrue(QueueSearch("0002").matches(a))
        XCTAssertTrue(QueueSearch("䄲").matches(a))
        XCTAssertTrue(QueueSearch("张").matches(a))
        XCTAssertTrue(QueueSearch("07002x").matches(a))
        XCTAssertFalse(QueueSearch("李").matches(a))
        XCTAssertFalse(QueueSearch("DEMO-00021").matches(a))
    }
}
