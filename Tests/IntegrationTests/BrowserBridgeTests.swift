import BrowserBridge
import DeskAssembly
import Foundation
import SSCardDriver
import SSCardSimulator
import Synchronization
import XCTest

/// The browser bridge with a real headless Chromium (Tests/Browser/bridge_page.py): a page of
/// an allowed origin reads the simulated card through pcscd + vpcd and shows the 11 fields, the
/// same page from a foreign origin cannot, and a page drives a whole issuance that ends with a
/// card on the virtual printer. Skipped where Chromium, chromedriver or selenium is missing.
final class BrowserBridgeTests: PCSCStackTestCase {
    struct PageOutcome {
        let result: [String: Any]?
        let console: [String]
    }

    /// Loads `url` in headless Chromium and returns what the page reported.
    /// With `chromiumEtc`, Chromium runs in a mount namespace of its own where that folder is
    /// /etc/chromium (its managed policies), so a test can set a policy without touching the machine's.
    func load(_ url: String, timeout: Int = 90, switches: [String] = [], chromiumEtc: URL? = nil) throws -> PageOutcome {
        for tool in ["/usr/bin/chromium", "/usr/bin/chromedriver"] where !FileManager.default.isExecutableFile(atPath: tool) {
            throw XCTSkip("\(tool) is missing (scripts/install-deps.sh installs it)")
        }
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Browser/bridge_page.py")
        let page = [script.path, url, String(timeout)] + switches
        let (status, output): (Int32, String)
        if let chromiumEtc {
            (status, output) = try ToolRunner.run(URL(fileURLWithPath: "/usr/bin/unshare"), [
                "--mount", "/bin/sh", "-c", #"etc="$1"; shift; mount --bind "$etc" /etc/chromium && exec /usr/bin/python3 "$@""#,
                "sh", chromiumEtc.path,
            ] + page)
        } else {
            (status, output) = try ToolRunner.run(URL(fileURLWithPath: "/usr/bin/python3"), page)
        }
        if output.contains("No module named 'selenium'") { throw XCTSkip("python3-selenium is missing") }
        XCTAssertEqual(status, 0, output)
        let line = try XCTUnwrap(output.split(separator: "\n").last { $0.hasPrefix("{") }, output)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        return PageOutcome(result: json["result"] as? [String: Any], console: json["console"] as? [String] ?? [])
    }

    /// Runs a bridge over `driver` allowing `origins`, until the returned task is cancelled.
    func startBridge(_ driver: SSCardInterface, allowing origins: [String], log: CallRecords) throws -> (Task<Void, any Error>, Int) {
        let server = BridgeServer(driver: driver, configuration: BridgeConfiguration(port: 0, policy: OriginPolicy(allowedOrigins: origins))) {
            log.append($0)
        }
        let ready = DispatchSemaphore(value: 0)
        let port = Mutex(0)
        let task = Task.detached { try await server.run { p in port.withLock { $0 = p }; ready.signal() } }
        guard ready.wait(timeout: .now() + 60) == .success else { throw XCTSkip("the bridge did not start") }
        return (task, port.withLock { $0 })
    }

    final class CallRecords: Sendable {
        private let records = Mutex<[BridgeCallRecord]>([])
        func append(_ r: BridgeCallRecord) { records.withLock { $0.append(r) } }
        var all: [BridgeCallRecord] { records.withLock { $0 } }
    }

    func testAPageOfAnAllowedOriginShowsTheElevenFieldsAndAForeignOneCannotConnect() throws {
        let card = TestCards.personalised(name: "张三", ssn: "110101199003077777")
        try insert(card)
        let driver = SSCardInterface(configuration: DriverConfiguration(contactReader: Self.slot0), securityModule: SimulatedHSM())
        let site = try BrowserPageServer(), foreign = try BrowserPageServer()
        let log = CallRecords()
        let (bridge, port) = try startBridge(driver, allowing: [site.origin], log: log)
        defer { bridge.cancel() }

        let allowed = try load("\(site.origin)/read.html?bridge=ws://127.0.0.1:\(port)/")
        let result = try XCTUnwrap(allowed.result, "the page reported: \(allowed.console)")
        let fields = try XCTUnwrap(result["fields"] as? [String])
        XCTAssertEqual(fields.count, 11, "\(result) \(allowed.console)")
        XCTAssertEqual(fields.joined(separator: "|") + "|", driver.iReadCardBas(1).output, "the page shows what the driver reads")
        XCTAssertEqual(fields[1], "110101199003077777")
        XCTAssertEqual(fields[4], "张三")
        XCTAssertEqual(fields[3], TestCards.cardID(of: card).hex)

        // The JS client matches overlapping calls by their request ids.
        let concurrent = try load("\(site.origin)/concurrent.html?bridge=ws://127.0.0.1:\(port)/")
        let replies = try XCTUnwrap(concurrent.result?["replies"] as? [[Any]], "\(String(describing: concurrent.result)) \(concurrent.console)")
        XCTAssertEqual(replies.map { $0[0] as? String }, ["iReadCardBas", "iNoSuchFunction", "iReadCardBas"])
        XCTAssertEqual(replies.map { $0[1] as? Int }, [0, -13, -14])
        XCTAssertEqual(replies.map { $0[2] as? Int }, [1, 2, 3])

        let refused = try load("\(foreign.origin)/read.html?bridge=ws://127.0.0.1:\(port)/")
        let refusedResult = try XCTUnwrap(refused.result, "the page reported: \(refused.console)")
        XCTAssertEqual(refusedResult["fields"] as? [String], [], "nothing of the card reached the foreign page")
        XCTAssertTrue((refusedResult["status"] as? String ?? "").contains("bridge unreachable"), "\(refusedResult)")
        XCTAssertTrue(refused.console.contains { $0.contains("403") }, "the browser saw the handshake refused: \(refused.console)")
        XCTAssertEqual(Set(log.all.map(\.origin)), [site.origin], "only the allowed page's calls reached the driver")
    }

    func testAnIssuanceDrivenFromThePageProducesACardOnTheVirtualPrinter() throws {
        let services = try DriverServices()
        let hopperCards = services.printer.cards(inHopper: 1)
        let numbers = Dictionary(uniqueKeysWithValues: hopperCards.map { ($0.image.cardIdentificationCode.hex, $0.image.cardNumber) })
        let driver = try DeskAssembly.production.driver(DriverConfiguration.load(path: services.configurationPath))
        let site = try BrowserPageServer(system: services.cardManagement, cardNumbers: numbers)
        let log = CallRecords()
        let (bridge, port) = try startBridge(driver, allowing: [site.origin], log: log)
        defer { bridge.cancel() }

        let outcome = try load("\(site.origin)/issue.html?bridge=ws://127.0.0.1:\(port)/", timeout: 180)
        let result = try XCTUnwrap(outcome.result, "the page reported: \(outcome.console)")
        XCTAssertEqual(result["ok"] as? Bool, true, "\(result) \(outcome.console)")
        let cardNumber = try XCTUnwrap(result["cardNumber"] as? String)
        XCTAssertEqual(cardNumber, hopperCards.first?.image.cardNumber, "the first card of hopper 1")
        XCTAssertEqual(log.all.map(\.function), [
            "iLoadCard", "iReadCardBas_HSM_Step1", "iReadCardBas_HSM_Step2",
            "iWriteCard_HSM_Step1", "iWriteCard_HSM_Step2", "iWriteCard_HSM_Step1", "iWriteCard_HSM_Step2",
            "iWriteCaStep1", "iWriteCaStep2", "iPrint",
        ])
        XCTAssertTrue(log.all.allSatisfy { $0.code == 0 }, "\(log.all)")
        // The card left the printer with its face printed; the province has it 制卡成功.
        let pngs = try FileManager.default.contentsOfDirectory(atPath: services.directory.path).filter { $0.hasSuffix(".png") }
        XCTAssertFalse(pngs.isEmpty, "the virtual printer wrote the face it printed")
        XCTAssertEqual(try services.cardManagement.status(applicationID: "DEMO-0001").state, .produced)
        let issued = try XCTUnwrap(services.printer.collectGoodExit().last { $0.image.cardNumber == cardNumber }, "the card left by the good exit")
        XCTAssertTrue(issued.image.isPersonalised, "the chip holds the applicant")
    }

    /// Chrome's Local Network Access (docs/bridge.md): a page of a public origin may not reach
    /// 127.0.0.1 unless the outlet's administrator allows its origin by policy
    /// (`LocalNetworkAccessAllowedForUrls`). The site is made "public" with Chromium's
    /// --ip-address-space-overrides; the policy is put where Chromium reads managed policies
    /// (/etc/chromium/policies/managed) by a bind mount in a mount namespace of Chromium's own
    /// (root only, as the tests run in CI; elsewhere the test is skipped).
    func testLocalNetworkAccessBlocksAPublicPageUntilThePolicyAllowsItsOrigin() throws {
        guard geteuid() == 0, FileManager.default.fileExists(atPath: "/etc/chromium") else {
            throw XCTSkip("needs root (a mount namespace for Chromium's policy folder) and /etc/chromium")
        }
        try insert(TestCards.personalised(name: "张三", ssn: "110101199003077777"))
        let driver = SSCardInterface(configuration: DriverConfiguration(contactReader: Self.slot0), securityModule: SimulatedHSM())
        let site = try BrowserPageServer()
        let log = CallRecords()
        let (bridge, port) = try startBridge(driver, allowing: [site.origin], log: log)
        defer { bridge.cancel() }
        let url = "\(site.origin)/read.html?bridge=ws://127.0.0.1:\(port)/"
        let publicSite = ["--ip-address-space-overrides=127.0.0.1:\(site.port)=public"]

        let blocked = try load(url, switches: publicSite)
        XCTAssertEqual(blocked.result?["fields"] as? [String], [], "\(String(describing: blocked.result))")
        XCTAssertTrue(blocked.console.contains { $0.contains("ERR_BLOCKED_BY_LOCAL_NETWORK_ACCESS_CHECKS") }, "\(blocked.console)")
        XCTAssertTrue(log.all.isEmpty, "the browser stopped the page before the bridge saw it")

        // The administrator's policy for the site's origin, as docs/bridge.md gives it.
        let etc = FileManager.default.temporaryDirectory.appendingPathComponent("chromium-etc-\(UUID().uuidString)")
        let managed = etc.appendingPathComponent("policies/managed")
        try FileManager.default.createDirectory(at: managed, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: etc) }
        try Data(#"{ "LocalNetworkAccessAllowedForUrls": ["\#(site.origin)"] }"#.utf8).write(to: managed.appendingPathComponent("sscard-bridge.json"))
        for file in (try? FileManager.default.contentsOfDirectory(atPath: "/etc/chromium")) ?? [] where file != "policies" {
            try? FileManager.default.copyItem(atPath: "/etc/chromium/\(file)", toPath: etc.appendingPathComponent(file).path)
        }
        let allowed = try load(url, switches: publicSite, chromiumEtc: etc)
        XCTAssertEqual((allowed.result?["fields"] as? [String])?.count, 11, "\(String(describing: allowed.result)) \(allowed.console)")
        XCTAssertEqual(Set(log.all.map(\.origin)), [site.origin])
    }
}
