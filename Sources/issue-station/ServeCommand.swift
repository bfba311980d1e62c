import ArgumentParser
import CardManagement
import Foundation
import InstantIssue
import ProvinceSimulator
import SSCardDriver
import SSCardPrinter
import SSCardSimulator
import SimulatedDesk
import StationOperations
import WebDesk

/// `issue-station serve`: the clerk's web desk (docs/operator-guide) — the station's pages on
/// 127.0.0.1:8740, served by this process, which holds the station database while it runs.
/// `--demo` runs it on the embedded simulated stack exactly as `demo` does, with a demo clerk.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "运行制卡台网页：柜员在浏览器中即时制卡。 Runs the clerk's web desk: clerks make cards in a browser.",
        discussion: """
            在 127.0.0.1:8740 上提供制卡台网页（待制卡队列、申请、生僻字、制卡、恢复、柜员管理），本进程持有制卡站\
            数据库，制卡流程在本进程中运行，关闭浏览器不会中断制卡。柜员账号保存在制卡站数据库中；首次运行时创建\
            管理员账号并在本终端显示一次其初始密码。--demo 在模拟设备上运行（同 issue-station demo：私有 pcscd 与 vpcd、\
            虚拟制卡机、内置卡管系统模拟器），并显示演示柜员的账号和密码。Ctrl-C 停止。 \
            Serves the desk's pages (queue, application, rare characters, issuance, recovery, clerks) on \
            127.0.0.1:8740. This process holds the station database and runs the workflow, so closing the browser \
            does not stop an issuance. Clerk accounts live in the station database; the first run creates an \
            administrator and shows its initial password once on this terminal. --demo runs on the simulated \
            parts (as issue-station demo does: a private pcscd with vpcd, the virtual printer, the embedded \
            card-management simulator) and prints the demo clerk's name and password. Ctrl-C stops it.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("监听地址（默认 127.0.0.1，只在本机）。 The address to listen on (127.0.0.1 unless given: this machine only).", valueName: "address"))
    var host = "127.0.0.1"

    @Option(help: ArgumentHelp("监听端口（默认 8740）。 The TCP port (8740 unless given).", valueName: "port"))
    var port = WebDeskSettings.defaultPort

    @Flag(help: ArgumentHelp("在模拟设备上运行（同 issue-station demo），带一个演示柜员。 Run on the simulated parts (as issue-station demo does), with a demo clerk."))
    var demo = false

    @Flag(name: .customLong("use-running-pcscd"), help: ArgumentHelp("--demo 只用已在运行的 pcscd（需带 vpcd 读卡器）。 With --demo, only use the pcscd already running (with the vpcd readers)."))
    var useRunningPCSCD = false

    @Option(name: .customLong("metrics-port"), help: ArgumentHelp(
        "在 127.0.0.1 的此端口上提供 GET /metrics（Prometheus 文本格式）；不给时不提供。 Serves GET /metrics (Prometheus text format) on this port of 127.0.0.1; none without it.",
        valueName: "port"))
    var metricsPort: Int?

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port \(port) is not 0–65535") }
        if let metricsPort, !(1...65_535).contains(metricsPort) { throw ValidationError("--metrics-port \(metricsPort) is not 1–65535") }
    }

    func run() async throws {
        let console = StationConsole(language: global.language)
        // A service: it logs at info unless asked otherwise (journald keeps the lines).
        StationLogging.bootstrap(level: ((try? StationLogging.requested(option: global.logLevel)) ?? nil) ?? .info)
        do {
            if demo { try await serveDemo(console) } else { try await serveStation(console) }
        } catch let error as WebDeskError {
            console.fail(Localized("错误：\(error.chinese)。", "Error: \(error.english.capitalisedFirst)."))
            console.fail(Localized("下一步：\(error.nextChinese)。", "Next: \(error.nextEnglish.capitalisedFirst)."))
            throw ExitCode(ErrorAdvice.errorStatus)
        } catch {
            throw ErrorAdvice.exit(for: error, printingTo: console)
        }
    }

    func settings(_ console: StationConsole) -> WebDeskSettings {
        var s = WebDeskSettings()
        s.host = host
        s.port = port
        s.language = console.language == .zh ? .zh : .en
        // The page says what the command line says.
        s.adviser = { error in
            let advice = ErrorAdvice(for: error)
            return DeskAdvice(problemChinese: advice.problem.zh, problemEnglish: advice.problem.en,
                              nextChinese: advice.next.zh, nextEnglish: advice.next.en)
        }
        return s
    }

    private func serveStation(_ console: StationConsole) async throws {
        // On the outlet's PostgreSQL books too: every page reaches them off the cooperative pool
        // (WebDesk's `DeskBooks`). Clerk accounts stay in this desk's own SQLite database.
        let station = try StationSetup(global).openStation()
        defer { try? station.database.close() }
        var settings = settings(console)
        if let simulator = station.cardManagement as? SimulatedCardManagementSystem {
            settings.queue = { try simulator.waitingApplications() }
        }
        let desk = WebDesk(station: station, settings: settings)
        if try ClerkAccounts(database: station.database).isEmpty() {
            // The first administrator: a password nobody chose, shown once here, never stored.
            let name = "管理员"
            let password = SessionPassword.make()
            try desk.addClerk(name: name, password: password, role: .administrator, by: AuditLedger.stationClerk)
            if isatty(STDOUT_FILENO) == 1 {
                console.say(Localized("已创建管理员账号“\(name)”，初始密码：\(password)（只显示这一次；登录后在“柜员管理”中为柜员建账号并改密码）。",
                                      "Created the administrator \"\(name)\" with the initial password \(password) (shown only now; sign in, then add the clerks and change it under Clerks)."))
            } else {
                // A service's output goes to the journal, which keeps no password: the password
                // goes to a file only this user can read, beside the database.
                let file = URL(fileURLWithPath: station.configuration.databasePath).deletingLastPathComponent()
                    .appendingPathComponent("administrator-initial-password").path
                try PrivateFile.write(Array((password + "\n").utf8), to: file)
                console.say(Localized("已创建管理员账号“\(name)”，初始密码在 \(file)（只有本用户可读；登录、改密码后删除此文件）。",
                                      "Created the administrator \"\(name)\"; the initial password is in \(file) (readable by this user only; sign in, change it, then delete the file)."))
            }
        }
        try await runWithMetrics(station, console) { try await desk.run(stopOnSignals: true) { port in
            console.say(Localized("制卡台已启动：http://\(host):\(port)/ （Ctrl-C 停止）", "The desk is running: http://\(host):\(port)/ (Ctrl-C stops it)"))
        } }
    }

    private func serveDemo(_ console: StationConsole) async throws {
        let work = URL(fileURLWithPath: try PrivateFile.makeTemporaryFolder(prefix: "sscard-desk-demo-"), isDirectory: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let useRunning = useRunningPCSCD || VirtualReaderStack.runningPCSCD() != nil
        if !useRunning { console.say(Localized("启动 pcscd 与 vpcd 虚拟读卡器…", "Starting pcscd with the vpcd virtual readers…")) }
        let readers = try VirtualDesk(cards: [], useRunningPCSCD: useRunning)
        defer { readers.close() }
        if useRunning { console.say(DemoCommand.usingRunningPCSCD()) }
        let printer = VirtualPrinter.stocked(encoderSlot: 0)
        defer { try? printer.eject(to: .reject) }
        let configuration = StationConfiguration(
            databasePath: work.appendingPathComponent("station.sqlite").path,
            cardManagement: .init(kind: .embedded, simulatorDatabasePath: work.appendingPathComponent("province-sim.sqlite").path),
            outputDirectory: work.appendingPathComponent("faces").path, cardFaceRetention: .keep)
        let simulator = try SimulatedCardManagementSystem(path: configuration.resolvedSimulatorDatabasePath)
        let station = Station(
            configuration: configuration, database: try StationDatabase(path: configuration.databasePath),
            driverConfiguration: DriverConfiguration(contactReader: readers.readerName(slot: 0)), printer: printer,
            cardManagement: simulator)
        defer { try? station.database.close() }
        let clerk = "演示柜员", password = "demo-desk"
        let booked = try station.inventory.bookCards(in: printer, returnFileFolder: work, by: clerk)
        console.say(Localized("预制卡入库 \(booked.count) 张，已装入卡盒1、2。", "\(booked.count) pre-made cards imported and loaded into hoppers 1 and 2."))

        var settings = settings(console)
        let hands = VirtualPrinterHands(printer: printer, readBackSlot: 1, readBackReader: readers.readerName(slot: 1))
        settings.queue = { try simulator.waitingApplications() }
        settings.readBack = { issued in try hands.readBack(issued.cardNumber) }
        settings.reinsertPrintedCard = { hands.reinsert($0) }
        let desk = WebDesk(station: station, settings: settings)
        try desk.addClerk(name: clerk, password: password, role: .administrator, by: AuditLedger.stationClerk)
        try await runWithMetrics(station, console) { try await desk.run(stopOnSignals: true) { port in
            console.say(Localized("制卡台（演示）已启动：http://\(host):\(port)/ ，演示柜员：\(clerk)，密码：\(password)（Ctrl-C 停止并清理）",
                                  "The desk (demo) is running: http://\(host):\(port)/ — demo clerk: \(clerk), password: \(password) (Ctrl-C stops it and cleans up)"))
        } }
        console.say(useRunning
            ? Localized("已停止制卡台与模拟设备，正在运行的 pcscd 保持不变。", "The desk and the simulators are stopped; the running pcscd is left as it was.")
            : Localized("已停止制卡台、pcscd 与模拟设备。", "The desk, pcscd and the simulators are stopped."))
    }
}

extension ServeCommand {
    /// Runs `desk`, with `GET /metrics` on 127.0.0.1:`--metrics-port` beside it when asked: the
    /// desk's own port carries only signed-in pages. The desk ending (Ctrl-C) ends both.
    private func runWithMetrics(_ station: Station, _ console: StationConsole,
                                desk: @escaping @Sendable () async throws -> Void) async throws {
        guard let metricsPort else { return try await desk() }
        let metrics = DeskMetrics.installed
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await MetricsEndpoint.serve(metrics: metrics, port: metricsPort, refresh: { station.metrics.observe(station) },
                                                onRunning: { port in
                    console.say(verbatim: console.text("指标在 http://127.0.0.1:\(port)/metrics", "metrics on http://127.0.0.1:\(port)/metrics"))
                })
            }
            group.addTask { try await desk() }
            try await group.next()
            group.cancelAll()
        }
    }
}

/// The first administrator's password: 12 characters from an alphabet without look-alikes.
enum SessionPassword {
    static func make() -> String {
        let alphabet = Array("abcdefghjkmnpqrstuvwxyzACDEFGHJKLMNPQRSTUVWXYZ23456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<12).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] })
    }
}
