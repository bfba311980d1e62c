import ArgumentParser
import BrowserBridge
import DeskAssembly
import Foundation
import SSCardDriver
import SimulatedDesk
import StationOperations
import CoreMetrics

/// `issue-station bridge`: the browser bridge (docs/bridge.md) — the vendors' `function`
/// WebSocket dialect on 127.0.0.1, for the province's and hospitals' web pages, through the
/// driver in this process. Only the origins allowed (and the desk's own pages) may connect.
struct BridgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bridge",
        abstract: "运行浏览器桥：网页经本机 WebSocket 调用读卡和制卡函数。Runs the browser bridge: web pages call the card and issuance functions over a local WebSocket.",
        discussion: """
            浏览器桥在 127.0.0.1 上监听（默认端口 12342，与厂商服务相同），讲厂商的 function JSON 方言\
            （{"function":"iReadCardBas","iType":3}），经本进程内的驱动（驱动配置文件，同 libSSCardDriver.so）\
            访问读卡器和制卡机。只有 --allow-origin 或驱动配置 bridge.allowOrigins 列出的网站（以及本桥自己的页面）\
            能连接，其他网站在握手时得到 403；--token 给某网站加口令。密码从不经网页传送：密码函数使用读卡器的\
            密码键盘，没有时在本终端输入。每次调用记一行日志（函数、来源、返回码、耗时），不含卡数据。\
            http://127.0.0.1:12342/ 是示例页面，/sscard.js 是 JavaScript 客户端。Ctrl-C 停止。

            The bridge listens on 127.0.0.1 (port 12342 unless --port says otherwise, the vendors' \
            port) and speaks their `function` JSON dialect ({"function":"iReadCardBas","iType":3}) \
            through the driver in this process, configured by the driver configuration file as \
            libSSCardDriver.so is. Only the sites --allow-origin or the configuration's \
            bridge.allowOrigins lists (and the bridge's own pages) may connect; any other site's \
            handshake gets 403. --token gives a site a token it must present. PINs never travel \
            through a page: PIN functions use the reader's PIN pad, or without one a prompt on \
            this terminal. Each call is logged on one line (function, origin, code, duration), \
            without card data. http://127.0.0.1:12342/ is an example page, /sscard.js the \
            JavaScript client. Ctrl-C stops it.
            """)

    @OptionGroup var lang: LanguageOption

    @Option(help: ArgumentHelp("监听的 TCP 端口（只在 127.0.0.1 上）。 The TCP port, on 127.0.0.1 only.", valueName: "port"))
    var port: Int?

    @Option(name: .customLong("allow-origin"), parsing: .singleValue, help: ArgumentHelp(
        "允许连接的网站来源，如 https://sbk.example.gov.cn（可重复）。 A site allowed to connect, e.g. https://sbk.example.gov.cn (repeatable).",
        valueName: "origin"))
    var allowOrigins: [String] = []

    @Option(name: .customLong("token"), parsing: .singleValue, help: ArgumentHelp(
        "某网站须出示的口令：ORIGIN=TOKEN（可重复；网页以 ws://127.0.0.1:12342/?token=TOKEN 连接）。 A token a site must present: ORIGIN=TOKEN (repeatable; the page connects to ws://127.0.0.1:12342/?token=TOKEN).",
        valueName: "origin=token"))
    var tokens: [String] = []

    @Option(name: .customLong("driver-config"), help: ArgumentHelp(
        "驱动配置文件；不给时用 SSCARD_DRIVER_CONFIG，再找 /etc/sscard/driver.json。 The driver configuration file; without it SSCARD_DRIVER_CONFIG, then /etc/sscard/driver.json.",
        valueName: "file"))
    var driverConfig: String?

    @Flag(help: ArgumentHelp("不打印每次调用的日志行。 Do not print a line per call."))
    var quiet = false

    @Option(name: .customLong("log-level"), help: ArgumentHelp(
        "日志级别：error、warning、info（默认）或 debug，写到标准错误；也可用 SSCARD_LOG_LEVEL。 The log level: error, warning, info (the default) or debug, to stderr; or SSCARD_LOG_LEVEL.",
        valueName: "level"))
    var logLevel: String?

    @Option(name: .customLong("metrics-port"), help: ArgumentHelp(
        "在 127.0.0.1 的此端口上提供 GET /metrics（Prometheus 文本格式）；不给时不提供。 Serves GET /metrics (Prometheus text format) on this port of 127.0.0.1; none without it.",
        valueName: "port"))
    var metricsPort: Int?

    func validate() throws {
        do { _ = try StationLogging.requested(option: logLevel) } catch { throw ValidationError("--log-level / SSCARD_LOG_LEVEL: \(error)") }
        if let metricsPort, !(1...65_535).contains(metricsPort) { throw ValidationError("--metrics-port \(metricsPort) is not 1–65535") }
    }

    func run() async throws {
        let console = StationConsole(language: lang.language)
        // A service: info unless asked otherwise.
        StationLogging.bootstrap(level: ((try? StationLogging.requested(option: logLevel)) ?? nil) ?? .info)
        do {
            try await serve(console)
        } catch {
            throw ErrorAdvice.exit(for: error, printingTo: console)
        }
    }

    private func serve(_ console: StationConsole) async throws {
        let path = driverConfig ?? DriverConfiguration.defaultPath()
        let driverConfiguration = try DriverConfiguration.load(path: path)
        let settings = try path.map(BridgeSettings.load(path:)) ?? BridgeSettings()
        var origins = settings.allowOrigins ?? []
        var tokenTable = settings.tokens ?? [:]
        for origin in allowOrigins {
            guard BridgeSettings.isOrigin(origin) else { throw ValidationError("--allow-origin \(origin): not scheme://host[:port]") }
            origins.append(origin)
        }
        for pair in tokens {
            guard let eq = pair.firstIndex(of: "="), BridgeSettings.isOrigin(String(pair[..<eq])), pair.index(after: eq) < pair.endIndex else {
                throw ValidationError("--token \(pair.prefix(40)): not ORIGIN=TOKEN")
            }
            tokenTable[String(pair[..<eq])] = String(pair[pair.index(after: eq)...])
            origins.append(String(pair[..<eq]))
        }
        let listenPort = port ?? settings.port ?? BridgeConfiguration.defaultPort
        guard (1...65_535).contains(listenPort) else { throw ValidationError("--port \(listenPort) is not 1–65535") }
        let driver = try DeskAssembly.withSimulators.driver(driverConfiguration)
        let configuration = BridgeConfiguration(
            port: listenPort, policy: OriginPolicy(allowedOrigins: origins, tokens: tokenTable),
            language: console.language == .zh ? .zh : .en)
        let quiet = self.quiet
        let metrics = metricsPort.map { _ in DeskMetrics.installed }
        let server = BridgeServer(driver: driver, configuration: configuration, log: { record in
            if !quiet { console.say(verbatim: record.description) }
            if metrics != nil { Self.count(record) }
        }, refused: { origin, reason in
            // A page the desk does not trust tried to connect: always worth a line, on one line
            // (the origin is whatever the peer sent).
            let line = "bridge refused origin=\(origin.filter { !$0.isWhitespace }): \(reason)"
            console.say(verbatim: String(line.unicodeScalars.filter { $0.properties.generalCategory != .control }.map(Character.init)))
        })
        let listed = origins
        try await withThrowingTaskGroup(of: Void.self) { group in
            if let metrics, let metricsPort {
                group.addTask {
                    try await MetricsEndpoint.serve(metrics: metrics, port: metricsPort, onRunning: { port in
                        console.say(verbatim: console.text("指标在 http://127.0.0.1:\(port)/metrics", "metrics on http://127.0.0.1:\(port)/metrics"))
                    })
                }
            }
            group.addTask {
                try await server.run { port in
                    let allowed = listed.isEmpty ? console.text("只允许本桥自己的页面", "only the bridge's own pages") : listed.joined(separator: " ")
                    console.say(verbatim: console.text("浏览器桥在 ws://127.0.0.1:\(port)/ 上运行；允许：\(allowed)",
                                                       "browser bridge on ws://127.0.0.1:\(port)/; allowed: \(allowed)"))
                }
            }
            // Either server ending ends the bridge.
            try await group.next()
            group.cancelAll()
        }
    }

    /// The bridge's own metrics: calls by result, and their duration.
    private static func count(_ record: BridgeCallRecord) {
        Counter(label: "sscard_bridge_calls_total", dimensions: [("result", record.code == 0 ? "ok" : "error")]).increment()
        Timer(label: "sscard_bridge_call_seconds").recordNanoseconds(Int64(record.milliseconds * 1_000_000))
    }
}
