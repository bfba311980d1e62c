import ProvinceSimulator
import CardManagement
import ArgumentParser
import Foundation
import InstantIssue

/// `issue-station province-sim`: the simulated province card-management system (卡管系统,
/// HSM, CA) over HTTP on loopback, for demos, technicians and tests of the HTTP client
/// (docs/province-api.md).
struct ProvinceSimCommand: VirtualDeviceCommand {
    static let configuration = CommandConfiguration(
        commandName: "province-sim",
        abstract: "运行模拟省卡管系统（含加密机和CA）的 HTTP 服务。Runs the simulated province card-management system, with its HSM and CA, as an HTTP service.",
        discussion: """
            模拟省卡管系统只在本机回环地址上监听（默认端口 8735），按 docs/province-api.md 的 JSON 接口应答；\
            它不是真实的卡管系统，加密机和CA的密钥均为公开的测试密钥。账本（申请、状态、每人持有的卡、已应答的请求号、\
            CA 签发记录）保存在 --database 指定的 SQLite 文件中，重启后仍在；不给 --database 时只在内存中。新数据库预置\
            样例申请 DEMO-0001 至 DEMO-0006。可注入故障来测试制卡站：--delay-ms 每个请求延时，--fail-next 对之后 N 个\
            请求回 HTTP 503，--timeout-next 之后 N 个请求不应答，--lose-response-next 执行之后 N 个请求但不回应答就断开，\
            --unreachable 启动时不监听（连接被拒绝）。运行中每行输入一条命令：status、delay MS、fail N、timeout N、lose N、\
            reset N、unreachable on|off、clear、quit；数量后可跟操作名只影响该操作。Ctrl-C 和 SIGTERM 正常停止。

            The simulator answers the JSON contract of docs/province-api.md on 127.0.0.1 (port \
            8735 unless --port says otherwise). It is not the province's system: its HSM and CA \
            keys are public test keys. Its books (applications, states, the cards each person \
            holds, answered request ids, CA issuances) are kept in the SQLite file --database \
            names, so they survive a restart; without --database they live in memory and are \
            gone when it stops. A new database is seeded with the sample applications DEMO-0001 \
            to DEMO-0006 (docs/province-api.md lists them).

            Faults can be injected to test the desk: --delay-ms makes every request wait, \
            --fail-next answers the next N requests with HTTP 503, --timeout-next leaves the \
            next N requests unanswered until the client gives up, --lose-response-next carries \
            out the next N requests and closes the connection without an answer, and \
            --unreachable starts with the listening socket closed (connections are refused). \
            While it runs, type one command per line: `status`, `delay MS`, `fail N`, \
            `timeout N`, `lose N`, `reset N`, `unreachable on|off`, `clear`, `quit`; a count may \
            be followed by an operation name (application, conflictingCards, \
            authenticationKey, pkiSecrets, terminalHSM, issueCertificates, report, status, activate) to hit \
            only that one. Ctrl-C and SIGTERM stop it cleanly.
            """)

    @OptionGroup var lang: LanguageOption

    @Option(help: ArgumentHelp("监听的 IPv4 地址；请保持回环地址，本服务会发出卡片密钥。 The IPv4 address to listen on. Keep the loopback address: the service hands out card secrets.", valueName: "address"))
    var host = "127.0.0.1"

    @Option(help: ArgumentHelp("监听的 TCP 端口。 The TCP port to listen on.", valueName: "port"))
    var port: UInt16 = ProvinceSimulatorServer.defaultPort

    @Option(help: ArgumentHelp("保存模拟器账本的 SQLite 文件，不存在时新建并预置样例；不给时账本只在内存中。 The SQLite file that keeps the simulator's books; it is created and seeded when missing. Without it the books are kept in memory.", valueName: "file"))
    var database: String?

    @Option(name: .customLong("delay-ms"), help: ArgumentHelp("每个请求执行前等待的毫秒数。 Milliseconds every request waits before it is carried out.", valueName: "ms"))
    var delayMilliseconds = 0

    @Option(name: .customLong("fail-next"), help: ArgumentHelp("之后 N 个请求不执行，回 HTTP 503。 Answer the next N requests with HTTP 503 without carrying them out.", valueName: "N"))
    var failNext = 0

    @Option(name: .customLong("timeout-next"), help: ArgumentHelp("之后 N 个请求不执行也不应答，直到客户端放弃。 Leave the next N requests unanswered, without carrying them out, until the client gives up.", valueName: "N"))
    var timeoutNext = 0

    @Option(name: .customLong("lose-response-next"), help: ArgumentHelp("之后 N 个请求照常执行，但不回应答就断开连接。 Carry out the next N requests, then close the connection without answering.", valueName: "N"))
    var loseResponseNext = 0

    @Flag(help: ArgumentHelp("启动时不监听（连接被拒绝），直到输入 unreachable off。 Start with the listening socket closed, so that connections are refused, until `unreachable off` is typed."))
    var unreachable = false

    @Flag(help: ArgumentHelp("只显示故障和错误，不逐条显示请求。 Print only faults and errors, not every request."))
    var quiet = false

    func validate() throws {
        for (name, value) in [("--delay-ms", delayMilliseconds), ("--fail-next", failNext), ("--timeout-next", timeoutNext),
                              ("--lose-response-next", loseResponseNext)] where value < 0 {
            throw ValidationError("\(name) 不能为负数。\(name) must not be negative.")
        }
    }

    func execute(_ console: StationConsole) async throws {
        let faults = CardManagementFaults()
        faults.delayMilliseconds = delayMilliseconds
        if failNext > 0 { faults.inject(.serverError, count: failNext) }
        if timeoutNext > 0 { faults.inject(.timeout, count: timeoutNext) }
        if loseResponseNext > 0 { faults.inject(.lostResponse, count: loseResponseNext) }
        faults.isUnreachable = unreachable

        let path = database.map { NSString(string: $0).expandingTildeInPath }
        let system: SimulatedCardManagementSystem
        do {
            system = try SimulatedCardManagementSystem(path: path, faults: faults)
        } catch {
            throw ProvinceSimError.database(path: path ?? "", reason: "\(error)")
        }
        let server = ProvinceSimulatorServer(system: system, host: host, port: port)
        let quiet = self.quiet
        server.onEvent = { event in
            switch event {
            case .listening(let endpoint):
                console.say(Localized("正在监听 http://\(endpoint)", "Listening on http://\(endpoint)"))
            case .stoppedListening:
                console.say(Localized("已停止监听（连接将被拒绝）", "Stopped listening (connections are refused)"))
            case .request(let method, let path, let status, let fault):
                // Request lines and statuses only: bodies carry card secrets.
                let answer = status.map(String.init) ?? console.text("无应答", "no answer")
                let line = "\(method) \(path) → \(answer)" + (fault.map { console.text(" [故障：\($0.rawValue)]", " [fault: \($0.rawValue)]") } ?? "")
                if fault != nil || !quiet { console.say(verbatim: line) }
            }
        }

        let inputs = ConsoleInput.stream()
        do {
            try server.start()
        } catch {
            throw ProvinceSimError.cannotListen(host: host, port: port, reason: "\(error)")
        }
        console.say(Localized("模拟省卡管系统 http://\(host):\(server.port)，账本：\(path ?? "内存")，故障：\(faults.summary)。",
                              "Simulated province system at http://\(host):\(server.port), books: \(path ?? "memory"), faults: \(faults.summary)."))
        console.say(Localized("命令：status、delay MS、fail N、timeout N、lose N、reset N [操作]、unreachable on|off、clear、quit",
                              "Commands: status, delay MS, fail N, timeout N, lose N, reset N [operation], unreachable on|off, clear, quit"))

        commands: for await input in inputs {
            switch input {
            case .line(let raw):
                let words = raw.split(separator: " ").map(String.init)
                guard let first = words.first?.lowercased() else { continue }
                switch first {
                case "status":
                    console.say(Localized("故障：\(faults.summary)", "Faults: \(faults.summary)"))
                case "delay" where words.count == 2 && Int(words[1]) != nil:
                    faults.delayMilliseconds = Int(words[1])!
                    console.say(Localized("故障：\(faults.summary)", "Faults: \(faults.summary)"))
                case "fail", "timeout", "lose", "reset":
                    let fault: CardManagementFault = switch first {
                    case "fail": .serverError
                    case "timeout": .timeout
                    case "lose": .lostResponse
                    default: .unreachable
                    }
                    guard words.count >= 2, let count = Int(words[1]), count > 0 else {
                        console.say(Localized("用法：\(first) N [操作]", "Usage: \(first) N [operation]"))
                        continue
                    }
                    var operation: CardManagementOperation?
                    if words.count == 3 {
                        guard let named = CardManagementOperation(rawValue: words[2]) else {
                            let known = CardManagementOperation.allCases.map(\.rawValue).joined(separator: ", ")
                            console.say(Localized("未知操作 \(words[2])；可用：\(known)", "Unknown operation \(words[2]); known: \(known)"))
                            continue
                        }
                        operation = named
                    }
                    faults.inject(fault, count: count, only: operation)
                    console.say(Localized("故障：\(faults.summary)", "Faults: \(faults.summary)"))
                case "unreachable" where words.count == 2 && ["on", "off"].contains(words[1].lowercased()):
                    faults.isUnreachable = words[1].lowercased() == "on"
                    console.say(Localized("故障：\(faults.summary)", "Faults: \(faults.summary)"))
                case "clear":
                    faults.clear()
                    console.say(Localized("已清除全部故障", "All faults cleared"))
                case "quit", "exit":
                    break commands
                default:
                    console.say(Localized("未知命令：\(raw)", "Unknown command: \(raw)"))
                }
            case .endOfInput:
                continue  // running in the background: serve until a signal
            case .signal:
                break commands
            }
        }
        console.say(Localized("正在停止…", "Stopping…"))
        await offCooperativePool { server.stop() }
    }
}

/// Why the simulator could not start.
enum ProvinceSimError: AdvisedError {
    case database(path: String, reason: String)
    case cannotListen(host: String, port: UInt16, reason: String)

    var advice: ErrorAdvice {
        switch self {
        case let .database(path, reason):
            ErrorAdvice(Localized("无法打开模拟卡管数据库 \(path)（\(reason)）", "Cannot open the simulator's database \(path) (\(reason))"),
                        next: Localized("检查 --database 的路径和权限，或换一个文件", "check the path and permissions of --database, or use another file"))
        case let .cannotListen(host, port, reason):
            ErrorAdvice(Localized("无法在 \(host):\(port) 监听（\(reason)）", "Cannot listen on \(host):\(port) (\(reason))"),
                        next: Localized("端口可能已被占用：停止另一个 province-sim，或用 --port 换一个端口", "the port may be taken: stop the other province-sim, or choose another with --port"))
        }
    }
}
