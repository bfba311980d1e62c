import Foundation
import InstantIssue
import SimulatedDesk
import Synchronization
import WebDesk
import XCTest

/// What the browser tests of the web desk share: a `StationDesk` in this process (pcscd + vpcd,
/// the virtual printer, the embedded province simulator), the desk served on a free loopback
/// port with one clerk signed up, and `scenario`, which runs one scenario of a Selenium script in
/// Tests/Browser against it with headless Chromium. Screenshots of each step go to
/// `.build/webdesk-screenshots/<test>/` (or $SSCARD_SCREENSHOTS). Skipped where Chromium,
/// chromedriver or selenium is missing.
class DeskBrowserTestCase: PCSCStackTestCase {
    var desk: StationDesk!
    var webDesk: WebDesk!
    var server: Task<Void, any Error>?
    var url = ""
    static let password = "desk-test-password"

    /// The script in Tests/Browser this class's scenarios come from.
    class var script: String { fatalError("a subclass names its script") }
    /// Console errors a page may log on purpose (an answer the test asked for), besides the favicon.
    class var expectedConsoleErrors: [String] { [] }

    /// The desk the pages run on: its own SQLite books, unless a subclass says otherwise.
    func makeDesk() throws -> StationDesk { try StationDesk(faceRetention: .keep) }

    /// The class's own settings, on top of a free port and a fast password hash.
    func configure(_ settings: inout WebDeskSettings) {
        let simulator = desk.cardManagement
        settings.queue = { try simulator.waitingApplications() }
    }

    override func setUpWithError() throws {
        try super.setUpWithError()
        for tool in ["/usr/bin/chromium", "/usr/bin/chromedriver"] where !FileManager.default.isExecutableFile(atPath: tool) {
            throw XCTSkip("\(tool) is missing (scripts/install-deps.sh installs it)")
        }
        desk = try makeDesk()
        var settings = WebDeskSettings()
        settings.port = 0
        settings.passwordIterations = 10_000
        configure(&settings)
        webDesk = WebDesk(station: desk.station, settings: settings)
        try webDesk.addClerk(name: StationDesk.clerk, password: Self.password, role: .clerk, by: "测试管理员")
        let ready = DispatchSemaphore(value: 0)
        let port = Mutex(0)
        let running = webDesk!
        server = Task.detached { try await running.run { p in port.withLock { $0 = p }; ready.signal() } }
        guard ready.wait(timeout: .now() + 60) == .success else { throw XCTSkip("the desk did not start") }
        url = "http://127.0.0.1:\(port.withLock { $0 })"
        try? FileManager.default.removeItem(at: screenshots)
    }

    override func tearDown() {
        server?.cancel()
        desk?.close()
        desk = nil
        super.tearDown()
    }

    /// Where this test's screenshots go.
    var screenshots: URL {
        let root = ProcessInfo.processInfo.environment["SSCARD_SCREENSHOTS"].map { URL(fileURLWithPath: $0) }
            ?? CProgramHarness.packageRoot.appendingPathComponent(".build/webdesk-screenshots")
        // "WebDeskBrowserTests.testX" on Linux, "-[WebDeskBrowserTests testX]" elsewhere.
        let test = name.split(whereSeparator: { " .".contains($0) }).last.map { $0.filter { $0 != "]" } } ?? "test"
        return root.appendingPathComponent(String(test))
    }

    /// Runs one scenario of the class's script (or of `script` in Tests/Browser) and returns its
    /// JSON; fails on a script error or on a page that logged an error it should not have (a CSP
    /// violation would be one).
    func scenario(_ arguments: String..., script name: String? = nil, file: StaticString = #filePath,
                  line: UInt = #line) throws -> [String: Any] {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Browser/\(name ?? Self.script)")
        let (status, output) = try ToolRunner.run(URL(fileURLWithPath: "/usr/bin/python3"),
                                                  [script.path, url, screenshots.path, StationDesk.clerk, Self.password] + arguments)
        if output.contains("No module named 'selenium'") { throw XCTSkip("python3-selenium is missing") }
        XCTAssertEqual(status, 0, output, file: file, line: line)
        let jsonLine = try XCTUnwrap(output.split(separator: "\n").last { $0.hasPrefix("{") }, output, file: file, line: line)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(jsonLine.utf8)) as? [String: Any], file: file, line: line)
        XCTAssertNil(json["error"], "\(json)", file: file, line: line)
        let expected = ["favicon"] + Self.expectedConsoleErrors
        let console = (json["console"] as? [String] ?? []).filter { message in
            message.contains("SEVERE") && !expected.contains { message.contains($0) }
        }
        XCTAssertEqual(console, [], "the pages logged errors (a CSP violation would be one)", file: file, line: line)
        return json
    }
}
