import ArgumentParser
import CounterDocuments
import Foundation
import InstantIssue
import SSCardDriver
import CardManagement
import ProvinceSimulator
import SSCardSimulator
import SimulatedDesk
import SSCardPrinter

/// `issue-station demo`: the README's main job. One applicant's card made end to end on the
/// embedded defaults — a private pcscd with vpcd, the virtual printer (its contact station is a
/// vpcd reader), the embedded card-management simulator with its HSM and CA — then read back in
/// a second reader with iReadCardBas. Stops what it started; keeps the card-face PNG (of a sample
/// applicant) in a folder only its user can read, and prints where it is.
struct DemoCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "演示：在模拟设备上完整地即时制一张卡。 Makes one card end to end on simulated parts, with nothing to set up.",
        discussion: """
            启动私有的 pcscd（带 vsmartcard 的 vpcd 虚拟读卡器）、虚拟制卡机（卡盒里有模拟预制卡）和内置的卡管系统模拟器\
            （含加密机和 CA），把预制卡入库装盒，为示例申请 DEMO-0001 即时制卡（写芯片、写证书、打印卡面、上报），\
            把制成的卡放入第二个读卡器（柜台读卡器）用 iReadCardBas 读出，再办理领卡：核验本人身份、持卡人设置密码、\
            打印领卡签收单（PDF）并记录签收，然后领卡启用。结束时停止它启动的一切，卡面图片和签收单保留\
            （不给 --output 时放在新建的、只有本用户可读的临时目录中，显示其路径）。 \
            Starts a private pcscd (with vsmartcard's vpcd virtual readers), the virtual printer (its hoppers hold \
            simulated pre-made cards) and the embedded card-management simulator (with its HSM and CA), puts the \
            pre-made cards on the books and in the hoppers, makes the card of sample application DEMO-0001 (chip, \
            certificates, face, report), reads the card back in a second reader (the counter's) with iReadCardBas, and \
            hands it over: the holder's ID checked, the holder sets a PIN, the handover receipt (PDF) printed and its \
            signing recorded, then 领卡启用. Stops everything it started; the card-face PNG and the receipt are kept \
            (without --output in a new temporary folder only this user can read), their paths printed.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("示例申请编号（DEMO-0001…DEMO-0006）。 The sample application (DEMO-0001…DEMO-0006).", valueName: "id"))
    var application = "DEMO-0001"

    @Option(help: ArgumentHelp("卡面图片保存目录（不存在时新建，仅本用户可读）；不给时新建一个临时目录。 "
                                   + "Where the card-face PNG is kept (made private to this user when missing); without it a new temporary folder.",
                               valueName: "dir"))
    var output: String?

    @Flag(name: .customLong("use-running-pcscd"), help: ArgumentHelp("只用已在运行的 pcscd（需带 vpcd 读卡器），不自己启动；不加时，有带 vpcd 的 pcscd 在运行也会用它。 Only use the pcscd already running (with the vpcd readers), never start one; without it a running pcscd with the vpcd readers is used too."))
    var useRunningPCSCD = false

    func execute(_ console: StationConsole) throws {
        // The books, the simulator's keys and the return file: a folder nobody could have
        // guessed or planted links in (mkdtemp, 0700), removed at the end.
        let work = URL(fileURLWithPath: try PrivateFile.makeTemporaryFolder(prefix: "sscard-demo-"), isDirectory: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let faces: String
        if let output {
            faces = NSString(string: output).expandingTildeInPath
            try PrivateFile.makeFolder(faces)
        } else {
            faces = try PrivateFile.makeTemporaryFolder(prefix: "sscard-demo-faces-")
        }

        // Beside a pcscd already running (a desk's socket-activated system pcscd) the demo uses
        // it if it has the vpcd readers; otherwise VirtualReaderStackError says what to do.
        let useRunning = useRunningPCSCD || VirtualReaderStack.runningPCSCD() != nil
        if !useRunning { console.say(Localized("启动 pcscd 与 vpcd 虚拟读卡器…", "Starting pcscd with the vpcd virtual readers…")) }
        let desk = try VirtualDesk(cards: [], useRunningPCSCD: useRunning)
        defer { desk.close() }
        if useRunning { console.say(Self.usingRunningPCSCD()) }
        let printer = VirtualPrinter.stocked(encoderSlot: 0)
        defer { try? printer.eject(to: .reject) }
        let configuration = StationConfiguration(
            databasePath: work.appendingPathComponent("station.sqlite").path,
            cardManagement: .init(kind: .embedded, simulatorDatabasePath: work.appendingPathComponent("province-sim.sqlite").path),
            outputDirectory: faces, cardFaceRetention: .keep,  // a sample applicant's face, kept to look at
            documents: DocumentOutputSetting(folder: faces))  // and the handover receipt beside it
        let station = Station(
            configuration: configuration, database: try StationDatabase(path: configuration.databasePath),
            driverConfiguration: DriverConfiguration(contactReader: desk.readerName(slot: 0)), printer: printer,
            cardManagement: try SimulatedCardManagementSystem(path: configuration.resolvedSimulatorDatabasePath))
        defer { try? station.database.close() }
        let clerk = "演示柜员"

        // 入库、装盒: the printer's pre-made cards on the books.
        let booked = try station.inventory.bookCards(in: printer, returnFileFolder: work, by: clerk)
        console.say(Localized("预制卡入库 \(booked.count) 张（\(booked.fileName)），已装入卡盒1、2。",
                              "\(booked.count) pre-made cards imported (\(booked.fileName)) and loaded into hoppers 1 and 2."))

        // 即时制卡.
        // The demo types 䄲 for any rare-character placeholder (DEMO-0002 张[CHUI]).
        let placeholders = (try? ApplicantName(station.cardManagement.application(id: application).name).placeholders) ?? []
        let request = try IssueChecks(station: station, console: console)
            .request(applicationID: application, file: nil, characters: placeholders.map { _ in "䄲" })
        console.say(Localized("申请 \(application)：\(request.name)，\(request.application.kind.chinese)。",
                              "Application \(application): \(request.name), \(request.application.kind.rawValue)."))
        let issued: IssuedCard
        do {
            issued = try IssuanceWorkflow(station: station).issue(request, clerk: clerk, progress: IssuanceConsole.progressPrinter(console))
        } catch {
            console.fail(Localized("错误：\(error.chinese)。", "Error: \(error.english)."))
            console.fail(Localized("下一步：\(error.nextStepChinese)", "Next: \(error.nextStepEnglish)"))
            throw ExitCode(ErrorAdvice.errorStatus)
        }
        console.say(Localized("制卡成功：卡号 \(issued.cardNumber)。", "Card made: \(issued.cardNumber)."))

        // The card from the good exit, in the counter's reader (vpcd slot 1).
        guard let card = printer.collectGoodExit().first else {
            console.fail(Localized("错误：出卡口没有卡。", "Error: the good exit is empty."))
            throw ExitCode(ErrorAdvice.errorStatus)
        }
        let connector = VPCDConnector(card: card, configuration: .slot(1))
        try connector.start()
        defer { connector.stop() }
        _ = try PCSCContext().waitForCard(in: desk.readerName(slot: 1), timeout: .seconds(10))
        let reader = SSCardInterface(configuration: DriverConfiguration(contactReader: desk.readerName(slot: 1)), securityModule: SimulatedHSM(),
                                     isCounter: true)
        let result = reader.iReadCardBas(1)
        guard result.code == 0 else {
            console.fail(Localized("错误：读回失败 \(result.code) \(result.output)。", "Error: reading back failed \(result.code) \(result.output)."))
            throw ExitCode(ErrorAdvice.errorStatus)
        }
        console.say(Localized("iReadCardBas 读回：\(result.output)", "iReadCardBas reads back: \(result.output)"))

        // 领卡 (《广东省社会保障卡经办规程》第十二条、第十四条、第十八条): the holder in person with their
        // ID, sets a PIN of their own (the demo types one), the receipt for signature, then 启用.
        let handover = Handover(station: station)
        try handover.checkRecipient(applicationID: application, recipient: .holder, documents: RecipientDocuments(holderIDSeen: true), clerk: clerk)
        console.say(Localized("领卡：已核验持卡人本人有效身份证件原件。", "Handover: the holder's original ID document checked."))
        let demoPIN = CallbackPINEntry { (_: PINPurpose) throws(PINEntryError) -> [UInt8] in Array("204719".utf8) }
        try handover.setPIN(applicationID: application, card: reader, holderEntry: demoPIN, clerk: clerk)
        console.say(Localized("持卡人已设置社保应用密码（演示输入）。", "The holder has set their PIN (typed by the demo)."))
        let receipt = try handover.printReceipt(applicationID: application, card: reader, documents: station.documents, clerk: clerk)
        try handover.recordSignature(applicationID: application, clerk: clerk)
        try Activation(station: station).activate(applicationID: application, clerk: clerk)
        console.say(Localized("领取人已签收，领卡启用完成。", "The recipient signed; the card is activated (领卡启用)."))
        switch receipt {
        case .saved(let path): console.say(Localized("领卡签收单（PDF）：\(path)", "Handover receipt (PDF): \(path)"))
        case .printed(let queue, let id): console.say(Localized("领卡签收单已打印：\(queue) \(id)", "Handover receipt printed: \(queue) \(id)"))
        }
        if let face = issued.facePath {
            console.say(Localized("卡面图片（PNG）：\(face)", "Card face (PNG): \(face)"))
        }
        console.say(useRunning
            ? Localized("演示完成，已停止模拟设备，正在运行的 pcscd 保持不变。", "Demo done; the simulators are stopped and the running pcscd is left as it was.")
            : Localized("演示完成，已停止 pcscd 与模拟设备。", "Demo done; pcscd and the simulators are stopped."))
    }

    /// The one sentence saying the demo uses the pcscd already running, and whether its vpcd
    /// ports are open beyond this machine (Debian's /etc/reader.conf.d/vpcd listens on 0.0.0.0).
    static func usingRunningPCSCD() -> Localized {
        let pid = VirtualReaderStack.runningPCSCD()?.pid.map { "pid \($0)" }
        let exposed = VirtualReaderStack.vpcdListeners().filter { !$0.isLoopback }
            .sorted { ($0.port, $0.isIPv6 ? 1 : 0) < ($1.port, $1.isIPv6 ? 1 : 0) }.map(\.description).joined(separator: ", ")
        let zh = "本机已有 pcscd 在运行（\(pid ?? "pid 未知")）且带 vpcd 读卡器，演示使用它，结束后不停止它"
            + (exposed.isEmpty ? "。" : "；注意它的 vpcd 在 \(exposed) 上监听，网络上的其他机器也能连入（技术员手册 §6）。")
        let en = "A pcscd is already running (\(pid ?? "pid unknown")) with the vpcd readers; the demo uses it and leaves it running"
            + (exposed.isEmpty ? "." : ", but its vpcd listens on \(exposed), open to other machines on the network (technician's guide §E.6).")
        return Localized(zh, en)
    }
}
