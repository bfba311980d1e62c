import ArgumentParser
import Foundation
import InstantIssue

/// `issue-station province-sim`: the simulated province card-management system (卡管系统,
/// HSM, CA) over HTTP on loopback, for demos, technicians and tests of the HTTP client
/// (docs/province-api.md).
struct ProvinceSimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "province-sim",
        abstract: "运行模拟省卡管系统（含加密机和CA）的 HTTP 服务。Runs the simulated province card-management system, with its HSM and CA, as an HTTP service.",
        discussion: """
            模拟省卡管系统只在本机回环地址上监听，按 docs/province-api.md 的 JSON 接口应答；\
            它不是真实的卡管系统，密钥均为公开的测试密钥。

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
            authenticationKey, pkiSecrets, issueCertificates, report, status, activate) to hit \
            only that one. Ctrl-C and SIGTERM stop it cleanly.
            """)

    @Option(help: ArgumentHelp("The IPv4 address to listen on. Keep the loopback address: the service hands out card secrets.", valueName: "address"))
    var host = "127.0.0.1"

    @Option(help: ArgumentHelp("The TCP port to listen on.", valueName: "port"))
    var port: UInt16 = ProvinceSimulatorServer.defaultPort

    @Option(help: ArgumentHelp("The SQLite file that keeps the simulator's books; it is created and seeded when missing. Without it the books are kept in memory.", valueName: "file"))
    var database: String?

    @Option(name: .customLong("delay-ms"), help: ArgumentHelp("Milliseconds every request waits before it is carried out.", valueName: "ms"))
    var delayMilliseconds = 0

    @Option(name: .customLong("fail-next"), help: ArgumentHelp("Answer the next N requests with HTTP 503 without carrying them out.", valueName: "N"))
    var failNext = 0

    @Option(name: .customLong("timeout-next"), help: ArgumentHelp("Leave the next N requests unanswered, without carrying them out, until the client gives up.", valueName: "N"))
    var timeoutNext = 0

    @Option(name: .customLong("lose-response-next"), help: ArgumentHelp("Carry out the next N requests, then close the connection without answering.", valueName: "N"))
    var loseResponseNext = 0

    @Flag(help: ArgumentHelp("Start with the listening socket closed, so that connections are refused, until `unreachable off` is typed."))
    var unreachable = false

    @Flag(help: ArgumentHelp("Print only faults and errors, not every request."))
    var quiet = false

    func validate() throws {
        for (name, value) in [("--delay-ms", delayMilliseconds), ("--fail-next", failNext), ("--timeout-next", timeoutNext),
                              ("--lose-response-next", loseResponseNext)] where value < 0 {
            throw ValidationError("\(name) 不能为负数。\(name) must not be negative.")
        }
    }

    func run() async throws {
        let console = Console()
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
            console.fail("无法打开模拟卡管数据库：\(error) Cannot open the simulator's database: \(error)")
            throw ExitCode.failure
        }
        let server = ProvinceSimulatorServer(system: system, host: host, port: port)
        let quiet = self.quiet
        server.onEvent = { event in
            switch event {
            case .listening(let endpoint):
                console.say("正在监听 listening on http://\(endpoint)")
            case .stoppedListening:
                console.say("已停止监听（连接将被拒绝）stopped listening (connections are refused)")
            case .request(let method, let path, let status, let fault):
                // Request lines and statuses only: bodies carry card secrets.
                let answer = status.map(String.init) ?? "无应答 no answer"
                let line = "\(method) \(path) → \(answer)" + (fault.map { " [故障 fault: \($0.rawValue)]" } ?? "")
                if fault != nil || !quiet { console.say(line) }
            }
        }

        let inputs = ConsoleInput.stream()
        do {
            try server.start()
        } catch {
            console.fail("\(error)")
            throw ExitCode.failure
        }
        console.say("模拟省卡管系统 http://\(host):\(server.port)，账本 books: \(path ?? "内存 memory")。"
                    + " Simulated province system at http://\(host):\(server.port). 故障 faults: \(faults.summary)")
        console.say("命令 commands: status, delay MS, fail N, timeout N, lose N, reset N [operation], unreachable on|off, clear, quit")

        commands: for await input in inputs {
            switch input {
            case .line(let raw):
                let words = raw.split(separator: " ").map(String.init)
                guard let first = words.first?.lowercased() else { continue }
                switch first {
                case "status":
                    console.say("故障 faults: \(faults.summary)")
                case "delay" where words.count == 2 && Int(words[1]) != nil:
                    faults.delayMilliseconds = Int(words[1])!
                    console.say("故障 faults: \(faults.summary)")
                case "fail", "timeout", "lose", "reset":
                    let fault: CardManagementFault = switch first {
                    case "fail": .serverError
                    case "timeout": .timeout
                    case "lose": .lostResponse
                    default: .unreachable
                    }
                    guard words.count >= 2, let count = Int(words[1]), count > 0 else {
                        console.say("用法 usage: \(first) N [operation]")
                        continue
                    }
                    var operation: CardManagementOperation?
                    if words.count == 3 {
                        guard let named = CardManagementOperation(rawValue: words[2]) else {
                            console.say("未知操作 unknown operation \(words[2]): "
                                        + CardManagementOperation.allCases.map(\.rawValue).joined(separator: ", "))
                            continue
                        }
                        operation = named
                    }
                    faults.inject(fault, count: count, only: operation)
                    console.say("故障 faults: \(faults.summary)")
                case "unreachable" where words.count == 2 && ["on", "off"].contains(words[1].lowercased()):
                    faults.isUnreachable = words[1].lowercased() == "on"
                    console.say("故障 faults: \(faults.summary)")
                case "clear":
                    faults.clear()
                    console.say("已清除全部故障 all faults cleared")
                case "quit", "exit":
                    break commands
                default:
                    console.say("未知命令 unknown command: \(raw)")
                }
            case .endOfInput:
                continue  // running in the background: serve until a signal
            case .signal:
                break commands
            }
        }
        console.say("正在停止 stopping…")
        await offCooperativePool { server.stop() }
    }
}
