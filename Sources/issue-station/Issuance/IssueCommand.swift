import CardManagement
import ArgumentParser
import Foundation
import InstantIssue

/// `issue-station issue ID`: makes the applicant's card while they wait (新即时制卡,
/// 《广东省社会保障卡经办规程》附件9): checks the application, asks for rare characters, then
/// personalises a pre-made card step by step and says what to do next.
struct IssueCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "issue",
        abstract: "即时制卡：核对申请，写芯片、写证书、打印卡面并上报。 Makes an applicant's card while they wait: checks, chip, certificates, face, report.",
        discussion: """
            从卡管系统取出申请（或用 --file 读取本地申请文件），核对社会保障号码、照片和一人一卡；姓名中有 [拼音] \
            占位的生僻字时逐个提示输入真实汉字（也可用 --char 给出）。然后预留该银行的预制卡，进卡、核对、写芯片、\
            写数字证书、打印卡面，并上报制卡成功。每一步都记入流水；按 Ctrl-C 会在当前步骤完成后安全停止。\
            中途失败时卡片进入废卡盒并上报制卡失败；卡面已打印但上报失败时保留卡片，网络恢复后运行 issue-station recover。 \
            Fetches the application from the card-management system (or reads a local application file with --file) \
            and checks the SSN, the photo and one-person-one-card; a name with [PINYIN] placeholders asks for each \
            real character (or takes them from --char). Then reserves a pre-made card of the applicant's bank, feeds \
            it, checks it, writes the chip and the certificates, prints the face and reports 制卡成功. Every step is \
            journaled; Ctrl-C stops safely after the current step. A card that fails goes to the reject box and \
            制卡失败 is reported; a printed card whose report failed is kept, and issue-station recover finishes it \
            when the network is back.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("申请编号（用 --file 时可省略）。 The application id (may be left out with --file).", valueName: "application-id"))
    var applicationID: String?

    @Option(help: ArgumentHelp("本地申请文件（JSON，离线演示用）。 A local application file (JSON, for offline demos).", valueName: "file"))
    var file: String?

    @Option(name: .customLong("char"), help: ArgumentHelp(
        "按顺序给出姓名中 [拼音] 占位对应的生僻字，可重复。 The real character for each [PINYIN] placeholder of the name, in order; repeatable.",
        valueName: "character"))
    var characters: [String] = []

    @OptionGroup var clerkOption: ClerkOption
    /// The clerk the journal and the ledger record (--clerk, SSCARD_CLERK, else the login name).
    var clerk: String { clerkOption.resolved }

    func validate() throws {
        guard applicationID != nil || file != nil else {
            throw ValidationError("请给出申请编号或 --file。 Give an application id or --file.")
        }
    }

    func execute(_ console: StationConsole) throws {
        let station = try StationSetup(global).openStation(journalObserver: try IssuanceConsole.crashHook())
        defer { station.stock.close(); try? station.database.close() }

        let others = try StationRecovery(station: station).pending().filter { $0.applicationID != applicationID }
        if !others.isEmpty {
            console.say(Localized("注意：另有 \(others.count) 笔未完成的制卡，办完本笔后请运行 issue-station recover。",
                                  "Note: \(others.count) other issuance(s) are unfinished; run issue-station recover after this one."))
        }

        let request = try IssueChecks(station: station, console: console)
            .request(applicationID: applicationID, file: file, characters: characters)
        let id = request.application.id
        console.say(Localized("申请 \(id)：\(request.name)，\(request.application.kind.chinese)，银行 \(request.application.bank)。",
                              "Application \(id): \(request.name), \(request.application.kind.rawValue), bank \(request.application.bank)."))

        let cancellation = IssuanceCancellation()
        let interrupt = InterruptGuard(cancellation: cancellation, console: console)
        defer { interrupt.end() }
        let issued: IssuedCard
        do {
            issued = try IssuanceWorkflow(station: station).issue(
                request, clerk: clerk, cancellation: cancellation, progress: IssuanceConsole.progressPrinter(console))
        } catch {
            ErrorAdvice(for: error).print(to: console)
            throw ExitCode(ErrorAdvice.errorStatus)
        }
        console.say(Localized("制卡成功：卡号 \(issued.cardNumber)。", "Card made: \(issued.cardNumber)."))
        if let face = issued.facePath { console.say(Localized("卡面图片：\(face)", "Card face: \(face)")) }
        // 领卡 is a process of its own (第十四条、第十八条): ID check, the holder's PIN, the signed receipt.
        console.say(Localized("下一步：领卡。把卡放入柜台读卡器，依次运行 issue-station handover check \(id)、handover set-pin \(id)、"
                              + "handover receipt \(id)、handover signed \(id)，然后 issue-station activate \(id)。",
                              "Next: the handover. Put the card in the desk reader and run issue-station handover check \(id), handover set-pin \(id), "
                              + "handover receipt \(id), handover signed \(id), then issue-station activate \(id)."))
    }
}
