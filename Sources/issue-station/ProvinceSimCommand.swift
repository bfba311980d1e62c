import ProvinceSimulator
import CardManagement
import ArgumentParser
import Foundation
import InstantIssue
import SSCardDriver

/// `issue-station province-sim`: the simulated province card-management system (卡管系统,
/// HSM, CA) over HTTPS or, on loopback, HTTP, for demos, technicians and tests of the HTTP
/// client (docs/province-api.md). `province-sim desks …` registers the desks it serves.
struct ProvinceSimCommand: VirtualDeviceCommand {
    static let configuration = CommandConfiguration(
        commandName: "province-sim",
        abstract: "运行模拟省卡管系统（含加密机和CA）的 HTTP 服务。Runs the simulated province card-management system, with its HSM and CA, as an HTTP service.",
        discussion: """
            模拟省卡管系统默认在本机回环地址上监听（端口 8735），按 docs/province-api.md 的 JSON 接口应答；\
            只应答已登记桌面签名的请求（先用 province-sim desks add 登记桌面，或用 --desk-credential 给出桌面凭据文件）。\
            --tls-certificate/--tls-key 或 --tls-self-signed 目录（实验室用：生成 CA 和服务器证书）启用 TLS；\
            不用 TLS 时只能监听 127.0.0.0/8。\
            它不是真实的卡管系统，加密机和CA的密钥均为公开的测试密钥。账本（申请、状态、每人持有的卡、已应答的请求号、\
            CA 签发记录）保存在 --database 指定的 SQLite 文件中，重启后仍在；不给 --database 时只在内存中。新数据库预置\
            样例申请 DEMO-0001 至 DEMO-0006。可注入故障来测试制卡站：--delay-ms 每个请求延时，--fail-next 对之后 N 个\
            请求回 HTTP 503，--timeout-next 之后 N 个请求不应答，--lose-response-next 执行之后 N 个请求但不回应答就断开，\
            --unreachable 启动时不监听（连接被拒绝）。运行中每行输入一条命令：status、delay MS、fail N、timeout N、lose N、\
            reset N、unreachable on|off、clear、quit；数量后可跟操作名只影响该操作。Ctrl-C 和 SIGTERM 正常停止。

            The simulator answers the JSON contract of docs/province-api.md on 127.0.0.1 (port \
            8735 unless --port says otherwise), to requests signed by a registered desk only: \
            register desks with `province-sim desks add`, or name their credential files with \
            --desk-credential. TLS comes with --tls-certificate and --tls-key, or with \
            --tls-self-signed DIR, which makes a lab CA and a server certificate there; without \
            TLS it listens on 127.0.0.0/8 only. It is not the province's system: its HSM and CA \
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
            """,
        subcommands: [ProvinceSimDesksCommand.self])

    @OptionGroup var lang: LanguageOption

    @Option(help: ArgumentHelp("监听的 IPv4 地址；不是 127.0.0.0/8 时须用 TLS。 The IPv4 address to listen on; one outside 127.0.0.0/8 needs TLS.", valueName: "address"))
    var host = "127.0.0.1"

    @Option(name: .customLong("tls-certificate"), help: ArgumentHelp("服务器证书链（PEM，先服务器证书后中间证书），与 --tls-key 一起启用 TLS。 The server's certificate chain (PEM: its certificate, then intermediates); with --tls-key it turns TLS on.", valueName: "file"))
    var tlsCertificate: String?

    @Option(name: .customLong("tls-key"), help: ArgumentHelp("服务器私钥（PEM）。 The server's private key (PEM).", valueName: "file"))
    var tlsKey: String?

    @Option(name: .customLong("tls-self-signed"), help: ArgumentHelp("实验室用：在此目录生成（或沿用）CA 和服务器证书并启用 TLS；制卡站以其中 ca.pem 为 caFile。 For labs: make (or reuse) a CA and a server certificate in this folder and turn TLS on; desks name its ca.pem as caFile.", valueName: "folder"))
    var tlsSelfSigned: String?

    @Option(name: .customLong("tls-name"), parsing: .singleValue, help: ArgumentHelp("--tls-self-signed 的服务器证书还要包含的主机名或 IP（可重复）。 Another host name or IP address for the --tls-self-signed server certificate (repeatable).", valueName: "name"))
    var tlsNames: [String] = []

    @Option(name: .customLong("desk-credential"), parsing: .singleValue, help: ArgumentHelp("登记此桌面凭据文件中的桌面（可重复）。 Register the desk of this credential file (repeatable).", valueName: "file"))
    var deskCredentials: [String] = []

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
        guard (tlsCertificate == nil) == (tlsKey == nil) else {
            throw ValidationError("--tls-certificate 与 --tls-key 须一起给出。--tls-certificate and --tls-key go together.")
        }
        guard tlsSelfSigned == nil || tlsCertificate == nil else {
            throw ValidationError("--tls-self-signed 不能与 --tls-certificate 同用。--tls-self-signed excludes --tls-certificate.")
        }
        guard tlsSelfSigned != nil || tlsCertificate != nil || CardManagementHTTPClient.isLoopbackHost(host) else {
            throw ValidationError("在 \(host) 上监听须用 TLS（--tls-certificate/--tls-key 或 --tls-self-signed）。Listening on \(host) needs TLS (--tls-certificate/--tls-key or --tls-self-signed).")
        }
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
        for file in deskCredentials {
            do {
                try system.registerDesk(try DeskCredential.load(path: NSString(string: file).expandingTildeInPath))
            } catch {
                throw ProvinceSimError.desks(reason: "\(error)")
            }
        }
        let tls = try tlsIdentity(console)
        let scheme = tls == nil ? "http" : "https"
        let server = ProvinceSimulatorServer(system: system, host: host, port: port, tls: tls)
        let quiet = self.quiet
        server.onEvent = { event in
            switch event {
            case .listening(let endpoint):
                console.say(Localized("正在监听 \(scheme)://\(endpoint)", "Listening on \(scheme)://\(endpoint)"))
            case .connectionRefused(let reason):
                if !quiet { console.say(Localized("拒绝连接：\(reason)", "Connection refused: \(reason)")) }
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
        console.say(Localized("模拟省卡管系统 \(scheme)://\(host):\(server.port)，账本：\(path ?? "内存")，故障：\(faults.summary)。",
                              "Simulated province system at \(scheme)://\(host):\(server.port), books: \(path ?? "memory"), faults: \(faults.summary)."))
        let desks = (try? system.desks().map(\.id)) ?? []
        if desks.isEmpty {
            console.say(Localized("尚未登记任何桌面，所有请求都会被拒绝（401）：用 issue-station province-sim desks add 桌面号 --database 文件 登记。",
                                  "No desk is registered, so every request is refused (401): register one with issue-station province-sim desks add DESKID --database FILE."))
        } else {
            console.say(Localized("已登记桌面：\(desks.joined(separator: "、"))", "Registered desks: \(desks.joined(separator: ", "))"))
        }
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

extension ProvinceSimCommand {
    /// The TLS identity the options name (nil: plain HTTP), the lab's made first when asked.
    private func tlsIdentity(_ console: StationConsole) throws -> ProvinceSimulatorServer.TLSIdentity? {
        var certificate = tlsCertificate.map { NSString(string: $0).expandingTildeInPath }
        var key = tlsKey.map { NSString(string: $0).expandingTildeInPath }
        if let folder = tlsSelfSigned.map({ NSString(string: $0).expandingTildeInPath }) {
            var names = [host] + tlsNames
            if let name = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) { names.append(name) }
            let files: SimulatorTLSFiles
            do { files = try SimulatorTLSFiles.prepare(in: folder, names: names) } catch {
                throw ProvinceSimError.tls(reason: "\(error)")
            }
            console.say(Localized(
                "实验室 TLS（仅供实验室）：CA 证书 \(files.caCertificate)\(files.caCreated ? "（新建）" : "")——制卡站的 caFile 指向它；服务器证书 \(files.serverCertificate)，私钥 \(files.serverKey)",
                "Lab TLS (for labs only): CA certificate \(files.caCertificate)\(files.caCreated ? " (new)" : "") — desks name it as caFile; server certificate \(files.serverCertificate), key \(files.serverKey)"))
            certificate = files.serverCertificate
            key = files.serverKey
        }
        guard let certificate, let key else { return nil }
        do {
            return try ProvinceSimulatorServer.TLSIdentity(certificateFile: certificate, keyFile: key)
        } catch {
            throw ProvinceSimError.tls(reason: "\(error)")
        }
    }
}

/// `issue-station province-sim desks add|rotate|remove|list`: the desks the simulator serves,
/// kept in its database (docs/province-api.md §4).
struct ProvinceSimDesksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "desks",
        abstract: "登记、轮换、删除、列出模拟卡管系统服务的桌面（账本由 --database 指定）。Registers, rotates, removes and lists the desks the simulator serves (in the books of --database).",
        subcommands: [Add.self, Rotate.self, Remove.self, List.self])

    /// The simulator's books the desks are kept in: province-sim's own `--database`.
    static func open(_ simulator: ProvinceSimCommand) throws -> SimulatedCardManagementSystem {
        guard let database = simulator.database else {
            throw ValidationError("须用 --database 指定模拟器账本。Name the simulator's books with --database.")
        }
        let path = NSString(string: database).expandingTildeInPath
        do { return try SimulatedCardManagementSystem(path: path) } catch {
            throw ProvinceSimError.database(path: path, reason: "\(error)")
        }
    }

    struct Add: VirtualDeviceCommand {
        static let configuration = CommandConfiguration(
            abstract: "登记桌面并给出其凭据（只显示这一次）。Registers a desk and hands out its credential (shown this once).")
        @ParentCommand var simulator: ProvinceSimCommand
        var lang: LanguageOption { simulator.lang }
        @Argument(help: ArgumentHelp("桌面号：1–64 个字母、数字、. _ -。 The desk id: 1–64 letters, digits, '.', '_' or '-'.", valueName: "desk-id"))
        var deskID: String
        @Option(name: .customLong("credential-file"), help: ArgumentHelp("把凭据写入此文件（权限 600）而不显示。 Write the credential to this file (mode 600) instead of showing it.", valueName: "file"))
        var credentialFile: String?

        func execute(_ console: StationConsole) async throws {
            let system = try ProvinceSimDesksCommand.open(simulator)
            let credential: DeskCredential
            do { credential = try system.addDesk(deskID) } catch { throw ProvinceSimError.desks(reason: "\(error)") }
            try ProvinceSimDesksCommand.handOut(credential, to: credentialFile, console)
        }
    }

    struct Rotate: VirtualDeviceCommand {
        static let configuration = CommandConfiguration(
            abstract: "给桌面换新凭据，旧凭据立即失效。Gives a desk a new credential; the old one is refused from now on.")
        @ParentCommand var simulator: ProvinceSimCommand
        var lang: LanguageOption { simulator.lang }
        @Argument(help: ArgumentHelp("桌面号。 The desk id.", valueName: "desk-id"))
        var deskID: String
        @Option(name: .customLong("credential-file"), help: ArgumentHelp("把新凭据写入此文件（权限 600）而不显示。 Write the new credential to this file (mode 600) instead of showing it.", valueName: "file"))
        var credentialFile: String?

        func execute(_ console: StationConsole) async throws {
            let system = try ProvinceSimDesksCommand.open(simulator)
            let credential: DeskCredential
            do { credential = try system.rotateDesk(deskID) } catch { throw ProvinceSimError.desks(reason: "\(error)") }
            try ProvinceSimDesksCommand.handOut(credential, to: credentialFile, console)
        }
    }

    struct Remove: VirtualDeviceCommand {
        static let configuration = CommandConfiguration(abstract: "删除桌面，其请求从此被拒绝。Removes a desk; its requests are refused from now on.")
        @ParentCommand var simulator: ProvinceSimCommand
        var lang: LanguageOption { simulator.lang }
        @Argument(help: ArgumentHelp("桌面号。 The desk id.", valueName: "desk-id"))
        var deskID: String

        func execute(_ console: StationConsole) async throws {
            let system = try ProvinceSimDesksCommand.open(simulator)
            do { try system.removeDesk(deskID) } catch { throw ProvinceSimError.desks(reason: "\(error)") }
            console.say(Localized("已删除桌面 \(deskID)", "Desk \(deskID) removed"))
        }
    }

    struct List: VirtualDeviceCommand {
        static let configuration = CommandConfiguration(abstract: "列出已登记的桌面（不显示凭据）。Lists the registered desks (never their credentials).")
        @ParentCommand var simulator: ProvinceSimCommand
        var lang: LanguageOption { simulator.lang }

        func execute(_ console: StationConsole) async throws {
            let system = try ProvinceSimDesksCommand.open(simulator)
            let desks: [SimulatedCardManagementSystem.RegisteredDesk]
            do { desks = try system.desks() } catch { throw ProvinceSimError.desks(reason: "\(error)") }
            if desks.isEmpty { console.say(Localized("尚未登记任何桌面", "No desk is registered")) }
            for desk in desks {
                console.say(verbatim: "\(desk.id)  \(desk.createdAt)" + (desk.rotatedAt.map { "  rotated \($0)" } ?? ""))
            }
        }
    }

    /// Writes the credential to `file` (0600), or shows it once.
    static func handOut(_ credential: DeskCredential, to file: String?, _ console: StationConsole) throws {
        if let file = file.map({ NSString(string: $0).expandingTildeInPath }) {
            do { try credential.write(to: file) } catch { throw ProvinceSimError.desks(reason: "\(error)") }
            console.say(Localized("桌面 \(credential.deskID) 的凭据已写入 \(file)（权限 600）；把它交给该桌面，在 cardManagement.credentialFile 中指定。",
                                  "The credential of desk \(credential.deskID) is in \(file) (mode 600); give it to the desk and name it in cardManagement.credentialFile."))
        } else {
            console.say(Localized("桌面 \(credential.deskID) 的凭据如下，只显示这一次：在该桌面上存为权限 600 的文件，在 cardManagement.credentialFile 中指定。",
                                  "The credential of desk \(credential.deskID), shown this once: save it on the desk as a file of mode 600 and name it in cardManagement.credentialFile."))
            var content = credential.fileContent()
            defer { KeyMaterial.wipe(&content) }
            FileHandle.standardOutput.write(Data(content))
        }
    }
}

/// Why the simulator could not start.
enum ProvinceSimError: AdvisedError {
    case database(path: String, reason: String)
    case cannotListen(host: String, port: UInt16, reason: String)
    case tls(reason: String)
    case desks(reason: String)

    var advice: ErrorAdvice {
        switch self {
        case let .database(path, reason):
            ErrorAdvice(Localized("无法打开模拟卡管数据库 \(path)（\(reason)）", "Cannot open the simulator's database \(path) (\(reason))"),
                        next: Localized("检查 --database 的路径和权限，或换一个文件", "check the path and permissions of --database, or use another file"))
        case let .cannotListen(host, port, reason):
            ErrorAdvice(Localized("无法在 \(host):\(port) 监听（\(reason)）", "Cannot listen on \(host):\(port) (\(reason))"),
                        next: Localized("端口可能已被占用：停止另一个 province-sim，或用 --port 换一个端口", "the port may be taken: stop the other province-sim, or choose another with --port"))
        case let .tls(reason):
            ErrorAdvice(Localized("TLS 设置有误（\(reason)）", "The TLS setup is wrong (\(reason))"),
                        next: Localized("检查 --tls-certificate/--tls-key 的文件（PEM、证书与私钥配对），或用 --tls-self-signed 目录", "check the --tls-certificate and --tls-key files (PEM, a matching pair), or use --tls-self-signed with a folder"))
        case let .desks(reason):
            ErrorAdvice(Localized("桌面登记失败（\(reason)）", "The desk registry failed (\(reason))"),
                        next: Localized("用 issue-station province-sim desks list --database 文件 查看已登记的桌面", "see the registered desks with issue-station province-sim desks list --database FILE"))
        }
    }
}
